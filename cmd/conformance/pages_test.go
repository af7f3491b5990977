package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// unknownCheckout hides the built-in script of the sandbox's checkout page behind a
// user script of the same name that matches nothing: the page becomes one no script
// knows, and the shopper's cancel is not something the fallback guesses.
const unknownCheckout = `{"scripts": [{"name": "sandbox-checkout", "source": "test: hides the built-in script",
 "step": "checkout", "match": {"selector": "#no-such-page"}, "actions": {"approve": [{"click": "#no-such-page"}]}}]}`

// TestStuckPageDraftScriptMakesTheSpecPass is the shopper's promise end to end: a spec
// stuck on a page no script knows is an environment failure (exit 2) whose report
// carries the page's inventory and a draft script, and the draft, saved into
// OPPWA_SHOPPER_PAGES, makes the same spec pass.
func TestStuckPageDraftScriptMakesTheSpecPass(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the runner and a browser")
	}
	pages, out := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(pages, "hide.json"), []byte(unknownCheckout), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPPWA_SHOPPER_PAGES": pages, "OPPWA_REPORT_DIR": out}
	const spec = "flow:async-cancel && brand:PAYPAL"
	r := runRunner(t, env, "run", "-labels", spec)
	if r.code != outcome.ExitEnvironment {
		t.Fatalf("stuck on an unknown page: exit %d, want %d (environment)\n%s", r.code, outcome.ExitEnvironment, r.stderr)
	}
	stuck := stuckPageOf(t, filepath.Join(out, "report.json"))
	if len(stuck.Controls) == 0 || stuck.URL == "" || !strings.Contains(stuck.Draft, "#cancel") {
		t.Fatalf("the stuck page lacks its inventory or a draft that cancels: %+v", stuck)
	}
	html, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, want := range []string{"Draft page script", "OPPWA_SHOPPER_PAGES", "#cancel"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if err := os.WriteFile(filepath.Join(pages, "draft.json"), []byte(stuck.Draft), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runRunner(t, env, "run", "-labels", spec); r.code != 0 {
		t.Fatalf("with the draft saved: exit %d, want 0\n%s", r.code, r.stderr)
	}
}

// stuckPageOf reads the one stuck-page entry of a Ginkgo JSON report.
func stuckPageOf(t *testing.T, path string) reports.StuckPage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rs []types.Report
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	for _, r := range rs {
		for _, sr := range r.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name != reports.EntryStuckPage {
					continue
				}
				var sp reports.StuckPage
				if err := json.Unmarshal([]byte(e.Value.AsJSON), &sp); err != nil {
					t.Fatalf("stuck-page entry: %v", err)
				}
				return sp
			}
		}
	}
	t.Fatal("no stuck-page entry in the report")
	return reports.StuckPage{}
}
