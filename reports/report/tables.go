package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/reports"
)

// A Table is a table of the report, rendered as HTML and as Markdown.
type Table struct {
	Header []string
	Rows   [][]string
	// Numeric marks the columns to right-align.
	Numeric []bool
}

// Markdown renders t as a GitHub-flavoured Markdown table.
func (t Table) Markdown() string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("|")
	for _, h := range t.Header {
		b.WriteString(" " + cell(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Header {
		if i < len(t.Numeric) && t.Numeric[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fmtValue(v float64) string { return reports.FormatValue(v) }

func thousands(n int) string { return reports.Thousands(n) }

// aggregateKey finds an aggregate row.
type aggregateKey struct{ point, model, metric string }

func (r *Run) aggregateIndex() map[aggregateKey]*rundir.Aggregate {
	index := make(map[aggregateKey]*rundir.Aggregate, len(r.Aggregates))
	for i := range r.Aggregates {
		a := &r.Aggregates[i]
		index[aggregateKey{pointKey(a.Params), a.Model, a.Metric}] = a
	}
	return index
}

// meanCell renders an aggregate: "0.975 [0.960, 0.990]", the mean alone
// with one seed, "" when absent.
func meanCell(a *rundir.Aggregate) string {
	if a == nil {
		return ""
	}
	if a.N < 2 || math.IsNaN(a.Lo) || math.IsNaN(a.Hi) {
		return fmtValue(a.Mean)
	}
	return fmt.Sprintf("%s [%s, %s]", fmtValue(a.Mean), fmtValue(a.Lo), fmtValue(a.Hi))
}

// AggregateTable is one row per sweep point and model of models, one
// column per metric: the mean over seeds with its confidence interval.
// Rows whose every metric is absent are left out.
func (r *Run) AggregateTable(models, metrics []string) Table {
	index := r.aggregateIndex()
	t := Table{}
	swept := len(r.Manifest.Axes) > 0
	if swept {
		t.Header = append(t.Header, "sweep point")
		t.Numeric = append(t.Numeric, false)
	}
	t.Header = append(t.Header, "model")
	t.Numeric = append(t.Numeric, false)
	for _, m := range metrics {
		t.Header = append(t.Header, m)
		t.Numeric = append(t.Numeric, true)
	}
	for _, p := range r.Points {
		for _, model := range models {
			var row []string
			if swept {
				row = append(row, r.PointText(p))
			}
			row = append(row, model)
			any := false
			for _, metric := range metrics {
				a := index[aggregateKey{pointKey(p), model, metric}]
				any = any || a != nil
				row = append(row, meanCell(a))
			}
			if any {
				t.Rows = append(t.Rows, row)
			}
		}
	}
	return t
}

// MetricsOf lists the metrics the models measured, in first-seen order,
// keeping those keep accepts.
func (r *Run) MetricsOf(models []string, keep func(string) bool) []string {
	var out []string
	for _, m := range r.Metrics {
		if slices.Contains(models, m.Model) && keep(m.Metric) && !slices.Contains(out, m.Metric) {
			out = append(out, m.Metric)
		}
	}
	return out
}

// ComparisonMetrics are the columns of the notebook's model comparison
// table, with the false positive rate and the areas under the curves.
var ComparisonMetrics = []string{"accuracy", "precision", "recall", "f1", "false_positive_rate", "roc_auc", "pr_auc"}

// DatasetTable is the notebook's dataset summary panel for every trial.
func (r *Run) DatasetTable() Table {
	var types []string
	for _, t := range r.Manifest.Trials {
		for typ := range t.Data.ByType {
			if !slices.Contains(types, typ) {
				types = append(types, typ)
			}
		}
	}
	slices.Sort(types)
	t := Table{Header: []string{"trial", "source", "flows", "normal"}}
	t.Header = append(t.Header, types...)
	t.Header = append(t.Header, "anomaly rate", "train", "test")
	t.Numeric = make([]bool, len(t.Header))
	for i := 2; i < len(t.Header); i++ {
		t.Numeric[i] = true
	}
	for _, tr := range r.Manifest.Trials {
		d := tr.Data
		row := []string{tr.ID, d.Source, thousands(d.Flows), thousands(d.Flows - d.Anomalies)}
		for _, typ := range types {
			row = append(row, thousands(d.ByType[typ]))
		}
		rate := 0.0
		if d.Flows > 0 {
			rate = float64(d.Anomalies) / float64(d.Flows)
		}
		row = append(row, fmt.Sprintf("%.2f%%", 100*rate), thousands(d.Train), thousands(d.Test))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// FeatureTable compares the showcase trial's engineered features between
// normal and anomalous flows: the mean of each.
func (r *Run) FeatureTable() Table {
	t := Table{Header: []string{"feature", "mean, normal flows", "mean, anomalous flows"}, Numeric: []bool{false, true, true}}
	if r.Showcase == nil {
		return t
	}
	ds := r.Showcase.Dataset
	e := ds.Engineered
	cols := []struct {
		name  string
		value func(i int) float64
	}{
		{"bytes_per_second", func(i int) float64 { return e.BytesPerSecond[i] }},
		{"packets_per_second", func(i int) float64 { return e.PacketsPerSecond[i] }},
		{"high_cpu", func(i int) float64 { return float64(e.HighCPU[i]) }},
		{"long_duration", func(i int) float64 { return float64(e.LongDuration[i]) }},
		{"many_ports", func(i int) float64 { return float64(e.ManyPorts[i]) }},
		{"off_hours", func(i int) float64 { return float64(e.OffHours[i]) }},
		{"risk_score", func(i int) float64 { return e.RiskScore[i] }},
		{"log_bytes", func(i int) float64 { return e.LogBytes[i] }},
		{"log_duration", func(i int) float64 { return e.LogDuration[i] }},
	}
	for _, c := range cols {
		var sum [2]float64
		var n [2]int
		for i := range ds.Flows.Len() {
			k := b2i(ds.Flows.IsAnomaly[i])
			sum[k] += c.value(i)
			n[k]++
		}
		row := []string{c.name}
		for k := range 2 {
			if n[k] == 0 {
				row = append(row, "")
			} else {
				row = append(row, fmtValue(sum[k]/float64(n[k])))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// VerdictTable lists the verdict's results.
func (r *Run) VerdictTable() Table {
	t := Table{Header: []string{"verdict", "target", "sweep point", "seeds", "mean", "interval", "note"},
		Numeric: []bool{false, false, false, true, true, false, false}}
	for _, res := range r.Verdict.Results {
		point := "all trials"
		if len(res.Point) > 0 {
			point = gate.PointText(res.Point)
		}
		mean, interval := "", ""
		if res.Mean != nil {
			mean = fmtValue(*res.Mean)
		}
		if res.Lo != nil && res.Hi != nil {
			interval = "[" + fmtValue(*res.Lo) + ", " + fmtValue(*res.Hi) + "]"
		}
		t.Rows = append(t.Rows, []string{res.Verdict, res.Target, point, fmt.Sprint(res.N), mean, interval, res.Message})
	}
	return t
}

// FullAggregateTable is aggregate.parquet as a table.
func (r *Run) FullAggregateTable() Table {
	t := Table{Header: append(r.Manifest.AxisNames(), "model", "metric", "n", "mean", "sd", "min", "max", "ci_low", "ci_high")}
	t.Numeric = make([]bool, len(t.Header))
	for i := len(r.Manifest.Axes) + 2; i < len(t.Header); i++ {
		t.Numeric[i] = true
	}
	for _, a := range r.Aggregates {
		row := slices.Concat(a.Params, []string{a.Model, a.Metric, fmt.Sprint(a.N)})
		for _, v := range []float64{a.Mean, a.SD, a.Min, a.Max, a.Lo, a.Hi} {
			row = append(row, fmtValue(v))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Notes lists each trial's notes (metrics left unmeasured, and why).
func (r *Run) Notes() []string {
	var out []string
	for _, t := range r.Manifest.Trials {
		for _, n := range t.Notes {
			out = append(out, t.ID+": "+n)
		}
	}
	return out
}

// leakageCaption explains LeakageTable.
const leakageCaption = "Leakage: the model input vectors repeated within the training rows, within the test rows, and test rows equal to a training row (cross-split, which a model can look up rather than predict), as shares of their side, and the share of all rows whose vector carries more than one label; mean over seeds [95% interval]. Model leakage in the metrics table; targets may gate on it."

// LeakageTable is the leakage report's shares per sweep point (model
// experiments.LeakageModel), or no rows for a run without it.
func (r *Run) LeakageTable() Table {
	var shares []string
	for _, m := range eval.Produced(eval.LeakageReport) {
		if strings.HasSuffix(m, "_share") {
			shares = append(shares, m)
		}
	}
	return r.AggregateTable([]string{experiments.LeakageModel}, shares)
}

// categoryCaption explains CategoryTable.
const categoryCaption = "Detection by attack category: the share of each category's test anomalies that each detector flagged " +
	"(detection_rate_ followed by the category; a target names the category with anomaly_type), " +
	"mean over seeds [95% confidence interval of the mean, within [0, 1]] as in aggregate.parquet, the seeds that measured it, " +
	"and detected / test anomalies of the category summed over those seeds (each trial's test_by_type; " +
	noCounts + " for a run that did not record it)."

// noCounts is the counts cell of a CategoryTable row whose counts the
// run's files do not give.
const noCounts = "—"

// CategoryTable is the detectors' detection rate of each attack category:
// one row per sweep point, detector and category (categories sorted), with
// the mean over seeds and its 95% interval from aggregate.parquet (as
// every aggregate table of the report), the number of seeds, and
// detected / total test anomalies of the category summed over them
// (categoryCounts). Categories are those the trials' records name that a
// detector has a detection_rate_<category> row of; combinations without
// one are left out, and a run without any gives no rows.
func (r *Run) CategoryTable() Table {
	detectors := r.ModelsOf(Detector)
	categories := r.attackCategories(detectors)
	t := Table{}
	swept := len(r.Manifest.Axes) > 0
	if swept {
		t.Header = append(t.Header, "sweep point")
		t.Numeric = append(t.Numeric, false)
	}
	t.Header = append(t.Header, "model", "category", "detection rate", "seeds", "detected / anomalies")
	t.Numeric = append(t.Numeric, false, false, true, true, true)
	if len(categories) == 0 {
		return t
	}
	index := r.aggregateIndex()
	for _, p := range r.Points {
		trials := r.trialsAt(p)
		for _, model := range detectors {
			for _, c := range categories {
				a := index[aggregateKey{pointKey(p), model, categoryMetric(c)}]
				if a == nil {
					continue
				}
				var row []string
				if swept {
					row = append(row, r.PointText(p))
				}
				counts := noCounts
				if detected, total, ok := r.categoryCounts(trials, model, c, a.N); ok {
					counts = thousands(detected) + " / " + thousands(total)
				}
				t.Rows = append(t.Rows, append(row, model, c, meanCell(a), fmt.Sprint(a.N), counts))
			}
		}
	}
	return t
}

// categoryMetric is the metric of the detection rate of one category.
func categoryMetric(category string) string { return "detection_rate_" + category }

// attackCategories lists, sorted, the anomaly types the trials' records
// name (by_type, test_by_type) that one of detectors has a
// detection_rate_<type> row of: not detection_rate_seen_attacks and the
// like, which are no category.
func (r *Run) attackCategories(detectors []string) []string {
	named := map[string]bool{}
	for _, t := range r.Manifest.Trials {
		for c := range t.Data.ByType {
			named[c] = true
		}
		for c := range t.Data.TestByType {
			named[c] = true
		}
	}
	measured := r.MetricsOf(detectors, func(m string) bool { return strings.HasPrefix(m, "detection_rate_") })
	var out []string
	for c := range named {
		if slices.Contains(measured, categoryMetric(c)) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// trialsAt returns the trials of sweep point p, in the manifest's order.
func (r *Run) trialsAt(p []string) []rundir.TrialRecord {
	var out []rundir.TrialRecord
	for _, t := range r.Manifest.Trials {
		if slices.Equal(trialPoint(t, r.Manifest), p) {
			out = append(out, t)
		}
	}
	return out
}

// categoryCounts sums a detector's detected and total test anomalies of
// one category over trials, the n trials its aggregate row is over. A
// trial's total is its record's test_by_type, its detected count
// round(rate × total), exact since the rate is detected / total. ok is
// false, and the counts unknown, whenever the files do not say them:
// a trial whose record has no test_by_type (a run before it was
// recorded), a rate without test anomalies of the category or test
// anomalies without a rate, a rate × total that is no whole number, or
// trials measured other than n.
func (r *Run) categoryCounts(trials []rundir.TrialRecord, model, category string, n int64) (detected, total int, ok bool) {
	var measured int64
	for _, t := range trials {
		rate, has := r.trialMetric(t.ID, model, categoryMetric(category))
		k := t.Data.TestByType[category]
		switch {
		case !has && k == 0:
			continue // no anomaly of the category in this trial's test split
		case !has || k == 0:
			return 0, 0, false
		}
		d, whole := detectedOf(rate, k)
		if !whole {
			return 0, 0, false
		}
		detected += d
		total += k
		measured++
	}
	return detected, total, measured == n
}

// detectedOf returns the anomalies detected of total, round(rate × total),
// and whether rate × total is a whole number of them (within 1e-6; not
// for a rate outside [0, 1] or NaN).
func detectedOf(rate float64, total int) (int, bool) {
	d := rate * float64(total)
	r := math.Round(d)
	if !(rate >= 0 && rate <= 1) || math.Abs(d-r) > 1e-6 {
		return 0, false
	}
	return int(r), true
}

// envelopeCaption explains EnvelopeTable.
const envelopeCaption = "Each model's worst verdict over its targets at each sweep point (FAIL over INCONCLUSIVE over PASS), with the targets it did not pass: the envelope where each model stops meeting them."

// EnvelopeTable shows, at a glance, where each model meets its targets:
// one row per sweep point, one column per model that has targets (in the
// order of the experiment's models), each cell the model's worst verdict
// over its targets at that point (fail over inconclusive over pass) and
// the metrics of the targets it did not pass. Targets against another
// model are left out: they judge a pair, not a model. The table is empty
// when fewer than two models have targets: the verdict table says it all.
func (r *Run) EnvelopeTable() Table {
	var models []string
	for _, m := range r.Models {
		for _, res := range r.Verdict.Results {
			if res.Model == m.Name && res.Against == "" {
				models = append(models, m.Name)
				break
			}
		}
	}
	if len(models) < 2 {
		return Table{}
	}
	t := Table{}
	swept := len(r.Manifest.Axes) > 0
	if swept {
		t.Header = append(t.Header, "sweep point")
		t.Numeric = append(t.Numeric, false)
	}
	t.Header = append(t.Header, models...)
	t.Numeric = append(t.Numeric, make([]bool, len(models))...)
	pass := stats.Pass.String()
	rank := map[string]int{pass: 0, stats.Inconclusive.String(): 1, stats.Fail.String(): 2}
	for _, p := range r.Points {
		point := map[string]string{}
		for i, v := range p {
			point[r.Manifest.Axes[i].Name] = v
		}
		var row []string
		if swept {
			row = append(row, r.PointText(p))
		}
		for _, model := range models {
			worst, seen := pass, false
			var missed []string
			for _, res := range r.Verdict.Results {
				if res.Model != model || res.Against != "" || !(len(res.Point) == 0 && len(point) == 0 || maps.Equal(res.Point, point)) {
					continue
				}
				seen = true
				if rank[res.Verdict] > rank[worst] {
					worst = res.Verdict
				}
				if res.Verdict != pass {
					missed = append(missed, res.Metric+" "+res.Op+" "+fmtValue(res.Value))
				}
			}
			switch {
			case !seen:
				row = append(row, "")
			case len(missed) == 0:
				row = append(row, strings.ToUpper(worst))
			default:
				row = append(row, strings.ToUpper(worst)+": "+strings.Join(missed, "; "))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
