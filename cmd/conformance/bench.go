package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// bench measures the suite against its performance goals and shows where a browser
// spec's time goes. Goals are information, not a test: a goal that is not met still
// exits 0; a run that does not pass is an error, since its figures would mean nothing.
//
// The code is split by concern: bench.go (flags, report, figures), bench_goals.go
// (the repeated suite runs the goals are measured on), bench_flows.go (flows in
// process against an in-process sandbox) and bench_print.go (the table).

// benchOptions are bench's flags.
type benchOptions struct {
	out   string // where the JSON figures go, relative to the module root
	runs  int    // runs per goal figure; the median decides
	n     int    // measured async flows in process
	nSync int    // measured sync flows (PA, PA+CP) in process
	// The run with added API latency: API-only specs wait on the network, which
	// parallel processes can overlap; browser specs would measure CPU contention.
	latency, latLabels, latProcs string
}

// benchReport is what bench writes to -o. Durations are in milliseconds.
type benchReport struct {
	At      time.Time    `json:"at"`
	NumCPU  int          `json:"numCPU"`
	GOOS    string       `json:"goos"`
	Browser benchBrowser `json:"browser"`
	Runs    int          `json:"runsPerGoal"`
	Goals   []goalResult `json:"goals"`
	// BrowserSpecs is the distribution of the async browser specs' durations in the
	// full runs.
	BrowserSpecs latency `json:"browserSpecs"`
	// CPU is where the CPU time of the full runs and of the async browser runs
	// went, by process kind (the median of the rounds, figure by figure).
	CPU []cpuBudget `json:"cpuBudget"`
	// AsyncFlow is one async PAYPAL flow in process, part by part.
	AsyncFlow asyncBreakdown `json:"asyncFlow"`
	// Flows are the sync flows in process: syncPA, PA+CP.
	Flows map[string]latency `json:"flows"`
}

// benchBrowser is the Chromium the figures were taken with.
type benchBrowser struct {
	ExecPath string `json:"execPath"`
	Version  string `json:"version"`
}

// goalResult is one goal: the median of its runs against its target. Every goal is
// met when the median is at most the target.
type goalResult struct {
	Name   string    `json:"name"`
	Unit   string    `json:"unit"`
	Value  float64   `json:"value"`
	Target float64   `json:"target"`
	Met    bool      `json:"met"`
	Runs   []float64 `json:"runs"`
	Spread spread    `json:"spread"`
	// Note says what the figure was measured on, e.g. the number of specs.
	Note string `json:"note,omitempty"`
	// AtLeast marks a goal met when the median is at least the target (a ratio to
	// an anchor), not at most.
	AtLeast bool `json:"atLeast,omitempty"`
}

// spread is the range of a figure over its runs.
type spread struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// latency is a distribution of durations.
type latency struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50Ms"`
	P95Ms float64 `json:"p95Ms"`
}

// runBench measures the goals, then the flows in process, prints the table and
// writes the JSON figures.
func runBench(ctx context.Context, args []string) error {
	o, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "oppwa-bench-")
	if err != nil {
		return fmt.Errorf("bench: temporary directory: %w", err)
	}
	keep := false // a failed run's reports stay for the user to read
	defer func() {
		if !keep {
			_ = os.RemoveAll(tmp)
		}
	}()
	rep := benchReport{At: time.Now().UTC(), NumCPU: runtime.NumCPU(),
		GOOS: runtime.GOOS + "/" + runtime.GOARCH, Runs: o.runs}
	if err := measureGoals(ctx, &rep, o, tmp); err != nil {
		var failed *runFailedError
		keep = errors.As(err, &failed)
		return err
	}
	if err := measureFlows(ctx, &rep, o); err != nil {
		return err
	}
	rep.Goals = append(rep.Goals, playwrightGoal(ctx, root, &rep, o))
	printBench(os.Stdout, &rep)
	return writeBench(root, o.out, &rep)
}

// parseBenchFlags reads bench's command line.
func parseBenchFlags(args []string) (benchOptions, error) {
	fs := newFlagSet("bench")
	var o benchOptions
	fs.StringVar(&o.out, "o", "reports/bench.json", "where to write the JSON figures (relative to the module root)")
	fs.IntVar(&o.runs, "runs", 3, "runs per goal figure (the median decides)")
	fs.IntVar(&o.n, "n", 20, "async flows measured in process")
	fs.IntVar(&o.nSync, "n-sync", 100, "sync flows (PA, PA+CP) measured in process")
	fs.StringVar(&o.latency, "latency", "150ms", "API latency the embedded sandbox adds in the latency run")
	fs.StringVar(&o.latLabels, "latency-labels", "!browser && (backoffice || reporting || brand:VISA)", "label filter of the latency run")
	fs.StringVar(&o.latProcs, "latency-procs", "8", "Ginkgo processes of the latency run")
	if err := parseOnlyFlags(fs, args); err != nil {
		return o, err
	}
	if o.runs < 1 || o.n < 1 || o.nSync < 1 {
		return o, &exitError{outcome.ExitConfig, "bench: -runs, -n and -n-sync must be at least 1"}
	}
	return o, nil
}

// writeBench writes the report as indented JSON to path (relative to root).
func writeBench(root, path string, rep *benchReport) error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // label filters keep their && readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("bench: encode the report: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("bench: report directory: %w", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("bench: write the report: %w", err)
	}
	fmt.Println("written:", path)
	return nil
}

// newGoal judges the runs of one figure: the median against target (at most).
func newGoal(name, unit string, target float64, runs []float64, note string) goalResult {
	g := goalResult{Name: name, Unit: unit, Target: target, Note: note}
	if len(runs) == 0 {
		return g
	}
	for _, r := range runs {
		g.Runs = append(g.Runs, round3(r))
	}
	g.Value = round3(median(runs))
	g.Spread = spread{Min: slices.Min(g.Runs), Max: slices.Max(g.Runs)}
	g.Met = median(runs) <= target
	return g
}

// newGoalAtLeast judges the runs of a figure that must be at least target.
func newGoalAtLeast(name, unit string, target float64, runs []float64, note string) goalResult {
	g := newGoal(name, unit, target, runs, note)
	g.AtLeast = true
	g.Met = len(runs) > 0 && median(runs) >= target
	return g
}

// round3 rounds to three decimals: the JSON keeps what the figures can tell.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// median is the middle value (the mean of the two middle ones for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// summarize is the distribution of durations in milliseconds (nearest rank).
func summarize(msValues []float64) latency {
	if len(msValues) == 0 {
		return latency{}
	}
	s := slices.Clone(msValues)
	slices.Sort(s)
	p := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return latency{N: len(s), P50Ms: p(0.5), P95Ms: p(0.95)}
}

// durationsMs converts durations to milliseconds.
func durationsMs(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return out
}

// benchErr puts what into err's message; an exitError keeps its exit code.
func benchErr(what string, err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return &exitError{ee.code, what + ": " + ee.msg}
	}
	return fmt.Errorf("%s: %w", what, err)
}
