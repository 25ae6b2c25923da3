package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve/servetest"
)

// TestHeadline pins the headline rule and the rule names of every kind
// of reason set. The names are policy.Reason's (internal/policy/decide.go:
// not_allowed, protocol, ports, behaviour, isolated, in bit order); the
// headline is the first family that blocks in the order allow-list,
// behaviour, isolation (the package documentation, POST /v1/decide).
func TestHeadline(t *testing.T) {
	tests := []struct {
		reasons policy.Reason
		rule    string
		rules   []string
	}{
		{0, RuleNone, []string{}},
		{policy.NotAllowed, RuleAllowList, []string{"not_allowed"}},
		{policy.Protocol, RuleAllowList, []string{"protocol"}},
		{policy.Ports, RuleAllowList, []string{"ports"}},
		{policy.Protocol | policy.Ports, RuleAllowList, []string{"protocol", "ports"}},
		{policy.Protocol | policy.Behaviour, RuleAllowList, []string{"protocol", "behaviour"}},
		{policy.NotAllowed | policy.Isolated, RuleAllowList, []string{"not_allowed", "isolated"}},
		{policy.Behaviour, RuleBehaviour, []string{"behaviour"}},
		{policy.Behaviour | policy.Isolated, RuleBehaviour, []string{"behaviour", "isolated"}},
		{policy.Isolated, RuleIsolation, []string{"isolated"}},
		{policy.NotAllowed | policy.Protocol | policy.Ports | policy.Behaviour | policy.Isolated, RuleAllowList,
			[]string{"not_allowed", "protocol", "ports", "behaviour", "isolated"}},
	}
	for _, tt := range tests {
		if got := headlines[headline(tt.reasons)]; got != tt.rule {
			t.Errorf("%v: headline %q, want %q", tt.reasons, got, tt.rule)
		}
		if got := ruleNames[tt.reasons]; !slices.Equal(got, tt.rules) || got == nil {
			t.Errorf("%v: rules %q, want %q", tt.reasons, got, tt.rules)
		}
	}
}

// wantDecision is what POST /v1/decide must answer for f, computed from
// the model and the policy directly: the score is m.Score's (what POST
// /v1/score answers), the reasons p.Decide's on the score's anomaly
// probability (internal/runner/policy.go passes the detector's
// probability of each test flow), the rule names policy.Reason's String,
// the headline the first blocking family in the order allow-list,
// behaviour, isolation, and the actions policy.Actions of the risk level
// (as internal/runner/incident.go lists them).
func wantDecision(t testing.TB, m *scoring.Model, p *policy.Policy, f flow.Flow) Decision {
	t.Helper()
	var res scoring.Result
	if err := m.Score(&f, &res); err != nil {
		t.Fatalf("the flow does not score: %v", err)
	}
	r := p.Decide(&f, res.AnomalyProbability).Reasons
	d := Decision{Decision: "allow", Rule: "none", Rules: []string{}, Result: res, reasons: r,
		Actions: policy.Actions(res.RiskLevel, f.SrcDepartment, f.SrcDeviceType)}
	if r != 0 {
		d.Decision, d.Rules = "block", strings.Split(r.String(), "|")
		switch {
		case r&(policy.NotAllowed|policy.Protocol|policy.Ports) != 0:
			d.Rule = "allowlist"
		case r&policy.Behaviour != 0:
			d.Rule = "behaviour"
		default:
			d.Rule = "isolation"
		}
	}
	return d
}

// decisionFlows returns flows of the Small model's data that exercise
// every rule of the Small policy, by name, with the rule each must
// trigger (0: allowed): edits of sample flows, crafted from the policy's
// own rules, so that the rule fires whatever the sample.
func decisionFlows(t *testing.T, m *scoring.Model, p *policy.Policy) (names []string, flows []flow.Flow, must []policy.Reason) {
	t.Helper()
	add := func(name string, f flow.Flow, r policy.Reason) {
		names, flows, must = append(names, name), append(flows, f), append(must, r)
	}
	samples := sampleFlows(t, 2000)
	// An allowed flow, LOW: the first sample the policy lets through.
	var base flow.Flow
	found := false
	for _, f := range samples {
		var res scoring.Result
		if m.Score(&f, &res) == nil && res.RiskLevel == scoring.RiskLow && p.Decide(&f, res.AnomalyProbability).Reasons == 0 {
			base, found = f, true
			break
		}
	}
	if !found {
		t.Fatal("no sample flow is allowed")
	}
	add("allowed", base, 0)

	// The policy's segments are department/device type (DefaultConfig).
	split := func(id string) (dept, device string) {
		d, dev, _ := strings.Cut(id, "/")
		return d, dev
	}
	route := func(f flow.Flow, from, to string) flow.Flow {
		f.SrcDepartment, f.SrcDeviceType = split(from)
		f.DstDepartment, f.DstDeviceType = split(to)
		f.SameDept, f.CrossDept = nil, nil // derived from the departments
		return f
	}
	ruled := map[[2]string]bool{}
	for _, r := range p.Allow {
		ruled[[2]string{r.From, r.To}] = true
	}
	// not_allowed: a pair of known segments without a rule.
	func() {
		for _, a := range p.Segments {
			for _, b := range p.Segments {
				if !ruled[[2]string{a.ID, b.ID}] {
					add("not-allowed", route(base, a.ID, b.ID), policy.NotAllowed)
					return
				}
			}
		}
		t.Fatal("every segment pair has a rule")
	}()
	// protocol: a rule's pair over a protocol it does not list; ports: a
	// rule's pair over its protocol, one port beyond its bound.
	for _, r := range p.Allow {
		if len(r.Protocols) == len(flow.Protocols) {
			continue
		}
		f := route(base, r.From, r.To)
		for _, proto := range flow.Protocols {
			if !slices.Contains(r.Protocols, proto) {
				f.Protocol = proto
				break
			}
		}
		f.PortsContacted = min(f.PortsContacted, r.MaxPorts)
		add("protocol", f, policy.Protocol)
		g := route(base, r.From, r.To)
		g.Protocol, g.PortsContacted = r.Protocols[0], r.MaxPorts+1
		add("ports", g, policy.Ports)
		break
	}
	// behaviour: the allowed flow sending a terabyte (with clusters).
	if p.Clusters != nil {
		b := base
		b.BytesSent = 1e12
		add("behaviour", b, policy.Behaviour)
	}
	// isolated: the notebook's crypto-mining incident flow
	// (experiments/incident.yaml), which the model scores HIGH.
	inc := base
	inc.SrcDepartment, inc.SrcDeviceType, inc.DstDepartment, inc.DstDeviceType = "accounting", "workstation", "it", "server"
	inc.SameDept, inc.CrossDept = nil, nil
	inc.Protocol, inc.BytesSent, inc.PacketsSent, inc.Duration = "TCP", 5e7, 35000, 7200
	inc.Hour, inc.IsBusinessHours, inc.CPUUsage, inc.PortsContacted = 23, false, 95, 12
	add("incident", inc, policy.Isolated)
	// Every sample flow the model scores HIGH, so that isolation is
	// exercised on the generator's own anomalies too.
	var high []flow.Flow
	for i, f := range samples[:500] {
		var res scoring.Result
		if m.Score(&f, &res) == nil && res.RiskLevel == scoring.RiskHigh {
			add(fmt.Sprintf("sample-%d-high", i), f, policy.Isolated)
			high = append(high, f)
		}
	}
	// isolation-only: a HIGH flow moved onto a rule that allows its
	// protocol and ports. The generator's anomalies are also outside the
	// behaviour clusters, so only a policy without clusters (noClusters)
	// has such a flow.
	for _, f := range high[:min(len(high), 20)] {
		for _, r := range p.Allow {
			if !slices.Contains(r.Protocols, f.Protocol) || f.PortsContacted > r.MaxPorts {
				continue
			}
			g := route(f, r.From, r.To)
			var res scoring.Result
			if m.Score(&g, &res) == nil && p.Decide(&g, res.AnomalyProbability).Reasons == policy.Isolated {
				add("isolation-only", g, policy.Isolated)
				return names, flows, must
			}
		}
	}
	return names, flows, must
}

// noClusters is a policy of the Small model's training flows without the
// behaviour rule and with a port margin of 20, under which some flows
// are blocked by isolation alone.
var noClusters = sync.OnceValues(func() (*policy.Policy, error) {
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters, cfg.PortMargin = 0, 20
	return servetest.FitPolicy(servetest.Small, cfg)
})

// TestDecide posts single flows and batches to POST /v1/decide: each
// answer is wantDecision's, and each crafted flow is blocked by the rule
// it was made for.
func TestDecide(t *testing.T) {
	nc, err := noClusters()
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range []struct {
		name string
		p    *policy.Policy
	}{{"default", servetest.Policy(t)}, {"no-clusters", nc}} {
		t.Run(pol.name, func(t *testing.T) { testDecide(t, pol.p) })
	}
}

func testDecide(t *testing.T, p *policy.Policy) {
	m := servetest.Model(t)
	h := New(m, Options{Policy: p, Workers: 3})
	names, flows, must := decisionFlows(t, m, p)
	want := make([]Decision, len(flows))
	bodies := make([]string, len(flows))
	for i, f := range flows {
		want[i] = wantDecision(t, m, p, f)
		if want[i].reasons&must[i] != must[i] || must[i] == 0 && want[i].reasons != 0 {
			t.Fatalf("%s: the policy's reasons are %v, the flow was made for %v", names[i], want[i].reasons, must[i])
		}
		bodies[i] = servetest.FlowJSON(t, f, nil)
	}
	if n := len(flows); n < 8 {
		t.Fatalf("%d flows", n)
	}
	ignore := cmpopts.IgnoreUnexported(Decision{})
	for i := range flows {
		t.Run(names[i], func(t *testing.T) {
			rec := do(h, "POST", "/v1/decide", "application/json", strings.NewReader(bodies[i]))
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			var got Decision
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[i], got, ignore); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
	// The same flows in one batch, and in batches that the workers split
	// into chunks.
	for _, n := range []int{1, len(flows)} {
		for lo := 0; lo < len(flows); lo += n {
			hi := min(lo+n, len(flows))
			rec := do(h, "POST", "/v1/decide", "", strings.NewReader(batchJSON(bodies[lo:hi]...)))
			if rec.Code != 200 {
				t.Fatalf("batch [%d, %d): status %d: %s", lo, hi, rec.Code, rec.Body)
			}
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			var got decideResponse
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[lo:hi], got.Decisions, ignore); diff != "" {
				t.Errorf("batch [%d, %d) (-want +got):\n%s", lo, hi, diff)
			}
		}
	}
	// A large batch, which every worker takes chunks of.
	many := sampleFlows(t, 700)
	objects := make([]string, len(many))
	wantMany := make([]Decision, len(many))
	for i, f := range many {
		objects[i] = servetest.FlowJSON(t, f, nil)
		wantMany[i] = wantDecision(t, m, p, f)
	}
	rec := do(h, "POST", "/v1/decide", "", strings.NewReader(batchJSON(objects...)))
	var got decideResponse
	if rec.Code != 200 {
		t.Fatalf("batch of 700: status %d: %.300s", rec.Code, rec.Body)
	}
	if err := json.NewDecoder(rec.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMany, got.Decisions, ignore); diff != "" {
		t.Errorf("batch of 700 (-want +got):\n%s", diff)
	}
}

// TestDecideExample pins one answer's JSON, field by field, as
// internal/serve/doc.go documents it: a HIGH flow blocked by several
// rules, with the five actions.
func TestDecideExample(t *testing.T) {
	m, p := servetest.Model(t), servetest.Policy(t)
	h := New(m, Options{Policy: p})
	_, flows, must := decisionFlows(t, m, p)
	var f flow.Flow
	for i := range flows {
		if must[i] == policy.Isolated {
			f = flows[i] // the incident flow
			break
		}
	}
	rec := do(h, "POST", "/v1/decide", "", strings.NewReader(servetest.FlowJSON(t, f, nil)))
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("status %d: %v: %s", rec.Code, err, rec.Body)
	}
	keys := topLevelKeys(rec.Body.Bytes())
	wantKeys := []string{"decision", "rule", "rules", "anomaly_probability", "is_anomaly", "risk_level",
		"recommended_action", "most_likely_attack_type", "attack_confidence", "actions"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("keys %q, want %q", keys, wantKeys)
	}
	if got["decision"] != "block" || got["risk_level"] != "HIGH" || !slices.Contains(got["rules"].([]any), any("isolated")) {
		t.Errorf("answer %s", rec.Body)
	}
	// The five actions of policy.Actions("HIGH", "accounting", "workstation").
	actions, _ := json.Marshal(got["actions"])
	want := `[{"kind":"isolate_source","step":1,"target":"accounting/workstation","text":"Isolate source device (accounting workstation)"},` +
		`{"kind":"block_outbound","step":2,"target":"accounting/workstation","text":"Block all outbound connections from the source"},` +
		`{"kind":"monitor_segment","step":3,"target":"accounting","text":"Monitor all devices in the accounting segment"},` +
		`{"kind":"alert","step":4,"target":"security_team","text":"Alert the security team for incident response"},` +
		`{"kind":"forensic","step":5,"target":"accounting/workstation","text":"Preserve logs and network flows"}]`
	if string(actions) != want {
		t.Errorf("actions\n%s\nwant\n%s", actions, want)
	}
	t.Logf("example answer: %s", rec.Body)
}

// TestDecideErrorsAsScore sends every kind of bad request to POST
// /v1/decide and to POST /v1/score of the same handler: the two answer
// alike, status, headers and body, byte for byte (the errors TestHandler
// pins for /v1/score).
func TestDecideErrorsAsScore(t *testing.T) {
	m := servetest.Model(t)
	h := New(m, Options{Policy: servetest.Policy(t), MaxBatch: 30, MaxBodyBytes: 16 << 10, Workers: 3})
	flows := sampleFlows(t, 40)
	good := make([]string, len(flows))
	for i, f := range flows {
		good[i] = servetest.FlowJSON(t, f, nil)
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	negative := servetest.FlowJSON(t, flows[1], set("bytes_sent", -5))
	unknownCategory := servetest.FlowJSON(t, flows[3], set("protocol", "QUIC"))
	tests := []struct {
		name        string
		contentType string
		body        string
		hideLength  bool
		code        int
	}{
		{"empty-body", "", "", false, 400},
		{"blank-body", "", " \n\t", false, 400},
		{"invalid-json", "", `{"src_device_type": "workstation",`, false, 400},
		{"not-an-object", "", `[1, 2]`, false, 400},
		{"trailing-data", "", good[0] + good[1], false, 400},
		{"unknown-field", "", servetest.FlowJSON(t, flows[0], set("colour", "red")), false, 400},
		{"missing-field", "", servetest.FlowJSON(t, flows[0], func(m map[string]any) { delete(m, "duration") }), false, 400},
		{"negative-bytes", "", negative, false, 400},
		{"wrong-type", "", servetest.FlowJSON(t, flows[0], set("hour", "12")), false, 400},
		{"cpu-over-100", "", servetest.FlowJSON(t, flows[0], set("cpu_usage", 120)), false, 400},
		{"unknown-category", "", unknownCategory, false, 400},
		{"batch-invalid-flows", "", batchJSON(good[0], negative, good[2], unknownCategory, "null"), false, 400},
		{"batch-not-array", "", `{"flows": {"a": 1}}`, false, 400},
		{"batch-null", "", `{"flows": null}`, false, 400},
		{"batch-empty", "", `{"flows": []}`, false, 400},
		{"batch-extra-key", "", `{"flows": [` + good[0] + `], "x": 1}`, false, 400},
		{"batch-twice", "", `{"flows": [` + good[0] + `], "flows": []}`, false, 400},
		{"batch-invalid-json", "", `{"flows": [` + good[0] + `,]}`, false, 400},
		{"batch-truncated", "", `{"flows": [` + good[0], false, 400},
		{"batch-flow-truncated-literal", "", `{"flows": [tru]}`, false, 400},
		{"batch-second-value", "", `{"flows": [` + good[0] + `]} {}`, false, 400},
		{"batch-over-limit", "", batchJSON(good[:31]...), false, 413},
		{"body-over-limit", "", batchJSON(slicesRepeat(good[0], 70)...), false, 413},
		{"body-over-limit-chunked", "", batchJSON(slicesRepeat(good[0], 70)...), true, 413},
		{"wrong-content-type", "text/plain", good[0], false, 415},
		{"form-content-type", "application/x-www-form-urlencoded", good[0], false, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recs [2]*httptest.ResponseRecorder
			for j, path := range []string{"/v1/score", "/v1/decide"} {
				var body io.Reader = strings.NewReader(tt.body)
				if tt.hideLength {
					body = unsized{body}
				}
				recs[j] = do(h, "POST", path, tt.contentType, body)
			}
			s, d := recs[0], recs[1]
			if s.Code != tt.code || d.Code != tt.code {
				t.Fatalf("status %d on /v1/score, %d on /v1/decide, want %d; bodies:\n%s%s", s.Code, d.Code, tt.code, s.Body, d.Body)
			}
			if !cmp.Equal(s.Header(), d.Header()) {
				t.Errorf("headers differ: /v1/score %v, /v1/decide %v", s.Header(), d.Header())
			}
			if s.Body.String() != d.Body.String() {
				t.Errorf("bodies differ:\n/v1/score  %s/v1/decide %s", s.Body, d.Body)
			}
		})
	}
}

// TestDecideRoutes: without a policy there is no /v1/decide (a 404
// counted under "other", no decision metrics); with one, the endpoint is
// listed, takes POST only, and its requests are counted under its path.
func TestDecideRoutes(t *testing.T) {
	m := servetest.Model(t)
	body := servetest.FlowJSON(t, sampleFlows(t, 1)[0], nil)

	plain := New(m, Options{})
	rec := do(plain, "POST", "/v1/decide", "", strings.NewReader(body))
	if msg := decodeError(t, rec); rec.Code != 404 || msg != "no endpoint /v1/decide (the endpoints are POST /v1/score, GET /healthz and GET /metrics, and the Open Inference Protocol's under /v2 (model segharness))" {
		t.Errorf("without a policy: status %d, error %q", rec.Code, msg)
	}
	text := metricsText(t, plain)
	for _, w := range []string{`harness_serve_requests_total{code="404",endpoint="other"} 1`} {
		if !strings.Contains(text, w) {
			t.Errorf("without a policy, /metrics lacks %s", w)
		}
	}
	for _, absent := range []string{`endpoint="/v1/decide"`, "harness_serve_decisions_total", "harness_serve_decision_reasons_total"} {
		if strings.Contains(text, absent) {
			t.Errorf("without a policy, /metrics has %s", absent)
		}
	}

	h := New(m, Options{Policy: servetest.Policy(t)})
	rec = do(h, "GET", "/nowhere", "", nil)
	if msg := decodeError(t, rec); msg != "no endpoint /nowhere (the endpoints are POST /v1/score, POST /v1/decide, GET /healthz and GET /metrics, and the Open Inference Protocol's under /v2 (model segharness))" {
		t.Errorf("404 with a policy: %q", msg)
	}
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		rec := do(h, method, "/v1/decide", "", nil)
		msg := decodeError(t, rec)
		if rec.Code != 405 || rec.Header().Get("Allow") != "POST" || msg != `method `+method+` not allowed on /v1/decide: POST a flow or {"flows": [...]}` {
			t.Errorf("%s /v1/decide: status %d, Allow %q, error %q", method, rec.Code, rec.Header().Get("Allow"), msg)
		}
	}
	if rec := do(h, "POST", "/v1/decide", "", strings.NewReader(body)); rec.Code != 200 {
		t.Errorf("POST /v1/decide: status %d: %s", rec.Code, rec.Body)
	}
	text = metricsText(t, h)
	for _, w := range []string{
		`harness_serve_requests_total{code="405",endpoint="/v1/decide"} 3`,
		`harness_serve_requests_total{code="200",endpoint="/v1/decide"} 1`,
		`harness_serve_request_duration_seconds_count{endpoint="/v1/decide"} 4`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
}

// TestDecideMetrics decides flows singly and in a batch, and sends bad
// ones: the decision counters count each flow once under its decision and
// headline rule, and once under each rule that blocks it; flows scored
// and invalid flows are counted as for /v1/score; every series exists at
// zero before its first flow; and promtool, when installed, accepts the
// exposition.
func TestDecideMetrics(t *testing.T) {
	nc, err := noClusters()
	if err != nil {
		t.Fatal(err)
	}
	exercised := map[string]int{}
	for _, pol := range []struct {
		name string
		p    *policy.Policy
	}{{"default", servetest.Policy(t)}, {"no-clusters", nc}} {
		t.Run(pol.name, func(t *testing.T) {
			for k, n := range testDecideMetrics(t, pol.p) {
				exercised[k] += n
			}
		})
	}
	for _, key := range []string{"allow/none", "block/allowlist", "block/behaviour", "block/isolation"} {
		if exercised[key] == 0 {
			t.Errorf("no flow decided %s: the test does not exercise it", key)
		}
	}
}

// testDecideMetrics is TestDecideMetrics with the policy p. It returns
// the flows decided by decision and headline rule.
func testDecideMetrics(t *testing.T, p *policy.Policy) map[string]int {
	m := servetest.Model(t)
	h := New(m, Options{Policy: p, Workers: 2})

	// Before any request: every decision series at zero.
	text := metricsText(t, h)
	for _, w := range []string{
		`harness_serve_decisions_total{decision="allow",rule="none"} 0`,
		`harness_serve_decisions_total{decision="block",rule="allowlist"} 0`,
		`harness_serve_decisions_total{decision="block",rule="behaviour"} 0`,
		`harness_serve_decisions_total{decision="block",rule="isolation"} 0`,
		`harness_serve_decision_reasons_total{reason="not_allowed"} 0`,
		`harness_serve_decision_reasons_total{reason="protocol"} 0`,
		`harness_serve_decision_reasons_total{reason="ports"} 0`,
		`harness_serve_decision_reasons_total{reason="behaviour"} 0`,
		`harness_serve_decision_reasons_total{reason="isolated"} 0`,
		`# HELP harness_serve_decisions_total `,
		`# TYPE harness_serve_decisions_total counter`,
		`# HELP harness_serve_decision_reasons_total `,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics at start lacks %s", w)
		}
	}

	_, crafted, _ := decisionFlows(t, m, p)
	flows := append(slices.Clone(crafted), sampleFlows(t, 300)...)
	objects := make([]string, len(flows))
	byRule := map[string]int{}
	byReason := map[string]int{}
	byRisk := map[string]int{}
	for i, f := range flows {
		objects[i] = servetest.FlowJSON(t, f, nil)
		d := wantDecision(t, m, p, f)
		byRule[d.Decision+"/"+d.Rule]++
		for _, r := range d.Rules {
			byReason[r]++
		}
		byRisk[d.RiskLevel]++
	}
	// The crafted flows one by one, the rest in one batch.
	for _, o := range objects[:len(crafted)] {
		if rec := do(h, "POST", "/v1/decide", "", strings.NewReader(o)); rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if rec := do(h, "POST", "/v1/decide", "", strings.NewReader(batchJSON(objects[len(crafted):]...))); rec.Code != 200 {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	// Bad requests decide nothing: one invalid flow, a batch of two
	// invalid among three.
	bad := servetest.FlowJSON(t, flows[0], func(m map[string]any) { m["duration"] = -1 })
	do(h, "POST", "/v1/decide", "", strings.NewReader(bad))
	do(h, "POST", "/v1/decide", "", strings.NewReader(batchJSON(bad, objects[0], bad)))

	text = metricsText(t, h)
	want := []string{
		fmt.Sprintf(`harness_serve_requests_total{code="200",endpoint="/v1/decide"} %d`, len(crafted)+1),
		`harness_serve_requests_total{code="400",endpoint="/v1/decide"} 2`,
		`harness_serve_invalid_flows_total 3`,
		`harness_serve_errors_total{reason="invalid_flow"} 2`,
	}
	for _, key := range []string{"allow/none", "block/allowlist", "block/behaviour", "block/isolation"} {
		decision, rule, _ := strings.Cut(key, "/")
		want = append(want, fmt.Sprintf(`harness_serve_decisions_total{decision=%q,rule=%q} %d`, decision, rule, byRule[key]))
	}
	for _, r := range []string{"not_allowed", "protocol", "ports", "behaviour", "isolated"} {
		want = append(want, fmt.Sprintf(`harness_serve_decision_reasons_total{reason=%q} %d`, r, byReason[r]))
	}
	for _, level := range []string{scoring.RiskLow, scoring.RiskMedium, scoring.RiskHigh} {
		want = append(want, fmt.Sprintf(`harness_serve_flows_scored_total{risk_level=%q} %d`, level, byRisk[level]))
	}
	for _, w := range want {
		if !strings.Contains(text, w+"\n") {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grep(text, "harness_serve_"))
	}
	promtool(t, text)
	return byRule
}

// promtool checks a /metrics exposition with promtool check metrics, when
// promtool is installed.
func promtool(t *testing.T, text string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: the exposition is not linted")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// refit returns a copy of m whose pipeline's label encoder of the encoded
// column col knows only classes: a model fitted on other data.
func refit(t *testing.T, m *scoring.Model, col string, classes []string) *scoring.Model {
	t.Helper()
	enc := map[string]*features.LabelEncoder{}
	for k, v := range m.Pipeline.Encoders {
		enc[k] = v
	}
	enc[col] = &features.LabelEncoder{Classes: classes}
	p, err := features.NewPipeline(m.Pipeline.Columns, enc, m.Pipeline.Scaler)
	if err != nil {
		t.Fatal(err)
	}
	c := *m
	c.Pipeline = p
	return &c
}

// TestLoadPolicy checks LoadPolicy's errors, each naming the file: a
// missing file, a directory, not JSON, a document policy.Decode refuses,
// and policies that do not fit the model (CheckPolicy). The last are
// made from the Small policy, which fits the Small model (both learned
// from the same flows: servetest.FitPolicy), by taking a department, a
// device type or a protocol out of the model's encoders.
func TestLoadPolicy(t *testing.T) {
	m, p := servetest.Model(t), servetest.Policy(t)
	good := servetest.PolicyFile(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	doc, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	without := func(col, class string) *scoring.Model {
		cs := slices.DeleteFunc(slices.Clone(m.Pipeline.Encoders[col].Classes), func(c string) bool { return c == class })
		return refit(t, m, col, cs)
	}
	// The first allow rule's first protocol, and the department of the
	// first segment with flows out and in.
	proto := p.Allow[0].Protocols[0]
	seg := p.Segments[0]
	tests := []struct {
		name  string
		path  string
		model *scoring.Model
		err   string // a regexp; "" for none
	}{
		{"good", good, m, ""},
		{"missing", filepath.Join(dir, "nope.json"), m, `^open .*nope\.json: no such file or directory$`},
		{"directory", dir, m, `: a directory, not a regular file`},
		{"not-json", write("not-json.json", "segments: 3\n"), m, `not-json\.json: policy: invalid character 's'`},
		{"empty", write("empty.json", ""), m, `empty\.json: policy: EOF`},
		{"wrong-format", write("format.json", strings.Replace(string(doc), `"segharness-policy/1"`, `"segharness-policy/9"`, 1)), m,
			`format\.json: policy: format: "segharness-policy/9", want "segharness-policy/1"$`},
		{"trailing", write("trailing.json", string(doc)+"{}"), m, `trailing\.json: policy: data after the document$`},
		{"unknown-field", write("field.json", strings.Replace(string(doc), `"format"`, `"colour": 1, "format"`, 1)), m, `field\.json: policy: json: unknown field "colour"`},
		{"model-without-department", good, without(featureset.SrcDeptEncoded, seg.Department), fmt.Sprintf(
			`policy\.json: policy does not fit the model: segments\[0\] \(%s\): src_department %q is not a class the model was fitted on \(its classes: .*\); the policy and the model come from different data$`,
			regexp.QuoteMeta(seg.ID), seg.Department)},
		{"model-without-dst-device", good, without(featureset.DstDeviceEncoded, seg.DeviceType), fmt.Sprintf(
			`policy\.json: policy does not fit the model: segments\[0\] \(%s\): dst_device_type %q is not a class`, regexp.QuoteMeta(seg.ID), seg.DeviceType)},
		{"model-without-protocol", good, without(featureset.ProtocolEncoded, proto), fmt.Sprintf(
			`policy\.json: policy does not fit the model: allow\[0\] \(%s -> %s\): protocol %q is not a class`,
			regexp.QuoteMeta(p.Allow[0].From), regexp.QuoteMeta(p.Allow[0].To), proto)},
	}
	if seg.FlowsOut == 0 || seg.FlowsIn == 0 {
		t.Fatalf("segment %s has %d flows out, %d in: the test needs both", seg.ID, seg.FlowsOut, seg.FlowsIn)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadPolicy(tt.path, tt.model)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				var a, b bytes.Buffer
				p.Encode(&a)
				got.Encode(&b)
				if a.String() != b.String() {
					t.Error("the policy read back differs from the one written")
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.err)
			}
			if !regexp.MustCompile(tt.err).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name %s", err, tt.path)
			}
		})
	}
	if _, err := LoadPolicy(filepath.Join(dir, "nope.json"), m); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

// FuzzDecide sends any body to POST /v1/decide and to POST /v1/score: the
// handler never panics (a 500) and the two endpoints agree: the same
// status, the same error bodies, and for a 200 the same scores in the
// same order, each with the policy's decision on it.
func FuzzDecide(f *testing.F) {
	flows, err := SampleFlows(3, 11)
	if err != nil {
		f.Fatal(err)
	}
	var objs []string
	for _, fl := range flows {
		b, _ := json.Marshal(&fl)
		objs = append(objs, string(b))
	}
	for _, s := range []string{
		objs[0],
		batchJSON(objs...),
		batchJSON(objs[0], `{"bytes_sent": -1}`),
		`{"flows": []}`,
		`{"flows": [null]}`,
		`{}`,
		``,
		strings.Replace(objs[1], `"TCP"`, `"QUIC"`, 1),
		strings.Replace(objs[2], `"cpu_usage":`, `"cpu_usage": 1e400, "x":`, 1),
	} {
		f.Add([]byte(s))
	}
	m, err := servetest.Fit(servetest.Config{Flows: 600, DetectorTrees: 3, AttackTrees: 3, Seed: 5, Workers: 1})
	if err != nil {
		f.Fatal(err)
	}
	p, err := servetest.FitPolicy(servetest.Config{Flows: 600, Seed: 5, Workers: 1}, policyconfig.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	h := New(m, Options{Policy: p, MaxBatch: 8, MaxBodyBytes: 8 << 10, Workers: 2})
	f.Fuzz(func(t *testing.T, body []byte) {
		s := do(h, "POST", "/v1/score", "", bytes.NewReader(body))
		d := do(h, "POST", "/v1/decide", "", bytes.NewReader(body))
		if s.Code == 500 || d.Code == 500 {
			t.Fatalf("500: %s %s", s.Body, d.Body)
		}
		if s.Code != d.Code {
			t.Fatalf("status %d on /v1/score, %d on /v1/decide", s.Code, d.Code)
		}
		if s.Code != 200 {
			if s.Body.String() != d.Body.String() {
				t.Fatalf("error bodies differ:\n%s%s", s.Body, d.Body)
			}
			return
		}
		var results []scoring.Result
		var decisions []Decision
		if isBatch(body) {
			var sb batchResponse
			var db decideResponse
			if json.Unmarshal(s.Body.Bytes(), &sb) != nil || json.Unmarshal(d.Body.Bytes(), &db) != nil {
				t.Fatalf("bodies:\n%s%s", s.Body, d.Body)
			}
			results, decisions = sb.Results, db.Decisions
		} else {
			var r scoring.Result
			var dd Decision
			if json.Unmarshal(s.Body.Bytes(), &r) != nil || json.Unmarshal(d.Body.Bytes(), &dd) != nil {
				t.Fatalf("bodies:\n%s%s", s.Body, d.Body)
			}
			results, decisions = []scoring.Result{r}, []Decision{dd}
		}
		if len(results) != len(decisions) {
			t.Fatalf("%d results, %d decisions", len(results), len(decisions))
		}
		for i := range results {
			if results[i] != decisions[i].Result {
				t.Fatalf("flow %d: score %+v, decision's %+v", i, results[i], decisions[i].Result)
			}
			if (decisions[i].Decision == DecisionBlock) != (len(decisions[i].Rules) > 0) || decisions[i].Decision != DecisionBlock && decisions[i].Decision != DecisionAllow {
				t.Fatalf("flow %d: decision %q with rules %q", i, decisions[i].Decision, decisions[i].Rules)
			}
		}
	})
}

// benchPolicy is the policy learned from the training flows of
// benchModel's.
var benchPolicy = sync.OnceValues(func() (*policy.Policy, error) {
	return servetest.FitPolicy(servetest.Notebook, policyconfig.DefaultConfig())
})

// BenchmarkDecide measures one single-flow POST /v1/decide through the
// whole handler (decode, score, decide, encode, metrics), without a
// network, with a model of the notebook's size and a policy learned from
// its training flows; BenchmarkHandlerSingle is /v1/score's.
func BenchmarkDecide(b *testing.B) {
	m, err := benchModel()
	if err != nil {
		b.Fatal(err)
	}
	p, err := benchPolicy()
	if err != nil {
		b.Fatal(err)
	}
	h := New(m, Options{Policy: p})
	flows := sampleFlows(b, 1000)
	bodies := make([][]byte, len(flows))
	for i, f := range flows {
		bodies[i] = []byte(servetest.FlowJSON(b, f, nil))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/decide", bytes.NewReader(bodies[i%len(bodies)]))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkDecideBatch1000 measures a batch of 1,000 flows on POST
// /v1/decide; BenchmarkHandlerBatch1000 is /v1/score's.
func BenchmarkDecideBatch1000(b *testing.B) {
	m, err := benchModel()
	if err != nil {
		b.Fatal(err)
	}
	p, err := benchPolicy()
	if err != nil {
		b.Fatal(err)
	}
	h := New(m, Options{Policy: p, MaxBodyBytes: 64 << 20})
	flows := sampleFlows(b, 1000)
	objects := make([]string, len(flows))
	for i, f := range flows {
		objects[i] = servetest.FlowJSON(b, f, nil)
	}
	body := []byte(batchJSON(objects...))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/decide", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "flows/s")
}
