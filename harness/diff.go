package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/segharness/harness/internal/eval/stats"
	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
)

// diffCmd prints every metric of two runs side by side, benchstat's way:
// each run's mean ± the half-width of its 95% interval (as a percentage
// of the mean), the change, and a Mann-Whitney U test over the seeds; "~"
// when the change is not significant at -alpha.
func diffCmd(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("diff", stderr)
	alpha := flags.Float64("alpha", 0.05, "significance level of the Mann-Whitney U test")
	flags.Usage = func() {
		fmt.Fprint(stderr, usageLine("diff"))
		flags.PrintDefaults()
	}
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() != 2 {
		flags.Usage()
		return usageErrorf("diff: want two run directories, got %d arguments", flags.NArg())
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageErrorf("diff: -alpha %g: want a level in (0, 1), such as 0.05", *alpha)
	}
	var axes [2][]string
	var rows [2][]rundir.Metric
	for i, dir := range flags.Args() {
		m, err := rundir.OpenRunFiles(dir, rundir.MetricsFile) // all diff reads: a baseline's two files suffice
		if err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("diff: %w", err)}
		}
		axes[i] = m.AxisNames()
		if rows[i], err = rundir.ReadMetricsFile(filepath.Join(dir, rundir.MetricsFile)); err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("diff: %w", err)}
		}
	}
	if !slices.Equal(axes[0], axes[1]) {
		return usageErrorf("diff: the runs sweep different axes (%v and %v); compare runs of the same experiment", axes[0], axes[1])
	}
	changes := gate.Compare(rows[0], rows[1], axes[0], *alpha)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "sweep point\tmodel\tmetric\told\tnew\tdelta\ttest\n")
	for _, c := range changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.PointName(), c.Model, c.Metric,
			meanPM(c.Old, c.OnlyIn == "new"), meanPM(c.New, c.OnlyIn == "old"), delta(c), test(c))
	}
	return tw.Flush()
}

// meanPM renders a summary as benchstat does: mean ± the interval's
// half-width relative to the mean.
func meanPM(s stats.Summary, absent bool) string {
	if absent {
		return "-"
	}
	m := strconv.FormatFloat(s.Mean, 'g', 4, 64)
	half := (s.Hi - s.Lo) / 2
	switch {
	case math.IsNaN(half):
		return m + " (1 seed)"
	case s.Mean == 0 && half == 0:
		return m + " ± 0%"
	case s.Mean == 0:
		return m + " ± " + strconv.FormatFloat(half, 'g', 2, 64)
	}
	return fmt.Sprintf("%s ± %.0f%%", m, 100*half/math.Abs(s.Mean))
}

func delta(c gate.Change) string {
	switch {
	case c.OnlyIn != "":
		return "only in " + c.OnlyIn
	case !c.Significant:
		return "~"
	case math.IsNaN(c.Relative):
		return fmt.Sprintf("%+.4g", c.Delta)
	}
	return fmt.Sprintf("%+.2f%%", 100*c.Relative)
}

func test(c gate.Change) string {
	if c.OnlyIn != "" {
		return ""
	}
	return fmt.Sprintf("(p=%.3f n=%d+%d)", c.Test.P, c.Test.N1, c.Test.N2)
}
