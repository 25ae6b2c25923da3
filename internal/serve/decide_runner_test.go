package serve_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve"
)

// decideExperiment is a small experiment with a policy and an exported
// model (the keys of experiments/segmentation-policy.yaml and
// experiments/incident.yaml): three segment granularities, and isolation
// at the notebook's HIGH threshold and below it, so that the isolation
// rule and the HIGH risk level part ways in some trials.
const decideExperiment = `name: decide-equality
seeds: [7]
data: {generator: notebook, flows: 3000, anomaly_rate: 0.05}
split: {test_fraction: 0.3, stratify: is_anomaly}
models:
  - {name: random_forest, kind: random_forest, trees: 20}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 20, class_weight: balanced}
export_model: true
policy:
  segments: [department_device, department, device_type]
  clusters: 6
  isolate_above: [0.8, 0.5]
`

// TestDecideEqualsPolicyEvaluation runs decideExperiment and serves each
// trial's exported model (trials/<id>/model) with its policy
// (trials/<id>/policy.json), as harness serve -model -policy does. Every
// test flow of dataset.parquet, posted to POST /v1/decide through the
// handler, one at a time and in one batch, is decided exactly as
// policy.Decide decides it with the probability the trial recorded for it
// in predictions.parquet (the random forest's test score, which
// internal/runner/policy.go passes to policy.Evaluate), and the served
// score is that probability bit for bit. Tallied as policy.Evaluate
// tallies (internal/policy/evaluate.go, Counts.add), the served decisions
// give Evaluate's counts on the same rows and probabilities, and the
// policy_* rates of the trial's metrics.parquet exactly.
func TestDecideEqualsPolicyEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an experiment")
	}
	exp, err := experiments.Parse([]byte(decideExperiment), filepath.Join(t.TempDir(), "decide.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(t.Context(), exp, runner.Options{
		Out: t.TempDir(), Workers: 2, Code: rundir.Code{Module: "test", Version: "test", GoVersion: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := rundir.ReadMetricsFile(filepath.Join(res.Dir, rundir.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Trials) != 6 {
		t.Fatalf("%d trials, want 6", len(exp.Trials))
	}
	for _, trial := range exp.Trials {
		t.Run(trial.ID, func(t *testing.T) {
			var trialMetrics []rundir.Metric
			for _, m := range metrics {
				if m.Trial == trial.ID && m.Model == experiments.PolicyModel {
					trialMetrics = append(trialMetrics, m)
				}
			}
			checkTrial(t, rundir.TrialDir(res.Dir, trial.ID), trialMetrics)
		})
	}
}

// tally counts decisions as policy.Evaluate does (Counts.add).
func tally(c *policy.Counts, r policy.Reason) {
	c.Flows++
	if r != 0 {
		c.Blocked++
	}
	for _, x := range []struct {
		bit policy.Reason
		n   *int
	}{{policy.NotAllowed, &c.NotAllowed}, {policy.Protocol, &c.Protocol}, {policy.Ports, &c.Ports},
		{policy.AllowList, &c.AllowList}, {policy.Behaviour, &c.Behaviour}, {policy.Isolated, &c.Isolated}} {
		if r&x.bit != 0 {
			*x.n++
		}
	}
}

// reasonsOf parses a decision's rule names back into policy reasons.
func reasonsOf(t *testing.T, names []string) policy.Reason {
	t.Helper()
	var r policy.Reason
	for _, b := range []policy.Reason{policy.NotAllowed, policy.Protocol, policy.Ports, policy.Behaviour, policy.Isolated} {
		if slices.Contains(names, b.String()) {
			r |= b
		}
	}
	if got := strings.Split(r.String(), "|"); r != 0 && !slices.Equal(got, names) || r == 0 && len(names) != 0 {
		t.Fatalf("rules %q are not policy reasons in order", names)
	}
	return r
}

func checkTrial(t *testing.T, tdir string, trialMetrics []rundir.Metric) {
	m, err := scoring.Load(filepath.Join(tdir, rundir.ModelDir))
	if err != nil {
		t.Fatal(err)
	}
	p, err := serve.LoadPolicy(filepath.Join(tdir, rundir.PolicyFile), m)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.DatasetFile), datasets.ReadDataset)
	if err != nil {
		t.Fatal(err)
	}
	preds, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.PredictionsFile), rundir.ReadPredictions)
	if err != nil {
		t.Fatal(err)
	}
	// The test rows and their detector probabilities, as
	// internal/runner/policy.go's testProbabilities reads them: the
	// random forest's scores of the test split.
	var rows []int
	var prob []float64
	for _, pr := range preds {
		if pr.Model == "random_forest" && pr.Split == datasets.Test.String() {
			rows = append(rows, int(pr.FlowID))
			prob = append(prob, *pr.Score)
		}
	}
	if len(rows) != 900 {
		t.Fatalf("%d test flows, want 900 (30%% of 3,000)", len(rows))
	}
	objects := make([]string, len(rows))
	for k, i := range rows {
		fl := ds.Flows.At(i)
		b, err := json.Marshal(&fl)
		if err != nil {
			t.Fatal(err)
		}
		objects[k] = string(b)
	}

	h := serve.New(m, serve.Options{Policy: p, Workers: 2})
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/decide", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
		}
		return rec
	}
	single := make([]serve.Decision, len(rows))
	for k, o := range objects {
		dec := json.NewDecoder(post(o).Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&single[k]); err != nil {
			t.Fatal(err)
		}
	}
	var batch struct {
		Decisions []serve.Decision `json:"decisions"`
	}
	dec := json.NewDecoder(post(`{"flows": [` + strings.Join(objects, ",") + `]}`).Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Decisions) != len(rows) {
		t.Fatalf("%d decisions for %d flows", len(batch.Decisions), len(rows))
	}

	var anomalous, normal policy.Counts
	blocks := map[string]int{}
	for k, i := range rows {
		fl := ds.Flows.At(i)
		want := p.Decide(&fl, prob[k])
		for _, got := range []serve.Decision{single[k], batch.Decisions[k]} {
			r := reasonsOf(t, got.Rules)
			if got.AnomalyProbability != prob[k] || r != want.Reasons || (got.Decision == serve.DecisionBlock) != want.Blocked {
				t.Fatalf("flow %d: served probability %v, %s %q; predictions.parquet %v, Decide %v",
					i, got.AnomalyProbability, got.Decision, got.Rules, prob[k], want.Reasons)
			}
			if high := got.RiskLevel == scoring.RiskHigh; high != (len(got.Actions) == 5) {
				t.Fatalf("flow %d: risk %s with %d actions", i, got.RiskLevel, len(got.Actions))
			}
		}
		if ds.Flows.IsAnomaly[i] {
			tally(&anomalous, want.Reasons)
		} else {
			tally(&normal, want.Reasons)
		}
		blocks[single[k].Rule]++
	}
	ev, err := policy.Evaluate(p, ds.Flows, rows, prob)
	if err != nil {
		t.Fatal(err)
	}
	if anomalous != ev.Anomalous || normal != ev.Normal {
		t.Errorf("served decisions tally anomalous %+v, normal %+v; Evaluate %+v, %+v", anomalous, normal, ev.Anomalous, ev.Normal)
	}
	// The trial's metrics.parquet rates (policy.Evaluation.Metrics, the
	// runner's rows of model "policy"), recomputed from the served
	// decisions with Evaluate's division.
	rate := func(a, b int) float64 {
		if b == 0 {
			return math.NaN()
		}
		return float64(a) / float64(b)
	}
	want := map[string]float64{
		"policy_block_rate":                 rate(anomalous.Blocked, anomalous.Flows),
		"policy_false_block_rate":           rate(normal.Blocked, normal.Flows),
		"policy_allowlist_block_rate":       rate(anomalous.AllowList, anomalous.Flows),
		"policy_allowlist_false_block_rate": rate(normal.AllowList, normal.Flows),
		"policy_behaviour_block_rate":       rate(anomalous.Behaviour, anomalous.Flows),
		"policy_behaviour_false_block_rate": rate(normal.Behaviour, normal.Flows),
		"policy_isolation_block_rate":       rate(anomalous.Isolated, anomalous.Flows),
		"policy_isolation_false_block_rate": rate(normal.Isolated, normal.Flows),
		"policy_rules":                      float64(len(p.Allow)),
		"policy_segments":                   float64(len(p.Segments)),
	}
	seen := 0
	for _, mt := range trialMetrics {
		w, ok := want[mt.Metric]
		if !ok {
			continue // policy_block_rate_<type>
		}
		seen++
		if mt.Value != w {
			t.Errorf("%s: metrics.parquet %v, served decisions give %v", mt.Metric, mt.Value, w)
		}
	}
	if seen != len(want) {
		t.Errorf("compared %d of the %d policy metrics", seen, len(want))
	}
	if anomalous.Flows == 0 || normal.Flows == 0 || anomalous.Isolated == 0 || normal.Blocked == 0 {
		t.Errorf("the trial does not exercise the policy: anomalous %+v, normal %+v", anomalous, normal)
	}
	t.Logf("%d test flows: %d anomalous (%d blocked), %d normal (%d blocked); headline rules %v",
		len(rows), anomalous.Flows, anomalous.Blocked, normal.Flows, normal.Blocked, fmt.Sprint(blocks))
}
