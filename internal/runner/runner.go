// Package runner runs experiments: each trial end to end (data, features,
// split, artifacts), trials in parallel, and the run-level artifacts
// (spec.resolved.yaml, manifest.json).
//
// Results do not depend on the number of workers: every random stream is
// derived from the trial's seed, and run-level files list trials in the
// experiment's order, not in order of completion.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/stage"
	"github.com/segharness/harness/internal/synth"
)

// Options configures a run.
type Options struct {
	// Out is the output root; an experiment writes to Out/<name>.
	Out string
	// Workers is the number of trials run at once; below 1 means
	// runtime.NumCPU(). Artifacts do not depend on it.
	Workers int
	// Log receives one line per finished trial. Nil discards them.
	Log io.Writer
	// Terminal draws progress as a bar redrawn in place (Log is a
	// terminal); otherwise Log gets one line per trial.
	Terminal bool
	// Clock tells the time for the progress report; nil is time.Now.
	Clock func() time.Time
	// Shard runs a deterministic slice of the trials (Count 0: all of
	// them) and, instead of the run-level files, records the shard in
	// shards/<index>-of-<count>.json for Merge.
	Shard Shard
	// Code identifies the code that ran, for the manifest. Zero means
	// CodeFromBuild().
	Code rundir.Code
	// Force runs every trial, even one whose complete artifacts from the
	// same build, spec and seed are on disk (by default such a trial is
	// reused).
	Force bool
	// Report, when set, is called after the run's files are written,
	// while the run directory is still locked: the report belongs to the
	// same write. It is not called for a shard. showcase holds the first
	// trial's tables when this process ran it (not reused) and they are
	// small enough to have been kept (heldRows), else nil.
	Report func(dir string, showcase *rundir.TrialTables) error
}

// trialRun is a trial's record (its entry in the manifest and trial.json)
// with the rows it contributes to the run-wide tables.
type trialRun struct {
	rundir.TrialRecord
	metrics []rundir.Metric     // the trial's rows of the tidy metrics table
	curves  []rundir.CurvePoint // the trial's rows of curves.parquet
	dropped int                 // bytes of the trial's matrix, dropped when it ends (collect)
	tables  *rundir.TrialTables // the first trial's tables, held for the report (heldRows)
}

// heldRows bounds the flows of the first trial whose tables are held in
// memory for the report rather than read back: beyond it, holding them
// while the other trials run would raise a sweep's peak memory.
const heldRows = 200_000

// Result is what Run returns.
type Result struct {
	Dir      string
	Manifest rundir.Manifest
}

// Run runs every trial of exp (or of opts.Shard) and writes the run's
// artifacts under opts.Out/<experiment name>. A trial whose complete files
// from the same key are on disk is reused unless opts.Force (see
// TrialFile). On cancellation it stops starting trials and returns ctx's
// error; files already written are complete, and running again resumes.
func Run(ctx context.Context, exp *experiments.Experiment, opts Options) (*Result, error) {
	workers := opts.Workers
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	code := opts.Code
	if code == (rundir.Code{}) {
		code = rundir.CodeFromBuild()
	}
	dir := filepath.Join(opts.Out, exp.Spec.Name)
	trials := exp.Trials
	if err := opts.Shard.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", exp.Spec.Name, err)
	}
	selected := opts.Shard.selectTrials(len(trials))
	// One writer at a time: a second run into the same directory is
	// refused, naming the process that holds it (shards of one run share
	// it).
	var unlock func()
	var err error
	if opts.Shard.Count > 0 {
		unlock, err = rundir.LockShard(dir, strings.ReplaceAll(opts.Shard.String(), "/", "-of-"))
	} else {
		unlock, err = rundir.Lock(dir)
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := clearPrevious(dir); err != nil {
		return nil, fmt.Errorf("%s: clearing the previous run: %w", exp.Spec.Name, err)
	}
	// Workers left over when there are fewer trials than workers go to
	// generating each trial's flows in parallel.
	genWorkers := max(1, workers/max(1, min(workers, len(selected))))

	params := paramColumns(exp)
	records := make([]trialRun, len(trials))
	errs := make([]error, len(trials))
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		done        int
		reusedCount int
	)
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	prog := newProgress(log, opts.Terminal, exp.Spec.Name, len(selected), now)
	next := make(chan int)
	for range min(workers, len(selected)) {
		wg.Go(func() {
			for i := range next {
				start := now()
				logf := func(format string, args ...any) {
					prog.line("%s: trial %s: %s", exp.Spec.Name, trials[i].ID, fmt.Sprintf(format, args...))
				}
				rec, reused, err := runSafely(func() (trialRun, bool, error) {
					return runOrReuse(ctx, exp, &trials[i], dir, genWorkers, params, opts.Force, logf)
				})
				records[i], errs[i] = rec, err
				if err != nil {
					if ctx.Err() == nil {
						prog.trialFailed(trials[i].ID, err)
					}
					continue
				}
				mu.Lock()
				done++
				if reused {
					reusedCount++
				}
				mu.Unlock()
				prog.trialDone(trials[i].ID, rec, reused, now().Sub(start))
			}
		})
	}
feed:
	for _, i := range selected {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	prog.finish()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: interrupted after %d of %d trials (their files are complete and kept; run the same command again to resume without redoing them): %w",
			exp.Spec.Name, done, len(selected), err)
	}
	if err := errors.Join(errs...); err != nil {
		failed := 0
		for _, e := range errs {
			if e != nil {
				failed++
			}
		}
		return nil, fmt.Errorf("%s: %d of %d trials failed; the other %d are complete on disk, and running the same command again runs only the failed ones:\n%w",
			exp.Spec.Name, failed, len(selected), len(selected)-failed, err)
	}
	if reusedCount > 0 {
		fmt.Fprintf(log, "%s: %d of %d trials up to date on disk, reused (-force runs them again)\n", exp.Spec.Name, reusedCount, len(selected))
	}
	if opts.Shard.Count > 0 {
		if err := writeShard(dir, exp, opts.Shard, code, trials, selected); err != nil {
			return nil, err
		}
		return &Result{Dir: dir}, nil
	}
	var res *Result
	stage.Do("aggregate", func() { res, err = finish(exp, dir, code, records) })
	if err == nil && opts.Report != nil {
		var showcase *rundir.TrialTables
		if len(trials) > 0 && len(records) > 0 {
			showcase = records[0].tables
		}
		err = opts.Report(dir, showcase)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// clearPrevious removes rundir.RunFiles and the figures of the previous
// report (the .svg and .png files of figures/; nothing else there).
func clearPrevious(dir string) error {
	for _, name := range rundir.RunFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, rundir.FiguresDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if rundir.IsFigureFile(e) {
			if err := os.Remove(filepath.Join(dir, rundir.FiguresDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// runSafely calls run, turning a panic into the trial's error: a bug the
// input reached fails that trial with its stack, not the process with
// Go's exit status 2 (a usage error here).
func runSafely(run func() (trialRun, bool, error)) (rec trialRun, reused bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (a bug: please report it with the input that caused it): %v\n%s", p, debug.Stack())
		}
	}()
	return run()
}

// finish writes a run's run-level files from its trials' records: the
// resolved spec, the metrics, aggregate and curves tables, and the
// manifest last; and removes files of trials no longer in the run.
func finish(exp *experiments.Experiment, dir string, code rundir.Code, records []trialRun) (*Result, error) {
	params := paramColumns(exp)
	trials := exp.Trials
	m := rundir.Manifest{
		Format:     rundir.ManifestFormat,
		Experiment: exp.Spec.Name,
		File:       filepath.ToSlash(exp.File),
		FileSHA256: exp.SHA256,
		Code:       code,
		Trials:     make([]rundir.TrialRecord, 0, len(records)),
		Artifacts:  rundir.Artifacts{},
	}
	for _, r := range records {
		m.Trials = append(m.Trials, r.TrialRecord)
	}
	for _, a := range exp.Axes {
		m.Axes = append(m.Axes, rundir.Axis{Name: a.Name, Path: a.Path, Values: a.Values, Group: a.Group})
	}
	m.Targets, m.Regressions = exp.Spec.Targets, exp.Spec.Regressions
	resolved, err := exp.Resolved()
	if err != nil {
		return nil, err
	}
	var all []rundir.Metric
	var curves []rundir.CurvePoint
	for _, r := range records {
		all = append(all, r.metrics...)
		curves = append(curves, r.curves...)
	}
	aggregates := aggregate(all)
	if err := writeFiles(dir, m.Artifacts, []outFile{
		{rundir.SpecFile, func(w io.Writer) error { _, err := w.Write(resolved); return err }},
		{rundir.MetricsFile, func(w io.Writer) error { return rundir.WriteMetrics(w, params, all) }},
		{rundir.MetricsCSV, func(w io.Writer) error { return rundir.WriteMetricsCSV(w, params, all) }},
		{rundir.AggregatesFile, func(w io.Writer) error { return rundir.WriteAggregates(w, params, aggregates) }},
		{rundir.AggregatesCSV, func(w io.Writer) error { return rundir.WriteAggregatesCSV(w, params, aggregates) }},
		{rundir.CurvesFile, func(w io.Writer) error { return rundir.WriteCurves(w, params, curves) }},
	}); err != nil {
		return nil, err
	}
	if err := prune(dir, trials); err != nil {
		return nil, fmt.Errorf("%s: removing files of earlier runs: %w", exp.Spec.Name, err)
	}
	// The manifest comes last: its presence says the run completed.
	if err := rundir.WriteManifest(dir, &m); err != nil {
		return nil, err
	}
	return &Result{Dir: dir, Manifest: m}, nil
}

// prune removes what earlier runs left in dir that this run did not
// write: the files of trials no longer in the sweep (those a trial writes
// or its trial.json lists; a file of anyone else stays), directories left
// empty, and temporary files of killed writers. Only the trials/ tree and
// temporary files are touched; other files in dir are left alone.
func prune(dir string, trials []experiments.Trial) error {
	// trialOf is the trial directory a file belongs to: its own directory,
	// or its parent for the files of an exported model.
	trialOf := func(path string) string {
		parent := filepath.Dir(path)
		if filepath.Base(parent) == rundir.ModelDir {
			return filepath.Dir(parent)
		}
		return parent
	}
	keep := map[string]bool{}
	for _, t := range trials {
		keep[rundir.TrialDir(dir, t.ID)] = true
	}
	// owned says whether the harness wrote the file of a trial no longer
	// in the run: a name a trial writes, or one its trial.json lists. A
	// file of anyone else is left alone.
	listed := map[string]map[string]bool{}
	owned := func(path string) bool {
		tdir := trialOf(path)
		rel, err := filepath.Rel(tdir, path)
		if err != nil {
			return false
		}
		rel = filepath.ToSlash(rel)
		if rundir.TrialFiles[rel] {
			return true
		}
		names, ok := listed[tdir]
		if !ok {
			names = map[string]bool{}
			if body, err := fileio.ReadFile(filepath.Join(tdir, rundir.TrialFile), fileio.RunFileBytes); err == nil {
				var s rundir.TrialStamp
				if json.Unmarshal(body, &s) == nil {
					for name := range s.Record.Artifacts {
						names[name] = true
					}
				}
			}
			listed[tdir] = names
		}
		return names[rel]
	}
	root := filepath.Join(dir, "trials")
	var stale, dirs []string // dirs: parents before children
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && path == root:
			return fs.SkipDir
		case err != nil:
			return err
		case d.IsDir():
			if path != root {
				dirs = append(dirs, path)
			}
		case artifact.IsTemporary(path) || !keep[trialOf(path)] && owned(path):
			stale = append(stale, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, path := range stale {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	// Remove directories left empty, deepest first.
	for _, d := range slices.Backward(dirs) {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			if err := os.Remove(d); err != nil {
				return err
			}
		}
	}
	top, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range top {
		if !e.IsDir() && artifact.IsTemporary(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// runTrial builds one trial's dataset and writes it.
func runTrial(ctx context.Context, exp *experiments.Experiment, t *experiments.Trial, dir string, genWorkers int, params []rundir.ParamColumn, logf func(string, ...any)) (trialRun, error) {
	fail := func(err error) (trialRun, error) {
		return trialRun{}, fmt.Errorf("%s: trial %s: %w", exp.Spec.Name, t.ID, err)
	}
	rec := trialRun{TrialRecord: rundir.TrialRecord{
		ID:          t.ID,
		Seed:        t.Seed,
		DerivedSeed: strconv.FormatUint(t.DerivedSeed, 10),
		Fold:        t.Fold,
		Artifacts:   rundir.Artifacts{},
	}}
	if len(t.Params) > 0 {
		rec.Params = map[string]string{}
		for _, p := range t.Params {
			rec.Params[p.Path] = p.Value
		}
	}
	if t.Spec.Data.Source == experiments.SourceTable {
		return runTableTrial(ctx, exp, t, dir, genWorkers, params, rec, logf)
	}
	var (
		flows *flow.Table
		input *rundir.Input
		err   error
	)
	stage.Do("data", func() { flows, input, err = loadFlows(exp, t, genWorkers) })
	if err != nil {
		return fail(err)
	}
	var engineered *datasets.Engineered
	stage.Do("features", func() { engineered = features.Engineer(flows) })
	var split []datasets.Split
	stage.Do("split", func() { split, err = splitRows(t, stratifyLabels(flows, t.Spec.Split.Stratify), flows.Len()) })
	if err != nil {
		return fail(fmt.Errorf("split: %w", err))
	}
	ds := &datasets.Dataset{Flows: flows, Engineered: engineered, Split: split}
	rec.Data = describe(t.Spec.Data.Source, input, ds)

	tdir := rundir.TrialDir(dir, t.ID)
	// dataset.parquet is written while the rest of the trial runs: nothing
	// reads it back, and nothing after this point changes ds. Its error,
	// if any, comes first, as it did when it was written first.
	written := make(chan struct{})
	var (
		dataset    artifact.Digest
		datasetErr error
	)
	go stage.Do("parquet", func() {
		defer close(written)
		dataset, datasetErr = artifact.WriteFile(filepath.Join(tdir, rundir.DatasetFile), func(w io.Writer) error {
			return datasets.WriteDataset(w, ds)
		})
	})
	defer func() { <-written }() // even when the rest panics, no write outlives the trial
	td, preds, err := runFlowTrial(ctx, exp, t, &rec, ds, tdir, genWorkers, params, logf)
	<-written
	switch {
	case datasetErr != nil:
		return fail(datasetErr)
	case err != nil:
		return fail(err)
	}
	rec.Artifacts[rundir.DatasetFile] = dataset
	rec.dropped = td.bytes()
	rec.hold(exp, t, ds, preds)
	return rec, nil
}

// hold keeps the first trial's tables for the report (Options.Report)
// when they have at most heldRows flows and 4 × heldRows predictions.
func (rec *trialRun) hold(exp *experiments.Experiment, t *experiments.Trial, ds *datasets.Dataset, preds []rundir.Prediction) {
	rows := 0
	if ds != nil {
		rows = ds.Flows.Len()
	}
	if len(exp.Trials) > 0 && t.ID == exp.Trials[0].ID && rows <= heldRows && len(preds) <= 4*heldRows {
		rec.tables = &rundir.TrialTables{Trial: t.ID, Dataset: ds, Predictions: preds}
	}
}

// runFlowTrial runs a flow trial's stages after its dataset is built: the
// features, the models and their outputs, into rec. It returns the
// trial's data and predictions; its errors are prefixed by runTrial.
func runFlowTrial(ctx context.Context, exp *experiments.Experiment, t *experiments.Trial, rec *trialRun, ds *datasets.Dataset, tdir string, genWorkers int, params []rundir.ParamColumn, logf func(string, ...any)) (*trialData, []rundir.Prediction, error) {
	var (
		td  *trialData
		err error
	)
	stage.Do("features", func() { td, err = prepare(t, ds) })
	var notFinite *features.NotFiniteError
	switch {
	case errors.As(err, &notFinite) && t.Spec.Data.Source == experiments.SourceFile:
		return nil, nil, fmt.Errorf("%s: %w (rows are the file's data rows, counted from 1)", t.Spec.Data.Path, err)
	case errors.As(err, &notFinite):
		return nil, nil, err // it says "features:" itself
	case err != nil:
		return nil, nil, fmt.Errorf("features: %w", err)
	}
	rec.Data.TestByType = td.testByType()
	out, err := runModels(t, td, modelEnv{ctx: ctx, experiment: exp.Spec.Name, workers: genWorkers, dir: tdir, baseDir: exp.Dir(), logf: logf})
	if err != nil {
		return nil, nil, err
	}
	rec.Notes = out.notes
	stage.Do("export", func() { err = exportModel(t, td, out, tdir, rec.Artifacts) })
	if err != nil {
		return nil, nil, fmt.Errorf("export_model: %w", err)
	}
	var (
		incident, pol, mon []measured
		notes              []string
	)
	stage.Do("incident", func() { incident, notes, err = runIncident(t, tdir, rec.Artifacts) })
	if err != nil {
		return nil, nil, fmt.Errorf("incident: %w", err)
	}
	out.metrics = append(out.metrics, incident...)
	rec.Notes = append(rec.Notes, notes...)
	stage.Do("policy", func() { pol, notes, err = runPolicy(t, td, out, tdir, rec.Artifacts, genWorkers) })
	if err != nil {
		return nil, nil, fmt.Errorf("policy: %w", err)
	}
	out.metrics = append(out.metrics, pol...)
	rec.Notes = append(rec.Notes, notes...)
	stage.Do("monitoring", func() { mon, notes, err = runMonitoring(ctx, t, td, out, tdir, rec.Artifacts, genWorkers, logf) })
	if err != nil {
		return nil, nil, fmt.Errorf("monitoring: %w", err)
	}
	out.metrics = append(out.metrics, mon...)
	rec.Notes = append(rec.Notes, notes...)
	stage.Do("leakage", func() { out.metrics = append(out.metrics, leakage(td)...) })
	stage.Do("parquet", func() { err = writeOutputs(exp, t, rec, out, tdir, params) })
	if err != nil {
		return nil, nil, err
	}
	return td, out.predictions, nil
}

// runOrReuse reuses trial t's artifacts when a completed run of the same
// key is on disk and force is off, and otherwise runs it and stamps it
// complete. reused says which.
func runOrReuse(ctx context.Context, exp *experiments.Experiment, t *experiments.Trial, dir string, genWorkers int, params []rundir.ParamColumn, force bool, logf func(string, ...any)) (rec trialRun, reused bool, err error) {
	tdir := rundir.TrialDir(dir, t.ID)
	key, inputs, err := trialKey(exp, t, params)
	if err != nil {
		return trialRun{}, false, fmt.Errorf("%s: trial %s: %w", exp.Spec.Name, t.ID, err)
	}
	if !force {
		if rec, ok := cachedTrial(tdir, key); ok {
			return rec, true, nil
		}
	}
	if err := unstampTrial(tdir); err != nil {
		return trialRun{}, false, fmt.Errorf("%s: trial %s: %w", exp.Spec.Name, t.ID, err)
	}
	if rec, err = runTrial(ctx, exp, t, dir, genWorkers, params, logf); err != nil {
		return trialRun{}, false, err
	}
	collect(rec.dropped) // the trial's data and outputs
	rec.ModelInputs = inputs
	if err := stampTrial(tdir, key, rec); err != nil {
		return trialRun{}, false, fmt.Errorf("%s: trial %s: %w", exp.Spec.Name, t.ID, err)
	}
	return rec, false, nil
}

// runTableTrial runs a trial on a table source: its data read through
// the mapping, the models, and their outputs. The stages that need the
// synthetic flow schema (dataset.parquet, the exported pipeline, the
// incident, the policy, monitoring) do not apply; the parser refuses them.
func runTableTrial(ctx context.Context, exp *experiments.Experiment, t *experiments.Trial, dir string, workers int, params []rundir.ParamColumn, rec trialRun, logf func(string, ...any)) (trialRun, error) {
	fail := func(err error) (trialRun, error) {
		return trialRun{}, fmt.Errorf("%s: trial %s: %w", exp.Spec.Name, t.ID, err)
	}
	var (
		td    *trialData
		data  rundir.DataRecord
		notes []string
		err   error
	)
	stage.Do("data", func() { td, data, notes, err = tableData(exp, t) })
	if err != nil {
		return fail(err)
	}
	rec.Data = data
	// The leakage report needs no model: measured now, its working data
	// goes with the table's (collect) rather than on top of the models'
	// outputs.
	var leaks []measured
	stage.Do("leakage", func() { leaks = leakage(td) })
	collect(td.bytes()) // the table's other columns, the split's and the leakage report's working data
	rec.dropped = td.bytes()
	out, err := runModels(t, td, modelEnv{ctx: ctx, experiment: exp.Spec.Name, workers: workers, dir: rundir.TrialDir(dir, t.ID), baseDir: exp.Dir(), logf: logf})
	if err != nil {
		return fail(err)
	}
	rec.Notes = append(notes, out.notes...)
	out.metrics = append(out.metrics, leaks...)
	stage.Do("parquet", func() { err = writeOutputs(exp, t, &rec, out, rundir.TrialDir(dir, t.ID), params) })
	if err != nil {
		return fail(err)
	}
	rec.hold(exp, t, nil, out.predictions)
	return rec, nil
}

// leakage measures the trial's leakage report (eval.MeasureLeakage) on the
// feature vectors the models see, labelled by anomaly type: its rows of
// the metrics table, model experiments.LeakageModel.
func leakage(td *trialData) []measured {
	// The counts do not depend on the rows' order: the matrix is measured
	// in its own (partitioned or flow) order, test and labels in the same.
	pos := td.position()
	test := make([]bool, len(td.split))
	labels := make([]int, len(td.split))
	for i, s := range td.split {
		test[pos[i]] = s == datasets.Test
		labels[pos[i]] = td.typeCodes[i]
	}
	var rows []measured
	for _, f := range eval.MeasureLeakage(td.x.Data, td.x.D, test, labels).Shares() {
		rows = append(rows, measured{experiments.LeakageModel, f.Metric, f.Value})
	}
	return rows
}

// writeOutputs writes a trial's model outputs into tdir, recording their
// digests in rec: predictions, importances, classification reports, rules,
// and the trial's rows of the metrics and curves tables.
func writeOutputs(exp *experiments.Experiment, t *experiments.Trial, rec *trialRun, out *modelOutput, tdir string, params []rundir.ParamColumn) error {
	key := rundir.Key{Experiment: exp.Spec.Name, Trial: t.ID, Seed: t.Seed, Params: paramValues(t, params)}
	for _, m := range out.metrics {
		rec.metrics = append(rec.metrics, rundir.Metric{
			Experiment: key.Experiment, Trial: key.Trial, Seed: key.Seed, Params: key.Params,
			Model: m.Model, Metric: m.Metric, Value: m.Value,
		})
	}
	rec.curves = out.curves
	for i := range rec.curves {
		rec.curves[i].Key = key
	}
	files := []outFile{{rundir.PredictionsFile, func(w io.Writer) error { return rundir.WritePredictions(w, out.predictions) }}}
	if len(out.importances) > 0 {
		files = append(files, outFile{rundir.ImportancesFile, func(w io.Writer) error { return rundir.WriteImportances(w, out.importances) }})
	}
	for _, text := range []struct {
		name string
		body *strings.Builder
	}{{rundir.ClassReportFile, &out.reports}, {rundir.RulesFile, &out.rules}} {
		if text.body.Len() > 0 {
			files = append(files, outFile{text.name, func(w io.Writer) error { _, err := io.WriteString(w, text.body.String()); return err }})
		}
	}
	files = append(files,
		outFile{rundir.MetricsFile, func(w io.Writer) error { return rundir.WriteMetrics(w, params, rec.metrics) }},
		outFile{rundir.CurvesFile, func(w io.Writer) error { return rundir.WriteCurves(w, params, rec.curves) }},
	)
	return writeFiles(tdir, rec.Artifacts, files)
}

// outFile is a file to write: its name and what it holds.
type outFile struct {
	name  string
	write func(io.Writer) error
}

// writeFiles writes files into dir at once, each atomically on a
// goroutine of its own (encoding on the CPUs, syncing on the disk), and
// records their digests in artifacts. The error is that of the first
// file, in the order given, that failed.
func writeFiles(dir string, artifacts rundir.Artifacts, files []outFile) error {
	digests := make([]artifact.Digest, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() { digests[i], errs[i] = artifact.WriteFile(filepath.Join(dir, f.name), f.write) })
	}
	wg.Wait()
	for i, f := range files {
		if errs[i] != nil {
			return errs[i]
		}
		artifacts[f.name] = digests[i]
	}
	return nil
}

// aggregate summarises each (sweep point, model, metric) over its seeds,
// in order of first appearance: mean, sample standard deviation, range and
// a 95% Student t interval of the mean (internal/eval/stats).
func aggregate(rows []rundir.Metric) []rundir.Aggregate {
	type group struct {
		first  rundir.Metric
		values []float64
	}
	var groups []*group
	at := map[string]*group{}
	for _, r := range rows {
		k := strings.Join(r.Params, "\x00") + "\x00" + r.Model + "\x00" + r.Metric
		g, ok := at[k]
		if !ok {
			g = &group{first: r}
			at[k] = g
			groups = append(groups, g)
		}
		g.values = append(g.values, r.Value)
	}
	out := make([]rundir.Aggregate, len(groups))
	for i, g := range groups {
		s := eval.Summarize(g.first.Metric, g.values, 0.95)
		out[i] = rundir.Aggregate{
			Experiment: g.first.Experiment, Params: g.first.Params, Model: g.first.Model, Metric: g.first.Metric,
			N: int64(s.N), Mean: s.Mean, SD: s.SD, Min: s.Min, Max: s.Max, Lo: s.Lo, Hi: s.Hi,
		}
	}
	return out
}

// paramColumns types one metrics-table column per sweep axis.
func paramColumns(exp *experiments.Experiment) []rundir.ParamColumn {
	cols := make([]rundir.ParamColumn, len(exp.Axes))
	for i, a := range exp.Axes {
		cols[i] = rundir.ParamColumn{Name: a.Name, Kind: rundir.InferParamKind(a.Values)}
	}
	return cols
}

// paramValues lists a trial's parameter values in the order of the axes.
func paramValues(t *experiments.Trial, params []rundir.ParamColumn) []string {
	byName := make(map[string]string, len(t.Params))
	for _, p := range t.Params {
		byName[p.Name] = p.Value
	}
	values := make([]string, len(params))
	for i, p := range params {
		values[i] = byName[p.Name]
	}
	return values
}

// loadFlows generates or reads the trial's flows.
func loadFlows(exp *experiments.Experiment, t *experiments.Trial, genWorkers int) (*flow.Table, *rundir.Input, error) {
	d := t.Spec.Data
	switch d.Source {
	case experiments.SourceGenerate:
		cfg := d.Config
		cfg.Workers = genWorkers
		f, err := synth.Generate(cfg, seed.Derive(t.DerivedSeed, "data"))
		return f, nil, err
	case experiments.SourceFile:
		path := d.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(exp.Dir(), path)
		}
		digest, err := artifact.HashFile(path)
		if err != nil {
			return nil, nil, err
		}
		f, err := datasets.Load(path, d.Format)
		if err != nil {
			return nil, nil, err
		}
		// The digest recorded must be of the bytes read: a file replaced
		// while it was read is an error, not a record of other data.
		if after, err := artifact.HashFile(path); err != nil {
			return nil, nil, err
		} else if after != digest {
			return nil, nil, fmt.Errorf("%s: changed while it was read (SHA-256 %s before, %s after); run again when it is no longer being written", path, digest.SHA256[:12], after.SHA256[:12])
		}
		return f, &rundir.Input{Path: filepath.ToSlash(d.Path), Digest: digest}, nil
	}
	return nil, nil, fmt.Errorf("unknown data source %q", d.Source)
}

// stratifyLabels returns the class of each flow for a stratified split, or
// nil for none.
func stratifyLabels(f *flow.Table, by string) []int {
	switch by {
	case experiments.StratifyAnomalyType:
		labels := make([]int, f.Len())
		for i, c := range f.AnomalyType.Codes {
			labels[i] = int(c)
		}
		return labels
	case experiments.StratifyIsAnomaly:
		labels := make([]int, f.Len())
		for i, a := range f.IsAnomaly {
			if a {
				labels[i] = 1
			}
		}
		return labels
	}
	return nil
}

// describe counts a dataset's flows, anomalies by type and split sides.
func describe(source string, input *rundir.Input, ds *datasets.Dataset) rundir.DataRecord {
	f := ds.Flows
	r := rundir.DataRecord{Source: source, Input: input, Flows: f.Len(), ByType: map[string]int{}}
	counts := make([]int, len(f.AnomalyType.Levels))
	for _, c := range f.AnomalyType.Codes {
		counts[c]++
	}
	for code, n := range counts {
		level := f.AnomalyType.Levels[code]
		if level == flow.Normal || (n == 0 && !slices.Contains(synth.InjectableTypes, level)) {
			continue
		}
		r.ByType[level] = n
		r.Anomalies += n
	}
	for _, s := range ds.Split {
		if s == datasets.Train {
			r.Train++
		} else {
			r.Test++
		}
	}
	return r
}

// exportModel saves the trial's scoring pipeline into tdir/model when the
// experiment asks for it, recording each file's digest in artifacts, and
// removes a pipeline an earlier run left when it does not.
func exportModel(t *experiments.Trial, td *trialData, out *modelOutput, tdir string, artifacts rundir.Artifacts) error {
	dir := filepath.Join(tdir, rundir.ModelDir)
	if !t.Spec.ExportModel {
		return os.RemoveAll(dir)
	}
	detector, typing := t.Spec.ExportedModels()
	if detector == nil || typing == nil {
		return errors.New("the experiment has no exportable detector or no exportable attack typer") // the parser checks
	}
	m := &scoring.Model{
		Pipeline:      td.pipeline,
		Detector:      out.classifiers[detector.Name],
		AttackType:    out.classifiers[typing.Name],
		AttackClasses: td.typeNames,
		Risk:          scoring.DefaultRisk,
		Decision:      scoring.Decision{Rule: scoring.DecideArgmax},
		Provenance: scoring.Provenance{
			Experiment: t.Spec.Name, Trial: t.ID, Seed: t.Seed, DerivedSeed: t.DerivedSeed,
			DetectorSpec: detector.String(), AttackTypeSpec: typing.String(),
		},
	}
	if err := scoring.Save(dir, m); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || artifact.IsTemporary(e.Name()) {
			continue
		}
		if artifacts[rundir.ModelDir+"/"+e.Name()], err = artifact.HashFile(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
