package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// The goals' targets; each is met when the median of its runs is at most the target.
const (
	goalFullRunS       = 6.0  // full warm embedded run, wall time in seconds
	goalAsyncPerSpecMs = 80.0 // async browser run, wall time per spec in milliseconds
	goalSandboxPct     = 5.0  // the sandbox's busy time, per cent of a full run's wall time
	goalLatencyRatio   = 1.5  // suite wall time over the longest spec, with added API latency
	goalChromiumMs     = 80.0 // Chromium CPU per browser spec of a full run, in milliseconds
)

// Goal names another figure refers to.
const (
	goalNameAsync      = "async browser run, wall time per spec"
	goalNamePlaywright = "Playwright p50 per flow / async wall per spec"
)

// asyncBrowserLabels selects the async specs that drive the browser.
const asyncBrowserLabels = "async && browser"

// embeddedEnv makes every bench run use the embedded sandbox, every brand, and no
// injected defect, latency or fault: the figures must not depend on a remote
// platform or on the user's environment or .env.
var embeddedEnv = []string{"OPPWA_BASE_URL=", "OPPWA_ENTITY_ID=", "OPPWA_ACCESS_TOKEN=", "OPPWA_ENV_FILE=/dev/null",
	"OPPWA_BRANDS=", "OPPWA_SANDBOX_DEFECTS=", "OPPWA_SANDBOX_LATENCY=", "OPPWA_SANDBOX_FAIL_503=", "OPPWA_SANDBOX_FAIL_429="}

// goalSamples collects each goal's figure over the rounds, and what the figures
// were measured on.
type goalSamples struct {
	fullS, sandboxPct, asyncPerSpecMs, latencyRatio []float64
	browserSpecMs                                   []float64 // every async browser spec of every full run
	fullSpecs, asyncSpecs, latencySpecs             int       // specs run, in the last round
	sandboxRequests                                 int64     // in the last full run
	fullCPU, asyncCPU                               []cpuBudget
}

// suiteResult is one finished, passing bench run.
type suiteResult struct {
	sum  summary
	wall time.Duration // the command's wall time: what a user waits
	ran  int           // specs that ran
	cpu  cpuBudget     // where the run's CPU time went
}

// runFailedError is a bench run whose verdict was not PASS; its reports are kept.
type runFailedError struct{ err *exitError }

func (e *runFailedError) Error() string { return e.err.msg }
func (e *runFailedError) Unwrap() error { return e.err }

// measureGoals brings the compiled suites ./conformance run keeps up to date (a warm
// run, as a user's second make test), then runs o.runs rounds of the full run, the
// async browser run and the latency run, and judges the goals. The latency run
// starts those same compiled suites in process: one build serves every run.
func measureGoals(ctx context.Context, rep *benchReport, o benchOptions, tmp string) error {
	// The build warms the cache and links the binary ./conformance run keeps between
	// runs, so that every run is a warm run: the first round pays no link either.
	fmt.Fprintln(os.Stderr, "bench: building the suite binary")
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	bin, err := compileSuites(ctx, root, true)
	if err != nil {
		return err
	}
	var s goalSamples
	// Rounds rather than three runs of a kind in a row: a burst of other load on
	// the machine then touches one run of each kind, not three of one.
	for i := 1; i <= o.runs; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("round-%d", i))
		tag := fmt.Sprintf("%d/%d", i, o.runs)
		if err := s.fullRun(ctx, dir, tag); err != nil {
			return err
		}
		if err := s.asyncRun(ctx, dir, tag); err != nil {
			return err
		}
		if err := s.latencyRun(ctx, o, bin, dir, tag); err != nil {
			return err
		}
	}
	rep.Goals = s.goals(o)
	rep.BrowserSpecs = summarize(s.browserSpecMs)
	rep.CPU = []cpuBudget{medianBudget(s.fullCPU), medianBudget(s.asyncCPU)}
	return nil
}

// goals judges the collected figures.
func (s *goalSamples) goals(o benchOptions) []goalResult {
	return []goalResult{
		newGoal("full warm embedded run, wall time", "s", goalFullRunS, s.fullS,
			fmt.Sprintf("%d specs, default procs", s.fullSpecs)),
		newGoal(goalNameAsync, "ms", goalAsyncPerSpecMs, s.asyncPerSpecMs,
			fmt.Sprintf("%d specs, labels %q", s.asyncSpecs, asyncBrowserLabels)),
		newGoal("Chromium CPU per browser spec, full run", "ms", goalChromiumMs, chromiumPerSpec(s.fullCPU),
			fmt.Sprintf("%d browser specs, browser start-up included", specsOf(s.fullCPU))),
		newGoal("sandbox busy time, share of full run", "%", goalSandboxPct, s.sandboxPct,
			fmt.Sprintf("%d requests in all processes", s.sandboxRequests)),
		newGoal("suite wall / longest spec at +"+o.latency+" API latency", "x", goalLatencyRatio, s.latencyRatio,
			fmt.Sprintf("%d specs, --procs=%s, labels %q", s.latencySpecs, o.latProcs, o.latLabels)),
	}
}

// fullRun runs every spec: the full-run and sandbox-share figures, and the async
// browser specs' durations.
func (s *goalSamples) fullRun(ctx context.Context, dir, tag string) error {
	what := "full run " + tag
	r, err := timedRun(ctx, what, runOptions{reportDir: filepath.Join(dir, "full"), extraEnv: embeddedEnv, quiet: true})
	if err != nil {
		return err
	}
	busyMs, requests, err := sandboxBusy(r.sum.ginkgo)
	if err != nil {
		return benchErr("bench: "+what, err)
	}
	s.fullS = append(s.fullS, r.wall.Seconds())
	s.sandboxPct = append(s.sandboxPct, 100*busyMs/ms(r.wall))
	s.browserSpecMs = append(s.browserSpecMs, asyncBrowserSpecMs(r.sum)...)
	s.fullSpecs, s.sandboxRequests = r.ran, requests
	s.fullCPU = append(s.fullCPU, r.cpu.withSpecs(browserSpecs(r.sum), busyMs))
	return nil
}

// asyncRun runs the async browser specs: their wall time per spec.
func (s *goalSamples) asyncRun(ctx context.Context, dir, tag string) error {
	r, err := timedRun(ctx, "async browser run "+tag, runOptions{labels: asyncBrowserLabels,
		reportDir: filepath.Join(dir, "async"), extraEnv: embeddedEnv, quiet: true})
	if err != nil {
		return err
	}
	s.asyncPerSpecMs = append(s.asyncPerSpecMs, ms(r.wall)/float64(r.ran))
	s.asyncSpecs = r.ran
	s.asyncCPU = append(s.asyncCPU, r.cpu.withSpecs(browserSpecs(r.sum), 0))
	return nil
}

// latencyRun runs API-only specs with added API latency on o.latProcs processes:
// the suite's own wall time (which leaves out the processes' start-up) over its
// longest spec (the critical path) says how much of the waiting -p hides.
func (s *goalSamples) latencyRun(ctx context.Context, o benchOptions, bin, dir, tag string) error {
	what := "latency run " + tag
	env := append(slices.Clone(embeddedEnv), "OPPWA_SANDBOX_LATENCY="+o.latency)
	r, err := timedRun(ctx, what, runOptions{labels: o.latLabels, procs: o.latProcs,
		reportDir: filepath.Join(dir, "latency"), binary: bin, extraEnv: env, quiet: true})
	if err != nil {
		return err
	}
	longest := longestSpec(r.sum.ginkgo)
	if longest <= 0 {
		return &exitError{outcome.ExitEnvironment, "bench: " + what + ": the report has no spec with a run time"}
	}
	s.latencyRatio = append(s.latencyRatio, r.sum.ginkgo.RunTime.Seconds()/longest.Seconds())
	s.latencySpecs = r.ran
	return nil
}

// timedRun runs the suites with o, times the command and takes its CPU budget, the
// Ginkgo processes' end skew included. Without o.binary it runs the command a user
// types, ./conformance run, as a child: what make test costs, from the runner's own
// build to the verdict; with it, the precompiled suites in process. A run that does
// not pass is a *runFailedError naming the first failure and where the reports are.
func timedRun(ctx context.Context, what string, o runOptions) (suiteResult, error) {
	fmt.Fprintln(os.Stderr, "bench: "+what)
	run := commandRun
	if o.binary != "" {
		run = suiteRun
	}
	sampler := startSampler()
	t0 := time.Now()
	sum, err := run(ctx, o)
	wall := time.Since(t0)
	cpu := sampler.finish(strings.Fields(what)[0], wall, runtime.NumCPU())
	if err != nil {
		return suiteResult{}, benchErr("bench: "+what, err)
	}
	c := sum.Counts
	if sum.Verdict != reports.VerdictPass || c.Passed == 0 {
		return suiteResult{}, runFailed(what, sum)
	}
	cpu.EndSkewS = round3(endSkew(sum.ginkgo).Seconds())
	return suiteResult{sum: sum, wall: wall, ran: c.Passed + c.Contract + c.Environment, cpu: cpu}, nil
}

// commandRun runs ./conformance run with o's labels, environment and report
// directory, and reads the report it wrote.
func commandRun(ctx context.Context, o runOptions) (summary, error) {
	root, err := moduleRoot()
	if err != nil {
		return summary{}, err
	}
	args := []string{"run"}
	if o.labels != "" {
		args = append(args, "-labels", o.labels)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "conformance"), args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), o.extraEnv...), "OPPWA_REPORT_DIR="+o.reportDir)
	out, runErr := cmd.CombinedOutput()
	sum, err := readSummary(filepath.Join(o.reportDir, "report.json"))
	sum.reportDir = o.reportDir
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return sum, &exitError{outcome.ExitEnvironment, fmt.Sprintf("./conformance run left no report (%v): %s", runErr, lines[len(lines)-1])}
	}
	return sum, nil
}

// runFailed says in one line how a run failed and where its reports are.
func runFailed(what string, sum summary) error {
	c := sum.Counts
	first := ""
	for _, sp := range sum.Specs {
		if sp.FailureKind != "" {
			first = fmt.Sprintf("; first: %s: %.120s", specName(sp), oneLine(sp.Message))
			break
		}
	}
	code := sum.ExitCode
	if code == outcome.ExitPass {
		code = outcome.ExitEnvironment
	}
	msg := fmt.Sprintf("bench: %s: verdict %s (%d contract, %d environment failures%s); reports kept in %s",
		what, sum.Verdict, c.Contract, c.Environment, first, sum.reportDir)
	return &runFailedError{&exitError{code, msg}}
}

// sandboxBusy sums the embedded sandbox's busy time (ms) and requests over the
// processes of a run, from the entry each process's AfterSuite adds.
func sandboxBusy(r types.Report) (busyMs float64, requests int64, err error) {
	found := 0
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeAfterSuite {
			continue
		}
		for _, e := range sr.ReportEntries {
			if e.Name != reports.EntrySandboxStats {
				continue
			}
			var st reports.SandboxStats
			if err := json.Unmarshal([]byte(e.Value.AsJSON), &st); err != nil {
				return 0, 0, fmt.Errorf("decode the %s entry of process %d: %w", e.Name, sr.ParallelProcess, err)
			}
			busyMs, requests, found = busyMs+st.BusyMs, requests+st.Requests, found+1
		}
	}
	if found == 0 {
		return 0, 0, fmt.Errorf("no %q entry in the report: the suites' AfterSuite did not report the embedded sandbox", reports.EntrySandboxStats)
	}
	return busyMs, requests, nil
}

// longestSpec is the longest run time of a spec that ran: the critical path of a
// parallel run.
func longestSpec(r types.Report) time.Duration {
	var longest time.Duration
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt && sr.State != types.SpecStateSkipped {
			longest = max(longest, sr.RunTime)
		}
	}
	return longest
}

// asyncBrowserSpecMs are the durations of the passed specs labelled async and browser.
func asyncBrowserSpecMs(sum summary) []float64 {
	var out []float64
	for _, sp := range sum.Specs {
		if sp.State == types.SpecStatePassed.String() && slices.Contains(sp.Labels, "async") && slices.Contains(sp.Labels, "browser") {
			out = append(out, float64(sp.DurationMs))
		}
	}
	return out
}

// browserSpecs counts the specs labelled browser that ran.
func browserSpecs(sum summary) int {
	n := 0
	for _, sp := range sum.Specs {
		if slices.Contains(sp.Labels, "browser") && sp.State != types.SpecStateSkipped.String() && sp.State != types.SpecStatePending.String() {
			n++
		}
	}
	return n
}

// chromiumPerSpec is each run's Chromium CPU per browser spec, in milliseconds.
func chromiumPerSpec(bs []cpuBudget) []float64 {
	var out []float64
	for _, b := range bs {
		if b.BrowserSpecs > 0 {
			out = append(out, b.ChromiumMsPerBrowserSpec)
		}
	}
	return out
}

// specsOf is the browser specs of the last run.
func specsOf(bs []cpuBudget) int {
	if len(bs) == 0 {
		return 0
	}
	return bs[len(bs)-1].BrowserSpecs
}

// endSkew is the time between the first and the last Ginkgo process's end of its
// last spec (serial specs, which Ginkgo runs last on process 1, included).
func endSkew(r types.Report) time.Duration {
	ends := map[int]time.Time{}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt && sr.State != types.SpecStateSkipped && sr.EndTime.After(ends[sr.ParallelProcess]) {
			ends[sr.ParallelProcess] = sr.EndTime
		}
	}
	if len(ends) < 2 {
		return 0
	}
	var first, last time.Time
	for _, t := range ends {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return last.Sub(first)
}
