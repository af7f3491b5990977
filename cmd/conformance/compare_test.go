package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// driftLabels keep each run of the comparison tests to about two seconds.
const driftLabels = "!browser && (brand:VISA || backoffice)"

// runAgainst runs the suites with labels into dir, compared with baseline, under env.
func runAgainst(t *testing.T, labels, dir, baseline string, env map[string]string) result {
	t.Helper()
	e := map[string]string{"OPPWA_REPORT_DIR": dir, "FAIL_ON_DRIFT": ""}
	for k, v := range env {
		e[k] = v
	}
	args := []string{"run", "-labels", labels}
	if baseline != "" {
		args = append(args, "-baseline", baseline)
	}
	return runRunner(t, e, args...)
}

func readChanges(t *testing.T, dir string) reports.Changes {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, reports.CertificationFile))
	if err != nil {
		t.Fatal(err)
	}
	var c reports.Certification
	if err := json.Unmarshal(b, &c); err != nil || c.Changes == nil {
		t.Fatalf("certification.json without changes (%v)", err)
	}
	return *c.Changes
}

func TestRunComparesWithItsBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	tmp := t.TempDir()
	base := filepath.Join(tmp, "base")
	if r := runAgainst(t, driftLabels, base, "", nil); r.code != 0 {
		t.Fatalf("baseline run exit %d: %s", r.code, tail(r.stdout+r.stderr))
	}
	t.Run("extra fields are listed by reply kind, the run stays green", func(t *testing.T) {
		dir := filepath.Join(tmp, "extra")
		r := runAgainst(t, driftLabels, dir, base, map[string]string{"OPPWA_SANDBOX_DEFECTS": "tolerate-extra-fields"})
		if r.code != 0 || !strings.Contains(r.stdout, "Changes since oc-") {
			t.Fatalf("exit %d: %s", r.code, tail(r.stdout+r.stderr))
		}
		for _, want := range []string{"fields-added: payment reply: ", "fields-added: backoffice reply: ", "fields-added: status reply: "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("no %q in:\n%s", want, tail(r.stdout))
			}
		}
		if ch := readChanges(t, dir); len(ch.FieldsAdded[twin.ReplyPayment]) == 0 || len(ch.FieldsRemoved) != 0 {
			t.Errorf("certification.json changes: %+v", ch)
		}
		html, _ := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
		if !strings.Contains(string(html), "fields-added: payment reply") {
			t.Error("index.html lacks the changes")
		}
	})
	t.Run("FAIL_ON_DRIFT fails the run on the kinds it names", func(t *testing.T) {
		r := runAgainst(t, driftLabels, filepath.Join(tmp, "extra-fail"), base,
			map[string]string{"OPPWA_SANDBOX_DEFECTS": "tolerate-extra-fields", "FAIL_ON_DRIFT": "fields-removed,fields-added"})
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != outcome.ExitContract || len(lines) != 1 || !strings.Contains(lines[0], "FAIL_ON_DRIFT") || !strings.Contains(lines[0], "fields-added") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("an unknown FAIL_ON_DRIFT kind is a configuration error", func(t *testing.T) {
		r := runAgainst(t, driftLabels, filepath.Join(tmp, "bogus"), base, map[string]string{"FAIL_ON_DRIFT": "fields-gone"})
		if r.code != outcome.ExitConfig || !strings.Contains(r.stderr, `"fields-gone"`) || !strings.Contains(r.stderr, "fields-removed") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("slower flows are listed", func(t *testing.T) {
		r := runAgainst(t, driftLabels, filepath.Join(tmp, "slow"), base, map[string]string{"OPPWA_SANDBOX_LATENCY": "300ms"})
		if r.code != 0 || !strings.Contains(r.stdout, "latency: flow ") {
			t.Fatalf("exit %d: %s", r.code, tail(r.stdout+r.stderr))
		}
	})
	t.Run("newly failing specs are listed, the run fails as it would", func(t *testing.T) {
		r := runAgainst(t, driftLabels, filepath.Join(tmp, "defect"), base, map[string]string{"OPPWA_SANDBOX_DEFECTS": "amount-wrong-value"})
		if r.code != outcome.ExitContract || !strings.Contains(r.stdout, "newly-failing: S2S-") {
			t.Fatalf("exit %d: %s", r.code, tail(r.stdout+r.stderr))
		}
	})
	t.Run("bad baselines are one line and the run goes on", func(t *testing.T) { badBaselines(t, tmp, base) })
}

// badBaselines makes a baseline of each bad kind from the good one at base.
func badBaselines(t *testing.T, tmp, base string) {
	fp, err := os.ReadFile(filepath.Join(base, reports.FingerprintFile))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := os.ReadFile(filepath.Join(base, reports.CertificationFile))
	mk := func(name string, files map[string][]byte) string {
		d := filepath.Join(tmp, name)
		_ = os.MkdirAll(d, 0o755)
		for f, b := range files {
			_ = os.WriteFile(filepath.Join(d, f), b, 0o644)
		}
		return d
	}
	other := strings.Replace(string(fp), `"embedded": true`, `"embedded": false`, 1)
	other = strings.Replace(other, `"host": "embedded sandbox"`, `"host": "eu-test.oppwa.com"`, 1)
	for name, tc := range map[string]struct{ path, want string }{
		"missing":        {filepath.Join(tmp, "nowhere"), "does not exist"},
		"unreadable":     {mk("garbled", map[string][]byte{reports.FingerprintFile: []byte("{garbled")}), "unreadable"},
		"another target": {mk("other", map[string][]byte{reports.FingerprintFile: []byte(other)}), "this run against the embedded sandbox"},
		"older format":   {mk("older", map[string][]byte{reports.CertificationFile: cert}), "older report format"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(tmp, "bad-"+strings.ReplaceAll(name, " ", "-"))
			r := runAgainst(t, driftLabels, dir, tc.path, nil)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 0 || !strings.Contains(r.stdout, "verdict: PASS") || len(lines) != 1 ||
				!strings.Contains(lines[0], "no comparison: baseline") || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, stderr %q (want one line with %q)\n%s", r.code, r.stderr, tc.want, tail(r.stdout))
			}
			if ch := readChanges(t, dir); ch.NoComparison != lines[0][len("oppwa-conformance: "):] {
				t.Errorf("the report says %q, the terminal %q", ch.NoComparison, lines[0])
			}
		})
	}
}

func TestRedirectShapeChangesAreListed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	tmp := t.TempDir()
	const labels = "!browser && brand:PAYPAL"
	base := filepath.Join(tmp, "base")
	if r := runAgainst(t, labels, base, "", nil); r.code != 0 {
		t.Fatalf("baseline run exit %d: %s", r.code, tail(r.stdout+r.stderr))
	}
	now := filepath.Join(tmp, "now")
	r := runAgainst(t, labels, now, base, map[string]string{"OPPWA_SANDBOX_DEFECTS": "tolerate-no-redirect-method"})
	if r.code != 0 || !strings.Contains(r.stdout, "redirect: PAYPAL: method GET, parameters [ndcid, sessionToken] → method absent") {
		t.Fatalf("exit %d: %s", r.code, tail(r.stdout+r.stderr))
	}
	// The compare command says the same from the two directories.
	c := runRunner(t, nil, "compare", base, filepath.Join(now, reports.FingerprintFile))
	if c.code != 0 || !strings.Contains(c.stdout, "redirect: PAYPAL") || !strings.Contains(c.stdout, "fields-removed: payment reply: redirect.method") {
		t.Fatalf("compare exit %d: %s%s", c.code, c.stdout, c.stderr)
	}
	c = runRunner(t, map[string]string{"FAIL_ON_DRIFT": "redirect"}, "compare", base, now)
	if c.code != outcome.ExitContract || !strings.Contains(c.stderr, "FAIL_ON_DRIFT") {
		t.Fatalf("compare with FAIL_ON_DRIFT exit %d: %s", c.code, c.stderr)
	}
	c = runRunner(t, nil, "compare", filepath.Join(tmp, "first-night"), now)
	if c.code != 0 || strings.TrimSpace(c.stderr) != "oppwa-conformance: no comparison: baseline "+filepath.Join(tmp, "first-night")+" does not exist" {
		t.Fatalf("compare without a baseline exit %d: %q", c.code, c.stderr)
	}
}
