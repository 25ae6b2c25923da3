package gate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval/stats"
)

// TestPairedVerdict: a target against another model reaches verdict.json
// with the other model, its tolerance and margin, the Hodges-Lehmann
// estimate, the Wilcoxon p-value and the interval's method; and the
// summary and JUnit name it.
func TestPairedVerdict(t *testing.T) {
	d := []float64{0.01, 0.02, 0.015, 0.012, 0.018, 0.011, 0.016}
	var metrics []Result
	target := experiments.Target{Model: "xgb", Metric: "roc_auc", Op: ">=", Against: "rf", Tolerance: 0.002}
	lo, hi, achieved := stats.SignedRankInterval(d, 0.95)
	s := stats.Summarize(d, 0.95)
	s.Lo, s.Hi, s.Method = lo, hi, "signed-rank"
	metrics = append(metrics, Result{Target: target, Values: d, Summary: s, Verdict: stats.JudgeInterval(lo, hi, target.Margin()),
		Message: "paired", Paired: &Paired{Differences: d, Estimate: stats.HodgesLehmann(d), Achieved: achieved, Test: stats.WilcoxonSignedRank(d)}})
	v := NewVerdict("e", 0.95, metrics)
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"target":"xgb roc_auc \u003e= rf (tolerance 0.002)"`, `"value":-0.002`, `"against":"rf"`, `"tolerance":0.002`,
		`"estimate":0.01475`, `"p_value":0.015625`, `"interval_method":"signed-rank"`, `"verdict":"pass"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("verdict.json lacks %s:\n%s", want, body)
		}
	}
	md := VerdictMarkdown(v)
	if !strings.Contains(md, "`xgb roc_auc >= rf (tolerance 0.002)`") || !strings.Contains(md, "signed-rank interval of their median") {
		t.Errorf("summary:\n%s", md)
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, v, false); err != nil || !strings.Contains(junit.String(), `name="xgb roc_auc &gt;= rf (tolerance 0.002)`) {
		t.Errorf("junit.xml (%v):\n%s", err, junit.String())
	}
}
