package gate

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/reports"
)

// Verdict is the gate's outcome on a run, as verdict.json holds it.
type Verdict struct {
	Experiment string         `json:"experiment"`
	Confidence float64        `json:"confidence"`
	Interval   string         `json:"interval"`           // how the intervals are computed
	Baseline   string         `json:"baseline,omitempty"` // the run compared against, with check -baseline
	Verdict    string         `json:"verdict"`            // pass, fail or inconclusive: the worst of the results
	Counts     map[string]int `json:"counts"`             // results per verdict
	Results    []TargetResult `json:"results"`
}

// TargetResult is one target at one sweep point.
type TargetResult struct {
	Target      string            `json:"target"` // "random_forest detection_rate >= 0.95"
	Model       string            `json:"model"`
	Metric      string            `json:"metric"`
	Op          string            `json:"op"`
	Value       float64           `json:"value"`
	Point       map[string]string `json:"point,omitempty"`
	Verdict     string            `json:"verdict"`
	N           int               `json:"n"`
	Mean        *float64          `json:"mean,omitempty"`
	SD          *float64          `json:"sd,omitempty"`
	Lo          *float64          `json:"lo,omitempty"` // interval bounds; absent when undefined
	Hi          *float64          `json:"hi,omitempty"`
	SeedsNeeded int               `json:"seeds_needed,omitempty"`
	Message     string            `json:"message"`
	// A target against another model: the other model, the tolerance, and
	// the paired differences' Hodges-Lehmann estimate and Wilcoxon
	// signed-rank p-value. Value is then the margin the differences are
	// compared with, Mean their mean, and Lo and Hi the signed-rank
	// interval (IntervalMethod "signed-rank").
	Against        string   `json:"against,omitempty"`
	Tolerance      float64  `json:"tolerance,omitempty"`
	Estimate       *float64 `json:"estimate,omitempty"`
	PValue         *float64 `json:"p_value,omitempty"`
	IntervalMethod string   `json:"interval_method,omitempty"`
}

// NewVerdict collects the gate's results: the overall verdict is fail if
// any result fails, else inconclusive if any is, else pass (and pass with no
// target at all).
func NewVerdict(experiment string, confidence float64, results []Result) Verdict {
	v := Verdict{
		Experiment: experiment, Confidence: confidence,
		Interval: "two-sided Student t interval of the mean over seeds, within the metric's range",
		Verdict:  stats.Pass.String(), Counts: map[string]int{},
	}
	for _, r := range results {
		t := r.Target
		tr := TargetResult{
			Target: t.String(), Model: t.Model, Metric: t.MetricName(), Op: t.Op, Value: t.Value,
			N: r.Summary.N, SeedsNeeded: r.SeedsNeeded, Message: r.Message, Point: pointMap(r.Point),
		}
		if r.Summary.N > 0 {
			tr.Mean, tr.SD, tr.Lo, tr.Hi = finite(r.Summary.Mean), finite(r.Summary.SD), finite(r.Summary.Lo), finite(r.Summary.Hi)
		}
		if t.Against != "" {
			tr.Against, tr.Tolerance, tr.Value = t.Against, t.Tolerance, t.Margin().Value
			if p := r.Paired; p != nil {
				tr.Estimate, tr.PValue, tr.IntervalMethod = finite(p.Estimate), finite(p.Test.P), "signed-rank"
			}
		}
		v.add(tr, r.Verdict)
	}
	return v
}

// AddRegressions adds the verdicts of the baseline comparison: a rule at a
// sweep point fails on a significant regression beyond its tolerance.
// Mean and interval are the current run's.
func (v *Verdict) AddRegressions(baseline string, results []RegressionResult) {
	v.Baseline = baseline
	for _, r := range results {
		tr := TargetResult{
			Target: "no regression: " + r.Rule.String(), Model: r.Rule.Model, Metric: r.Rule.Metric,
			Op: "regression", Value: r.Rule.Tolerance, Point: pointMap(r.Change.Point), Message: r.Message,
		}
		if s := r.Change.New; s.N > 0 {
			tr.N = s.N
			tr.Mean, tr.SD, tr.Lo, tr.Hi = finite(s.Mean), finite(s.SD), finite(s.Lo), finite(s.Hi)
		}
		v.add(tr, r.Verdict)
	}
}

func (v *Verdict) add(tr TargetResult, verdict stats.Verdict) {
	tr.Verdict = verdict.String()
	v.Counts[tr.Verdict]++
	v.Results = append(v.Results, tr)
	if severity(verdict.String()) > severity(v.Verdict) {
		v.Verdict = verdict.String()
	}
}

func pointMap(point []Param) map[string]string {
	if len(point) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, p := range point {
		m[p.Name] = p.Value
	}
	return m
}

func severity(verdict string) int {
	switch verdict {
	case stats.Fail.String():
		return 2
	case stats.Inconclusive.String():
		return 1
	}
	return 0
}

// finite returns a pointer to v, or nil for NaN and infinities (JSON has no
// such numbers).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// VerdictMarkdown is the verdict section of summary.md.
func VerdictMarkdown(v Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Verdict: %s\n\n", strings.ToUpper(v.Verdict))
	if len(v.Results) == 0 {
		b.WriteString("The experiment declares no target.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d pass, %d fail, %d inconclusive; %g%% %s.",
		v.Counts["pass"], v.Counts["fail"], v.Counts["inconclusive"], 100*v.Confidence, v.Interval)
	if slices.ContainsFunc(v.Results, func(r TargetResult) bool { return r.Against != "" }) {
		b.WriteString(" A target against another model is judged on the differences paired by trial: their mean, and the signed-rank interval of their median (Wilcoxon).")
	}
	if v.Baseline != "" {
		fmt.Fprintf(&b, " Regressions against the baseline run `%s` by a two-sided Mann-Whitney U test over the seeds.", path.Base(v.Baseline))
	}
	b.WriteString("\n\n")
	b.WriteString("| verdict | target | sweep point | seeds | mean | interval | note |\n|---|---|---|---:|---:|---|---|\n")
	for _, r := range v.Results {
		point := "all trials"
		if len(r.Point) > 0 {
			point = PointText(r.Point)
		}
		mean, interval := "", ""
		if r.Mean != nil {
			mean = reports.FormatValue(*r.Mean)
		}
		if r.Lo != nil && r.Hi != nil {
			interval = "[" + reports.FormatValue(*r.Lo) + ", " + reports.FormatValue(*r.Hi) + "]"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %d | %s | %s | %s |\n", mark(r.Verdict), r.Target, point, r.N, mean, interval, r.Message)
	}
	return b.String()
}

func mark(verdict string) string {
	switch verdict {
	case "pass":
		return "✅ pass"
	case "fail":
		return "❌ fail"
	}
	return "❔ inconclusive"
}

// PointText renders a sweep point's parameters sorted by name:
// "anomaly_rate=0.05, difficulty=0".
func PointText(p map[string]string) string {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, ", ")
}

// WriteJUnit writes the verdict as JUnit XML: one test suite, one test case
// per target and sweep point; a failed target is a <failure>, an
// inconclusive one a <failure type="inconclusive"> unless allowInconclusive,
// then <skipped>.
func WriteJUnit(w io.Writer, v Verdict, allowInconclusive bool) error {
	type failure struct {
		Type    string `xml:"type,attr"`
		Message string `xml:"message,attr"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
		Output    string   `xml:"system-out,omitempty"`
	}
	type suite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	s := suite{Name: v.Experiment, Tests: len(v.Results)}
	for _, r := range v.Results {
		name := r.Target
		if len(r.Point) > 0 {
			name += " @ " + PointText(r.Point)
		}
		c := testcase{Name: name, Classname: v.Experiment + "." + r.Model, Output: r.Message}
		switch {
		case r.Verdict == "fail":
			c.Failure = &failure{Type: "fail", Message: r.Message}
			s.Failures++
		case r.Verdict == "inconclusive" && allowInconclusive:
			c.Skipped = &skipped{Message: r.Message}
			s.Skipped++
		case r.Verdict == "inconclusive":
			c.Failure = &failure{Type: "inconclusive", Message: r.Message}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
