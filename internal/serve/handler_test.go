package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve/servetest"
)

var (
	samplesOnce sync.Once
	samples     []flow.Flow
)

// sampleFlows returns n flows of the notebook's generator (n <= 2000),
// drawn once per test binary.
func sampleFlows(t testing.TB, n int) []flow.Flow {
	t.Helper()
	samplesOnce.Do(func() {
		var err error
		if samples, err = SampleFlows(2000, 7); err != nil {
			panic(err)
		}
	})
	return samples[:n]
}

// batchJSON encodes {"flows": [...]} of the given flow objects.
func batchJSON(objects ...string) string {
	return `{"flows": [` + strings.Join(objects, ",\n ") + `]}`
}

// do sends one request to h through a recorder.
func do(h http.Handler, method, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// unsized hides a body's length, as a chunked request does.
type unsized struct{ io.Reader }

func TestHandler(t *testing.T) {
	m := servetest.Model(t)
	flows := sampleFlows(t, 40)
	want := make([]scoring.Result, len(flows))
	if errs := m.ScoreBatch(flows, want, 1); errs != nil {
		t.Fatalf("the sample flows do not score: %v", errs)
	}
	good := make([]string, len(flows))
	for i, f := range flows {
		good[i] = servetest.FlowJSON(t, f, nil)
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	del := func(k string) func(map[string]any) { return func(m map[string]any) { delete(m, k) } }
	negative := servetest.FlowJSON(t, flows[1], set("bytes_sent", -5))
	unknownCategory := servetest.FlowJSON(t, flows[3], set("protocol", "QUIC"))

	h := New(m, Options{MaxBatch: 30, MaxBodyBytes: 16 << 10, Workers: 3})
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		hideLength  bool // send the body without a Content-Length
		code        int
		results     []scoring.Result // for 200 on /v1/score: one for a single flow
		err         string           // a regexp the error message must match
		errors      []flowError      // the invalid flows of a batch (messages matched as regexps)
		allow       string
	}{
		{name: "single", method: "POST", path: "/v1/score", contentType: "application/json", body: good[0], code: 200, results: want[:1]},
		{name: "single-no-content-type", method: "POST", path: "/v1/score", body: good[1], code: 200, results: want[1:2]},
		{name: "single-charset", method: "POST", path: "/v1/score", contentType: "application/json; charset=utf-8", body: good[2], code: 200, results: want[2:3]},
		{name: "single-chunked", method: "POST", path: "/v1/score", body: good[2], hideLength: true, code: 200, results: want[2:3]},
		{name: "batch", method: "POST", path: "/v1/score", contentType: "application/json", body: batchJSON(good[:30]...), code: 200, results: want[:30]},
		{name: "batch-of-one", method: "POST", path: "/v1/score", body: batchJSON(good[5]), code: 200, results: want[5:6]},
		{name: "batch-spaced", method: "POST", path: "/v1/score", body: " \n{ \"flows\" :\n[ " + good[0] + " , " + good[1] + " ] } \n", code: 200, results: want[:2]},
		{name: "batch-escaped-key", method: "POST", path: "/v1/score", body: `{"\u0066lows": [` + good[0] + `]}`, code: 200, results: want[:1]},

		{name: "empty-body", method: "POST", path: "/v1/score", code: 400, err: `^empty body`},
		{name: "blank-body", method: "POST", path: "/v1/score", body: " \n\t", code: 400, err: `^empty body`},
		{name: "invalid-json", method: "POST", path: "/v1/score", body: `{"src_device_type": "workstation",`, code: 400, err: `^invalid JSON: unexpected end of input at byte 34$`},
		{name: "truncated-key", method: "POST", path: "/v1/score", body: `{"duration": 1.0, "bytes_se`, code: 400, err: `^invalid JSON: unexpected end of input at byte 27$`},
		{name: "truncated-value", method: "POST", path: "/v1/score", body: `{"a":`, code: 400, err: `^invalid JSON: unexpected end of input at byte 5$`},
		{name: "not-an-object", method: "POST", path: "/v1/score", body: `[1, 2]`, code: 400, err: `want a JSON object, got an array`},
		{name: "trailing-data", method: "POST", path: "/v1/score", body: good[0] + good[1], code: 400, err: `data after the flow object`},
		{name: "unknown-field", method: "POST", path: "/v1/score", body: servetest.FlowJSON(t, flows[0], set("colour", "red")), code: 400, err: `^colour: unknown field`},
		{name: "missing-field", method: "POST", path: "/v1/score", body: servetest.FlowJSON(t, flows[0], del("duration")), code: 400, err: `^duration: missing`},
		{name: "negative-bytes", method: "POST", path: "/v1/score", body: negative, code: 400, err: `^bytes_sent: -5 is negative`},
		{name: "wrong-type", method: "POST", path: "/v1/score", body: servetest.FlowJSON(t, flows[0], set("hour", "12")), code: 400, err: `^hour: want an integer, got a string`},
		{name: "unknown-category", method: "POST", path: "/v1/score", body: unknownCategory, code: 400, err: `^protocol: unknown category "QUIC"`},
		{name: "batch-invalid-flows", method: "POST", path: "/v1/score", body: batchJSON(good[0], negative, good[2], unknownCategory, "null"), code: 400,
			err: `^3 of 5 flows are invalid; none was scored$`,
			errors: []flowError{
				{1, `^bytes_sent: -5 is negative$`},
				{3, `^protocol: unknown category "QUIC"`},
				{4, `^want a JSON object, got null$`},
			}},
		{name: "batch-not-array", method: "POST", path: "/v1/score", body: `{"flows": {"a": 1}}`, code: 400, err: `^flows: want an array of flow objects, got an object$`},
		{name: "batch-null", method: "POST", path: "/v1/score", body: `{"flows": null}`, code: 400, err: `^flows: want an array of flow objects, got null$`},
		{name: "batch-empty", method: "POST", path: "/v1/score", body: `{"flows": []}`, code: 400, err: `^flows: empty batch$`},
		{name: "batch-extra-key", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `], "x": 1}`, code: 400, err: `^unknown field "x"`},
		{name: "batch-twice", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `], "flows": []}`, code: 400, err: `^flows: given twice$`},
		{name: "batch-invalid-json", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `,]}`, code: 400, err: `^invalid JSON`},
		{name: "batch-truncated", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0], code: 400, err: fmt.Sprintf(`^invalid JSON: unexpected end of input at byte %d$`, len(`{"flows": [`+good[0]))},
		{name: "batch-truncated-in-flow", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0][:20], code: 400, err: `^invalid JSON: unexpected end of input at byte 31$`},
		{name: "batch-truncated-in-key", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `], "x`, code: 400, err: fmt.Sprintf(`^invalid JSON: unexpected end of input at byte %d$`, len(`{"flows": [`+good[0]+`], "x`))},
		{name: "batch-truncated-after-array", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `] `, code: 400, err: fmt.Sprintf(`^invalid JSON: unexpected end of input at byte %d$`, len(`{"flows": [`+good[0]+`] `))},
		{name: "batch-flow-truncated-literal", method: "POST", path: "/v1/score", body: `{"flows": [tru]}`, code: 400, err: `^1 of 1 flows are invalid`,
			errors: []flowError{{0, `^invalid JSON: unexpected end of input at byte 3$`}}},
		{name: "batch-second-value", method: "POST", path: "/v1/score", body: `{"flows": [` + good[0] + `]} {}`, code: 400, err: `^invalid JSON: data after the batch object$`},
		{name: "batch-over-limit", method: "POST", path: "/v1/score", body: batchJSON(good[:31]...), code: 413, err: `^batch of more than 30 flows: send at most 30 per request$`},
		{name: "body-over-limit", method: "POST", path: "/v1/score", body: batchJSON(slicesRepeat(good[0], 70)...), code: 413, err: `^request body larger than the limit of 16384 bytes$`},
		{name: "body-over-limit-chunked", method: "POST", path: "/v1/score", body: batchJSON(slicesRepeat(good[0], 70)...), hideLength: true, code: 413, err: `^request body larger than the limit of 16384 bytes$`},
		{name: "wrong-method", method: "GET", path: "/v1/score", code: 405, err: `^method GET not allowed on /v1/score`, allow: "POST"},
		{name: "wrong-method-put", method: "PUT", path: "/v1/score", body: good[0], code: 405, err: `^method PUT not allowed`, allow: "POST"},
		{name: "healthz-post", method: "POST", path: "/healthz", code: 405, err: `^method POST not allowed on /healthz: use GET$`, allow: "GET, HEAD"},
		{name: "metrics-delete", method: "DELETE", path: "/metrics", code: 405, err: `^method DELETE not allowed on /metrics`, allow: "GET, HEAD"},
		{name: "unknown-path", method: "GET", path: "/v2/score", code: 404, err: `^no endpoint /v2/score \(the endpoints are POST /v1/score, GET /healthz and GET /metrics, and the Open Inference Protocol's under /v2 \(model segharness\)\)$`},
		{name: "root", method: "GET", path: "/", code: 404, err: `^no endpoint /`},
		{name: "wrong-content-type", method: "POST", path: "/v1/score", contentType: "text/plain", body: good[0], code: 415, err: `^Content-Type "text/plain" is not JSON: send application/json$`},
		{name: "form-content-type", method: "POST", path: "/v1/score", contentType: "application/x-www-form-urlencoded", body: good[0], code: 415, err: `is not JSON`},
		{name: "json-suffix-content-type", method: "POST", path: "/v1/score", contentType: "application/vnd.flow+json", body: good[0], code: 200, results: want[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.hideLength {
				body = unsized{body}
			}
			rec := do(h, tt.method, tt.path, tt.contentType, body)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d; body:\n%s", rec.Code, tt.code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if tt.code == 200 {
				var got []scoring.Result
				if strings.HasPrefix(strings.TrimSpace(tt.body), `{"flows"`) || strings.Contains(tt.name, "batch") {
					var br batchResponse
					if err := dec.Decode(&br); err != nil {
						t.Fatal(err)
					}
					got = br.Results
				} else {
					var r scoring.Result
					if err := dec.Decode(&r); err != nil {
						t.Fatal(err)
					}
					got = []scoring.Result{r}
				}
				if diff := cmp.Diff(tt.results, got); diff != "" {
					t.Errorf("results (-want +got):\n%s", diff)
				}
				return
			}
			var eb errorBody
			if err := dec.Decode(&eb); err != nil {
				t.Fatalf("error body: %v", err)
			}
			if !regexp.MustCompile(tt.err).MatchString(eb.Error) {
				t.Errorf("error %q does not match %q", eb.Error, tt.err)
			}
			if len(eb.Errors) != len(tt.errors) {
				t.Fatalf("%d flow errors, want %d: %+v", len(eb.Errors), len(tt.errors), eb.Errors)
			}
			for i, fe := range eb.Errors {
				if fe.Index != tt.errors[i].Index || !regexp.MustCompile(tt.errors[i].Error).MatchString(fe.Error) {
					t.Errorf("flow error %d: %+v, want %+v", i, fe, tt.errors[i])
				}
			}
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestHealthz(t *testing.T) {
	m := servetest.Model(t)
	h := New(m, Options{})
	for _, method := range []string{"GET", "HEAD"} {
		rec := do(h, method, "/healthz", "", nil)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d: %s", method, rec.Code, rec.Body)
		}
		if method == "HEAD" {
			continue
		}
		var got struct {
			Status string             `json:"status"`
			Model  scoring.Provenance `json:"model"`
		}
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Status != "ok" || got.Model != m.Provenance {
			t.Errorf("healthz %+v, want ok and %+v", got, m.Provenance)
		}
	}
}

// TestMetrics checks that /metrics counts requests by endpoint and code,
// flows by risk level, invalid flows and errors, and observes latencies.
func TestMetrics(t *testing.T) {
	m := servetest.Model(t)
	flows := sampleFlows(t, 25)
	h := New(m, Options{})
	results := make([]scoring.Result, len(flows))
	m.ScoreBatch(flows, results, 1)
	byRisk := map[string]int{}
	for _, r := range results {
		byRisk[r.RiskLevel]++
	}
	objects := make([]string, len(flows))
	for i, f := range flows {
		objects[i] = servetest.FlowJSON(t, f, nil)
	}
	for _, o := range objects[:5] {
		if rec := do(h, "POST", "/v1/score", "application/json", strings.NewReader(o)); rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	// 20 more flows in one batch; then two bad requests and an unknown path.
	if rec := do(h, "POST", "/v1/score", "", strings.NewReader(batchJSON(objects[5:]...))); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	bad := servetest.FlowJSON(t, flows[0], func(m map[string]any) { m["duration"] = -1 })
	do(h, "POST", "/v1/score", "", strings.NewReader(bad))
	do(h, "POST", "/v1/score", "", strings.NewReader(batchJSON(bad, objects[0], bad)))
	do(h, "GET", "/nowhere", "", nil)
	do(h, "GET", "/healthz", "", nil)

	rec := do(h, "GET", "/metrics", "", nil)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	text := rec.Body.String()
	want := []string{
		`harness_serve_requests_total{code="200",endpoint="/v1/score"} 6`,
		`harness_serve_requests_total{code="400",endpoint="/v1/score"} 2`,
		`harness_serve_requests_total{code="404",endpoint="other"} 1`,
		`harness_serve_requests_total{code="200",endpoint="/healthz"} 1`,
		`harness_serve_request_duration_seconds_count{endpoint="/v1/score"} 8`,
		`harness_serve_request_duration_seconds_bucket{endpoint="/v1/score",le="+Inf"} 8`,
		`harness_serve_invalid_flows_total 3`,
		`harness_serve_errors_total{reason="invalid_flow"} 2`,
		`harness_serve_errors_total{reason="not_found"} 1`,
		`harness_serve_errors_total{reason="internal"} 0`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	}
	for _, level := range []string{scoring.RiskLow, scoring.RiskMedium, scoring.RiskHigh} {
		want = append(want, fmt.Sprintf(`harness_serve_flows_scored_total{risk_level=%q} %d`, level, byRisk[level]))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grep(text, "harness_serve_"))
	}
}

func grep(text, prefix string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestHandlerRecoversPanic: a model that panics (here, one without its
// parts) gives a 500 with a JSON body, the stack in the log, and the
// handler goes on answering.
func TestHandlerRecoversPanic(t *testing.T) {
	var log bytes.Buffer
	h := New(&scoring.Model{}, Options{Log: &log})
	body := servetest.FlowJSON(t, sampleFlows(t, 1)[0], nil)
	for range 2 {
		rec := do(h, "POST", "/v1/score", "", strings.NewReader(body))
		if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != `{"error":"internal error"}` {
			t.Errorf("status %d, body %s", rec.Code, rec.Body)
		}
	}
	if !strings.Contains(log.String(), "serve: panic answering POST /v1/score: runtime error") {
		t.Errorf("log:\n%s", log.String())
	}
	if rec := do(h, "GET", "/metrics", "", nil); !strings.Contains(rec.Body.String(), `harness_serve_errors_total{reason="internal"} 2`) {
		t.Errorf("/metrics does not count the panics:\n%s", grep(rec.Body.String(), "harness_serve_errors"))
	}
}

func TestIsBatch(t *testing.T) {
	for body, want := range map[string]bool{
		`{"flows": []}`:            true,
		` {  "flows":1}`:           true,
		`{"\u0066lows": []}`:       true,
		`{"flows`:                  false,
		`{"flowsx": []}`:           false,
		`{"bytes_sent": 1}`:        false,
		`{"x": 1, "flows": []}`:    false,
		`["flows"]`:                false,
		``:                         false,
		`{`:                        false,
		`{"fl\"ows": []}`:          false,
		`{"\u0066lows\u0022": []}`: false,
	} {
		if got := isBatch([]byte(body)); got != want {
			t.Errorf("isBatch(%s) = %v, want %v", body, got, want)
		}
	}
}

// benchHandler returns a handler of a model of the notebook's size.
var benchModel = sync.OnceValues(func() (*scoring.Model, error) { return servetest.Fit(servetest.Notebook) })

func benchHandler(b *testing.B) (*Handler, []flow.Flow) {
	m, err := benchModel()
	if err != nil {
		b.Fatal(err)
	}
	return New(m, Options{MaxBodyBytes: 64 << 20}), sampleFlows(b, 1000)
}

// BenchmarkHandlerSingle measures one single-flow request through the
// whole handler (decode, score, encode, metrics), without a network.
func BenchmarkHandlerSingle(b *testing.B) {
	h, flows := benchHandler(b)
	bodies := make([][]byte, len(flows))
	for i, f := range flows {
		bodies[i] = []byte(servetest.FlowJSON(b, f, nil))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/score", bytes.NewReader(bodies[i%len(bodies)]))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHandlerBatch1000 measures a batch of 1,000 flows.
func BenchmarkHandlerBatch1000(b *testing.B) {
	h, flows := benchHandler(b)
	objects := make([]string, len(flows))
	for i, f := range flows {
		objects[i] = servetest.FlowJSON(b, f, nil)
	}
	body := []byte(batchJSON(objects...))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/score", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "flows/s")
}
