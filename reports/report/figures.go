package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/reports/charts"
)

// A Figure is one chart of the report, written in the one format the
// report inlines: figures/Name.png for a raster figure, figures/Name.svg
// for every other (see [Figure.File]).
type Figure struct {
	Name    string // file stem: lower case, digits, '-', '_', '.' and '='
	Section string // the report section that shows it
	Title   string
	Caption string // what the figure shows and how it was drawn
	// Raster says the report inlines the PNG rather than the SVG: for
	// scatter plots, whose SVG holds one element per point.
	Raster bool
	// Group, when set, gathers figures of a section under one collapsed
	// heading, such as every trial's ROC curves.
	Group string
	draw  func() *charts.Chart
	// SVG (a vector figure) or PNG (a raster one) holds the figure as
	// drawn by Render; the other is nil.
	SVG []byte
	PNG []byte
	// Width and Height are the size of the figure in pixels (the PNG's, the
	// SVG's at the same resolution), set by Render: 640 × 420 for most.
	Width, Height int
}

// Report sections, in the order of the notebook's lifecycle.
const (
	SectionData        = "data"
	SectionFeatures    = "features"
	SectionGrouping    = "grouping"
	SectionDetection   = "detection"
	SectionTyping      = "typing"
	SectionInterpret   = "interpretation"
	SectionTargets     = "targets"
	SectionAggregates  = "aggregates"
	SectionProvenance  = "provenance"
	maxScatterPoints   = 4000 // points drawn per scatter plot, at most
	histogramBins      = 30
	smallHistogramBins = 20
)

// Figures lists the run's figures, not yet drawn.
func (r *Run) Figures() []*Figure {
	var figs []*Figure
	if t := r.Showcase; t != nil {
		if t.Dataset != nil {
			// The flow dataset's panels; a table source has no such dataset.
			figs = append(figs, r.dataFigures(t)...)
			figs = append(figs, r.featureFigures(t)...)
			figs = append(figs, r.groupingFigures(t)...)
		}
		figs = append(figs, r.detectionFigures(t)...)
		figs = append(figs, r.typingFigures(t)...)
		figs = append(figs, r.interpretationFigures(t)...)
	}
	figs = append(figs, r.monitoringFigures()...)
	figs = append(figs, r.trialROCFigures()...)
	figs = append(figs, r.acrossSeedsFigures()...)
	figs = append(figs, r.sweepFigures()...)
	return figs
}

// Render draws every figure in its one format (PNG when Raster, else SVG),
// on up to workers goroutines (all CPUs when workers < 1). The bytes do
// not depend on workers.
func Render(figs []*Figure, workers int) { renderEach(figs, workers, nil) }

// renderEach is Render, calling drawn(i), if set, as soon as figs[i] is
// drawn. The raster figures (the scatter plots, the slowest to draw) are
// drawn first, so that the workers finish at about the same time.
func renderEach(figs []*Figure, workers int, drawn func(i int)) {
	order := make([]*Figure, 0, len(figs))
	index := make(map[*Figure]int, len(figs))
	for _, raster := range []bool{true, false} {
		for i, f := range figs {
			if f.Raster == raster {
				order = append(order, f)
				index[f] = i
			}
		}
	}
	_ = forEach(order, workers, func(f *Figure) error {
		c := f.draw()
		if f.Raster {
			f.PNG = c.PNG()
		} else {
			f.SVG = c.SVG()
		}
		f.Width, f.Height = c.Pixels()
		if drawn != nil {
			drawn(index[f])
		}
		return nil
	})
}

// File is the figure's file name in figures/: Name.png for a raster
// figure, Name.svg for a vector one.
func (f *Figure) File() string {
	if f.Raster {
		return f.Name + ".png"
	}
	return f.Name + ".svg"
}

// Bytes is the figure as written to File.
func (f *Figure) Bytes() []byte {
	if f.Raster {
		return f.PNG
	}
	return f.SVG
}

// forEach calls do for every figure on up to workers goroutines (all CPUs
// when workers < 1) and returns the first error in figure order.
func forEach(figs []*Figure, workers int, do func(*Figure) error) error {
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	errs := make([]error, len(figs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(1, len(figs))) {
		wg.Go(func() {
			for i := range next {
				errs[i] = do(figs[i])
			}
		})
	}
	for i := range figs {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(slices.DeleteFunc(errs, func(e error) bool { return e == nil })...)
}

// fileName turns parts into a figure name: lower case, anything outside
// [a-z0-9._=-] replaced by '_', parts joined by '-'.
func fileName(parts ...string) string {
	name := strings.ToLower(strings.Join(parts, "-"))
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-', c == '=':
			return c
		}
		return '_'
	}, name)
}

// trialLabel names a trial in titles: its ID, "seed=42" or
// "difficulty=0.5/seed=1".
func trialLabel(t *Trial) string { return "trial " + t.Record.ID }

// classes returns the anomaly types of the dataset in the report's order:
// normal first, then the others as the table's levels list them, leaving
// out levels no flow has.
func classes(f *flow.Table) []string {
	counts := make([]int, len(f.AnomalyType.Levels))
	for _, c := range f.AnomalyType.Codes {
		counts[c]++
	}
	var out []string
	for i, level := range f.AnomalyType.Levels {
		if counts[i] > 0 && level == "normal" {
			out = append(out, level)
		}
	}
	for i, level := range f.AnomalyType.Levels {
		if counts[i] > 0 && level != "normal" {
			out = append(out, level)
		}
	}
	return out
}

// classes returns the trial's anomaly types in the report's order: those
// of its dataset, or for a table source (no dataset) normal and then the
// categories the manifest counts, by name.
func (t *Trial) classes() []string {
	if t.Dataset != nil {
		return classes(t.Dataset.Flows)
	}
	out := []string{"normal"}
	var types []string
	for typ, n := range t.Record.Data.ByType {
		if n > 0 && typ != "normal" {
			types = append(types, typ)
		}
	}
	slices.Sort(types)
	return append(out, types...)
}

// groupBy splits value(i) for the rows by their anomaly type, in the
// order of classes; keep filters rows (nil keeps all).
func groupBy(f *flow.Table, rows []int, value func(i int) float64) []charts.Group {
	types := classes(f)
	groups := make([]charts.Group, len(types))
	for k, typ := range types {
		groups[k].Label = typ
	}
	for _, i := range rows {
		k := slices.Index(types, f.AnomalyType.Value(i))
		groups[k].Values = append(groups[k].Values, value(i))
	}
	return groups
}

func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func count(v float64) string { return thousands(int(v)) }

// dataFigures are the notebook's exploratory panels (perform_eda), drawn
// from the showcase trial's dataset. The twelfth panel, the dataset
// summary, is a table of the report.
func (r *Run) dataFigures(t *Trial) []*Figure {
	f := t.Dataset.Flows
	n := f.Len()
	rows := allRows(n)
	on := " (" + trialLabel(t) + ", " + thousands(n) + " flows)"
	figs := []*Figure{}
	add := func(name, title, caption string, raster bool, draw func() *charts.Chart) {
		figs = append(figs, &Figure{Name: fileName("data", name), Section: SectionData, Title: title, Caption: caption, Raster: raster, draw: draw})
	}

	add("hour", "Traffic by hour of day", "Flows per hour of day"+on+".", false, func() *charts.Chart {
		labels, values := make([]string, 24), make([]float64, 24)
		for h := range 24 {
			labels[h] = strconv.Itoa(h)
		}
		for _, h := range f.Hour {
			if h >= 0 && h < 24 {
				values[h]++
			}
		}
		return charts.Columns("Traffic by hour of day", "Hour of day", "Flows (count)", labels, values, nil)
	})
	add("bytes", "Bytes sent by class", "Histogram of log10(bytes sent) per class on shared bins"+on+
		". The notebook compares normal flows with crypto mining only; every class is drawn here.", false, func() *charts.Chart {
		return charts.Histogram("Bytes sent by class", "log10(bytes sent)", "Flows (count)",
			groupBy(f, positive(rows, f.BytesSent), func(i int) float64 { return math.Log10(f.BytesSent[i]) }), histogramBins)
	})
	add("cpu", "CPU usage by class", "Histogram of CPU usage per class"+on+".", false, func() *charts.Chart {
		return charts.Histogram("CPU usage by class", "CPU usage (%)", "Flows (count)",
			groupBy(f, rows, func(i int) float64 { return f.CPUUsage[i] }), smallHistogramBins)
	})
	add("devices", "Device communication matrix", "Flows from each source device type (rows) to each destination device type (columns)"+on+".", false, func() *charts.Chart {
		return crosstab("Device communication matrix", "Destination device type", "Source device type",
			&f.SrcDeviceType, &f.DstDeviceType, n)
	})
	add("cross_dept", "Cross-department communication", "Share of flows between departments"+on+
		". The notebook draws a pie chart; bars show the same shares.", false, func() *charts.Chart {
		cross := 0
		for _, c := range f.CrossDept {
			if c {
				cross++
			}
		}
		share := func(k int) float64 { return 100 * float64(k) / float64(max(1, n)) }
		return charts.Columns("Cross-department communication", "", "Share of flows (%)",
			[]string{"same department", "cross department"}, []float64{share(n - cross), share(cross)},
			func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" })
	})
	add("protocol", "Protocol distribution", "Flows per protocol, most frequent first"+on+".", false, func() *charts.Chart {
		labels, values := valueCounts(&f.Protocol, rows)
		return charts.Columns("Protocol distribution", "Protocol", "Flows (count)", labels, values, count)
	})
	durationBytes := sample(f, positive(positive(rows, f.BytesSent), f.Duration))
	add("duration_bytes", "Duration against bytes sent", "Each point a flow"+on+"; "+durationBytes.caption+
		" Bytes on a log scale, as in the notebook.", true, func() *charts.Chart {
		pts := func(label string, idx []int) charts.Points {
			p := charts.Points{Label: label}
			for _, i := range idx {
				p.X = append(p.X, f.Duration[i])
				p.Y = append(p.Y, f.BytesSent[i])
			}
			return p
		}
		return charts.Scatter("Duration against bytes sent", "Duration (s)", "Bytes sent (log scale)",
			[]charts.Points{pts("normal", durationBytes.normal), pts("anomaly", durationBytes.anomalous)}, false, true)
	})
	add("ports", "Ports contacted by class", "Histogram of the number of ports a flow contacted, per class"+on+".", false, func() *charts.Chart {
		return charts.Histogram("Ports contacted by class", "Ports contacted (count)", "Flows (count)",
			groupBy(f, rows, func(i int) float64 { return float64(f.PortsContacted[i]) }), 15)
	})
	add("business_hours", "Business hours against anomalies", "Flows by business hours (rows) and label (columns)"+on+".", false, func() *charts.Chart {
		var counts [2][2]float64
		for i := range n {
			counts[b2i(f.IsBusinessHours[i])][b2i(f.IsAnomaly[i])]++
		}
		return charts.Heatmap("Business hours against anomalies", "is_anomaly", "is_business_hours",
			[]string{"false", "true"}, []string{"false", "true"},
			[][]float64{counts[0][:], counts[1][:]}, charts.HeatmapOptions{Format: count, Log: true})
	})
	add("departments", "Anomalies by source department", "Anomalous flows per source department, most first"+on+".", false, func() *charts.Chart {
		var anomalous []int
		for i := range n {
			if f.IsAnomaly[i] {
				anomalous = append(anomalous, i)
			}
		}
		labels, values := valueCounts(&f.SrcDepartment, anomalous)
		return charts.Columns("Anomalies by source department", "Source department", "Anomalous flows (count)", labels, values, count)
	})
	names := []string{"bytes_sent", "packets_sent", "duration", "cpu_usage", "ports_contacted"}
	cols := [][]float64{f.BytesSent, ints(f.PacketsSent), f.Duration, f.CPUUsage, ints(f.PortsContacted)}
	correlations := correlationMatrix(cols)
	add("correlation", "Feature correlation matrix", "Pearson correlation of the numeric flow columns"+on+"."+
		undefinedCorrelations(names, cols, correlations), false, func() *charts.Chart {
		return charts.Heatmap("Feature correlation matrix", "", "", names, names, correlations,
			charts.HeatmapOptions{Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }, Diverging: true})
	})
	return figs
}

// correlationMatrix returns the Pearson correlation of every pair of
// columns: NaN where it is undefined, for a constant column (0/0).
func correlationMatrix(cols [][]float64) [][]float64 {
	values := make([][]float64, len(cols))
	for i := range cols {
		values[i] = make([]float64, len(cols))
		for j := range cols {
			values[i][j] = stat.Correlation(cols[i], cols[j], nil)
		}
	}
	return values
}

// undefinedCorrelations is the caption's sentence on the cells of the
// correlation matrix that are not numbers, drawn "n/a" in grey: the
// columns that are constant (whose correlation is 0/0), and any other
// cell (sums beyond float64, for values near its largest); "" when every
// cell is a number.
func undefinedCorrelations(names []string, cols [][]float64, values [][]float64) string {
	var constant []string
	isConstant := make([]bool, len(cols))
	for j, c := range cols {
		isConstant[j] = !slices.ContainsFunc(c, func(v float64) bool { return v != c[0] })
		if isConstant[j] {
			constant = append(constant, names[j])
		}
	}
	others := 0
	for i, row := range values {
		for j, v := range row {
			if (math.IsNaN(v) || math.IsInf(v, 0)) && !isConstant[i] && !isConstant[j] {
				others++
			}
		}
	}
	var b strings.Builder
	switch len(constant) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " %s is constant, so its correlations are undefined: n/a, in grey.", constant[0])
	default:
		fmt.Fprintf(&b, " %s are constant, so their correlations are undefined: n/a, in grey.", strings.Join(constant, ", "))
	}
	if others > 0 {
		fmt.Fprintf(&b, " %d other %s could not be computed (values too large for float64's sums): n/a, in grey.",
			others, map[bool]string{true: "cell", false: "cells"}[others == 1])
	}
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ints(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// positive keeps the rows whose value is positive, for log scales.
func positive(rows []int, v []float64) []int {
	var out []int
	for _, i := range rows {
		if v[i] > 0 {
			out = append(out, i)
		}
	}
	return out
}

// crosstab draws the counts of (a, b) pairs over n rows as a heatmap,
// leaving out levels no row has.
func crosstab(title, xLabel, yLabel string, a, b *flow.Categorical, n int) *charts.Chart {
	counts := make([][]float64, len(a.Levels))
	for i := range counts {
		counts[i] = make([]float64, len(b.Levels))
	}
	for i := range n {
		counts[a.Codes[i]][b.Codes[i]]++
	}
	rowsUsed := usedLevels(a, n)
	colsUsed := usedLevels(b, n)
	values := make([][]float64, len(rowsUsed))
	for i, ri := range rowsUsed {
		for _, cj := range colsUsed {
			values[i] = append(values[i], counts[ri][cj])
		}
	}
	return charts.Heatmap(title, xLabel, yLabel, pick(a.Levels, rowsUsed), pick(b.Levels, colsUsed), values,
		charts.HeatmapOptions{Format: count, Log: true})
}

func usedLevels(c *flow.Categorical, n int) []int {
	seen := make([]bool, len(c.Levels))
	for i := range n {
		seen[c.Codes[i]] = true
	}
	var out []int
	for i, s := range seen {
		if s {
			out = append(out, i)
		}
	}
	return out
}

func pick(levels []string, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = levels[i]
	}
	return out
}

// valueCounts counts the rows per level, most frequent first (ties in
// level order), as pandas' value_counts orders them; unused levels are
// left out.
func valueCounts(c *flow.Categorical, rows []int) ([]string, []float64) {
	counts := make([]int, len(c.Levels))
	for _, i := range rows {
		counts[c.Codes[i]]++
	}
	order := make([]int, 0, len(counts))
	for i, k := range counts {
		if k > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
	labels, values := make([]string, len(order)), make([]float64, len(order))
	for k, i := range order {
		labels[k], values[k] = c.Levels[i], float64(counts[i])
	}
	return labels, values
}

// scatterSample is the rows a scatter plot draws.
type scatterSample struct {
	normal, anomalous []int
	caption           string
}

// sample picks at most maxScatterPoints of rows for a scatter plot: every
// anomalous flow (up to half the points), and normal flows at an even
// stride for the rest, so that the rare class stays visible and the SVG
// small. The caption says what was drawn.
func sample(f *flow.Table, rows []int) scatterSample {
	var normal, anomalous []int
	for _, i := range rows {
		if f.IsAnomaly[i] {
			anomalous = append(anomalous, i)
		} else {
			normal = append(normal, i)
		}
	}
	s := scatterSample{
		anomalous: stride(anomalous, maxScatterPoints/2),
	}
	s.normal = stride(normal, maxScatterPoints-len(s.anomalous))
	s.caption = fmt.Sprintf("%s of %s anomalous and %s of %s normal flows drawn (an even stride through the table).",
		thousands(len(s.anomalous)), thousands(len(anomalous)), thousands(len(s.normal)), thousands(len(normal)))
	return s
}

// stride returns at most k of rows, evenly spaced, in order.
func stride(rows []int, k int) []int {
	if len(rows) <= k {
		return rows
	}
	out := make([]int, k)
	for j := range out {
		out[j] = rows[j*len(rows)/k]
	}
	return out
}

// featureFigures show the engineered risk score by true label on the test
// split, as the notebook's evaluation figure does.
func (r *Run) featureFigures(t *Trial) []*Figure {
	ds := t.Dataset
	var test []int
	for i, s := range ds.Split {
		if s == datasets.Test {
			test = append(test, i)
		}
	}
	if len(test) == 0 {
		return nil
	}
	return []*Figure{{
		Name: fileName("features", "risk_score"), Section: SectionFeatures, Title: "Risk score by true label",
		Caption: fmt.Sprintf("Histogram of the engineered risk_score of the %s test flows of %s, by true label.", thousands(len(test)), trialLabel(t)),
		draw: func() *charts.Chart {
			groups := []charts.Group{{Label: "normal"}, {Label: "anomaly"}}
			for _, i := range test {
				k := b2i(ds.Flows.IsAnomaly[i])
				groups[k].Values = append(groups[k].Values, ds.Engineered.RiskScore[i])
			}
			return charts.Histogram("Risk score by true label (test split)", "Risk score", "Flows (count)", groups, smallHistogramBins)
		},
	}}
}

// groupingFigures are the cluster scatter plots on log_bytes × log_duration.
func (r *Run) groupingFigures(t *Trial) []*Figure {
	ds := t.Dataset
	var figs []*Figure
	for _, model := range r.ModelsOf(Clustering) {
		preds := t.PredictionsOf(model)
		if len(preds) == 0 {
			continue
		}
		picked := stride(allRows(len(preds)), maxScatterPoints)
		x, y, labels := make([]float64, len(picked)), make([]float64, len(picked)), make([]int, len(picked))
		for k, j := range picked {
			p := preds[j]
			x[k], y[k] = ds.Engineered.LogBytes[p.FlowID], ds.Engineered.LogDuration[p.FlowID]
			labels[k], _ = strconv.Atoi(p.Predicted)
		}
		title := model + " clusters"
		figs = append(figs, &Figure{
			Name: fileName("grouping", model), Section: SectionGrouping, Title: title, Raster: true,
			Caption: fmt.Sprintf("Each point a flow of %s at its log bytes and log duration, coloured by %s's cluster (-1: noise); %s of %s flows drawn (an even stride).",
				trialLabel(t), model, thousands(len(picked)), thousands(len(preds))),
			draw: func() *charts.Chart {
				return charts.ClusterScatter(title, "log10(1 + bytes sent)", "log10(1 + duration in s)", x, y, labels)
			},
		})
	}
	return figs
}

// trialKey finds a trial's metric or curve of a model.
type trialKey struct{ trial, model, name string }

// points are a curve's x and y values, in curves.parquet's order.
type points struct{ x, y []float64 }

// index builds the lookups of the per-trial figures, once: each trial's
// metrics and curves by model, so that drawing a figure does not scan the
// tables.
func (r *Run) index() {
	r.trialMetrics = make(map[trialKey]float64, len(r.Metrics))
	for _, m := range r.Metrics {
		r.trialMetrics[trialKey{m.Trial, m.Model, m.Metric}] = m.Value
	}
	r.curves = map[trialKey]*points{}
	for _, p := range r.Curves {
		k := trialKey{p.Trial, p.Model, p.Curve}
		c := r.curves[k]
		if c == nil {
			c = &points{}
			r.curves[k] = c
		}
		c.x, c.y = append(c.x, p.X), append(c.y, p.Y)
	}
}

// trialMetric returns a metric of a model in a trial.
func (r *Run) trialMetric(trial, model, metric string) (float64, bool) {
	v, ok := r.trialMetrics[trialKey{trial, model, metric}]
	return v, ok
}

// curve returns the points of one curve of one model in one trial.
func (r *Run) curve(trial, model, kind string) (x, y []float64) {
	if c := r.curves[trialKey{trial, model, kind}]; c != nil {
		return c.x, c.y
	}
	return nil, nil
}

// detectionFigures: ROC and PR curves of the showcase trial, each
// detector's confusion matrix and, when the trial has a flow dataset, CPU
// against duration by prediction.
func (r *Run) detectionFigures(t *Trial) []*Figure {
	detectors := r.ModelsOf(Detector)
	if len(detectors) == 0 {
		return nil
	}
	id := t.Record.ID
	var figs []*Figure
	var rocs []charts.Curve
	var prs []charts.PRCurve
	for _, model := range detectors {
		if x, y := r.curve(id, model, "roc"); len(x) > 0 {
			auc, _ := r.trialMetric(id, model, "roc_auc")
			rocs = append(rocs, charts.Curve{Label: model, FPR: x, TPR: y, AUC: auc})
		}
		if x, y := r.curve(id, model, "pr"); len(x) > 0 {
			ap, _ := r.trialMetric(id, model, "pr_auc")
			prs = append(prs, charts.PRCurve{Label: model, Recall: x, Precision: y, AP: ap})
		}
	}
	if len(rocs) > 0 {
		figs = append(figs, &Figure{
			Name: fileName("detection", "roc"), Section: SectionDetection, Title: "ROC curves",
			Caption: "ROC curve of each detector on the test split of " + trialLabel(t) + ", from curves.parquet; AUC from metrics.parquet.",
			draw:    func() *charts.Chart { return charts.ROC(rocs, "ROC curves ("+trialLabel(t)+")") },
		})
	}
	if len(prs) > 0 {
		prevalence := prevalenceOf(t.PredictionsOf(detectors[0]))
		figs = append(figs, &Figure{
			Name: fileName("detection", "pr"), Section: SectionDetection, Title: "Precision-recall curves",
			Caption: "Precision against recall of each detector on the test split of " + trialLabel(t) + "; AP is scikit-learn's average precision (pr_auc).",
			draw:    func() *charts.Chart { return charts.PR(prs, prevalence, "Precision-recall ("+trialLabel(t)+")") },
		})
	}
	for _, model := range detectors {
		preds := t.PredictionsOf(model)
		if len(preds) == 0 {
			continue
		}
		figs = append(figs, &Figure{
			Name: fileName("detection", "confusion", model), Section: SectionDetection, Title: "Confusion matrix of " + model,
			Caption: "Test flows of " + trialLabel(t) + " by true label (rows) and " + model + "'s decision (columns).",
			draw: func() *charts.Chart {
				return confusion("Confusion matrix ("+model+")", []string{flow.LabelNormal, flow.LabelAnomaly}, preds)
			},
		})
		if t.Dataset != nil {
			figs = append(figs, r.cpuDuration(t, model, preds))
		}
	}
	return figs
}

// prevalenceOf is the fraction of predictions whose true label is anomaly.
func prevalenceOf(preds []rundir.Prediction) float64 {
	pos := 0
	for _, p := range preds {
		if p.Actual != nil && *p.Actual == flow.LabelAnomaly {
			pos++
		}
	}
	return float64(pos) / float64(max(1, len(preds)))
}

// confusion draws the confusion matrix of predictions over classes;
// labels outside classes are appended in order of appearance.
func confusion(title string, classes []string, preds []rundir.Prediction) *charts.Chart {
	classes = slices.Clone(classes)
	for _, p := range preds {
		for _, label := range []*string{p.Actual, &p.Predicted} {
			if label != nil && !slices.Contains(classes, *label) {
				classes = append(classes, *label)
			}
		}
	}
	counts := make([][]int, len(classes))
	for i := range counts {
		counts[i] = make([]int, len(classes))
	}
	for _, p := range preds {
		if p.Actual == nil {
			continue
		}
		counts[slices.Index(classes, *p.Actual)][slices.Index(classes, p.Predicted)]++
	}
	return charts.ConfusionHeatmap(title, classes, counts)
}

// cpuDuration is the notebook's CPU against duration, coloured by the
// model's prediction, duration on a log scale.
func (r *Run) cpuDuration(t *Trial, model string, preds []rundir.Prediction) *Figure {
	f := t.Dataset.Flows
	var flagged, passed []int
	for _, p := range preds {
		i := int(p.FlowID)
		if f.Duration[i] <= 0 { // Load checked the flow IDs
			continue
		}
		if p.Predicted == flow.LabelAnomaly {
			flagged = append(flagged, i)
		} else {
			passed = append(passed, i)
		}
	}
	drawnFlagged := stride(flagged, maxScatterPoints/2)
	drawnPassed := stride(passed, maxScatterPoints-len(drawnFlagged))
	points := func(label string, rows []int) charts.Points {
		p := charts.Points{Label: label}
		for _, i := range rows {
			p.X, p.Y = append(p.X, f.CPUUsage[i]), append(p.Y, f.Duration[i])
		}
		return p
	}
	return &Figure{
		Name: fileName("detection", "cpu_duration", model), Section: SectionDetection, Raster: true,
		Title: "CPU against duration by " + model + "'s prediction",
		Caption: fmt.Sprintf("Test flows of %s; %s of %s flagged and %s of %s passed flows drawn (an even stride). Duration on a log scale, as in the notebook.",
			trialLabel(t), thousands(len(drawnFlagged)), thousands(len(flagged)), thousands(len(drawnPassed)), thousands(len(passed))),
		draw: func() *charts.Chart {
			return charts.Scatter("CPU against duration ("+model+")", "CPU usage (%)", "Duration (s, log scale)",
				[]charts.Points{points("predicted normal", drawnPassed), points("predicted anomaly", drawnFlagged)}, false, true)
		},
	}
}

// typingFigures are the attack-type confusion matrices.
func (r *Run) typingFigures(t *Trial) []*Figure {
	var figs []*Figure
	for _, model := range r.ModelsOf(Typing) {
		preds := t.PredictionsOf(model)
		if len(preds) == 0 {
			continue
		}
		figs = append(figs, &Figure{
			Name: fileName("typing", "confusion", model), Section: SectionTyping, Title: "Attack-type confusion matrix of " + model,
			Caption: "Test flows of " + trialLabel(t) + " by true type (rows) and " + model + "'s prediction (columns).",
			draw: func() *charts.Chart {
				return confusion("Attack type confusion matrix ("+model+")", t.classes(), preds)
			},
		})
	}
	return figs
}

// interpretationFigures are the top-10 importances of each model that has
// importances.
func (r *Run) interpretationFigures(t *Trial) []*Figure {
	var figs []*Figure
	var order []string
	for _, imp := range t.Importances {
		if !slices.Contains(order, imp.Model) {
			order = append(order, imp.Model)
		}
	}
	for _, model := range order {
		var top []rundir.Importance
		for _, imp := range t.Importances {
			if imp.Model == model {
				top = append(top, imp)
			}
		}
		slices.SortStableFunc(top, func(a, b rundir.Importance) int { return cmp.Compare(a.Rank, b.Rank) })
		top = top[:min(10, len(top))]
		labels, values := make([]string, len(top)), make([]float64, len(top))
		for i, imp := range top {
			labels[i], values[i] = imp.Feature, imp.Importance
		}
		figs = append(figs, &Figure{
			Name: fileName("interpretation", "importance", model), Section: SectionInterpret, Title: "Top 10 features of " + model,
			Caption: "Gini importance (mean decrease in impurity) of " + model + "'s ten most important features in " + trialLabel(t) + ".",
			draw: func() *charts.Chart {
				return charts.Bars("Top 10 features ("+model+")", "Gini importance (mean decrease in impurity)", labels, values)
			},
		})
	}
	return figs
}

// pointKey is a sweep point as a map key.
func pointKey(p []string) string { return strings.Join(p, "\x00") }

// PointText renders a sweep point: "generator=notebook, difficulty=0.5",
// or "" when the run sweeps nothing.
func (r *Run) PointText(p []string) string {
	parts := make([]string, len(p))
	for i, v := range p {
		parts[i] = r.Manifest.Axes[i].Name + "=" + v
	}
	return strings.Join(parts, ", ")
}

// trialROCFigures draw the detectors' ROC curves of every trial but the
// showcase (whose curves head the detection section), gathered in one
// collapsed group.
func (r *Run) trialROCFigures() []*Figure {
	var figs []*Figure
	for i, t := range r.Manifest.Trials {
		if i == 0 {
			continue
		}
		var rocs []charts.Curve
		for _, model := range r.ModelsOf(Detector) {
			if x, y := r.curve(t.ID, model, "roc"); len(x) > 0 {
				auc, _ := r.trialMetric(t.ID, model, "roc_auc")
				rocs = append(rocs, charts.Curve{Label: model, FPR: x, TPR: y, AUC: auc})
			}
		}
		if len(rocs) == 0 {
			continue
		}
		label := "trial " + t.ID
		figs = append(figs, &Figure{
			Name: fileName("detection", "roc", t.ID), Section: SectionDetection, Title: "ROC curves, " + label,
			Group:   fmt.Sprintf("ROC curves of the other %d trials", len(r.Manifest.Trials)-1),
			Caption: "ROC curve of each detector on the test split of " + label + ", AUC in the legend.",
			draw:    func() *charts.Chart { return charts.ROC(rocs, "ROC curves ("+label+")") },
		})
	}
	return figs
}

// acrossSeedsFigures draw each detector's ROC curve over the seeds of each
// sweep point that has more than one.
func (r *Run) acrossSeedsFigures() []*Figure {
	type key struct{ point, model string }
	seeds := map[key][]charts.Curve{}
	for _, t := range r.Manifest.Trials {
		p := pointKey(trialPoint(t, r.Manifest))
		for _, model := range r.ModelsOf(Detector) {
			x, y := r.curve(t.ID, model, "roc")
			if len(x) == 0 {
				continue
			}
			auc, _ := r.trialMetric(t.ID, model, "roc_auc")
			k := key{p, model}
			seeds[k] = append(seeds[k], charts.Curve{Label: t.ID, FPR: x, TPR: y, AUC: auc})
		}
	}
	var figs []*Figure
	for _, point := range r.Points {
		for _, model := range r.ModelsOf(Detector) {
			curves := seeds[key{pointKey(point), model}]
			if len(curves) < 2 {
				continue
			}
			at := r.PointText(point)
			name := []string{"detection", "roc_seeds", model}
			title := "ROC of " + model + " across seeds"
			if at != "" {
				name = append(name, strings.ReplaceAll(at, ", ", "-"))
				title += " at " + at
			}
			figs = append(figs, &Figure{
				Name: fileName(name...), Section: SectionDetection, Title: title,
				Caption: fmt.Sprintf("Mean true positive rate of %s over %d seeds at each false positive rate (curves read as the best rate at or interpolated between thresholds), with the range from the lowest to the highest seed shaded.", model, len(curves)),
				draw:    func() *charts.Chart { return charts.ROCAcrossSeeds(model, curves) },
			})
		}
	}
	return figs
}

// headline lists the metrics drawn against each swept parameter: the
// detection figures of the case study, then every metric a target names.
func (r *Run) headline() []string {
	metrics := []string{"detection_rate", "false_positive_rate", "roc_auc"}
	for _, t := range r.Manifest.Targets {
		name := t.Metric
		if t.AnomalyType != "" {
			name += "_" + t.AnomalyType
		}
		if !slices.Contains(metrics, name) {
			metrics = append(metrics, name)
		}
	}
	return metrics
}

// sweepFigures draw each headline metric against each numeric sweep axis:
// one series per model and value of the other axes, the mean over seeds
// with its confidence interval shaded, and the metric's target dashed.
func (r *Run) sweepFigures() []*Figure {
	var figs []*Figure
	for ai, axis := range r.Manifest.Axes {
		xs, ok := numbers(axis.Values)
		if !ok || len(xs) < 2 {
			continue
		}
		logX := xs[0] > 0 && slices.Max(xs)/slices.Min(xs) >= 10
		for _, metric := range r.headline() {
			series := r.series(ai, xs, metric)
			if len(series) == 0 {
				continue
			}
			target, targetText := r.targetLine(metric)
			title := metric + " against " + axis.Name
			figs = append(figs, &Figure{
				Name: fileName("sweep", metric, axis.Name), Section: SectionTargets, Title: title,
				Caption: fmt.Sprintf("Mean over seeds of %s at each %s, per model%s, with the %g%% confidence interval of the mean shaded (Student t, within the metric's range; none with one seed).%s",
					metric, axis.Name, r.otherAxes(ai), 100*Confidence, targetText),
				draw: func() *charts.Chart {
					return charts.MetricVsParam(title, axis.Name, metricLabel(metric), series, target, logX)
				},
			})
		}
	}
	return figs
}

// targetLine is the dashed line of the first target on metric, naming
// every model with the same target, and the caption's sentence on it.
func (r *Run) targetLine(metric string) (*charts.Target, string) {
	var first *experiments.Target
	var models []string
	for i, t := range r.Manifest.Targets {
		if t.Metric+suffix(t.AnomalyType) != metric || t.Against != "" {
			continue // a comparison with another model has no line to draw
		}
		if first == nil {
			first = &r.Manifest.Targets[i]
		}
		if t.Op == first.Op && t.Value == first.Value && !slices.Contains(models, t.Model) {
			models = append(models, t.Model)
		}
	}
	if first == nil {
		return nil, ""
	}
	who := strings.Join(models, ", ")
	return &charts.Target{Value: first.Value, Label: fmt.Sprintf("target: %s %s %g", who, first.Op, first.Value)},
		fmt.Sprintf(" The dashed line is the target %s %s %g of %s.", metric, first.Op, first.Value, who)
}

// metricRange returns the range of values a metric can take, when the
// metric vocabulary (internal/eval) knows it: [0, 1] for rates, shares and
// areas under curves, [-1, 1] for the silhouette.
func metricRange(metric string) (lo, hi float64, ok bool) {
	m, known := eval.Metric(metric)
	if !known || !m.Bounded {
		return 0, 0, false
	}
	return m.Lo, m.Hi, true
}

// metricLabel is the axis label of a metric.
func metricLabel(metric string) string {
	if m, ok := eval.Metric(metric); ok {
		return m.AxisLabel()
	}
	return metric
}

func suffix(anomalyType string) string {
	if anomalyType == "" {
		return ""
	}
	return "_" + anomalyType
}

// otherAxes names the axes that split the series of a figure against
// axis ai, for its caption.
func (r *Run) otherAxes(ai int) string {
	var others []string
	for j, a := range r.Manifest.Axes {
		if !r.sameAxisGroup(ai, j) {
			others = append(others, a.Name)
		}
	}
	if len(others) == 0 {
		return ""
	}
	return " and value of " + strings.Join(others, " and ")
}

// numbers parses values as numbers, sorted; ok is false if one does not
// parse.
func numbers(values []string) ([]float64, bool) {
	out := make([]float64, len(values))
	for i, v := range values {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		out[i] = x
	}
	slices.Sort(out)
	return out, true
}

// sameAxisGroup says whether axes i and j vary together: the same axis,
// or axes zipped into one group (they do not split a series).
func (r *Run) sameAxisGroup(i, j int) bool {
	a, b := r.Manifest.Axes[i], r.Manifest.Axes[j]
	return i == j || a.Group != 0 && a.Group == b.Group
}

// series returns metric against axis ai: one series per model and
// combination of the other axes' values, from the aggregate table.
func (r *Run) series(ai int, xs []float64, metric string) []charts.Series {
	type key struct{ model, others string }
	index := map[key]int{}
	var out []charts.Series
	var at [][]float64 // per series: mean, lo, hi by x index, NaN where absent
	for _, a := range r.Aggregates {
		if a.Metric != metric {
			continue
		}
		x, err := strconv.ParseFloat(a.Params[ai], 64)
		if err != nil {
			continue
		}
		xi := slices.Index(xs, x)
		if xi < 0 {
			continue
		}
		var others []string
		for j, v := range a.Params {
			if !r.sameAxisGroup(ai, j) {
				others = append(others, r.Manifest.Axes[j].Name+"="+v)
			}
		}
		k := key{a.Model, strings.Join(others, ", ")}
		si, ok := index[k]
		if !ok {
			si = len(out)
			index[k] = si
			label := a.Model
			if k.others != "" {
				label += ", " + k.others
			}
			out = append(out, charts.Series{Label: label})
			row := make([]float64, 3*len(xs))
			for i := range row {
				row[i] = math.NaN()
			}
			at = append(at, row)
		}
		at[si][3*xi], at[si][3*xi+1], at[si][3*xi+2] = a.Mean, a.Lo, a.Hi
	}
	for si := range out {
		s := &out[si]
		withBand := true
		for xi, x := range xs {
			mean, lo, hi := at[si][3*xi], at[si][3*xi+1], at[si][3*xi+2]
			if math.IsNaN(mean) {
				continue
			}
			s.X, s.Mean = append(s.X, x), append(s.Mean, mean)
			if bottom, top, ok := metricRange(metric); ok {
				// A t interval over few seeds can reach past the metric's
				// range; the band stops at its ends.
				lo, hi = max(lo, bottom), min(hi, top)
			}
			s.Lo, s.Hi = append(s.Lo, lo), append(s.Hi, hi)
			withBand = withBand && !math.IsNaN(lo) && !math.IsNaN(hi)
		}
		if !withBand {
			s.Lo, s.Hi = nil, nil
		}
	}
	return slices.DeleteFunc(out, func(s charts.Series) bool { return len(s.X) == 0 })
}
