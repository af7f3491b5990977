package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// benchReport is what bench writes to -o. Durations are in milliseconds.
type benchReport struct {
	At      time.Time `json:"at"`
	NumCPU  int       `json:"numCPU"`
	GOOS    string    `json:"goos"`
	Browser string    `json:"browser"`

	FullRun struct {
		WallMs  float64 `json:"wallMs"`
		Specs   int     `json:"specs"`
		Passed  int     `json:"passed"`
		Verdict string  `json:"verdict"`
	} `json:"fullRun"`

	Flows map[string]latency `json:"flows"`

	// NewBrowserRatio is the p50 of the async flow with a new browser per flow over
	// the p50 with the shared browser.
	NewBrowserRatio float64 `json:"newBrowserRatio"`

	Throughput struct {
		SandboxPAReqPerS float64 `json:"sandboxPAReqPerS"`
		FloorReqPerS     float64 `json:"netHTTPFloorReqPerS"`
		Ratio            float64 `json:"ratio"`
	} `json:"throughput"`

	Latency struct {
		Added          string  `json:"added"`
		Labels         string  `json:"labels"`
		Procs          string  `json:"procs"`
		Specs          int     `json:"specs"`
		WallMs         float64 `json:"wallMs"`
		CommandWallMs  float64 `json:"commandWallMs"`
		CriticalPathMs float64 `json:"criticalPathMs"`
		Ratio          float64 `json:"ratio"`
	} `json:"latency"`

	Goals []goal `json:"goals"`
}

type latency struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50Ms"`
	P95Ms float64 `json:"p95Ms"`
}

type goal struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Target string  `json:"target"`
	Met    bool    `json:"met"`
}

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	out := fs.String("o", "reports/bench.json", "where to write the JSON figures")
	n := fs.Int("n", 40, "iterations per flow")
	nBase := fs.Int("n-new-browser", 10, "iterations of the new-browser-per-flow baseline")
	// API-only specs: with 150 ms per call they wait on the network, which parallel
	// processes can overlap; browser specs would measure CPU contention instead.
	latLabels := fs.String("latency-labels", "!browser && (backoffice || reporting || brand:VISA)", "label filter of the run with added API latency")
	latProcs := fs.String("latency-procs", "8", "Ginkgo processes of the run with added API latency")
	if err := fs.Parse(args); err != nil {
		return &exitError{exitConfig, ""}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "oppwa-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var rep benchReport
	rep.At = time.Now().UTC()
	rep.NumCPU = runtime.NumCPU()
	rep.GOOS = runtime.GOOS + "/" + runtime.GOARCH
	rep.Flows = map[string]latency{}
	chrome := os.Getenv("CHROME_BIN")
	// Always the embedded sandbox: figures must not depend on a remote platform.
	embedded := []string{"OPPWA_BASE_URL=", "OPPWA_ENTITY_ID=", "OPPWA_ACCESS_TOKEN=", "OPPWA_ENV_FILE=/dev/null"}

	// 1. The full embedded run, from a suite binary built once (a warm run).
	fmt.Fprintln(os.Stderr, "bench: building the suite binary")
	build := exec.CommandContext(ctx, "go", "tool", "ginkgo", "build", "-o", filepath.Join(tmp, "suites.test"), "./suites")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return &exitError{exitEnvironment, "bench: ginkgo build ./suites: " + err.Error()}
	}
	bin := filepath.Join(tmp, "suites.test")
	fmt.Fprintln(os.Stderr, "bench: full embedded run")
	t0 := time.Now()
	sum, err := suiteRun(ctx, runOptions{reportDir: filepath.Join(tmp, "full"), quiet: true, extraEnv: embedded, binary: bin})
	rep.FullRun.WallMs = ms(time.Since(t0))
	if err != nil {
		return fmt.Errorf("bench: full run: %w", err)
	}
	rep.FullRun.Specs, rep.FullRun.Passed, rep.FullRun.Verdict = sum.Counts.Specs, sum.Counts.Passed, sum.Verdict

	// 2. Per-flow latencies, in process.
	fmt.Fprintln(os.Stderr, "bench: flow latencies")
	if err := benchFlows(ctx, &rep, chrome, *n, *nBase); err != nil {
		return fmt.Errorf("bench: flows: %w", err)
	}

	// 3. Sandbox PA throughput against a plain net/http handler.
	fmt.Fprintln(os.Stderr, "bench: sandbox throughput")
	if err := benchThroughput(ctx, &rep); err != nil {
		return fmt.Errorf("bench: throughput: %w", err)
	}

	// 4. Added API latency: does -p hide it?
	fmt.Fprintln(os.Stderr, "bench: run with 150ms added API latency")
	rep.Latency.Added, rep.Latency.Labels, rep.Latency.Procs = "150ms", *latLabels, *latProcs
	dir := filepath.Join(tmp, "latency")
	t0 = time.Now()
	sum, err = suiteRun(ctx, runOptions{labels: *latLabels, procs: *latProcs, reportDir: dir, quiet: true,
		extraEnv: append(embedded, "OPPWA_SANDBOX_LATENCY=150ms"), binary: bin})
	rep.Latency.CommandWallMs = ms(time.Since(t0))
	if err != nil {
		return fmt.Errorf("bench: latency run: %w", err)
	}
	rep.Latency.Specs = sum.Counts.Specs
	crit, suiteWall, err := longestSpec(filepath.Join(dir, "report.json"))
	if err != nil {
		return err
	}
	// The suite's own wall time: what -p can hide is the specs' waiting, not the
	// processes' start-up, which the command's wall time (also kept) adds.
	rep.Latency.WallMs = ms(suiteWall)
	rep.Latency.CriticalPathMs = ms(crit)
	if crit > 0 {
		rep.Latency.Ratio = rep.Latency.WallMs / rep.Latency.CriticalPathMs
	}

	async := rep.Flows["async"]
	rep.Goals = []goal{
		{"full embedded run wall time (s)", rep.FullRun.WallMs / 1000, "<= 10", rep.FullRun.WallMs <= 10_000},
		{"async flow p50 (ms)", async.P50Ms, "<= 150", async.P50Ms <= 150},
		{"new browser per flow / ours (p50)", rep.NewBrowserRatio, ">= 4", rep.NewBrowserRatio >= 4},
		{"sandbox PA / net/http floor", rep.Throughput.Ratio, ">= 0.7", rep.Throughput.Ratio >= 0.7},
		{"wall / critical path at 150ms latency", rep.Latency.Ratio, "<= 1.5", rep.Latency.Ratio > 0 && rep.Latency.Ratio <= 1.5},
	}

	printBench(os.Stdout, &rep)
	b, _ := json.MarshalIndent(rep, "", "  ")
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println("written:", path)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	p := func(q float64) float64 { return ms(s[min(len(s)-1, int(q*float64(len(s))))]) }
	return latency{N: len(s), P50Ms: p(0.5), P95Ms: p(0.95)}
}

// benchFlows measures a sync PA, a PA then CP, and an async PAYPAL debit through
// Chromium (DB, redirect, approve, return, status), against an in-process sandbox;
// then the async flow with a new browser per flow.
func benchFlows(ctx context.Context, rep *benchReport, chrome string, n, nBase int) error {
	sb, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{NoStatusRateLimit: true})
	if err != nil {
		return err
	}
	defer sb.Close(context.Background())
	rcv, err := shopper.Start(ctx, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer rcv.Close(context.Background())
	cred := sandbox.PublicCredentials()
	client, err := oppwa.New(oppwa.Config{BaseURL: sb.URL, EntityID: cred.EntityID, AccessToken: cred.AccessToken})
	if err != nil {
		return err
	}
	card, ok := fixtures.Load().Card("VISA", "success")
	if !ok {
		return fmt.Errorf("no VISA success card in the fixtures")
	}
	seq := 0
	cardPayment := func() url.Values {
		seq++
		return url.Values{
			"amount": {"92.00"}, "currency": {"EUR"}, "paymentBrand": {"VISA"},
			"merchantTransactionId": {fmt.Sprintf("bench-%d-%d", os.Getpid(), seq)},
			"card.number":           {card.Number}, "card.holder": {"Jane Jones"}, "card.expiryMonth": {"12"},
			"card.expiryYear": {fmt.Sprint(time.Now().Year() + 3)}, "card.cvv": {card.CVV},
		}
	}
	pa := func() error {
		r, err := client.Preauthorize(ctx, cardPayment())
		if err == nil && !strings.HasPrefix(r.Payment.Result.Code, "000.") {
			err = fmt.Errorf("PA answered %s", r.Payment.Result.Code)
		}
		return err
	}
	pacp := func() error {
		r, err := client.Preauthorize(ctx, cardPayment())
		if err != nil {
			return err
		}
		c, err := client.Capture(ctx, r.Payment.ID, "92.00", "EUR", nil)
		if err == nil && !strings.HasPrefix(c.Payment.Result.Code, "000.") {
			err = fmt.Errorf("CP answered %s", c.Payment.Result.Code)
		}
		return err
	}
	async := func(b *browser.Browser) error {
		seq++
		key := fmt.Sprintf("bench-%d-%d", os.Getpid(), seq)
		r, err := client.Debit(ctx, url.Values{"amount": {"92.00"}, "currency": {"EUR"}, "paymentBrand": {"PAYPAL"},
			"merchantTransactionId": {key}, "shopperResultUrl": {rcv.URL(key)}})
		if err != nil {
			return err
		}
		red := r.Payment.Redirect
		if red == nil {
			return fmt.Errorf("DB PAYPAL answered %s without redirect", r.Payment.Result.Code)
		}
		br := browser.Redirect{URL: red.URL, Method: red.Method}
		for _, p := range red.Parameters {
			br.Parameters = append(br.Parameters, browser.Param{Name: p.Name, Value: p.Value})
		}
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s, err := b.NewSession(fctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := s.Follow(fctx, br, rcv.Prefix(key), browser.Approve); err != nil {
			return err
		}
		ret, err := rcv.Await(fctx, key)
		if err != nil {
			return err
		}
		st, err := client.StatusAt(fctx, ret.ResourcePath)
		if err == nil && !strings.HasPrefix(st.Payment.Result.Code, "000.") {
			err = fmt.Errorf("status answered %s", st.Payment.Result.Code)
		}
		return err
	}
	measure := func(name string, n, warm int, fn func() error) error {
		var ds []time.Duration
		for i := range n + warm {
			t0 := time.Now()
			if err := fn(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i >= warm {
				ds = append(ds, time.Since(t0))
			}
		}
		rep.Flows[name] = summarize(ds)
		return nil
	}
	if err := measure("syncPA", n*5, 5, pa); err != nil {
		return err
	}
	if err := measure("PA+CP", n*5, 5, pacp); err != nil {
		return err
	}
	opts := browser.Options{ExecPath: chrome, RemoteURL: os.Getenv("CHROME_WS_URL")}
	b, err := browser.Start(ctx, opts)
	if err != nil {
		return err
	}
	rep.Browser = b.Version()
	err = measure("async", n, 3, func() error { return async(b) })
	_ = b.Close(context.Background())
	if err != nil {
		return err
	}
	err = measure("asyncNewBrowser", nBase, 1, func() error {
		nb, err := browser.Start(ctx, opts)
		if err != nil {
			return err
		}
		defer nb.Close(context.Background())
		return async(nb)
	})
	if err != nil {
		return err
	}
	if p := rep.Flows["async"].P50Ms; p > 0 {
		rep.NewBrowserRatio = rep.Flows["asyncNewBrowser"].P50Ms / p
	}
	return nil
}

const benchBody = "amount=92.00&currency=EUR&paymentBrand=VISA&paymentType=PA" +
	"&card.number=4200000000000000&card.holder=Jane+Jones&card.expiryMonth=05&card.expiryYear=2034&card.cvv=123" +
	"&merchantTransactionId=bench-1&customer.email=jane%40example.com&billing.country=DE"

// benchThroughput posts PAs to the sandbox and to a plain net/http handler answering
// a small JSON, over keep-alive loopback, one client, about 2 s each.
func benchThroughput(ctx context.Context, rep *benchReport) error {
	sb, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{})
	if err != nil {
		return err
	}
	defer sb.Close(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	small := []byte(`{"id":"8a82944a5fe82704015fff6cf5e572b4","result":{"code":"000.100.110"}}`)
	floor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(small)
	})}
	go func() { _ = floor.Serve(ln) }()
	defer floor.Close()
	cred := sandbox.PublicCredentials()
	body := "entityId=" + cred.EntityID + "&" + benchBody
	rate := func(u string) (float64, error) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		defer client.CloseIdleConnections()
		post := func() error {
			req, _ := http.NewRequestWithContext(ctx, "POST", u, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
			}
			return nil
		}
		for range 200 { // warm-up
			if err := post(); err != nil {
				return 0, err
			}
		}
		n, t0 := 0, time.Now()
		for time.Since(t0) < 2*time.Second {
			if err := post(); err != nil {
				return 0, err
			}
			n++
		}
		return float64(n) / time.Since(t0).Seconds(), nil
	}
	// Alternate, best of two each, so that a burst of other load on the machine
	// does not decide the ratio.
	var a, f float64
	for range 2 {
		x, err := rate(sb.URL + "v1/payments")
		if err != nil {
			return err
		}
		y, err := rate("http://" + ln.Addr().String() + "/v1/payments")
		if err != nil {
			return err
		}
		a, f = max(a, x), max(f, y)
	}
	rep.Throughput.SandboxPAReqPerS, rep.Throughput.FloorReqPerS = a, f
	if f > 0 {
		rep.Throughput.Ratio = a / f
	}
	return nil
}

// longestSpec is the longest run time of a spec in a JSON report: the critical path
// of a parallel run.
// longestSpec returns the longest spec's run time (the critical path) and the suite's
// own run time across processes, which leaves out the CLI's process start-up.
func longestSpec(path string) (time.Duration, time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: latency run left no report: %w", err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		return 0, 0, fmt.Errorf("bench: %s: %w", path, err)
	}
	var longest, suite time.Duration
	for _, r := range reports {
		suite = max(suite, r.RunTime)
		for _, sr := range r.SpecReports {
			if sr.LeafNodeType == types.NodeTypeIt && sr.State != types.SpecStateSkipped {
				longest = max(longest, sr.RunTime)
			}
		}
	}
	return longest, suite, nil
}

func printBench(w io.Writer, rep *benchReport) {
	fmt.Fprintf(w, "\nbench on %d CPUs (%s), %s\n\n", rep.NumCPU, rep.GOOS, rep.Browser)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "full embedded run (warm binary)\t%.2f s\t%d specs, %s\n", rep.FullRun.WallMs/1000, rep.FullRun.Specs, rep.FullRun.Verdict)
	for _, name := range []string{"syncPA", "PA+CP", "async", "asyncNewBrowser"} {
		l := rep.Flows[name]
		fmt.Fprintf(tw, "flow %s\tp50 %.1f ms\tp95 %.1f ms (n=%d)\n", name, l.P50Ms, l.P95Ms, l.N)
	}
	fmt.Fprintf(tw, "new browser per flow / ours\t%.2fx\t\n", rep.NewBrowserRatio)
	t := rep.Throughput
	fmt.Fprintf(tw, "sandbox PA / net/http floor\t%.0f / %.0f req/s\t%.2f\n", t.SandboxPAReqPerS, t.FloorReqPerS, t.Ratio)
	l := rep.Latency
	fmt.Fprintf(tw, "+%s API latency, --procs=%s, %d specs\tsuite wall %.2f s (command %.2f s)\tlongest spec %.2f s, ratio %.2f\n",
		l.Added, l.Procs, l.Specs, l.WallMs/1000, l.CommandWallMs/1000, l.CriticalPathMs/1000, l.Ratio)
	_ = tw.Flush()
	fmt.Fprintln(w, "\ngoals:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range rep.Goals {
		met := "NOT MET"
		if g.Met {
			met = "met"
		}
		fmt.Fprintf(tw, "  %s\t%.2f\t%s\t%s\n", g.Name, g.Value, g.Target, met)
	}
	_ = tw.Flush()
}
