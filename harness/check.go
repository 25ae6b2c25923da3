package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/reports"
	"github.com/segharness/harness/reports/report"
)

// checkCmd is the gate: it judges a run's metrics against the targets its
// manifest records, writes verdict.json and junit.xml, regenerates the
// report (summary.md and report.html show the verdict), and exits 0 when every target passes, 1 when one fails or
// is inconclusive (unless -allow-inconclusive).
func checkCmd(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("check", stderr)
	allow := flags.Bool("allow-inconclusive", false, "exit 0 when no target fails, even if some are inconclusive")
	confidence := flags.Float64("confidence", 0.95, "confidence level of the intervals, in (0, 1)")
	baseline := flags.String("baseline", "", "a run `directory` of the same experiment to gate regressions against (the rules in regressions:)")
	alpha := flags.Float64("alpha", 0.05, "significance level of the baseline comparison's Mann-Whitney U test")
	flags.Usage = func() {
		fmt.Fprint(stderr, usageLine("check"))
		flags.PrintDefaults()
	}
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return usageErrorf("check: want one run directory, got %d arguments", flags.NArg())
	}
	if !(*confidence > 0 && *confidence < 1) {
		return usageErrorf("check: -confidence %g: want a level in (0, 1), such as 0.95", *confidence)
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageErrorf("check: -alpha %g: want a level in (0, 1), such as 0.05", *alpha)
	}
	dir := flags.Arg(0)
	// check writes the verdict into the run: one writer at a time, and
	// only over files that match the manifest.
	m, unlock, err := openRunLocked("check", dir)
	if err != nil {
		return err
	}
	defer unlock()
	rows, err := readMetrics(filepath.Join(dir, "metrics.parquet"))
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("check: %w", err)}
	}
	axes := m.AxisNames()
	results := gate.Evaluate(report.GateTargets(m), axes, rows, gate.Options{Confidence: *confidence})
	v := reports.NewVerdict(m.Experiment, *confidence, results)
	if *baseline != "" {
		base, err := runner.OpenRunFiles(*baseline, "metrics.parquet") // a baseline may hold only these two files
		if err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("check: -baseline: %w", err)}
		}
		if baseAxes := base.AxisNames(); !slices.Equal(baseAxes, axes) {
			return usageErrorf("check: -baseline %s sweeps %v, the run %v; compare runs of the same experiment", *baseline, baseAxes, axes)
		}
		if len(m.Regressions) == 0 {
			return usageErrorf("check: -baseline given, but the experiment declares no regressions: rules to judge by")
		}
		baseRows, err := readMetrics(filepath.Join(*baseline, "metrics.parquet"))
		if err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("check: -baseline: %w", err)}
		}
		rules := make([]gate.Rule, len(m.Regressions))
		for i, r := range m.Regressions {
			rules[i] = gate.Rule{Model: r.Model, Metric: r.Metric, Better: r.Better, Tolerance: r.Tolerance, Against: r.Against}
		}
		v.AddRegressions(filepath.ToSlash(*baseline), gate.Regressions(rules, baseRows, rows, axes, *alpha))
	}

	if m.Artifacts["verdict.json"], err = artifact.WriteJSON(filepath.Join(dir, "verdict.json"), v); err != nil {
		return err
	}
	if m.Artifacts["junit.xml"], err = artifact.WriteFile(filepath.Join(dir, "junit.xml"), func(w io.Writer) error {
		return reports.WriteJUnit(w, v, *allow)
	}); err != nil {
		return err
	}
	// The manifest lists every artifact with its digest, the gate's too.
	if err := runner.WriteManifest(dir, m); err != nil {
		return err
	}
	// The report shows the verdict: regenerate it, and the runs' index.
	// The lock is the report's: Generate writes the same directory.
	if _, err := report.Generate(dir, report.Options{}); err != nil {
		return fmt.Errorf("check: report: %w", err)
	}
	if err := report.WriteIndex(filepath.Dir(filepath.Clean(dir))); err != nil {
		return fmt.Errorf("check: index: %w", err)
	}

	for _, r := range v.Results {
		point := ""
		if len(r.Point) > 0 {
			point = " @ " + reports.PointText(r.Point)
		}
		fmt.Fprintf(stdout, "%-12s %s%s: %s\n", strings.ToUpper(r.Verdict), r.Target, point, r.Message)
	}
	fmt.Fprintf(stdout, "%s: %s (%d pass, %d fail, %d inconclusive) -> %s\n", m.Experiment, strings.ToUpper(v.Verdict),
		v.Counts["pass"], v.Counts["fail"], v.Counts["inconclusive"], filepath.Join(dir, "verdict.json"))
	switch {
	case v.Counts["fail"] > 0:
		return &exitError{code: exitFailure}
	case v.Counts["inconclusive"] > 0 && !*allow:
		return &exitError{code: exitFailure, err: errors.New("check: inconclusive targets fail the gate; run more seeds, or pass -allow-inconclusive")}
	}
	return nil
}

func readMetrics(path string) ([]rundir.Metric, error) {
	return rundir.ReadTableFile(path, func(r io.ReaderAt, size int64, name string) ([]rundir.Metric, error) {
		_, rows, err := rundir.ReadMetrics(r, size, name)
		return rows, err
	})
}

// openRun opens the run in dir for a command, verified against its
// manifest (runner.OpenRun): a directory that is not a completed run, or
// whose files differ from what the manifest records, is exit 1, naming
// the files.
func openRun(cmd, dir string) (*runner.Manifest, error) {
	m, err := runner.OpenRun(dir)
	if err != nil {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", cmd, err)}
	}
	return m, nil
}

// openRunLocked opens the run in dir for a command that writes into it
// (check, report): it takes the run directory's lock, then opens the run
// verified (openRun). A directory that holds no run is refused before the
// lock would create anything in it.
func openRunLocked(cmd, dir string) (*runner.Manifest, func(), error) {
	if _, err := runner.ReadManifest(dir); err != nil {
		return nil, nil, &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", cmd, err)}
	}
	unlock, err := rundir.Lock(dir)
	if err != nil {
		return nil, nil, &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", cmd, err)}
	}
	m, err := openRun(cmd, dir)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return m, unlock, nil
}
