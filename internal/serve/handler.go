package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
	DefaultMaxBatch     = 10000
)

// Options configure a Handler. Zero values mean the defaults.
type Options struct {
	// MaxBodyBytes limits a request body; a larger one is refused with
	// 413. Default DefaultMaxBodyBytes. A flow takes about 300 bytes of
	// JSON, so the default admits batches of about 3,500 flows: raise it
	// for batches up to MaxBatch.
	MaxBodyBytes int64
	// MaxBatch limits the flows of one batch request; a larger batch is
	// refused with 413. Default DefaultMaxBatch.
	MaxBatch int
	// Workers is the number of goroutines that decode and score one batch
	// request. Default runtime.GOMAXPROCS(0).
	Workers int
	// Log receives the stack of every panic the handler recovers from.
	// Nil discards them.
	Log io.Writer
	// ModelName names the model in the Open Inference Protocol's paths
	// (/v2/models/<name>/infer). Default DefaultModelName.
	ModelName string
	// Policy, if set, is the segmentation policy POST /v1/decide enforces
	// (without it, the handler has no such endpoint). It must fit the
	// model (CheckPolicy; LoadPolicy checks it) and not be modified while
	// the handler is in use.
	Policy *policy.Policy
}

func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.ModelName == "" {
		o.ModelName = DefaultModelName
	}
	return o
}

// Handler answers the scoring API (see the package documentation). It is
// safe for concurrent use.
type Handler struct {
	model   *scoring.Model
	opts    Options
	metrics *metrics
	health  []byte            // the body of GET /healthz, which does not change
	routes  []route           // the endpoints
	v2      *v2               // the Open Inference Protocol's state
	labels  map[string]string // the metrics label of each V2 path
	mux     *http.ServeMux
	root    http.Handler // the mux under the middlewares

	logMu sync.Mutex
}

// route is an endpoint: the method and path of its http.ServeMux pattern,
// its handler with the middlewares of its own, the advice of a 405, and
// its metrics label.
type route struct {
	method, path string
	handler      http.Handler
	advice       string
	label        string // the endpoint label of its metrics
}

// endpoint is a route's handler as registered on the mux. The type tells
// the requests the mux routes to an endpoint from those it answers itself.
type endpoint struct{ http.Handler }

// New returns the handler of the scoring API for m, which must not be
// modified while the handler is in use.
func New(m *scoring.Model, opts Options) *Handler {
	h := &Handler{model: m, opts: opts.withDefaults(), metrics: newMetrics()}
	health, err := json.Marshal(struct {
		Status string             `json:"status"`
		Model  scoring.Provenance `json:"model"`
	}{"ok", m.Provenance})
	if err != nil {
		panic(fmt.Sprintf("serve: encoding the model's provenance: %v", err)) // plain strings and numbers: not reached
	}
	h.health = append(health, '\n')
	prom := promhttp.HandlerFor(h.metrics.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	h.routes = []route{
		{http.MethodPost, endpointScore, h.requireJSON(h.limitBody(http.HandlerFunc(h.score))), `POST a flow or {"flows": [...]}`, endpointScore},
		{http.MethodGet, endpointHealthz, http.HandlerFunc(h.healthz), "use GET", endpointHealthz}, // a GET pattern takes HEAD too
		{http.MethodGet, endpointMetrics, prom, "use GET", endpointMetrics},
	}
	h.v2 = newV2(h.opts.ModelName)
	h.labels = map[string]string{}
	for _, rt := range h.v2Routes() {
		h.routes = append(h.routes, rt)
		h.labels[rt.path] = rt.label
		h.metrics.endpoint(rt.label)
	}
	if h.opts.Policy != nil {
		h.routes = slices.Insert(h.routes, 1, route{http.MethodPost, endpointDecide, h.requireJSON(h.limitBody(http.HandlerFunc(h.decide))), `POST a flow or {"flows": [...]}`, endpointDecide})
		h.metrics.enableDecide()
	}
	h.mux = http.NewServeMux()
	for _, rt := range h.routes {
		h.mux.Handle(rt.method+" "+rt.path, endpoint{rt.handler})
	}
	// Every request is measured, then recovered from, then routed.
	h.root = h.measure(h.recoverPanics(http.HandlerFunc(h.route)))
	return h
}

// ServeHTTP serves a request through the middlewares and the mux.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.root.ServeHTTP(w, r)
}

// route serves r as the mux routes it. A request the mux routes to an
// endpoint goes to it. Any other gets the mux's own answer as a JSON
// error: a 405 with the mux's Allow header, else a 404, for a path that
// is no endpoint and also for one not in canonical form (//healthz,
// /v1/./score), which the mux would redirect to its clean form: the API
// has exact paths only.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	next, pattern := h.mux.Handler(r)
	if _, ok := next.(endpoint); ok {
		// Served directly rather than through h.mux.ServeHTTP, which would
		// match the request a second time; the endpoints take no path
		// wildcards, so the pattern is all the mux would have set.
		r.Pattern = pattern
		next.ServeHTTP(w, r)
		return
	}
	var ans muxAnswer
	next.ServeHTTP(&ans, r)
	if ans.code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", ans.header.Get("Allow"))
		h.fail(w, http.StatusMethodNotAllowed, reasonMethod,
			"method "+r.Method+" not allowed on "+truncate(r.URL.Path, 200)+": "+h.advice(r.URL.Path, ans.header.Get("Allow")))
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/models/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		if name != h.v2.name {
			h.fail(w, http.StatusNotFound, reasonNotFound,
				fmt.Sprintf("unknown model %q: this server serves %q", truncate(name, 100), h.v2.name))
			return
		}
	}
	h.fail(w, http.StatusNotFound, reasonNotFound,
		fmt.Sprintf("no endpoint %s (the endpoints are %s)", truncate(r.URL.Path, 200), h.endpointList()))
}

// advice returns what the 405 on path advises.
func (h *Handler) advice(path, allow string) string {
	for _, rt := range h.routes {
		if rt.path == path {
			return rt.advice
		}
	}
	return "use " + allow // not reached: the mux answers 405 on an endpoint's path only
}

// endpointList names the endpoints: "POST /v1/score, GET /healthz and
// GET /metrics, and the Open Inference Protocol's under /v2 (model
// segharness)".
func (h *Handler) endpointList() string {
	var own []string
	for _, rt := range h.routes {
		if _, v2 := h.labels[rt.path]; !v2 {
			own = append(own, rt.method+" "+rt.path)
		}
	}
	last := len(own) - 1
	list := own[last]
	if last > 0 {
		list = strings.Join(own[:last], ", ") + " and " + list
	}
	return fmt.Sprintf("%s, and the Open Inference Protocol's under /v2 (model %s)", list, h.v2.name)
}

// muxAnswer records the status code and header of the mux's own answer
// to a request it routes to no endpoint, and discards its plain-text
// body.
type muxAnswer struct {
	header http.Header
	code   int
}

func (a *muxAnswer) Header() http.Header {
	if a.header == nil {
		a.header = http.Header{}
	}
	return a.header
}

func (a *muxAnswer) WriteHeader(code int) {
	if a.code == 0 {
		a.code = code
	}
}

func (a *muxAnswer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return len(b), nil
}

// errorBody is every error response: the problem, and for a batch one
// entry per invalid flow.
type errorBody struct {
	Error  string      `json:"error"`
	Errors []flowError `json:"errors,omitempty"`
}

// flowError is the problem with one flow of a batch, by its index.
type flowError struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

// fail answers an error.
func (h *Handler) fail(w http.ResponseWriter, code int, reason, msg string) {
	h.metrics.error(reason)
	if !writeJSON(w, code, errorBody{Error: msg}) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// healthz answers GET /healthz.
func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, http.StatusOK, h.health)
}

// score answers POST /v1/score, under requireJSON and limitBody.
func (h *Handler) score(w http.ResponseWriter, r *http.Request) {
	buf := getBuffer()
	defer putBuffer(buf)
	body, ok := h.readFlows(w, r, buf)
	if !ok {
		return
	}
	if isBatch(body) {
		h.scoreBatch(w, body)
		return
	}
	var res scoring.Result
	f, err := scoring.DecodeFlow(body)
	if err == nil {
		err = h.model.Score(&f, &res)
	}
	if err != nil {
		h.metrics.invalid.Inc()
		reason := reasonBadRequest
		if _, ok := errors.AsType[*scoring.FieldError](err); ok {
			reason = reasonInvalidFlow
		}
		h.fail(w, http.StatusBadRequest, reason, err.Error())
		return
	}
	h.metrics.scored(res.RiskLevel, 1)
	if !writeAnswer(w, http.StatusOK, &res) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// readFlows reads the body of /v1/score or /v1/decide (a flow or a
// batch) into buf and returns it; when it cannot be read, or is empty, it
// answers the request and returns false.
func (h *Handler) readFlows(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) ([]byte, bool) {
	if !h.readBody(w, r, buf) {
		return nil, false
	}
	body := buf.Bytes()
	if len(bytes.TrimSpace(body)) == 0 {
		h.fail(w, http.StatusBadRequest, reasonBadRequest, `empty body: want a flow object or {"flows": [...]}`)
		return nil, false
	}
	return body, true
}

// readBody reads r's body into buf; when it cannot (413 over the body
// limit, else 400) it answers the request and returns false. The
// endpoints that take a body share it.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) bool {
	if _, err := buf.ReadFrom(r.Body); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.tooLarge(w)
			return false
		}
		h.fail(w, http.StatusBadRequest, reasonBadRequest, "reading the request body: "+err.Error())
		return false
	}
	return true
}

func (h *Handler) tooLarge(w http.ResponseWriter) {
	h.fail(w, http.StatusRequestEntityTooLarge, reasonTooLarge,
		fmt.Sprintf("request body larger than the limit of %d bytes", h.opts.MaxBodyBytes))
}

// batchResponse is a scored batch.
type batchResponse struct {
	Results []scoring.Result `json:"results"`
}

// chunk is the number of flows of a batch a worker takes at a time.
const chunk = 64

// scoreBatch answers a batch: 200 and every flow's result in order when
// every flow scores, otherwise 400 listing every invalid flow.
func (h *Handler) scoreBatch(w http.ResponseWriter, body []byte) {
	raws, ok := h.splitBatch(w, body)
	if !ok {
		return
	}
	results := make([]scoring.Result, len(raws))
	if !h.eachFlow(w, raws, func(i int, f *flow.Flow) error { return h.model.Score(f, &results[i]) }) {
		return
	}
	h.metrics.scoredResults(results)
	if !writeAnswer(w, http.StatusOK, batchResponse{results}) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// splitBatch is splitBatch (the function) answering its error itself: it
// returns the batch's flows, or false once it has answered.
func (h *Handler) splitBatch(w http.ResponseWriter, body []byte) ([][]byte, bool) {
	raws, code, err := splitBatch(body, h.opts.MaxBatch)
	if err != nil {
		reason := reasonBadRequest
		if code == http.StatusRequestEntityTooLarge {
			reason = reasonTooLarge
		}
		h.fail(w, code, reason, err.Error())
		return nil, false
	}
	return raws, true
}

// eachFlow decodes the batch's flows and hands each to do (with its
// index), chunk by chunk across the handler's workers. When any flow
// fails to decode or in do, it answers 400 listing every invalid flow by
// its index and returns false: a batch is taken whole or not at all.
func (h *Handler) eachFlow(w http.ResponseWriter, raws [][]byte, do func(i int, f *flow.Flow) error) bool {
	n := len(raws)
	errs := make([]error, n)
	var failed, next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(chunk)) - chunk
			if lo >= n {
				return
			}
			for i := lo; i < min(lo+chunk, n); i++ {
				f, err := scoring.DecodeFlow(raws[i])
				if err == nil {
					err = do(i, &f)
				}
				if err != nil {
					errs[i] = err
					failed.Add(1)
				}
			}
		}
	}
	workers := min(h.opts.Workers, (n+chunk-1)/chunk)
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()

	k := int(failed.Load())
	if k == 0 {
		return true
	}
	h.metrics.invalid.Add(float64(k))
	h.metrics.error(reasonInvalidFlow)
	eb := errorBody{
		Error:  fmt.Sprintf("%d of %d flows are invalid; none was scored", k, n),
		Errors: make([]flowError, 0, k),
	}
	for i, err := range errs {
		if err != nil {
			eb.Errors = append(eb.Errors, flowError{Index: i, Error: err.Error()})
		}
	}
	if !writeJSON(w, http.StatusBadRequest, eb) {
		h.metrics.error(reasonResponseTruncate)
	}
	return false
}

// splitBatch checks that body is {"flows": [v, ...]} with at most max
// values and returns each value's bytes, slices of body. It checks the
// batch's structure only: each value's own syntax is for
// scoring.DecodeFlow to judge, so that an invalid flow is reported by its
// index. A batch of another shape or that is not JSON is a 400, too many
// flows a 413.
//
// It scans by hand rather than with encoding/json's Decoder, which takes
// a third of a batch's time to find where the flows begin and end.
func splitBatch(body []byte, max int) (raws [][]byte, code int, err error) {
	p := batchScanner{b: body}
	defer func() {
		if err != nil && code == 0 {
			code = http.StatusBadRequest
		}
	}()
	if err := p.expect('{'); err != nil {
		return nil, 0, err
	}
	if key, err := p.key(); err != nil {
		return nil, 0, err
	} else if key != "flows" { // isBatch has checked it
		return nil, 0, fmt.Errorf(`unknown field %q: a batch is {"flows": [...]}`, truncate(key, 100))
	}
	p.space()
	if c := p.peek(); c != '[' {
		if c < 0 {
			return nil, 0, p.syntax("an array of flow objects")
		}
		return nil, 0, fmt.Errorf("flows: want an array of flow objects, got %s", describeValue(byte(c)))
	}
	p.i++
	p.space()
	if p.peek() == ']' {
		p.i++
	} else {
		for {
			if len(raws) == max {
				return nil, http.StatusRequestEntityTooLarge,
					fmt.Errorf("batch of more than %d flows: send at most %d per request", max, max)
			}
			start := p.i
			if err := p.skipValue(); err != nil {
				return nil, 0, err
			}
			raws = append(raws, body[start:p.i])
			p.space()
			if p.peek() == ',' {
				p.i++
				p.space()
				continue
			}
			if err := p.expect(']'); err != nil {
				return nil, 0, err
			}
			break
		}
	}
	p.space()
	if p.peek() == ',' {
		p.i++
		key, err := p.key()
		switch {
		case err != nil:
			return nil, 0, err
		case key == "flows":
			return nil, 0, errors.New("flows: given twice")
		}
		return nil, 0, fmt.Errorf(`unknown field %q: a batch is {"flows": [...]}`, truncate(key, 100))
	}
	if err := p.expect('}'); err != nil {
		return nil, 0, err
	}
	p.space()
	if p.i < len(body) {
		return nil, 0, errors.New("invalid JSON: data after the batch object")
	}
	if len(raws) == 0 {
		return nil, 0, errors.New("flows: empty batch")
	}
	return raws, http.StatusOK, nil
}

// batchScanner reads the structure of a batch.
type batchScanner struct {
	b []byte
	i int
}

// peek returns the next byte, or -1 at the end.
func (p *batchScanner) peek() int {
	if p.i < len(p.b) {
		return int(p.b[p.i])
	}
	return -1
}

func (p *batchScanner) space() { p.i = skipSpace(p.b, p.i) }

// syntax describes the byte at the scanner's position, where want was
// expected.
func (p *batchScanner) syntax(want string) error {
	if p.i >= len(p.b) {
		return p.end()
	}
	return fmt.Errorf("invalid JSON: invalid character %s at byte %d, want %s", quoteByte(p.b[p.i]), p.i, want)
}

// end reports a batch that ends early: truncated at its length, as
// scoring.DecodeFlow reports a flow that ends early.
func (p *batchScanner) end() error {
	return fmt.Errorf("invalid JSON: unexpected end of input at byte %d", len(p.b))
}

func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// expect skips spaces and the byte c.
func (p *batchScanner) expect(c byte) error {
	p.space()
	if p.peek() != int(c) {
		return p.syntax(strconv.QuoteRune(rune(c)))
	}
	p.i++
	return nil
}

// key reads an object key and its colon.
func (p *batchScanner) key() (string, error) {
	p.space()
	if p.peek() != '"' {
		return "", p.syntax("a string (an object key)")
	}
	start := p.i
	if err := p.skipString(); err != nil {
		return "", err
	}
	raw := p.b[start:p.i]
	key := string(raw[1 : len(raw)-1])
	if bytes.IndexByte(raw, '\\') >= 0 {
		if err := json.Unmarshal(raw, &key); err != nil {
			return "", fmt.Errorf("invalid JSON: object key at byte %d: %s", start, strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return key, p.expect(':')
}

// skipString skips the string that starts at the scanner's position.
func (p *batchScanner) skipString() error {
	for j := p.i + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case '\\':
			j++
		case '"':
			p.i = j + 1
			return nil
		}
	}
	p.i = len(p.b)
	return p.end()
}

// skipValue skips the value that starts at the scanner's position: a
// string, an object or array up to its matching close, or a scalar up to
// the next delimiter. The value's own syntax is not checked.
func (p *batchScanner) skipValue() error {
	switch p.peek() {
	case -1:
		return p.syntax("a flow object")
	case '"':
		return p.skipString()
	case '{', '[':
		depth := 0
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '"':
				if err := p.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return nil
				}
			}
			p.i++
		}
		return p.end()
	case ',', ']', '}', ':':
		return p.syntax("a flow object")
	}
	start := p.i
	for p.i < len(p.b) && !isDelimiter(p.b[p.i]) {
		p.i++
	}
	if p.i == start {
		return p.syntax("a flow object")
	}
	return nil
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}', ':', '{', '[', '"':
		return true
	}
	return false
}

// describeValue names the JSON type of a value by its first byte.
func describeValue(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	}
	return "invalid JSON " + quoteByte(c)
}

// isBatch reports whether body is a JSON object whose first key is
// "flows": a batch. Anything else is taken for a single flow, which
// scoring.DecodeFlow checks.
func isBatch(body []byte) bool {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if i >= len(body) || body[i] != '"' {
		return false
	}
	escaped := false
	j := i + 1
	for ; j < len(body) && body[j] != '"'; j++ {
		if body[j] == '\\' {
			escaped = true
			j++
		}
	}
	if j >= len(body) {
		return false
	}
	if !escaped {
		return string(body[i+1:j]) == "flows"
	}
	var key string
	return json.Unmarshal(body[i:j+1], &key) == nil && key == "flows"
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// isJSON reports whether a Content-Type names JSON: application/json or
// a +json type, with any parameters.
func isJSON(ct string) bool {
	if ct == "application/json" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Buffers for request bodies and responses. One that grew past
// maxPooledBuffer (a large batch) is left to the garbage collector.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}

// writeJSON writes v as the response and reports whether the client took
// all of it.
func writeJSON(w http.ResponseWriter, code int, v any) bool {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("serve: encoding a response: %v", err)) // results hold finite numbers and strings: not reached
	}
	return writeBody(w, code, buf.Bytes())
}

func writeBody(w http.ResponseWriter, code int, body []byte) bool {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, err := w.Write(body)
	return err == nil
}
