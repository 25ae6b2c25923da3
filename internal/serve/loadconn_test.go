package serve

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawServer answers each request read on a connection with the next of
// answers (raw HTTP/1.1 bytes), closing the connection after an answer
// that ends with closeMark. It returns its address.
func rawServer(t *testing.T, answers ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	next := make(chan string, len(answers))
	for _, a := range answers {
		next <- a
	}
	close(next)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					a, ok := <-next
					if !ok {
						return
					}
					body, closing := strings.CutSuffix(a, closeMark)
					if _, err := io.WriteString(c, body); err != nil || closing {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

const closeMark = "<close>"

// loadConn reads responses framed every way HTTP/1.1 frames them, keeps
// the start of an error's body, and reconnects when the server closes the
// connection.
func TestLoadConn(t *testing.T) {
	addr := rawServer(t,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 15\r\n\r\n{\"error\":\"no\"}\n",
		"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 300\r\n\r\n"+strings.Repeat("x", 300),
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nto the end"+closeMark,
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"+closeMark, // closed after: the next request reconnects
		"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
	)
	lc := newLoadConn(addr)
	defer lc.close()
	req := encodeRequest("/v1/score", addr, []byte(`{}`))
	for i, want := range []struct {
		status int
		body   string
		open   bool
	}{
		{200, "", true}, {200, "", true}, {200, "", true},
		{400, `{"error":"no"}` + "\n", true},
		{503, strings.Repeat("x", errBodyLimit), true},
		{200, "", false},
		{204, "", true},
		{200, "", false},
		{200, "", true},
		{201, "", true},
	} {
		status, err := lc.do(req, time.Now().Add(5*time.Second))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if status != want.status || string(lc.errBody) != want.body && status != 200 || (lc.c != nil) != want.open {
			t.Errorf("request %d: status %d, error body %q, open %v; want %d, %q, %v", i, status, lc.errBody, lc.c != nil, want.status, want.body, want.open)
		}
	}
}

// A server that closes an idle connection: the request is sent again on
// a new one. A response cut short or malformed is an error.
func TestLoadConnErrors(t *testing.T) {
	addr := rawServer(t,
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"+closeMark,       // closed, unannounced
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"+closeMark, // on a new connection: the request was sent again
		"HTTP/2 200\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	)
	req := encodeRequest("/", addr, nil)
	lc := newLoadConn(addr)
	defer lc.close()
	if status, err := lc.do(req, time.Now().Add(5*time.Second)); err != nil || status != 200 {
		t.Fatalf("status %d, %v", status, err)
	}
	for _, want := range []string{
		"reading the response: unexpected EOF",
		"reading the response: malformed status line \"HTTP/2 200\"",
		"reading the response: bad Content-Length \"x\"",
		"reading the response: malformed header line \"no colon\"",
		"reading the response: bad chunk size \"zz\"",
	} {
		_, err := lc.do(req, time.Now().Add(5*time.Second))
		if err == nil || err.Error() != want {
			t.Errorf("error %v, want %s", err, want)
		}
	}
}

// A request to a server that does not answer ends at its deadline, with
// an error that names no address.
func TestLoadConnTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lc := newLoadConn(ln.Addr().String())
	defer lc.close()
	_, err = lc.do(encodeRequest("/", "x", nil), time.Now().Add(50*time.Millisecond))
	if err == nil || err.Error() != "read: i/o timeout" {
		t.Errorf("error %v, want read: i/o timeout", err)
	}
}

// A pacer does not wake before the time, and stops for a done context.
func TestPacer(t *testing.T) {
	p := newPacer()
	defer p.close()
	for _, d := range []time.Duration{0, 50 * time.Microsecond, 300 * time.Microsecond, 3 * time.Millisecond} {
		at := time.Now().Add(d)
		if !p.sleepUntil(t.Context(), at) {
			t.Fatal("sleepUntil returned false")
		}
		if now := time.Now(); now.Before(at) {
			t.Errorf("woke %v early", at.Sub(now))
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if p.sleepUntil(ctx, time.Now().Add(time.Hour)) {
		t.Error("sleepUntil returned true for a cancelled context")
	}
}
