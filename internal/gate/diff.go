package gate

import (
	"fmt"
	"math"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/rundir"
)

// Change compares one metric of one model at one sweep point between two
// runs, over their seeds, in the manner of benchstat: the means, the
// relative change, and a two-sided Mann-Whitney U test.
type Change struct {
	Point       []Param
	Model       string
	Metric      string
	Old, New    stats.Summary
	Delta       float64 // New.Mean - Old.Mean
	Relative    float64 // Delta / |Old.Mean|; NaN when Old.Mean is 0
	Test        stats.MannWhitney
	Significant bool   // Test.P < alpha
	OnlyIn      string // "old" or "new" when the figure is in one run only
}

// Compare pairs the metric rows of two runs by sweep point (the parameter
// values in column order; the runs must sweep the same axes), model and
// metric, in the order of first appearance in old and then in new.
// Figures present in one run only are reported with OnlyIn set ("old" or
// "new") and no test.
func Compare(old, new []rundir.Metric, axes []string, alpha float64) []Change {
	type group struct {
		point         []Param
		model, metric string
		old, new      []float64
	}
	var groups []*group
	at := map[string]*group{}
	add := func(rows []rundir.Metric, isNew bool) {
		for _, r := range rows {
			k := strings.Join(r.Params, "\x00") + "\x00" + r.Model + "\x00" + r.Metric
			g, ok := at[k]
			if !ok {
				point := make([]Param, len(axes))
				for i, a := range axes {
					point[i] = Param{a, r.Params[i]}
				}
				g = &group{point: point, model: r.Model, metric: r.Metric}
				at[k] = g
				groups = append(groups, g)
			}
			if isNew {
				g.new = append(g.new, r.Value)
			} else {
				g.old = append(g.old, r.Value)
			}
		}
	}
	add(old, false)
	add(new, true)
	out := make([]Change, 0, len(groups))
	for _, g := range groups {
		c := Change{Point: g.point, Model: g.model, Metric: g.metric}
		switch {
		case len(g.new) == 0:
			c.OnlyIn = "old"
			c.Old = stats.Summarize(g.old, 0.95)
		case len(g.old) == 0:
			c.OnlyIn = "new"
			c.New = stats.Summarize(g.new, 0.95)
		default:
			c.Old, c.New = stats.Summarize(g.old, 0.95), stats.Summarize(g.new, 0.95)
			c.Delta = c.New.Mean - c.Old.Mean
			c.Relative = math.NaN()
			if c.Old.Mean != 0 {
				c.Relative = c.Delta / math.Abs(c.Old.Mean)
			}
			c.Test = stats.MannWhitneyU(g.old, g.new)
			c.Significant = c.Test.Significant(alpha)
		}
		out = append(out, c)
	}
	return out
}

// PointName renders the change's sweep point like Result.PointName.
func (c Change) PointName() string { return Result{Point: c.Point}.PointName() }

// Regressions judges each rule at every sweep point against the baseline:
// fail for a regression, pass otherwise. A rule whose metric either run
// lacks fails, saying which.
func Regressions(rules []experiments.Regression, base, current []rundir.Metric, axes []string, alpha float64) []RegressionResult {
	changes := Compare(base, current, axes, alpha)
	var out []RegressionResult
	for _, rule := range rules {
		found := false
		ruleChanges := changes
		if rule.Against != "" {
			ruleChanges = Compare(PairRows(base, rule.Model, rule.Against, rule.Metric),
				PairRows(current, rule.Model, rule.Against, rule.Metric), axes, alpha)
		}
		for _, c := range ruleChanges {
			if c.Model != rule.Subject() || c.Metric != rule.Metric {
				continue
			}
			found = true
			r := RegressionResult{Rule: rule, Change: c, Verdict: stats.Pass}
			worse := c.Delta
			if rule.Better == "higher" {
				worse = -c.Delta
			}
			switch {
			case c.OnlyIn != "":
				r.Verdict = stats.Fail
				r.Message = fmt.Sprintf("measured in the %s run only", c.OnlyIn)
			case c.Significant && worse > rule.Tolerance:
				r.Verdict = stats.Fail
				r.Message = fmt.Sprintf("regression: %s → %s (%+.4g), p=%.3f with n=%d+%d, beyond the tolerance %g",
					figure(c.Old.Mean), figure(c.New.Mean), c.Delta, c.Test.P, c.Test.N1, c.Test.N2, rule.Tolerance)
			case c.Significant && worse > 0:
				r.Message = fmt.Sprintf("worse but within the tolerance: %s → %s (%+.4g), p=%.3f",
					figure(c.Old.Mean), figure(c.New.Mean), c.Delta, c.Test.P)
			case c.Significant:
				r.Message = fmt.Sprintf("improved: %s → %s (%+.4g), p=%.3f", figure(c.Old.Mean), figure(c.New.Mean), c.Delta, c.Test.P)
			default:
				r.Message = fmt.Sprintf("no significant change: %s → %s, p=%.3f with n=%d+%d", figure(c.Old.Mean), figure(c.New.Mean), c.Test.P, c.Test.N1, c.Test.N2)
			}
			out = append(out, r)
		}
		if !found {
			msg := fmt.Sprintf("%s of model %s is in neither run", rule.Metric, rule.Model)
			if rule.Against != "" {
				msg = fmt.Sprintf("neither run measured %s for both %s and %s in one trial", rule.Metric, rule.Model, rule.Against)
			}
			out = append(out, RegressionResult{Rule: rule, Verdict: stats.Fail, Message: msg})
		}
	}
	return out
}

// RegressionResult is a rule's verdict at one sweep point.
type RegressionResult struct {
	Rule    experiments.Regression
	Change  Change
	Verdict stats.Verdict
	Message string
}
