package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/rundir"
)

// keyInput is what a trial's key is the SHA-256 of (as JSON): everything
// its artifacts depend on.
type keyInput struct {
	Format      string               `json:"format"`
	Build       string               `json:"build"` // the harness binary's identity (build)
	Experiment  string               `json:"experiment"`
	Trial       string               `json:"trial"`
	Seed        int64                `json:"seed"`
	DerivedSeed uint64               `json:"derived_seed"`
	Spec        experiments.Spec     `json:"spec"`
	Params      []rundir.ParamColumn `json:"params"`
	Input       *artifact.Digest     `json:"input,omitempty"`        // the data file, for source: file
	Tables      []artifact.Digest    `json:"tables,omitempty"`       // the table files, for source: table
	ModelInputs []rundir.ModelInput  `json:"model_inputs,omitempty"` // files the models' answers depend on (an external program's)
}

// trialKey returns the key of trial t: the SHA-256 of the build, the
// trial's identity and resolved spec (less its description, targets and
// regression rules), the metrics table's parameter
// columns (their types shape the trial's tables) and, for a data file, its
// digest.
func trialKey(exp *experiments.Experiment, t *experiments.Trial, params []rundir.ParamColumn) (string, []rundir.ModelInput, error) {
	b, err := build()
	if err != nil {
		return "", nil, fmt.Errorf("identifying the harness build: %w", err)
	}
	// The targets, regression rules and description judge or describe the
	// trial's results without changing them: editing them reuses the trial.
	spec := t.Spec
	spec.Description, spec.Targets, spec.Regressions = "", nil, nil
	in := keyInput{
		Format: rundir.TrialFormat, Build: b, Experiment: exp.Spec.Name, Trial: t.ID,
		Seed: t.Seed, DerivedSeed: t.DerivedSeed, Spec: spec, Params: params,
	}
	if t.Spec.Data.Source == experiments.SourceFile {
		path := t.Spec.Data.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(exp.Dir(), path)
		}
		d, err := artifact.HashFile(path)
		if err != nil {
			return "", nil, err
		}
		in.Input = &d
	}
	if t.Spec.Data.Source == experiments.SourceTable {
		tb := &t.Spec.Data.Table
		for _, f := range slices.Concat(tb.Files, tb.Test) {
			if !filepath.IsAbs(f) {
				f = filepath.Join(exp.Dir(), f)
			}
			d, err := artifact.HashFile(f)
			if err != nil {
				return "", nil, err
			}
			in.Tables = append(in.Tables, d)
		}
	}
	if in.ModelInputs, err = modelInputs(exp, t); err != nil {
		return "", nil, err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), in.ModelInputs, nil
}

// modelInputs hashes the files each model of the trial declares (its
// kind's Inputs): a directory as a tree (artifact.HashTree).
func modelInputs(exp *experiments.Experiment, t *experiments.Trial) ([]rundir.ModelInput, error) {
	var out []rundir.ModelInput
	for _, m := range t.Spec.Models {
		k := models.Lookup(m.Kind)
		if k == nil || k.Inputs == nil {
			continue
		}
		for _, p := range k.Inputs(m.Params, exp.Dir()) {
			full := p
			if !filepath.IsAbs(full) {
				full = filepath.Join(exp.Dir(), full)
			}
			d, err := artifact.HashTree(full)
			if err != nil {
				return nil, fmt.Errorf("model %s: hashing its input %s: %w", m.Name, p, err)
			}
			out = append(out, rundir.ModelInput{Model: m.Name, Path: filepath.ToSlash(p), Digest: d})
		}
	}
	return out, nil
}

// cachedTrial returns the record of a completed trial in tdir whose key is
// key, with its metric rows and curves read back from its tables, and true;
// or false when there is none, its key differs, or any artifact it lists is
// missing or changed. A damaged trial.json counts as none: the trial runs
// again and replaces it.
func cachedTrial(tdir, key string) (trialRun, bool) {
	rec, err := readTrial(tdir, key)
	return rec, err == nil
}

// readTrial is cachedTrial with the reason a trial is not usable: an error
// naming the file at fault.
func readTrial(tdir, key string) (trialRun, error) {
	path := filepath.Join(tdir, rundir.TrialFile)
	s, err := rundir.ReadTrialStamp(path)
	if err != nil {
		return trialRun{}, err
	}
	if s.Key != key {
		return trialRun{}, fmt.Errorf("%s: made by another build of the harness, or from another experiment file, seed or input data", path)
	}
	rec := trialRun{TrialRecord: s.Record}
	for name := range rec.Artifacts {
		if err := fileio.LocalName("artifact", name); err != nil {
			return trialRun{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	if bad := rundir.Check(tdir, "", rec.Artifacts); len(bad) > 0 {
		return trialRun{}, fmt.Errorf("%s: %s (%s records another file)", filepath.Join(tdir, filepath.FromSlash(bad[0].Path)), bad[0].Problem, rundir.TrialFile)
	}
	metrics, err := rundir.ReadMetricsFile(filepath.Join(tdir, rundir.MetricsFile))
	if err != nil {
		return trialRun{}, err
	}
	curves, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.CurvesFile), func(r io.ReaderAt, size int64, name string) ([]rundir.CurvePoint, error) {
		_, points, err := rundir.ReadCurves(r, size, name)
		return points, err
	})
	if err != nil {
		return trialRun{}, err
	}
	rec.metrics, rec.curves = metrics, curves
	return rec, nil
}

// stampTrial writes tdir/trial.json, last of the trial's files.
func stampTrial(tdir, key string, rec trialRun) error {
	_, err := artifact.WriteJSON(filepath.Join(tdir, rundir.TrialFile), rundir.TrialStamp{Format: rundir.TrialFormat, Key: key, Record: rec.TrialRecord})
	return err
}

// unstampTrial removes tdir/trial.json before the trial runs, so that a
// run killed part way leaves no stamp vouching for a mix of old and new
// files.
func unstampTrial(tdir string) error {
	if err := os.Remove(filepath.Join(tdir, rundir.TrialFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
