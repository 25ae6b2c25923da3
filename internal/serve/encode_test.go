package serve

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve/servetest"
)

// referenceJSON is v as writeJSON encodes it: encoding/json, HTML
// characters unescaped, ending in a newline.
func referenceJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkAnswer checks that appendAnswer encodes v as encoding/json does,
// or declines, and returns whether it encoded it.
func checkAnswer(t testing.TB, v any) bool {
	t.Helper()
	got, ok := appendAnswer(nil, v)
	if !ok {
		return false
	}
	if want := referenceJSON(t, v); string(append(got, '\n')) != string(want) {
		t.Fatalf("appendAnswer(%+v):\n%s\nencoding/json:\n%s", v, got, want)
	}
	return true
}

// The answers of every sample flow and of every rule's flows, single and
// in batches, are encoding/json's bytes, by the hand encoder.
func TestEncodeAsJSON(t *testing.T) {
	m := servetest.Model(t)
	p := servetest.Policy(t)
	_, flows, _ := decisionFlows(t, m, p)
	flows = append(flows, sampleFlows(t, 2000)...)
	var results []scoring.Result
	var decisions []Decision
	for _, f := range flows {
		d := wantDecision(t, m, p, f)
		if !checkAnswer(t, &d.Result) || !checkAnswer(t, &d) {
			t.Fatalf("declined %+v", d)
		}
		results, decisions = append(results, d.Result), append(decisions, d)
	}
	for _, v := range []any{
		batchResponse{results}, decideResponse{decisions},
		batchResponse{results[:1]}, decideResponse{decisions[:1]},
		batchResponse{[]scoring.Result{}}, decideResponse{[]Decision{}},
		batchResponse{}, decideResponse{}, // null lists: never answered, encoded all the same
	} {
		if !checkAnswer(t, v) {
			t.Fatalf("declined %+v", v)
		}
	}
}

// Floats are written as encoding/json writes them, at the edges of its
// fixed and exponent forms; strings are written when encoding/json
// writes them unchanged (HTML characters included) and declined
// otherwise, as are NaN and infinities.
func TestEncodeEdges(t *testing.T) {
	base := Decision{Decision: DecisionBlock, Rule: RuleAllowList, Rules: ruleNames[3],
		Result:  scoring.Result{AnomalyProbability: 0.93, RiskLevel: scoring.RiskHigh, RecommendedAction: "IMMEDIATE_ISOLATION", MostLikelyAttackType: "crypto_mining", AttackConfidence: 0.5},
		Actions: policy.Actions(scoring.RiskHigh, "accounting", "workstation")}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.0 / 3, 1e-6, 9.999999e-7, 1e-7, 1.5e-9, 1e20, 1e21, 9.99e20, 123456789.123,
		math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 2.5e-300, 0.000001234} {
		for _, set := range []func(*Decision){
			func(d *Decision) { d.AnomalyProbability = x },
			func(d *Decision) { d.AttackConfidence = x },
		} {
			d := base
			set(&d)
			if !checkAnswer(t, &d) || !checkAnswer(t, &d.Result) {
				t.Errorf("%v: declined", x)
			}
		}
	}
	for _, s := range []string{"", "plain", "a<b>&c", "~\x7f", "x y"} {
		d := base
		d.MostLikelyAttackType = s
		d.Actions = policy.Actions(scoring.RiskMedium, s, s)
		if !checkAnswer(t, &d) {
			t.Errorf("%q: declined", s)
		}
	}
	for _, s := range []string{`"`, `\`, "\n", "\x00", "\t", "é", "\u2028", "\xff"} {
		d := base
		d.MostLikelyAttackType = s
		if checkAnswer(t, &d) {
			t.Errorf("%q: encoded, want it declined", s)
		}
		d = base
		d.Actions = policy.Actions(scoring.RiskHigh, "dept"+s, "dev")
		if checkAnswer(t, &d) {
			t.Errorf("%q in an action: encoded, want it declined", s)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		d := base
		d.AttackConfidence = x
		if _, ok := appendAnswer(nil, &d); ok {
			t.Errorf("%v: encoded, want it declined", x)
		}
	}
	d := base
	d.Rules, d.Actions = nil, nil
	if !checkAnswer(t, &d) {
		t.Error("nil rules and actions: declined")
	}
	d.Actions = []policy.Action{}
	if !checkAnswer(t, &d) {
		t.Error("empty actions: declined")
	}
}

// Any result or decision is written as encoding/json writes it, or
// declined; one with finite floats and strings of printable ASCII but
// for quotes and backslashes is not declined.
func FuzzEncodeAsJSON(f *testing.F) {
	f.Add(0.93, 0.5, true, "HIGH", "crypto_mining", "accounting", 3)
	f.Add(1e-7, 1e21, false, "a<b>", "\u2028", "\xff", 0)
	f.Add(math.NaN(), 0.0, false, "", "\"", "\\", -1)
	f.Fuzz(func(t *testing.T, prob, conf float64, anomaly bool, s1, s2, s3 string, reasons int) {
		r := policy.Reason(reasons) & (1<<len(reasonBits) - 1)
		d := Decision{Decision: s1, Rule: s2, Rules: ruleNames[r],
			Result:  scoring.Result{AnomalyProbability: prob, IsAnomaly: anomaly, RiskLevel: s1, RecommendedAction: s2, MostLikelyAttackType: s3, AttackConfidence: conf},
			Actions: policy.Actions(scoring.RiskHigh, s2, s3)}
		if reasons < 0 {
			d.Rules, d.Actions = nil, nil
		}
		plain := true
		for _, s := range []string{s1, s2, s3} {
			for _, c := range []byte(s) {
				plain = plain && c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
			}
		}
		finite := !math.IsNaN(prob) && !math.IsInf(prob, 0) && !math.IsNaN(conf) && !math.IsInf(conf, 0)
		for _, v := range []any{&d, &d.Result, decideResponse{[]Decision{d, d}}, batchResponse{[]scoring.Result{d.Result}}} {
			ok := finite && checkAnswer(t, v)
			if !finite {
				_, ok = appendAnswer(nil, v)
				if ok {
					t.Fatalf("encoded a non-finite float: %+v", v)
				}
			}
			if ok != (plain && finite) {
				t.Fatalf("plain %v, finite %v, encoded %v: %+v", plain, finite, ok, v)
			}
		}
	})
}

// The handler's answers are writeJSON's, byte for byte, through the
// handler: /v1/score and /v1/decide, single flows and a batch.
func TestAnswersAsWriteJSON(t *testing.T) {
	m := servetest.Model(t)
	p := servetest.Policy(t)
	h := New(m, Options{Policy: p})
	flows := sampleFlows(t, 300)
	var objs []string
	for _, f := range flows {
		objs = append(objs, servetest.FlowJSON(t, f, nil))
	}
	for _, body := range append(objs, batchJSON(objs...)) {
		for _, path := range []string{"/v1/score", "/v1/decide"} {
			rec := do(h, "POST", path, "", strings.NewReader(body))
			if rec.Code != 200 {
				t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
			}
			// Decode the answer and encode it again with encoding/json: the
			// bytes must not change.
			var v any
			switch {
			case path == "/v1/score" && isBatch([]byte(body)):
				v = &batchResponse{}
			case path == "/v1/score":
				v = &scoring.Result{}
			case isBatch([]byte(body)):
				v = &decideResponse{}
			default:
				v = &Decision{}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				t.Fatal(err)
			}
			if want := referenceJSON(t, v); !bytes.Equal(rec.Body.Bytes(), want) {
				t.Fatalf("%s answered\n%s\nencoding/json writes\n%s", path, rec.Body, want)
			}
		}
	}
}
