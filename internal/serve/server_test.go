package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segharness/harness/internal/serve/servetest"
)

// startServer runs s on 127.0.0.1:0 and returns its base URL, and a
// function that cancels its context and returns Run's error.
func startServer(t *testing.T, s *Server) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addrs := make(chan net.Addr, 1)
	s.Listening = func(a net.Addr) { addrs <- a }
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, "127.0.0.1:0") }()
	select {
	case a := <-addrs:
		stop := func() error {
			cancel()
			select {
			case err := <-done:
				return err
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return 30s after its context was cancelled")
				return nil
			}
		}
		return "http://" + a.String(), stop
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	return "", nil
}

// TestServerGracefulShutdown serves real requests on loopback, then
// cancels the context while a request is in flight: the request
// completes, Run returns nil, and the port no longer accepts connections.
func TestServerGracefulShutdown(t *testing.T) {
	m := servetest.Model(t)
	scoring := New(m, Options{})
	entered := make(chan struct{})
	release := make(chan struct{})
	var slow atomic.Int32
	// /slow holds its request until released; anything else is the
	// scoring API.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			slow.Add(1)
			close(entered)
			<-release
			io.WriteString(w, "done")
			return
		}
		scoring.ServeHTTP(w, r)
	})
	base, stop := startServer(t, &Server{Handler: h})

	body := servetest.FlowJSON(t, sampleFlows(t, 1)[0], nil)
	resp, err := http.Post(base+"/v1/score", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(got), `"risk_level"`) {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}

	slowDone := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slowDone <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slowDone <- string(b)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Shutdown waits for the slow request; new connections are refused
	// meanwhile.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections 10s after the context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while a request was in flight", err)
	default:
	}
	close(release)
	if got := <-slowDone; got != "done" {
		t.Errorf("the in-flight request got %q, want done", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestServerShutdownTimeout: a request that outlives ShutdownTimeout is
// cut off and Run says so.
func TestServerShutdownTimeout(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	})
	base, stop := startServer(t, &Server{Handler: h, ShutdownTimeout: 100 * time.Millisecond})
	go func() {
		if resp, err := http.Get(base + "/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	if err := stop(); err == nil || !strings.Contains(err.Error(), "shutdown: requests still running after 100ms were cut off") {
		t.Errorf("Run: %v", err)
	}
}

func TestServerListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &Server{Handler: http.NotFoundHandler()}
	if err := s.Run(t.Context(), ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Run on a port in use: %v", err)
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080":          true,
		"127.1.2.3:80":            true,
		"[::1]:8080":              true,
		"localhost:8080":          true,
		"[::ffff:127.0.0.1]:8080": true,
		":8080":                   false,
		"0.0.0.0:8080":            false,
		"[::]:8080":               false,
		"192.168.1.10:8080":       false,
		"example.com:80":          false,
		"127.0.0.1":               false, // no port
	} {
		if err := CheckLoopback(addr); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}
