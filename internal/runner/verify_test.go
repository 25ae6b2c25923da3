package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/rundir"
)

// FuzzVerifyRun: any manifest.json and trial.json bytes go through
// ReadManifest, Verify and readTrial without a panic, and a manifest that
// passes names only paths inside the run.
func FuzzVerifyRun(f *testing.F) {
	exp, err := experiments.Parse([]byte(`name: verify
seeds: [1]
data: {flows: 300, anomaly_rate: 0.1}
models:
  - {name: rf, kind: random_forest, trees: 3}
`), "verify.yaml")
	if err != nil {
		f.Fatal(err)
	}
	res, err := Run(f.Context(), exp, Options{Out: f.TempDir(), Workers: 1})
	if err != nil {
		f.Fatal(err)
	}
	dir := res.Dir
	key, _, err := trialKey(exp, &exp.Trials[0], paramColumns(exp))
	if err != nil {
		f.Fatal(err)
	}
	goodManifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		f.Fatal(err)
	}
	goodTrial, err := os.ReadFile(filepath.Join(rundir.TrialDir(dir, exp.Trials[0].ID), rundir.TrialFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(goodManifest, goodTrial)
	f.Add([]byte(`{"format":"segharness-run/1","trials":[{"id":"../x"}]}`), []byte(`{"format":"segharness-trial/1"`))
	f.Add([]byte(`{"format":"segharness-run/1","artifacts":{"/etc/passwd":{"sha256":"","bytes":-1}}}`), []byte(`[]`))
	f.Add([]byte(`{"format":"segharness-run/1","trials":[{"id":"seed=1","artifacts":{"a/../../b":{}}}]}`), []byte(`{"format":"segharness-trial/1","record":{"artifacts":{"../x":{}}}}`))
	f.Fuzz(func(t *testing.T, manifest, trial []byte) {
		work := t.TempDir()
		if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, "manifest.json"), manifest, 0o644); err != nil {
			t.Fatal(err)
		}
		m, _, err := rundir.Verify(work)
		if err != nil {
			return
		}
		for _, tr := range m.Trials {
			if fileio.LocalName("trial", tr.ID) != nil {
				t.Fatalf("accepted trial ID %q", tr.ID)
			}
		}
		if len(m.Trials) == 0 {
			return
		}
		tdir, err := fileio.Inside(work, "trial", "trials/"+m.Trials[0].ID)
		if err != nil || os.MkdirAll(tdir, 0o755) != nil {
			return
		}
		if err := os.WriteFile(filepath.Join(tdir, rundir.TrialFile), trial, 0o644); err != nil {
			t.Fatal(err)
		}
		if rec, err := readTrial(tdir, key); err == nil {
			for name := range rec.Artifacts {
				if fileio.LocalName("artifact", name) != nil {
					t.Fatalf("trial.json accepted with artifact %q", name)
				}
			}
		}
	})
}
