package scoring_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/internal/scoring"
)

// The model a trial exports (export_model: true), loaded back and scoring
// the trial's flows one at a time, gives the scores and labels the trial
// wrote to predictions.parquet, bit for bit; and it is the model
// trainLikeRunner builds, on which the package's other tests rely.
func TestRunnerExportScoresAsRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a trial")
	}
	src := scoring.NotebookExperiment + "export_model: true\n"
	exp, err := experiments.Parse([]byte(src), filepath.Join(t.TempDir(), "scoring.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(t.Context(), exp, runner.Options{
		Out: t.TempDir(), Workers: 2, Code: rundir.Code{Module: "test", Version: "test", GoVersion: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tdir := rundir.TrialDir(res.Dir, exp.Trials[0].ID)
	m, err := scoring.Load(filepath.Join(tdir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := rundir.ReadTableFile(filepath.Join(tdir, "dataset.parquet"), datasets.ReadDataset)
	if err != nil {
		t.Fatal(err)
	}
	preds, err := rundir.ReadTableFile(filepath.Join(tdir, "predictions.parquet"), rundir.ReadPredictions)
	if err != nil {
		t.Fatal(err)
	}
	f := ds.Flows
	checked := map[string]int{}
	for _, p := range preds {
		if p.Model != "random_forest" && p.Model != "attack_type" {
			continue
		}
		i := int(p.FlowID)
		fl := f.At(i)
		var got scoring.Result
		if err := m.Score(&fl, &got); err != nil {
			t.Fatalf("flow %d: %v", i, err)
		}
		if p.Model == "random_forest" {
			label := flow.LabelNormal
			if got.IsAnomaly {
				label = flow.LabelAnomaly
			}
			if *p.Score != got.AnomalyProbability || p.Predicted != label {
				t.Fatalf("flow %d: runner %v %s, Score %v %s", i, *p.Score, p.Predicted, got.AnomalyProbability, label)
			}
		} else if *p.Score != got.AttackConfidence || p.Predicted != got.MostLikelyAttackType {
			t.Fatalf("flow %d: runner %v %s, Score %v %s", i, *p.Score, p.Predicted, got.AttackConfidence, got.MostLikelyAttackType)
		}
		checked[p.Model]++
	}
	if checked["random_forest"] != 3000 || checked["attack_type"] != 3000 {
		t.Errorf("compared %v predictions, want the 3,000 test flows of each model", checked)
	}

	// trainLikeRunner's model is the exported one.
	ours := scoring.TrainLikeRunner(t, scoring.NotebookExperiment)
	if !slices.Equal(ours.Pipeline.Columns, m.Pipeline.Columns) ||
		!slices.Equal(ours.Pipeline.Scaler.Mean, m.Pipeline.Scaler.Mean) ||
		!slices.Equal(ours.Pipeline.Scaler.Scale, m.Pipeline.Scaler.Scale) ||
		!cmp.Equal(ours.Pipeline.Encoders, m.Pipeline.Encoders) ||
		!slices.Equal(ours.AttackClasses, m.AttackClasses) {
		t.Error("trainLikeRunner's pipeline or attack classes differ from the runner's")
	}
	for _, pair := range [][2]interface{ MarshalBinary() ([]byte, error) }{{ours.Detector, m.Detector}, {ours.AttackType, m.AttackType}} {
		a, err := pair[0].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, err := pair[1].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Error("trainLikeRunner's forest differs from the runner's")
		}
	}
}
