package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// runCompare prints what changed on the platform between two runs:
// conformance compare BASE NEW, each a report directory or a fingerprint.json. A
// baseline that cannot be compared (missing, unreadable, another target, an older
// report format) is one line on stderr, not a failure: the first night has none.
// Changes of the kinds FAIL_ON_DRIFT names exit 1, as reports.Judge decides.
func runCompare(_ context.Context, args []string) error {
	fs := newFlagSet("compare")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return &exitError{outcome.ExitConfig, "compare needs two reports: conformance compare BASE NEW (each a report directory or a fingerprint.json)"}
	}
	failOn, err := reports.ParseDriftKinds(os.Getenv("FAIL_ON_DRIFT"))
	if err != nil {
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	now, err := reports.LoadFingerprint(fs.Arg(1))
	if err != nil {
		return &exitError{outcome.ExitConfig, "compare: the new report " + err.Error()}
	}
	ch := reports.CompareWithBaseline(fs.Arg(0), now)
	ch.Failing = ch.FailingKinds(failOn)
	printChanges(ch)
	if len(ch.Failing) == 0 {
		return nil
	}
	// Only the drift is judged here; the run's own verdict is the run's (or merge's).
	_, reason, code := reports.Judge(reports.Counts{Drift: strings.Join(ch.Failing, ",")})
	return &exitError{code, reason}
}

// printChanges prints the changes since the baseline, one line each, or on stderr the
// one line saying why there was no comparison.
func printChanges(ch reports.Changes) {
	if ch.NoComparison != "" {
		fmt.Fprintln(os.Stderr, "oppwa-conformance: "+ch.NoComparison)
		return
	}
	lines := ch.Lines()
	if len(lines) == 0 {
		fmt.Printf("%s: nothing changed\n", ch.Title())
		return
	}
	fmt.Printf("%s:\n", ch.Title())
	for _, l := range lines {
		fmt.Println("  " + l)
	}
}

// withChanges takes the comparison with the baseline that the suites' report writer
// made into this run's certification.json, and lets reports.Judge count the drift
// FAIL_ON_DRIFT names. The runner reads the baseline no second time: a run may
// overwrite the very directory it compares with.
func withChanges(sum *summary, runID string) {
	b, err := os.ReadFile(filepath.Join(sum.reportDir, reports.CertificationFile))
	if err != nil {
		return
	}
	var c reports.Certification
	if json.Unmarshal(b, &c) != nil || c.Meta.RunID != runID || c.Changes == nil {
		return
	}
	sum.Changes = c.Changes
	sum.Counts.Drift = c.Counts.Drift
	sum.Rejudge()
}

// absPath makes a path given on the command line independent of the suites' working
// directory; "" stays "".
func absPath(p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", nil
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("-baseline %s: %w", p, err)
	}
	return a, nil
}
