package serve

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segharness/harness/internal/serve/servetest"
)

// TestLoadTest runs a short load test against the handler on an
// httptest server: every scheduled request is sent and succeeds, at about
// the target rate.
func TestLoadTest(t *testing.T) {
	var scored atomic.Int64
	h := New(servetest.Model(t), Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/score" {
			scored.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	rep, err := LoadTest(t.Context(), LoadOptions{URL: srv.URL, Rate: 1000, Duration: time.Second, Requests: 200, Workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Planned != 200 || rep.Sent != 200 || rep.Errors != 0 || rep.Unsent != 0 || len(rep.ErrorCounts) != 0 {
		t.Errorf("planned %d, sent %d, errors %d, unsent %d (%v); want 200 sent without error",
			rep.Planned, rep.Sent, rep.Errors, rep.Unsent, rep.ErrorCounts)
	}
	if n := scored.Load(); n != 200 {
		t.Errorf("the server got %d scoring requests, want 200", n)
	}
	if len(rep.Latencies) != 200 || len(rep.ServiceTimes) != 200 || !slices.IsSorted(rep.Latencies) {
		t.Errorf("%d latencies, %d service times, want 200 of each, sorted", len(rep.Latencies), len(rep.ServiceTimes))
	}
	// 200 requests at 1000/s: the last is due at 199ms. The rate is bounded
	// above by the schedule; below, only loosely, for a loaded machine.
	if r := rep.AchievedRate(); r > 1000*200/199.0+1 || r < 200 {
		t.Errorf("achieved %.1f req/s over %v, want about 1000", r, rep.Elapsed)
	}
	if rep.Elapsed < 199*time.Millisecond {
		t.Errorf("elapsed %v: the schedule was not kept", rep.Elapsed)
	}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^target: http://127\.0\.0\.1:\d+/v1/score at 1000 req/s for 1s \(200 requests, 8 workers\)$`,
		`(?m)^requests: 200 sent, 0 errors, 0 unsent$`,
		`(?m)^achieved: \d+\.\d req/s over \d+\.\d{3}s$`,
		`(?m)^latency \(from scheduled send\): p50 \d+\.\d{3}ms  p90 \d+\.\d{3}ms  p99 \d+\.\d{3}ms  p99\.9 \d+\.\d{3}ms  max \d+\.\d{3}ms$`,
		`(?m)^service time \(from actual send\): p50 `,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("report does not match %s:\n%s", re, out.String())
		}
	}
}

// TestLoadTestDecide loads POST /v1/decide of a handler with a policy
// (LoadOptions.Path): every request goes there and succeeds, and the
// report names the endpoint.
func TestLoadTestDecide(t *testing.T) {
	var decided atomic.Int64
	h := New(servetest.Model(t), Options{Policy: servetest.Policy(t)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/decide" {
			decided.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rep, err := LoadTest(t.Context(), LoadOptions{URL: srv.URL, Path: "/v1/decide", Rate: 1000, Duration: time.Second, Requests: 100, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 100 || rep.Errors != 0 || decided.Load() != 100 || rep.Path != "/v1/decide" {
		t.Errorf("sent %d, errors %d (%v), decided %d, path %q; want 100 decided without error", rep.Sent, rep.Errors, rep.ErrorCounts, decided.Load(), rep.Path)
	}
	var out bytes.Buffer
	rep.Write(&out)
	if re := `(?m)^target: http://127\.0\.0\.1:\d+/v1/decide at 1000 req/s for 1s \(100 requests, 4 workers\)$`; !regexp.MustCompile(re).MatchString(out.String()) {
		t.Errorf("report does not match %s:\n%s", re, out.String())
	}
}

// TestLoadTestErrors: failed requests are counted by message, and the
// test still stops by itself.
func TestLoadTestErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		if n.Add(1)%4 == 0 {
			http.Error(w, `{"error":"no"}`, http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	rep, err := LoadTest(t.Context(), LoadOptions{URL: srv.URL, Rate: 2000, Duration: 50 * time.Millisecond, Workers: 4, Bodies: [][]byte{[]byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Planned != 100 || rep.Sent != 100 || rep.Errors != 25 || rep.ErrorCounts[`status 400: {"error":"no"}`] != 25 {
		t.Errorf("planned %d, sent %d, errors %d (%v); want 100 sent, 25 errors", rep.Planned, rep.Sent, rep.Errors, rep.ErrorCounts)
	}
	var out bytes.Buffer
	rep.Write(&out)
	if !strings.Contains(out.String(), "error: 25 x status 400: {\"error\":\"no\"}\n") {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestLoadTestCancel: a cancelled test reports the requests it did not
// send.
func TestLoadTestCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := LoadTest(ctx, LoadOptions{URL: srv.URL, Rate: 100, Duration: time.Minute, Workers: 2, Bodies: [][]byte{[]byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v after a cancel at 100ms", d)
	}
	if rep.Planned != 6000 || rep.Sent+rep.Unsent != 6000 || rep.Sent > 20 {
		t.Errorf("planned %d, sent %d, unsent %d", rep.Planned, rep.Sent, rep.Unsent)
	}
}

func TestLoadTestRefuses(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, tt := range []struct {
		opts LoadOptions
		err  string
	}{
		{LoadOptions{URL: srv.URL, Rate: 0, Duration: time.Second}, "loadtest: rate 0: want requests per second > 0"},
		{LoadOptions{URL: srv.URL, Rate: 10, Duration: 0}, "loadtest: duration 0s: want > 0"},
		{LoadOptions{URL: srv.URL, Rate: 10, Duration: time.Millisecond}, "loadtest: 10 req/s for 1ms is no request"},
		{LoadOptions{URL: srv.URL, Rate: 10, Duration: time.Second}, "loadtest: GET " + srv.URL + "/healthz: status 404"},
		{LoadOptions{URL: "http://127.0.0.1:1", Rate: 10, Duration: time.Second}, "connection refused"},
		{LoadOptions{URL: srv.URL, Path: "v1/decide", Rate: 10, Duration: time.Second}, `loadtest: path "v1/decide": want an endpoint's path, such as /v1/decide`},
	} {
		_, err := LoadTest(t.Context(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%+v: error %v, want %q", tt.opts, err, tt.err)
		}
	}
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 90: 90, 99: 99, 99.5: 100, 100: 100, 0.1: 1} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one sample = %v", got)
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %v", got)
	}
}
