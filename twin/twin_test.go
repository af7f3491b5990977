package twin

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func valid() Calibration {
	return Calibration{Format: Format, Version: Version,
		Target:    Target{BaseURL: "https://eu-test.oppwa.com/", Host: "eu-test.oppwa.com"},
		Run:       Run{ID: "oc-1", Date: time.Date(2026, 12, 5, 2, 17, 0, 0, time.UTC)},
		Account:   Account{Brands: []string{"VISA", "PAYPAL"}, Capabilities: []string{"3ds"}},
		Redirects: map[string]Redirect{"PAYPAL": {Method: "GET", Parameters: []string{}, Encoding: EncodingArray}},
	}
}

func write(t *testing.T, dir string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, File)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadReadsAFileOrAReportDirectory(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, valid())
	for _, p := range []string{file, dir} {
		c, err := Load(p)
		if err != nil {
			t.Fatalf("Load(%s): %v", p, err)
		}
		if !c.Has("3ds") || c.Has("credit") || c.Label() != "https://eu-test.oppwa.com/, run oc-1 of 2026-12-05 02:17 UTC" {
			t.Errorf("Load(%s) = %+v", p, c)
		}
	}
}

// Every calibration a sandbox cannot start from is one line naming the file and
// what is wrong.
func TestLoadRefusesInOneLineNamingTheFile(t *testing.T) {
	change := func(f func(*Calibration)) Calibration { c := valid(); f(&c); return c }
	whole, _ := json.Marshal(valid())
	for name, tc := range map[string]struct {
		content any
		want    string
	}{
		"malformed":      {json.RawMessage(`{"format":`), "is not an account calibration"},
		"trailing data":  {json.RawMessage(string(whole) + "}"), "is not an account calibration"},
		"other JSON":     {map[string]int{"a": 1}, "is not an account calibration"},
		"newer":          {change(func(c *Calibration) { c.Version = Version + 1 }), "newer than this suite reads"},
		"older":          {change(func(c *Calibration) { c.Version = 0 }), "calibrate again"},
		"embedded":       {change(func(c *Calibration) { c.Target.Embedded = true }), "embedded sandbox itself"},
		"no run":         {change(func(c *Calibration) { c.Run.ID = "" }), "names no target or run"},
		"no brands":      {change(func(c *Calibration) { c.Account.Brands = nil }), "names no brand"},
		"unknown brand":  {change(func(c *Calibration) { c.Account.Brands = []string{"VISA", "NOPE"} }), `brand "NOPE"`},
		"unknown brand2": {change(func(c *Calibration) { c.Redirects["NOPAY"] = Redirect{} }), `brand "NOPAY"`},
	} {
		dir := t.TempDir()
		var p string
		if raw, ok := tc.content.(json.RawMessage); ok {
			p = filepath.Join(dir, File)
			if err := os.WriteFile(p, raw, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			p = write(t, dir, tc.content)
		}
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), p) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line starting with %s and saying %q", name, err, p, tc.want)
		}
	}
	for _, p := range []string{filepath.Join(t.TempDir(), "missing.json"), t.TempDir()} {
		if _, err := Load(p); err == nil || !strings.HasPrefix(err.Error(), p) {
			t.Errorf("Load(%s): %v, want an error naming it", p, err)
		}
	}
}

func TestReplyKindSortsByRequest(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		status      int
		want        string
	}{
		{"POST", "https://h/v1/payments", 200, ReplyPayment},
		{"POST", "https://h/v1/payments/8a82944a4cc25ebf014cc2c782423202", 200, ReplyBackoffice},
		{"GET", "https://h/v1/payments/8a82944a4cc25ebf014cc2c782423202?entityId=x", 200, ReplyStatus},
		{"GET", "https://h/v1/query?merchantTransactionId=m", 200, ReplyReport},
		{"POST", "https://h/v1/payments", 400, ReplyError},
		{"POST", "https://h/v1/payments", 0, ""},
	} {
		if got := ReplyKind(tc.method, tc.url, tc.status); got != tc.want {
			t.Errorf("ReplyKind(%s %s %d) = %q, want %q", tc.method, tc.url, tc.status, got, tc.want)
		}
	}
}

// The route is the request's kind whatever the status: an error reply's too.
func TestRouteKindIgnoresTheStatus(t *testing.T) {
	for _, tc := range []struct{ method, url, want string }{
		{"POST", "https://h/v1/payments/", ReplyPayment},
		{"POST", "https://h/v1/payments/8a82944a4cc25ebf014cc2c782423202", ReplyBackoffice},
		{"GET", "https://h/v1/registrations/x", ReplyStatus},
		{"GET", "/v1/query/x", ReplyReport},
		{"POST", "https://h/v1/registrations", ReplyOther},
	} {
		if got := RouteKind(tc.method, tc.url); got != tc.want {
			t.Errorf("RouteKind(%s %s) = %q, want %q", tc.method, tc.url, got, tc.want)
		}
	}
}
