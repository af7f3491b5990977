package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// runEntryPoint runs ./conformance, the command the README gives CI jobs, against the
// embedded sandbox with env, and returns its exit code and output.
func runEntryPoint(t *testing.T, env map[string]string, args ...string) (outcome.ExitCode, string) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "conformance"), args...)
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "OPPWA_ENV_FILE=/dev/null")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return outcome.ExitCode(cmd.ProcessState.ExitCode()), string(out)
}

func readCertification(t *testing.T, dir string) reports.Certification {
	t.Helper()
	var c reports.Certification
	b, err := os.ReadFile(filepath.Join(dir, reports.CertificationFile))
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A broken promise is a FAIL whatever else happened: one contract failure beside one
// environment failure is FAIL, exit 1, in the terminal, certification.json and index.html.
func TestContractAndEnvironmentFailureIsOneFailEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	dir := t.TempDir()
	code, out := runEntryPoint(t, map[string]string{
		"OPPWA_REPORT_DIR": dir,
		// S2S-PA-VISA only POSTs a PA: the defect breaks it. S2S-REP-002 pays by DB and needs GETs, which
		// all answer 503: an environment failure.
		"OPPWA_SANDBOX_DEFECTS": "payment-type-swapped", "OPPWA_SANDBOX_FAIL_503": "1", "OPPWA_SANDBOX_RETRY_AFTER": "0s",
	}, "run", "-labels", "id:S2S-PA-VISA || id:S2S-REP-002")
	c := readCertification(t, dir)
	html, _ := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
	if code != outcome.ExitContract || c.Verdict != reports.VerdictFail || c.ExitCode != outcome.ExitContract {
		t.Fatalf("exit %d, certification %s/%d; want FAIL/1\n%s", code, c.Verdict, c.ExitCode, tail(out))
	}
	if c.Counts.Contract != 1 || c.Counts.Environment != 1 {
		t.Fatalf("counts %+v, want one contract and one environment failure", c.Counts)
	}
	for _, want := range []string{"verdict: FAIL", "contract:    S2S-PA-VISA", "environment: S2S-REP-002"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal lacks %q:\n%s", want, tail(out))
		}
	}
	if !strings.Contains(string(html), `<span class="v">FAIL</span>`) {
		t.Error("index.html does not show FAIL")
	}
}

// A 503 storm is the environment's failure: the transaction-report specs must not turn
// it into contract failures such as an empty report.
func TestUnavailablePlatformGivesEnvironmentFailuresOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	dir := t.TempDir()
	code, out := runEntryPoint(t, map[string]string{"OPPWA_REPORT_DIR": dir,
		"OPPWA_SANDBOX_FAIL_503": "1", "OPPWA_SANDBOX_RETRY_AFTER": "0s"}, "run", "-labels", "reporting && !browser")
	c := readCertification(t, dir)
	if code != outcome.ExitEnvironment || c.Counts.Contract != 0 || c.Counts.Environment == 0 {
		t.Fatalf("exit %d, counts %+v; want environment failures only, exit 2\n%s", code, c.Counts, tail(out))
	}
	for _, s := range c.Specs {
		if s.FailureKind == outcome.Environment && !strings.Contains(s.Message, "HTTP 503") {
			t.Errorf("%s: the failure does not name the unavailable call: %s", s.ID, s.Message)
		}
	}
}

// The realistic pages lack the controls simulator-only specs need, as a real platform
// does: those specs are left out unless named.
func TestRealisticPagesLeaveSimulatorOnlyOut(t *testing.T) {
	for _, c := range []struct {
		pages, labels, want string
	}{
		{"", "async", "async"},
		{"realistic", "async", "(async) && !simulator-only"},
		{"realistic", "simulator-only", "simulator-only"},
	} {
		_, filter, err := ginkgoArgs(runOptions{labels: c.labels, binary: "suites.test"}, config.Target{SandboxPages: c.pages}, t.TempDir(), nil)
		if err != nil || filter != c.want {
			t.Errorf("pages %q labels %q: filter %q %v, want %q", c.pages, c.labels, filter, err, c.want)
		}
	}
}
