package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"
)

// fakeClock is a settable clock shared with the sandbox.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestStatusRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	h := start(t, Options{clock: clock.now})
	id := h.pa().str("id")
	other := h.pa().str("id")
	for i := 0; i < 2; i++ {
		if r := h.status(id); r.status != 200 {
			t.Fatalf("lookup %d: %d", i+1, r.status)
		}
	}
	r := h.status(id)
	if r.status != http.StatusTooManyRequests || r.code() != codeThrottled || r.header.Get("Retry-After") != "60" {
		t.Fatalf("third lookup: %d %v %s", r.status, r.header.Get("Retry-After"), r.raw)
	}
	if r := h.status(other); r.status != 200 {
		t.Errorf("the limit is per transaction: %d", r.status)
	}
	for i := 0; i < 5; i++ {
		if r := h.query(id); r.status != 200 {
			t.Fatalf("/v1/query is not limited: %d", r.status)
		}
	}
	clock.add(30 * time.Second)
	if r := h.status(id); r.status != 429 || r.header.Get("Retry-After") != "30" {
		t.Errorf("still limited after 30s: %d %s", r.status, r.header.Get("Retry-After"))
	}
	clock.add(31 * time.Second)
	if r := h.status(id); r.status != 200 {
		t.Errorf("a minute later: %d", r.status)
	}

	off := start(t, Options{NoStatusRateLimit: true})
	id = off.pa().str("id")
	for i := 0; i < 10; i++ {
		if r := off.status(id); r.status != 200 {
			t.Fatalf("NoStatusRateLimit: lookup %d got %d", i+1, r.status)
		}
	}
}

func TestFaultsHitAPIGETsOnly(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   Options
		status int
		retry  string
	}{
		{"503", Options{Fail503Share: 1}, 503, "1"},
		{"429", Options{Fail429Share: 1, RetryAfter: 3 * time.Second}, 429, "3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, c.opts)
			pa := h.pa()
			if pa.status != 200 {
				t.Fatalf("POSTs are never faulted: %s", pa.raw)
			}
			for _, path := range []string{"/v1/payments/" + pa.str("id") + "?entityId=" + pub.EntityID, "/v1/query/" + pa.str("id") + "?entityId=" + pub.EntityID, "/v1/resultcodes"} {
				r := h.do("GET", path, "", nil)
				if r.status != c.status || r.header.Get("Retry-After") != c.retry || r.code() == "" {
					t.Errorf("GET %s: %d %q %s", path, r.status, r.header.Get("Retry-After"), r.raw)
				}
			}
			if cp := h.post("/v1/payments/"+pa.str("id"), "paymentType", "CP", "amount", "1.00", "currency", "EUR"); cp.status != 200 {
				t.Errorf("backoffice POST: %d", cp.status)
			}
			a := h.post("/v1/payments", asyncParams("PAYPAL")...)
			if pg := h.page("GET", a.str("redirect.url"), a.redirectParams()); pg.status != 200 {
				t.Errorf("checkout pages are never faulted: %d", pg.status)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	h := start(t, Options{Latency: 40 * time.Millisecond})
	t0 := time.Now()
	a := h.post("/v1/payments", asyncParams("PAYPAL")...)
	if d := time.Since(t0); d < 40*time.Millisecond {
		t.Errorf("API call took %v", d)
	}
	t0 = time.Now()
	h.page("GET", a.str("redirect.url"), a.redirectParams())
	if d := time.Since(t0); d >= 40*time.Millisecond {
		t.Errorf("pages get no latency, took %v", d)
	}
}

func TestBodyCap(t *testing.T) {
	h := start(t, Options{MaxBodyBytes: 1024})
	big := h.form(visa("customParameters[padding]", strings.Repeat("x", 2000))...)
	r := h.do("POST", "/v1/payments", big, nil)
	if r.status != http.StatusRequestEntityTooLarge || r.code() != codeStructure {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	// Without a Content-Length the cap still applies while reading.
	req, _ := http.NewRequest("POST", h.srv.URL+"v1/payments", struct{ *strings.Reader }{strings.NewReader(big)})
	req.Header.Set("Authorization", "Bearer "+pub.AccessToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d", resp.StatusCode)
	}
	if r := h.pa(); r.status != 200 {
		t.Errorf("small bodies pass: %s", r.raw)
	}
}

func TestStoreIsBounded(t *testing.T) {
	h := start(t, Options{MaxPayments: 3, NoStatusRateLimit: true})
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, h.pa("merchantTransactionId", "bounded").str("id"))
	}
	st := h.srv.Sandbox.Stats()
	if st.Payments != 3 || st.Evicted != 2 || st.ByPaymentType["PA"] != 3 {
		t.Errorf("stats %+v", st)
	}
	if r := h.status(ids[0]); r.code() != codeNotFound {
		t.Errorf("oldest evicted: %s", r.raw)
	}
	if r := h.status(ids[4]); r.code() != codeSuccess {
		t.Errorf("newest kept: %s", r.raw)
	}
	q := h.do("GET", "/v1/query?entityId="+pub.EntityID+"&merchantTransactionId=bounded", "", nil)
	if list, _ := q.get("payments").([]any); len(list) != 3 {
		t.Errorf("index follows eviction: %s", q.raw)
	}
}

func TestCheckoutExpires(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := start(t, Options{clock: clock.now, NoStatusRateLimit: true})
	a := h.post("/v1/payments", asyncParams("PAYPAL")...)
	clock.add(31 * time.Minute)
	if r := h.status(a.str("id")); r.code() != codeTimedOut {
		t.Errorf("after 30 minutes: %s", r.raw)
	}
	if pg := h.page("GET", a.str("redirect.url"), a.redirectParams()); pg.status != 400 {
		t.Errorf("expired page: %d", pg.status)
	}
}

func TestRecoverAnswersEnvelope(t *testing.T) {
	var boom atomic.Bool
	clock := func() time.Time {
		if boom.Load() {
			panic("boom")
		}
		return time.Now()
	}
	var logged atomic.Int32
	// A mode that rewords descriptions shows the recovery path runs no mode hooks.
	sb, err := New(Options{clock: clock, Logf: func(string, ...any) { logged.Add(1) }, Defects: []string{modes.TolerateDescriptions}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	h := &harness{t: t, base: srv.URL, client: srv.Client(), cred: pub}
	id := h.pa().str("id")
	boom.Store(true)
	// The status lookup reads the clock while holding the store lock.
	for _, r := range []reply{h.pa(), h.status(id)} {
		if r.status != 500 || r.code() != codeUndefined || r.header.Get(VersionHeader) != Version ||
			strings.HasPrefix(r.str("result.description"), "Sandbox wording") {
			t.Errorf("%d %s", r.status, r.raw)
		}
	}
	if logged.Load() == 0 {
		t.Error("the panic should be logged")
	}
	boom.Store(false)
	if r := h.status(id); r.status != 200 {
		t.Errorf("the sandbox keeps serving after a panic under its lock: %d %s", r.status, r.raw)
	}
}

func TestLogNeverCarriesSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	h := start(t, Options{Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, strings.TrimSpace(strings.ReplaceAll(sprintf(f, a...), "\n", " ")))
	}})
	id := h.pa().str("id")
	h.status(id)
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 2 {
		t.Fatalf("lines %v", lines)
	}
	for _, l := range lines {
		if strings.Contains(l, "4200000000000000") || strings.Contains(l, pub.AccessToken) || strings.Contains(l, "entityId") {
			t.Errorf("log line leaks: %s", l)
		}
	}
}

func TestGracefulClose(t *testing.T) {
	srv, err := Start(context.Background(), "127.0.0.1:0", Options{Latency: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		h := &harness{t: t, base: strings.TrimSuffix(srv.URL, "/"), client: http.DefaultClient, cred: pub}
		req, _ := http.NewRequest("POST", h.base+"/v1/payments", strings.NewReader(h.form(visa()...)))
		req.Header.Set("Authorization", "Bearer "+pub.AccessToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond)
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != 200 {
		t.Errorf("request in flight during Close: %d", got)
	}
	if _, err := http.Get(srv.URL + "v1/resultcodes"); err == nil {
		t.Error("still serving after Close")
	}
	// Cancelling Start's context shuts down too.
	ctx, cancel := context.WithCancel(context.Background())
	srv2, err := Start(ctx, "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := http.Get(srv2.URL + "v1/resultcodes"); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("context cancel did not stop the server")
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(context.Background(), "127.0.0.1:0", Options{Defects: []string{"no-such-mode"}}); err == nil {
		t.Error("unknown defect accepted")
	}
	if _, err := New(Options{Credentials: []Credential{{EntityID: "short", AccessToken: "x"}}}); err == nil {
		t.Error("bad credential accepted")
	}
	if _, err := New(Options{Fail503Share: 2}); err == nil {
		t.Error("share > 1 accepted")
	}
	srv, err := Start(context.Background(), "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	if _, err := Start(context.Background(), strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/"), Options{}); err == nil {
		t.Error("busy port accepted")
	}
}

func TestWildcardListenerURL(t *testing.T) {
	srv, err := Start(context.Background(), ":0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", srv.URL)
	}
	resp, err := http.Get(srv.URL + "v1/resultcodes")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestParseCredentials(t *testing.T) {
	got, err := ParseCredentials(" 0123456789abcdef0123456789abcdef:tok1 ,fedcba9876543210fedcba9876543210:tok:2")
	if err != nil || len(got) != 2 || got[1].AccessToken != "tok:2" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseCredentials("nope:secret"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad pair: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	id := h.pa("amount", "1000.00").str("id")
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if r := h.post("/v1/payments/"+id, "paymentType", "CP", "amount", "10.00", "currency", "EUR"); r.code() == codeSuccess {
					ok.Add(1)
				}
				h.status(id)
				h.pa()
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 100 {
		t.Errorf("exactly 100 captures of 10.00 fit a 1000.00 PA, got %d", ok.Load())
	}
}

func TestStatsCountRequestsAndBusyTime(t *testing.T) {
	h := start(t, Options{Latency: 5 * time.Millisecond})
	h.pa()
	h.do("GET", "/v1/resultcodes", "", nil)
	h.do("GET", "/nowhere", "", nil)
	// A large reply can reach the client before the handler has returned and counted.
	st := h.srv.Sandbox.Stats()
	for deadline := time.Now().Add(time.Second); st.Requests < 3 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		st = h.srv.Sandbox.Stats()
	}
	if st.Requests != 3 || st.Busy < 10*time.Millisecond {
		t.Errorf("requests %d busy %s: want 3 requests and at least the two API calls' latency", st.Requests, st.Busy)
	}
}
