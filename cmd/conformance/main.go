// Command conformance runs the OPPWA conformance suites: it checks the configuration
// and the environment first, runs the Ginkgo suites, and turns the outcome into a
// verdict and an exit code that tells contract failures from environment failures.
//
//	conformance run [-labels FILTER] [-procs N] [-shard I/N]
//	conformance mutation
//	conformance catalogue -o CATALOGUE.md
//	conformance bench -o reports/bench.json
//	conformance merge -o reports/latest shard-1/report.json shard-2/report.json
//	conformance merge -baseline reports/previous -o reports/latest shard-*/report.json
//	conformance compare BASE NEW  (what changed on the platform between two runs)
//	conformance summary DIR  (a report as Markdown, for a CI job summary)
//	conformance browser   (prints the browser binary a run would start)
//	conformance webhook-decrypt -iv HEX -tag HEX [-key HEX] [BODY_FILE]  (prints a captured notification)
//	conformance discover  (which brands and capabilities the configured account has, as a .env block)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// exitError carries an exit code with its one-line message.
type exitError struct {
	code outcome.ExitCode
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:])
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "oppwa-conformance: "+ee.msg)
		}
		os.Exit(int(ee.code))
	}
	// An error no command gave a code stopped the runner itself (a report it could not
	// read or write): the contract is unverified, as after an environment failure.
	fmt.Fprintln(os.Stderr, "oppwa-conformance: "+err.Error())
	os.Exit(int(outcome.ExitEnvironment))
}

// commands is the one table of the runner's commands.
var commands = map[string]func(context.Context, []string) error{
	"run": runSuites, "discover": runDiscover, "mutation": runMutation, "catalogue": runCatalogue,
	"bench": runBench, "merge": runMerge, "compare": runCompare, "browser": runBrowser,
	"webhook-decrypt": runWebhookDecrypt, "summary": runSummary,
}

// commandNames orders the commands for the usage text.
var commandNames = []string{"run", "discover", "mutation", "catalogue", "bench", "merge", "compare", "summary", "browser", "webhook-decrypt"}

const commandList = "run, discover, mutation, catalogue, bench, merge, compare, summary, browser or webhook-decrypt"

func run(ctx context.Context, args []string) error {
	switch {
	case len(args) == 0:
		return &exitError{outcome.ExitConfig, "missing command: use " + commandList + " (conformance -h lists them)"}
	case helpRequested(args):
		printUsage()
		return nil
	case strings.HasPrefix(args[0], "-"):
		// The flags belong to a command: most often run's.
		return &exitError{outcome.ExitConfig, fmt.Sprintf("flag %s before a command: flags follow the command, e.g. ./conformance run %s", args[0], strings.Join(args, " "))}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("unknown command %q: use %s (conformance -h lists them)", args[0], commandList)}
	}
	if err := fixtures.Check(); err != nil {
		// An edited fixture file that does not parse: one line naming it, before any
		// command reads the contract (and would panic on it).
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	return cmd(ctx, args[1:])
}
