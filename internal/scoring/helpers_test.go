package scoring

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/models/kinds"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

// notebookExperiment is the baseline experiment's data, split and two
// forests: the notebook's recipe at seed 42.
const notebookExperiment = `name: scoring
seeds: [42]
data: {source: generate, generator: notebook, flows: 10000, anomaly_rate: 0.05,
       anomaly_mix: {crypto_mining: 0.6, lateral_movement: 0.4}, difficulty: 0}
features: notebook
split: {test_fraction: 0.3, stratify: is_anomaly, scale_on: all}
models:
  - {name: random_forest, kind: random_forest, trees: 100}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 150, class_weight: balanced}
`

// consistentExperiment is the same on the consistent generator, with the
// scaler fitted on the training rows.
var consistentExperiment = strings.NewReplacer("generator: notebook", "generator: consistent",
	"scale_on: all", "scale_on: train").Replace(notebookExperiment)

// trained is a trial's data and model, built as the runner builds them
// (internal/runner: runTrial, prepare, runModels, randomForest).
type trained struct {
	trial *experiments.Trial
	flows *flow.Table
	x     *features.Matrix // the batch pipeline's scaled matrix of every flow
	train []int
	test  []int
	model *Model
}

var (
	trainedMu    sync.Mutex
	trainedCache = map[string]*trained{}
)

// trainLikeRunner fits the detector and the attack-type forest of the
// experiment's first trial, step for step as the runner does (without an
// operating point), and caches the result by experiment text.
// TestTrainLikeRunnerMatchesRunner checks it against the runner's output.
func trainLikeRunner(t testing.TB, src string) *trained {
	t.Helper()
	trainedMu.Lock()
	defer trainedMu.Unlock()
	if tr, ok := trainedCache[src]; ok {
		return tr
	}
	exp, err := experiments.Parse([]byte(src), "scoring.yaml")
	if err != nil {
		t.Fatal(err)
	}
	trial := &exp.Trials[0]
	spec := trial.Spec
	d := spec.Data
	flows, err := synth.Generate(synth.Config{
		Generator: d.Generator, Flows: d.Flows, AnomalyRate: d.AnomalyRate,
		AnomalyMix: d.AnomalyMix, Difficulty: d.Difficulty, Workers: 2,
	}, seed.Derive(trial.DerivedSeed, "data"))
	if err != nil {
		t.Fatal(err)
	}
	eng := features.Engineer(flows)
	var labels []int
	switch spec.Split.Stratify {
	case experiments.StratifyIsAnomaly:
		labels = make([]int, flows.Len())
		for i, a := range flows.IsAnomaly {
			if a {
				labels[i] = 1
			}
		}
	case experiments.StratifyAnomalyType:
		labels = make([]int, flows.Len())
		for i, c := range flows.AnomalyType.Codes {
			labels[i] = int(c)
		}
	}
	split, err := features.TrainTestSplit(flows.Len(), labels, spec.Split.TestFraction, seed.New(seed.Derive(trial.DerivedSeed, "split")))
	if err != nil {
		t.Fatal(err)
	}
	tr := &trained{trial: trial, flows: flows}
	for i, s := range split {
		if s == datasets.Train {
			tr.train = append(tr.train, i)
		} else {
			tr.test = append(tr.test, i)
		}
	}
	var scaleRows []int
	if spec.Split.ScaleOn == experiments.ScaleOnTrain {
		scaleRows = tr.train
	}
	p, err := features.Fit(flows, eng, spec.Features, scaleRows)
	if err != nil {
		t.Fatal(err)
	}
	if tr.x, err = p.Transform(flows, eng); err != nil {
		t.Fatal(err)
	}
	typeEnc := features.FitLabelEncoder(&flows.AnomalyType, nil)
	typeCodes := make([]int, flows.Len())
	for i := range typeCodes {
		typeCodes[i], _ = typeEnc.Encode(flows.AnomalyType.Value(i))
	}
	trainX := make([]float64, 0, len(tr.train)*tr.x.D)
	for _, i := range tr.train {
		trainX = append(trainX, tr.x.Row(i)...)
	}
	m := &Model{
		Pipeline:      p,
		AttackClasses: typeEnc.Classes,
		Risk:          DefaultRisk,
		Decision:      Decision{Rule: DecideArgmax},
		Provenance: Provenance{
			Experiment: exp.Spec.Name, Trial: trial.ID, Seed: trial.Seed, DerivedSeed: trial.DerivedSeed,
		},
	}
	for _, ms := range spec.Models {
		cfg, err := kinds.ForestConfig(ms.Params, tr.x.D, 2)
		if err != nil {
			t.Fatal(err)
		}
		y := make([]int, len(tr.train))
		typing := ms.Role() == models.Typer
		for j, i := range tr.train {
			switch {
			case typing:
				y[j] = typeCodes[i]
			case flows.IsAnomaly[i]:
				y[j] = 1
			}
		}
		classes := 2
		if typing {
			classes = len(typeEnc.Classes)
		}
		f := forest.Fit(trainX, tr.x.D, y, classes, cfg, seed.New(seed.Derive(trial.DerivedSeed, "model/"+ms.Name)))
		if typing {
			m.AttackType, m.Provenance.AttackTypeSpec = f, modelSpec(ms)
		} else {
			m.Detector, m.Provenance.DetectorSpec = f, modelSpec(ms)
		}
	}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	tr.model = m
	trainedCache[src] = tr
	return tr
}

// modelSpec writes a forest's specification as the experiment file would.
func modelSpec(m experiments.Model) string {
	v := m.Params
	return fmt.Sprintf("{name: %s, kind: %s, target: %s, trees: %d, max_features: %s, max_depth: %d, min_samples_split: %d, min_samples_leaf: %d, class_weight: %s, bootstrap: %t}",
		m.Name, m.Kind, v.Text("target"), v.Int("trees"), v.Text("max_features"), v.Int("max_depth"), v.Int("min_samples_split"),
		v.Int("min_samples_leaf"), v.Text("class_weight"), v.Bool("bootstrap"))
}

// savedModel saves the notebook experiment's model to a new directory and
// returns the directory.
func savedModel(t *testing.T) (string, *trained) {
	t.Helper()
	tr := trainLikeRunner(t, notebookExperiment)
	dir := t.TempDir()
	if err := Save(dir, tr.model); err != nil {
		t.Fatal(err)
	}
	return dir, tr
}
