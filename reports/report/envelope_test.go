package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
)

// TestEnvelopeTable checks the envelope on hand-made verdicts: the worst
// verdict per model and point, the targets missed, a model without
// targets left out, and a target against another model ignored.
func TestEnvelopeTable(t *testing.T) {
	at := func(d string) map[string]string { return map[string]string{"difficulty": d} }
	res := func(model, metric, op string, value float64, point map[string]string, verdict string) gate.TargetResult {
		return gate.TargetResult{Model: model, Metric: metric, Op: op, Value: value, Point: point, Verdict: verdict}
	}
	r := &Run{
		Manifest: &rundir.Manifest{Axes: []rundir.Axis{{Name: "difficulty", Values: []string{"0", "1"}}}},
		Models:   []Model{{Name: "rf", Kind: Detector}, {Name: "kmeans", Kind: Clustering}, {Name: "lof", Kind: Detector}},
		Points:   [][]string{{"0"}, {"1"}},
	}
	r.Verdict.Results = []gate.TargetResult{
		res("rf", "detection_rate", ">=", 0.95, at("0"), "pass"),
		res("rf", "false_positive_rate", "<", 0.05, at("0"), "pass"),
		res("rf", "detection_rate", ">=", 0.95, at("1"), "fail"),
		res("rf", "false_positive_rate", "<", 0.05, at("1"), "inconclusive"),
		res("lof", "detection_rate", ">=", 0.95, at("0"), "inconclusive"),
		{Model: "lof", Metric: "roc_auc", Op: ">=", Against: "rf", Point: at("0"), Verdict: "fail"},
	}
	want := Table{
		Header:  []string{"sweep point", "rf", "lof"},
		Numeric: []bool{false, false, false},
		Rows: [][]string{
			{"difficulty=0", "PASS", "INCONCLUSIVE: detection_rate >= 0.95"},
			{"difficulty=1", "FAIL: detection_rate >= 0.95; false_positive_rate < 0.05", ""},
		},
	}
	if diff := cmp.Diff(want, r.EnvelopeTable()); diff != "" {
		t.Errorf("EnvelopeTable (-want +got):\n%s", diff)
	}

	// One model with targets: nothing the verdict table does not say.
	r.Verdict.Results = r.Verdict.Results[:4]
	if got := r.EnvelopeTable(); len(got.Rows) != 0 {
		t.Errorf("one model with targets: %d rows, want none", len(got.Rows))
	}
}
