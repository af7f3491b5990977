package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// runMerge merges the reports of sharded CI jobs into one JUnit, one JSON and one
// HTML report: conformance merge [-baseline DIR] -o reports/latest shard-1/report.json
// shard-2/report.json. With a baseline the merged report carries the changes since
// it and its history, as a run's does, and FAIL_ON_DRIFT's kinds fail the merge.
func runMerge(_ context.Context, args []string) error {
	fs := newFlagSet("merge")
	out := fs.String("o", "reports/latest", "directory of the merged reports")
	baseline := fs.String("baseline", "", "report directory or fingerprint.json of an earlier run to compare with and carry the history of")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &exitError{outcome.ExitConfig, "merge needs each shard's report.json: conformance merge -o DIR shard-1/report.json shard-2/report.json"}
	}
	failOn, err := reports.ParseDriftKinds(os.Getenv("FAIL_ON_DRIFT"))
	if err != nil {
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	base, err := absPath(*baseline)
	if err != nil {
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	if err := reports.Merge(*out, fs.Args(), reports.MergeOptions{Baseline: base, FailOnDrift: failOn}); err != nil {
		return &exitError{outcome.ExitEnvironment, err.Error()}
	}
	c, err := loadCertification(*out)
	if err != nil {
		return &exitError{outcome.ExitEnvironment, err.Error()}
	}
	fmt.Printf("merged %d shard reports\n", fs.NArg())
	// The verdict is the merged certification's, drift included (reports.Judge).
	return summary{Certification: c, reportDir: *out}.exit()
}

// loadCertification reads certification.json from a report directory or the file
// itself; its error names the path in one line.
func loadCertification(path string) (reports.Certification, error) {
	var c reports.Certification
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, reports.CertificationFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("no report at %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s is not a certification report: %w", path, err)
	}
	if c.Verdict == "" {
		return c, fmt.Errorf("%s is not a certification report: it has no verdict", path)
	}
	return c, nil
}
