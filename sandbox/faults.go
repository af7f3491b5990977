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

// fault decides whether an API GET answers a fault instead: the apiFault hook point
// first, then the Fail503Share and Fail429Share knobs. It writes the fault and returns
// true when so.
func (s *Sandbox) fault(w http.ResponseWriter, r *http.Request, path string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	f := apiFault{Path: path, Alternate: func() bool { return s.alternating.fault(path) }}
	fire(s, &f)
	if f.Status == 0 && s.opts.Fail503Share+s.opts.Fail429Share > 0 {
		switch x := mrand.Float64(); {
		case x < s.opts.Fail503Share:
			f.Status, f.Code = http.StatusServiceUnavailable, codeDown
		case x < s.opts.Fail503Share+s.opts.Fail429Share:
			f.Status, f.Code = http.StatusTooManyRequests, codeThrottled
		}
		f.RetryAfter = s.retryAfter
	}
	if f.Status == 0 {
		return false
	}
	w.Header().Set("Retry-After", f.RetryAfter)
	s.writeJSON(w, f.Status, s.errorBody("", f.Code, nil))
	return true
}
