package gate

import (
	"math"
	"strings"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/eval/stats"
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
func Compare(old, new []datasets.Metric, axes []string, alpha float64) []Change {
	type group struct {
		point         []Param
		model, metric string
		old, new      []float64
	}
	var groups []*group
	at := map[string]*group{}
	add := func(rows []datasets.Metric, isNew bool) {
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
