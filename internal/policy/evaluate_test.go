package policy

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/segharness/harness/internal/flow"
)

// evalFlows are test flows for smallFlows' policy without clusters
// (accounting/workstation -> it/server over TCP and UDP with at most 3
// ports; hr/mobile -> it/server over TCP with at most 4). The decisions,
// worked out by hand, are in the comments, and evalProbability's
// isolation (p > 0.8) in brackets.
func evalFlows() *flow.Table {
	return table(
		// allowed
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "TCP", bytes: 1000, duration: 10, cpu: 15, ports: 2},
		// NotAllowed: no hr/mobile -> hr/mobile rule
		flowRow{src: "hr/mobile", dst: "hr/mobile", protocol: "TCP", bytes: 100, duration: 1, cpu: 5, ports: 1},
		// Protocol: ICMP [isolated]
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "ICMP", bytes: 100, duration: 1, cpu: 5, ports: 1},
		// Ports: 12 > 3 [isolated]
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "TCP", bytes: 1e6, duration: 7200, cpu: 95, ports: 12, anomaly: flow.CryptoMining},
		// allowed: 3 <= 4 [isolated]
		flowRow{src: "hr/mobile", dst: "it/server", protocol: "TCP", bytes: 100, duration: 5, cpu: 10, ports: 3, anomaly: flow.LateralMovement},
		// NotAllowed: sales/iot is no segment
		flowRow{src: "sales/iot", dst: "it/server", protocol: "TCP", bytes: 100, duration: 5, cpu: 10, ports: 15, anomaly: flow.LateralMovement},
	)
}

var evalProbability = []float64{0.1, 0.2, 0.9, 0.95, 0.85, 0.3}

func TestEvaluate(t *testing.T) {
	p, err := Recommend(smallFlows(), smallTrain, noClusters(), nil)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	tests := []struct {
		name        string
		probability []float64
		want        *Evaluation
		metrics     []Metric
	}{
		{
			name:        "with probabilities",
			probability: evalProbability,
			want: &Evaluation{
				// Rows 3 (ports, isolated), 4 (isolated), 5 (not allowed).
				Anomalous: Counts{Flows: 3, Blocked: 3, NotAllowed: 1, Ports: 1, AllowList: 2, Isolated: 2},
				// Rows 1 (not allowed), 2 (protocol, isolated); row 0 passes.
				Normal: Counts{Flows: 3, Blocked: 2, NotAllowed: 1, Protocol: 1, AllowList: 2, Isolated: 1},
				ByType: []TypeEvaluation{
					{Type: flow.CryptoMining, Counts: Counts{Flows: 1, Blocked: 1, Ports: 1, AllowList: 1, Isolated: 1}, BlockRate: 1},
					{Type: flow.LateralMovement, Counts: Counts{Flows: 2, Blocked: 2, NotAllowed: 1, AllowList: 1, Isolated: 1}, BlockRate: 1},
				},
				HasIsolation:            true,
				Rules:                   2,
				Segments:                3,
				BlockRate:               1,
				FalseBlockRate:          2.0 / 3,
				AllowListBlockRate:      2.0 / 3,
				AllowListFalseBlockRate: 2.0 / 3,
				BehaviourBlockRate:      nan,
				BehaviourFalseBlockRate: nan,
				IsolationBlockRate:      2.0 / 3,
				IsolationFalseBlockRate: 1.0 / 3,
			},
			metrics: []Metric{
				{"policy_block_rate", 1},
				{"policy_false_block_rate", 2.0 / 3},
				{"policy_allowlist_block_rate", 2.0 / 3},
				{"policy_allowlist_false_block_rate", 2.0 / 3},
				{"policy_isolation_block_rate", 2.0 / 3},
				{"policy_isolation_false_block_rate", 1.0 / 3},
				{"policy_rules", 2},
				{"policy_segments", 3},
				{"policy_block_rate_crypto_mining", 1},
				{"policy_block_rate_lateral_movement", 1},
			},
		},
		{
			name: "without probabilities",
			want: &Evaluation{
				Anomalous: Counts{Flows: 3, Blocked: 2, NotAllowed: 1, Ports: 1, AllowList: 2},
				Normal:    Counts{Flows: 3, Blocked: 2, NotAllowed: 1, Protocol: 1, AllowList: 2},
				ByType: []TypeEvaluation{
					{Type: flow.CryptoMining, Counts: Counts{Flows: 1, Blocked: 1, Ports: 1, AllowList: 1}, BlockRate: 1},
					// Row 4 stays within its rule.
					{Type: flow.LateralMovement, Counts: Counts{Flows: 2, Blocked: 1, NotAllowed: 1, AllowList: 1}, BlockRate: 0.5},
				},
				Rules:                   2,
				Segments:                3,
				BlockRate:               2.0 / 3,
				FalseBlockRate:          2.0 / 3,
				AllowListBlockRate:      2.0 / 3,
				AllowListFalseBlockRate: 2.0 / 3,
				BehaviourBlockRate:      nan,
				BehaviourFalseBlockRate: nan,
				IsolationBlockRate:      nan,
				IsolationFalseBlockRate: nan,
			},
			metrics: []Metric{
				{"policy_block_rate", 2.0 / 3},
				{"policy_false_block_rate", 2.0 / 3},
				{"policy_allowlist_block_rate", 2.0 / 3},
				{"policy_allowlist_false_block_rate", 2.0 / 3},
				{"policy_rules", 2},
				{"policy_segments", 3},
				{"policy_block_rate_crypto_mining", 1},
				{"policy_block_rate_lateral_movement", 0.5},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(p, evalFlows(), allRows(6), tt.probability)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12), cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.metrics, got.Metrics(), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Metrics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetricsOmitNaN: over normal flows only, the block rates have no
// denominator and are left out; with clusters the behaviour rates appear.
func TestMetricsOmitNaN(t *testing.T) {
	p := smallPolicy(t)
	e, err := Evaluate(p, evalFlows(), []int{0, 1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range e.Metrics() {
		names = append(names, m.Name)
	}
	want := []string{"policy_false_block_rate", "policy_allowlist_false_block_rate", "policy_behaviour_false_block_rate", "policy_rules", "policy_segments"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("metric names mismatch (-want +got):\n%s", diff)
	}
	if !math.IsNaN(e.BlockRate) || e.ByType != nil {
		t.Errorf("block rate %v, by type %v over no anomalies; want NaN and none", e.BlockRate, e.ByType)
	}
}

func TestEvaluateErrors(t *testing.T) {
	p, err := Recommend(smallFlows(), smallTrain, noClusters(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		edit        func(*flow.Table)
		rows        []int
		probability []float64
		want        string
	}{
		{"row out of range", nil, []int{0, 6}, nil, "rows[1] = 6"},
		{"probabilities of another length", nil, []int{0, 1}, []float64{0.5}, "1 probabilities for 2 rows"},
		{"probability above 1", nil, []int{0, 1}, []float64{0.5, 1.5}, "probability[1] = 1.5"},
		{"NaN probability", nil, []int{0, 1}, []float64{math.NaN(), 0}, "probability[0] = NaN"},
		{"negative duration", func(f *flow.Table) { f.Duration[1] = -1 }, []int{0, 1}, nil, "row 1: duration"},
		{"labels disagree", func(f *flow.Table) { f.IsAnomaly[0] = true }, []int{0, 1}, nil, "row 0: is_anomaly"},
		{"short column", func(f *flow.Table) { f.IsAnomaly = f.IsAnomaly[:3] }, []int{0}, nil, "column is_anomaly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := evalFlows()
			if tt.edit != nil {
				tt.edit(f)
			}
			_, err := Evaluate(p, f, tt.rows, tt.probability)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Evaluate error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
