package runner

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/rundir"
)

// sweepExperiment is a small sweep: two parameter values (one DOUBLE
// column) × two seeds.
const sweepExperiment = `name: cache
seeds: [1, 2]
data: {flows: 600, anomaly_rate: [0.05, 0.1]}
split: {stratify: is_anomaly}
models:
  - {name: rf, kind: random_forest, trees: 5}
  - {name: iso, kind: isolation_forest, trees: 20}
`

// readTree returns every file under dir by relative path, temporary files
// and trial.json aside.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		body, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = body
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree reports the differences between two trees.
func sameTree(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	for name, body := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s missing", name)
		} else if !bytes.Equal(g, body) {
			t.Errorf("%s differs", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s unexpected", name)
		}
	}
}

func TestTrialsReused(t *testing.T) {
	exp, err := experiments.Parse([]byte(sweepExperiment), "cache.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	run := func(force bool) (string, map[string][]byte) {
		var log strings.Builder
		res, err := Run(context.Background(), exp, Options{Out: out, Workers: 2, Log: &log, Force: force})
		if err != nil {
			t.Fatal(err)
		}
		return log.String(), readTree(t, res.Dir)
	}
	_, first := run(false)
	if _, ok := first["trials/anomaly_rate=0.05/seed=1/"+rundir.TrialFile]; !ok {
		t.Fatalf("no %s written: %v", rundir.TrialFile, keys(first))
	}

	log, second := run(false)
	if n := strings.Count(log, "up to date, reused"); n != 4 {
		t.Errorf("%d trials reused, want 4:\n%s", n, log)
	}
	sameTree(t, first, second)

	// A changed artifact makes its trial run again, and only it.
	damaged := filepath.Join(out, "cache", "trials", "anomaly_rate=0.1", "seed=2", "predictions.parquet")
	if err := os.WriteFile(damaged, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	log, third := run(false)
	if n := strings.Count(log, "up to date, reused"); n != 3 || !strings.Contains(log, "anomaly_rate=0.1/seed=2: 600 flows") {
		t.Errorf("after damaging one trial: want 3 reused and it rerun:\n%s", log)
	}
	sameTree(t, first, third)

	// A damaged trial.json counts as none.
	if err := os.WriteFile(filepath.Join(out, "cache", "trials", "anomaly_rate=0.05", "seed=1", rundir.TrialFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	log, _ = run(false)
	if n := strings.Count(log, "up to date, reused"); n != 3 {
		t.Errorf("after damaging a trial.json: %d reused, want 3:\n%s", n, log)
	}

	log, forced := run(true)
	if strings.Contains(log, "reused") {
		t.Errorf("-force reused trials:\n%s", log)
	}
	sameTree(t, first, forced)
}

// TestTrialKey: the key changes with anything the artifacts depend on.
func TestTrialKey(t *testing.T) {
	exp, err := experiments.Parse([]byte(sweepExperiment), "cache.yaml")
	if err != nil {
		t.Fatal(err)
	}
	params := paramColumns(exp)
	base, _, err := trialKey(exp, &exp.Trials[0], params)
	if err != nil {
		t.Fatal(err)
	}
	if again, _, _ := trialKey(exp, &exp.Trials[0], params); again != base {
		t.Error("the key is not deterministic")
	}
	if other, _, _ := trialKey(exp, &exp.Trials[1], params); other == base {
		t.Error("two trials share a key")
	}
	changed := exp.Trials[0]
	changed.Spec.Models = append([]experiments.Model(nil), changed.Spec.Models...)
	changed.Spec.Models[0].Params = changed.Spec.Models[0].Params.Clone()
	changed.Spec.Models[0].Params["trees"] = models.Value{Text: "6"}
	if k, _, _ := trialKey(exp, &changed, params); k == base {
		t.Error("a model setting does not change the key")
	}
	// A target judges the trial's results without changing them.
	judged := exp.Trials[0]
	judged.Spec.Targets = append(slices.Clone(judged.Spec.Targets), experiments.Target{Model: "rf", Metric: "f1", Op: ">", Value: 0.5})
	judged.Spec.Description = "another description"
	if k, _, _ := trialKey(exp, &judged, params); k != base {
		t.Error("a new target or description changes the key: editing a target would rerun every trial")
	}
	if k, _, _ := trialKey(exp, &exp.Trials[0], nil); k == base {
		t.Error("the parameter columns do not change the key")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
