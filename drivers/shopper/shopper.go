// Package shopper is the merchant side of the OPPWA asynchronous workflow: a
// loopback HTTP endpoint that serves as the shopperResultUrl. The platform
// sends the shopper's browser there at the end of a redirect flow, with id and
// resourcePath added to the query. The Receiver records every arrival per key,
// so parallel specs can each use their own key.
package shopper

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ShopQuery is the merchant's own query that every URL carries. The platform
// must keep it when it adds id and resourcePath.
const ShopQuery = "shop=conformance"

// ErrClosed is returned by Await when the receiver was closed.
var ErrClosed = errors.New("shopper: receiver closed")

// Return is one arrival of the shopper's browser at the shopperResultUrl.
type Return struct {
	Key          string
	ID           string     // the "id" query parameter
	ResourcePath string     // the "resourcePath" query parameter
	Query        url.Values // the whole query (plus form values of a POST)
	Method       string
	At           time.Time
}

// Receiver is the merchant's shopperResultUrl endpoint. It is safe for
// concurrent use.
type Receiver struct {
	srv  *http.Server
	ln   net.Listener
	base string
	done chan struct{}

	mu       sync.Mutex
	arrivals map[string][]Return
	awaited  map[string]int // per key: how many arrivals Await returned
	changed  chan struct{}  // closed and replaced on every arrival
	closed   bool

	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState
}

func (r *Receiver) track(c net.Conn, st http.ConnState) {
	r.connMu.Lock()
	defer r.connMu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(r.conns, c)
		return
	}
	r.conns[c] = st
}

// Start listens on addr (for example "127.0.0.1:0") and serves the receiver
// until Close. ctx only bounds the start.
func Start(ctx context.Context, addr string) (*Receiver, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("shopper: listen on %s: %w", addr, err)
	}
	r := &Receiver{
		ln:       ln,
		base:     "http://" + ln.Addr().String(),
		done:     make(chan struct{}),
		arrivals: map[string][]Return{},
		awaited:  map[string]int{},
		changed:  make(chan struct{}),
		conns:    map[net.Conn]http.ConnState{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/return/{key}", r.handle)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ConnState: r.track}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// BaseURL is the receiver's root, e.g. http://127.0.0.1:PORT.
func (r *Receiver) BaseURL() string { return r.base }

// Prefix is the URL for key without query, e.g.
// http://127.0.0.1:PORT/return/<key>. Use it as returnURLPrefix of
// browser.Session.Follow. The key is path-escaped.
func (r *Receiver) Prefix(key string) string {
	return r.base + "/return/" + url.PathEscape(key)
}

// URL is the shopperResultUrl for key:
// http://127.0.0.1:PORT/return/<key>?shop=conformance. The platform must keep
// the own query when it adds id and resourcePath.
func (r *Receiver) URL(key string) string {
	return r.Prefix(key) + "?" + ShopQuery
}

func (r *Receiver) handle(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost && req.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := req.PathValue("key")
	if key == "" {
		http.NotFound(w, req)
		return
	}
	q := req.URL.Query()
	if req.Method == http.MethodPost {
		if err := req.ParseForm(); err == nil {
			for k, vs := range req.PostForm {
				q[k] = append(q[k], vs...)
			}
		}
	}
	ret := Return{
		Key:          key,
		ID:           q.Get("id"),
		ResourcePath: q.Get("resourcePath"),
		Query:        q,
		Method:       req.Method,
		At:           time.Now(),
	}
	r.mu.Lock()
	r.arrivals[key] = append(r.arrivals[key], ret)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = page.Execute(w, ret)
}

var page = template.Must(template.New("return").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Payment returned to the shop</title>
<style>body{font-family:sans-serif;margin:2em}dt{font-weight:bold}dd{font-family:monospace;margin:0 0 1em}</style></head>
<body><h1>Payment returned to the shop</h1>
<dl><dt>key</dt><dd id="key">{{.Key}}</dd>
<dt>id</dt><dd id="id">{{.ID}}</dd>
<dt>resourcePath</dt><dd id="resourcePath">{{.ResourcePath}}</dd></dl>
</body></html>
`))

// Await blocks until the browser arrived for key and returns that arrival, or
// returns the error of ctx or ErrClosed. Arrivals are handed out in order: each
// call returns the first arrival for key that no earlier Await returned, so
// two Awaits for the same key return the first and the second arrival. Use
// Returns to see all of them.
func (r *Receiver) Await(ctx context.Context, key string) (Return, error) {
	for {
		r.mu.Lock()
		if n := r.awaited[key]; n < len(r.arrivals[key]) {
			r.awaited[key] = n + 1
			ret := r.arrivals[key][n]
			r.mu.Unlock()
			return ret, nil
		}
		changed, closed := r.changed, r.closed
		r.mu.Unlock()
		if closed {
			return Return{}, ErrClosed
		}
		select {
		case <-changed:
		case <-r.done:
		case <-ctx.Done():
			return Return{}, fmt.Errorf("shopper: no return for key %q at %s: %w", key, r.Prefix(key), context.Cause(ctx))
		}
	}
}

// Returns lists every arrival for key so far, oldest first.
func (r *Receiver) Returns(key string) []Return {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Return(nil), r.arrivals[key]...)
}

// Close stops the server (gracefully within ctx, at most 1s, then hard) and
// wakes every Await. Safe to call more than once.
func (r *Receiver) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	close(r.done)
	r.mu.Unlock()
	// Shutdown counts a connection that a client opened but never used as
	// busy for 5s; nobody should arrive during Close, so close those first.
	r.connMu.Lock()
	for c, st := range r.conns {
		if st == http.StateNew {
			_ = c.Close()
		}
	}
	r.connMu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := r.srv.Shutdown(sctx); err != nil {
		if err := r.srv.Close(); err != nil {
			return fmt.Errorf("shopper: close: %w", err)
		}
	}
	return nil
}
