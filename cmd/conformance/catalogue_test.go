package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCatalogueIsCompleteAndFresh fails when a spec lacks an ID, when two share one,
// or when CATALOGUE.md no longer matches the suites (run make catalogue).
func TestCatalogueIsCompleteAndFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("dry-runs the suites")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := collectCatalogue(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 60 {
		t.Fatalf("only %d specs in the catalogue", len(entries))
	}
	if err := checkCatalogue(entries); err != nil {
		t.Fatal(err)
	}
	tracked, err := os.ReadFile(filepath.Join(root, "CATALOGUE.md"))
	if err != nil {
		t.Fatalf("CATALOGUE.md missing: run make catalogue (%v)", err)
	}
	if string(tracked) != renderCatalogue(entries) {
		t.Fatal("CATALOGUE.md is stale: run make catalogue and commit it")
	}
}

func TestCatalogueRules(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []entry
		fail bool
	}{
		"ok":        {[]entry{{ID: "A", Must: "MUST x"}, {ID: "B", Must: "MUST y"}}, false},
		"no id":     {[]entry{{ID: "", Must: "MUST x"}}, true},
		"duplicate": {[]entry{{ID: "A", Must: "MUST x"}, {ID: "A", Must: "MUST y"}}, true},
		"no must":   {[]entry{{ID: "A", Must: "does x"}}, true},
	} {
		if err := checkCatalogue(tc.in); (err != nil) != tc.fail {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
