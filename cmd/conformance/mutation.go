package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// How a mode's run holds the sandbox: to its exact answers (the default), or graded,
// only to what public evidence fixes, as a real account.
const (
	runExact  = "exact"
	runGraded = "graded"
)

type mutationRow struct {
	mode, run, expected, observed, caughtBy string
	ok                                      bool
	took                                    time.Duration
	sum                                     summary
}

// runMutation runs the suites once per defect and tolerated mode and twice per
// variation (graded, then exact), and prints whether each defect was caught, each
// tolerated change tolerated, and each variation met by specs that pass when graded.
func runMutation(ctx context.Context, args []string) error {
	if err := parseOnlyFlags(newFlagSet("mutation"), args); err != nil {
		return err
	}
	start := time.Now()
	modes := sandbox.DefectModes()
	sort.SliceStable(modes, func(i, j int) bool { return modeRank(modes[i]) < modeRank(modes[j]) })
	base, err := os.MkdirTemp("", "oppwa-mutation-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(base)
	binary, err := buildSuites(ctx, base)
	if err != nil {
		return err
	}
	var rows []mutationRow
	for _, m := range modes {
		var runs []mutationRow
		for _, run := range modeRuns(m) {
			row := runMode(ctx, m, run, binary, filepath.Join(base, m.Name+"-"+run))
			runs = append(runs, row)
			fmt.Fprintf(os.Stderr, "mutation %-30s %-6s expected %-4s observed %-4s (%s)\n", m.Name, run, row.expected, row.observed, row.took.Round(100*time.Millisecond))
		}
		if m.Variation {
			checkVariationMet(runs[0], &runs[1])
		}
		rows = append(rows, runs...)
	}
	bad := printMutationTable(rows)
	fmt.Printf("%d modes, %d runs in %s; %d not as expected\n", len(modes), len(rows), time.Since(start).Round(time.Second), bad)
	if bad > 0 {
		return &exitError{outcome.ExitContract, fmt.Sprintf("%d mutation runs were not as expected: an undetected defect or unmet variation is a gap in the suites", bad)}
	}
	return nil
}

// modeRank orders the table: defects, tolerated modes, variations.
func modeRank(m sandbox.Mode) int {
	switch {
	case m.Tolerated:
		return 1
	case m.Variation:
		return 2
	}
	return 0
}

// modeRuns are the runs a mode needs: a variation must pass graded and, to prove the
// selected specs meet it, fail exact.
func modeRuns(m sandbox.Mode) []string {
	if m.Variation {
		return []string{runGraded, runExact}
	}
	return []string{runExact}
}

// buildSuites compiles the suites once, into dir (the run's own, so that other builds
// in the work tree cannot replace or remove it), for mutation, which runs them many
// times: compiling per run would triple its time.
func buildSuites(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return compileSuitesTo(ctx, root, filepath.Join(dir, "suites.test"), true)
}

// runMode runs the suites against the embedded sandbox started with one mode. A
// variation's runs leave simulator-only specs out, as a real account does.
func runMode(ctx context.Context, m sandbox.Mode, run, binary, reportDir string) mutationRow {
	// Each mode owns the filter of the specs that must react to it (sandbox/modes); a
	// mode without one fails its package's tests, and is a run not as expected here.
	filter := m.Filter
	if strings.TrimSpace(filter) == "" {
		return mutationRow{mode: m.Name, run: run, expected: "fail", observed: "no filter in sandbox/modes"}
	}
	if m.Variation {
		filter = andFilter(filter, "!simulator-only")
	}
	graded := ""
	if run == runGraded {
		graded = "yes"
	}
	env := []string{"OPPWA_SANDBOX_DEFECTS=" + m.Name, "OPPWA_SANDBOX_GRADED=" + graded,
		"OPPWA_BASE_URL=", "OPPWA_ENV_FILE=/dev/null", "OPPWA_BRANDS="}
	t0 := time.Now()
	sum, err := suiteRun(ctx, runOptions{labels: filter, reportDir: reportDir, quiet: true, binary: binary, extraEnv: env})
	row := mutationRow{mode: m.Name, run: run, expected: "fail", took: time.Since(t0), sum: sum}
	mustPass := m.Tolerated || run == runGraded
	if mustPass {
		row.expected = "pass"
	}
	switch {
	case err != nil:
		row.observed = "error: " + err.Error()
	case sum.ExitCode == outcome.ExitEnvironment:
		row.observed = "environment failure"
		row.caughtBy = failedIDs(sum.Certification, outcome.Environment)
	case sum.ExitCode == outcome.ExitContract:
		row.observed = "fail"
		row.caughtBy = failedIDs(sum.Certification, outcome.Contract)
		row.ok = !mustPass
	case sum.ExitCode == outcome.ExitConfig:
		row.observed = "nothing ran"
	default:
		row.observed = "pass"
		row.ok = mustPass
		if n := observations(sum.Certification); n > 0 {
			row.caughtBy = fmt.Sprintf("%d observation(s)", n)
		}
	}
	return row
}

// checkVariationMet requires, beside the graded pass, that some spec the exact run
// turned red passed in the graded run: that spec met the variation and accepted it.
// Otherwise the exact row is marked not as expected, naming why.
func checkVariationMet(graded mutationRow, exact *mutationRow) {
	if exact.observed == "pass" {
		exact.caughtBy = "no spec turned red: the exact specs accept the variation too"
	}
	if !graded.ok || !exact.ok {
		return
	}
	passed := map[string]bool{}
	for _, sp := range graded.sum.Specs {
		if sp.State == "passed" {
			passed[specName(sp)] = true
		}
	}
	for _, sp := range exact.sum.Specs {
		if sp.FailureKind == outcome.Contract && passed[specName(sp)] {
			return
		}
	}
	exact.ok = false
	exact.caughtBy = "no spec red here passed graded: " + exact.caughtBy
}

// printMutationTable prints the rows, then the failures of every run not as expected,
// and returns how many runs were not as expected.
func printMutationTable(rows []mutationRow) (bad int) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MODE\tRUN\tEXPECTED\tOBSERVED\tOK\tCAUGHT BY")
	for _, r := range rows {
		ok := "yes"
		if !r.ok {
			ok = "NO"
			bad++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.mode, r.run, r.expected, r.observed, ok, r.caughtBy)
	}
	_ = w.Flush()
	for _, r := range rows {
		if r.ok || r.expected != "pass" {
			continue
		}
		for _, sp := range r.sum.Specs {
			if sp.FailureKind != "" {
				fmt.Printf("  %s (%s) %s: %s\n", r.mode, r.run, specName(sp), oneLine(sp.Message))
			}
		}
	}
	return bad
}

// failedIDs names the specs that failed with kind, by conformance ID, three at most.
func failedIDs(c reports.Certification, kind outcome.Kind) string {
	var ids []string
	for _, sp := range c.Specs {
		if sp.FailureKind == kind {
			ids = append(ids, specName(sp))
		}
	}
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + fmt.Sprintf(" (+%d)", len(ids)-3)
	}
	return strings.Join(ids, ", ")
}
