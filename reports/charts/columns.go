package charts

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Columns draws labelled values as vertical bars in the order given: flows
// per hour of the day, flows per protocol, anomalies per department, the
// shares of flows within and across departments. If valueText is not nil,
// each bar has valueText(value) printed on top of it, such as "65.2%".
// Category labels too long to sit side by side under their bars are
// turned 45°. The y axis starts at 0. A value that is NaN or infinite has
// no bar; with valueText, "n/a" is printed in its place.
//
// It panics if labels and values differ in length or a value is negative.
func Columns(title, xLabel, yLabel string, labels []string, values []float64, valueText func(float64) string) *Chart {
	if len(labels) != len(values) {
		panic(fmt.Sprintf("charts: Columns with %d labels but %d values", len(labels), len(values)))
	}
	given := values
	for i, v := range given {
		if finite(v) && v < 0 {
			panic(fmt.Sprintf("charts: Columns value %d (%q) is negative (%v); bars start at 0", i, labels[i], v))
		}
	}
	if slices.ContainsFunc(given, func(v float64) bool { return !finite(v) }) {
		values = slices.Clone(given)
		for i, v := range values {
			if !finite(v) {
				values[i] = 0
			}
		}
	}
	c := newChart(title, xLabel, yLabel)
	c.grid.Vertical.Color = nil // the bars are their own guides
	if len(values) == 0 {
		return c
	}

	// Bars take 70% of their slot in the data area, roughly as wide as the
	// figure less the y axis, but no more than 60 points: two or three
	// bars need not fill the figure.
	slot := (Width - 60) / vg.Length(len(values))
	bars, err := plotter.NewBarChart(plotter.Values(values), min(0.7*slot, 60))
	if err != nil {
		panic("charts: " + err.Error())
	}
	bars.Color = seriesColor(0)
	bars.LineStyle.Width = 0
	c.plot.Add(bars)
	c.plot.NominalX(labels...)
	c.plot.X.Min, c.plot.X.Max = -0.5, float64(len(values))-0.5
	c.plot.X.Padding = 0
	c.plot.Y.Padding = 0 // NominalX's room for the first label: the half-slot at -0.5 is enough
	c.plot.X.Tick.Length = 0
	if widest(labels, c.plot.X.Tick.Label) > 0.92*slot {
		c.plot.X.Tick.Label.Rotation = math.Pi / 4
		c.plot.X.Tick.Label.XAlign = draw.XRight
		c.plot.X.Tick.Label.YAlign = draw.YTop
	}

	c.plot.Y.Min = 0
	if c.plot.Y.Max == 0 { // all zero: keep an axis to read 0 on
		c.plot.Y.Max = 1
	}
	headroom := 1.04
	if valueText != nil {
		tops := make(plotter.XYs, len(values))
		texts := make([]string, len(values))
		for i, v := range values {
			tops[i] = plotter.XY{X: float64(i), Y: v}
			texts[i] = notApplicable
			if finite(given[i]) {
				texts[i] = valueText(v)
			}
		}
		valueLabels, err := plotter.NewLabels(plotter.XYLabels{XYs: tops, Labels: texts})
		if err != nil {
			panic("charts: " + err.Error())
		}
		style := valueLabels.TextStyle[0]
		style.Font = sans(tickSize)
		style.XAlign, style.YAlign = draw.XCenter, draw.YBottom
		if widest(texts, style) > slot {
			style.Font = sans(8) // many bars: smaller text, still over its own bar
		}
		for i := range valueLabels.TextStyle {
			valueLabels.TextStyle[i] = style
		}
		valueLabels.Offset = vg.Point{Y: 2}
		c.plot.Add(valueLabels)
		headroom = 1.12
	}
	c.plot.Y.Max *= headroom
	c.plot.Y.Tick.Marker = niceTicks{}
	if integral([]Group{{Values: values}}) {
		c.plot.Y.Tick.Marker = niceTicks{minStep: 1} // counts
	}
	c.rightMargin = figureMargin
	return c
}

// widest returns the width of the widest of texts in style.
func widest(texts []string, style interface {
	Width(string) vg.Length
}) vg.Length {
	var w vg.Length
	for _, t := range texts {
		w = max(w, style.Width(t))
	}
	return w
}
