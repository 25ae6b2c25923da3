package serve

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/serve/servetest"
)

// TestRecoverPanics checks the panic middleware on handlers of its own,
// under the metrics middleware as New stacks them: a panic before the
// response is a JSON 500, logged with its stack and counted; a panic
// after the response began, or of http.ErrAbortHandler, aborts the
// request with http.ErrAbortHandler.
func TestRecoverPanics(t *testing.T) {
	var log bytes.Buffer
	h := New(servetest.Model(t), Options{Log: &log})
	stack := func(f http.HandlerFunc) http.Handler { return h.measure(h.recoverPanics(f)) }
	// serve returns the value the stack panicked with, if any.
	serve := func(handler http.Handler, path string) (rec *httptest.ResponseRecorder, p any) {
		rec = httptest.NewRecorder()
		defer func() { p = recover() }()
		handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec, nil
	}

	rec, p := serve(stack(func(http.ResponseWriter, *http.Request) { panic("boom") }), "/healthz")
	if p != nil {
		t.Fatalf("the panic went through: %v", p)
	}
	if rec.Code != 500 || decodeError(t, rec) != "internal error" {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "serve: panic answering GET /healthz: boom\ngoroutine ") {
		t.Errorf("log:\n%s", log.String())
	}

	// The response has begun: the client must not take it for a whole one.
	log.Reset()
	_, p = serve(stack(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "partial")
		panic("late")
	}), "/v1/score")
	if p != http.ErrAbortHandler {
		t.Errorf("late panic: the middleware panicked with %v, want http.ErrAbortHandler", p)
	}
	if !strings.Contains(log.String(), "serve: panic answering GET /v1/score: late\n") {
		t.Errorf("log:\n%s", log.String())
	}

	// http.ErrAbortHandler goes through as is, neither logged nor counted
	// as an internal error.
	log.Reset()
	_, p = serve(stack(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }), "/metrics")
	if p != http.ErrAbortHandler || log.Len() != 0 {
		t.Errorf("ErrAbortHandler: panicked with %v, log %q", p, log.String())
	}

	text := metricsText(t, h)
	for _, w := range []string{
		`harness_serve_errors_total{reason="internal"} 2`,
		`harness_serve_requests_total{code="500",endpoint="/healthz"} 1`,
		`harness_serve_requests_total{code="200",endpoint="/v1/score"} 1`, // aborted after its 200 began
		`harness_serve_requests_total{code="200",endpoint="/metrics"} 1`,  // aborted before any response
	} {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s:\n%s", w, grep(text, "harness_serve_"))
		}
	}
}

// TestRecoverPanicsOverHTTP: over a real connection, a panic after the
// response began cuts the response short, and the server goes on
// answering.
func TestRecoverPanicsOverHTTP(t *testing.T) {
	h := New(servetest.Model(t), Options{})
	srv := httptest.NewServer(h.measure(h.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			panic("late")
		}
		panic("early")
	}))))
	defer srv.Close()
	// The client sees an error reading the response, or its body.
	if resp, err := srv.Client().Get(srv.URL + "/late"); err == nil {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("the aborted response read whole: %q", b)
		}
	}
	resp, err := srv.Client().Get(srv.URL + "/early")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(b) != "{\"error\":\"internal error\"}\n" {
		t.Errorf("status %d, body %q", resp.StatusCode, b)
	}
}

// TestLimitBodyOverHTTP: a body over the limit without a Content-Length
// is refused with 413 once its reading passes the limit, and the server
// closes the connection rather than read the rest.
func TestLimitBodyOverHTTP(t *testing.T) {
	srv := httptest.NewServer(New(servetest.Model(t), Options{MaxBodyBytes: 1000}))
	defer srv.Close()
	body := `{"flows": [` + strings.Repeat(`{"duration": 1},`, 10000) + `{}]}`
	req, err := http.NewRequest("POST", srv.URL+"/v1/score", unsized{strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !resp.Close || !strings.Contains(string(b), "request body larger than the limit of 1000 bytes") {
		t.Errorf("status %d, Connection: close %v, body %s", resp.StatusCode, resp.Close, b)
	}
}
