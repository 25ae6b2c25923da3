// Package scenario declares a monitoring simulation (internal/monitor): the
// simulated period and its windows, the daily traffic, attack campaigns and
// traffic drifts, the detection pipeline's timing, the label feedback and
// the retraining policy, each with its default.
//
// Each part is its domain's own configuration, embedded rather than
// copied: a campaign's attack is a synth.Attack and a drift's change a
// synth.Drift (internal/synth), the timing a timing.Model, the retraining
// policy a retrain.Config (internal/monitor/timing and retrain, whose
// defaults it takes). The package imports no simulation and no Parquet
// code, so that an experiment file's monitoring block (experiments) can
// embed a Scenario and the simulation can take it as it is.
package scenario

import (
	"slices"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/synth"
)

// Scenario is a simulated week (or any period) of operation of a deployed
// detector: diurnal normal traffic, attack campaigns, drift of the traffic,
// the timing of the detection pipeline and of the response, delayed label
// feedback and, optionally, retraining by the notebook's
// continuous-learning strategy.
type Scenario struct {
	// Period is the simulated span, a whole number of Windows.
	Period time.Duration
	// Window is the length of a monitoring window, dividing a day.
	Window time.Duration
	// FlowsPerDay is the number of normal flows a day.
	FlowsPerDay int
	// BusinessHoursFactor is how many times denser traffic is in business
	// hours (8..17) than in the other hours; 1 is flat.
	BusinessHoursFactor float64
	Campaigns           []Campaign
	Drifts              []Drift
	// Timing is the detection pipeline's cadence and the response's
	// delays.
	Timing     timing.Model
	Feedback   Feedback
	Retraining Retraining
	// DriftFeatures are the raw numeric columns (of DriftColumns) whose
	// per-window distribution is compared with the training flows' by PSI
	// and KS.
	DriftFeatures []string
	// DriftBins is the number of equal-frequency bins of the PSI.
	DriftBins int
	// StoreScores asks for every simulated flow's score and decision
	// (large: one row per flow).
	StoreScores bool
}

// Campaign is an attack campaign: from Start, for Duration, Rate anomalous
// flows an hour of the Attack, repeated every Every (0: once) while it
// starts within the period.
type Campaign struct {
	Name string
	// Variant names the attack's variant; flows of a variant the deployed
	// model was not trained on are new patterns to the retraining policy.
	// "" is the attack's type (the variant the training data holds).
	Variant  string
	Start    time.Duration
	Duration time.Duration
	Every    time.Duration
	Rate     float64 // flows per hour
	// Attack is what each flow is: its type, source segment, difficulty
	// and CPU shift.
	synth.Attack
}

// VariantOf returns the campaign's variant: its Variant, or its type.
func (c *Campaign) VariantOf() string {
	if c.Variant != "" {
		return c.Variant
	}
	return c.Type
}

// Drift is a declared change of the normal traffic from Start, reached
// linearly over Ramp (0: at once). Drifts add up.
type Drift struct {
	Start time.Duration
	Ramp  time.Duration
	// Drift is the change at its full size.
	synth.Drift
}

// Feedback is how labels of scored flows come back: a random share of the
// normal flows and of the anomalous flows is labelled, Delay after the flow.
type Feedback struct {
	Delay           time.Duration
	NormalFraction  float64
	AnomalyFraction float64
}

// Retraining is the continuous-learning policy (internal/monitor/retrain)
// and the data its candidates are trained and tested on.
type Retraining struct {
	// Enabled turns retraining on; off, the first model serves the whole
	// period.
	Enabled bool
	retrain.Config
	// Holdout: the labelled feedback that arrived in the last Holdout is
	// the A/B test's holdout and is not trained on.
	Holdout time.Duration
	// MaxSamples caps the labelled feedback kept for training, the most
	// recent first.
	MaxSamples int
}

// DriftColumns are the raw numeric columns drift may be measured on.
var DriftColumns = []string{
	flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration,
	flow.ColCPUUsage, flow.ColPortsContacted,
}

// Default returns the default scenario: a week of one-hour windows at
// 100,000 normal flows a day, three times denser in business hours, no
// campaign or drift; flows exported every minute and scored every 30
// seconds, triage and containment lognormal around 3 and 6 minutes; labels
// back after 4 hours for 1% of the normal and half of the anomalous flows;
// retraining off, with retrain.DefaultConfig, a day's holdout and at most
// 50,000 samples when turned on; drift measured on every DriftColumns
// column with 10 bins.
func Default() Scenario {
	return Scenario{
		Period:              7 * 24 * time.Hour,
		Window:              time.Hour,
		FlowsPerDay:         100_000,
		BusinessHoursFactor: 3,
		Timing: timing.Model{
			ExportInterval:  time.Minute,
			ScoringInterval: 30 * time.Second,
			Triage:          timing.Dist{Kind: timing.LogNormal, A: 3, B: 0.5},
			Containment:     timing.Dist{Kind: timing.LogNormal, A: 6, B: 0.5},
		},
		Feedback: Feedback{Delay: 4 * time.Hour, NormalFraction: 0.01, AnomalyFraction: 0.5},
		Retraining: Retraining{
			Config:     retrain.DefaultConfig(),
			Holdout:    24 * time.Hour,
			MaxSamples: 50_000,
		},
		DriftFeatures: slices.Clone(DriftColumns),
		DriftBins:     10,
	}
}

// DefaultCampaign returns a campaign's defaults: an hour at 100 flows an
// hour, once, from the start, at difficulty 0, from sources drawn as for
// normal traffic.
func DefaultCampaign() Campaign {
	return Campaign{Duration: time.Hour, Rate: 100}
}

// Clone returns a deep copy.
func (s Scenario) Clone() Scenario {
	s.Campaigns = slices.Clone(s.Campaigns)
	s.Drifts = slices.Clone(s.Drifts)
	for i := range s.Drifts {
		s.Drifts[i].DeviceWeights = slices.Clone(s.Drifts[i].DeviceWeights)
	}
	s.Retraining.Rollout = slices.Clone(s.Retraining.Rollout)
	s.DriftFeatures = slices.Clone(s.DriftFeatures)
	return s
}
