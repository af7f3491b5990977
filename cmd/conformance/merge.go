package main

import (
	"context"
	"fmt"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// runMerge merges the reports of sharded CI jobs into one JUnit, one JSON and one
// HTML report: conformance merge -o reports/latest shard-1/report.json shard-2/report.json
func runMerge(_ context.Context, args []string) error {
	fs := newFlagSet("merge")
	out := fs.String("o", "reports/latest", "directory of the merged reports")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &exitError{outcome.ExitConfig, "merge needs each shard's report.json: conformance merge -o DIR shard-1/report.json shard-2/report.json"}
	}
	if err := reports.Merge(*out, fs.Args()); err != nil {
		return &exitError{outcome.ExitEnvironment, err.Error()}
	}
	sum, err := readSummary(*out + "/report.json")
	if err != nil {
		return &exitError{outcome.ExitEnvironment, err.Error()}
	}
	sum.reportDir = *out
	fmt.Printf("merged %d shard reports\n", fs.NArg())
	return sum.exit()
}
