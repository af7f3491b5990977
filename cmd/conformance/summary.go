package main

import (
	"context"
	"fmt"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// runSummary prints a report's verdict, counts, capabilities, failures, changes and
// last nights as Markdown, for a CI job summary: conformance summary DIR (a report
// directory or its certification.json). It exits 0 whatever the verdict, which the
// run or merge before it has already given; a report it cannot read is one line and
// exit 3.
func runSummary(_ context.Context, args []string) error {
	fs := newFlagSet("summary")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitError{outcome.ExitConfig, "summary needs one report: conformance summary DIR (a report directory or its certification.json)"}
	}
	c, err := loadCertification(fs.Arg(0))
	if err != nil {
		return &exitError{outcome.ExitConfig, "summary: " + err.Error()}
	}
	fmt.Print(c.Markdown())
	return nil
}
