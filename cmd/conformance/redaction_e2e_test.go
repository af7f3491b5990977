package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// misbehavingCheckouts are user page scripts for the embedded sandbox's checkout page
// (default page mode), one per brand, each failing the shopper's journey in its own
// way: PAYPAL's approve clicks an element that never appears and its cancel has no
// steps; EPS's approve clicks an element that does nothing; PRZELEWY's page is known
// by sight only (the fallback's path) and PF_KARTE_DIRECT's is hidden (no script,
// the stall). These brands' redirects are GETs, so every page URL carries
// ?ndcid=…&sessionToken=….
const misbehavingCheckouts = `{"scripts": [
 {"name": "paypal-checkout", "source": "test: element never appears; no cancel steps", "step": "checkout",
  "match": {"selector": "form#checkout", "title": " - PAYPAL$"}, "actions": {"approve": [{"click": "#no-such-control"}]}},
 {"name": "eps-checkout", "source": "test: a click that does not change the page", "step": "checkout",
  "match": {"selector": "form#checkout", "title": " - EPS$"}, "actions": {"approve": [{"click": "#brand"}]}},
 {"name": "przelewy-checkout", "source": "test: known by sight only", "step": "checkout",
  "match": {"selector": "form#checkout", "title": " - PRZELEWY$"}, "note": "test: its controls are not known"},
 {"name": "sandbox-checkout", "source": "test: hides the built-in script", "step": "checkout",
  "match": {"selector": "#no-such-page"}, "actions": {"approve": [{"click": "#no-such-page"}]}}
]}`

// misbehavingBanks replace built-in scripts of the realistic test banks (whose page
// URLs carry ;jsessionid=…): giropay's clicks Absenden without filling the required
// fields (the form's validation refuses the click), EPS's looks for a button text the
// page does not have.
const misbehavingBanks = `{"scripts": [
 {"name": "giropay-test-bank", "source": "test: submits an empty form", "step": "bank",
  "match": {"selector": "input[name=\"sc\"]"}, "actions": {"approve": [{"click": "input[value=\"Absenden\"]"}]}},
 {"name": "eps-test-bank-step", "source": "test: a button text the page does not have", "step": "bank",
  "match": {"selector": "input.button-body.button-short"}, "actions": {"approve": [{"clickText": "No such button"}]}}
]}`

// sessionLeak finds a session parameter followed by a raw value: a URL's
// sessionToken= or ;jsessionid=, a reply's {"name":"sessionToken","value":…}, in
// plain, JSON-escaped, percent-encoded or HTML-escaped text. Masked, the value is ****.
var sessionLeak = regexp.MustCompile(`(?i)(?:session[a-z_]*|token)(?:\\u003d|%3d|&quot;|&#34;|\\u0022|[=:\s",\\]|value)*([0-9a-f]{16,})`)

// paymentID is the form of a payment id; the realistic pages' jsessionid is one in
// upper case.
var paymentID = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

// TestShopperSessionsNeverReachTheReports makes the shopper's journey fail in every way
// a page can stop it, on pages whose URLs carry a session (sessionToken in the default
// pages' query, ;jsessionid= in the realistic pages' path), and searches the console
// and every file the run leaves for a raw session value.
func TestShopperSessionsNeverReachTheReports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the runner and a browser")
	}
	for _, tc := range []struct {
		name, pages, scripts, labels, masked string
		specs                                int
	}{
		{"default pages", "default", misbehavingCheckouts, "id:S2S-ASYNC-PAYPAL-APPROVE || id:S2S-ASYNC-PAYPAL-CANCEL || " +
			"id:S2S-ASYNC-EPS-APPROVE || id:S2S-ASYNC-PRZELEWY-CANCEL || id:S2S-ASYNC-PF_KARTE_DIRECT-CANCEL", "sessionToken=****", 5},
		{"realistic pages", "realistic", misbehavingBanks, "id:S2S-ASYNC-GIROPAY-APPROVE || id:S2S-ASYNC-EPS-APPROVE", "jsessionid=****", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages, out := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(pages, "misbehave.json"), []byte(tc.scripts), 0o644); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"OPPWA_SHOPPER_PAGES": pages, "OPPWA_REPORT_DIR": out, "OPPWA_SANDBOX_PAGES": tc.pages}
			r := runRunner(t, env, "run", "-labels", tc.labels)
			if r.code == 0 {
				t.Fatalf("every journey was made to fail, but the run passed:\n%s", tail(r.stdout))
			}
			if failed := failedSpecs(t, out); failed != tc.specs {
				t.Fatalf("%d specs failed, want %d: the journeys did not fail as provoked\n%s", failed, tc.specs, tail(r.stdout))
			}
			texts := map[string]string{"console": r.stdout + r.stderr}
			err := filepath.Walk(out, func(path string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				texts[path] = string(b)
				return err
			})
			if err != nil || len(texts) < 6 {
				t.Fatalf("read %d report files: %v", len(texts)-1, err)
			}
			checkNoSession(t, texts, tc.masked)
		})
	}
}

// checkNoSession fails for every text that carries a raw session value, and when
// the masked form is nowhere: then the sessions never reached the texts and the test
// proves nothing.
func checkNoSession(t *testing.T, texts map[string]string, masked string) {
	t.Helper()
	ids := map[string]bool{}
	for _, s := range texts {
		for _, id := range paymentID.FindAllString(s, -1) {
			ids[strings.ToUpper(id)] = true
		}
	}
	seen := false
	for name, s := range texts {
		for _, m := range sessionLeak.FindAllString(s, 3) {
			t.Errorf("%s carries a session value: %s", name, m)
		}
		for id := range ids {
			if strings.Contains(s, id) {
				t.Errorf("%s carries the jsessionid %s…", name, id[:8])
			}
		}
		seen = seen || strings.Contains(s, masked)
	}
	if !seen {
		t.Errorf("%s is in no report: the sessions never reached them", masked)
	}
}

// failedSpecs counts the failed specs of the run's certification.json.
func failedSpecs(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "certification.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cert struct {
		Specs []struct{ ID, State, Message string }
	}
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range cert.Specs {
		if s.State == "failed" {
			n++
		}
		if s.State != "skipped" {
			t.Logf("%s: %s: %s", s.ID, s.State, s.Message)
		}
	}
	return n
}
