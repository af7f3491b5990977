package sandbox

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
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

	s.dispatch(w, r, cleanPath(r.URL.Path))
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
	body := s.trailer(document{{Key: "result", Value: result}}, timestamp(time.Now()), newNDC(""))
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

// readParams reads a request's parameters: the platform reads POST parameters from the
// body only (parameters in the URL of a POST are ignored, so such a request fails
// validation) and GET and DELETE parameters from the query string.
func (s *Sandbox) readParams(w http.ResponseWriter, r *http.Request) (params, bool) {
	if r.Method == http.MethodPost {
		return s.readBody(w, r)
	}
	return parseForm(r.URL.RawQuery), true
}

// readBody reads a form body within the cap. Bodies that are not form-encoded (JSON,
// multipart) carry no parameters the platform would read.
func (s *Sandbox) readBody(w http.ResponseWriter, r *http.Request) (params, bool) {
	if r.ContentLength > s.opts.MaxBodyBytes {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, s.errorBody("", codeStructure, nil))
		return params{}, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		status := http.StatusBadRequest
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			status = http.StatusRequestEntityTooLarge
		}
		s.writeJSON(w, status, s.errorBody("", codeStructure, nil))
		return params{}, false
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "multipart/") {
		return parseForm(""), true
	}
	return parseForm(string(body)), true
}

// authenticate checks the Bearer token and that it owns the entity. A missing token
// is 401, an unknown one 403 (both 800.900.300), a token used with an entity it does
// not own 403 800.900.301, a missing entity a parameter error. The older
// authentication.userId/password login, dropped by the providers in 2020, is refused
// as missing credentials with a parameter error that names the access token.
func (s *Sandbox) authenticate(w http.ResponseWriter, r *http.Request, p params) (string, bool) {
	header := r.Header.Get("Authorization")
	token, ok := bearer(header)
	if !ok {
		a := authRefusal{NoCredentials: header == "", Status: http.StatusUnauthorized, Code: codeAuth}
		if header == "" && (p.has("authentication.userId") || p.has("authentication.password")) {
			a.NoCredentials = false
			a.ParamErrors = []paramError{{Name: "authentication.userId", Message: msgLegacyLogin}}
		}
		s.refuseCredentials(w, a)
		return "", false
	}
	owned, known := s.tokens[token]
	check := tokenCheck{Known: known}
	fire(s, &check)
	if !check.Known {
		s.refuseCredentials(w, authRefusal{Status: http.StatusForbidden, Code: codeAuth})
		return "", false
	}
	entity, perr := entityOf(p)
	if perr != nil {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody("", codeParam, []paramError{*perr}))
		return "", false
	}
	if !check.AnyEntity && !owned[entity] {
		s.refuseCredentials(w, authRefusal{Entity: entity, Status: http.StatusForbidden, Code: codeNoRights})
		return "", false
	}
	return entity, true
}

// entityOf reads the entity of a request: entityId, or authentication.entityId as
// older integrations and a widely used open-source library send it (their remote
// tests passed against the real test system with it, real-platform.md §4). Both may
// be sent when they agree.
func entityOf(p params) (string, *paramError) {
	const legacy = "authentication.entityId"
	entity, alias := p.get("entityId"), p.get(legacy)
	switch {
	case entity != "" && alias != "" && alias != entity:
		return "", &paramError{Name: legacy, Value: alias, Message: msgEntityDiffers}
	case entity == "" && alias != "":
		if !validEntity(alias) {
			return "", &paramError{Name: legacy, Value: alias, Message: msgEntity}
		}
		return alias, nil
	case entity == "" && p.has(legacy):
		return "", &paramError{Name: legacy, Message: msgEmpty}
	case entity == "":
		return "", &paramError{Name: "entityId", Message: msgEmpty}
	case !validEntity(entity):
		return "", &paramError{Name: "entityId", Value: entity, Message: msgEntity}
	}
	return entity, nil
}

// refuseCredentials answers a request refused for its credentials, after the
// authRefusal hook point.
func (s *Sandbox) refuseCredentials(w http.ResponseWriter, a authRefusal) {
	fire(s, &a)
	s.writeJSON(w, a.Status, s.errorReply(fixtures.ReplyAuthError, a.Entity, a.Code, a.ParamErrors))
}

func bearer(h string) (string, bool) {
	const pre = "bearer "
	if len(h) <= len(pre) || !strings.EqualFold(h[:len(pre)], pre) {
		return "", false
	}
	t := strings.TrimSpace(h[len(pre):])
	return t, t != ""
}

// writeJSON encodes a document, after the jsonReply hook point, and writes it with its
// status.
func (s *Sandbox) writeJSON(w http.ResponseWriter, status int, doc document) document {
	doc = s.finalJSON(doc)
	writeDocument(w, status, doc)
	return doc
}

// writeDocument encodes a document as it is and writes it with its status.
func writeDocument(w http.ResponseWriter, status int, doc document) {
	// Documents hold only strings, bools, nil, raw JSON and documents: encoding cannot fail.
	b, _ := doc.MarshalJSON()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
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
