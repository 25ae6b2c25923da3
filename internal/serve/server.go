package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/segharness/harness/internal/scoring"
)

// Defaults of Server's timeouts.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 10 * time.Second
)

// DefaultAddr is the address harness serve listens on: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// Server serves a Handler over HTTP until its context is cancelled, then
// shuts down gracefully. Zero durations mean the defaults.
type Server struct {
	Handler http.Handler

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// http.Server's.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests once the
	// context is cancelled; those still running then are cut off.
	ShutdownTimeout time.Duration

	// Listening, if set, is called with the listener's address once the
	// server accepts connections (before any request is answered).
	Listening func(net.Addr)
	// Log receives the HTTP server's own errors (such as accept errors
	// and malformed requests). Nil discards them.
	Log io.Writer
}

// NewServer returns a Server of New(m, opts) with the default timeouts,
// logging to opts.Log.
func NewServer(m *scoring.Model, opts Options) *Server {
	return &Server{Handler: New(m, opts), Log: opts.Log}
}

// Run listens on addr (host:port; port 0 picks a free one) and serves
// until ctx is cancelled, then stops accepting connections, lets the
// requests in flight finish for up to ShutdownTimeout, and returns nil.
// An error to listen, to serve, or to finish in time is returned.
func (s *Server) Run(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener of the caller's, which it closes.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	logw := s.Log
	if logw == nil {
		logw = io.Discard
	}
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: orDefault(s.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(s.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(s.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(s.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(logw, "serve: ", 0),
	}
	if ctx.Err() != nil {
		ln.Close()
		return nil
	}
	if s.Listening != nil {
		s.Listening(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served: // Serve failed: it has closed the listener
		return err
	case <-ctx.Done():
	}
	// Shutdown closes the listener, then waits for every connection to be
	// idle: requests in flight run to completion.
	sctx, cancel := context.WithTimeout(context.Background(), orDefault(s.ShutdownTimeout, DefaultShutdownTimeout))
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		<-served
		return fmt.Errorf("shutdown: requests still running after %v were cut off: %w", orDefault(s.ShutdownTimeout, DefaultShutdownTimeout), err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// CheckLoopback returns an error unless addr (host:port) listens on a
// loopback address only: 127.0.0.0/8, ::1 or "localhost". An empty host
// (":8080") listens on every interface and is refused too.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return nil
	}
	if host == "" {
		host = "every interface"
	}
	return fmt.Errorf("%s is not a loopback address (%s is reachable from other machines)", addr, host)
}
