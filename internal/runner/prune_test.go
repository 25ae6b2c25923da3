package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
)

// TestPruneKeepsOthersFiles: a trial dropped from the sweep loses the
// files the harness wrote for it, and keeps a file someone else put there.
func TestPruneKeepsOthersFiles(t *testing.T) {
	out := t.TempDir()
	run := func(seeds string) {
		t.Helper()
		exp, err := experiments.Parse([]byte(`name: prune
seeds: `+seeds+`
data: {flows: 300, anomaly_rate: 0.1}
models:
  - {name: rf, kind: random_forest, trees: 3}
`), "prune.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(t.Context(), exp, Options{Out: out, Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	run("[1, 2]")
	dropped := filepath.Join(out, "prune", "trials", "seed=2")
	mine := filepath.Join(dropped, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("[1]")
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file the harness did not write was removed: %v", err)
	}
	for _, name := range []string{rundir.TrialFile, "dataset.parquet", "predictions.parquet", "metrics.parquet"} {
		if _, err := os.Stat(filepath.Join(dropped, name)); err == nil {
			t.Errorf("%s of the dropped trial left", name)
		}
	}
}
