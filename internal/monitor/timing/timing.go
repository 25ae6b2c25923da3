// Package timing models when the detection pipeline alerts on a flow and how
// long the response to an attack campaign takes.
//
// Time is a time.Duration since the start of the simulation. A flow that
// happens at time t is exported by the flow exporter at the next multiple of
// the export interval at or after t, and the exporter's output is scored in
// batches at multiples of the scoring interval: the alert for a flagged flow
// is raised at the first scoring tick at or after its export. An analyst then
// confirms the alert (triage) and the campaign is contained (containment),
// each taking a random time drawn from a Dist.
//
// For a campaign starting at Start whose earliest flagged flow raises its
// first alert at FirstAlert:
//
//	time to detect  = FirstAlert − Start
//	time to contain = triage + containment       (from the first alert)
//	response time   = time to detect + time to contain
//
// Summary averages these over the detected campaigns, and HealthScore and
// HealthBand reproduce the notebook's model health check
// (create_monitoring_dashboard).
package timing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Distribution kinds.
const (
	// Fixed takes A minutes.
	Fixed = "fixed"
	// Uniform takes U(A, B) minutes.
	Uniform = "uniform"
	// Exponential takes an exponential time of mean A minutes.
	Exponential = "exponential"
	// LogNormal takes A·exp(B·Z) minutes, Z standard normal: median A
	// minutes, sigma B (of the natural log).
	LogNormal = "lognormal"
)

// Kinds lists the distribution kinds.
var Kinds = []string{Fixed, Uniform, Exponential, LogNormal}

// Dist is the distribution of a duration, in minutes. Kind says how A and B
// are read; a parameter the kind does not use must be 0.
type Dist struct {
	Kind string
	A, B float64
}

// Validate returns an error describing the first invalid parameter:
// fixed needs A >= 0; uniform 0 <= A <= B; exponential A > 0; lognormal
// A > 0 and B >= 0. Every parameter must be finite.
func (d Dist) Validate() error {
	if err := d.check(); err != nil {
		return fmt.Errorf("timing: %w", err)
	}
	return nil
}

func (d Dist) check() error {
	if !finite(d.A) || !finite(d.B) {
		return fmt.Errorf("%s distribution: parameters %v, %v not finite", d.Kind, d.A, d.B)
	}
	switch d.Kind {
	case Fixed, Exponential:
		if d.B != 0 {
			return fmt.Errorf("%s distribution takes one parameter (A), got B = %v", d.Kind, d.B)
		}
		if d.Kind == Fixed && d.A < 0 {
			return fmt.Errorf("fixed duration %v minutes < 0", d.A)
		}
		if d.Kind == Exponential && d.A <= 0 {
			return fmt.Errorf("exponential mean %v minutes not > 0 (a fixed 0 is %q)", d.A, Fixed)
		}
	case Uniform:
		if !(0 <= d.A && d.A <= d.B) {
			return fmt.Errorf("uniform bounds %v..%v minutes: want 0 <= A <= B", d.A, d.B)
		}
	case LogNormal:
		if d.A <= 0 {
			return fmt.Errorf("lognormal median %v minutes not > 0", d.A)
		}
		if d.B < 0 {
			return fmt.Errorf("lognormal sigma %v < 0", d.B)
		}
	default:
		return fmt.Errorf("unknown distribution kind %q (want one of %v)", d.Kind, Kinds)
	}
	return nil
}

// Sample draws a duration from r, rounded to the nanosecond and saturated at
// the largest time.Duration. It panics if d is invalid (see Validate).
func (d Dist) Sample(r *rand.Rand) time.Duration {
	if err := d.Validate(); err != nil {
		panic(err)
	}
	var minutes float64
	switch d.Kind {
	case Fixed:
		minutes = d.A
	case Uniform:
		minutes = d.A + (d.B-d.A)*r.Float64()
	case Exponential:
		minutes = d.A * r.ExpFloat64()
	case LogNormal:
		minutes = d.A * math.Exp(d.B*r.NormFloat64())
	}
	return fromMinutes(minutes)
}

// Mean returns the distribution's mean: A for fixed and exponential,
// (A+B)/2 for uniform, A·exp(B²/2) for lognormal. It panics if d is invalid.
func (d Dist) Mean() time.Duration {
	if err := d.Validate(); err != nil {
		panic(err)
	}
	switch d.Kind {
	case Uniform:
		return fromMinutes((d.A + d.B) / 2)
	case LogNormal:
		return fromMinutes(d.A * math.Exp(d.B*d.B/2))
	}
	return fromMinutes(d.A)
}

// fromMinutes converts minutes to a Duration, saturating.
func fromMinutes(minutes float64) time.Duration {
	ns := math.Round(minutes * float64(time.Minute))
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// addSaturating returns a + b for non-negative b, saturated at the largest
// time.Duration (a lognormal's tail can reach it).
func addSaturating(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Model is the timing of the detection pipeline and of the response.
type Model struct {
	// ExportInterval: a flow is exported at the next multiple of it at or
	// after the flow happens. 0 exports immediately.
	ExportInterval time.Duration
	// ScoringInterval: exported flows are scored, and alerts raised, at the
	// next multiple of it at or after their export. 0 scores immediately.
	ScoringInterval time.Duration
	// Triage is the time from an alert to its confirmation by an analyst.
	Triage Dist
	// Containment is the time from confirmation to containment.
	Containment Dist
}

// Validate returns an error describing the first invalid field.
func (m Model) Validate() error {
	if m.ExportInterval < 0 {
		return fmt.Errorf("timing: export interval %v < 0", m.ExportInterval)
	}
	if m.ScoringInterval < 0 {
		return fmt.Errorf("timing: scoring interval %v < 0", m.ScoringInterval)
	}
	if err := m.Triage.check(); err != nil {
		return fmt.Errorf("timing: triage: %w", err)
	}
	if err := m.Containment.check(); err != nil {
		return fmt.Errorf("timing: containment: %w", err)
	}
	return nil
}

// AlertTime returns when the pipeline alerts on a flow flagged at flowTime:
//
//	export = ⌈flowTime / ExportInterval⌉ · ExportInterval
//	alert  = ⌈export / ScoringInterval⌉ · ScoringInterval
//
// with a zero interval leaving the time as it is. Ties go to the tick: a
// flow exactly on an export tick is exported at that tick, and an export
// exactly on a scoring tick is scored at that tick. AlertTime is
// non-decreasing in flowTime. It panics if an interval is negative.
func (m Model) AlertTime(flowTime time.Duration) time.Duration {
	return ceilTo(ceilTo(flowTime, m.ExportInterval), m.ScoringInterval)
}

// ceilTo returns the least multiple of step at or after t; t when step is 0.
func ceilTo(t, step time.Duration) time.Duration {
	switch {
	case step == 0:
		return t
	case step < 0:
		panic(fmt.Sprintf("timing: negative interval %v", step))
	}
	rem := t % step // in (-step, step), with t's sign
	if rem > 0 {
		return t - rem + step
	}
	return t - rem
}

// Campaign is an attack campaign: its flows happen from Start to End
// (inclusive).
type Campaign struct {
	ID         string
	Start, End time.Duration
}

// Incident is the outcome of one campaign.
type Incident struct {
	ID    string
	Start time.Duration
	// Detected is whether any of the campaign's flows was flagged. When it
	// is false, FirstAlert and the durations are 0.
	Detected bool
	// FirstAlert is the alert time of the earliest flagged flow.
	FirstAlert time.Duration
	// TimeToDetect is FirstAlert − Start.
	TimeToDetect time.Duration
	// TimeToContain is triage + containment, from the first alert.
	TimeToContain time.Duration
	// ResponseTime is TimeToDetect + TimeToContain.
	ResponseTime time.Duration
	// AlertedFlows counts the campaign's flagged flows, Flows all of them.
	AlertedFlows, Flows int
}

// Tracker collects, per campaign, the earliest time among its flows that the
// detector flagged. AlertTime is non-decreasing, so that flow raises the
// campaign's first alert whatever the Model: the model is applied only by
// Incidents. A Tracker is not safe for concurrent use.
type Tracker struct {
	campaigns     []Campaign
	firstFlagged  []time.Duration // valid where alerted > 0
	alerted, seen []int
}

// NewTracker returns a tracker of the campaigns, indexed as given. It panics
// if a campaign ends before it starts.
func NewTracker(campaigns []Campaign) *Tracker {
	for _, c := range campaigns {
		if c.End < c.Start {
			panic(fmt.Sprintf("timing: campaign %q ends at %v before it starts at %v", c.ID, c.End, c.Start))
		}
	}
	return &Tracker{
		campaigns:    append([]Campaign(nil), campaigns...),
		firstFlagged: make([]time.Duration, len(campaigns)),
		alerted:      make([]int, len(campaigns)),
		seen:         make([]int, len(campaigns)),
	}
}

// Flow records that a flow of campaign (an index into NewTracker's
// campaigns) happened at flowTime, flagged by the detector or not. It panics
// if the index is out of range or flowTime is outside the campaign's
// [Start, End].
func (t *Tracker) Flow(campaign int, flowTime time.Duration, flagged bool) {
	c := &t.campaigns[campaign]
	if flowTime < c.Start || flowTime > c.End {
		panic(fmt.Sprintf("timing: campaign %q flow at %v outside its span %v..%v", c.ID, flowTime, c.Start, c.End))
	}
	t.seen[campaign]++
	if !flagged {
		return
	}
	if t.alerted[campaign] == 0 || flowTime < t.firstFlagged[campaign] {
		t.firstFlagged[campaign] = flowTime
	}
	t.alerted[campaign]++
}

// Incidents returns one incident per campaign, in order, under the model m.
// Triage and containment are drawn from r, triage then containment, for the
// detected campaigns in order, so the result is a function of the flows
// recorded, m and r's state. An undetected campaign is returned with
// Detected false and zero durations. It panics if m is invalid.
func (t *Tracker) Incidents(m Model, r *rand.Rand) []Incident {
	if err := m.Validate(); err != nil {
		panic(err)
	}
	out := make([]Incident, len(t.campaigns))
	for k, c := range t.campaigns {
		inc := Incident{ID: c.ID, Start: c.Start, AlertedFlows: t.alerted[k], Flows: t.seen[k]}
		if inc.AlertedFlows > 0 {
			inc.Detected = true
			inc.FirstAlert = m.AlertTime(t.firstFlagged[k])
			inc.TimeToDetect = inc.FirstAlert - c.Start
			inc.TimeToContain = addSaturating(m.Triage.Sample(r), m.Containment.Sample(r))
			inc.ResponseTime = addSaturating(inc.TimeToDetect, inc.TimeToContain)
		}
		out[k] = inc
	}
	return out
}

// Summary returns the mean time to detect and the mean response time, in
// minutes, over the detected incidents, and the numbers of detected and
// missed incidents. The means are NaN when no incident was detected.
func Summary(incidents []Incident) (mttdMinutes, responseMinutes float64, detected, missed int) {
	var detect, response float64
	for _, inc := range incidents {
		if !inc.Detected {
			missed++
			continue
		}
		detected++
		detect += inc.TimeToDetect.Minutes()
		response += inc.ResponseTime.Minutes()
	}
	if detected == 0 {
		return math.NaN(), math.NaN(), 0, missed
	}
	return detect / float64(detected), response / float64(detected), detected, missed
}

// Health bands, the notebook's labels.
const (
	BandExcellent      = "EXCELLENT"
	BandGood           = "GOOD"
	BandNeedsAttention = "NEEDS ATTENTION"
)

// HealthScore is the notebook's model health score:
//
//	0.4·detectionRate + 0.3·(1 − fpr) + 0.3·(1 − min(responseMinutes/15, 1))
//
// where 15 minutes is the response-time SLA. Inputs are not clipped (as in
// the notebook); a NaN input gives NaN.
func HealthScore(detectionRate, fpr, responseMinutes float64) float64 {
	return 0.4*detectionRate + 0.3*(1-fpr) + 0.3*(1-min(responseMinutes/15, 1))
}

// HealthBand labels a health score as the notebook does, with strict
// comparisons: above 0.9 BandExcellent, above 0.8 BandGood, otherwise (NaN
// included) BandNeedsAttention.
func HealthBand(score float64) string {
	switch {
	case score > 0.9:
		return BandExcellent
	case score > 0.8:
		return BandGood
	}
	return BandNeedsAttention
}
