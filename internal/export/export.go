// Package export writes a run's tidy metrics and predictions as a
// hive-style partitioned dataset, one Parquet file per trial:
//
//	OUT/metrics/experiment=E/trial=T/part.parquet
//	OUT/predictions/experiment=E/trial=T/part.parquet
//
// which DuckDB (read_parquet('OUT/metrics/*/*/*.parquet',
// hive_partitioning = true)) and Spark (spark.read.parquet("OUT/metrics"))
// read with experiment and trial as columns, skipping the files a filter
// on them excludes. The files hold the tables' other columns: a metrics
// partition is the metrics table less experiment and trial (seed, a column
// per swept parameter, model, metric, value); a predictions partition is
// the trial's predictions.parquet as it is.
//
// Partition values are escaped as Hive and Spark escape them (%XX for '/',
// '=', '%', ':' and the other characters a path or its parser would
// misread), so a trial ID such as anomaly_rate=0.05/seed=1 is one path
// element; DuckDB and Spark unescape it.
package export

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/rundir"
)

// Tables are the exported tables, each a directory of OUT.
var Tables = []string{"metrics", "predictions"}

// PartFile is the name of every partition's file.
const PartFile = "part.parquet"

// Escape escapes a partition value as Hive's FileUtils.escapePathName and
// Spark's ExternalCatalogUtils.escapePathName do.
func Escape(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r < 0x20 || r == 0x7f || strings.ContainsRune("\"#%'*/:=?\\{[]^", r) {
			fmt.Fprintf(&b, "%%%02X", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Partition returns the directory of a trial's partition of table under
// out.
func Partition(out, table, experiment, trial string) string {
	return filepath.Join(out, table, "experiment="+Escape(experiment), "trial="+Escape(trial))
}

// Run exports the run in dir into out, replacing the experiment's earlier
// partitions: a trial no longer in the run loses its partitions. The run
// is verified against its manifest first (rundir.OpenRun), so that only
// the files it wrote, unchanged, are exported: a link out of the run is
// refused, not followed. Every file is written atomically. It returns the
// number of files written.
func Run(dir, out string) (int, error) {
	m, err := rundir.OpenRun(dir)
	if err != nil {
		return 0, err
	}
	written := 0
	keep := map[string]bool{}
	for _, t := range m.Trials {
		tdir := rundir.TrialDir(dir, t.ID)
		if _, ok := t.Artifacts[rundir.MetricsFile]; ok {
			src, err := fileio.Inside(tdir, "artifact", rundir.MetricsFile)
			if err != nil {
				return written, err
			}
			f, info, err := fileio.Open(src)
			if err != nil {
				return written, err
			}
			params, rows, err := rundir.ReadMetrics(f, info.Size(), src)
			f.Close()
			if err != nil {
				return written, err
			}
			part := Partition(out, "metrics", m.Experiment, t.ID)
			if _, err := artifact.WriteFile(filepath.Join(part, PartFile), func(w io.Writer) error {
				return rundir.WriteMetricsPartition(w, params, rows)
			}); err != nil {
				return written, err
			}
			keep[part] = true
			written++
		}
		if want, ok := t.Artifacts[rundir.PredictionsFile]; ok {
			src, err := fileio.Inside(tdir, "artifact", rundir.PredictionsFile)
			if err != nil {
				return written, err
			}
			part := Partition(out, "predictions", m.Experiment, t.ID)
			got, err := artifact.CopyFile(src, filepath.Join(part, PartFile))
			if err != nil {
				return written, err
			}
			if got != want {
				return written, fmt.Errorf("%s: changed while it was exported (SHA-256 %s, the manifest records %s)", src, got.SHA256, want.SHA256)
			}
			keep[part] = true
			written++
		}
	}
	// Partitions of trials no longer in the run: the part files export
	// wrote, and their directories when that leaves them empty. Nothing
	// else is removed.
	for _, table := range Tables {
		expDir := filepath.Join(out, table, "experiment="+Escape(m.Experiment))
		entries, err := os.ReadDir(expDir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return written, err
		}
		for _, e := range entries {
			p := filepath.Join(expDir, e.Name())
			if keep[p] || !e.IsDir() || !strings.HasPrefix(e.Name(), "trial=") {
				continue
			}
			if err := os.Remove(filepath.Join(p, PartFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return written, err
			}
			os.Remove(p) // only when empty
		}
	}
	return written, nil
}
