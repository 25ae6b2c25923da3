package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A Group is a labelled set of values, such as the CPU usage of the flows
// of one anomaly type.
type Group struct {
	Label  string
	Values []float64
}

// Histogram overlays translucent histograms of groups, each outlined in its
// colour, with one legend entry per group giving its count: "normal
// (n=9,500)". All groups share bin edges: bins equal bins over the pooled
// range of their values, so that their bars line up and compare. Whole
// numbers (such as ports contacted) are binned instead in bins a whole
// number wide with edges halfway between whole numbers, at most bins of
// them, so that no bar holds more possible values than another. If every value is equal
// there is one bar, one unit wide, centred on it. Groups with no values are
// left out, legend included. The y axis counts values from 0, linearly: a
// small group beside a large one shows as low bars. Values that are NaN
// or infinite have no bin: they are left out, and the legend counts them
// apart, "normal (n=9,500; 2 not drawable)".
//
// It panics if bins < 1.
func Histogram(title, xLabel, yLabel string, groups []Group, bins int) *Chart {
	edges, counts := histBins(groups, bins)
	c := newChart(title, xLabel, yLabel)
	c.grid.Vertical.Color = nil // the bins are their own guides
	drawn := false
	for g, group := range groups {
		drawable := 0
		for _, n := range counts[g] {
			drawable += int(n)
		}
		if drawable == 0 {
			if len(group.Values) > 0 { // say what was left out
				c.addLegend(withDrawn(group.Label, 0, len(group.Values)))
			}
			continue
		}
		h := &plotter.Histogram{Width: edges[1] - edges[0]}
		for k, n := range counts[g] {
			// Empty bins are left out: drawn, they would stroke the
			// baseline in the colour of the last group.
			if n > 0 {
				h.Bins = append(h.Bins, plotter.HistogramBin{Min: edges[k], Max: edges[k+1], Weight: n})
			}
		}
		// Colours follow the groups' order, skipped ones included, so that
		// a group keeps its colour from figure to figure.
		h.FillColor = translucent(seriesColor(g), 90)
		h.LineStyle.Color = seriesColor(g)
		h.LineStyle.Width = vg.Points(1)
		c.plot.Add(h)
		c.addLegend(withDrawn(group.Label, drawable, len(group.Values)-drawable), h)
		drawn = true
	}
	if !drawn {
		c.plot.Y.Min, c.plot.Y.Max = 0, 1
	} else {
		// The pooled range, even where its outer bins are empty in every
		// group but the one that set it.
		c.plot.X.Min, c.plot.X.Max = edges[0], edges[len(edges)-1]
		addMargins(&c.plot.X, 0.02)
		if len(edges) == 2 { // a single bar: show it as one, not a filled frame
			addMargins(&c.plot.X, 2)
		}
		c.plot.Y.Min = 0
		c.plot.Y.Max *= 1.04
	}
	c.plot.X.Tick.Marker = niceTicks{}
	c.plot.Y.Tick.Marker = niceTicks{minStep: 1}
	c.rightMargin = figureMargin
	return c
}

// histBins returns the shared edges of the groups' histograms and, for
// each group, its count in each bin. There are bins bins of equal width
// from the smallest value to the largest, half-open, [edge k, edge k+1),
// but for the last, which includes the largest value. If all values are
// whole numbers, bins are instead a whole number wide with edges halfway
// between whole numbers, as few as cover the values with at most bins
// bins. If all values
// are equal (or there are none) there is a single bin one unit wide around
// them (wider where one unit is below the values' resolution). Values
// that are NaN or infinite are in no bin. It panics if bins < 1.
func histBins(groups []Group, bins int) (edges []float64, counts [][]float64) {
	if bins < 1 {
		panic(fmt.Sprintf("charts: Histogram with %d bins (want at least 1)", bins))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range groups {
		for _, v := range g.Values {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	switch {
	case lo > hi: // no values at all
		lo, hi, bins = -0.5, 0.5, 1
	case lo == hi:
		d := 0.5
		if lo-d == lo || hi+d == hi { // beyond 2^53
			d = math.Abs(lo) * 0x1p-40
		}
		lo, hi, bins = lo-d, hi+d, 1
	case integral(groups) && hi-lo < 1<<40:
		// Whole numbers, such as ports contacted: bins a whole number
		// wide, edges halfway between whole numbers, so that each bin
		// holds as many possible values as the next.
		span := hi - lo + 1
		step := math.Ceil(span / float64(bins))
		bins = int(math.Ceil(span / step))
		lo -= 0.5
		hi = lo + float64(bins)*step
	}
	width := (hi - lo) / float64(bins)
	if math.IsInf(width, 0) { // a range wider than the largest float64
		width = hi/float64(bins) - lo/float64(bins)
	}
	edges = make([]float64, bins+1)
	for k := range edges {
		edges[k] = lo + float64(k)*width
		if !finite(edges[k]) { // k*width overflowed: in halves
			edges[k] = 2 * (lo/2 + float64(k)*(width/2))
		}
	}
	edges[bins] = hi // exact, whatever the rounding above
	counts = make([][]float64, len(groups))
	for g, group := range groups {
		counts[g] = make([]float64, bins)
		for _, v := range group.Values {
			if !finite(v) {
				continue
			}
			x := (v - lo) / width
			if !(x >= 0) { // NaN too, with a width that underflowed to 0
				x = 0
			}
			k := int(min(x, float64(bins-1)))
			// Rounding may put a value one bin off its edges; the
			// edges, not the division, decide.
			for k > 0 && v < edges[k] {
				k--
			}
			for k < bins-1 && v >= edges[k+1] {
				k++
			}
			counts[g][k]++
		}
	}
	return edges, counts
}

// integral reports whether every value of the groups is a whole number.
func integral(groups []Group) bool {
	for _, g := range groups {
		for _, v := range g.Values {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}
