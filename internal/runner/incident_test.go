package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/scoring"
)

// TestIncidentExperiment runs the first trial of experiments/incident.yaml,
// the notebook's incident simulation: through the exported pipeline its
// crypto-mining flow must score HIGH and crypto_mining (the notebook,
// which fed the attack classifier unscaled features, said "normal"), the
// normal flow LOW, and the comparison must be finite or explained.
func TestIncidentExperiment(t *testing.T) {
	exp, err := experiments.ParseFile(filepath.Join("..", "..", "experiments", "incident.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	exp.Trials = exp.Trials[:1]
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Manifest.Trials[0]
	tdir := rundir.TrialDir(res.Dir, rec.ID)
	inc, err := rundir.ReadIncident(filepath.Join(tdir, rundir.IncidentFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Flows) != 2 {
		t.Fatalf("%d incident flows, want 2", len(inc.Flows))
	}
	crypto, normal := inc.Flows[0], inc.Flows[1]
	t.Logf("crypto_mining: %.3f %s %s, %s at %.3f; normal: %.3f %s", crypto.AnomalyProbability, crypto.RiskLevel,
		crypto.RecommendedAction, crypto.MostLikelyAttackType, crypto.AttackConfidence, normal.AnomalyProbability, normal.RiskLevel)
	if crypto.RiskLevel != scoring.RiskHigh || crypto.RecommendedAction != scoring.ActionIsolate || crypto.MostLikelyAttackType != "crypto_mining" {
		t.Errorf("crypto-mining flow: %+v, want HIGH, IMMEDIATE_ISOLATION, crypto_mining", crypto.Result)
	}
	if normal.RiskLevel != scoring.RiskLow || len(normal.Actions) != 0 {
		t.Errorf("normal flow: %+v with actions %v, want LOW and none", normal.Result, normal.Actions)
	}
	want := policy.Actions(scoring.RiskHigh, "accounting", "workstation")
	if len(crypto.Actions) != 5 || len(want) != 5 {
		t.Fatalf("crypto-mining actions %+v, want the notebook's five", crypto.Actions)
	}
	for i, a := range crypto.Actions {
		if a != want[i] {
			t.Errorf("action %d: %+v, want %+v", i+1, a, want[i])
		}
	}
	if !strings.Contains(crypto.Actions[0].Text, "accounting workstation") {
		t.Errorf("the first action does not name the source: %q", crypto.Actions[0].Text)
	}
	var sum float64
	for _, p := range crypto.AttackProbabilities {
		sum += p.Probability
	}
	if sum < 1-1e-9 || sum > 1+1e-9 {
		t.Errorf("attack probabilities sum to %v: %+v", sum, crypto.AttackProbabilities)
	}

	// The comparison: a finite ratio, or none and a note, never inf.
	c := inc.Comparison
	if c == nil || c.Flow != "crypto_mining" || c.Baseline != "normal" {
		t.Fatalf("comparison %+v", c)
	}
	if c.Difference != crypto.AnomalyProbability-normal.AnomalyProbability {
		t.Errorf("difference %v", c.Difference)
	}
	switch {
	case normal.AnomalyProbability == 0 && (c.Ratio != nil || !strings.Contains(c.Note, "undefined")):
		t.Errorf("normal scored 0: ratio %v, note %q; want no ratio and a note", c.Ratio, c.Note)
	case normal.AnomalyProbability > 0 && (c.Ratio == nil || *c.Ratio != crypto.AnomalyProbability/normal.AnomalyProbability):
		t.Errorf("ratio %v", c.Ratio)
	}

	// The metric rows carry the same figures, for targets.
	rows, err := rundir.ReadTableFile(filepath.Join(tdir, "metrics.parquet"), func(f io.ReaderAt, size int64, name string) ([]rundir.Metric, error) {
		_, rows, err := rundir.ReadMetrics(f, size, name)
		return rows, err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range rows {
		got[r.Model+"/"+r.Metric] = r.Value
	}
	for key, want := range map[string]float64{
		"crypto_mining/anomaly_probability":              crypto.AnomalyProbability,
		"crypto_mining/risk_level":                       2,
		"normal/risk_level":                              0,
		"crypto_mining/attack_probability_crypto_mining": crypto.AttackConfidence,
		"crypto_mining/probability_difference":           c.Difference,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("metrics %s = %v (%v), want %v", key, v, ok, want)
		}
	}
	if _, ok := got["crypto_mining/probability_ratio"]; ok != (c.Ratio != nil) {
		t.Errorf("probability_ratio row present %v, ratio %v", ok, c.Ratio)
	}
	for _, key := range []string{"policy/policy_block_rate", "policy/policy_false_block_rate"} {
		if v, ok := got[key]; !ok || v < 0 || v > 1 {
			t.Errorf("metrics %s = %v (%v)", key, v, ok)
		}
	}

	// incident.json and policy.json are recorded with their digests, and
	// the policy document decodes.
	for _, name := range []string{rundir.IncidentFile, rundir.PolicyFile} {
		if _, ok := rec.Artifacts[name]; !ok {
			t.Errorf("the manifest does not record %s", name)
		}
	}
	body, err := os.ReadFile(filepath.Join(tdir, rundir.PolicyFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Decode(body); err != nil {
		t.Errorf("policy.json: %v", err)
	}
}
