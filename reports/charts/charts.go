// Package charts draws the figures of the HTML report: ROC and
// precision-recall curves, ROC curves across seeds, a metric against a
// parameter, annotated heatmaps (confusion and correlation matrices,
// cross-tabulations), horizontal and vertical bar charts, overlaid
// histograms, scatter plots of flows and of their clusters, and the
// monitoring simulation's dashboard and drift over time.
//
// Constructors take plain Go data and return a *Chart, which is written as
// SVG or PNG at a fixed size (Width × Height, PNG at DPI dots per inch) so
// that figures line up in the report; the monitoring dashboard, four panels
// stacked, is as wide and DashboardHeight tall (Pixels tells). Output is deterministic: the same data
// give the same bytes. Legends are drawn below the plotting area, never over
// the data.
//
// This is the only package of the harness that imports gonum.org/v1/plot;
// its types stay out of the exported API.
package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Size of every figure: 6.4 × 4.2 inches, 640 × 420 pixels in PNG.
const (
	Width  = 6.4 * vg.Inch
	Height = 4.2 * vg.Inch
	DPI    = 100
)

// Font sizes, chosen to be readable at 640 × 420 px.
const (
	titleSize  = 13
	labelSize  = 11
	tickSize   = 10
	legendSize = 10
	cellSize   = 10
)

// A Chart is a figure ready to be written.
type Chart struct {
	plot   *plot.Plot
	grid   *plotter.Grid
	legend plot.Legend // drawn below the plot; empty for charts without one
	// legendEntries counts legend entries, as plot.Legend does not expose them.
	legendEntries int
	// rightMargin keeps data that reach the end of the x axis (bars,
	// dots) off the figure's right edge.
	rightMargin vg.Length

	// width and height, when set, replace the house size Width × Height
	// (the monitoring dashboard is taller).
	width, height vg.Length
	// legendColumns, when above 1, lays the legend out in that many
	// columns, filled top to bottom; entries holds them for it.
	legendColumns int
	entries       []legendEntry
	// panels, when set, replace plot: plots stacked in one column under
	// title, their data areas aligned, over the shared legend.
	panels    []*plot.Plot
	title     text.Style
	titleText string
}

// legendEntry is one entry of a chart's legend.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// Write writes the chart to w in format "svg" or "png". It panics on any
// other format.
func (c *Chart) Write(w io.Writer, format string) error {
	width, height := c.size()
	switch format {
	case "svg":
		canvas := vgsvg.New(width, height)
		c.draw(draw.New(canvas))
		_, err := canvas.WriteTo(w)
		return err
	case "png":
		// Encoded here rather than by vgimg.PngCanvas, at png.BestSpeed:
		// the default compression takes half the time of a report for
		// files about a fifth smaller.
		canvas := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))
		c.draw(draw.New(canvas))
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, canvas.Image())
	default:
		panic(fmt.Sprintf("charts: unknown format %q (want svg or png)", format))
	}
}

// size is the chart's size: Width × Height unless it has its own.
func (c *Chart) size() (width, height vg.Length) {
	if c.width > 0 && c.height > 0 {
		return c.width, c.height
	}
	return Width, Height
}

// Pixels returns the size of the chart's PNG in pixels: 640 × 420 but for
// charts of their own size, such as the monitoring dashboard.
func (c *Chart) Pixels() (width, height int) {
	w, h := c.size()
	return int(math.Round(w.Dots(DPI))), int(math.Round(h.Dots(DPI)))
}

// SVG returns the chart as SVG.
func (c *Chart) SVG() []byte { return c.bytes("svg") }

// PNG returns the chart as a PNG of Pixels() pixels, 640 × 420 for most.
func (c *Chart) PNG() []byte { return c.bytes("png") }

func (c *Chart) bytes(format string) []byte {
	var buf bytes.Buffer
	if err := c.Write(&buf, format); err != nil {
		panic("charts: writing to memory: " + err.Error()) // bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// draw lays out the plot (or the panels) above its legend.
func (c *Chart) draw(dc draw.Canvas) {
	if c.legendEntries == 0 {
		c.drawPlot(draw.Crop(dc, 0, -c.rightMargin, 0, 0))
		return
	}
	const gap = vg.Length(6)
	columns := c.legendColumnsOf(dc.Max.X-dc.Min.X-c.rightMargin-legendIndent, 3*gap)
	var legendHeight vg.Length
	for _, l := range columns {
		legendHeight = max(legendHeight, l.Rectangle(dc).Size().Y)
	}
	plotArea := draw.Crop(dc, 0, -c.rightMargin, legendHeight+2*gap, 0)

	// Align the legend with the left edge of the data area.
	data := c.drawPlot(plotArea)
	legendArea := dc
	legendArea.Min.X = data.Min.X
	legendArea.Max.Y = dc.Min.Y + legendHeight + gap
	legendArea.Min.Y = dc.Min.Y + gap
	for _, l := range columns {
		l.Draw(legendArea)
		legendArea.Min.X += l.Rectangle(dc).Size().X + 3*gap
	}
}

// drawPlot draws the plot, or the panels, in area and returns the data
// area (the bottom panel's).
func (c *Chart) drawPlot(area draw.Canvas) draw.Canvas {
	if c.panels == nil {
		steadyAxes(c.plot)
		c.plot.Draw(area)
		return c.plot.DataCanvas(area)
	}
	if c.titleText != "" {
		descent := c.title.FontExtents().Descent
		area.FillText(c.title, vg.Point{X: area.Center().X, Y: area.Max.Y + descent}, c.titleText)
		area.Max.Y -= c.title.Rectangle(c.titleText).Size().Y + 8
	}
	rows := make([][]*plot.Plot, len(c.panels))
	for i, p := range c.panels {
		steadyAxes(p)
		rows[i] = []*plot.Plot{p}
	}
	tiles := plot.Align(rows, draw.Tiles{Rows: len(c.panels), Cols: 1, PadY: 10}, area)
	for i, p := range c.panels {
		p.Draw(tiles[i][0])
	}
	last := len(c.panels) - 1
	return c.panels[last].DataCanvas(tiles[last][0])
}

// legendIndent bounds the room the y axis takes left of the data area,
// where the legend starts, for fitting legend columns.
const legendIndent = vg.Length(60)

// legendColumnsOf returns the legend split into columns: as many as
// legendColumns asks for and fit in width with gap between them.
func (c *Chart) legendColumnsOf(width, gap vg.Length) []*plot.Legend {
	if c.legendColumns <= 1 {
		return []*plot.Legend{&c.legend}
	}
	var out []*plot.Legend
	for cols := c.legendColumns; cols >= 1; cols-- {
		rows := (len(c.entries) + cols - 1) / cols
		out = out[:0]
		total := -gap
		for start := 0; start < len(c.entries); start += rows {
			l := plot.NewLegend()
			l.TextStyle, l.Top, l.Left, l.Padding = c.legend.TextStyle, c.legend.Top, c.legend.Left, c.legend.Padding
			for _, e := range c.entries[start:min(start+rows, len(c.entries))] {
				l.Add(e.name, e.thumbs...)
			}
			out = append(out, &l)
			total += l.Rectangle(draw.Canvas{}).Size().X + gap
		}
		if total <= width {
			break
		}
	}
	return out
}

func (c *Chart) addLegend(name string, thumbs ...plot.Thumbnailer) {
	c.legend.Add(name, thumbs...)
	c.entries = append(c.entries, legendEntry{name, thumbs})
	c.legendEntries++
}

// housePlot returns a plot with the house fonts, its title at size
// titleFont with padding, and a light grid.
func housePlot(title, xLabel, yLabel string, titleFont, padding vg.Length) (*plot.Plot, *plotter.Grid) {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(titleFont)
	p.Title.Padding = padding
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(labelSize)
		a.Tick.Label.Font = sans(tickSize)
	}
	grid := plotter.NewGrid()
	for _, l := range []*draw.LineStyle{&grid.Vertical, &grid.Horizontal} {
		l.Color, l.Width, l.Dashes = gridColor, vg.Points(0.75), nil
	}
	p.Add(grid)
	return p, grid
}

// newChart returns a chart with the house fonts, a light grid and an empty
// legend placed at the top left of its own area.
func newChart(title, xLabel, yLabel string) *Chart {
	p, grid := housePlot(title, xLabel, yLabel, titleSize, 6)

	legend := plot.NewLegend()
	legend.TextStyle.Font = sans(legendSize)
	legend.Top, legend.Left = true, true
	legend.Padding = 2
	return &Chart{plot: p, grid: grid, legend: legend}
}

var gridColor = color.Gray{Y: 228}

// figureMargin is the right margin of charts whose data reach the end of
// the x axis.
const figureMargin = vg.Length(10)

// sans returns Liberation Sans (metrically compatible with Arial, and
// embedded in gonum/plot) at size points.
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// palette is Okabe and Ito's colour-blind-safe palette, without its yellow
// (too pale on white) and black (kept for reference lines).
var palette = []color.Color{
	rgb(0x0072B2), // blue
	rgb(0xD55E00), // vermillion
	rgb(0x009E73), // bluish green
	rgb(0xCC79A7), // reddish purple
	rgb(0xE69F00), // orange
	rgb(0x56B4E9), // sky blue
}

// seriesColor returns the colour of the i'th series, cycling the palette.
func seriesColor(i int) color.Color { return palette[i%len(palette)] }

// seriesDashes distinguishes series beyond the palette's length.
func seriesDashes(i int) []vg.Length {
	if (i/len(palette))%2 == 1 {
		return []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return nil
}

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}
}

// translucent returns c with alpha a (0..255), for interval bands.
func translucent(c color.Color, a uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

var dashed = []vg.Length{vg.Points(5), vg.Points(4)}

// xys pairs x and y, which must have equal lengths.
func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return pts
}

// band returns a filled polygon between lo and hi over x, without an
// outline.
func band(x, lo, hi []float64, fill color.Color) *plotter.Polygon {
	ring := make(plotter.XYs, 0, 2*len(x))
	for i := range x {
		ring = append(ring, plotter.XY{X: x[i], Y: hi[i]})
	}
	for i := len(x) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		panic("charts: " + err.Error()) // callers have checked for NaN and Inf
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	return poly
}

// line returns a solid line through pts in the i'th series style.
func line(pts plotter.XYs, i int) *plotter.Line {
	l, err := plotter.NewLine(pts)
	if err != nil {
		panic("charts: " + err.Error())
	}
	l.Color = seriesColor(i)
	l.Width = vg.Points(1.75)
	l.Dashes = seriesDashes(i)
	return l
}

// hline returns a dashed horizontal line at y across the x range.
func hline(y float64) *plotter.Function {
	f := plotter.NewFunction(func(float64) float64 { return y })
	f.Color = color.Gray{Y: 60}
	f.Width = vg.Points(1)
	f.Dashes = dashed
	return f
}

// withN returns label followed by a count: "normal (n=9,500)".
func withN(label string, n int) string {
	return fmt.Sprintf("%s (n=%s)", label, thousands(n))
}

// thousands formats n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

// finite reports whether v is neither NaN nor infinite. Data values that
// are not (a correlation of a constant column, a rate without a
// denominator) are never an error: each constructor says how it draws
// them, as "n/a" or by leaving them out, and the plotters gonum draws
// never see them.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// notApplicable is the text of a value that is not a finite number.
const notApplicable = "n/a"

// naColor is the neutral grey of a heatmap cell whose value is not a
// finite number: outside both the sequential blues and the diverging
// blue-red map.
var naColor = color.NRGBA{R: 0xBD, G: 0xBD, B: 0xBD, A: 255}

// withDrawn is withN for a group of which skipped values are not drawn:
// "normal (n=9,498; 2 not drawable)", or withN's text when none is
// skipped.
func withDrawn(label string, drawn, skipped int) string {
	if skipped == 0 {
		return withN(label, drawn)
	}
	return fmt.Sprintf("%s (n=%s; %s not drawable)", label, thousands(drawn), thousands(skipped))
}

// steadyAxes prepares p's axes for drawing where gonum's own range fixes
// (an infinite end becomes 0, an empty range is widened by 1 on each side)
// fall short: a NaN end is taken as 0, like an infinite one; an empty range
// at a magnitude where adding 1 changes nothing (beyond 2^53) is widened in
// proportion instead; and a linear axis whose width overflows float64
// normalises by halves. Ranges gonum handles are left alone, so figures
// of ordinary data do not change.
func steadyAxes(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if math.IsNaN(a.Min) {
			a.Min = 0
		}
		if math.IsNaN(a.Max) {
			a.Max = 0
		}
		if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) {
			continue // gonum sets them to 0
		}
		if a.Min > a.Max {
			a.Min, a.Max = a.Max, a.Min
		}
		if a.Min == a.Max && (a.Min-1 == a.Min || a.Max+1 == a.Max) {
			d := math.Abs(a.Min) * 0x1p-40
			a.Min, a.Max = a.Min-d, a.Max+d
		}
		if _, linear := a.Scale.(plot.LinearScale); linear && math.IsInf(a.Max-a.Min, 0) {
			a.Scale = halvedScale{}
		}
	}
}

// halvedScale is a linear scale for a range wider than the largest
// float64: it works on halves of the values, which cannot overflow.
type halvedScale struct{}

func (halvedScale) Normalize(lo, hi, x float64) float64 {
	return (x/2 - lo/2) / (hi/2 - lo/2)
}
