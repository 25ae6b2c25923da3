package runner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/rundir"
)

// Shard is a slice of a sweep's trials: trial i (in the experiment's trial
// order) belongs to shard i mod Count. Count 0 is the whole run.
type Shard struct {
	Index, Count int
}

// MaxShards bounds Shard.Count.
const MaxShards = 100000

// ParseShard parses "I/N" with 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want I/N, like 0/4 (shard I of N, counted from 0)", s)
	}
	sh := Shard{Index: index, Count: count}
	if count < 1 {
		return Shard{}, fmt.Errorf("shard %q: want 1 to %d shards (the run split into N shards, N >= 1)", s, MaxShards)
	}
	return sh, sh.check()
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func (s Shard) check() error {
	switch {
	case s.Count == 0 && s.Index == 0:
		return nil
	case s.Count < 1 || s.Count > MaxShards:
		return fmt.Errorf("shard %d/%d: want 1 to %d shards", s.Index, s.Count, MaxShards)
	case s.Index < 0 || s.Index >= s.Count:
		return fmt.Errorf("shard %d/%d: the index counts from 0 to %d", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// selectTrials returns the indices of the shard's trials among n.
func (s Shard) selectTrials(n int) []int {
	var out []int
	for i := range n {
		if s.Count == 0 || i%s.Count == s.Index {
			out = append(out, i)
		}
	}
	return out
}

func shardFile(s Shard) string { return fmt.Sprintf("%d-of-%d.json", s.Index, s.Count) }

// writeShard records a finished shard in dir/shards/.
func writeShard(dir string, exp *experiments.Experiment, s Shard, code rundir.Code, trials []experiments.Trial, selected []int) error {
	rec := rundir.ShardRecord{
		Format: rundir.ShardFormat, Experiment: exp.Spec.Name, File: filepath.ToSlash(exp.File), FileSHA256: exp.SHA256,
		Source: string(exp.Source), Code: code, Index: s.Index, Count: s.Count, Trials: []string{},
	}
	for _, i := range selected {
		rec.Trials = append(rec.Trials, trials[i].ID)
	}
	_, err := artifact.WriteJSON(filepath.Join(dir, rundir.ShardsDir, shardFile(s)), rec)
	return err
}

// MergeOptions configures Merge.
type MergeOptions struct {
	// Out is the output root; the merged run is Out/<experiment name>.
	Out string
	// Log receives a line per shard. Nil discards them.
	Log io.Writer
	// Code identifies the code, for the manifest. Zero means
	// CodeFromBuild(); it must be the shards' own.
	Code rundir.Code
	// Report, when set, is called after the merged run's files are
	// written, while its directory is still locked.
	Report func(dir string) error
}

// Merge joins the shard directories of one sharded run (each a run
// directory holding shards/*.json and its trials, possibly the same
// directory for every shard, as on a shared volume) into a finished run in
// opts.Out/<experiment>: the trials copied in (unless already there), each
// checked complete and made by this build, and the run-level files
// written as an unsharded run writes them, byte for byte.
func Merge(dirs []string, opts MergeOptions) (*Result, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	code := opts.Code
	if code == (rundir.Code{}) {
		code = rundir.CodeFromBuild()
	}
	type found struct {
		rec rundir.ShardRecord
		dir string
	}
	var shards []found
	seen := map[string]bool{} // shard files already read, when dirs repeat
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, rundir.ShardsDir, "*-of-*.json"))
		if err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("merge: %s: no %s/*.json: not the output of harness run -shard", dir, rundir.ShardsDir)
		}
		for _, path := range paths {
			abs, _ := filepath.Abs(path)
			if seen[abs] {
				continue
			}
			seen[abs] = true
			body, err := fileio.ReadFile(path, fileio.RunFileBytes)
			if err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			var rec rundir.ShardRecord
			if err := rundir.DecodeJSON(path, body, &rec); err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			if rec.Format != rundir.ShardFormat {
				return nil, fmt.Errorf("merge: %s: format %q, this harness reads %q", path, rec.Format, rundir.ShardFormat)
			}
			shards = append(shards, found{rec, dir})
		}
	}
	first := shards[0].rec
	byIndex := map[int]found{}
	for _, s := range shards {
		r := s.rec
		switch {
		case r.Experiment != first.Experiment || r.FileSHA256 != first.FileSHA256:
			return nil, fmt.Errorf("merge: %s holds a shard of %s (file %s), not of %s (file %s)", s.dir, r.Experiment, prefix(r.FileSHA256, 12), first.Experiment, prefix(first.FileSHA256, 12))
		case r.Count != first.Count:
			return nil, fmt.Errorf("merge: %s holds shard %d/%d, the others are of %d", s.dir, r.Index, r.Count, first.Count)
		case r.Code != code:
			return nil, fmt.Errorf("merge: shard %d/%d was run by %s %s (%s), this is %s %s (%s): merge with the build that ran the shards",
				r.Index, r.Count, r.Code.Module, r.Code.Version, r.Code.VCSRevision, code.Module, code.Version, code.VCSRevision)
		}
		if other, dup := byIndex[r.Index]; dup && other.dir != s.dir {
			return nil, fmt.Errorf("merge: shard %d/%d is in both %s and %s", r.Index, r.Count, other.dir, s.dir)
		}
		byIndex[r.Index] = s
	}
	var missing []string
	for i := range first.Count {
		if _, ok := byIndex[i]; !ok {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: %s: shards %s of %d missing (run harness run -shard I/%d for each)", first.Experiment, strings.Join(missing, ", "), first.Count, first.Count)
	}

	exp, err := experiments.Parse([]byte(first.Source), first.File)
	if err == nil {
		err = exp.CheckFiles()
	}
	if err != nil {
		return nil, fmt.Errorf("merge: the experiment recorded in the shards: %w", err)
	}
	if exp.SHA256 != first.FileSHA256 {
		return nil, fmt.Errorf("merge: the experiment text recorded in the shards does not match its digest")
	}
	dir := filepath.Join(opts.Out, exp.Spec.Name)
	unlock, err := rundir.Lock(dir)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer unlock()
	if err := clearPrevious(dir); err != nil {
		return nil, fmt.Errorf("merge: clearing the previous run in %s: %w", dir, err)
	}
	params := paramColumns(exp)
	records := make([]trialRun, len(exp.Trials))
	for i := range first.Count {
		s := byIndex[i]
		want := Shard{Index: i, Count: first.Count}.selectTrials(len(exp.Trials))
		if len(want) != len(s.rec.Trials) {
			return nil, fmt.Errorf("merge: shard %d/%d in %s lists %d trials, the experiment gives it %d", i, first.Count, s.dir, len(s.rec.Trials), len(want))
		}
		for k, t := range want {
			trial := &exp.Trials[t]
			if s.rec.Trials[k] != trial.ID {
				return nil, fmt.Errorf("merge: shard %d/%d in %s lists trial %s where the experiment has %s", i, first.Count, s.dir, s.rec.Trials[k], trial.ID)
			}
			src, dst := rundir.TrialDir(s.dir, trial.ID), rundir.TrialDir(dir, trial.ID)
			key, _, err := trialKey(exp, trial, params)
			if err != nil {
				return nil, fmt.Errorf("merge: trial %s: %w", trial.ID, err)
			}
			// The shard's trial is checked before it is copied, and
			// only the files its trial.json lists are copied.
			rec, err := readTrial(src, key)
			if err != nil {
				return nil, fmt.Errorf("merge: trial %s of shard %d/%d: %w: rerun that shard", trial.ID, i, first.Count, err)
			}
			if !sameDir(src, dst) {
				if err := copyTrial(src, dst, rec); err != nil {
					return nil, fmt.Errorf("merge: trial %s: %w", trial.ID, err)
				}
				if rec, err = readTrial(dst, key); err != nil {
					return nil, fmt.Errorf("merge: trial %s, copied: %w", trial.ID, err)
				}
			}
			records[t] = rec
		}
		fmt.Fprintf(log, "%s: shard %d/%d: %d trials from %s\n", exp.Spec.Name, i, first.Count, len(want), s.dir)
	}
	res, err := finish(exp, dir, code, records)
	if err != nil {
		return nil, err
	}
	// The merged run is a run like any other: no shard files (nor the
	// shards' locks). Only what the shards wrote is removed.
	if err := removeShardFiles(dir); err != nil {
		return nil, err
	}
	if opts.Report != nil {
		if err := opts.Report(dir); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func sameDir(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

// copyTrial copies the files rec lists (checked against their digests by
// readTrial) from src to dst, each atomically, trial.json last so that a
// copy cut short is never taken for a complete trial.
func copyTrial(src, dst string, rec trialRun) error {
	files := slices.Sorted(maps.Keys(rec.Artifacts))
	if err := unstampTrial(dst); err != nil {
		return err
	}
	for _, rel := range append(files, rundir.TrialFile) {
		from, err := fileio.Inside(src, "artifact", rel)
		if err != nil {
			return err
		}
		if _, err := artifact.CopyFile(from, filepath.Join(dst, filepath.FromSlash(rel))); err != nil {
			return err
		}
	}
	return nil
}

// removeShardFiles removes the shard records (shards/*-of-*.json, then
// shards/ when it is left empty) and the shards' lock files.
func removeShardFiles(dir string) error {
	records, _ := filepath.Glob(filepath.Join(dir, rundir.ShardsDir, "*-of-*.json"))
	locks, _ := filepath.Glob(filepath.Join(dir, ".harness.*-of-*.lock"))
	for _, p := range slices.Concat(records, locks) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Remove(filepath.Join(dir, rundir.ShardsDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		if entries, rerr := os.ReadDir(filepath.Join(dir, rundir.ShardsDir)); rerr == nil && len(entries) > 0 {
			return nil // files the harness did not write: left alone
		}
		return err
	}
	return nil
}

// prefix is s's first n bytes, or s when shorter (a digest read from a
// file may be damaged).
func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
