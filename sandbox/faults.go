package sandbox

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"time"
)

// Fault knobs exist for robustness tests of clients: latency on every API call and a
// share of API GETs answering 503 or 429. POSTs are never faulted (a faulted POST
// would leave the client unsure whether money moved, which is not what these knobs
// test), nor are the shopper pages.

// delay sleeps for the configured latency, or until the client gives up.
func (s *Sandbox) delay(ctx context.Context) {
	if s.opts.Latency <= 0 {
		return
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// fault decides whether an API GET answers a fault instead; it writes the reply and
// returns true when so.
func (s *Sandbox) fault(w http.ResponseWriter, r *http.Request, path string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if s.defects.on(TolerateRetryAfter) && s.toleratedFault(path) {
		w.Header().Set("Retry-After", "0")
		s.writeJSON(w, http.StatusServiceUnavailable, s.errorBody("", codeDown, nil))
		return true
	}
	if s.opts.Fail503Share <= 0 && s.opts.Fail429Share <= 0 {
		return false
	}
	x := mrand.Float64()
	switch {
	case x < s.opts.Fail503Share:
		w.Header().Set("Retry-After", s.retryAfter)
		s.writeJSON(w, http.StatusServiceUnavailable, s.errorBody("", codeDown, nil))
		return true
	case x < s.opts.Fail503Share+s.opts.Fail429Share:
		w.Header().Set("Retry-After", s.retryAfter)
		s.writeJSON(w, http.StatusTooManyRequests, s.errorBody("", codeThrottled, nil))
		return true
	}
	return false
}

// toleratedFault faults about 30% of GETs but never the same path twice in a row, so
// a client that honours Retry-After with a single retry always gets through.
func (s *Sandbox) toleratedFault(path string) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.lastFault[path] {
		delete(s.lastFault, path)
		return false
	}
	if mrand.Float64() >= 0.3 {
		return false
	}
	if len(s.lastFault) > 10_000 {
		clear(s.lastFault)
	}
	s.lastFault[path] = true
	return true
}
