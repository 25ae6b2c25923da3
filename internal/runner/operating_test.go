package runner

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
)

// TestOperatingPoint: with operating_point, each detector (not the
// attack-type model) reports budget metrics, and the budget detection and
// false-positive rates are those of its test predictions flagged at the
// budget threshold.
func TestOperatingPoint(t *testing.T) {
	exp, err := experiments.Parse([]byte(`name: op
seeds: [1]
data: {flows: 4000, anomaly_rate: 0.05, difficulty: 0.5}
split: {test_fraction: 0.3, stratify: is_anomaly}
operating_point: {fpr_budget: 0.02, validation_fraction: 0.3}
models:
  - {name: rf, kind: random_forest, trees: 20}
  - {name: iso, kind: isolation_forest, trees: 50}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 10}
`), "op.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range readRunMetrics(t, res.Dir) {
		got[r.Model+"/"+r.Metric] = r.Value
	}
	if _, ok := got["types/budget_threshold"]; ok {
		t.Error("the attack-type model reports an operating point")
	}
	preds, err := parquet.ReadFile[rundir.Prediction](filepath.Join(rundir.TrialDir(res.Dir, exp.Trials[0].ID), "predictions.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"rf", "iso"} {
		threshold, ok := got[model+"/budget_threshold"]
		if !ok {
			t.Errorf("%s: no budget_threshold", model)
			continue
		}
		var tp, fn, fp, tn float64
		for _, p := range preds {
			if p.Model != model {
				continue
			}
			flagged, anomaly := *p.Score >= threshold, *p.Actual == flow.LabelAnomaly
			switch {
			case flagged && anomaly:
				tp++
			case anomaly:
				fn++
			case flagged:
				fp++
			default:
				tn++
			}
		}
		for _, c := range []struct {
			metric string
			want   float64
		}{
			{"budget_detection_rate", tp / (tp + fn)},
			{"budget_false_positive_rate", fp / (fp + tn)},
		} {
			if v := got[model+"/"+c.metric]; math.Abs(v-c.want) > 1e-12 {
				t.Errorf("%s %s = %v, recomputed from predictions.parquet %v", model, c.metric, v, c.want)
			}
		}
		t.Logf("%s: threshold %.4g, detection %.4f, FPR %.4f (budget 0.02 on validation)", model, threshold,
			got[model+"/budget_detection_rate"], got[model+"/budget_false_positive_rate"])
	}
}
