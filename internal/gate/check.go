package gate

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/rundir"
)

// CheckOptions are the settings of harness check.
type CheckOptions struct {
	Confidence float64 // level of the intervals, in (0, 1)
	// Baseline is a run directory of the same experiment to judge the
	// regression rules against; "" judges the targets only.
	Baseline string
	Alpha    float64 // significance level of the baseline comparison
	// AllowInconclusive lets inconclusive targets pass junit.xml.
	AllowInconclusive bool
}

// BaselineError is a baseline that cannot be compared with the run: of
// another sweep, or given to an experiment without regression rules. It is
// a mistake in how the gate was called, not a failed gate.
type BaselineError struct{ msg string }

func (e *BaselineError) Error() string { return e.msg }

// ErrInconclusive is Check's outcome when no target fails but some are
// inconclusive and opts.AllowInconclusive is not set.
var ErrInconclusive = errors.New("inconclusive targets fail the gate; run more seeds, or pass -allow-inconclusive")

// ErrFailed is Check's outcome when a target or regression rule fails.
var ErrFailed = errors.New("the gate failed")

// Check judges the run in dir, whose manifest m the caller has opened
// verified (rundir.OpenRun) and locked: the targets m records over the
// trials' metrics, and with opts.Baseline the regression rules against
// the baseline's. It writes verdict.json and junit.xml into dir and
// records them in the manifest, which it rewrites. The error is nil,
// ErrFailed or ErrInconclusive once the verdict is written; any other
// error means no verdict was written.
func Check(dir string, m *rundir.Manifest, opts CheckOptions) (*Verdict, error) {
	rows, err := rundir.ReadMetricsFile(filepath.Join(dir, rundir.MetricsFile))
	if err != nil {
		return nil, err
	}
	axes := m.AxisNames()
	v := NewVerdict(m.Experiment, opts.Confidence, Evaluate(m.Targets, axes, rows, Options{Confidence: opts.Confidence}))
	if opts.Baseline != "" {
		base, err := rundir.OpenRunFiles(opts.Baseline, rundir.MetricsFile) // a baseline may hold only these two files
		if err != nil {
			return nil, fmt.Errorf("-baseline: %w", err)
		}
		if baseAxes := base.AxisNames(); !slices.Equal(baseAxes, axes) {
			return nil, &BaselineError{fmt.Sprintf("-baseline %s sweeps %v, the run %v; compare runs of the same experiment", opts.Baseline, baseAxes, axes)}
		}
		if len(m.Regressions) == 0 {
			return nil, &BaselineError{"-baseline given, but the experiment declares no regressions: rules to judge by"}
		}
		baseRows, err := rundir.ReadMetricsFile(filepath.Join(opts.Baseline, rundir.MetricsFile))
		if err != nil {
			return nil, fmt.Errorf("-baseline: %w", err)
		}
		v.AddRegressions(filepath.ToSlash(opts.Baseline), Regressions(m.Regressions, baseRows, rows, axes, opts.Alpha))
	}
	if m.Artifacts[rundir.VerdictFile], err = artifact.WriteJSON(filepath.Join(dir, rundir.VerdictFile), v); err != nil {
		return nil, err
	}
	if m.Artifacts[rundir.JUnitFile], err = artifact.WriteFile(filepath.Join(dir, rundir.JUnitFile), func(w io.Writer) error {
		return WriteJUnit(w, v, opts.AllowInconclusive)
	}); err != nil {
		return nil, err
	}
	// The manifest lists every artifact with its digest, the gate's too.
	if err := rundir.WriteManifest(dir, m); err != nil {
		return nil, err
	}
	switch {
	case v.Counts["fail"] > 0:
		return &v, ErrFailed
	case v.Counts["inconclusive"] > 0 && !opts.AllowInconclusive:
		return &v, ErrInconclusive
	}
	return &v, nil
}

// WriteText writes one line per result ("PASS  rf detection_rate >= 0.9
// @ point: message") and the overall line, naming the verdict's file in
// dir.
func (v *Verdict) WriteText(w io.Writer, dir string) {
	for _, r := range v.Results {
		point := ""
		if len(r.Point) > 0 {
			point = " @ " + PointText(r.Point)
		}
		fmt.Fprintf(w, "%-12s %s%s: %s\n", strings.ToUpper(r.Verdict), r.Target, point, r.Message)
	}
	fmt.Fprintf(w, "%s: %s (%d pass, %d fail, %d inconclusive) -> %s\n", v.Experiment, strings.ToUpper(v.Verdict),
		v.Counts["pass"], v.Counts["fail"], v.Counts["inconclusive"], filepath.Join(dir, rundir.VerdictFile))
}
