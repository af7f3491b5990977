package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// nightlyLabels keep each shard of the nightly test to a few seconds.
const nightlyLabels = "brand:VISA && !browser"

// workflowStep is the ./conformance command of the nightly workflow's step that
// runs command, as arguments (the shell's redirection left off), so the test runs
// what the workflow runs.
func workflowStep(t *testing.T, command string) []string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	wf, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)run: \./conformance (` + command + ` [^>\n]*)`).FindSubmatch(wf)
	if m == nil {
		t.Fatalf("nightly.yml has no step running ./conformance %s", command)
	}
	return strings.Fields(string(m[1]))
}

// inWorkspace makes the step's reports/ paths those of the job's workspace ws,
// expanding globs as the job's shell does.
func inWorkspace(t *testing.T, ws string, args []string) []string {
	t.Helper()
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "reports/") {
			out = append(out, a)
			continue
		}
		p := filepath.Join(ws, a)
		if strings.Contains(a, "*") {
			matches, _ := filepath.Glob(p)
			if len(matches) == 0 {
				t.Fatalf("%s matches nothing", p)
			}
			out = append(out, matches...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// night runs one night of the workflow in the workspace ws: the two shards (as the
// shard jobs, their reports where download-artifact puts them), then the merge and
// summary steps. previous is the night before's reports/latest ("" the first night),
// put where the download step puts it.
func night(t *testing.T, ws, previous string, env map[string]string) (merge, summary result) {
	t.Helper()
	for _, shard := range []string{"1", "2"} {
		e := map[string]string{"OPPWA_REPORT_DIR": filepath.Join(ws, "reports", "reports-shard-"+shard), "FAIL_ON_DRIFT": ""}
		for k, v := range env {
			e[k] = v
		}
		runRunner(t, e, "run", "-shard", shard+"/2", "-labels", nightlyLabels)
	}
	if previous != "" {
		if err := os.CopyFS(filepath.Join(ws, "reports", "previous"), os.DirFS(previous)); err != nil {
			t.Fatal(err)
		}
	}
	merge = runRunner(t, map[string]string{"FAIL_ON_DRIFT": ""}, inWorkspace(t, ws, workflowStep(t, "merge"))...)
	summary = runRunner(t, nil, inWorkspace(t, ws, workflowStep(t, "summary"))...)
	return merge, summary
}

// The nightly's merge job on two nights, each sharded 1/2 and 2/2: a failing night
// (a defect of the embedded sandbox), then a passing one compared with it.
func TestNightlyComparesWithTheFailedNightAndCarriesTheHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites four times")
	}
	tmp := t.TempDir()
	ws1, ws2 := filepath.Join(tmp, "night-1"), filepath.Join(tmp, "night-2")
	m, s := night(t, ws1, "", map[string]string{"OPPWA_SANDBOX_DEFECTS": "decline-as-success"})
	if m.code != outcome.ExitContract || !strings.Contains(m.stderr, "no comparison: baseline") || !strings.Contains(m.stderr, "does not exist") {
		t.Fatalf("night 1 merge: exit %d, stderr %q", m.code, m.stderr)
	}
	if s.code != 0 || !strings.Contains(s.stdout, "## OPPWA conformance: ❌ FAIL") {
		t.Fatalf("night 1 summary: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}
	latest1 := filepath.Join(ws1, "reports", "latest")
	failed := readCertification(t, latest1)
	m, s = night(t, ws2, latest1, nil)
	t.Logf("night 2 summary:\n%s", s.stdout)
	if m.code != 0 || !strings.Contains(m.stdout, "newly-passing: S2S-") {
		t.Fatalf("night 2 merge: exit %d\n%s%s", m.code, tail(m.stdout), m.stderr)
	}
	latest2 := filepath.Join(ws2, "reports", "latest")
	c := readCertification(t, latest2)
	if c.Changes == nil || c.Changes.Baseline.RunID != failed.Meta.RunID || len(c.Changes.NewlyPassing) != failed.Counts.Contract {
		t.Fatalf("night 2 is not compared with the failed night %s: %+v", failed.Meta.RunID, c.Changes)
	}
	h := c.History
	if h == nil || len(h.Nights) != 2 || h.Nights[0].Verdict != reports.VerdictFail || h.Nights[1].Verdict != reports.VerdictPass ||
		!slices.Equal(h.Nights[0].Failing, c.Changes.NewlyPassing) || !slices.Contains(h.Nights[1].Drift, reports.DriftNewlyPassing) {
		t.Fatalf("history: %+v", h)
	}
	for _, want := range []string{"## OPPWA conformance: ✅ PASS", "| ran | passed | contract failures", "**Declared capabilities:**",
		"Kinds: `newly-passing`", "- `newly-passing: " + c.Changes.NewlyPassing[0] + "`", "### Last 2 night(s), oldest first", "❌ · "} {
		if !strings.Contains(s.stdout, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	html, _ := os.ReadFile(filepath.Join(latest2, reports.HTMLFile))
	row := `<a href="#` + h.Nights[0].Failing[0] + `">` + h.Nights[0].Failing[0] + `</a></th><td class="contract"`
	if !strings.Contains(string(html), `id="history"`) || !strings.Contains(string(html), row) {
		t.Errorf("index.html lacks the history strip with a row for %s", h.Nights[0].Failing[0])
	}

	// FAIL_ON_DRIFT still fails the night, through the merge's exit code.
	r := runRunner(t, map[string]string{"FAIL_ON_DRIFT": "newly-passing"}, inWorkspace(t, ws2, workflowStep(t, "merge"))...)
	if r.code != outcome.ExitContract || !strings.Contains(r.stderr, "FAIL_ON_DRIFT") {
		t.Errorf("merge with FAIL_ON_DRIFT: exit %d, stderr %q", r.code, r.stderr)
	}
	// A report that is not there is one line and exit 3.
	r = runRunner(t, nil, "summary", filepath.Join(tmp, "nowhere"))
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); r.code != outcome.ExitConfig || len(lines) != 1 || !strings.Contains(lines[0], "summary: no report at") {
		t.Errorf("summary of nothing: exit %d, stderr %q", r.code, r.stderr)
	}
}
