// Package reports writes the human-readable artifacts of a run: summary.md
// (compact Markdown for a CI job summary or a pull-request comment) and,
// as the pipeline grows, the tables and the HTML report.
package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Run is what the summary says of a run.
type Run struct {
	Experiment  string
	Description string
	File        string // the experiment file
	Trials      []Trial
	Metrics     []Metric // in the order models and metrics were first measured
}

// Metric is one figure of one model over the trials that measured it.
type Metric struct {
	Model, Metric string
	Values        []float64 // one per trial that measured it, in trial order
}

// Trial describes one trial's dataset.
type Trial struct {
	ID        string
	Flows     int
	Anomalies int
	ByType    []TypeCount // anomalous flows per anomaly type
	Train     int
	Test      int
}

// TypeCount is the number of flows of one anomaly type.
type TypeCount struct {
	Type  string
	Count int
}

// WriteSummary writes summary.md: the experiment, and a table of each
// trial's flows, anomalies by type and split sizes.
func WriteSummary(w io.Writer, r *Run) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Experiment)
	if r.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(r.Description))
	}
	fmt.Fprintf(&b, "Experiment file: `%s` · %d trial%s\n\n", r.File, len(r.Trials), plural(len(r.Trials)))

	var types []string
	for _, t := range r.Trials {
		for _, tc := range t.ByType {
			if !slices.Contains(types, tc.Type) {
				types = append(types, tc.Type)
			}
		}
	}
	b.WriteString("## Datasets\n\n| trial | flows | anomalies | rate |")
	for _, t := range types {
		fmt.Fprintf(&b, " %s |", t)
	}
	b.WriteString(" train | test |\n|---|---:|---:|---:|")
	b.WriteString(strings.Repeat("---:|", len(types)+2))
	b.WriteString("\n")
	for _, t := range r.Trials {
		rate := 0.0
		if t.Flows > 0 {
			rate = float64(t.Anomalies) / float64(t.Flows)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %.2f%% |", t.ID, thousands(t.Flows), thousands(t.Anomalies), 100*rate)
		for _, typ := range types {
			n := 0
			for _, tc := range t.ByType {
				if tc.Type == typ {
					n = tc.Count
				}
			}
			fmt.Fprintf(&b, " %s |", thousands(n))
		}
		fmt.Fprintf(&b, " %s | %s |\n", thousands(t.Train), thousands(t.Test))
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\n## Models\n\nOver the trials that measured each figure (the full tables are in metrics.parquet).\n\n")
		b.WriteString("| model | metric | mean | min | max | trials |\n|---|---|---:|---:|---:|---:|\n")
		for _, m := range r.Metrics {
			lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
			for _, v := range m.Values {
				lo, hi, sum = min(lo, v), max(hi, v), sum+v
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d |\n", m.Model, m.Metric,
				figure(sum/float64(len(m.Values))), figure(lo), figure(hi), len(m.Values))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// figure formats a measured value: whole numbers in full, others with
// four significant digits; NaN (a rate without a denominator) as "n/a".
func figure(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return thousands(int(v)) // counts, and rates of exactly 0 or 1
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// thousands formats n with comma separators: 10000 -> 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
