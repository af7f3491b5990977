package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// mutationFilters names, per sandbox mode, the specs that must react to it. Filtering
// keeps `make mutation` fast; a mode missing here runs against broadFilter.
var mutationFilters = map[string]string{
	"sync-success-wrong-group":     "flow:PA && brand:VISA",
	"sync-answers-pending":         "flow:DB && brand:VISA",
	"id-malformed":                 "flow:PA && brand:VISA",
	"id-missing":                   "flow:PA && brand:VISA",
	"amount-not-two-decimals":      "flow:PA && brand:VISA",
	"amount-wrong-value":           "flow:PA && brand:VISA",
	"currency-wrong":               "flow:PA && brand:VISA",
	"payment-type-swapped":         "flow:PA && brand:VISA",
	"brand-wrong":                  "flow:PA && brand:VISA",
	"pan-echoed":                   "flow:PA && brand:VISA",
	"redirect-no-url":              "flow:workflow && brand:PAYPAL",
	"redirect-params-dropped":      "async && (brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY)",
	"return-no-id":                 "async && brand:PAYPAL",
	"return-no-resource-path":      "async && brand:PAYPAL",
	"return-wrong-resource-path":   "async && brand:PAYPAL",
	"status-stuck-pending":         "async && brand:PAYPAL",
	"status-other-payment":         "flow:CP",
	"capture-no-new-id":            "flow:CP",
	"capture-ignores-amount":       "flow:CP",
	"refund-above-volume-accepted": "flow:RF",
	"reversal-leaves-capturable":   "flow:RV",
	"bad-token-accepted":           "negative && auth",
	"cross-entity-readable":        "negative && auth",
	"decline-as-success":           "negative && !browser",
	"param-errors-missing":         "negative && format",
}

// broadFilter is what tolerated changes run against: every kind of flow for a few
// brands, so an over-strict check anywhere would show.
const broadFilter = "brand:VISA || brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY || brand:DIRECTDEBIT_SEPA || backoffice || negative || flow:CP || 3ds"

type mutationRow struct {
	mode, expected, observed, caughtBy string
	ok                                 bool
	took                               time.Duration
}

// runMutation runs the suites once per sandbox mode and prints whether each defect
// was caught and each tolerated change tolerated.
func runMutation(ctx context.Context, args []string) error {
	start := time.Now()
	modes := sandbox.DefectModes()
	sort.SliceStable(modes, func(i, j int) bool { return !modes[i].Tolerated && modes[j].Tolerated })
	base, err := os.MkdirTemp("", "oppwa-mutation-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(base)
	binary, err := buildSuites(ctx)
	if err != nil {
		return err
	}
	defer os.Remove(binary)
	var rows []mutationRow
	for _, m := range modes {
		row := runMode(ctx, m, binary, filepath.Join(base, m.Name))
		rows = append(rows, row)
		fmt.Fprintf(os.Stderr, "mutation %-30s expected %-4s observed %-4s (%s)\n", m.Name, row.expected, row.observed, row.took.Round(100*time.Millisecond))
	}
	bad := printMutationTable(rows)
	fmt.Printf("%d modes in %s; %d not as expected\n", len(rows), time.Since(start).Round(time.Second), bad)
	if bad > 0 {
		return &exitError{exitContract, fmt.Sprintf("%d mutation modes were not as expected: an undetected defect is a gap in the suites", bad)}
	}
	return nil
}

// buildSuites compiles the suites once; compiling per mode would triple the run time.
func buildSuites(ctx context.Context) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	build := exec.CommandContext(ctx, "go", "tool", "ginkgo", "build", "./suites")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", &exitError{exitEnvironment, fmt.Sprintf("build the suites: %v: %s", err, oneLine(string(out)))}
	}
	return filepath.Join(root, "suites", "suites.test"), nil
}

// runMode runs the suites against the embedded sandbox started with one mode.
func runMode(ctx context.Context, m sandbox.Mode, binary, reportDir string) mutationRow {
	filter := mutationFilters[m.Name]
	if filter == "" || m.Tolerated {
		filter = broadFilter
	}
	t0 := time.Now()
	sum, err := suiteRun(ctx, runOptions{
		labels: filter, reportDir: reportDir, quiet: true, binary: binary,
		extraEnv: []string{"OPPWA_SANDBOX_DEFECTS=" + m.Name, "OPPWA_BASE_URL=", "OPPWA_ENV_FILE=/dev/null", "OPPWA_BRANDS="},
	})
	row := mutationRow{mode: m.Name, expected: "fail", took: time.Since(t0)}
	if m.Tolerated {
		row.expected = "pass"
	}
	switch {
	case err != nil:
		row.observed = "error: " + err.Error()
	case sum.ExitCode == exitEnvironment:
		row.observed = "environment failure"
		row.caughtBy = failedIDs(sum.Certification, reports.FailureEnvironment)
	case sum.ExitCode == exitContract:
		row.observed = "fail"
		row.caughtBy = failedIDs(sum.Certification, reports.FailureContract)
		row.ok = !m.Tolerated
	case sum.ExitCode == exitConfig:
		row.observed = "nothing ran"
	default:
		row.observed = "pass"
		row.ok = m.Tolerated
	}
	return row
}

// printMutationTable prints the rows and returns how many were not as expected.
func printMutationTable(rows []mutationRow) (bad int) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MODE\tEXPECTED\tOBSERVED\tOK\tCAUGHT BY")
	for _, r := range rows {
		ok := "yes"
		if !r.ok {
			ok = "NO"
			bad++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.mode, r.expected, r.observed, ok, r.caughtBy)
	}
	_ = w.Flush()
	return bad
}

// failedIDs names the specs that failed with kind, by conformance ID, three at most.
func failedIDs(c reports.Certification, kind string) string {
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
