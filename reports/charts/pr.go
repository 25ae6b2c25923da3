package charts

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A PRCurve is one precision-recall curve: points (Recall[i],
// Precision[i]), either in the order of scikit-learn's
// precision_recall_curve (decreasing recall) or of increasing recall, and
// its average precision.
type PRCurve struct {
	Label             string
	Recall, Precision []float64
	AP                float64
}

// PR draws precision against recall on axes 0..1, one line per curve with
// its average precision in the legend, "random_forest (AP 0.953)", and the
// precision of a classifier without skill, the prevalence of the positive
// class, as a dashed line: "chance (prevalence 0.050)". Each curve is drawn
// as a polyline through its points in order of increasing recall (points
// of equal recall in the order of decreasing threshold), not as a
// staircase.
//
// Points with a value that is NaN or infinite are left out; a curve left
// with none is named in the legend without a line, "(no drawable point)".
// A prevalence that is NaN (unknown) leaves out the chance line.
//
// It panics if a curve's Recall and Precision differ in length or are
// empty, or prevalence is a number outside 0..1.
func PR(curves []PRCurve, prevalence float64, title string) *Chart {
	c := newChart(title, "Recall", "Precision")
	c.plot.X.Min, c.plot.X.Max = 0, 1
	c.plot.Y.Min, c.plot.Y.Max = 0, 1
	c.plot.X.Tick.Marker, c.plot.Y.Tick.Marker = tenths, tenths
	if !(prevalence >= 0 && prevalence <= 1) && !math.IsNaN(prevalence) {
		panic(fmt.Sprintf("charts: PR prevalence %v is not a fraction between 0 and 1", prevalence))
	}
	for i, curve := range curves {
		pts := prPoints(curve)
		if len(pts) == 0 {
			c.addLegend(curve.Label + " (no drawable point)")
			continue
		}
		l := line(pts, i)
		c.plot.Add(l)
		c.addLegend(fmt.Sprintf("%s (AP %s)", curve.Label, aucText(curve.AP)), l)
	}
	if math.IsNaN(prevalence) {
		return c
	}
	chance := hline(prevalence)
	chance.Color = color.Gray{Y: 110} // as the ROC's chance diagonal
	chance.Width = vg.Points(1)
	c.plot.Add(chance)
	c.addLegend(fmt.Sprintf("chance (prevalence %.3f)", prevalence), chance)
	return c
}

// prPoints returns curve's points in order of increasing recall, without
// changing curve. Points given in decreasing recall, as scikit-learn
// returns them (by increasing threshold), are first reversed, so that
// points of equal recall stay in order of decreasing threshold; the stable
// sort then only fixes any other disorder. Points with a value that is NaN
// or infinite are left out.
func prPoints(curve PRCurve) plotter.XYs {
	n := len(curve.Recall)
	if len(curve.Precision) != n {
		panic(fmt.Sprintf("charts: PR curve %q has %d recall and %d precision values", curve.Label, n, len(curve.Precision)))
	}
	if n == 0 {
		panic(fmt.Sprintf("charts: PR curve %q has no points", curve.Label))
	}
	recall, precision := drawable(curve.Recall, curve.Precision, false, false)
	n = len(recall)
	if n == 0 {
		return nil
	}
	pts := make(plotter.XYs, n)
	for i := range pts {
		pts[i] = plotter.XY{X: recall[i], Y: precision[i]}
	}
	if pts[0].X > pts[n-1].X {
		slices.Reverse(pts)
	}
	slices.SortStableFunc(pts, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	return pts
}
