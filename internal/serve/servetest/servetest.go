// Package servetest fits scoring models for the tests and benchmarks of
// the scoring server and commands: the notebook's recipe (notebook flows,
// its 20 features, a stratified 70/30 split, a detector forest and a
// class-balanced attack-type forest), at a size of the caller's choice;
// and segmentation policies recommended from the same training flows.
package servetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

// Config sizes a model.
type Config struct {
	Flows         int    // notebook flows generated; 70% train the forests
	DetectorTrees int    // trees of the is_anomaly forest
	AttackTrees   int    // trees of the anomaly_type forest
	Seed          uint64 // of the flows, the split and the forests
	Workers       int    // goroutines fitting; the model does not depend on it
}

// Small is quick to fit, for tests.
var Small = Config{Flows: 2000, DetectorTrees: 10, AttackTrees: 10, Seed: 42, Workers: 4}

// Notebook is the notebook's size: 10,000 flows, 100 detector trees and
// 150 attack-type trees.
var Notebook = Config{Flows: 10000, DetectorTrees: 100, AttackTrees: 150, Seed: 42, Workers: 4}

// data generates cfg's flows and draws its stratified 70/30 split,
// returning the training rows.
func data(cfg Config) (flows *flow.Table, train []int, err error) {
	flows, err = synth.Generate(synth.Config{
		Generator:   synth.GeneratorNotebook,
		Flows:       cfg.Flows,
		AnomalyRate: 0.05,
		AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
		Workers:     cfg.Workers,
	}, seed.Derive(cfg.Seed, "data"))
	if err != nil {
		return nil, nil, err
	}
	labels := make([]int, flows.Len())
	for i, a := range flows.IsAnomaly {
		if a {
			labels[i] = 1
		}
	}
	split, err := features.TrainTestSplit(flows.Len(), labels, 0.3, seed.New(seed.Derive(cfg.Seed, "split")))
	if err != nil {
		return nil, nil, err
	}
	for i, s := range split {
		if s == datasets.Train {
			train = append(train, i)
		}
	}
	return flows, train, nil
}

// Fit fits a model as Config describes.
func Fit(cfg Config) (*scoring.Model, error) {
	flows, train, err := data(cfg)
	if err != nil {
		return nil, err
	}
	eng := features.Engineer(flows)
	p, err := features.Fit(flows, eng, []string{"notebook"}, nil)
	if err != nil {
		return nil, err
	}
	x, err := p.Transform(flows, eng)
	if err != nil {
		return nil, err
	}
	typeEnc := features.FitLabelEncoder(&flows.AnomalyType, nil)
	trainX := make([]float64, 0, len(train)*x.D)
	isAnomaly := make([]int, len(train))
	attackType := make([]int, len(train))
	for j, i := range train {
		trainX = append(trainX, x.Row(i)...)
		if flows.IsAnomaly[i] {
			isAnomaly[j] = 1
		}
		if attackType[j], err = typeEnc.Encode(flows.AnomalyType.Value(i)); err != nil {
			return nil, err
		}
	}
	fit := func(trees int, y []int, classes int, classWeight, name string) *forest.Forest {
		cfgF := forest.DefaultConfig(x.D)
		cfgF.Trees, cfgF.ClassWeight, cfgF.Workers = trees, classWeight, cfg.Workers
		return forest.Fit(trainX, x.D, y, classes, cfgF, seed.New(seed.Derive(cfg.Seed, "model/"+name)))
	}
	m := &scoring.Model{
		Pipeline:      p,
		Detector:      fit(cfg.DetectorTrees, isAnomaly, 2, "", "random_forest"),
		AttackType:    fit(cfg.AttackTrees, attackType, len(typeEnc.Classes), "balanced", "attack_type"),
		AttackClasses: typeEnc.Classes,
		Risk:          scoring.DefaultRisk,
		Decision:      scoring.Decision{Rule: scoring.DecideArgmax},
		Provenance: scoring.Provenance{
			Experiment:     "servetest",
			Trial:          fmt.Sprintf("flows=%d", cfg.Flows),
			Seed:           int64(cfg.Seed),
			DerivedSeed:    cfg.Seed,
			DetectorSpec:   fmt.Sprintf("{name: random_forest, kind: random_forest, trees: %d}", cfg.DetectorTrees),
			AttackTypeSpec: fmt.Sprintf("{name: attack_type, kind: random_forest, target: anomaly_type, trees: %d, class_weight: balanced}", cfg.AttackTrees),
		},
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return m, nil
}

var (
	smallOnce  sync.Once
	smallModel *scoring.Model
	smallErr   error
)

// Model returns the Small model, fitted once per test binary. It must not
// be modified.
func Model(t testing.TB) *scoring.Model {
	t.Helper()
	smallOnce.Do(func() { smallModel, smallErr = Fit(Small) })
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallModel
}

// FitPolicy recommends a segmentation policy (policy.Recommend) from the
// training rows of the flows Fit fits cfg's model on, so that the policy
// and the model come from the same data, as a trial's policy.json and
// model/ do.
func FitPolicy(cfg Config, pc policyconfig.Config) (*policy.Policy, error) {
	flows, train, err := data(cfg)
	if err != nil {
		return nil, err
	}
	pc.Workers = cfg.Workers
	return policy.Recommend(flows, train, pc, seed.New(seed.Derive(cfg.Seed, "policy")))
}

var (
	policyOnce  sync.Once
	smallPolicy *policy.Policy
	policyErr   error
)

// Policy returns the policy FitPolicy recommends for the Small model with
// policyconfig.DefaultConfig, recommended once per test binary. It must
// not be modified.
func Policy(t testing.TB) *policy.Policy {
	t.Helper()
	policyOnce.Do(func() { smallPolicy, policyErr = FitPolicy(Small, policyconfig.DefaultConfig()) })
	if policyErr != nil {
		t.Fatal(policyErr)
	}
	return smallPolicy
}

// PolicyFile writes Policy to policy.json in a new temporary directory of
// t's and returns the file's path.
func PolicyFile(t testing.TB) string {
	t.Helper()
	var b bytes.Buffer
	if err := Policy(t).Encode(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ModelDir saves the Small model to a new temporary directory of t's and
// returns the directory.
func ModelDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := scoring.Save(dir, Model(t)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// FlowJSON encodes a flow as a request line, with edit applied to its
// fields first (edit may be nil): the JSON a client sends to harness score
// or harness serve, made wrong on purpose where a test needs it.
func FlowJSON(t testing.TB, f flow.Flow, edit func(map[string]any)) string {
	t.Helper()
	b, err := json.Marshal(&f)
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return string(b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	return string(b)
}
