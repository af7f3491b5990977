package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/reports"
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
		"ok":           {[]entry{{SpecMeta: meta("A", "PA"), Must: "MUST x"}, {SpecMeta: meta("B", "PA"), Must: "MUST y"}}, false},
		"no id":        {[]entry{{SpecMeta: meta("", "PA"), Must: "MUST x"}}, true},
		"no flow":      {[]entry{{SpecMeta: meta("A", ""), Must: "MUST x"}}, true},
		"unknown flow": {[]entry{{SpecMeta: meta("A", "refund"), Must: "MUST x"}}, true},
		"no evidence":  {[]entry{{SpecMeta: reports.SpecMeta{ID: "A", Flow: "PA"}, Must: "MUST x"}}, true},
		"duplicate":    {[]entry{{SpecMeta: meta("A", "PA"), Must: "MUST x"}, {SpecMeta: meta("A", "PA"), Must: "MUST y"}}, true},
		"no must":      {[]entry{{SpecMeta: meta("A", "PA"), Must: "does x"}}, true},
	} {
		if err := checkCatalogue(tc.in); (err != nil) != tc.fail {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func meta(id, flow string) reports.SpecMeta {
	return reports.SpecMeta{ID: id, Flow: flow, Evidence: "documented"}
}

func TestCatalogueRowIsOneTemplateWithItsBrands(t *testing.T) {
	at := "suites/payments/payments.go:20"
	es := []entry{
		{SpecMeta: reports.SpecMeta{ID: "S2S-PA-VISA", Flow: "PA", Brand: "VISA"}, Must: "MUST pay with VISA", Where: at},
		{SpecMeta: reports.SpecMeta{ID: "S2S-PA-MASTER", Flow: "PA", Brand: "MASTER"}, Must: "MUST pay with MASTER", Where: at},
		{SpecMeta: reports.SpecMeta{ID: "S2S-CP-001", Flow: "CP"}, Must: "MUST capture", Where: "suites/payments/payments.go:90"},
	}
	got := renderCatalogue(es)
	for _, want := range []string{"3 specs from 2 declarations", "## flow:PA", "| S2S-PA-<brand> | MUST pay with <brand> | VISA, MASTER | documented: ", " | " + at + " |", "## flow:CP"} {
		if !strings.Contains(got, want) {
			t.Errorf("catalogue lacks %q:\n%s", want, got)
		}
	}
}
