package charts

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A Curve is one ROC curve: points (FPR[i], TPR[i]) in order of
// non-decreasing FPR, as from gonum's stat.ROC, and the area under it.
type Curve struct {
	Label    string
	FPR, TPR []float64
	AUC      float64
}

// check panics unless c is a well-formed ROC curve, and returns its
// drawable part: the points whose FPR and TPR are both finite (c itself
// when all are), which may be none.
func (c Curve) check() Curve {
	if len(c.FPR) != len(c.TPR) {
		panic(fmt.Sprintf("charts: curve %q has %d FPR and %d TPR values", c.Label, len(c.FPR), len(c.TPR)))
	}
	if len(c.FPR) == 0 {
		panic(fmt.Sprintf("charts: curve %q has no points", c.Label))
	}
	c.FPR, c.TPR = drawable(c.FPR, c.TPR, false, false)
	if !sort.Float64sAreSorted(c.FPR) {
		panic(fmt.Sprintf("charts: curve %q has decreasing FPR", c.Label))
	}
	return c
}

// aucText formats an area for a legend: "0.998", or "n/a" when it is not
// a finite number.
func aucText(v float64) string {
	if !finite(v) {
		return notApplicable
	}
	return fmt.Sprintf("%.3f", v)
}

// ROC draws one line per curve on axes 0..1, with the chance diagonal
// dashed, and each curve's AUC in the legend: "random_forest (AUC 0.998)".
// Points with a coordinate that is NaN or infinite are left out; a curve
// left with none is named in the legend without a line, "(no drawable
// point)". It panics if a curve's FPR and TPR differ in length, are empty,
// or if FPR decreases.
func ROC(curves []Curve, title string) *Chart {
	c, chance := newROCChart(title)
	for i, curve := range curves {
		curve = curve.check()
		if len(curve.FPR) == 0 {
			c.addLegend(curve.Label + " (no drawable point)")
			continue
		}
		l := line(xys(curve.FPR, curve.TPR), i)
		c.plot.Add(l)
		c.addLegend(fmt.Sprintf("%s (AUC %s)", curve.Label, aucText(curve.AUC)), l)
	}
	c.addLegend("chance", chance)
	return c
}

// newROCChart returns a chart with ROC axes and the chance diagonal, whose
// legend entry callers add after their curves'.
func newROCChart(title string) (*Chart, *plotter.Function) {
	c := newChart(title, "False positive rate", "True positive rate")
	c.plot.X.Min, c.plot.X.Max = 0, 1
	c.plot.Y.Min, c.plot.Y.Max = 0, 1
	c.plot.X.Tick.Marker, c.plot.Y.Tick.Marker = tenths, tenths
	chance := plotter.NewFunction(func(x float64) float64 { return x })
	chance.Color = color.Gray{Y: 110}
	chance.Width = vg.Points(1)
	chance.Dashes = dashed
	c.plot.Add(chance)
	return c, chance
}

// tenths marks 0 to 1 in steps of 0.2, with minor ticks at the odd tenths.
var tenths = plot.ConstantTicks{
	{Value: 0, Label: "0"}, {Value: 0.1}, {Value: 0.2, Label: "0.2"}, {Value: 0.3},
	{Value: 0.4, Label: "0.4"}, {Value: 0.5}, {Value: 0.6, Label: "0.6"}, {Value: 0.7},
	{Value: 0.8, Label: "0.8"}, {Value: 0.9}, {Value: 1, Label: "1"},
}

// MeanROC returns, at each false positive rate in grid, the mean, minimum
// and maximum over seeds of the seeds' true positive rates.
//
// A seed's TPR at x is read from its curve as follows. Where the curve has
// points at FPR x, it is the largest of their TPRs: the best detection rate
// reachable at that false positive rate (so at x = 0 it is the TPR of the
// vertical first step, not 0). Between points it is interpolated linearly,
// as the ROC curve of a classifier randomising between two thresholds.
// Before the first point it is the first point's TPR, after the last point
// the last's.
//
// Points with a coordinate that is NaN or infinite are left out, and
// seeds left without a point are not counted; with none left, every value
// is NaN.
//
// It panics if seeds is empty or a curve is malformed (see ROC).
func MeanROC(seeds []Curve, grid []float64) (mean, lo, hi []float64) {
	if len(seeds) == 0 {
		panic("charts: MeanROC of no seeds")
	}
	var drawn []Curve
	for _, s := range seeds {
		if s = s.check(); len(s.FPR) > 0 {
			drawn = append(drawn, s)
		}
	}
	mean = make([]float64, len(grid))
	lo = make([]float64, len(grid))
	hi = make([]float64, len(grid))
	for j, x := range grid {
		if len(drawn) == 0 {
			mean[j], lo[j], hi[j] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		sum, low, high := 0.0, math.Inf(1), math.Inf(-1)
		for _, s := range drawn {
			tpr := tprAt(s, x)
			sum += tpr
			low, high = min(low, tpr), max(high, tpr)
		}
		mean[j], lo[j], hi[j] = sum/float64(len(drawn)), low, high
	}
	return mean, lo, hi
}

// tprAt reads c's TPR at FPR x as MeanROC documents.
func tprAt(c Curve, x float64) float64 {
	// i is the first point with FPR > x; i-1 the last with FPR <= x.
	i := sort.Search(len(c.FPR), func(k int) bool { return c.FPR[k] > x })
	switch {
	case i == 0:
		return c.TPR[0]
	case i == len(c.FPR) || c.FPR[i-1] == x:
		return c.TPR[i-1]
	}
	x0, y0, x1, y1 := c.FPR[i-1], c.TPR[i-1], c.FPR[i], c.TPR[i]
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}

// ROCGrid is the grid of false positive rates on which ROCAcrossSeeds
// draws the mean curve: 0 to 1 in steps of 0.005.
func ROCGrid() []float64 {
	const n = 200
	grid := make([]float64, n+1)
	for i := range grid {
		grid[i] = float64(i) / n
	}
	return grid
}

// ROCAcrossSeeds draws one model's ROC curve over seeds: the MeanROC on
// ROCGrid as a line, with a shaded band from the lowest to the highest seed.
// The legend reads "mean of N seeds (AUC m ± sd)", where m and sd are the
// mean and sample standard deviation of the seeds' AUC fields (sd omitted
// for a single seed; "n/a" for an AUC that is not a finite number). Seeds
// whose curves have no drawable point (see MeanROC) are left out of the
// line and band, which are not drawn when none is left. It panics as
// MeanROC does.
func ROCAcrossSeeds(model string, seeds []Curve) *Chart {
	grid := ROCGrid()
	mean, lo, hi := MeanROC(seeds, grid)
	c, chance := newROCChart(fmt.Sprintf("ROC of %s across seeds", model))

	aucs := make([]float64, len(seeds))
	for i, s := range seeds {
		aucs[i] = s.AUC
	}
	label := fmt.Sprintf("mean of %d seeds (AUC %s)", len(seeds), aucText(stat.Mean(aucs, nil)))
	if len(seeds) > 1 {
		m, sd := stat.MeanStdDev(aucs, nil)
		label = fmt.Sprintf("mean of %d seeds (AUC %s ± %s)", len(seeds), aucText(m), aucText(sd))
	}
	if len(grid) == 0 || !finite(mean[0]) {
		c.addLegend(label + ": no drawable point")
		c.addLegend("chance", chance)
		return c
	}
	shade := band(grid, lo, hi, translucent(seriesColor(0), 70))
	l := line(xys(grid, mean), 0)
	c.plot.Add(shade, l)
	c.addLegend(label, l)
	c.addLegend("range over seeds (min to max)", shade)
	c.addLegend("chance", chance)
	return c
}
