// Package reports writes the human-readable artifacts of a run: summary.md
// (compact Markdown for a CI job summary or a pull-request comment) and,
// as the pipeline grows, the tables and the HTML report.
package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Run is what the summary says of a run.
type Run struct {
	Experiment  string
	Description string
	File        string // the experiment file
	Trials      []Trial
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
	_, err := io.WriteString(w, b.String())
	return err
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
