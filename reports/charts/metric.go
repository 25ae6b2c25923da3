package charts

import (
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Series is a metric measured at several values of a parameter: at X[i]
// its mean is Mean[i] and its interval (for instance min to max over seeds,
// or a confidence interval) runs from Lo[i] to Hi[i]. Lo and Hi may both be
// nil for a series without an interval.
type Series struct {
	Label           string
	X, Mean, Lo, Hi []float64
}

// A Target is a level the metric should reach, such as a detection rate of
// 0.95.
type Target struct {
	Value float64
	Label string // "target 0.95"
}

// MetricVsParam draws each series as a line through points over a shaded
// interval band, and target, if not nil, as a dashed horizontal line named
// in the legend. With logX the x axis is logarithmic.
//
// Values that cannot be drawn (NaN or infinite, or an X not positive on a
// logarithmic axis) leave gaps: the line is broken at a point without a
// drawable X and Mean, and the band where an X, Lo or Hi is not drawable;
// a series with no drawable point is named in the legend alone, "(no
// drawable value)", and a target that is not finite is not drawn. It
// panics if a series' slices differ in length.
func MetricVsParam(title, xLabel, yLabel string, series []Series, target *Target, logX bool) *Chart {
	c := newChart(title, xLabel, yLabel)
	c.plot.Y.Tick.Marker = niceTicks{}
	// Room for the markers at the ends of the x range.
	c.plot.X.Padding = vg.Points(8)
	if logX {
		c.plot.X.Scale = plot.LogScale{}
		c.plot.X.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		c.plot.X.Tick.Marker = niceTicks{}
	}
	okX := func(x float64) bool { return finite(x) && (!logX || x > 0) }
	// A sweep has few parameter values: mark each of them.
	if ticks, ok := valueTicks(series, okX); ok {
		c.plot.X.Tick.Marker = ticks
	}
	for i, s := range series {
		n := len(s.X)
		if len(s.Mean) != n || (s.Lo != nil || s.Hi != nil) && (len(s.Lo) != n || len(s.Hi) != n) {
			panic(fmt.Sprintf("charts: series %q has %d X, %d Mean, %d Lo and %d Hi values",
				s.Label, n, len(s.Mean), len(s.Lo), len(s.Hi)))
		}
		thumbs := []plot.Thumbnailer{}
		if s.Lo != nil {
			for k, run := range runs(n, func(j int) bool { return okX(s.X[j]) && finite(s.Lo[j]) && finite(s.Hi[j]) }) {
				shade := band(s.X[run[0]:run[1]], s.Lo[run[0]:run[1]], s.Hi[run[0]:run[1]], translucent(seriesColor(i), 55))
				c.plot.Add(shade)
				if k == 0 {
					thumbs = append(thumbs, shade)
				}
			}
		}
		drawn := runs(n, func(j int) bool { return okX(s.X[j]) && finite(s.Mean[j]) })
		if len(drawn) == 0 {
			c.addLegend(s.Label + " (no drawable value)")
			continue
		}
		var pts plotter.XYs
		var lines []*plotter.Line
		for _, r := range drawn {
			run := xys(s.X[r[0]:r[1]], s.Mean[r[0]:r[1]])
			pts = append(pts, run...)
			// A run of one point is its dot alone, unless it is the whole
			// series (whose line of one point draws nothing).
			if len(run) > 1 || len(drawn) == 1 {
				lines = append(lines, line(run, i))
			}
		}
		dots, err := plotter.NewScatter(pts)
		if err != nil {
			panic("charts: " + err.Error())
		}
		dots.Color = seriesColor(i)
		dots.Shape = glyphs[i%len(glyphs)]
		dots.Radius = vg.Points(3)
		for _, l := range lines {
			c.plot.Add(l)
		}
		c.plot.Add(dots)
		if len(lines) > 0 {
			thumbs = append(thumbs, lines[0])
		}
		c.addLegend(s.Label, append(thumbs, dots)...)
	}
	if logX && !(c.plot.X.Min > 0 && c.plot.X.Max > 0) {
		c.plot.X.Min, c.plot.X.Max = 1, 10 // nothing drawn: an axis to read
	}
	if target != nil && !finite(target.Value) {
		target = nil
	}
	if target != nil {
		t := hline(target.Value)
		c.plot.Add(t)
		c.addLegend(target.Label, t)
		// Keep the target in view even when every series is far from it.
		c.plot.Y.Min = min(c.plot.Y.Min, target.Value)
		c.plot.Y.Max = max(c.plot.Y.Max, target.Value)
	}
	return c
}

// maxValueTicks is the most parameter values MetricVsParam labels one by
// one; with more, the axis gets round ticks.
const maxValueTicks = 10

// runs returns the maximal runs [start, end) of 0..n-1 where ok holds.
func runs(n int, ok func(int) bool) [][2]int {
	var out [][2]int
	for i := 0; i < n; {
		if !ok(i) {
			i++
			continue
		}
		j := i
		for j < n && ok(j) {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// valueTicks marks every distinct X of the series that ok accepts (the
// drawable ones), labelled in Go's shortest form ("0.05", "100"), when
// there are at most maxValueTicks.
func valueTicks(series []Series, ok func(float64) bool) (plot.ConstantTicks, bool) {
	var xs []float64
	for _, s := range series {
		for _, x := range s.X {
			if ok(x) && !slices.Contains(xs, x) {
				xs = append(xs, x)
			}
		}
	}
	if len(xs) == 0 || len(xs) > maxValueTicks {
		return nil, false
	}
	slices.Sort(xs)
	ticks := make(plot.ConstantTicks, len(xs))
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return ticks, true
}

// glyphs tell series apart where colours cannot (print, colour blindness).
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
	draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{},
}
