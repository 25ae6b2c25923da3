package scoring_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// An exported gradient-boosted detector and attack typer score the
// trial's flows one at a time exactly as the runner did, through the same
// registry of classifier kinds; model.json names their kind. The random
// forest listed after them is not exported: the first exportable detector
// and typer are.
func TestRunnerExportGradientBoosting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a trial")
	}
	tdir := exportGradientBoosting(t)
	dir := filepath.Join(tdir, "model")
	m, err := scoring.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	mj, err := os.ReadFile(filepath.Join(dir, scoring.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(mj), `"kind": "gradient_boosting"`); n != 2 {
		t.Errorf("model.json names kind gradient_boosting %d times, want 2 (detector and attack type)", n)
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
	for _, p := range preds {
		if p.Model != "gb" && p.Model != "gb_type" {
			continue
		}
		fl := ds.Flows.At(int(p.FlowID))
		var got scoring.Result
		if err := m.Score(&fl, &got); err != nil {
			t.Fatalf("flow %d: %v", p.FlowID, err)
		}
		if p.Model == "gb" {
			label := flow.LabelNormal
			if got.IsAnomaly {
				label = flow.LabelAnomaly
			}
			if *p.Score != got.AnomalyProbability || p.Predicted != label {
				t.Fatalf("flow %d: runner %v %s, Score %v %s", p.FlowID, *p.Score, p.Predicted, got.AnomalyProbability, label)
			}
		} else if *p.Score != got.AttackConfidence || p.Predicted != got.MostLikelyAttackType {
			t.Fatalf("flow %d: runner %v %s, Score %v %s", p.FlowID, *p.Score, p.Predicted, got.AttackConfidence, got.MostLikelyAttackType)
		}
		checked[p.Model]++
	}
	if checked["gb"] != 3000 || checked["gb_type"] != 3000 {
		t.Errorf("compared %v predictions, want the 3,000 test flows of each model", checked)
	}
}

// exportGradientBoosting runs the notebook experiment with a
// gradient-boosted detector and attack typer, exported, and returns its
// trial's directory.
func exportGradientBoosting(tb testing.TB) string {
	src := strings.Replace(scoring.NotebookExperiment, `models:
  - {name: random_forest, kind: random_forest, trees: 100}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 150, class_weight: balanced}
`, `models:
  - {name: gb, kind: gradient_boosting}
  - {name: gb_type, kind: gradient_boosting, target: anomaly_type, class_weight: balanced}
  - {name: random_forest, kind: random_forest, trees: 10}
`, 1) + "export_model: true\n"
	if !strings.Contains(src, "gradient_boosting") {
		tb.Fatal("the experiment was not rewritten")
	}
	exp, err := experiments.Parse([]byte(src), filepath.Join(tb.TempDir(), "gb.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{
		Out: tb.TempDir(), Workers: 2, Code: rundir.Code{Module: "test", Version: "test", GoVersion: "test"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rundir.TrialDir(res.Dir, exp.Trials[0].ID)
}

// BenchmarkScoreGradientBoosting is BenchmarkScore for an exported
// gradient-boosted detector and attack typer (100 iterations, 31 leaves;
// the typer 3 trees an iteration): one flow at a time, the median and
// 99th percentile of the per-call latency.
func BenchmarkScoreGradientBoosting(b *testing.B) {
	tdir := exportGradientBoosting(b)
	m, err := scoring.Load(filepath.Join(tdir, "model"))
	if err != nil {
		b.Fatal(err)
	}
	ds, err := rundir.ReadTableFile(filepath.Join(tdir, "dataset.parquet"), datasets.ReadDataset)
	if err != nil {
		b.Fatal(err)
	}
	flows := make([]flow.Flow, ds.Flows.Len())
	for i := range flows {
		flows[i] = ds.Flows.At(i)
	}
	samples := make([]time.Duration, b.N)
	var res scoring.Result
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := m.Score(&flows[i%len(flows)], &res); err != nil {
			b.Fatal(err)
		}
		samples[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(samples[min(len(samples)-1, len(samples)*99/100)].Nanoseconds()), "p99-ns")
}
