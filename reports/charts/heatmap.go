package charts

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatmapOptions set how Heatmap shades and annotates its cells.
type HeatmapOptions struct {
	// Format gives the text printed in a cell; nil prints %.3g.
	Format func(float64) string
	// Diverging shades from blue through white at 0 to red, over a range
	// symmetric about 0: -m..m, where m is the largest absolute value (so
	// -1..1 for a correlation matrix, whose diagonal is 1). Otherwise cells
	// are shaded from white to dark blue, from the smallest value to the
	// largest.
	Diverging bool
	// Log shades by log(1+v) from 0 to the largest value, so that small
	// counts beside large ones stay visible. Values must be non-negative.
	// It is ignored when Diverging.
	Log bool
}

// Heatmap draws values as a grid of shaded cells: values[i][j] in row
// rows[i] (the first on top) and column cols[j], each cell printing its
// value, in white on dark cells. Column labels too long to sit side by side
// are turned 30°.
//
// A value that is not a finite number, such as the correlation of a
// constant column (0/0), is drawn as a cell of neutral grey printing
// "n/a", and does not count in the range of the shading; callers say why
// in the caption.
//
// It panics unless values is len(rows) × len(cols), or if a value is
// negative with opt.Log.
func Heatmap(title, xLabel, yLabel string, rows, cols []string, values [][]float64, opt HeatmapOptions) *Chart {
	if len(values) != len(rows) {
		panic(fmt.Sprintf("charts: Heatmap with %d rows but %d rows of values", len(rows), len(values)))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, row := range values {
		if len(row) != len(cols) {
			panic(fmt.Sprintf("charts: Heatmap with %d columns but row %d (%q) has %d values", len(cols), i, rows[i], len(row)))
		}
		for j, v := range row {
			if !finite(v) {
				continue
			}
			if opt.Log && !opt.Diverging && v < 0 {
				panic(fmt.Sprintf("charts: Heatmap value %v in row %d (%q), column %d (%q) is negative, but Log shading needs values >= 0",
					v, i, rows[i], j, cols[j]))
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi { // no finite value
		lo, hi = 0, 0
	}
	format := opt.Format
	if format == nil {
		format = func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	}
	m := &cells{values: values, format: func(v float64) string {
		if !finite(v) {
			return notApplicable
		}
		return format(v)
	}}
	switch {
	case opt.Diverging:
		cmap := moreland.SmoothBlueRed()
		r := max(math.Abs(lo), math.Abs(hi))
		if r == 0 {
			r = 1
		}
		cmap.SetMin(-r)
		cmap.SetMax(r)
		m.fill = func(v float64) color.NRGBA {
			col, err := cmap.At(v)
			if err != nil {
				panic("charts: " + err.Error()) // v is within -r..r
			}
			return color.NRGBAModel.Convert(col).(color.NRGBA)
		}
	case opt.Log:
		m.fill = func(v float64) color.NRGBA {
			shade := 0.0
			if hi > 0 {
				shade = math.Log1p(v) / math.Log1p(hi)
			}
			return mix(cellLow, cellHigh, shade)
		}
	default:
		m.fill = func(v float64) color.NRGBA {
			shade := 0.0
			if hi > lo {
				shade = (v - lo) / (hi - lo)
			}
			return mix(cellLow, cellHigh, shade)
		}
	}

	c := newChart(title, xLabel, yLabel)
	c.grid.Horizontal.Color, c.grid.Vertical.Color = nil, nil
	c.plot.Add(m)
	n, k := len(rows), len(cols)
	c.plot.X.Min, c.plot.X.Max = -0.5, float64(k)-0.5
	c.plot.Y.Min, c.plot.Y.Max = -0.5, float64(n)-0.5
	if n == 0 || k == 0 {
		return c // nothing to draw (and gonum's Nominal axes need names)
	}
	c.plot.NominalX(cols...)
	reversed := make([]string, n)
	for i, name := range rows {
		reversed[n-1-i] = name
	}
	c.plot.NominalY(reversed...)
	c.plot.X.Padding, c.plot.Y.Padding = 0, 0
	// The data area is about the figure's width less the row labels.
	cell := (Width - widest(rows, c.plot.Y.Tick.Label) - 40) / vg.Length(k)
	if widest(cols, c.plot.X.Tick.Label) > 0.95*cell {
		c.plot.X.Tick.Label.Rotation = math.Pi / 6
		c.plot.X.Tick.Label.XAlign = draw.XRight
		c.plot.X.Tick.Label.YAlign = draw.YTop
	}
	return c
}

// ConfusionHeatmap draws a confusion matrix: counts[i][j] flows of true
// class classes[i] predicted as classes[j], true classes down the y axis
// (first on top), predicted across the x axis. Each cell prints its count
// and is shaded by log(1+count) relative to the largest count, so that the
// small off-diagonal counts of imbalanced data stay visible. It panics
// unless counts is len(classes) × len(classes) with no negative count.
func ConfusionHeatmap(title string, classes []string, counts [][]int) *Chart {
	n := len(classes)
	if len(counts) != n {
		panic(fmt.Sprintf("charts: %d classes but %d rows of counts", n, len(counts)))
	}
	values := make([][]float64, n)
	for i, row := range counts {
		if len(row) != n {
			panic(fmt.Sprintf("charts: %d classes but row %d has %d counts", n, i, len(row)))
		}
		values[i] = make([]float64, n)
		for j, v := range row {
			if v < 0 {
				panic(fmt.Sprintf("charts: negative count %d in row %d", v, i))
			}
			values[i][j] = float64(v)
		}
	}
	return Heatmap(title, "Predicted", "True", classes, classes, values, HeatmapOptions{
		Format: func(v float64) string { return strconv.Itoa(int(v)) },
		Log:    true,
	})
}

// cells is a heatmap as a plot.Plotter: row i of values at y = n-1-i,
// column j at x = j.
type cells struct {
	values [][]float64
	fill   func(float64) color.NRGBA
	format func(float64) string
}

// Low and high ends of the sequential shading, from ColorBrewer's Blues.
var (
	cellLow  = rgb(0xF7FBFF)
	cellHigh = rgb(0x08306B)
)

func (m *cells) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	n := len(m.values)
	style := text.Style{
		Font:    sans(cellSize),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: p.Title.TextStyle.Handler,
	}
	texts := make([][]string, len(m.values))
	var widest vg.Length
	for i, row := range m.values {
		texts[i] = make([]string, len(row))
		for j, v := range row {
			texts[i][j] = m.format(v)
			widest = max(widest, style.Width(texts[i][j]))
		}
	}
	// Shrink the text of narrow cells (down to 7 points) to fit.
	if room := 0.9 * (x(1) - x(0)); widest > room {
		style.Font.Size = max(7, style.Font.Size*room/widest)
	}
	for i, row := range m.values {
		for j, v := range row {
			fill := naColor
			if finite(v) {
				fill = m.fill(v)
			}
			yc := float64(n - 1 - i)
			xc := float64(j)
			lo := vg.Point{X: x(xc - 0.5), Y: y(yc - 0.5)}
			hi := vg.Point{X: x(xc + 0.5), Y: y(yc + 0.5)}
			c.FillPolygon(fill, []vg.Point{
				lo, {X: hi.X, Y: lo.Y}, hi, {X: lo.X, Y: hi.Y},
			})
			// Thin white borders separate equal neighbours.
			c.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(1)},
				[]vg.Point{lo, {X: hi.X, Y: lo.Y}, hi, {X: lo.X, Y: hi.Y}, lo})
			style.Color = color.Black
			if luminance(fill) < darkCell {
				style.Color = color.White
			}
			c.FillText(style, vg.Point{X: x(xc), Y: y(yc)}, texts[i][j])
		}
	}
}

// darkCell is the relative luminance below which a cell's text is white:
// between the point where white and black text contrast equally (0.18)
// and seaborn's threshold (0.41), leaning to black text, which reads
// better at small sizes.
const darkCell = 0.25

// luminance returns the relative luminance of c (0 black, 1 white), as
// defined by WCAG 2.
func luminance(c color.NRGBA) float64 {
	lin := func(u uint8) float64 {
		s := float64(u) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// mix returns the colour a fraction t of the way from a to b.
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	lerp := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + t*(float64(v)-float64(u)))) }
	return color.NRGBA{R: lerp(a.R, b.R), G: lerp(a.G, b.G), B: lerp(a.B, b.B), A: 255}
}
