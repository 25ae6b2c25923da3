package timing_test

import (
	"fmt"
	"time"

	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/seed"
)

// A mining campaign starts at 10:00; the detector misses its first flow and
// flags the one at 10:03. With 1-minute export and 5-minute scoring the alert
// is raised at 10:05; triage and containment take 4 and 6 minutes.
func ExampleTracker() {
	m := timing.Model{
		ExportInterval:  time.Minute,
		ScoringInterval: 5 * time.Minute,
		Triage:          timing.Dist{Kind: timing.Fixed, A: 4},
		Containment:     timing.Dist{Kind: timing.Fixed, A: 6},
	}
	tr := timing.NewTracker([]timing.Campaign{
		{ID: "mining", Start: 10 * time.Hour, End: 11 * time.Hour},
		{ID: "lateral", Start: 12 * time.Hour, End: 13 * time.Hour},
	})
	tr.Flow(0, 10*time.Hour+time.Minute, false)
	tr.Flow(0, 10*time.Hour+3*time.Minute, true)
	tr.Flow(1, 12*time.Hour, false)

	incidents := tr.Incidents(m, seed.New(1))
	for _, inc := range incidents {
		fmt.Printf("%s: detected %v, alert at %v, detect %v, contain %v, response %v\n",
			inc.ID, inc.Detected, inc.FirstAlert, inc.TimeToDetect, inc.TimeToContain, inc.ResponseTime)
	}
	mttd, response, detected, missed := timing.Summary(incidents)
	fmt.Printf("MTTD %.0f min, response %.0f min, %d detected, %d missed\n", mttd, response, detected, missed)
	score := timing.HealthScore(float64(detected)/float64(len(incidents)), 0.03, response)
	fmt.Printf("health %.3f %s\n", score, timing.HealthBand(score))
	// Output:
	// mining: detected true, alert at 10h5m0s, detect 5m0s, contain 10m0s, response 15m0s
	// lateral: detected false, alert at 0s, detect 0s, contain 0s, response 0s
	// MTTD 5 min, response 15 min, 1 detected, 1 missed
	// health 0.491 NEEDS ATTENTION
}
