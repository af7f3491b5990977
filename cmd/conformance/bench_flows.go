package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// Flows measured before the figures are taken: connections, caches and the
// browser's first renderer warm up.
const (
	syncWarmUp  = 5
	asyncWarmUp = 3
)

// asyncBreakdown is the async PAYPAL flow in process, part by part. The parts of a
// flow add up to its total; BrowserStartMs is paid once per process, not per flow.
type asyncBreakdown struct {
	N              int        `json:"n"`
	BrowserStartMs float64    `json:"browserStartMs"`
	Parts          []flowPart `json:"parts"`
	Total          latency    `json:"total"`
}

// flowPart is one part of the async flow over the flows that had it.
type flowPart struct {
	Name string `json:"name"`
	latency
}

// timedPart is one part of one flow.
type timedPart struct {
	name string
	d    time.Duration
}

// flowRig is the in-process setup of the per-flow figures: a sandbox, the
// merchant's shopperResultUrl and an API client.
type flowRig struct {
	client *oppwa.Client
	rcv    *shopper.Receiver
	seq    int
}

// measureFlows measures the sync flows, then starts the browser once and breaks
// the async flow down.
func measureFlows(ctx context.Context, rep *benchReport, o benchOptions) error {
	fmt.Fprintln(os.Stderr, "bench: flows in process")
	rig, stop, err := startFlowRig(ctx)
	if err != nil {
		return fmt.Errorf("bench: flows: %w", err)
	}
	defer stop()
	rep.Flows = map[string]latency{}
	for _, f := range []struct {
		name string
		run  func(context.Context) error
	}{{"syncPA", rig.pa}, {"PA+CP", rig.paCP}} {
		l, err := measureSync(ctx, o.nSync, f.run)
		if err != nil {
			return fmt.Errorf("bench: flow %s: %w", f.name, err)
		}
		rep.Flows[f.name] = l
	}
	t0 := time.Now()
	b, err := browser.Start(ctx, browser.Options{ExecPath: os.Getenv("CHROME_BIN"), RemoteURL: os.Getenv("CHROME_WS_URL")})
	if err != nil {
		return fmt.Errorf("bench: start the browser: %w", err)
	}
	started := time.Since(t0)
	defer func() { _ = b.Close(context.Background()) }()
	rep.Browser = browserInfo(b)
	if rep.AsyncFlow, err = measureAsync(ctx, rig, b, o.n); err != nil {
		return err
	}
	rep.AsyncFlow.BrowserStartMs = ms(started)
	return nil
}

// startFlowRig starts the sandbox and the shopper receiver on loopback; stop ends
// both.
func startFlowRig(ctx context.Context) (rig *flowRig, stop func(), err error) {
	sb, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{NoStatusRateLimit: true})
	if err != nil {
		return nil, nil, fmt.Errorf("start the sandbox: %w", err)
	}
	rcv, err := shopper.Start(ctx, "127.0.0.1:0")
	if err != nil {
		_ = sb.Close(context.Background())
		return nil, nil, fmt.Errorf("start the shopper receiver: %w", err)
	}
	stop = func() {
		_ = rcv.Close(context.Background())
		_ = sb.Close(context.Background())
	}
	cred := sandbox.PublicCredentials()
	client, err := oppwa.New(oppwa.Config{BaseURL: sb.URL, EntityID: cred.EntityID, AccessToken: cred.AccessToken})
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("API client: %w", err)
	}
	return &flowRig{client: client, rcv: rcv}, stop, nil
}

// remoteBrowser stands for the binary of a browser reached at CHROME_WS_URL, which
// bench did not start and cannot name.
const remoteBrowser = "remote (CHROME_WS_URL)"

// browserInfo names the started browser: version and binary.
func browserInfo(b *browser.Browser) benchBrowser {
	return benchBrowser{Version: b.Version(), ExecPath: cmp.Or(b.ExecPath(), remoteBrowser)}
}

// measureSync times n runs of a sync flow after a warm-up.
func measureSync(ctx context.Context, n int, run func(context.Context) error) (latency, error) {
	var ds []time.Duration
	for i := range syncWarmUp + n {
		t0 := time.Now()
		if err := run(ctx); err != nil {
			return latency{}, err
		}
		if i >= syncWarmUp {
			ds = append(ds, time.Since(t0))
		}
	}
	return summarize(durationsMs(ds)), nil
}

// measureAsync runs n async flows after a warm-up and summarizes each part over
// the flows that had it, in the order the parts first appeared.
func measureAsync(ctx context.Context, rig *flowRig, b *browser.Browser, n int) (asyncBreakdown, error) {
	byName := map[string][]time.Duration{}
	var order []string
	var totals []time.Duration
	for i := range asyncWarmUp + n {
		parts, total, err := rig.asyncFlow(ctx, b)
		if err != nil {
			return asyncBreakdown{}, fmt.Errorf("bench: async flow %d: %w", i+1, err)
		}
		if i < asyncWarmUp {
			continue
		}
		for _, p := range parts {
			if _, seen := byName[p.name]; !seen {
				order = append(order, p.name)
			}
			byName[p.name] = append(byName[p.name], p.d)
		}
		totals = append(totals, total)
	}
	out := asyncBreakdown{N: n, Total: summarize(durationsMs(totals))}
	for _, name := range order {
		out.Parts = append(out.Parts, flowPart{Name: name, latency: summarize(durationsMs(byName[name]))})
	}
	return out, nil
}

// asyncFlow runs one async PAYPAL debit as a browser spec does: a session, the
// initial API call, the shopper's journey (approve), the wait for the return and
// the status call. It returns each part's time and the total.
func (r *flowRig) asyncFlow(ctx context.Context, b *browser.Browser) ([]timedPart, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var parts []timedPart
	t0 := time.Now()
	lap := t0
	record := func(name string) {
		now := time.Now()
		parts, lap = append(parts, timedPart{name, now.Sub(lap)}), now
	}
	s, err := b.NewSession(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("new session: %w", err)
	}
	defer s.Close()
	record("new session")
	key := r.nextKey()
	red, err := r.debitPaypal(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	record("initial API call (DB)")
	j, err := s.Follow(ctx, red, r.rcv.Prefix(key), browser.Approve)
	if err != nil {
		return nil, 0, fmt.Errorf("follow the redirect: %w", err)
	}
	now := time.Now()
	parts, lap = append(parts, journeyParts(j, lap, now)...), now
	ret, err := r.rcv.Await(ctx, key)
	if err != nil {
		return nil, 0, fmt.Errorf("await the return: %w", err)
	}
	record("await the shopper's return")
	if err := r.status(ctx, ret.ResourcePath); err != nil {
		return nil, 0, err
	}
	record("status API call")
	return parts, time.Since(t0), nil
}

// journeyParts splits the browser's journey, from start (Follow called) to end
// (Follow returned), at its steps: each part ends when its step was recorded,
// screenshot included, and is named after the steps it runs between.
func journeyParts(j *browser.Journey, start, end time.Time) []timedPart {
	var parts []timedPart
	prev, prevName := start, "open redirect"
	for _, st := range j.Steps {
		parts = append(parts, timedPart{"browser: " + prevName + " → " + st.Name, st.At.Sub(prev)})
		prev, prevName = st.At, st.Name
	}
	return append(parts, timedPart{"browser: " + prevName + " → Follow returns", end.Sub(prev)})
}

// nextKey is a merchantTransactionId (and return key) no earlier flow used.
func (r *flowRig) nextKey() string {
	r.seq++
	return fmt.Sprintf("bench-%d-%d", os.Getpid(), r.seq)
}

// payment is the suites' test payment with brand (fixtures.PaymentParams), under key.
func (r *flowRig) payment(brand, key string) (url.Values, error) {
	c := fixtures.Load()
	b, _ := c.Brand(brand)
	v, _, err := c.PaymentParams(b, b.PaymentCurrency(""))
	if err != nil {
		return nil, err
	}
	v.Set("merchantTransactionId", key)
	return v, nil
}

// pa is a preauthorization that must succeed.
func (r *flowRig) pa(ctx context.Context) error {
	_, err := r.preauthorize(ctx)
	return err
}

// paCP is a preauthorization, then its capture; both must succeed.
func (r *flowRig) paCP(ctx context.Context) error {
	id, err := r.preauthorize(ctx)
	if err != nil {
		return err
	}
	visa, _ := fixtures.Load().Brand("VISA")
	c, err := r.client.Capture(ctx, id, fixtures.TestAmount, visa.PaymentCurrency(""), nil)
	if err != nil {
		return fmt.Errorf("CP: %w", err)
	}
	return wantSuccess("CP", c.Payment.Result.Code)
}

// preauthorize sends a PA and returns the payment's id.
func (r *flowRig) preauthorize(ctx context.Context) (string, error) {
	v, err := r.payment("VISA", r.nextKey())
	if err != nil {
		return "", err
	}
	p, err := r.client.Preauthorize(ctx, v)
	if err != nil {
		return "", fmt.Errorf("PA: %w", err)
	}
	return p.Payment.ID, wantSuccess("PA", p.Payment.Result.Code)
}

// debitPaypal sends the initial DB of an async PAYPAL payment returning to key,
// and returns its redirect.
func (r *flowRig) debitPaypal(ctx context.Context, key string) (oppwa.Redirect, error) {
	v, err := r.payment("PAYPAL", key)
	if err != nil {
		return oppwa.Redirect{}, err
	}
	v.Set("shopperResultUrl", r.rcv.URL(key))
	p, err := r.client.Debit(ctx, v)
	if err != nil {
		return oppwa.Redirect{}, fmt.Errorf("DB PAYPAL: %w", err)
	}
	red := p.Payment.Redirect
	if red == nil {
		return oppwa.Redirect{}, fmt.Errorf("DB PAYPAL answered %s without a redirect", p.Payment.Result.Code)
	}
	return *red, nil
}

// status reads the payment the shopper returned with; it must have succeeded.
func (r *flowRig) status(ctx context.Context, resourcePath string) error {
	st, err := r.client.StatusAt(ctx, resourcePath)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return wantSuccess("status", st.Payment.Result.Code)
}

// wantSuccess fails unless code is in a documented success group: a pending
// 000.200.* starts with 000. too, but the payment has not succeeded yet.
func wantSuccess(what, code string) error {
	if o := fixtures.Load().OutcomeOf(code); o != fixtures.Success {
		return fmt.Errorf("%s answered %s (%s, not success)", what, code, o)
	}
	return nil
}
