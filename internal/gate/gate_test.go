package gate

import (
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/rundir"
)

// rows builds metric rows of one model and metric at sweep points given as
// rate -> values over seeds.
func rows(model, metric string, points map[string][]float64) []rundir.Metric {
	var out []rundir.Metric
	for _, rate := range []string{"0.01", "0.05", "0.2"} {
		for i, v := range points[rate] {
			out = append(out, rundir.Metric{
				Experiment: "e", Trial: "anomaly_rate=" + rate, Seed: int64(i + 1), Params: []string{rate},
				Model: model, Metric: metric, Value: v,
			})
		}
	}
	return out
}

// Each verdict reached by crafted values; intervals are t intervals
// (mean ± t_{n-1, 0.975} sd / sqrt n), so e.g. {0.96, 0.97, 0.98} has mean
// 0.97, sd 0.01 and half-width 4.303 * 0.01 / sqrt 3 = 0.0248: [0.945, 0.995].
func TestEvaluate(t *testing.T) {
	detect := experiments.Target{Model: "rf", Metric: "detection_rate", Op: ">=", Value: 0.95}
	for _, tc := range []struct {
		name    string
		target  experiments.Target
		rows    []rundir.Metric
		want    []stats.Verdict
		message string // in the first result's message
	}{
		{"pass: the whole interval above", detect,
			rows("rf", "detection_rate", map[string][]float64{"0.05": {0.98, 0.99, 0.985, 0.99}}), []stats.Verdict{stats.Pass}, "mean"},
		{"fail: the whole interval below", detect,
			rows("rf", "detection_rate", map[string][]float64{"0.05": {0.80, 0.82, 0.81, 0.80}}), []stats.Verdict{stats.Fail}, "mean"},
		{"inconclusive: the interval straddles", detect,
			rows("rf", "detection_rate", map[string][]float64{"0.05": {0.96, 0.97, 0.98}}), []stats.Verdict{stats.Inconclusive}, "seeds would decide"},
		{"identical seeds: a zero-width interval", detect,
			rows("rf", "detection_rate", map[string][]float64{"0.05": {1, 1, 1}}), []stats.Verdict{stats.Pass}, "[1, 1]"},
		{"one verdict per sweep point", detect,
			rows("rf", "detection_rate", map[string][]float64{"0.01": {0.5, 0.52, 0.51}, "0.05": {0.99, 0.99, 1}, "0.2": {1, 1, 1}}),
			[]stats.Verdict{stats.Fail, stats.Pass, stats.Pass}, "mean"},
		{"where keeps matching points, numerically", experiments.Target{Model: "rf", Metric: "detection_rate", Op: ">=", Value: 0.95, Where: map[string][]string{"anomaly_rate": {"0.050", "0.2"}}},
			rows("rf", "detection_rate", map[string][]float64{"0.01": {0.5, 0.52, 0.51}, "0.05": {0.99, 0.99, 1}, "0.2": {1, 1, 1}}),
			[]stats.Verdict{stats.Pass, stats.Pass}, "mean"},
		{"a metric never measured fails", experiments.Target{Model: "rf", Metric: "response_time_minutes", Op: "<", Value: 15},
			rows("rf", "detection_rate", map[string][]float64{"0.05": {1, 1, 1}}), []stats.Verdict{stats.Fail}, "response_time_minutes was not measured for model rf"},
		{"an anomaly type names its metric", experiments.Target{Model: "iso", Metric: "detection_rate", Op: ">=", Value: 0.95, AnomalyType: "lateral_movement"},
			rows("iso", "detection_rate_lateral_movement", map[string][]float64{"0.05": {0.55, 0.6, 0.58}}), []stats.Verdict{stats.Fail}, "mean"},
		// The category's own rate is judged, not the overall one: crypto
		// mining {0.96, 0.97, 0.98} is [0.945, 0.995] at 0.01 and
		// {0.99, 0.99, 1} at 0.05, beside an overall rate of 0.5.
		{"an anomaly type's target reads that type's rate only", experiments.Target{Model: "iso", Metric: "detection_rate", Op: ">=", Value: 0.9, AnomalyType: "crypto_mining"},
			append(rows("iso", "detection_rate", map[string][]float64{"0.01": {0.5, 0.5, 0.5}, "0.05": {0.5, 0.5, 0.5}}),
				rows("iso", "detection_rate_crypto_mining", map[string][]float64{"0.01": {0.96, 0.97, 0.98}, "0.05": {0.99, 0.99, 1}})...),
			[]stats.Verdict{stats.Pass, stats.Pass}, "mean 0.97"},
		{"where matching no point fails", experiments.Target{Model: "rf", Metric: "detection_rate", Op: ">=", Value: 0.95, Where: map[string][]string{"anomaly_rate": {"0.5"}}},
			rows("rf", "detection_rate", map[string][]float64{"0.05": {1, 1, 1}}), []stats.Verdict{stats.Fail}, "no sweep point"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate([]experiments.Target{tc.target}, []string{"anomaly_rate"}, tc.rows, Options{})
			if len(got) != len(tc.want) {
				t.Fatalf("%d results, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, r := range got {
				if r.Verdict != tc.want[i] {
					t.Errorf("result %d (%s): %v, want %v: %s", i, r.PointName(), r.Verdict, tc.want[i], r.Message)
				}
			}
			if !strings.Contains(got[0].Message, tc.message) {
				t.Errorf("message %q does not contain %q", got[0].Message, tc.message)
			}
		})
	}
}

func TestTargetString(t *testing.T) {
	tg := experiments.Target{Model: "iso", Metric: "detection_rate", Op: ">=", Value: 0.95, AnomalyType: "crypto_mining"}
	if got, want := tg.String(), "iso detection_rate_crypto_mining >= 0.95"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
