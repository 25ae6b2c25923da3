package retrain_test

import (
	"fmt"
	"math"
	"time"

	"github.com/segharness/harness/internal/monitor/retrain"
)

// A drift trigger with enough samples retrains at once; the candidate wins
// its A/B test by 5 points and starts its rollout at 10%.
func Example() {
	p, err := retrain.New(retrain.DefaultConfig())
	if err != nil {
		panic(err)
	}
	healthy := retrain.Feedback{Samples: 600, Anomalies: 20, Current: retrain.Counts{TP: 19, FN: 1, TN: 580}}
	for h := 1; h <= 2; h++ {
		drift := math.NaN()
		if h == 2 {
			drift = 0.4
		}
		d := p.Observe(retrain.Observation{Time: time.Duration(h) * time.Hour, Feedback: healthy, Drift: drift})
		fmt.Println(d.Action, p.State().Phase)
		if d.Action == retrain.Retrain {
			// The simulation trains a candidate and measures both models'
			// detection rates on a labelled holdout.
			d = p.ABResult(2*time.Hour, 0.91, 0.96)
			fmt.Println(d.Action, d.Share)
		}
	}
	for _, e := range p.Events() {
		fmt.Printf("%v %s: %s\n", e.Time, e.Kind, e.Reason)
	}
	// Output:
	// none idle
	// retrain evaluating
	// rollout 0.1
	// 2h0m0s trigger: drift 0.4000 > 0.2500
	// 2h0m0s retrain: 1200 labelled samples (40 anomalies) since the last retrain >= 1000
	// 2h0m0s ab_test: candidate 0.9600 - current 0.9100 = improvement 0.0500; promotion needs > 0.0200
	// 2h0m0s rollout_stage: A/B improvement 0.0500 > 0.0200: candidate gets 10% of traffic
}
