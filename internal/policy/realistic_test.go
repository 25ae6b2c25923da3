package policy

import (
	"bytes"
	"testing"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/seed"
)

// TestNotebookFlows learns the default policy from a 70/30 random split of
// 10,000 notebook flows (5% anomalies: 60% crypto mining, 40% lateral
// movement) and checks properties that follow from the generator rather
// than measured figures: normal flows contact 1..4 ports and anomalies
// 8..24, and anomalies use bytes, durations and CPU far outside normal
// traffic, so the port bounds and the behavioural clusters both catch
// nearly every anomaly; a cluster's radius is its 0.99 quantile, so about
// 1% of normal flows fall outside. The measured rates are logged.
func TestNotebookFlows(t *testing.T) {
	f, train, test := notebookFlows(t, 10000, 42)
	cfg := policyconfig.DefaultConfig()
	p, err := Recommend(f, train, cfg, seed.New(seed.Derive(42, "policy")))
	if err != nil {
		t.Fatal(err)
	}
	// 6 departments × 6 device types, uniformly drawn: all 36 segments
	// appear among ~6,650 normal training flows.
	if len(p.Segments) != len(flow.Departments)*len(flow.DeviceTypes) {
		t.Errorf("%d segments, want %d", len(p.Segments), len(flow.Departments)*len(flow.DeviceTypes))
	}
	for _, rule := range p.Allow {
		if rule.MaxPorts > 4 {
			t.Errorf("rule %s -> %s allows %d ports; normal flows contact at most 4", rule.From, rule.To, rule.MaxPorts)
		}
	}
	e, err := Evaluate(p, f, test, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d segments, %d rules; test: %d anomalous, %d normal flows", len(p.Segments), len(p.Allow), e.Anomalous.Flows, e.Normal.Flows)
	t.Logf("block rate %.4f, false block rate %.4f", e.BlockRate, e.FalseBlockRate)
	t.Logf("allow-list: block %.4f, false block %.4f (normal: not allowed %d, protocol %d, ports %d)",
		e.AllowListBlockRate, e.AllowListFalseBlockRate, e.Normal.NotAllowed, e.Normal.Protocol, e.Normal.Ports)
	t.Logf("behaviour: block %.4f, false block %.4f", e.BehaviourBlockRate, e.BehaviourFalseBlockRate)
	for _, typ := range e.ByType {
		t.Logf("%s: %d flows, block rate %.4f (allow-list %d, behaviour %d)", typ.Type, typ.Flows, typ.BlockRate, typ.AllowList, typ.Behaviour)
	}
	for _, c := range p.Clusters.Clusters {
		t.Logf("cluster: %d members, radius %.3f, centre (log10 bytes, log10 s, CPU %%, log10 ports) %.2f", c.Members, c.Radius, c.CenterUnits)
	}

	if e.Anomalous.Flows == 0 || e.Normal.Flows == 0 {
		t.Fatalf("test split has %d anomalous and %d normal flows", e.Anomalous.Flows, e.Normal.Flows)
	}
	if e.BehaviourBlockRate < 0.9 {
		t.Errorf("behaviour block rate %v < 0.9", e.BehaviourBlockRate)
	}
	if e.BlockRate < 0.9 {
		t.Errorf("block rate %v < 0.9", e.BlockRate)
	}
	if e.BehaviourFalseBlockRate > 0.05 {
		t.Errorf("behaviour false block rate %v > 0.05 (radius is the 0.99 quantile)", e.BehaviourFalseBlockRate)
	}
	if !(e.FalseBlockRate < 1) {
		t.Errorf("false block rate %v, want < 1", e.FalseBlockRate)
	}

	// A perfect detector's probabilities isolate exactly the anomalies.
	probability := make([]float64, len(test))
	for k, i := range test {
		if f.IsAnomaly[i] {
			probability[k] = 0.95
		} else {
			probability[k] = 0.05
		}
	}
	e, err = Evaluate(p, f, test, probability)
	if err != nil {
		t.Fatal(err)
	}
	if e.IsolationBlockRate != 1 || e.IsolationFalseBlockRate != 0 || e.BlockRate != 1 {
		t.Errorf("with a perfect detector: isolation %v / %v, block rate %v; want 1 / 0, 1",
			e.IsolationBlockRate, e.IsolationFalseBlockRate, e.BlockRate)
	}
}

// TestDeterministic: the same seed gives the same document, whatever the
// number of workers.
func TestDeterministic(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 3000
	}
	f, train, _ := notebookFlows(t, n, 9)
	var docs [][]byte
	for _, workers := range []int{1, 1, 4} {
		cfg := policyconfig.DefaultConfig()
		cfg.Workers = workers
		p, err := Recommend(f, train, cfg, seed.New(77))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, encode(t, p))
	}
	if !bytes.Equal(docs[0], docs[1]) {
		t.Error("two runs with the same seed differ")
	}
	if !bytes.Equal(docs[0], docs[2]) {
		t.Error("1 and 4 workers differ")
	}
}
