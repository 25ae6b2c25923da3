package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/scoring"
)

const exportSpec = `name: export
seeds: [7]
data: {generator: notebook, flows: 3000, anomaly_rate: 0.05}
models:
  - {name: rf, kind: random_forest, trees: 30}
  - {name: iso, kind: isolation_forest, trees: 20}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 30, class_weight: balanced}
export_model: true
`

// TestExportModel runs a trial with export_model and scores every test
// flow through the saved pipeline: the scorer must reproduce the batch
// predictions of predictions.parquet exactly, the detector's and the
// attack-type model's.
func TestExportModel(t *testing.T) {
	exp, err := experiments.Parse([]byte(exportSpec), "export.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Manifest.Trials[0]
	tdir := rundir.TrialDir(res.Dir, rec.ID)
	m, err := scoring.Load(filepath.Join(tdir, rundir.ModelDir))
	if err != nil {
		t.Fatal(err)
	}
	if m.Provenance.Trial != rec.ID || m.Provenance.Seed != 7 {
		t.Errorf("provenance %+v", m.Provenance)
	}
	for name, d := range rec.Artifacts {
		if filepath.Dir(name) != rundir.ModelDir {
			continue
		}
		got, err := artifact.HashFile(filepath.Join(tdir, name))
		if err != nil || got != d {
			t.Errorf("%s: digest %v (%v), the manifest records %v", name, got, err, d)
		}
	}
	if _, ok := rec.Artifacts[rundir.ModelDir+"/model.json"]; !ok {
		t.Errorf("the manifest does not record model/model.json: %v", rec.Artifacts)
	}

	ds, err := rundir.ReadTableFile(filepath.Join(tdir, "dataset.parquet"), datasets.ReadDataset)
	if err != nil {
		t.Fatal(err)
	}
	preds, err := rundir.ReadTableFile(filepath.Join(tdir, "predictions.parquet"), rundir.ReadPredictions)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	var r scoring.Result
	for _, p := range preds {
		if p.Model != "rf" && p.Model != "types" {
			continue
		}
		fl := ds.Flows.At(int(p.FlowID))
		if err := m.Score(&fl, &r); err != nil {
			t.Fatalf("flow %d: %v", p.FlowID, err)
		}
		switch p.Model {
		case "rf":
			if r.AnomalyProbability != *p.Score || r.IsAnomaly != (p.Predicted == flow.LabelAnomaly) {
				t.Errorf("flow %d: scorer %v (anomaly %v), batch %v (%s)", p.FlowID, r.AnomalyProbability, r.IsAnomaly, *p.Score, p.Predicted)
			}
		case "types":
			if r.MostLikelyAttackType != p.Predicted || r.AttackConfidence != *p.Score {
				t.Errorf("flow %d: scorer %s (%v), batch %s (%v)", p.FlowID, r.MostLikelyAttackType, r.AttackConfidence, p.Predicted, *p.Score)
			}
		}
		checked[p.Model]++
	}
	if checked["rf"] != rec.Data.Test || checked["types"] != rec.Data.Test {
		t.Errorf("checked %v flows, want %d test flows of each model", checked, rec.Data.Test)
	}

	// Without export_model, a rerun removes the pipeline.
	exp.Spec.ExportModel = false
	for i := range exp.Trials {
		exp.Trials[i].Spec.ExportModel = false
	}
	res, err = Run(context.Background(), exp, Options{Out: filepath.Dir(res.Dir), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tdir, rundir.ModelDir)); !os.IsNotExist(err) {
		t.Errorf("a rerun without export_model left the pipeline: %v", err)
	}
	for name := range res.Manifest.Trials[0].Artifacts {
		if filepath.Dir(name) == rundir.ModelDir {
			t.Errorf("the manifest still records %s", name)
		}
	}
}
