package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Server is a Sandbox listening on a real socket.
type Server struct {
	// URL is the base URL, ending in "/" as OPPWA base URLs do (http://127.0.0.1:port/).
	URL     string
	Sandbox *Sandbox
	srv     *http.Server
	done    chan struct{}
}

// Start builds a Sandbox and serves it on addr ("127.0.0.1:0" picks a free port) in
// the background. Cancelling ctx shuts the server down gracefully, as Close does.
func Start(ctx context.Context, addr string, opts Options) (*Server, error) {
	sb, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           sb,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	s := &Server{URL: "http://" + dialAddr(ln.Addr()) + "/", Sandbox: sb, srv: srv, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	if ctx != nil && ctx.Done() != nil {
		go func() {
			select {
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = s.Close(sctx)
			case <-s.done:
			}
		}()
	}
	return s, nil
}

// Close shuts the server down gracefully: it stops accepting, lets requests in flight
// finish until ctx ends, then closes what is left.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	<-s.done
	s.Sandbox.Close()
	return err
}

// dialAddr is the address clients should use: a wildcard listener (":0", "0.0.0.0")
// is reached on the loopback address.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
