package monitor

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/scenario"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/synth"
)

// Detector scores flows.
type Detector interface {
	// Score sets scores[i] to the probability that flow i of f is an
	// anomaly and flagged[i] to the detector's decision. len(scores) and
	// len(flagged) are f.Len().
	Score(f *flow.Table, scores []float64, flagged []bool) error
}

// Trainer fits candidate detectors.
type Trainer interface {
	// Train fits a detector on the labelled flows f, its randomness drawn
	// from seed.
	Train(f *flow.Table, seed uint64) (Detector, error)
}

// Config is a simulation.
type Config struct {
	// Scenario is the simulation declared: an experiment file's
	// monitoring block. Scenario.Retraining is used when it is Enabled.
	Scenario scenario.Scenario
	// Generator is the trial's generator (synth.Generators).
	Generator string
	// Reference is the deployed detector's training flows: the reference of
	// the drift statistics and the base of every candidate's training set.
	Reference *flow.Table
	// Workers draws flows and measures drift in parallel; the result does
	// not depend on it. Values below 1 mean 1.
	Workers int
	// Progress, when set, is called after each window with the number of
	// windows done and their total.
	Progress func(done, total int)
}

// defaultDriftThreshold is the PSI above which a window's traffic counts as
// drifted when retraining does not set a threshold: the retraining policy's
// default drift trigger, the common reading of PSI > 0.25 as a large shift.
var defaultDriftThreshold = retrain.DefaultConfig().DriftThreshold

// plan is a checked Config in the units the simulation uses.
type plan struct {
	Config
	windows      int
	timing       timing.Model
	retrain      *retrain.Config // nil: no retraining
	occurrences  []occurrence
	driftCols    []int // indices into driftColumns
	driftThresh  float64
	hourDensity  [24]float64 // relative flow density of each hour
	dayDensity   float64     // sum of hourDensity
	knownInitial []string    // attack variants the deployed model was trained on
}

// occurrence is one repetition of a campaign: one incident.
type occurrence struct {
	campaign   *scenario.Campaign
	index      int // repetition, 0-based
	id         string
	start, end time.Duration // flows happen in [start, end)
}

// driftColumns are the columns drift may be measured on.
var driftColumns = scenario.DriftColumns

// column returns the values of drift column j in the listed rows of f as
// float64s, into buf.
func column(f *flow.Table, j int, rows []int, buf []float64) []float64 {
	buf = slices.Grow(buf[:0], len(rows))[:len(rows)]
	var get func(i int) float64
	switch driftColumns[j] {
	case flow.ColBytesSent:
		get = func(i int) float64 { return f.BytesSent[i] }
	case flow.ColDuration:
		get = func(i int) float64 { return f.Duration[i] }
	case flow.ColCPUUsage:
		get = func(i int) float64 { return f.CPUUsage[i] }
	case flow.ColPacketsSent:
		get = func(i int) float64 { return float64(f.PacketsSent[i]) }
	case flow.ColPortsContacted:
		get = func(i int) float64 { return float64(f.PortsContacted[i]) }
	}
	for k, i := range rows {
		buf[k] = get(i)
	}
	return buf
}

// newPlan checks cfg. The experiments parser checks a file's values; these
// checks catch a Config built by hand.
func newPlan(cfg Config) (*plan, error) {
	s := &cfg.Scenario
	p := &plan{Config: cfg}
	switch {
	case s.Window <= 0 || (24*time.Hour)%s.Window != 0:
		return nil, fmt.Errorf("monitor: window %v does not divide a day", s.Window)
	case s.Period < s.Window || s.Period%s.Window != 0:
		return nil, fmt.Errorf("monitor: period %v is not a whole number of %v windows", s.Period, s.Window)
	case s.FlowsPerDay < 0:
		return nil, fmt.Errorf("monitor: flows per day %d < 0", s.FlowsPerDay)
	case !(s.BusinessHoursFactor > 0) || math.IsInf(s.BusinessHoursFactor, 0):
		return nil, fmt.Errorf("monitor: business hours factor %v not > 0", s.BusinessHoursFactor)
	case cfg.Reference == nil || cfg.Reference.Len() == 0:
		return nil, errors.New("monitor: no reference flows")
	case !(s.Feedback.NormalFraction >= 0 && s.Feedback.NormalFraction <= 1 && s.Feedback.AnomalyFraction >= 0 && s.Feedback.AnomalyFraction <= 1):
		return nil, fmt.Errorf("monitor: feedback fractions %v, %v outside [0, 1]", s.Feedback.NormalFraction, s.Feedback.AnomalyFraction)
	case s.Feedback.Delay < 0:
		return nil, fmt.Errorf("monitor: feedback delay %v < 0", s.Feedback.Delay)
	case s.DriftBins < 2:
		return nil, fmt.Errorf("monitor: %d drift bins, want >= 2", s.DriftBins)
	}
	p.windows = int(s.Period / s.Window)
	for h := range p.hourDensity {
		p.hourDensity[h] = 1
		if 8 <= h && h <= 17 {
			p.hourDensity[h] = s.BusinessHoursFactor
		}
		p.dayDensity += p.hourDensity[h]
	}
	p.timing = s.Timing
	if err := p.timing.Validate(); err != nil {
		return nil, fmt.Errorf("monitor: timing: %w", err)
	}
	for _, name := range s.DriftFeatures {
		j := slices.Index(driftColumns, name)
		if j < 0 {
			return nil, fmt.Errorf("monitor: drift feature %q is not one of %v", name, driftColumns)
		}
		p.driftCols = append(p.driftCols, j)
	}
	p.driftThresh = defaultDriftThreshold
	if r := s.Retraining; r.Enabled {
		rc := r.Config
		rc.Rollout = slices.Clone(r.Rollout)
		if err := rc.Validate(); err != nil {
			return nil, fmt.Errorf("monitor: retraining: %w", err)
		}
		if r.Holdout <= 0 || r.MaxSamples < 1 {
			return nil, fmt.Errorf("monitor: retraining: holdout %v and max samples %d must be > 0", r.Holdout, r.MaxSamples)
		}
		p.retrain = &rc
		if r.DriftThreshold > 0 {
			p.driftThresh = r.DriftThreshold
		}
	}
	for k := range s.Campaigns {
		c := &s.Campaigns[k]
		if c.Duration <= 0 || c.Start < 0 || c.Every < 0 || !(c.Rate > 0) || math.IsInf(c.Rate, 0) {
			return nil, fmt.Errorf("monitor: campaign %q: start %v, duration %v, every %v, rate %v", c.Name, c.Start, c.Duration, c.Every, c.Rate)
		}
		for i, start := 0, c.Start; start < s.Period; i, start = i+1, start+c.Every {
			p.occurrences = append(p.occurrences, occurrence{
				campaign: c, index: i, id: fmt.Sprintf("%s#%d", c.Name, i),
				start: start, end: min(start+c.Duration, s.Period),
			})
			if c.Every == 0 {
				break
			}
		}
	}
	// The initial model knows the attack types of its training flows.
	for i, anomalous := range cfg.Reference.IsAnomaly {
		if t := cfg.Reference.AnomalyType.Value(i); anomalous && !slices.Contains(p.knownInitial, t) {
			p.knownInitial = append(p.knownInitial, t)
		}
	}
	slices.Sort(p.knownInitial)
	return p, nil
}

// cumulativeFlows returns the number of normal flows, not rounded, from the
// start of the simulation to t.
func (p *plan) cumulativeFlows(t time.Duration) float64 {
	day := time.Duration(24) * time.Hour
	days, rest := t/day, t%day
	h := int(rest / time.Hour)
	within := 0.0
	for k := range h {
		within += p.hourDensity[k]
	}
	if h < 24 {
		within += p.hourDensity[h] * float64(rest%time.Hour) / float64(time.Hour)
	}
	perDay := float64(p.Scenario.FlowsPerDay)
	return perDay*float64(days) + perDay*within/p.dayDensity
}

// normalFlows returns the number of normal flows in [a, b): cumulative
// rounding, so that windows add up to the day's flows.
func (p *plan) normalFlows(a, b time.Duration) int {
	return int(math.Floor(p.cumulativeFlows(b))) - int(math.Floor(p.cumulativeFlows(a)))
}

// attackFlows returns the number of flows occurrence o emits in [a, b),
// a subinterval of its span: cumulative rounding from its start.
func (o *occurrence) attackFlows(a, b time.Duration) int {
	count := func(t time.Duration) int {
		return int(math.Floor(o.campaign.Rate * float64(t-o.start) / float64(time.Hour)))
	}
	return count(b) - count(a)
}

// drift returns the traffic drift in force at time t: the declared drifts'
// shifts, each scaled by its progress (0 before its start, rising linearly
// to 1 over its ramp), added up; the device weights of the drifts that name
// some, each moving the previous mix toward its own by its progress.
func (p *plan) drift(t time.Duration) synth.Drift {
	var d synth.Drift
	var weights []float64 // shares; nil: the notebook's uniform mix
	for _, td := range p.Scenario.Drifts {
		progress := 0.0
		switch {
		case t < td.Start:
		case td.Ramp == 0 || t >= td.Start+td.Ramp:
			progress = 1
		default:
			progress = float64(t-td.Start) / float64(td.Ramp)
		}
		if progress == 0 {
			continue
		}
		d.BytesLogShift += progress * td.BytesLogShift
		d.CPUShift += progress * td.CPUShift
		if td.DeviceWeights == nil {
			continue
		}
		target := shares(td.DeviceWeights)
		if weights == nil {
			weights = shares(make([]float64, len(target)))
		}
		for i := range weights {
			weights[i] += progress * (target[i] - weights[i])
		}
	}
	d.DeviceWeights = weights
	return d
}

// shares normalises weights to sum to 1; all zero gives the uniform mix.
func shares(weights []float64) []float64 {
	out := make([]float64, len(weights))
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	for i, w := range weights {
		if sum > 0 {
			out[i] = w / sum
		} else {
			out[i] = 1 / float64(len(weights))
		}
	}
	return out
}
