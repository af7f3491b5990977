package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// The anchor: the same async PAYPAL flow as a plain Playwright script
// (playwright/flow.mjs), on the same browser binary and an embedded sandbox.
const (
	playwrightCore      = "playwright-core@1.65.2"
	playwrightScript    = "cmd/conformance/playwright/flow.mjs"
	goalPlaywrightRatio = 2.5 // Playwright's p50 per flow over our async wall per spec, at least
)

// playwrightGoal is the anchor's goal: per round, Playwright's p50 per flow divided
// by the round's async wall time per spec. Without node, npm or playwright-core, or
// with a remote browser (CHROME_WS_URL: no binary for the script to start), the goal
// says why it was not measured; the other figures stand.
func playwrightGoal(ctx context.Context, root string, rep *benchReport, o benchOptions) goalResult {
	if rep.Browser.ExecPath == remoteBrowser {
		return newGoalAtLeast(goalNamePlaywright, "x", goalPlaywrightRatio, nil,
			"not measured: the browser is remote (CHROME_WS_URL) and the script starts a local binary; unset CHROME_WS_URL to measure it")
	}
	ours := goalRuns(rep, goalNameAsync)
	note := fmt.Sprintf("%d flows a run, serial, fresh context each, no screenshot; %s on %s", o.n, playwrightCore, rep.Browser.ExecPath)
	core, err := installPlaywright(ctx, root)
	if err != nil {
		return newGoalAtLeast(goalNamePlaywright, "x", goalPlaywrightRatio, nil, "not measured: "+err.Error())
	}
	fmt.Fprintln(os.Stderr, "bench: the Playwright anchor")
	sb, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{NoStatusRateLimit: true})
	if err != nil {
		return newGoalAtLeast(goalNamePlaywright, "x", goalPlaywrightRatio, nil, "not measured: start the sandbox: "+err.Error())
	}
	defer func() { _ = sb.Close(context.Background()) }()
	var ratios []float64
	for i := range ours {
		p50, err := runPlaywright(ctx, root, core, sb.URL, rep.Browser.ExecPath, o.n)
		if err != nil {
			return newGoalAtLeast(goalNamePlaywright, "x", goalPlaywrightRatio, nil, "not measured: "+err.Error())
		}
		ratios = append(ratios, p50/ours[i])
		note += fmt.Sprintf("; run %d: %.0f ms / %.1f ms", i+1, p50, ours[i])
	}
	return newGoalAtLeast(goalNamePlaywright, "x", goalPlaywrightRatio, ratios, note)
}

// goalRuns are the runs of the goal named name ("" none).
func goalRuns(rep *benchReport, name string) []float64 {
	for _, g := range rep.Goals {
		if g.Name == name {
			return g.Runs
		}
	}
	return nil
}

// installPlaywright returns the playwright-core package under bin/playwright,
// installing it with npm the first time.
func installPlaywright(ctx context.Context, root string) (string, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("node is not installed (apt-get install nodejs npm)")
	}
	dir := filepath.Join(root, "bin", "playwright")
	core := filepath.Join(dir, "node_modules", "playwright-core")
	if _, err := os.Stat(filepath.Join(core, "package.json")); err == nil {
		return core, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm is not installed (apt-get install npm)")
	}
	fmt.Fprintln(os.Stderr, "bench: installing "+playwrightCore+" into bin/playwright (npm, once)")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir, playwrightCore)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install %s: %v: %s", playwrightCore, err, oneLine(string(out)))
	}
	return core, nil
}

// runPlaywright runs the anchor script once, n flows, against the sandbox at base,
// and returns its p50 per flow in milliseconds.
func runPlaywright(ctx context.Context, root, core, base, chrome string, n int) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cred := sandbox.PublicCredentials()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, playwrightScript), base, cred.EntityID, cred.AccessToken, chrome, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_CORE="+core)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %v: %s", playwrightScript, err, oneLine(stderr.String()))
	}
	var res struct {
		P50Ms float64 `json:"p50Ms"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.P50Ms <= 0 {
		return 0, fmt.Errorf("%s printed %q", playwrightScript, oneLine(string(out)))
	}
	return res.P50Ms, nil
}
