package gate

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/rundir"
)

// seeded builds one model's rows of a metric at sweep point rate, one trial
// per seed, as a run writes them.
func seeded(model, metric, rate string, values ...float64) []rundir.Metric {
	var out []rundir.Metric
	for i, v := range values {
		out = append(out, rundir.Metric{
			Experiment: "e", Trial: fmt.Sprintf("anomaly_rate=%s/seed=%d", rate, i+1), Seed: int64(i + 1), Params: []string{rate},
			Model: model, Metric: metric, Value: v,
		})
	}
	return out
}

func concat(parts ...[]rundir.Metric) []rundir.Metric {
	var out []rundir.Metric
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// repeat returns n copies of v.
func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestEvaluatePaired: a target against another model is judged on the
// per-trial differences by their signed-rank interval. The intervals
// quoted are those of SignedRankInterval (its tests hold them to a brute
// force over the Walsh averages): for n = 8 differences at 95% the
// interval runs from the 4th smallest to the 4th largest Walsh average.
func TestEvaluatePaired(t *testing.T) {
	lead := []float64{0.051, 0.049, 0.050, 0.052, 0.048, 0.050, 0.053, 0.047} // a - b
	b := []float64{0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97}
	a := make([]float64, len(b))
	for i := range b {
		a[i] = b[i] + lead[i]
	}
	perfect := concat(seeded("rf", "roc_auc", "0.05", repeat(1, 20)...), seeded("sk", "roc_auc", "0.05", repeat(1, 20)...))
	ab := concat(seeded("a", "roc_auc", "0.05", a...), seeded("b", "roc_auc", "0.05", b...))
	for _, tc := range []struct {
		name    string
		target  experiments.Target
		rows    []rundir.Metric
		want    stats.Verdict
		message string
	}{
		{"equal in every trial: >= passes", experiments.Target{Model: "rf", Metric: "roc_auc", Op: ">=", Against: "sk"}, perfect, stats.Pass, "every pair is equal"},
		{"equal in every trial: > fails", experiments.Target{Model: "rf", Metric: "roc_auc", Op: ">", Against: "sk"}, perfect, stats.Fail, "interval [0, 0]"},
		{"a clear lead: > with a smaller margin passes", experiments.Target{Model: "a", Metric: "roc_auc", Op: ">", Against: "b", Tolerance: 0.01}, ab, stats.Pass, "(a significant difference)"},
		{"a clear lead: <= within a tolerance below it fails", experiments.Target{Model: "a", Metric: "roc_auc", Op: "<=", Against: "b", Tolerance: 0.01}, ab, stats.Fail, "a significant difference"},
		{"a clear lead: <= within a tolerance above it passes", experiments.Target{Model: "a", Metric: "roc_auc", Op: "<=", Against: "b", Tolerance: 0.06}, ab, stats.Pass, "margin <= 0.06"},
		{"a lead the tolerance straddles", experiments.Target{Model: "a", Metric: "roc_auc", Op: ">", Against: "b", Tolerance: 0.05}, ab, stats.Inconclusive, "median difference 0.05"},
		{"five seeds cannot decide", experiments.Target{Model: "a", Metric: "roc_auc", Op: ">", Against: "b"},
			concat(seeded("a", "roc_auc", "0.05", a[:5]...), seeded("b", "roc_auc", "0.05", b[:5]...)), stats.Inconclusive, "at least 6 seeds are needed"},
		{"the other model unmeasured", experiments.Target{Model: "rf", Metric: "roc_auc", Op: ">=", Against: "xgb"}, perfect, stats.Fail,
			"no trial of this run measured roc_auc for both rf and xgb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate([]experiments.Target{tc.target}, []string{"anomaly_rate"}, tc.rows, Options{})
			if len(got) != 1 {
				t.Fatalf("%d results, want 1", len(got))
			}
			if got[0].Verdict != tc.want || !strings.Contains(got[0].Message, tc.message) {
				t.Errorf("%s: %s, want %s and a message with %q", tc.target, got[0].Verdict, tc.want, tc.message)
			}
		})
	}
	// The interval itself: the 4th smallest and largest Walsh averages of
	// the leads.
	r := Evaluate([]experiments.Target{{Model: "a", Metric: "roc_auc", Op: ">", Against: "b"}}, []string{"anomaly_rate"}, ab, Options{})[0]
	lo, hi, _ := stats.SignedRankInterval(lead, 0.95)
	if r.Paired == nil || math.Abs(r.Summary.Lo-lo) > 1e-12 || math.Abs(r.Summary.Hi-hi) > 1e-12 || r.Summary.Method != "signed-rank" {
		t.Errorf("interval [%v, %v] (%s), want [%v, %v]", r.Summary.Lo, r.Summary.Hi, r.Summary.Method, lo, hi)
	}
	if math.Abs(r.Paired.Estimate-0.05) > 1e-9 {
		t.Errorf("Hodges-Lehmann estimate %v, want 0.05", r.Paired.Estimate)
	}
}

// TestPairs: differences are taken trial by trial, only where both models
// measured the metric.
func TestPairs(t *testing.T) {
	rows := concat(seeded("a", "f1", "0.05", 0.9, 0.8, 0.7), seeded("b", "f1", "0.05", 0.5, 0.5))
	got := Pairs(rows, "a", "b", "f1")
	if len(got) != 2 || math.Abs(got[0].Value-0.4) > 1e-12 || math.Abs(got[1].Value-0.3) > 1e-12 || got[1].Trial != "anomaly_rate=0.05/seed=2" {
		t.Errorf("Pairs = %+v", got)
	}
}

// TestRegressionAgainst: a rule against another model judges the lead, so
// a new run in which the model keeps its own level but loses its lead
// over the other regresses.
func TestRegressionAgainst(t *testing.T) {
	flat := repeat(0.95, 6)
	base := concat(seeded("a", "roc_auc", "0.05", 0.99, 0.991, 0.989, 0.99, 0.992, 0.988), seeded("b", "roc_auc", "0.05", flat...))
	cur := concat(seeded("a", "roc_auc", "0.05", 0.99, 0.991, 0.989, 0.99, 0.992, 0.988), seeded("b", "roc_auc", "0.05", 0.989, 0.99, 0.99, 0.988, 0.991, 0.99))
	rule := experiments.Regression{Model: "a", Metric: "roc_auc", Better: "higher", Tolerance: 0.01, Against: "b"}
	got := Regressions([]experiments.Regression{rule}, base, cur, []string{"anomaly_rate"}, 0.05)
	if len(got) != 1 || got[0].Verdict != stats.Fail || !strings.Contains(got[0].Message, "regression") {
		t.Fatalf("%+v", got)
	}
	if !strings.Contains(rule.String(), "a - b roc_auc") {
		t.Errorf("rule reads %q", rule)
	}
	// Without against, a's own level has not moved.
	rule.Against = ""
	if got := Regressions([]experiments.Regression{rule}, base, cur, []string{"anomaly_rate"}, 0.05); got[0].Verdict != stats.Pass {
		t.Errorf("a's own roc_auc: %+v", got[0])
	}
}
