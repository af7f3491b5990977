package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// ServeHTTP answers one request. It reads top-down as the platform's pipeline:
//
//	version header and panic guard  every reply says which sandbox answered; no input
//	                                may crash it or leak a Go 500 page
//	normalise the path              a doubled slash (//v1/payments) is served as one
//	latency and faults              API calls only, so robustness knobs never touch
//	                                the shopper's pages; faults hit GETs only
//	route (routes.go)               unknown routes and methods get the error envelope
//	                                (an error page under /connectors/demo/)
//	parse                           POST parameters come from the body only, GET
//	                                parameters from the query string
//	authenticate                    Bearer token plus entityId, before any validation
//	act                             create, operate on or look up a payment
//	write                           ordered JSON, HTTP 200 for success and pending, 400
//	                                for rejections, 4xx/5xx for transport-level refusals
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() {
		s.requests.Add(1)
		s.busy.Add(int64(time.Since(start)))
	}()
	if s.opts.Logf != nil {
		lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			// Only method, path and status: paths never carry card data, and a
			// registration token in a path is masked.
			s.opts.Logf("%s %s -> %d (%s)", r.Method, maskToken(r.URL.EscapedPath()), lw.status, time.Since(start).Round(time.Microsecond))
		}()
		w = lw
	}
	w.Header().Set(VersionHeader, Version)
	defer s.recoverPanic(w)

	path := cleanPath(r.URL.Path)
	s.dispatch(&requestWriter{ResponseWriter: w, method: r.Method, path: path}, r, path)
}

// recoverPanic answers 500 999.999.999 for a request whose handling panicked, so no
// input can crash the sandbox or leak a Go error page. Deferred by ServeHTTP.
func (s *Sandbox) recoverPanic(w http.ResponseWriter) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	if s.opts.Logf != nil {
		s.opts.Logf("sandbox: recovered from panic: %v", v)
	}
	// Built without s.now and without the modes' hooks (no resultBlock or jsonReply
	// point fires), so a fault in either cannot recur here.
	result := resultDocument(s.newResult(codeUndefined, nil))
	body := s.trailer(document{{Key: "result", Value: result}}, replyTime(time.Now()), newNDC(""))
	writeDocument(w, http.StatusInternalServerError, body)
}

// cleanPath collapses repeated slashes and drops a trailing one, without allocating
// in the common case.
func cleanPath(p string) string {
	if !strings.Contains(p, "//") && (len(p) <= 1 || p[len(p)-1] != '/') {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	out := b.String()
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// logWriter remembers the status for the request log.
type logWriter struct {
	http.ResponseWriter
	status int
}

func (l *logWriter) WriteHeader(code int) {
	l.status = code
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// requestWriter carries the request a reply answers to writeJSON, for the wireReply
// hook point: the handlers pass only the writer down, and threading the request
// through every one of them would change them all for this one point.
type requestWriter struct {
	http.ResponseWriter
	method, path string
}

func (w *requestWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maskToken hides the registration token of a /v1/registrations/{id} path for the
// request log: a token pays, so it is kept out of logs like a card number.
func maskToken(path string) string {
	const pre = "/v1/registrations/"
	i := strings.Index(path, pre)
	if i < 0 {
		return path
	}
	rest := path[i+len(pre):]
	id, tail, _ := strings.Cut(rest, "/")
	if tail != "" {
		tail = "/" + tail
	}
	return path[:i+len(pre)] + maskMiddle(id) + tail
}
