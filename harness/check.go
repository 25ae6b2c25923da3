package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
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
	v, err := gate.Check(dir, m, gate.CheckOptions{Confidence: *confidence, Baseline: *baseline, Alpha: *alpha, AllowInconclusive: *allow})
	var be *gate.BaselineError
	switch {
	case errors.As(err, &be):
		return usageErrorf("check: %v", err)
	case err != nil && !errors.Is(err, gate.ErrFailed) && !errors.Is(err, gate.ErrInconclusive):
		return &exitError{code: exitFailure, err: fmt.Errorf("check: %w", err)}
	}
	// The report shows the verdict: regenerate it, and the runs' index.
	// The lock is the report's: Generate writes the same directory.
	if _, err := report.Generate(dir, report.Options{}); err != nil {
		return fmt.Errorf("check: report: %w", err)
	}
	if err := report.WriteIndex(filepath.Dir(filepath.Clean(dir))); err != nil {
		return fmt.Errorf("check: index: %w", err)
	}
	v.WriteText(stdout, dir)
	switch {
	case errors.Is(err, gate.ErrFailed):
		return &exitError{code: exitFailure}
	case errors.Is(err, gate.ErrInconclusive):
		return &exitError{code: exitFailure, err: fmt.Errorf("check: %w", err)}
	}
	return nil
}

// openRun opens the run in dir for a command, verified against its
// manifest (rundir.OpenRun): a directory that is not a completed run, or
// whose files differ from what the manifest records, is exit 1, naming
// the files.
func openRun(cmd, dir string) (*rundir.Manifest, error) {
	m, err := rundir.OpenRun(dir)
	if err != nil {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", cmd, err)}
	}
	return m, nil
}

// openRunLocked opens the run in dir for a command that writes into it
// (check, report): it takes the run directory's lock, then opens the run
// verified (openRun). A directory that holds no run is refused before the
// lock would create anything in it.
func openRunLocked(cmd, dir string) (*rundir.Manifest, func(), error) {
	if _, err := rundir.ReadManifest(dir); err != nil {
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
