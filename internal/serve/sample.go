package serve

import (
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

// SampleFlows draws n flows with the notebook's generator (5% anomalies,
// crypto mining and lateral movement 60:40) from seed s: realistic
// requests for a load test or a benchmark. Each has every field,
// same_dept and cross_dept included (flow.Table.At).
func SampleFlows(n int, s uint64) ([]flow.Flow, error) {
	t, err := synth.Generate(synth.Config{
		Generator:   synth.GeneratorNotebook,
		Flows:       n,
		AnomalyRate: 0.05,
		AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
	}, s)
	if err != nil {
		return nil, err
	}
	flows := make([]flow.Flow, n)
	for i := range flows {
		flows[i] = t.At(i)
	}
	return flows, nil
}
