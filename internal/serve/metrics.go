package serve

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
)

// Endpoint labels of the request metrics. Every path that is not an
// endpoint counts as endpointOther, so that probes of random paths cannot
// grow the number of series.
const (
	endpointScore   = "/v1/score"
	endpointHealthz = "/healthz"
	endpointMetrics = "/metrics"
	endpointDecide  = "/v1/decide" // served with a policy only (Options.Policy)
	endpointOther   = "other"
)

// endpointOf returns the endpoint label of a request's path.
func endpointOf(path string) string {
	switch path {
	case endpointScore, endpointHealthz, endpointMetrics, endpointDecide:
		return path
	}
	return endpointOther
}

// endpointLabel returns the endpoint label of a request's path: the
// fixed endpoints' (endpointOf), the V2 endpoints' with {name} for the
// model's name, else endpointOther.
func (h *Handler) endpointLabel(path string) string {
	if ep := endpointOf(path); ep != endpointOther {
		return ep
	}
	if l, ok := h.labels[path]; ok {
		return l
	}
	return endpointOther
}

// endpoint creates the latency series of an endpoint label at zero.
func (m *metrics) endpoint(label string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.latByEP[label]; !ok {
		m.latByEP[label] = m.latency.WithLabelValues(label)
	}
}

// Reasons of harness_serve_errors_total: one per kind of error response.
const (
	reasonBadRequest       = "bad_request"            // 400: the body is not a flow or a batch of flows
	reasonInvalidFlow      = "invalid_flow"           // 400: a flow is outside the schema or has an unknown category
	reasonTooLarge         = "too_large"              // 413: body or batch over its limit
	reasonMediaType        = "unsupported_media_type" // 415
	reasonMethod           = "method_not_allowed"     // 405
	reasonNotFound         = "not_found"              // 404
	reasonInternal         = "internal"               // 500: a panic, recovered
	reasonResponseTruncate = "response_write"         // writing the response failed (client gone)
)

// metrics are the handler's Prometheus metrics, in a registry of their own.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec   // endpoint, code
	latency  *prometheus.HistogramVec // endpoint
	flows    *prometheus.CounterVec   // risk_level
	invalid  prometheus.Counter
	errors   *prometheus.CounterVec // reason

	// The decisions of POST /v1/decide, by headline rule (headlines'
	// order) and by rule (reasonBits' order); nil without a policy.
	decisions [len(headlines)]prometheus.Counter
	blockedBy [len(reasonBits)]prometheus.Counter

	// Resolved children of the vectors on the hot path: a label lookup
	// hashes its values, a map read under a read lock does not.
	mu       sync.RWMutex
	reqByKey map[reqKey]prometheus.Counter
	latByEP  map[string]prometheus.Observer
	flowByRL map[string]prometheus.Counter
}

type reqKey struct {
	endpoint string
	code     int
}

// latencyBuckets span a fast single-flow request (tens of microseconds)
// to a large batch (seconds).
var latencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "harness_serve_requests_total",
			Help: "HTTP requests answered, by endpoint (other: any unknown path) and status code.",
		}, []string{"endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "harness_serve_request_duration_seconds",
			Help:    "Time from a request's arrival at the handler to its response written, by endpoint.",
			Buckets: latencyBuckets,
		}, []string{"endpoint"}),
		flows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "harness_serve_flows_scored_total",
			Help: "Flows scored, by risk level.",
		}, []string{"risk_level"}),
		invalid: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "harness_serve_invalid_flows_total",
			Help: "Flows refused: outside the schema, not decodable, or with a category the model does not know.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "harness_serve_errors_total",
			Help: "Error responses by reason: bad_request, invalid_flow, too_large, unsupported_media_type, method_not_allowed, not_found, internal; response_write counts responses the client did not take.",
		}, []string{"reason"}),
		reqByKey: map[reqKey]prometheus.Counter{},
		latByEP:  map[string]prometheus.Observer{},
		flowByRL: map[string]prometheus.Counter{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.flows, m.invalid, m.errors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start, at zero, so that a dashboard's
	// rate() sees them before the first occurrence.
	for _, rl := range []string{scoring.RiskLow, scoring.RiskMedium, scoring.RiskHigh} {
		m.flowByRL[rl] = m.flows.WithLabelValues(rl)
	}
	for _, ep := range []string{endpointScore, endpointHealthz, endpointMetrics, endpointOther} {
		m.latByEP[ep] = m.latency.WithLabelValues(ep)
	}
	for _, r := range []string{reasonBadRequest, reasonInvalidFlow, reasonTooLarge, reasonMediaType,
		reasonMethod, reasonNotFound, reasonInternal, reasonResponseTruncate} {
		m.errors.WithLabelValues(r)
	}
	return m
}

// request records one answered request.
func (m *metrics) request(endpoint string, code int, d time.Duration) {
	m.mu.RLock()
	lat, served := m.latByEP[endpoint]
	if !served { // an endpoint this handler does not serve: /v1/decide without a policy
		endpoint, lat = endpointOther, m.latByEP[endpointOther]
	}
	k := reqKey{endpoint, code}
	c, ok := m.reqByKey[k]
	m.mu.RUnlock()
	if !ok {
		c = m.requests.WithLabelValues(endpoint, strconv.Itoa(code))
		m.mu.Lock()
		m.reqByKey[k] = c
		m.mu.Unlock()
	}
	c.Inc()
	lat.Observe(d.Seconds())
}

// scored records n flows scored at one risk level.
func (m *metrics) scored(riskLevel string, n int) {
	m.mu.RLock()
	c, ok := m.flowByRL[riskLevel]
	m.mu.RUnlock()
	if !ok {
		c = m.flows.WithLabelValues(riskLevel)
		m.mu.Lock()
		m.flowByRL[riskLevel] = c
		m.mu.Unlock()
	}
	c.Add(float64(n))
}

// scoredResults records a batch of results.
func (m *metrics) scoredResults(results []scoring.Result) {
	var low, medium, high int
	for i := range results {
		switch results[i].RiskLevel {
		case scoring.RiskLow:
			low++
		case scoring.RiskMedium:
			medium++
		case scoring.RiskHigh:
			high++
		default:
			m.scored(results[i].RiskLevel, 1)
		}
	}
	for _, c := range []struct {
		level string
		n     int
	}{{scoring.RiskLow, low}, {scoring.RiskMedium, medium}, {scoring.RiskHigh, high}} {
		if c.n > 0 {
			m.scored(c.level, c.n)
		}
	}
}

func (m *metrics) error(reason string) { m.errors.WithLabelValues(reason).Inc() }

// enableDecide adds the metrics of POST /v1/decide, at zero; the handler
// calls it before it serves.
func (m *metrics) enableDecide() {
	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "harness_serve_decisions_total",
		Help: "Flows decided by /v1/decide, by decision (allow, block) and the rule that decided: none when allowed, else the first of allowlist, behaviour, isolation that blocks.",
	}, []string{"decision", "rule"})
	reasons := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "harness_serve_decision_reasons_total",
		Help: "Flows blocked by /v1/decide, by each rule that blocks them (not_allowed, protocol, ports, behaviour, isolated); a flow blocked by several rules counts under each.",
	}, []string{"reason"})
	m.registry.MustRegister(decisions, reasons)
	for i, rule := range headlines {
		decision := DecisionBlock
		if rule == RuleNone {
			decision = DecisionAllow
		}
		m.decisions[i] = decisions.WithLabelValues(decision, rule)
	}
	for i, b := range reasonBits {
		m.blockedBy[i] = reasons.WithLabelValues(b.String())
	}
	m.mu.Lock()
	m.latByEP[endpointDecide] = m.latency.WithLabelValues(endpointDecide)
	m.mu.Unlock()
}

// decided records n flows decided for the same reasons r.
func (m *metrics) decided(r policy.Reason, n int) {
	m.decisions[headline(r)].Add(float64(n))
	for i, b := range reasonBits {
		if r&b != 0 {
			m.blockedBy[i].Add(float64(n))
		}
	}
}
