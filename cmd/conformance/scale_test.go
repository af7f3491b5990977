package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
)

type certSummary struct {
	Counts struct {
		Specs, Passed, Skipped int
	}
	Specs []struct{ ID, State string }
}

func readCert(t *testing.T, dir string) certSummary {
	t.Helper()
	var c certSummary
	b, err := os.ReadFile(filepath.Join(dir, "certification.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTwoShardsMergeIntoOneReport splits a run in two shards, as two CI jobs would,
// and checks that the merged report holds every spec of the unsharded run once.
func TestTwoShardsMergeIntoOneReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites three times")
	}
	labels := "!browser && (flow:PA || flow:DB || flow:workflow)"
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	if r := runRunner(t, map[string]string{"OPPWA_REPORT_DIR": whole}, "run", "-labels", labels); r.code != 0 {
		t.Fatalf("unsharded run: exit %d: %s", r.code, tail(r.stdout))
	}
	var reportsJSON []string
	for _, shard := range []string{"1/2", "2/2"} {
		dir := filepath.Join(tmp, "shard-"+shard[:1])
		if r := runRunner(t, map[string]string{"OPPWA_REPORT_DIR": dir}, "run", "-labels", labels, "-shard", shard); r.code != 0 {
			t.Fatalf("shard %s: exit %d: %s", shard, r.code, tail(r.stdout))
		}
		reportsJSON = append(reportsJSON, filepath.Join(dir, "report.json"))
	}
	merged := filepath.Join(tmp, "merged")
	if r := runRunner(t, nil, append([]string{"merge", "-o", merged}, reportsJSON...)...); r.code != 0 {
		t.Fatalf("merge: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	w, m := readCert(t, whole), readCert(t, merged)
	if w.Counts.Passed < 40 || m.Counts.Passed != w.Counts.Passed {
		t.Fatalf("merged report passed %d specs, the unsharded run %d", m.Counts.Passed, w.Counts.Passed)
	}
	for _, f := range []string{"junit.xml", "report.json", "index.html"} {
		if _, err := os.Stat(filepath.Join(merged, f)); err != nil {
			t.Errorf("merged %s missing", f)
		}
	}
	s1, s2 := readCert(t, filepath.Join(tmp, "shard-1")), readCert(t, filepath.Join(tmp, "shard-2"))
	if s1.Counts.Passed == 0 || s2.Counts.Passed == 0 || s1.Counts.Passed+s2.Counts.Passed != w.Counts.Passed {
		t.Fatalf("shards passed %d + %d specs, the whole run %d", s1.Counts.Passed, s2.Counts.Passed, w.Counts.Passed)
	}
}

var devtoolsLine = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// TestRemoteBrowser runs the async specs against a Chromium reached over the
// DevTools protocol (CHROME_WS_URL), as a browser pool or a headless-shell container
// would be, instead of one the suites start.
func TestRemoteBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium and runs the suites")
	}
	bin, err := browser.FindExec(os.Getenv("CHROME_BIN"))
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tmp := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
		"--remote-debugging-address=127.0.0.1", "--user-data-dir="+filepath.Join(tmp, "profile"), "--no-first-run", "about:blank")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("Chromium cannot start here: %v", err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var ws string
	select {
	case ws = <-found:
	case <-time.After(20 * time.Second):
		t.Fatal("Chromium did not print its DevTools URL")
	}
	dir := filepath.Join(tmp, "reports")
	r := runRunner(t, map[string]string{"CHROME_WS_URL": ws, "CHROME_BIN": "/nonexistent", "OPPWA_REPORT_DIR": dir},
		"run", "-labels", "async && (brand:PAYPAL || brand:EPS)")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, tail(r.stdout))
	}
	if c := readCert(t, dir); c.Counts.Passed < 4 {
		t.Fatalf("passed %d specs through the remote browser, want at least 4", c.Counts.Passed)
	}
	shots, _ := filepath.Glob(filepath.Join(dir, "screenshots", "*.jpg"))
	if len(shots) < 4 {
		t.Fatalf("only %d screenshots from the remote browser", len(shots))
	}
}
