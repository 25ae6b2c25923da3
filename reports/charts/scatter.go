package charts

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Points are a labelled set of points (X[i], Y[i]), such as the flows of
// one anomaly type.
type Points struct {
	Label string
	X, Y  []float64
}

// dotRadius is the radius of a scatter plot's dots.
const dotRadius = vg.Length(1.5)

// Scatter draws each group of points as small translucent dots of its own
// colour and shape, groups in order (the first underneath), with a legend
// entry per group giving its count: "normal (n=9,500)". Groups without
// points are left out, legend included. The more points a group has, the
// more translucent its dots, so that dense groups show their density and
// sparse ones stand out. With logX or logY that axis is logarithmic, with
// ticks at powers of ten labelled 1, 10, 100, 1k, ...
//
// Points that cannot be drawn, with a coordinate that is NaN or infinite
// or, on a logarithmic axis, not positive, are left out, and the legend
// counts them apart: "normal (n=9,500; 2 not drawable)".
//
// It panics if a group's X and Y differ in length.
func Scatter(title, xLabel, yLabel string, groups []Points, logX, logY bool) *Chart {
	c := newChart(title, xLabel, yLabel)
	for i, g := range groups {
		if len(g.X) != len(g.Y) {
			panic(fmt.Sprintf("charts: Scatter group %q has %d X and %d Y values", g.Label, len(g.X), len(g.Y)))
		}
		x, y := drawable(g.X, g.Y, logX, logY)
		if skipped := len(g.X) - len(x); len(x) == 0 {
			if skipped > 0 {
				c.addLegend(withDrawn(g.Label, 0, skipped))
			}
			continue // its colour and shape stay unused, so that groups keep theirs from figure to figure
		}
		if logX {
			x = logs(x)
		}
		if logY {
			y = logs(y)
		}
		style := draw.GlyphStyle{
			Color:  translucent(seriesColor(i), dotAlpha(len(g.X))),
			Radius: dotRadius,
			Shape:  dotShapes[i%len(dotShapes)],
		}
		c.plot.Add(dots(xys(x, y), style))
		c.addLegend(withDrawn(g.Label, len(x), len(g.X)-len(x)), legendDot(seriesColor(i), style.Shape))
	}
	scatterAxes(c, logX, logY)
	return c
}

// ClusterScatter draws points coloured by their cluster label, as from
// k-means or DBSCAN: labels[i] is point i's cluster, 0, 1, ..., or -1 for
// noise. Noise is drawn first, in light grey, with the legend entry "noise
// (n=…)". Up to six clusters take the palette's colours, each with a
// legend entry "cluster 0 (n=…)"; more (DBSCAN may find dozens) are
// coloured along a viridis ramp in order of their labels, under the single
// legend entry "N clusters, coloured by label". Clusters are drawn in
// order of their labels.
//
// Points with a coordinate that is NaN or infinite are left out, and a
// last legend entry counts them: "3 points not drawable".
//
// It panics if x, y and labels differ in length, or a label is below -1.
func ClusterScatter(title, xLabel, yLabel string, x, y []float64, labels []int) *Chart {
	if len(x) != len(y) || len(x) != len(labels) {
		panic(fmt.Sprintf("charts: ClusterScatter with %d x, %d y and %d labels", len(x), len(y), len(labels)))
	}
	members := map[int]plotter.XYs{}
	skipped := 0
	for i, l := range labels {
		if l < -1 {
			panic(fmt.Sprintf("charts: ClusterScatter label %d at point %d (want -1 for noise or a cluster 0, 1, ...)", l, i))
		}
		if !finite(x[i]) || !finite(y[i]) {
			skipped++
			continue
		}
		members[l] = append(members[l], plotter.XY{X: x[i], Y: y[i]})
	}
	clusters := make([]int, 0, len(members))
	for l := range members {
		if l >= 0 {
			clusters = append(clusters, l)
		}
	}
	slices.Sort(clusters)

	c := newChart(title, xLabel, yLabel)
	if noise := members[-1]; len(noise) > 0 {
		style := draw.GlyphStyle{Color: noiseColor, Radius: dotRadius, Shape: draw.CircleGlyph{}}
		c.plot.Add(dots(noise, style))
		c.addLegend(withN("noise", len(noise)), legendDot(noiseColor, style.Shape))
	}
	many := len(clusters) > len(palette)
	for k, l := range clusters {
		pts := members[l]
		col := seriesColor(k)
		if many {
			col = viridis(float64(k) / float64(len(clusters)-1))
		}
		style := draw.GlyphStyle{Color: translucent(col, dotAlpha(len(pts))), Radius: dotRadius, Shape: draw.CircleGlyph{}}
		c.plot.Add(dots(pts, style))
		if !many {
			c.addLegend(withN(fmt.Sprintf("cluster %d", l), len(pts)), legendDot(col, style.Shape))
		}
	}
	if many {
		c.addLegend(fmt.Sprintf("%d clusters, coloured by label", len(clusters)), viridisThumb{})
	}
	if skipped > 0 {
		c.addLegend(fmt.Sprintf("%s points not drawable", thousands(skipped)))
	}
	scatterAxes(c, false, false)
	return c
}

// noiseColor is the light grey of points that belong to no cluster.
var noiseColor = color.Gray{Y: 190}

// dotShapes are the filled glyphs of the scatter plots' groups; outlined
// glyphs would vanish at dotRadius.
var dotShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}

// dotAlpha is the opacity (0..255) of the dots of a group of n points.
func dotAlpha(n int) uint8 {
	switch {
	case n > 2000:
		return 80
	case n > 500:
		return 130
	default:
		return 190
	}
}

// scatterAxes sets the ticks of a scatter plot's axes, logarithmic or
// linear (see logTicks for how logarithmic axes are drawn), and leaves a
// margin around the dots.
func scatterAxes(c *Chart, logX, logY bool) {
	for _, a := range []struct {
		axis *plot.Axis
		log  bool
	}{{&c.plot.X, logX}, {&c.plot.Y, logY}} {
		a.axis.Tick.Marker = niceTicks{}
		if a.log {
			a.axis.Tick.Marker = logTicks{}
		}
		if a.axis.Min <= a.axis.Max { // there are dots
			addMargins(a.axis, 0.03)
		}
	}
	c.rightMargin = figureMargin
}

// drawable returns the points that can be drawn: coordinates finite and,
// on a logarithmic axis, positive. When all can, it returns x and y
// themselves.
func drawable(x, y []float64, logX, logY bool) ([]float64, []float64) {
	ok := func(v float64, log bool) bool { return finite(v) && (!log || v > 0) }
	all := true
	for i := range x {
		all = all && ok(x[i], logX) && ok(y[i], logY)
	}
	if all {
		return x, y
	}
	var dx, dy []float64
	for i := range x {
		if ok(x[i], logX) && ok(y[i], logY) {
			dx, dy = append(dx, x[i]), append(dy, y[i])
		}
	}
	return dx, dy
}

// dots returns a scatter of pts in style. Callers have checked pts.
func dots(pts plotter.XYs, style draw.GlyphStyle) *dotScatter {
	s := &dotScatter{Scatter: &plotter.Scatter{XYs: pts, GlyphStyle: style}}
	if len(pts) == 0 {
		return s
	}
	var minX, maxX, minY, maxY int
	for i, p := range pts {
		if p.X < pts[minX].X {
			minX = i
		}
		if p.X > pts[maxX].X {
			maxX = i
		}
		if p.Y < pts[minY].Y {
			minY = i
		}
		if p.Y > pts[maxY].Y {
			maxY = i
		}
	}
	s.extremes = []int{minX, maxX, minY, maxY}
	return s
}

// A dotScatter is a plotter.Scatter of dots of one style, drawn faster.
// It tells the plot only of the glyphs of its outermost dots, which alone
// decide the padding that keeps glyphs inside the plot (the plot asks four
// times per drawing, and there may be thousands of dots). On raster
// canvases it draws circles as 12-sided polygons, which at dotRadius look
// the same and are several times faster to fill than arcs; SVG keeps the
// true circles, which are shorter to write.
type dotScatter struct {
	*plotter.Scatter
	extremes []int // indices of the dots of least and greatest x and y
}

func (s *dotScatter) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := s.GlyphStyle.Radius
	boxes := make([]plot.GlyphBox, len(s.extremes))
	for k, i := range s.extremes {
		boxes[k] = plot.GlyphBox{
			X:         p.X.Norm(s.XYs[i].X),
			Y:         p.Y.Norm(s.XYs[i].Y),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}},
		}
	}
	return boxes
}

func (s *dotScatter) Plot(c draw.Canvas, p *plot.Plot) {
	style := s.GlyphStyle
	if _, ok := style.Shape.(draw.CircleGlyph); ok && !isSVG(c.Canvas) {
		style.Shape = polygonDot{}
	}
	trX, trY := p.Transforms(&c)
	for _, pt := range s.XYs {
		c.DrawGlyph(style, vg.Point{X: trX(pt.X), Y: trY(pt.Y)})
	}
}

// isSVG reports whether c draws SVG, under any number of draw.Canvases
// (draw.Crop nests them).
func isSVG(c vg.Canvas) bool {
	for {
		switch v := c.(type) {
		case *vgsvg.Canvas:
			return true
		case draw.Canvas:
			c = v.Canvas
		case *draw.Canvas:
			c = v.Canvas
		default:
			return false
		}
	}
}

// polygonDot is a filled 12-sided polygon, a circle at small sizes.
type polygonDot struct{}

// unitDodecagon are the vertices of a 12-sided polygon of radius 1.
var unitDodecagon = func() (v [12]vg.Point) {
	for k := range v {
		s, c := math.Sincos(2 * math.Pi * float64(k) / 12)
		v[k] = vg.Point{X: vg.Length(c), Y: vg.Length(s)}
	}
	return v
}()

func (polygonDot) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	p := make(vg.Path, 0, len(unitDodecagon)+1)
	for k, v := range unitDodecagon {
		q := vg.Point{X: pt.X + sty.Radius*v.X, Y: pt.Y + sty.Radius*v.Y}
		if k == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	c.Fill(p)
}

// legendDot is a scatter's legend thumbnail: its glyph, opaque and larger
// than the translucent dots, which would be hard to make out.
func legendDot(c color.Color, shape draw.GlyphDrawer) plot.Thumbnailer {
	return &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shape}}
}

// viridisStops are the colours of matplotlib's viridis at tenths 0, 1/9,
// ..., 1 (as R's viridis(10)).
var viridisStops = []color.NRGBA{
	rgb(0x440154), rgb(0x482878), rgb(0x3E4A89), rgb(0x31688E), rgb(0x26828E),
	rgb(0x1F9E89), rgb(0x35B779), rgb(0x6DCD59), rgb(0xB4DE2C), rgb(0xFDE725),
}

// viridisEnd is where viridis stops for colouring dots: its last stretch,
// pale yellow, is hard to see on white.
const viridisEnd = 0.9

// viridis returns the colour a fraction t (0..1) along the ramp from dark
// purple to yellow-green.
func viridis(t float64) color.NRGBA {
	if math.IsNaN(t) { // a single cluster: 0/0
		t = 0
	}
	t = min(max(t, 0), 1) * viridisEnd * float64(len(viridisStops)-1)
	k := min(int(t), len(viridisStops)-2)
	return mix(viridisStops[k], viridisStops[k+1], t-float64(k))
}

// viridisThumb is the legend thumbnail of clusters coloured by label: the
// ramp, left to right.
type viridisThumb struct{}

func (viridisThumb) Thumbnail(c *draw.Canvas) {
	const stripes = 8
	w := (c.Max.X - c.Min.X) / stripes
	for i := range stripes {
		x0 := c.Min.X + vg.Length(i)*w
		c.FillPolygon(viridis(float64(i)/(stripes-1)), []vg.Point{
			{X: x0, Y: c.Min.Y}, {X: x0 + w, Y: c.Min.Y}, {X: x0 + w, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
		})
	}
}
