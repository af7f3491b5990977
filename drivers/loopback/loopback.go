// Package loopback is the HTTP server the merchant-side receivers share (the
// shopperResultUrl and the webhook): it listens on a loopback address, lets a
// receiver wake its waiters when something arrives, and closes without waiting
// on connections nobody used.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// ErrClosed is what waits get once the server was closed.
var ErrClosed = errors.New("receiver closed")

// Server serves a receiver's handler on a loopback address. It is safe for
// concurrent use.
type Server struct {
	srv  *http.Server
	base string

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every Changed; closed on Close
	closed  bool

	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState
}

// Start listens on addr (for example "127.0.0.1:0") and serves h until Close.
// ctx only bounds the start.
func Start(ctx context.Context, addr string, h http.Handler) (*Server, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{base: "http://" + ln.Addr().String(), changed: make(chan struct{}), conns: map[net.Conn]http.ConnState{}}
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: s.track}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// BaseURL is the server's root, e.g. http://127.0.0.1:PORT.
func (s *Server) BaseURL() string { return s.base }

// Next is what a wait blocks on: a channel closed by the next Changed or by
// Close; ErrClosed once closed. Take it before looking at the receiver's state,
// so an arrival between the look and the wait is not missed.
func (s *Server) Next() (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	return s.changed, nil
}

// Changed wakes every wait: call it after recording an arrival.
func (s *Server) Changed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) track(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.conns, c)
		return
	}
	s.conns[c] = st
}

// Close stops the server (gracefully within ctx, at most 1s, then hard) and
// wakes every wait. Safe to call more than once.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.changed)
	s.mu.Unlock()
	// Shutdown counts a connection that a client opened but never used as busy
	// for 5s; nobody should arrive during Close, so close those first.
	s.connMu.Lock()
	for c, st := range s.conns {
		if st == http.StateNew {
			_ = c.Close()
		}
	}
	s.connMu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		if err := s.srv.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
	}
	return nil
}
