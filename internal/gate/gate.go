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
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/eval/stats"
)

// Target is a success criterion: Model's Metric compared with Value by Op,
// optionally restricted to one anomaly type (the metric
// <metric>_<anomaly type>) and to the sweep points listed in Where (axis
// name -> values).
type Target struct {
	Model       string
	Metric      string
	Op          string
	Value       float64
	AnomalyType string
	Where       map[string][]string
}

// MetricName is the metrics-table name of the target's metric.
func (t Target) MetricName() string {
	if t.AnomalyType != "" {
		return t.Metric + "_" + t.AnomalyType
	}
	return t.Metric
}

// String reads like the target in the experiment file:
// "random_forest detection_rate >= 0.95".
func (t Target) String() string {
	return fmt.Sprintf("%s %s %s %s", t.Model, t.MetricName(), t.Op, strconv.FormatFloat(t.Value, 'g', -1, 64))
}

// Param is one sweep parameter's value at a point.
type Param struct {
	Name, Value string
}

// Result is the verdict on one target at one sweep point.
type Result struct {
	Target  Target
	Point   []Param // the sweep point (empty without a sweep)
	Values  []float64
	Summary stats.Summary
	Verdict stats.Verdict
	// SeedsNeeded is, for an inconclusive verdict, how many seeds would
	// decide it if the mean and standard deviation held; 0 when more seeds
	// would not help (the mean sits on the threshold) or for other verdicts.
	SeedsNeeded int
	Message     string // why, in a sentence
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
func Evaluate(targets []Target, axes []string, rows []datasets.Metric, opts Options) []Result {
	conf := opts.Confidence
	if conf == 0 {
		conf = 0.95
	}
	var results []Result
	for _, t := range targets {
		metric := t.MetricName()
		type point struct {
			key    string
			params []Param
			values []float64
		}
		var points []*point
		byKey := map[string]*point{}
		measured := false
		for _, r := range rows {
			if r.Model != t.Model || r.Metric != metric {
				continue
			}
			measured = true
			params := make([]Param, len(axes))
			for i, a := range axes {
				params[i] = Param{a, r.Params[i]}
			}
			if !applies(t.Where, params) {
				continue
			}
			key := strings.Join(r.Params, "\x00")
			p, ok := byKey[key]
			if !ok {
				p = &point{key: key, params: params}
				byKey[key] = p
				points = append(points, p)
			}
			p.values = append(p.values, r.Value)
		}
		switch {
		case !measured:
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
			s := stats.Summarize(p.values, conf)
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
	return fmt.Sprintf("mean %s over %d seeds, %g%% %s interval [%s, %s]", figure(s.Mean), s.N, 100*conf, s.Method, figure(s.Lo), figure(s.Hi))
}

func figure(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
