// Package shopper is the merchant side of the OPPWA asynchronous workflow: a
// loopback HTTP endpoint that serves as the shopperResultUrl. The platform
// sends the shopper's browser there at the end of a redirect flow, with id and
// resourcePath added to the query. The Receiver records every arrival per key,
// so parallel specs can each use their own key, and answers 204 No Content: the
// shop shows no page of its own.
package shopper

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/loopback"
)

// ShopQuery is the merchant's own query that every URL carries. The platform
// must keep it when it adds id and resourcePath.
const ShopQuery = "shop=conformance"

// ErrClosed is returned by Await when the receiver was closed.
var ErrClosed = loopback.ErrClosed

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
	srv *loopback.Server

	mu       sync.Mutex
	arrivals map[string][]Return
	awaited  map[string]int // per key: how many arrivals Await returned
}

// Start listens on addr (for example "127.0.0.1:0") and serves the receiver
// until Close. ctx only bounds the start.
func Start(ctx context.Context, addr string) (*Receiver, error) {
	r := &Receiver{arrivals: map[string][]Return{}, awaited: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/return/{key}", r.handle)
	srv, err := loopback.Start(ctx, addr, mux)
	if err != nil {
		return nil, fmt.Errorf("shopper: %w", err)
	}
	r.srv = srv
	return r, nil
}

// BaseURL is the receiver's root, e.g. http://127.0.0.1:PORT.
func (r *Receiver) BaseURL() string { return r.srv.BaseURL() }

// Prefix is the URL for key without query, e.g.
// http://127.0.0.1:PORT/return/<key>. Use it as returnURLPrefix of
// browser.Session.Follow. The key is path-escaped.
func (r *Receiver) Prefix(key string) string {
	return r.srv.BaseURL() + "/return/" + url.PathEscape(key)
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
	r.mu.Unlock()
	r.srv.Changed()

	// No page: 204 leaves the browser on the platform's last page, so the
	// arrival costs it no new document (about a navigation's CPU per browser
	// spec, make bench). The request is the evidence; the browser driver sees
	// it in the network events (browser.Follow).
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// Await blocks until the browser arrived for key and returns that arrival, or
// returns the error of ctx or ErrClosed. Arrivals are handed out in order: each
// call returns the first arrival for key that no earlier Await returned, so
// two Awaits for the same key return the first and the second arrival. Use
// Returns to see all of them.
func (r *Receiver) Await(ctx context.Context, key string) (Return, error) {
	for {
		next, err := r.srv.Next()
		if err != nil {
			return Return{}, err
		}
		r.mu.Lock()
		if n := r.awaited[key]; n < len(r.arrivals[key]) {
			r.awaited[key] = n + 1
			ret := r.arrivals[key][n]
			r.mu.Unlock()
			return ret, nil
		}
		r.mu.Unlock()
		select {
		case <-next:
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
	if err := r.srv.Close(ctx); err != nil {
		return fmt.Errorf("shopper: %w", err)
	}
	return nil
}
