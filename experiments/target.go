package experiments

import (
	"fmt"
	"strconv"

	"github.com/segharness/harness/internal/eval/stats"
)

// MetricName is the metrics-table name of the target's metric.
func (t Target) MetricName() string {
	if t.AnomalyType != "" {
		return t.Metric + "_" + t.AnomalyType
	}
	return t.Metric
}

// String reads like the target in the experiment file:
// "random_forest detection_rate >= 0.95".
func (t Target) String() string {
	if t.Against != "" {
		s := fmt.Sprintf("%s %s %s %s", t.Model, t.MetricName(), t.Op, t.Against)
		if t.Tolerance != 0 {
			s += " (tolerance " + strconv.FormatFloat(t.Tolerance, 'g', -1, 64) + ")"
		}
		return s
	}
	return fmt.Sprintf("%s %s %s %s", t.Model, t.MetricName(), t.Op, strconv.FormatFloat(t.Value, 'g', -1, 64))
}

// Margin returns the comparison a target against another model makes of
// the paired differences d = Model's value - Against's: d >= -Tolerance,
// d <= Tolerance, d > Tolerance or d < -Tolerance.
func (t Target) Margin() stats.Comparison {
	switch t.Op {
	case ">=", "<":
		return stats.Comparison{Op: t.Op, Value: -t.Tolerance}
	}
	return stats.Comparison{Op: t.Op, Value: t.Tolerance}
}

// String reads "rf detection_rate (higher is better, tolerance 0.01)", or
// "xgb - rf roc_auc (...)" against another model.
func (r Regression) String() string {
	return fmt.Sprintf("%s %s (%s is better, tolerance %s)", r.Subject(), r.Metric, r.Better, strconv.FormatFloat(r.Tolerance, 'g', -1, 64))
}

// Subject is the model the rule judges: "xgb", or "xgb - rf".
func (r Regression) Subject() string {
	if r.Against != "" {
		return r.Model + " - " + r.Against
	}
	return r.Model
}
