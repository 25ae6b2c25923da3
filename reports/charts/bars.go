package charts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Bars draws labelled values as horizontal bars, largest on top, each with
// its value printed at its end: for instance the top ten feature
// importances. Values must be non-negative. A value that is NaN or
// infinite comes last, without a bar, printed "n/a". It panics if labels
// and values differ in length.
func Bars(title, xLabel string, labels []string, values []float64) *Chart {
	if len(labels) != len(values) {
		panic(fmt.Sprintf("charts: %d labels but %d values", len(labels), len(values)))
	}
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	// Largest first, stable so that ties keep the caller's order; then
	// reversed, as the bar chart counts up from the bottom. Values that
	// are not finite go last.
	key := func(i int) float64 {
		if !finite(values[i]) {
			return math.Inf(-1)
		}
		return values[i]
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(b), key(a)) })
	slices.Reverse(order)
	sorted := make(plotter.Values, len(order))
	names := make([]string, len(order))
	ends := make(plotter.XYs, len(order))
	valueText := make([]string, len(order))
	for k, i := range order {
		v, text := values[i], strconv.FormatFloat(values[i], 'g', 3, 64)
		if !finite(v) {
			v, text = 0, notApplicable
		}
		sorted[k], names[k] = v, labels[i]
		ends[k] = plotter.XY{X: v, Y: float64(k)}
		valueText[k] = " " + text
	}

	c := newChart(title, xLabel, "")
	c.grid.Horizontal.Color = nil // the bars are their own guides
	if len(sorted) == 0 {
		return c
	}
	bars, err := plotter.NewBarChart(sorted, vg.Points(14))
	if err != nil {
		panic("charts: " + err.Error())
	}
	bars.Horizontal = true
	bars.Color = seriesColor(0)
	bars.LineStyle.Width = 0
	c.plot.Add(bars)

	valueLabels, err := plotter.NewLabels(plotter.XYLabels{XYs: ends, Labels: valueText})
	if err != nil {
		panic("charts: " + err.Error())
	}
	for i := range valueLabels.TextStyle {
		valueLabels.TextStyle[i].Font = sans(tickSize)
		valueLabels.TextStyle[i].YAlign = -0.5
	}
	c.plot.Add(valueLabels)
	c.plot.NominalY(names...)
	c.plot.X.Min = 0
	// Room for the printed values to the right of the longest bar.
	c.plot.X.Max *= 1.12
	return c
}
