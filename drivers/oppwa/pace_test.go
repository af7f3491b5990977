package oppwa

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// countingServer answers every request with a success and counts what it served, by path.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var served, queries atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/v1/query" {
			queries.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"8a82944a5fe82704015fff6cf5e572b4","result":{"code":"000.100.110","description":"ok"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &served, &queries
}

// At one request an hour, only the burst (one request) is served before a deadline;
// the others are refused before they are sent, never retried, never reconciled, and
// count as environment failures. Copies of the client share the pace.
func TestPaceServesOnlyTheBurstBeforeTheDeadline(t *testing.T) {
	srv, served, queries := countingServer(t)
	c, err := New(Config{BaseURL: srv.URL, EntityID: "e", AccessToken: "token-123456", RatePerSecond: 1.0 / 3600})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Status(ctx, "a"); err != nil {
		t.Fatalf("first request, within the burst: %v", err)
	}
	copyOf := c.WithRecorder(func(Exchange) {})
	_, errGet := copyOf.Status(ctx, "b")
	_, errPost := c.Debit(ctx, url.Values{"merchantTransactionId": {"m-1"}})
	for name, err := range map[string]error{"GET": errGet, "POST": errPost} {
		var ns *notSentError
		if !errors.As(err, &ns) || !outcome.IsEnvironment(err) {
			t.Errorf("%s beyond the pace: %v, want a not-sent environment error", name, err)
		}
	}
	if n := served.Load(); n != 1 || queries.Load() != 0 {
		t.Errorf("served %d requests (%d reconciliations), want the burst of 1 and none", n, queries.Load())
	}
}

// N requests at rate R with burst 1 take at least (N-1)/R. Only the lower bound is
// asserted: a slow machine may take longer.
func TestPaceSpacesRequests(t *testing.T) {
	srv, served, _ := countingServer(t)
	const n, perSecond = 5, 40.0
	c, err := New(Config{BaseURL: srv.URL, EntityID: "e", AccessToken: "token-123456", RatePerSecond: perSecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := c.Status(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
	}
	minimum := time.Duration(float64(n-1) / perSecond * float64(time.Second))
	if took := time.Since(start); took < minimum-time.Millisecond {
		t.Errorf("%d requests at %g/s took %v, want at least %v", n, perSecond, took, minimum)
	}
	if served.Load() != n {
		t.Errorf("served %d, want %d", served.Load(), n)
	}
}

func TestNoPaceByDefault(t *testing.T) {
	srv, served, _ := countingServer(t)
	c, _ := New(Config{BaseURL: srv.URL, EntityID: "e", AccessToken: "token-123456"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 20; i++ {
		if _, err := c.Status(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if served.Load() != 20 {
		t.Errorf("served %d, want 20", served.Load())
	}
	if c.pace != nil {
		t.Error("a client configured without a rate paces its requests")
	}
}
