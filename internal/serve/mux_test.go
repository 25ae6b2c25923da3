package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/serve/servetest"
)

// decodeError decodes a JSON error response, failing the test unless it is
// one: Content-Type application/json and exactly {"error": "..."}.
func decodeError(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	var eb errorBody
	if err := dec.Decode(&eb); err != nil {
		t.Fatalf("error body: %v", err)
	}
	if eb.Errors != nil {
		t.Errorf("flow errors %+v", eb.Errors)
	}
	return eb.Error
}

// metricsText returns the body of h's GET /metrics.
func metricsText(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := do(h, "GET", "/metrics", "", nil)
	if rec.Code != 200 {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	return rec.Body.String()
}

// TestMethodNotAllowed sends every other method to each endpoint: a 405
// from the mux, its Allow header listing the endpoint's methods, with the
// JSON error body and reason of every error response, counted under the
// endpoint.
func TestMethodNotAllowed(t *testing.T) {
	h := New(servetest.Model(t), Options{})
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE"}
	endpoints := []struct {
		path   string
		allow  string
		advice string
	}{
		{"/v1/score", "POST", `POST a flow or \{"flows": \[\.\.\.\]\}`},
		{"/healthz", "GET, HEAD", "use GET"},
		{"/metrics", "GET, HEAD", "use GET"},
	}
	want := map[string]int{} // 405s by endpoint
	for _, ep := range endpoints {
		for _, method := range methods {
			if slices.Contains(strings.Split(ep.allow, ", "), method) {
				continue
			}
			t.Run(ep.path+"/"+method, func(t *testing.T) {
				rec := do(h, method, ep.path, "application/json", strings.NewReader(`{}`))
				want[ep.path]++
				if rec.Code != http.StatusMethodNotAllowed {
					t.Fatalf("status %d, want 405; body:\n%s", rec.Code, rec.Body)
				}
				if got := rec.Header().Get("Allow"); got != ep.allow {
					t.Errorf("Allow %q, want %q", got, ep.allow)
				}
				msg := decodeError(t, rec)
				if re := "^method " + method + " not allowed on " + ep.path + ": " + ep.advice + "$"; !regexp.MustCompile(re).MatchString(msg) {
					t.Errorf("error %q does not match %q", msg, re)
				}
			})
		}
	}
	text := metricsText(t, h)
	total := 0
	for _, ep := range endpoints {
		total += want[ep.path]
		if w := fmt.Sprintf(`harness_serve_requests_total{code="405",endpoint=%q} %d`, ep.path, want[ep.path]); !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	if w := fmt.Sprintf(`harness_serve_errors_total{reason="method_not_allowed"} %d`, total); !strings.Contains(text, w) {
		t.Errorf("/metrics lacks %s:\n%s", w, grep(text, "harness_serve_"))
	}
}

// TestUnknownPath: any other path, under any method, is a JSON 404 that
// lists the endpoints, counted under "other". Paths the mux would
// redirect to a clean form that is an endpoint (//healthz, /v1/./score)
// are no exception: the API has exact paths only.
func TestUnknownPath(t *testing.T) {
	h := New(servetest.Model(t), Options{})
	paths := []string{
		"/", "/v2/score", "/v1", "/v1/", "/v1/score/", "/v1/score/x", "/V1/SCORE",
		"/healthz/", "/healthzz", "/metrics/", "/favicon.ico",
		"//healthz", "/healthz/.", "/v1/./score", "/v1//score", "/x/../metrics", "/v1/score/..",
	}
	n := 0
	for _, path := range paths {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			t.Run(method+path, func(t *testing.T) {
				rec := do(h, method, path, "", nil)
				n++
				if rec.Code != http.StatusNotFound {
					t.Fatalf("status %d, want 404; Location %q, body:\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
				}
				for _, k := range []string{"Allow", "Location"} {
					if v := rec.Header().Get(k); v != "" {
						t.Errorf("%s %q", k, v)
					}
				}
				want := "no endpoint " + path + " (the endpoints are POST /v1/score, GET /healthz and GET /metrics, and the Open Inference Protocol's under /v2 (model segharness))"
				if msg := decodeError(t, rec); msg != want {
					t.Errorf("error %q, want %q", msg, want)
				}
			})
		}
	}
	text := metricsText(t, h)
	for _, w := range []string{
		fmt.Sprintf(`harness_serve_requests_total{code="404",endpoint="other"} %d`, n),
		fmt.Sprintf(`harness_serve_errors_total{reason="not_found"} %d`, n),
	} {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s:\n%s", w, grep(text, "harness_serve_"))
		}
	}
}

// TestRoutesOverHTTP checks routing through a real server, where the
// request line is parsed by net/http: an escaped path that names an
// endpoint routes to it, and a non-canonical one is a 404, not a
// redirect.
func TestRoutesOverHTTP(t *testing.T) {
	srv := httptest.NewServer(New(servetest.Model(t), Options{}))
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for path, code := range map[string]int{
		"/healthz":        200,
		"/heal%74hz":      200,
		"//healthz":       404,
		"/v1/../healthz":  404,
		"/healthz%2F":     404,
		"/v1%2Fscore":     404,
		"/metrics?x=1":    200,
		"/nowhere?x=/../": 404,
	} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != code || resp.Header.Get("Location") != "" {
			t.Errorf("GET %s: status %d, Location %q, want %d", path, resp.StatusCode, resp.Header.Get("Location"), code)
		}
	}
}
