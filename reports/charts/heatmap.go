package charts

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
	largest := 0
	for i, row := range counts {
		if len(row) != n {
			panic(fmt.Sprintf("charts: %d classes but row %d has %d counts", n, i, len(row)))
		}
		for _, v := range row {
			if v < 0 {
				panic(fmt.Sprintf("charts: negative count %d in row %d", v, i))
			}
			largest = max(largest, v)
		}
	}

	c := newChart(title, "Predicted", "True")
	c.grid.Horizontal.Color, c.grid.Vertical.Color = nil, nil
	c.plot.Add(&cells{counts: counts, largest: largest})
	c.plot.X.Min, c.plot.X.Max = -0.5, float64(n)-0.5
	c.plot.Y.Min, c.plot.Y.Max = -0.5, float64(n)-0.5
	c.plot.NominalX(classes...)
	reversed := make([]string, n)
	for i, name := range classes {
		reversed[n-1-i] = name
	}
	c.plot.NominalY(reversed...)
	c.plot.X.Padding, c.plot.Y.Padding = 0, 0
	return c
}

// cells is the confusion matrix as a plot.Plotter: row i of counts at
// y = n-1-i, column j at x = j.
type cells struct {
	counts  [][]int
	largest int
}

// Low and high ends of the shading, from ColorBrewer's Blues.
var (
	cellLow  = rgb(0xF7FBFF)
	cellHigh = rgb(0x08306B)
)

func (m *cells) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	n := len(m.counts)
	style := text.Style{
		Font:    sans(cellSize),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: p.Title.TextStyle.Handler,
	}
	for i, row := range m.counts {
		for j, count := range row {
			shade := 0.0
			if m.largest > 0 {
				shade = math.Log1p(float64(count)) / math.Log1p(float64(m.largest))
			}
			yc := float64(n - 1 - i)
			xc := float64(j)
			min := vg.Point{X: x(xc - 0.5), Y: y(yc - 0.5)}
			max := vg.Point{X: x(xc + 0.5), Y: y(yc + 0.5)}
			c.FillPolygon(mix(cellLow, cellHigh, shade), []vg.Point{
				min, {X: max.X, Y: min.Y}, max, {X: min.X, Y: max.Y},
			})
			// Thin white borders separate equal neighbours.
			c.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(1)},
				[]vg.Point{min, {X: max.X, Y: min.Y}, max, {X: min.X, Y: max.Y}, min})
			style.Color = color.Black
			if shade > 0.55 {
				style.Color = color.White
			}
			c.FillText(style, vg.Point{X: x(xc), Y: y(yc)}, strconv.Itoa(count))
		}
	}
}

// mix returns the colour a fraction t of the way from a to b.
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	lerp := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + t*(float64(v)-float64(u)))) }
	return color.NRGBA{R: lerp(a.R, b.R), G: lerp(a.G, b.G), B: lerp(a.B, b.B), A: 255}
}
