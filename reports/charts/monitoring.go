package charts

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DashboardHeight is the height of the monitoring dashboard: its four
// panels stack on a shared time axis at the house width, so that two
// dashboards (with and without retraining) sit side by side in the report.
const DashboardHeight = 8.8 * vg.Inch

// A MonitorWindow is one window of a monitoring simulation as the
// dashboard draws it. Times are in days since the start of the simulation.
type MonitorWindow struct {
	Start, End float64
	// DetectionRate and FalsePositiveRate are the window's rates, NaN
	// where undefined (no anomalous, or no normal, flow).
	DetectionRate, FalsePositiveRate float64
	// ResponseTime is the running mean response time in minutes of the
	// campaigns detected so far, NaN before the first.
	ResponseTime float64
	// Threats counts the window's true-positive alerts.
	Threats float64
	// CandidateShare is the share of the traffic routed to a candidate
	// model being rolled out, 0 outside rollouts.
	CandidateShare float64
}

// EventKind is a kind of event marked on the monitoring charts' time axis.
type EventKind string

// The events the monitoring charts mark, each in its own line style.
const (
	EventDrift    EventKind = "drift"    // a window's largest PSI rose above the drift threshold
	EventRetrain  EventKind = "retrain"  // a candidate was trained
	EventReject   EventKind = "reject"   // the candidate failed its A/B test
	EventPromote  EventKind = "promote"  // the candidate became the deployed model
	EventRollback EventKind = "rollback" // the candidate was rolled back
)

// eventKinds are the event kinds in legend order, with their legend text
// and line style.
//
// A rejection comes at the time of its retrain (the A/B test is
// immediate), so it is a cross at the top of the data area rather than a
// line; drift lines are dotted and drawn last, so that a line beneath them
// shows through.
var eventKinds = []struct {
	kind  EventKind
	label string
	style draw.LineStyle
	cross bool // a cross at the top instead of a line
	layer int  // drawing order: higher on top
}{
	{EventDrift, "drift: PSI above the threshold", draw.LineStyle{Color: rgb(0xE69F00), Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2)}}, false, 2},
	{EventRetrain, "candidate retrained", draw.LineStyle{Color: rgb(0xCC79A7), Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}, false, 0},
	{EventReject, "candidate rejected (A/B test)", draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(1.25)}, true, 1},
	{EventPromote, "candidate promoted", draw.LineStyle{Color: rgb(0x009E73), Width: vg.Points(1.5)}, false, 0},
	{EventRollback, "candidate rolled back", draw.LineStyle{Color: rgb(0xD55E00), Width: vg.Points(1.5)}, false, 0},
}

// An Event is an event of a monitoring simulation, at Day days since its
// start.
type Event struct {
	Day  float64
	Kind EventKind
}

// A TrendLine is a straight line fitted to the detection rate,
// Intercept + Slope·day, over the days From to To, and the detection rate
// whose crossing it forecasts.
type TrendLine struct {
	From, To, Intercept, Slope, Threshold float64
	Label                                 string // "trend fit, +0.018 a day (R² 0.07)"
}

// A Dashboard is what MonitoringDashboard draws.
type Dashboard struct {
	Title   string
	Windows []MonitorWindow // in time order
	Events  []Event
	Trend   *TrendLine // nil without a trend
	// The reference lines of the panels: the detection rate target, the
	// false positive rate threshold and the response time SLA in minutes.
	DetectionTarget, FPRThreshold, ResponseSLA float64
}

// MonitoringDashboard draws the notebook's monitoring dashboard from a
// simulation's windows, as four panels stacked on a shared time axis in
// days: the detection rate against its target, the false positive rate
// against its threshold, the running mean response time against its SLA,
// and the threats detected (true-positive alerts) per window as bars.
// Rates are drawn at the middle of their window and leave a gap where
// undefined. Every panel marks the events as vertical lines (drift,
// retraining, rejection, promotion and rollback, each in its own style)
// and shades the windows of a rollout, darker as the candidate's share
// grows. The detection rate panel overlays the trend line over the days it
// was fitted, with the threshold whose crossing it forecasts. The legend,
// in columns under the panels, names only what is drawn.
//
// Values that are not finite numbers are not drawn: a window whose start
// or end is not is left out, a rate leaves a gap, threats or a candidate
// share draw no bar or shading, an event at such a time has no mark, and
// a trend line or a reference level that is not finite is not drawn.
//
// It panics if windows are out of order, or if an event has an unknown
// kind.
func MonitoringDashboard(d Dashboard) *Chart {
	from, to := timeRange(d.Windows)
	mid := make([]float64, len(d.Windows))
	for i, w := range d.Windows {
		mid[i] = (w.Start + w.End) / 2 // NaN for a window left out
	}
	column := func(v func(MonitorWindow) float64) []float64 {
		out := make([]float64, len(d.Windows))
		for i, w := range d.Windows {
			out[i] = v(w)
		}
		return out
	}
	c := &Chart{width: Width, height: DashboardHeight, legendColumns: 2, titleText: d.Title, rightMargin: figureMargin}
	c.title = text.Style{Color: color.Black, Font: sans(titleSize), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	c.legend = plot.NewLegend()
	c.legend.TextStyle.Font = sans(legendSize)
	c.legend.Top, c.legend.Left = true, true
	c.legend.Padding = 2

	measured := lineStyle(seriesColor(0), vg.Points(1.25), nil)
	reference := hline(0).LineStyle
	var drewLine, drewReference bool
	rollouts := rolloutSpans(d.Windows)
	newPanel := func(title, yLabel string) *plot.Plot {
		p := panel(title, yLabel, from, to)
		if len(rollouts.spans) > 0 {
			p.Add(rollouts)
		}
		return p
	}
	addRates := func(p *plot.Plot, y []float64) {
		if gappedLine(p, mid, y, measured) {
			drewLine = true
		}
	}
	addReference := func(p *plot.Plot, y float64) {
		if y > 0 && finite(y) {
			p.Add(horizontal(y, reference))
			drewReference = true
		}
	}

	dr := newPanel(fmt.Sprintf("Detection rate (target %s)", numberText(d.DetectionTarget)), "Detection rate")
	dr.Y.Min, dr.Y.Max = 0, 1
	addReference(dr, d.DetectionTarget)
	var trendLine, trendThreshold *plotter.Line
	if t := d.Trend; t != nil && finite(t.From) && finite(t.To) &&
		finite(t.Intercept+t.Slope*t.From) && finite(t.Intercept+t.Slope*t.To) {
		if t.Threshold > 0 && finite(t.Threshold) {
			trendThreshold = segment(from, t.Threshold, to, t.Threshold, lineStyle(color.Gray{Y: 40}, vg.Points(1), []vg.Length{vg.Points(1), vg.Points(2.5)}))
			dr.Add(trendThreshold)
		}
		trendLine = segment(t.From, t.Intercept+t.Slope*t.From, t.To, t.Intercept+t.Slope*t.To, lineStyle(color.Gray{Y: 30}, vg.Points(2), nil))
		dr.Add(trendLine)
	}
	addRates(dr, column(func(w MonitorWindow) float64 { return w.DetectionRate }))
	// The trend may leave [0, 1] at its ends; the panel stays on the rates.
	dr.Y.Min, dr.Y.Max = 0, 1

	fpr := newPanel(fmt.Sprintf("False positive rate (threshold %s)", numberText(d.FPRThreshold)), "False positive rate")
	addReference(fpr, d.FPRThreshold)
	addRates(fpr, column(func(w MonitorWindow) float64 { return w.FalsePositiveRate }))
	fpr.Y.Min = 0
	if finite(d.FPRThreshold) {
		fpr.Y.Max = max(fpr.Y.Max, 1.25*d.FPRThreshold)
	}
	if !(fpr.Y.Max > 0) { // no rate and no threshold: keep an axis to read
		fpr.Y.Max = 1
	}

	rt := newPanel(fmt.Sprintf("Response time, running mean (SLA %s min)", numberText(d.ResponseSLA)), "Minutes")
	addReference(rt, d.ResponseSLA)
	addRates(rt, column(func(w MonitorWindow) float64 { return w.ResponseTime }))
	rt.Y.Min = 0
	rt.Y.Max = rt.Y.Max * 1.05
	if finite(d.ResponseSLA) {
		rt.Y.Max = max(rt.Y.Max, 1.25*d.ResponseSLA)
	}
	if !(rt.Y.Max > 0) {
		rt.Y.Max = 1
	}

	threats := newPanel("Threats detected (true-positive alerts per window)", "Alerts")
	bars := &spanBars{color: seriesColor(0)}
	for _, w := range d.Windows {
		if w.Threats > 0 && finite(w.Threats) && finite(w.Start) && finite(w.End) {
			bars.spans = append(bars.spans, span{w.Start, w.End, w.Threats})
		}
	}
	threats.Add(bars)
	threats.Y.Min = 0
	threats.Y.Max = max(1, threats.Y.Max*1.05)
	threats.Y.Tick.Marker = niceTicks{minStep: 1}
	threats.X.Label.Text = "Time (days)"

	c.panels = []*plot.Plot{dr, fpr, rt, threats}
	marks := eventLines(d.Events)
	for _, p := range c.panels {
		addMarks(p, marks)
		// Each panel's x range is the period's, whatever its plotters'.
		p.X.Min, p.X.Max = from, to
	}

	if drewLine {
		c.addLegend("measured per window (gap: undefined)", measuredThumb(measured))
	}
	c.addLegend("true-positive alerts per window", bars)
	if drewReference {
		c.addLegend("target, threshold or SLA", horizontal(0, reference))
	}
	if trendLine != nil {
		c.addLegend(d.Trend.Label, trendLine)
		if trendThreshold != nil {
			c.addLegend("forecast threshold "+numberText(d.Trend.Threshold), trendThreshold)
		}
	}
	addEventLegend(c, marks)
	if len(rollouts.spans) > 0 {
		c.addLegend("rollout (darker: larger share)", rollouts)
	}
	return c
}

// A Drift is what DriftChart draws: per window, the largest PSI over the
// drift features and each feature's PSI, at the middle of the window.
type Drift struct {
	Title     string
	Windows   []MonitorWindow // their Start and End; the rest is not drawn
	MaxPSI    []float64       // per window; NaN where undefined
	Features  []DriftFeature
	Threshold float64 // PSI above which a window counts as drifted
	Events    []Event
}

// A DriftFeature is one drift feature's PSI per window.
type DriftFeature struct {
	Label string
	PSI   []float64
}

// DriftChart draws the population stability index of each drift feature
// per window over time in days, the largest of them as a thick grey line
// beneath, the threshold dashed, and the drift events (the other kinds
// are left to the dashboard) as dotted vertical lines, as the dashboard
// marks them. The features' colours leave out the drift events' orange.
// NaN values leave gaps.
//
// It panics if a series does not have one value per window, or on the
// dashboard's conditions.
func DriftChart(d Drift) *Chart {
	from, to := timeRange(d.Windows)
	mid := make([]float64, len(d.Windows))
	for i, w := range d.Windows {
		mid[i] = (w.Start + w.End) / 2
	}
	if len(d.MaxPSI) != len(d.Windows) {
		panic(fmt.Sprintf("charts: DriftChart with %d windows but %d max PSI values", len(d.Windows), len(d.MaxPSI)))
	}
	c := newChart(d.Title, "Time (days)", "Population stability index")
	c.legendColumns = 3
	c.plot.X.Tick.Marker = dayTicks{}
	c.plot.Y.Tick.Marker = niceTicks{}
	c.rightMargin = figureMargin
	maxStyle := lineStyle(color.Gray{Y: 175}, vg.Points(4), nil)
	if gappedLine(c.plot, mid, d.MaxPSI, maxStyle) {
		c.addLegend("largest PSI", measuredThumb(maxStyle))
	}
	for i, f := range d.Features {
		if len(f.PSI) != len(d.Windows) {
			panic(fmt.Sprintf("charts: DriftChart feature %q with %d values for %d windows", f.Label, len(f.PSI), len(d.Windows)))
		}
		style := lineStyle(featureColors[i%len(featureColors)], vg.Points(1.25), nil)
		if (i/len(featureColors))%2 == 1 { // past the colours: dashed
			style.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		if gappedLine(c.plot, mid, f.PSI, style) {
			c.addLegend(f.Label, measuredThumb(style))
		}
	}
	if d.Threshold > 0 && finite(d.Threshold) {
		t := horizontal(d.Threshold, hline(0).LineStyle)
		c.plot.Add(t)
		c.addLegend("threshold "+numberText(d.Threshold), t)
		c.plot.Y.Max = max(c.plot.Y.Max, 1.15*d.Threshold)
	}
	var drifts []Event
	for _, e := range d.Events {
		if e.Kind == EventDrift {
			drifts = append(drifts, e)
		}
	}
	marks := eventLines(drifts)
	addMarks(c.plot, marks)
	addEventLegend(c, marks)
	c.plot.X.Min, c.plot.X.Max = from, to
	c.plot.Y.Min = 0
	if !(c.plot.Y.Max > 0) {
		c.plot.Y.Max = 1
	}
	return c
}

// featureColors are the drift chart's feature colours: the palette without
// the drift events' orange.
var featureColors = []color.Color{palette[0], palette[1], palette[2], palette[3], palette[5]}

// timeRange returns the span of the windows whose times are finite (the
// others are not drawn), checking their order; 0 to 1 without any.
func timeRange(windows []MonitorWindow) (from, to float64) {
	var last *MonitorWindow
	for i := range windows {
		w := &windows[i]
		if !finite(w.Start) || !finite(w.End) {
			continue
		}
		if w.End < w.Start || last != nil && w.Start < last.Start {
			panic(fmt.Sprintf("charts: window %d [%v, %v] is out of order", i, w.Start, w.End))
		}
		if last == nil {
			from = w.Start
		}
		last, to = w, w.End
	}
	if last == nil {
		return 0, 1
	}
	return from, to
}

// panel returns one panel of the dashboard: the house fonts at a smaller
// title, the time axis from from to to.
func panel(title, yLabel string, from, to float64) *plot.Plot {
	p, _ := housePlot(title, "", yLabel, labelSize, 4)
	p.X.Min, p.X.Max = from, to
	p.X.Tick.Marker = dayTicks{}
	p.Y.Tick.Marker = niceTicks{}
	return p
}

func lineStyle(c color.Color, width vg.Length, dashes []vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: width, Dashes: dashes}
}

// gappedLine adds y against x to p as lines through the runs of finite
// points, a run of one point as a dot, and says whether it drew anything.
func gappedLine(p *plot.Plot, x, y []float64, style draw.LineStyle) bool {
	drew := false
	for i := 0; i < len(y); {
		if !finite(x[i]) || !finite(y[i]) {
			i++
			continue
		}
		j := i
		for j < len(y) && finite(x[j]) && finite(y[j]) {
			j++
		}
		pts := xys(x[i:j], y[i:j])
		if j-i == 1 {
			dot, err := plotter.NewScatter(pts)
			if err != nil {
				panic("charts: " + err.Error())
			}
			dot.Color = style.Color
			dot.Shape = draw.CircleGlyph{}
			dot.Radius = max(style.Width, vg.Points(1.5))
			p.Add(dot)
		} else {
			l, err := plotter.NewLine(pts)
			if err != nil {
				panic("charts: " + err.Error())
			}
			l.LineStyle = style
			p.Add(l)
		}
		drew = true
		i = j
	}
	return drew
}

// measuredThumb is the legend thumbnail of a line in style.
func measuredThumb(style draw.LineStyle) plot.Thumbnailer {
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
	if err != nil {
		panic("charts: " + err.Error())
	}
	l.LineStyle = style
	return l
}

// segment returns a straight line from (x0, y0) to (x1, y1).
func segment(x0, y0, x1, y1 float64, style draw.LineStyle) *plotter.Line {
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
	if err != nil {
		panic("charts: " + err.Error())
	}
	l.LineStyle = style
	return l
}

// horizontal returns a horizontal line at y across the x range.
func horizontal(y float64, style draw.LineStyle) *plotter.Function {
	f := plotter.NewFunction(func(float64) float64 { return y })
	f.LineStyle = style
	return f
}

// numberText writes a threshold as people write it: 0.95, 0.05, 15; "n/a"
// when it is not a finite number.
func numberText(v float64) string {
	if !finite(v) {
		return notApplicable
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// span is a stretch of time [from, to] with a value.
type span struct{ from, to, value float64 }

// spanBars draws each span as a bar from 0 to its value: a histogram of
// uneven bins, without outlines.
type spanBars struct {
	spans []span
	color color.Color
}

func (b *spanBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, s := range b.spans {
		x0, x1, y0, y1 := trX(s.from), trX(s.to), trY(0), trY(s.value)
		// A gap of a tenth of the span between neighbours, but a bar no
		// narrower than a hairline, which would vanish.
		m, w := (x0+x1)/2, max(0.9*(x1-x0), vg.Points(0.6))
		x0, x1 = m-w/2, m+w/2
		c.FillPolygon(b.color, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
}

func (b *spanBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), 0, 0
	for _, s := range b.spans {
		xmin, xmax, ymax = min(xmin, s.from), max(xmax, s.to), max(ymax, s.value)
	}
	if len(b.spans) == 0 {
		xmin, xmax = 0, 1
	}
	return xmin, xmax, ymin, ymax
}

func (b *spanBars) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	m := (r.Min.Y + r.Max.Y) / 2
	h := (r.Max.Y - r.Min.Y) * 0.35
	c.FillPolygon(b.color, []vg.Point{{X: r.Min.X, Y: m - h}, {X: r.Max.X, Y: m - h}, {X: r.Max.X, Y: m + h}, {X: r.Min.X, Y: m + h}})
}

// shading fills the full height of the data area over each span, with an
// alpha that grows with the span's value (a share in [0, 1]).
type shading struct {
	spans []span
	color color.Color
}

// rolloutSpans merges consecutive windows at the same candidate share into
// the spans of a rollout.
func rolloutSpans(windows []MonitorWindow) *shading {
	s := &shading{color: rgb(0xCC79A7)}
	for _, w := range windows {
		if !(w.CandidateShare > 0) || !finite(w.Start) || !finite(w.End) {
			continue
		}
		if n := len(s.spans); n > 0 && s.spans[n-1].to == w.Start && s.spans[n-1].value == w.CandidateShare {
			s.spans[n-1].to = w.End
			continue
		}
		s.spans = append(s.spans, span{w.Start, w.End, min(w.CandidateShare, 1)})
	}
	return s
}

func (s *shading) alpha(share float64) uint8 { return uint8(math.Round(18 + 42*share)) }

func (s *shading) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, sp := range s.spans {
		x0, x1 := trX(sp.from), trX(sp.to)
		pts := []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}
		c.FillPolygon(translucent(s.color, s.alpha(sp.value)), c.ClipPolygonX(pts))
	}
}

func (s *shading) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(translucent(s.color, s.alpha(0.5)), []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// vlines marks times with vertical lines the full height of the data
// area, or with crosses at its top.
type vlines struct {
	days  []float64
	style draw.LineStyle
	cross bool
}

// crossSize is the half width of an event's cross.
const crossSize = vg.Length(3.5)

func (v *vlines) mark(c *draw.Canvas, x, bottom, top vg.Length) {
	if !v.cross {
		c.StrokeLine2(v.style, x, bottom, x, top)
		return
	}
	y := top - crossSize - 1
	c.StrokeLine2(v.style, x-crossSize, y-crossSize, x+crossSize, y+crossSize)
	c.StrokeLine2(v.style, x-crossSize, y+crossSize, x+crossSize, y-crossSize)
}

func (v *vlines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, d := range v.days {
		if x := trX(d); c.ContainsX(x) {
			v.mark(&c, x, c.Min.Y, c.Max.Y)
		}
	}
}

func (v *vlines) Thumbnail(c *draw.Canvas) {
	top := c.Max.Y
	if v.cross { // centred on the entry's text
		top = (c.Min.Y+c.Max.Y)/2 + crossSize + 1
	}
	v.mark(c, (c.Min.X+c.Max.X)/2, c.Min.Y, top)
}

// eventMarks are the marks of one kind of event.
type eventMarks struct {
	*vlines
	label string
	layer int
}

// eventLines groups events by kind, in legend order, leaving out kinds
// without events and events at a time that is not finite. It panics on an
// unknown kind.
func eventLines(events []Event) []eventMarks {
	var out []eventMarks
	for _, k := range eventKinds {
		m := eventMarks{vlines: &vlines{style: k.style, cross: k.cross}, label: k.label, layer: k.layer}
		for _, e := range events {
			if e.Kind == k.kind && finite(e.Day) {
				m.days = append(m.days, e.Day)
			}
		}
		if len(m.days) > 0 {
			out = append(out, m)
		}
	}
	for _, e := range events {
		known := false
		for _, k := range eventKinds {
			known = known || e.Kind == k.kind
		}
		if !known {
			panic(fmt.Sprintf("charts: unknown event kind %q", e.Kind))
		}
	}
	return out
}

// addMarks adds the events' marks to p, lower layers first.
func addMarks(p *plot.Plot, marks []eventMarks) {
	for layer := range 3 {
		for _, m := range marks {
			if m.layer == layer {
				p.Add(m)
			}
		}
	}
}

// addEventLegend names each kind of event marked, with its count.
func addEventLegend(c *Chart, marks []eventMarks) {
	for _, m := range marks {
		c.addLegend(fmt.Sprintf("%s (%d)", m.label, len(m.days)), m.vlines)
	}
}

// dayTicks marks a time axis in days: every day over three days to two
// weeks, with a minor tick at each half day; round steps otherwise.
type dayTicks struct{}

func (dayTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi-lo >= 3 && hi-lo <= 14) || math.Abs(lo) > 1<<40 {
		return niceTicks{}.Ticks(lo, hi)
	}
	var ticks []plot.Tick
	for k := math.Ceil(2*lo - 1e-9); k <= 2*hi+1e-9; k++ {
		t := plot.Tick{Value: k / 2}
		if math.Mod(k, 2) == 0 {
			t.Label = strconv.Itoa(int(k / 2))
		}
		ticks = append(ticks, t)
	}
	return ticks
}
