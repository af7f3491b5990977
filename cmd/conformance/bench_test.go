package main

import (
	"encoding/json"
	"errors"
	"fmt"
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
