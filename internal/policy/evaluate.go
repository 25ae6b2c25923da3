package policy

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/segharness/harness/internal/flow"
)

// Counts counts flows of one kind and the ones each rule blocked. A flow
// blocked by several rules counts under each of them, and once in Blocked.
type Counts struct {
	Flows      int // flows evaluated
	Blocked    int // blocked by any rule
	NotAllowed int
	Protocol   int
	Ports      int
	AllowList  int // blocked by NotAllowed, Protocol or Ports
	Behaviour  int
	Isolated   int
}

func (c *Counts) add(d Decision) {
	c.Flows++
	r := d.Reasons
	if d.Blocked {
		c.Blocked++
	}
	if r&NotAllowed != 0 {
		c.NotAllowed++
	}
	if r&Protocol != 0 {
		c.Protocol++
	}
	if r&Ports != 0 {
		c.Ports++
	}
	if r&AllowList != 0 {
		c.AllowList++
	}
	if r&Behaviour != 0 {
		c.Behaviour++
	}
	if r&Isolated != 0 {
		c.Isolated++
	}
}

// TypeEvaluation is the evaluation of the anomalies of one type.
type TypeEvaluation struct {
	Type string // anomaly_type, such as "crypto_mining"
	Counts
	BlockRate float64 // Blocked / Flows
}

// Evaluation measures a policy on labelled flows. A rate is a share of
// the anomalous flows (block rates) or of the normal flows (false block
// rates); it is NaN when there are no such flows, when the policy has no
// clusters (behaviour rates) or when no probabilities were given
// (isolation rates).
type Evaluation struct {
	Anomalous Counts
	Normal    Counts
	// ByType holds one entry per anomaly type among the anomalous flows,
	// sorted by type.
	ByType []TypeEvaluation

	HasBehaviour bool // the policy has clusters
	HasIsolation bool // probabilities were given
	Rules        int  // allow rules of the policy
	Segments     int  // segments of the policy

	BlockRate               float64 // Anomalous.Blocked / Anomalous.Flows
	FalseBlockRate          float64 // Normal.Blocked / Normal.Flows
	AllowListBlockRate      float64 // Anomalous.AllowList / Anomalous.Flows
	AllowListFalseBlockRate float64 // Normal.AllowList / Normal.Flows
	BehaviourBlockRate      float64 // Anomalous.Behaviour / Anomalous.Flows
	BehaviourFalseBlockRate float64 // Normal.Behaviour / Normal.Flows
	IsolationBlockRate      float64 // Anomalous.Isolated / Anomalous.Flows
	IsolationFalseBlockRate float64 // Normal.Isolated / Normal.Flows
}

// Evaluate applies p to the flows rows of f (a test split, typically) and
// counts what it blocks, the truth being f.IsAnomaly. probability[k] is
// the detector's anomaly probability of flow rows[k]; nil leaves the
// isolation rule out (its rates are NaN).
//
// Evaluate returns an error for a row outside f, columns of different
// lengths, probabilities of another length than rows or outside [0, 1]
// (NaN included), and a *RowError for a row with a category code outside
// its levels or that the flow schema refuses (flow.Table.CheckRow: a
// negative or non-finite quantity, an hour outside 0..23, CPU outside
// 0..100, is_anomaly disagreeing with anomaly_type). It panics if p was not made by
// Recommend or Decode, or if f is nil.
func Evaluate(p *Policy, f *flow.Table, rows []int, probability []float64) (*Evaluation, error) {
	if f == nil {
		panic("policy: Evaluate of nil flows")
	}
	if p.index == nil {
		panic("policy: Evaluate with a Policy not made by Recommend or Decode")
	}
	if err := checkColumns(f); err != nil {
		return nil, err
	}
	if probability != nil && len(probability) != len(rows) {
		return nil, fmt.Errorf("policy: %d probabilities for %d rows", len(probability), len(rows))
	}
	n := f.Len()
	byType := map[string]*Counts{}
	e := &Evaluation{
		HasBehaviour: p.Clusters != nil,
		HasIsolation: probability != nil,
		Rules:        len(p.Allow),
		Segments:     len(p.Segments),
	}
	for k, i := range rows {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("policy: rows[%d] = %d outside the %d flows", k, i, n)
		}
		if err := checkRow(f, i); err != nil {
			return nil, err
		}
		typ := f.AnomalyType.Value(i)
		prob := math.NaN()
		if probability != nil {
			prob = probability[k]
			if !(prob >= 0 && prob <= 1) {
				return nil, fmt.Errorf("policy: probability[%d] = %v outside [0, 1]", k, prob)
			}
		}
		fl := f.At(i)
		d := p.Decide(&fl, prob)
		if !f.IsAnomaly[i] {
			e.Normal.add(d)
			continue
		}
		e.Anomalous.add(d)
		c := byType[typ]
		if c == nil {
			c = new(Counts)
			byType[typ] = c
		}
		c.add(d)
	}
	for typ, c := range byType {
		e.ByType = append(e.ByType, TypeEvaluation{Type: typ, Counts: *c, BlockRate: ratio(c.Blocked, c.Flows)})
	}
	slices.SortFunc(e.ByType, func(a, b TypeEvaluation) int { return cmp.Compare(a.Type, b.Type) })

	a, nm := &e.Anomalous, &e.Normal
	e.BlockRate, e.FalseBlockRate = ratio(a.Blocked, a.Flows), ratio(nm.Blocked, nm.Flows)
	e.AllowListBlockRate, e.AllowListFalseBlockRate = ratio(a.AllowList, a.Flows), ratio(nm.AllowList, nm.Flows)
	e.BehaviourBlockRate, e.BehaviourFalseBlockRate = math.NaN(), math.NaN()
	if e.HasBehaviour {
		e.BehaviourBlockRate, e.BehaviourFalseBlockRate = ratio(a.Behaviour, a.Flows), ratio(nm.Behaviour, nm.Flows)
	}
	e.IsolationBlockRate, e.IsolationFalseBlockRate = math.NaN(), math.NaN()
	if e.HasIsolation {
		e.IsolationBlockRate, e.IsolationFalseBlockRate = ratio(a.Isolated, a.Flows), ratio(nm.Isolated, nm.Flows)
	}
	return e, nil
}

// ratio is a / b, NaN when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Metric is one named figure of an evaluation.
type Metric struct {
	Name  string
	Value float64
}

// Metrics returns the evaluation's figures in a stable order:
//
//	policy_block_rate, policy_false_block_rate,
//	policy_allowlist_block_rate, policy_allowlist_false_block_rate,
//	policy_behaviour_block_rate, policy_behaviour_false_block_rate  (with clusters)
//	policy_isolation_block_rate, policy_isolation_false_block_rate  (with probabilities)
//	policy_rules, policy_segments,
//	policy_block_rate_<anomaly type>  for each type in ByType, sorted
//
// A NaN rate is left out (the caller may note why: no flows of the kind).
func (e *Evaluation) Metrics() []Metric {
	var out []Metric
	add := func(name string, v float64) {
		if !math.IsNaN(v) {
			out = append(out, Metric{name, v})
		}
	}
	add("policy_block_rate", e.BlockRate)
	add("policy_false_block_rate", e.FalseBlockRate)
	add("policy_allowlist_block_rate", e.AllowListBlockRate)
	add("policy_allowlist_false_block_rate", e.AllowListFalseBlockRate)
	if e.HasBehaviour {
		add("policy_behaviour_block_rate", e.BehaviourBlockRate)
		add("policy_behaviour_false_block_rate", e.BehaviourFalseBlockRate)
	}
	if e.HasIsolation {
		add("policy_isolation_block_rate", e.IsolationBlockRate)
		add("policy_isolation_false_block_rate", e.IsolationFalseBlockRate)
	}
	add("policy_rules", float64(e.Rules))
	add("policy_segments", float64(e.Segments))
	for _, t := range e.ByType {
		add("policy_block_rate_"+t.Type, t.BlockRate)
	}
	return out
}
