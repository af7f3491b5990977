package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// runner builds this command once, so the tests run it the way make does.
var runner = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "oppwa-runner-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "conformance")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

type result struct {
	code           outcome.ExitCode
	stdout, stderr string
}

// runRunner runs the runner from the module root with a clean target environment
// plus env.
func runRunner(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	bin, err := runner()
	if err != nil {
		t.Fatalf("build runner: %v", err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "OPPWA_ENV_FILE=/dev/null")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err = cmd.Run()
	code := outcome.ExitPass
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = outcome.ExitCode(ee.ExitCode())
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, so.String(), se.String()}
}

func TestBadInputIsOneLineNamingTheFixAndKeepsTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the runner")
	}
	tmp := t.TempDir()
	badEnv := filepath.Join(tmp, "bad.env")
	_ = os.WriteFile(badEnv, []byte("OPPWA_CURRENCY=EUR\nOPPWA_BRANDS='VISA\n"), 0o644)
	aFile := filepath.Join(tmp, "a-file")
	_ = os.WriteFile(aFile, []byte("x"), 0o644)
	real := map[string]string{"OPPWA_BASE_URL": "https://eu-test.oppwa.com/", "OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "x-test-token", "OPPWA_BRANDS": "VISA"}
	// The standalone sandbox stands in for a real account: it refuses a wrong token as
	// the platform does.
	srv, err := sandbox.Start(t.Context(), "127.0.0.1:0", sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range real {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		code outcome.ExitCode
		want string
		args []string
	}{
		"wrong token":           {with("OPPWA_BASE_URL", srv.URL, "OPPWA_ACCESS_TOKEN", "x-test-token"), outcome.ExitConfig, "the platform refused OPPWA_ENTITY_ID and OPPWA_ACCESS_TOKEN (HTTP 40", nil},
		"base URL with a path":  {with("OPPWA_BASE_URL", strings.TrimSuffix(srv.URL, "/")+"/v1/"), outcome.ExitConfig, "has a path (/v1/)", nil},
		"plain http":            {with("OPPWA_BASE_URL", "http://eu-test.oppwa.com/"), outcome.ExitConfig, "travel unencrypted: use https://eu-test.oppwa.com/", nil},
		"malformed LABELS":      {map[string]string{}, outcome.ExitConfig, "is not a label filter", []string{"-labels", "sync &&"}},
		"stray argument":        {map[string]string{}, outcome.ExitConfig, "takes no argument", []string{"sync", "&&", "brand:VISA"}},
		"misspelt brand label":  {map[string]string{}, outcome.ExitConfig, "brand:VISSA, which is no documented brand", []string{"-labels", "brand:VISSA"}},
		"misspelt flow label":   {map[string]string{}, outcome.ExitConfig, "flow:pa, which no spec carries", []string{"-labels", "flow:pa || flow:DB"}},
		"bad shard":             {map[string]string{}, outcome.ExitConfig, "SHARD (-shard)", []string{"-shard", "3/2"}},
		"unknown defect mode":   {map[string]string{"OPPWA_SANDBOX_DEFECTS": "no-such-mode"}, outcome.ExitConfig, `unknown mode "no-such-mode"`, nil},
		"missing token":         {with("OPPWA_ACCESS_TOKEN", ""), outcome.ExitConfig, "OPPWA_ACCESS_TOKEN is empty", nil},
		"missing entity":        {with("OPPWA_ENTITY_ID", ""), outcome.ExitConfig, "OPPWA_ENTITY_ID is empty", nil},
		"malformed base URL":    {with("OPPWA_BASE_URL", "eu-test.oppwa.com"), outcome.ExitConfig, "not an absolute http(s) URL", nil},
		"production host":       {with("OPPWA_BASE_URL", "https://eu-prod.oppwa.com/"), outcome.ExitConfig, "OPPWA_ALLOW_LIVE=yes", nil},
		"unreachable host":      {with("OPPWA_BASE_URL", "http://127.0.0.1:1/"), outcome.ExitEnvironment, "cannot reach 127.0.0.1:1", nil},
		"unknown brand":         {map[string]string{"OPPWA_BRANDS": "VISA,NOPE"}, outcome.ExitConfig, `unknown brand "NOPE"`, nil},
		"invalid currency":      {map[string]string{"OPPWA_CURRENCY": "EURO"}, outcome.ExitConfig, "OPPWA_CURRENCY", nil},
		"malformed .env line":   {map[string]string{"OPPWA_ENV_FILE": badEnv}, outcome.ExitConfig, "cannot be read", nil},
		"unwritable report dir": {map[string]string{"OPPWA_REPORT_DIR": filepath.Join(aFile, "reports")}, outcome.ExitConfig, "OPPWA_REPORT_DIR", nil},
		"chromium missing":      {map[string]string{"CHROME_BIN": "/nonexistent/chromium"}, outcome.ExitConfig, `CHROME_BIN="/nonexistent/chromium" is not an executable program`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(tmp, strings.ReplaceAll(name, " ", "-"))
			_ = os.MkdirAll(dir, 0o755)
			kept := filepath.Join(dir, "index.html")
			_ = os.WriteFile(kept, []byte("earlier report"), 0o644)
			if _, ok := tc.env["OPPWA_REPORT_DIR"]; !ok {
				tc.env["OPPWA_REPORT_DIR"] = dir
			}
			r := runRunner(t, tc.env, append([]string{"run"}, tc.args...)...)
			if tc.code == outcome.ExitConfig && strings.Contains(r.stdout, "Ginkgo") {
				t.Fatalf("a configuration mistake ran the suites: %s", tail(r.stdout))
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != tc.code || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || !strings.HasPrefix(lines[0], "oppwa-conformance: ") {
				t.Fatalf("exit %d (want %d), stderr %q (want one line with %q)", r.code, tc.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr+r.stdout, "goroutine ") || strings.Contains(r.stderr+r.stdout, "panic") {
				t.Fatalf("panic trace in output: %s", r.stderr)
			}
			if strings.Contains(r.stderr+r.stdout, "x-test-token") {
				t.Fatal("the token was printed")
			}
			if b, _ := os.ReadFile(kept); string(b) != "earlier report" {
				t.Fatal("the earlier report was lost")
			}
		})
	}
}

// A brand or flow a filter names must exist; a regular expression between slashes
// names none, whatever it spells.
func TestLabelNamesAreCheckedOutsideRegularExpressions(t *testing.T) {
	for labels, want := range map[string]string{
		"brand:VISA && flow:PA":         "",
		"/brand:VIS.*/":                 "",
		"sync && !/flow:async-.*/":      "",
		"/brand:VIS.*/ && brand:VISSA":  "brand:VISSA, which is no documented brand",
		"brand:VISSA || /brand:VISA/":   "brand:VISSA, which is no documented brand",
		"/brand:PAY.*/ || flow:pa":      "flow:pa, which no spec carries",
		"/flow:PA/ && /brand:MASTER.*/": "",
	} {
		err := runOptions{labels: labels}.check()
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("-labels %q: got %v, want %q", labels, err, want)
		}
	}
}

// -h answers every command with its usage and exit 0; a flag before the command
// names the command it belongs after.
func TestHelpOnEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runner")
	}
	for _, name := range commandNames {
		if r := runRunner(t, nil, name, "-h"); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "usage: conformance "+name) {
			t.Errorf("%s -h: exit %d, output %q", name, r.code, r.stdout+r.stderr)
		}
	}
	if r := runRunner(t, nil, "-h"); r.code != 0 || !strings.Contains(r.stdout, "conformance run") {
		t.Errorf("-h: exit %d, output %q", r.code, r.stdout)
	}
	if r := runRunner(t, nil, "-labels", "x"); r.code != outcome.ExitConfig || !strings.Contains(r.stderr, "./conformance run -labels x") {
		t.Errorf("-labels x: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestChromiumThatDoesNotStartIsAnEnvironmentFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	dir := t.TempDir()
	r := runRunner(t, map[string]string{"CHROME_BIN": "/bin/false", "OPPWA_REPORT_DIR": dir}, "run", "-labels", "async && brand:PAYPAL")
	if r.code != outcome.ExitEnvironment || !strings.Contains(r.stdout, "environment:") {
		t.Fatalf("exit %d, stdout tail %q", r.code, tail(r.stdout))
	}
	for _, f := range []string{"index.html", "certification.json", "junit.xml", "report.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report %s not written: %v", f, err)
		}
	}
}

// TestReportsNeverCarryCardNumbersOrTheToken runs specs that send every kind of card
// data and searches everything they leave behind for each documented test card
// number and the access token.
func TestReportsNeverCarryCardNumbersOrTheToken(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	dir := t.TempDir()
	r := runRunner(t, map[string]string{"OPPWA_REPORT_DIR": dir}, "run",
		"-labels", "brand:VISA || brand:AMEX || brand:PAYPAL || 3ds || negative || backoffice || reporting")
	if r.code != 0 {
		t.Fatalf("run failed with exit %d: %s", r.code, tail(r.stdout))
	}
	c := fixtures.Load()
	secrets := []string{c.Credentials.AccessToken}
	for _, card := range c.Cards {
		secrets = append(secrets, card.Number)
	}
	files, masked := 0, false
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %s…", path, s[:6])
			}
		}
		// The card data must have been there, masked: otherwise this test proves nothing.
		masked = masked || bytes.Contains(b, []byte("420000******0000"))
		return nil
	})
	if err != nil || files < 4 || !masked {
		t.Fatalf("walked %d files (masked card seen: %v): %v", files, masked, err)
	}
	for _, s := range secrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("the run's output contains %s…", s[:6])
		}
	}
}

// TestFaultsDoNotChangeTheVerdict runs the API specs clean and again with a share of
// GETs answering 503 and 429 and added latency: every spec must end the same way,
// and the sandbox must hold no duplicate payment (checked by the suite's AfterSuite).
func TestFaultsDoNotChangeTheVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites twice")
	}
	labels := "!browser && (brand:VISA || backoffice || reporting || negative)"
	retried := regexp.MustCompile(`attempts\\?"\s*:\s*[2-9]`)
	states := func(env map[string]string) map[string]string {
		dir := t.TempDir()
		env["OPPWA_REPORT_DIR"] = dir
		r := runRunner(t, env, "run", "-labels", labels)
		if r.code != 0 {
			t.Fatalf("exit %d with %v: %s", r.code, env, tail(r.stdout))
		}
		var cert struct {
			Specs []struct{ ID, State string }
		}
		b, err := os.ReadFile(filepath.Join(dir, "certification.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &cert); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range cert.Specs {
			out[s.ID] = s.State
		}
		if _, faulty := env["OPPWA_SANDBOX_FAIL_503"]; faulty {
			// The faults must have been met and retried, or this test proves nothing.
			rj, _ := os.ReadFile(filepath.Join(dir, "report.json"))
			if !retried.Match(rj) {
				t.Fatal("no retried GET in the faulty run's transcripts")
			}
		}
		return out
	}
	clean := states(map[string]string{})
	// The random 503/429 shares are small so that five tries always get through; the
	// tolerated Retry-After mode adds about 30% of GETs answered 503 but never twice in
	// a row for one path, so that retries are certain to happen in every run.
	faulty := states(map[string]string{"OPPWA_SANDBOX_FAIL_503": "0.06", "OPPWA_SANDBOX_FAIL_429": "0.03",
		"OPPWA_SANDBOX_RETRY_AFTER": "1s", "OPPWA_SANDBOX_LATENCY": "10ms", "OPPWA_SANDBOX_DEFECTS": "tolerate-retry-after"})
	if len(clean) < 30 {
		t.Fatalf("only %d specs in the clean run", len(clean))
	}
	for id, st := range clean {
		if faulty[id] != st {
			t.Errorf("%s: %s clean, %s under faults", id, st, faulty[id])
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
