// Package rundir is the format of a run directory, as x/perf's benchfmt
// is the format of benchmark results: the name of every file a run
// writes, the manifest (manifest.json) and each trial's record
// (trial.json), the incident and monitoring records, the Parquet layout
// of every result table (metrics, curves, aggregates, predictions,
// importances and the monitoring simulation's tables) with their readers
// and writers, the verification of a run's files against the digests its
// manifest records, and the lock held while a run directory is written.
//
// internal/runner writes a run directory (and merges shards) through
// this package; the report, the gate, export and the commands that read
// runs (check, diff, verify) read it through this package, and none of
// them imports the runner.
//
// A run directory:
//
//	manifest.json          written last: what ran, every file's digest
//	spec.resolved.yaml     the experiment with every default filled in
//	metrics.parquet        the tidy metrics table (metrics.csv beside it)
//	aggregate.parquet      each metric over seeds (aggregate.csv)
//	curves.parquet         ROC and PR curves
//	verdict.json junit.xml the gate's (harness check)
//	report.html summary.md figures/   the report's
//	trials/<id>/           trial.json (written last) and the trial's files
//	shards/<i>-of-<n>.json a shard's record (harness run -shard), for merge
package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
)

// Mismatch is a file of a run directory that differs from what the
// manifest records.
type Mismatch struct {
	Path    string // slash-separated, relative to the run directory
	Problem string // "missing", "SHA-256 ... , the manifest records ...", ...
}

func (m Mismatch) String() string { return m.Path + ": " + m.Problem }

// Check compares the files of root named in files (slash-separated paths
// relative to root) with their recorded digests, and returns every
// mismatch in path order: a file missing, not a regular file, reached
// through a symbolic link, or of another size or SHA-256. prefix is
// prepended to the reported paths (a trial's directory, say).
func Check(root, prefix string, files map[string]artifact.Digest) []Mismatch {
	var out []Mismatch
	for _, name := range slices.Sorted(maps.Keys(files)) {
		want := files[name]
		report := func(format string, args ...any) {
			out = append(out, Mismatch{Path: prefix + name, Problem: fmt.Sprintf(format, args...)})
		}
		path, err := fileio.Inside(root, "artifact name", name)
		if err != nil {
			report("%v", err)
			continue
		}
		info, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			report("missing")
			continue
		case err != nil:
			report("%v", err)
			continue
		case info.Mode()&fs.ModeSymlink != 0:
			report("a symbolic link, where the run wrote a file")
			continue
		case !info.Mode().IsRegular():
			report("%v", fileio.CheckRegular(path, info))
			continue
		case info.Size() != want.Bytes:
			report("%d bytes, the manifest records %d", info.Size(), want.Bytes)
			continue
		}
		got, err := artifact.HashFile(path)
		switch {
		case err != nil:
			report("%v", err)
		case got.SHA256 != want.SHA256:
			report("SHA-256 %s, the manifest records %s", short(got.SHA256), short(want.SHA256))
		}
	}
	return out
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// Error is a run directory whose files do not match its manifest.
type Error struct {
	Dir        string
	Mismatches []Mismatch
}

func (e *Error) Error() string {
	var b strings.Builder
	n := len(e.Mismatches)
	verb := "files differ"
	if n == 1 {
		verb = "file differs"
	}
	fmt.Fprintf(&b, "%s: %d %s from its manifest (harness verify %s lists every one; rerun the experiment to repair the run):",
		e.Dir, n, verb, e.Dir)
	const shown = 10
	for i, m := range e.Mismatches {
		if i == shown {
			fmt.Fprintf(&b, "\n  ... and %d more", n-shown)
			break
		}
		fmt.Fprintf(&b, "\n  %s", filepath.Join(e.Dir, filepath.FromSlash(m.Path))+": "+m.Problem)
	}
	return b.String()
}
