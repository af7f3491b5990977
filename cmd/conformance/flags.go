package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// synopses are the commands' usage lines, for -h and for a mistyped command line.
var synopses = map[string]string{
	"run":             "run [-labels FILTER] [-procs N] [-shard I/N] [-baseline DIR]   run the suites against the configured target",
	"discover":        "discover   which brands and capabilities the configured account has, as a .env block",
	"mutation":        "mutation   prove the suites catch every sandbox defect and tolerate allowed change",
	"catalogue":       "catalogue -o CATALOGUE.md   write the conformance catalogue",
	"bench":           "bench -o reports/bench.json   benchmarks: flow latencies, full-run wall time",
	"merge":           "merge [-baseline DIR] -o DIR shard-1/report.json shard-2/report.json   merge sharded reports (compared with the baseline, its history carried)",
	"compare":         "compare BASE NEW   what changed on the platform between two runs",
	"summary":         "summary DIR   a report's verdict, not verified, changes and last nights as Markdown (a CI job summary)",
	"browser":         "browser [run's flags]   check a run's setup, then print the browser it would start (exit 4: none installed)",
	"webhook-decrypt": "webhook-decrypt -iv HEX -tag HEX [-key HEX] [BODY_FILE]   print a captured notification",
}

// usage is the whole command list, for conformance -h.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: conformance COMMAND [flags]   (exit 0 pass, 1 contract failure, 2 environment, 3 configuration)\n")
	for _, name := range commandNames {
		fmt.Fprintf(&b, "  conformance %s\n", synopses[name])
	}
	return b.String()
}

// newFlagSet is a command's flag set: -h prints the command's usage and its flags.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: conformance %s\n", synopses[name])
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args: -h is an answer (exit 0), any other mistake a
// configuration error whose line the flag package has already printed.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return &exitError{outcome.ExitPass, ""}
	case err != nil:
		return &exitError{outcome.ExitConfig, ""}
	}
	return nil
}

// parseOnlyFlags is parseFlags for a command that takes no arguments besides its
// flags: a stray word is a mistake (a label filter with spaces but no quotes, most
// often), not something to ignore.
func parseOnlyFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("conformance %s takes no argument %q: quote a value with spaces, e.g. -labels 'sync && brand:VISA' (conformance %s -h lists the flags)", fs.Name(), fs.Arg(0), fs.Name())}
	}
	return nil
}

// helpRequested reports whether args ask for help rather than a command.
func helpRequested(args []string) bool {
	return len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help")
}

func printUsage() { fmt.Fprint(os.Stdout, usage()) }
