package gate

import (
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval/stats"
)

// Crafted seeds: five each, no ties across runs, so Mann-Whitney's exact
// two-sided p is 2/C(10,5) = 0.0079 when every new value is below (or
// above) every old one (scipy.stats.mannwhitneyu, method="exact").
func TestRegressions(t *testing.T) {
	old := rows("rf", "detection_rate", map[string][]float64{"0.05": {0.990, 0.991, 0.992, 0.993, 0.994}})
	for _, tc := range []struct {
		name    string
		new     []float64
		rule    experiments.Regression
		want    stats.Verdict
		message string
	}{
		{"regression beyond the tolerance", []float64{0.90, 0.91, 0.92, 0.93, 0.94},
			experiments.Regression{Model: "rf", Metric: "detection_rate", Better: "higher", Tolerance: 0.01}, stats.Fail, "regression: 0.992 → 0.92 (-0.072), p=0.008"},
		{"worse within the tolerance", []float64{0.980, 0.981, 0.982, 0.983, 0.984},
			experiments.Regression{Model: "rf", Metric: "detection_rate", Better: "higher", Tolerance: 0.02}, stats.Pass, "worse but within the tolerance"},
		{"improvement", []float64{0.995, 0.996, 0.997, 0.998, 0.999},
			experiments.Regression{Model: "rf", Metric: "detection_rate", Better: "higher", Tolerance: 0}, stats.Pass, "improved"},
		{"lower is better: an increase regresses", []float64{0.995, 0.996, 0.997, 0.998, 0.999},
			experiments.Regression{Model: "rf", Metric: "detection_rate", Better: "lower", Tolerance: 0}, stats.Fail, "regression"},
		{"not significant", []float64{0.90, 0.999, 0.991, 0.995, 0.93},
			experiments.Regression{Model: "rf", Metric: "detection_rate", Better: "higher", Tolerance: 0}, stats.Pass, "no significant change"},
		{"metric in neither run", []float64{0.99},
			experiments.Regression{Model: "rf", Metric: "roc_auc", Better: "higher", Tolerance: 0}, stats.Fail, "roc_auc of model rf is in neither run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := rows("rf", "detection_rate", map[string][]float64{"0.05": tc.new})
			got := Regressions([]experiments.Regression{tc.rule}, old, cur, []string{"anomaly_rate"}, 0.05)
			if len(got) != 1 {
				t.Fatalf("%d results, want 1", len(got))
			}
			if got[0].Verdict != tc.want || !strings.Contains(got[0].Message, tc.message) {
				t.Errorf("%v: %s; want %v and %q", got[0].Verdict, got[0].Message, tc.want, tc.message)
			}
		})
	}
}
