// Package gate judges a run's metrics against the experiment's success
// targets, across seeds.
//
// For each target and each sweep point it applies to, the metric's values
// over the point's seeds are summarised with a two-sided t confidence
// interval of the mean (internal/eval/stats). The target passes when the
// whole interval satisfies the comparison, fails when the whole interval
// violates it, and is inconclusive otherwise; an inconclusive result says
// how many seeds would decide it if the mean and spread held. A target on
// a metric the run did not measure fails, saying so.
package gate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/rundir"
)

// Param is one sweep parameter's value at a point.
type Param struct {
	Name, Value string
}

// Result is the verdict on one target at one sweep point.
type Result struct {
	Target  experiments.Target
	Point   []Param // the sweep point (empty without a sweep)
	Values  []float64
	Summary stats.Summary
	Verdict stats.Verdict
	// SeedsNeeded is, for an inconclusive verdict, how many seeds would
	// decide it if the mean and standard deviation held; 0 when more seeds
	// would not help (the mean sits on the threshold) or for other verdicts.
	SeedsNeeded int
	Message     string // why, in a sentence
	// Paired is the comparison of a target against another model; nil
	// for a threshold target.
	Paired *Paired
}

// Paired is a target's comparison with another model at one sweep
// point: the differences of the metric (Model's minus Against's) over the
// trials where both were measured, which share their split and seed.
// Summary's Lo and Hi are the signed-rank interval of the differences'
// pseudo-median, which decides the verdict as a threshold target's t
// interval decides its: pass when the whole interval satisfies the
// comparison with the margin, fail when the whole interval violates it,
// inconclusive otherwise.
type Paired struct {
	Differences []float64
	Estimate    float64        // the Hodges-Lehmann estimate: the median of the Walsh averages
	Achieved    float64        // the interval's exact confidence (at least the requested one)
	Test        stats.Wilcoxon // two-sided signed-rank test of the differences against 0
}

// PointName renders the point as "anomaly_rate=0.05, difficulty=0", or
// "all trials" without a sweep.
func (r Result) PointName() string {
	if len(r.Point) == 0 {
		return "all trials"
	}
	parts := make([]string, len(r.Point))
	for i, p := range r.Point {
		parts[i] = p.Name + "=" + p.Value
	}
	return strings.Join(parts, ", ")
}

// Options configures Evaluate.
type Options struct {
	Confidence float64 // of the intervals; 0 means 0.95
}

// Evaluate judges every target at every sweep point it applies to. axes
// names the sweep axes in the order of the metrics table's parameter
// columns; rows are the table's rows. Results follow the targets' order,
// then the points' order of first appearance in rows.
func Evaluate(targets []experiments.Target, axes []string, rows []rundir.Metric, opts Options) []Result {
	conf := opts.Confidence
	if conf == 0 {
		conf = 0.95
	}
	var results []Result
	for _, t := range targets {
		if t.Against != "" {
			results = append(results, evaluatePaired(t, axes, rows, conf)...)
			continue
		}
		metric := t.MetricName()
		var measured []observation
		for _, r := range rows {
			if r.Model == t.Model && r.Metric == metric {
				measured = append(measured, observation{r.Params, r.Value})
			}
		}
		points := byPoint(axes, t.Where, measured)
		switch {
		case len(measured) == 0:
			results = append(results, Result{Target: t, Verdict: stats.Fail,
				Message: fmt.Sprintf("%s was not measured for model %s in this run", metric, t.Model)})
			continue
		case len(points) == 0:
			results = append(results, Result{Target: t, Verdict: stats.Fail,
				Message: fmt.Sprintf("no sweep point of this run matches where %s", whereText(t.Where))})
			continue
		}
		cmp := stats.Comparison{Op: t.Op, Value: t.Value}
		for _, p := range points {
			s := eval.Summarize(metric, p.values, conf)
			r := Result{Target: t, Point: p.params, Values: p.values, Summary: s, Verdict: stats.Judge(s, cmp)}
			r.Message = describe(r, conf)
			if r.Verdict == stats.Inconclusive && s.N >= 2 {
				if n, ok := stats.SeedsNeeded(s, cmp, conf); ok {
					r.SeedsNeeded = n
					r.Message += fmt.Sprintf("; about %d seeds would decide it if the mean and spread held", n)
				} else {
					r.Message += "; more seeds would not decide it: the mean is on the threshold or the wrong side"
				}
			}
			results = append(results, r)
		}
	}
	return results
}

// observation is one value of a metric (or of a difference) and its sweep
// point's parameter values, in the metrics table's column order.
type observation struct {
	params []string
	value  float64
}

// point is a sweep point and the values observed at it.
type point struct {
	params []Param
	values []float64
}

// byPoint groups observations by sweep point, keeping the points where
// lets through, in order of first appearance.
func byPoint(axes []string, where map[string][]string, obs []observation) []*point {
	var points []*point
	byKey := map[string]*point{}
	for _, o := range obs {
		params := make([]Param, len(axes))
		for i, a := range axes {
			params[i] = Param{a, o.params[i]}
		}
		if !applies(where, params) {
			continue
		}
		key := strings.Join(o.params, "\x00")
		p, ok := byKey[key]
		if !ok {
			p = &point{params: params}
			byKey[key] = p
			points = append(points, p)
		}
		p.values = append(p.values, o.value)
	}
	return points
}

// applies reports whether a point is one of those where lists. Values are
// compared as numbers when both parse as numbers (0.10 and 0.1 are the
// same rate), else as text.
func applies(where map[string][]string, point []Param) bool {
	for name, values := range where {
		i := slices.IndexFunc(point, func(p Param) bool { return p.Name == name })
		if i < 0 {
			return false
		}
		if !slices.ContainsFunc(values, func(v string) bool { return sameValue(v, point[i].Value) }) {
			return false
		}
	}
	return true
}

func sameValue(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return x == y
	}
	return a == b
}

func whereText(where map[string][]string) string {
	names := make([]string, 0, len(where))
	for k := range where {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + " in [" + strings.Join(where[k], ", ") + "]"
	}
	return strings.Join(parts, " and ")
}

// describe says what the interval shows.
func describe(r Result, conf float64) string {
	s := r.Summary
	if s.N == 1 {
		return fmt.Sprintf("one seed (%s): no interval; run more seeds", figure(s.Mean))
	}
	return fmt.Sprintf("mean %s over %d seeds, %g%% interval [%s, %s] (%s)", figure(s.Mean), s.N, 100*conf, figure(s.Lo), figure(s.Hi), s.Method)
}

func figure(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// evaluatePaired judges a target against another model at each sweep
// point it applies to: the differences of the metric, trial by trial.
func evaluatePaired(t experiments.Target, axes []string, rows []rundir.Metric, conf float64) []Result {
	metric := t.MetricName()
	var pairs []observation
	for _, pr := range Pairs(rows, t.Model, t.Against, metric) {
		pairs = append(pairs, observation{pr.Params, pr.Value})
	}
	points := byPoint(axes, t.Where, pairs)
	if len(points) == 0 {
		msg := fmt.Sprintf("no trial of this run measured %s for both %s and %s", metric, t.Model, t.Against)
		if t.Where != nil && hasMetric(rows, t.Model, metric) && hasMetric(rows, t.Against, metric) {
			msg = fmt.Sprintf("no sweep point of this run matches where %s", whereText(t.Where))
		}
		return []Result{{Target: t, Verdict: stats.Fail, Message: msg}}
	}
	var out []Result
	cmp := t.Margin()
	for _, p := range points {
		s := stats.Summarize(p.values, conf)
		lo, hi, achieved := stats.SignedRankInterval(p.values, conf)
		s.Lo, s.Hi, s.Method = lo, hi, "signed-rank"
		pd := &Paired{Differences: p.values, Estimate: stats.HodgesLehmann(p.values), Achieved: achieved, Test: stats.WilcoxonSignedRank(p.values)}
		r := Result{Target: t, Point: p.params, Values: p.values, Summary: s, Paired: pd}
		if math.IsInf(lo, -1) && math.IsInf(hi, 1) {
			r.Verdict = stats.Inconclusive
		} else {
			r.Verdict = stats.JudgeInterval(lo, hi, cmp)
		}
		r.Message = describePaired(r, conf)
		out = append(out, r)
	}
	return out
}

func hasMetric(rows []rundir.Metric, model, metric string) bool {
	for _, r := range rows {
		if r.Model == model && r.Metric == metric {
			return true
		}
	}
	return false
}

// describePaired says what the paired comparison shows.
func describePaired(r Result, conf float64) string {
	t, p, s := r.Target, r.Paired, r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%s - %s paired by trial over %d seeds: median difference %s", t.Model, t.Against, len(p.Differences), figure(p.Estimate))
	if math.IsInf(s.Lo, -1) && math.IsInf(s.Hi, 1) {
		fmt.Fprintf(&b, "; %d pairs cannot give a %g%% signed-rank interval: at least %d seeds are needed", len(p.Differences), 100*conf, minPairsFor(conf))
	} else {
		fmt.Fprintf(&b, ", %g%% signed-rank interval [%s, %s]", 100*conf, figure(s.Lo), figure(s.Hi))
	}
	fmt.Fprintf(&b, " against the margin %s %s", t.Margin().Op, figure(t.Margin().Value))
	w := p.Test
	switch {
	case w.N == 0:
		b.WriteString("; every pair is equal")
	case math.IsNaN(w.P):
	default:
		verdict := "no significant difference"
		if w.P < 1-conf {
			verdict = "a significant difference"
		}
		fmt.Fprintf(&b, "; Wilcoxon signed-rank p = %.3g (%s)", w.P, verdict)
	}
	return b.String()
}

// minPairsFor is the fewest pairs whose signed-rank interval reaches the
// confidence: the smallest n with 2/2^n <= 1 - conf.
func minPairsFor(conf float64) int {
	n := 1
	for 2/math.Pow(2, float64(n)) > 1-conf && n < 64 {
		n++
	}
	return n
}

// Pair is one trial's difference of a metric between two models.
type Pair struct {
	Trial  string
	Params []string
	Model  string // "model - other"
	Value  float64
}

// Pairs returns, for each trial that measured metric for both model and
// other, the difference model's value minus other's, in the order of the
// rows' trials.
func Pairs(rows []rundir.Metric, model, other, metric string) []Pair {
	type both struct {
		params     []string
		a, b       float64
		hasA, hasB bool
	}
	var order []string
	byTrial := map[string]*both{}
	for _, r := range rows {
		if r.Metric != metric || (r.Model != model && r.Model != other) {
			continue
		}
		t, ok := byTrial[r.Trial]
		if !ok {
			t = &both{params: r.Params}
			byTrial[r.Trial] = t
			order = append(order, r.Trial)
		}
		if r.Model == model {
			t.a, t.hasA = r.Value, true
		} else {
			t.b, t.hasB = r.Value, true
		}
	}
	var out []Pair
	for _, id := range order {
		if t := byTrial[id]; t.hasA && t.hasB {
			out = append(out, Pair{Trial: id, Params: t.params, Model: model + " - " + other, Value: t.a - t.b})
		}
	}
	return out
}

// PairRows returns Pairs as metric rows of the model "model - other", for
// the tools that compare rows (a regression rule against another model).
func PairRows(rows []rundir.Metric, model, other, metric string) []rundir.Metric {
	var out []rundir.Metric
	for _, p := range Pairs(rows, model, other, metric) {
		out = append(out, rundir.Metric{Trial: p.Trial, Params: p.Params, Model: p.Model, Metric: metric, Value: p.Value})
	}
	return out
}
