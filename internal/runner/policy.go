package runner

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/seed"
)

// runPolicy recommends a segmentation policy from the trial's training
// flows, writes it to policy.json and evaluates it on the test flows, the
// isolation rule applied to the experiment's random-forest detector's
// probabilities. It returns the policy's metric rows (model "policy") and
// notes for rates it could not measure, and removes a policy.json an
// earlier run left when the experiment asks for none.
func runPolicy(t *experiments.Trial, td *trialData, out *modelOutput, tdir string, artifacts rundir.Artifacts, workers int) ([]measured, []string, error) {
	path := filepath.Join(tdir, rundir.PolicyFile)
	spec := t.Spec.Policy
	if !spec.Enabled {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
		return nil, nil, nil
	}
	cfg := spec.Config
	cfg.Workers = workers
	flows := td.ds.Flows
	p, err := policy.Recommend(flows, td.train, cfg, seed.New(seed.Derive(t.DerivedSeed, "policy")))
	if err != nil {
		return nil, nil, err
	}
	detector, _ := t.Spec.ExportedModels()
	if detector == nil {
		return nil, nil, fmt.Errorf("no random-forest detector for the isolation rule") // the parser checks
	}
	prob, err := testProbabilities(out.predictions, detector.Name, td.test)
	if err != nil {
		return nil, nil, err
	}
	ev, err := policy.Evaluate(p, flows, td.test, prob)
	if err != nil {
		return nil, nil, err
	}
	if artifacts[rundir.PolicyFile], err = artifact.WriteFile(path, p.Encode); err != nil {
		return nil, nil, err
	}
	var rows []measured
	var notes []string
	for _, m := range ev.Metrics() {
		rows = append(rows, measured{experiments.PolicyModel, m.Name, m.Value})
	}
	if math.IsNaN(ev.BlockRate) {
		notes = append(notes, "policy: policy_block_rate not measured: the test split holds no anomalous flow")
	}
	if math.IsNaN(ev.FalseBlockRate) {
		notes = append(notes, "policy: policy_false_block_rate not measured: the test split holds no normal flow")
	}
	return rows, notes, nil
}

// testProbabilities returns model's scores of the flows rows, from its
// test predictions.
func testProbabilities(preds []rundir.Prediction, model string, rows []int) ([]float64, error) {
	score := map[int64]float64{}
	for _, p := range preds {
		if p.Model == model && p.Split == datasets.Test.String() && p.Score != nil {
			score[p.FlowID] = *p.Score
		}
	}
	out := make([]float64, len(rows))
	for i, r := range rows {
		s, ok := score[int64(r)]
		if !ok {
			return nil, fmt.Errorf("%s has no test score for flow %d", model, r)
		}
		out[i] = s
	}
	return out, nil
}
