package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

func TestGoalIsJudgedOnTheMedianOfItsRuns(t *testing.T) {
	g := newGoal("wall", "s", 6, []float64{5.5, 9, 5.9}, "")
	if g.Value != 5.9 || !g.Met || g.Spread != (spread{5.5, 9}) {
		t.Errorf("got %+v, want median 5.9 met with spread 5.5-9", g)
	}
	if g := newGoal("wall", "s", 6, []float64{6.1, 2, 7}, ""); g.Met {
		t.Errorf("median 6.1 > 6 judged met: %+v", g)
	}
}

func TestSandboxBusySumsEveryProcessEntry(t *testing.T) {
	entry := func(busy float64, reqs int64) types.ReportEntry {
		b, _ := json.Marshal(reports.SandboxStats{Requests: reqs, BusyMs: busy})
		return types.ReportEntry{Name: reports.EntrySandboxStats, Value: types.ReportEntryValue{AsJSON: string(b)}}
	}
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeIt, ReportEntries: types.ReportEntries{entry(1000, 1)}},
		{LeafNodeType: types.NodeTypeAfterSuite, ParallelProcess: 1, ReportEntries: types.ReportEntries{entry(10.5, 3)}},
		{LeafNodeType: types.NodeTypeAfterSuite, ParallelProcess: 2, ReportEntries: types.ReportEntries{entry(4.5, 2)}},
	}}
	busy, reqs, err := sandboxBusy(r)
	if err != nil || busy != 15 || reqs != 5 {
		t.Errorf("got %v ms, %d requests, %v; want 15 ms, 5 requests", busy, reqs, err)
	}
	if _, _, err := sandboxBusy(types.Report{}); err == nil {
		t.Error("a report without the entry gave no error")
	}
}

func TestJourneyPartsAddUpToTheFollow(t *testing.T) {
	t0 := time.Now()
	j := &browser.Journey{Steps: []browser.Step{
		{Name: browser.StepCheckout, At: t0.Add(30 * time.Millisecond)},
		{Name: browser.StepReturn, At: t0.Add(50 * time.Millisecond)},
	}}
	parts := journeyParts(j, t0, t0.Add(51*time.Millisecond))
	var got []string
	for _, p := range parts {
		got = append(got, fmt.Sprintf("%s=%v", p.name, p.d))
	}
	want := "browser: open redirect → checkout=30ms|browser: checkout → shopperResultUrl=20ms|browser: shopperResultUrl → Follow returns=1ms"
	if strings.Join(got, "|") != want {
		t.Errorf("parts %q, want %q", got, want)
	}
}

func TestAFailedRunIsOneLineWithItsExitCode(t *testing.T) {
	sum := summary{reportDir: "/tmp/r"}
	sum.Verdict, sum.ExitCode = reports.VerdictFail, outcome.ExitContract
	sum.Counts.Contract = 1
	sum.Specs = []reports.SpecResult{{ID: "S2S-X-1", FailureKind: outcome.Contract, Message: "expected\n000.100.110"}}
	err := runFailed("full run 1/3", sum)
	var ee *exitError
	var failed *runFailedError
	if !errors.As(err, &ee) || ee.code != outcome.ExitContract || !errors.As(err, &failed) {
		t.Fatalf("got %#v, want a runFailedError with exit code %d", err, outcome.ExitContract)
	}
	if strings.Contains(ee.msg, "\n") || !strings.Contains(ee.msg, "S2S-X-1") || !strings.Contains(ee.msg, "/tmp/r") {
		t.Errorf("message %q is not one line naming the failure and the reports", ee.msg)
	}
}

// A benchmark's flow must end in success: a pending 000.200.* starts with 000. too.
func TestWantSuccessRefusesPending(t *testing.T) {
	for code, ok := range map[string]bool{"000.100.110": true, "000.000.000": true, "000.200.000": false, "000.200.100": false, "800.100.151": false} {
		if err := wantSuccess("DB", code); (err == nil) != ok {
			t.Errorf("wantSuccess(%s) = %v, want success %v", code, err, ok)
		}
	}
}

func TestClassifyNamesEveryProcessKindOfARun(t *testing.T) {
	shell := "/usr/lib/chromium/chromium-headless-shell"
	for cmdline, want := range map[string]string{
		shell + "\x00--headless\x00--remote-debugging-pipe":                             kindBrowser,
		shell + "\x00--type=gpu-process\x00--no-sandbox":                                kindGPU,
		shell + " --type=renderer --no-sandbox --lang=en-US":                            kindRenderer,
		shell + "\x00--type=utility\x00--utility-sub-type=network.mojom.NetworkService": kindNetwork,
		shell + "\x00--type=utility\x00--utility-sub-type=storage.mojom.StorageService": kindUtility,
		shell + "\x00--type=zygote":                                                     kindUtility,
		"/usr/lib/chromium/chromium\x00--type=renderer":                                 kindRenderer,
		"/tmp/oppwa-bench-1/suites.test\x00--test.timeout=0":                            kindSpecs,
		"/root/.cache/go-build/ab/ginkgo\x00--keep-going":                               kindRunner,
		"go\x00tool\x00ginkgo":                                                          kindBuild,
		"/usr/local/go/pkg/tool/linux_amd64/link\x00-o":                                 kindBuild,
		"/bin/sh\x00-c": kindOther,
	} {
		if got := classify(cmdline); got != want {
			t.Errorf("classify(%q) = %q, want %q", cmdline, got, want)
		}
	}
}

func TestMedianBudgetTakesEachFigureOnItsOwn(t *testing.T) {
	mk := func(wall, gpu float64) cpuBudget {
		return cpuBudget{Run: "full", WallS: wall, Kinds: []kindCPU{{Name: kindGPU, CPUS: gpu}}}
	}
	m := medianBudget([]cpuBudget{mk(9, 1), mk(8, 3), mk(10, 2)})
	if m.WallS != 9 || m.Kinds[0].CPUS != 2 || m.Kinds[0].Name != kindGPU {
		t.Errorf("got wall %v, GPU %v; want 9 and 2", m.WallS, m.Kinds[0].CPUS)
	}
}

func TestSamplerAccountsForAChildProcess(t *testing.T) {
	s := startSampler()
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	b := s.finish("test", time.Second, 2)
	var other float64
	for _, k := range b.Kinds {
		if k.Name == kindOther {
			other = k.CPUS
		}
	}
	// The kernel's own account of sh, reaped: the figure the samples approach.
	child := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	// sh's loop takes several sample intervals: the samples see most of it, and
	// never more than it ran (up to the rounding of clock ticks).
	if other < 0.05 || other < child/2 || b.CPUS > child+2*clockTick.Seconds() {
		t.Errorf("run CPU %v s, sh sampled as other %v s, the kernel's account of sh %v s: the child's time is not accounted for", b.CPUS, other, child)
	}
}

// A remote browser has no binary for the Playwright script to start: the anchor says
// it was not measured, and why, rather than run node on a made-up path.
func TestPlaywrightAnchorIsNotMeasuredOnARemoteBrowser(t *testing.T) {
	rep := benchReport{Browser: benchBrowser{ExecPath: remoteBrowser}, Goals: []goalResult{{Name: goalNameAsync, Runs: []float64{40}}}}
	g := playwrightGoal(t.Context(), t.TempDir(), &rep, benchOptions{n: 1})
	if g.Met || len(g.Runs) != 0 || !g.AtLeast || !strings.HasPrefix(g.Note, "not measured: ") || !strings.Contains(g.Note, "CHROME_WS_URL") {
		t.Errorf("got %+v, want an unmet goal without runs saying it was not measured for CHROME_WS_URL", g)
	}
}
