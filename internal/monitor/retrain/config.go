package retrain

import (
	"fmt"
	"math"
	"time"
)

// Config parameterises a Policy. The zero value is not valid; start from
// DefaultConfig. Fractions (rates, shares, margins) are in [0, 1], not
// percent.
type Config struct {
	// MinDetection: the detection trigger fires when the deployed model's
	// detection rate over the last FeedbackWindow is below it.
	MinDetection float64 `json:"min_detection"`
	// FeedbackWindow is the span of labelled feedback (by window end) that
	// the detection and new-pattern triggers look at; > 0.
	FeedbackWindow time.Duration `json:"feedback_window"`
	// MinAnomalies is the number of labelled anomalies the deployed model
	// must have scored within FeedbackWindow before the detection trigger
	// may fire; >= 1.
	MinAnomalies int `json:"min_anomalies"`
	// DriftThreshold: the drift trigger fires when a window's drift
	// statistic is above it; 0 disables the trigger.
	DriftThreshold float64 `json:"drift_threshold"`
	// NewPatterns: the new-pattern trigger fires when at least this many
	// labelled anomalies of attack types unknown to the deployed model
	// arrived within FeedbackWindow; 0 disables the trigger.
	NewPatterns int `json:"new_patterns"`
	// Schedule: the schedule trigger fires Schedule after the last retrain
	// (or the start); 0 disables the trigger.
	Schedule time.Duration `json:"schedule"`
	// MinSamples is the number of labelled samples gathered since the last
	// retrain that a retrain needs; a trigger waits for them. >= 0.
	MinSamples int `json:"min_samples"`
	// MinImprovement: a candidate is accepted when its A/B metric minus the
	// current model's is above it (an absolute difference).
	MinImprovement float64 `json:"min_improvement"`
	// Rollout lists the candidate's traffic shares, one per stage: strictly
	// increasing, in (0, 1], ending at 1.
	Rollout []float64 `json:"rollout"`
	// StageDuration is the time spent at each rollout stage; > 0.
	StageDuration time.Duration `json:"stage_duration"`
	// RollbackTolerance: at the end of a rollout stage the candidate is
	// rolled back when the incumbent's detection rate on its feedback
	// exceeds the candidate's on its own by more than this.
	RollbackTolerance float64 `json:"rollback_tolerance"`
	// Cooldown is the time after the end of a retraining cycle (reject,
	// rollback or promote) during which no trigger fires; >= 0.
	Cooldown time.Duration `json:"cooldown"`
}

// DefaultConfig returns the notebook's strategy where it states numbers:
// MinDetection 0.90, a monthly (30-day) Schedule, MinSamples 1,000,
// MinImprovement 0.02 and Rollout {0.1, 0.5, 1}. Elsewhere:
//
//   - FeedbackWindow 24h, the span of the notebook's monitoring dashboard
//     ("Last 24 Hours").
//   - MinAnomalies 50: over 50 anomalies, a model with a true detection
//     rate of 0.95 shows a rate below 0.90 with probability 0.038, and one
//     at 0.80 shows 0.90 or more with probability 0.048 (binomial, computed
//     exactly). The trigger is checked every window on overlapping data, so
//     a marginal model fires eventually; MinSamples and Cooldown bound the
//     cost of that.
//   - DriftThreshold 0.25, the usual rule of thumb for a significant shift
//     in the population stability index (below 0.1 none, 0.1 to 0.25
//     moderate), for a statistic such as the largest PSI over features
//     against the deployed model's training data.
//   - NewPatterns 50, as many as MinAnomalies: a burst of an unknown
//     variant, not a few mislabelled flows.
//   - StageDuration 12h: the three stages of the rollout take a day and a
//     half.
//   - RollbackTolerance 0.05: a stage rolls the candidate back when the
//     incumbent's detection rate exceeds its own by more than 5 points.
//   - Cooldown 24h, equal to FeedbackWindow, so that the first trigger
//     after a cycle judges only feedback that arrived after it.
//
// These are the defaults of an experiment file's monitoring.retraining
// (internal/monitor/scenario, experiments), which read them from here.
func DefaultConfig() Config {
	return Config{
		MinDetection:      0.90,
		FeedbackWindow:    24 * time.Hour,
		MinAnomalies:      50,
		DriftThreshold:    0.25,
		NewPatterns:       50,
		Schedule:          30 * 24 * time.Hour,
		MinSamples:        1000,
		MinImprovement:    0.02,
		Rollout:           []float64{0.1, 0.5, 1},
		StageDuration:     12 * time.Hour,
		RollbackTolerance: 0.05,
		Cooldown:          24 * time.Hour,
	}
}

// Validate returns an error naming the first invalid field.
func (c Config) Validate() error {
	if !inUnit(c.MinDetection) {
		return fmt.Errorf("retrain: config: MinDetection %v outside [0, 1]", c.MinDetection)
	}
	if c.FeedbackWindow <= 0 {
		return fmt.Errorf("retrain: config: FeedbackWindow %v <= 0", c.FeedbackWindow)
	}
	if c.MinAnomalies < 1 {
		return fmt.Errorf("retrain: config: MinAnomalies %d < 1", c.MinAnomalies)
	}
	if !(c.DriftThreshold >= 0) || math.IsInf(c.DriftThreshold, 0) {
		return fmt.Errorf("retrain: config: DriftThreshold %v not finite and >= 0", c.DriftThreshold)
	}
	if c.NewPatterns < 0 {
		return fmt.Errorf("retrain: config: NewPatterns %d < 0", c.NewPatterns)
	}
	if c.Schedule < 0 {
		return fmt.Errorf("retrain: config: Schedule %v < 0", c.Schedule)
	}
	if c.MinSamples < 0 {
		return fmt.Errorf("retrain: config: MinSamples %d < 0", c.MinSamples)
	}
	if !inUnit(c.MinImprovement) {
		return fmt.Errorf("retrain: config: MinImprovement %v outside [0, 1]", c.MinImprovement)
	}
	if len(c.Rollout) == 0 {
		return fmt.Errorf("retrain: config: Rollout is empty")
	}
	for i, share := range c.Rollout {
		if !(share > 0 && share <= 1) {
			return fmt.Errorf("retrain: config: Rollout[%d] %v outside (0, 1]", i, share)
		}
		if i > 0 && share <= c.Rollout[i-1] {
			return fmt.Errorf("retrain: config: Rollout[%d] %v not above Rollout[%d] %v", i, share, i-1, c.Rollout[i-1])
		}
	}
	if last := c.Rollout[len(c.Rollout)-1]; last != 1 {
		return fmt.Errorf("retrain: config: Rollout ends at %v, not 1", last)
	}
	if c.StageDuration <= 0 {
		return fmt.Errorf("retrain: config: StageDuration %v <= 0", c.StageDuration)
	}
	if !inUnit(c.RollbackTolerance) {
		return fmt.Errorf("retrain: config: RollbackTolerance %v outside [0, 1]", c.RollbackTolerance)
	}
	if c.Cooldown < 0 {
		return fmt.Errorf("retrain: config: Cooldown %v < 0", c.Cooldown)
	}
	return nil
}

// inUnit reports whether x is in [0, 1] (false for NaN).
func inUnit(x float64) bool { return x >= 0 && x <= 1 }
