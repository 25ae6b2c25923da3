package experiments

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/synth"
)

// Monitoring declares a simulated week (or any period) of operation of a
// trial's random-forest detector (internal/monitor): diurnal normal traffic,
// attack campaigns, drift of the traffic, the timing of the detection
// pipeline and of the response, delayed label feedback and, optionally,
// retraining by the notebook's continuous-learning strategy.
type Monitoring struct {
	Enabled bool
	// Model names the random-forest detector (target is_anomaly) that is
	// deployed; "" (the default) is the first one in models:. The parser
	// fills it in, so a parsed spec with Enabled names its model.
	Model string
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
	Drifts              []TrafficDrift
	Timing              Timing
	Feedback            Feedback
	Retraining          Retraining
	// DriftFeatures are the raw numeric columns whose per-window
	// distribution is compared with the training flows' by PSI and KS.
	DriftFeatures []string
	// DriftBins is the number of equal-frequency bins of the PSI.
	DriftBins int
	// StoreScores asks for monitoring_flows.parquet: every simulated flow's
	// score and decision (large: one row per flow).
	StoreScores bool
}

// Campaign is an attack campaign of the monitoring simulation: from Start,
// for Duration, Rate anomalous flows an hour of one attack type, repeated
// every Every (0: once) while it starts within the period.
type Campaign struct {
	Name string
	Type string // flow.CryptoMining or flow.LateralMovement
	// Variant names the attack's variant; flows of a variant the deployed
	// model was not trained on are new patterns to the retraining policy.
	// Default: Type (the variant the training data holds).
	Variant       string
	Start         time.Duration
	Duration      time.Duration
	Every         time.Duration
	Rate          float64 // flows per hour
	SrcDepartment string  // "" draws it as for normal traffic
	SrcDeviceType string  // "" draws it as for normal traffic
	Difficulty    float64 // as data.difficulty, in [0, 1]
	CPUShift      float64 // percentage points added to cpu_usage after injection
}

// TrafficDrift is a declared change of the normal traffic from Start,
// reached linearly over Ramp (0: at once). Drifts add up.
type TrafficDrift struct {
	Start         time.Duration
	Ramp          time.Duration
	BytesLogShift float64 // added to ln(bytes_sent)
	CPUShift      float64 // percentage points added to cpu_usage
	// DeviceWeights are the source device types' relative weights, in
	// flow.DeviceTypes order; nil leaves the mix as it is.
	DeviceWeights []float64
}

// Timing is the detection pipeline's cadence and the response's delays.
type Timing struct {
	ExportInterval  time.Duration
	ScoringInterval time.Duration
	Triage          Delay
	Containment     Delay
}

// Delay is a distribution of a delay in minutes (internal/monitor/timing.Dist):
// Kind fixed (A), uniform (A..B), exponential (mean A) or lognormal
// (median A, sigma B).
type Delay struct {
	Kind string
	A, B float64
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
	Enabled           bool
	MinDetection      float64
	FeedbackWindow    time.Duration
	MinAnomalies      int
	DriftThreshold    float64 // 0 disables the drift trigger
	NewPatterns       int     // 0 disables the new-pattern trigger
	Schedule          time.Duration
	MinSamples        int
	MinImprovement    float64
	Rollout           []float64
	StageDuration     time.Duration
	RollbackTolerance float64
	Cooldown          time.Duration
	// Holdout: the labelled feedback that arrived in the last Holdout is
	// the A/B test's holdout and is not trained on.
	Holdout time.Duration
	// MaxSamples caps the labelled feedback kept for training, the most
	// recent first.
	MaxSamples int
}

// MonitoringModel is the model name of the monitoring simulation's rows in
// the metrics table, which targets name.
const MonitoringModel = "monitoring"

// MonitoringMetrics are the metrics of the monitoring simulation's rows.
var MonitoringMetrics = []string{
	"mttd_minutes", "mean_time_to_contain_minutes", "response_time_minutes",
	"campaigns", "campaigns_detected", "campaigns_missed",
	"detection_rate", "last_day_detection_rate", "false_positive_rate", "alerts_per_hour",
	"health_score", "max_psi", "max_ks",
	"retrains", "promotions", "rejections", "rollbacks",
	"detection_trend_slope_per_day", "detection_trend_r2", "detection_forecast_days",
}

// DriftColumns are the raw numeric columns drift may be measured on
// (monitoring.drift_features).
var DriftColumns = []string{
	flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration,
	flow.ColCPUUsage, flow.ColPortsContacted,
}

// Delay kinds (internal/monitor/timing's distribution kinds).
const (
	DelayFixed       = "fixed"
	DelayUniform     = "uniform"
	DelayExponential = "exponential"
	DelayLogNormal   = "lognormal"
)

// DefaultDriftFeatures are the columns drift is measured on by default.
var DefaultDriftFeatures = []string{
	flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration,
	flow.ColCPUUsage, flow.ColPortsContacted,
}

func defaultMonitoring() Monitoring {
	return Monitoring{
		Period:              7 * 24 * time.Hour,
		Window:              time.Hour,
		FlowsPerDay:         100_000,
		BusinessHoursFactor: 3,
		Timing: Timing{
			ExportInterval:  time.Minute,
			ScoringInterval: 30 * time.Second,
			Triage:          Delay{Kind: DelayLogNormal, A: 3, B: 0.5},
			Containment:     Delay{Kind: DelayLogNormal, A: 6, B: 0.5},
		},
		Feedback: Feedback{Delay: 4 * time.Hour, NormalFraction: 0.01, AnomalyFraction: 0.5},
		Retraining: Retraining{
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
			Holdout:           24 * time.Hour,
			MaxSamples:        50_000,
		},
		DriftFeatures: slices.Clone(DefaultDriftFeatures),
		DriftBins:     10,
	}
}

// cloneMonitoring deep-copies the parts of a monitoring block a trial may
// not share.
func cloneMonitoring(m Monitoring) Monitoring {
	m.Campaigns = slices.Clone(m.Campaigns)
	m.Drifts = slices.Clone(m.Drifts)
	for i := range m.Drifts {
		m.Drifts[i].DeviceWeights = slices.Clone(m.Drifts[i].DeviceWeights)
	}
	m.Retraining.Rollout = slices.Clone(m.Retraining.Rollout)
	m.DriftFeatures = slices.Clone(m.DriftFeatures)
	return m
}

// MonitoredModel returns the detector the monitoring simulation deploys,
// or nil.
func (s *Spec) MonitoredModel() *Model {
	if s.Monitoring.Model != "" {
		return s.Model(s.Monitoring.Model)
	}
	detector, _ := s.ExportedModels()
	return detector
}

// Durations.

// maxDuration bounds every duration of an experiment file: ten years of
// 365 days, far from time.Duration's limit of about 292 years.
const maxDuration = models.MaxDuration

const day = models.Day

// durationWant is what a duration looks like, for messages.
const durationWant = "a duration like 1h, 30m or 7d"

// The syntax of durations is the model registry's, which model keys
// share: Go's time.ParseDuration with a d unit.
var (
	parseDuration  = models.ParseDuration
	formatDuration = models.FormatDuration
	errNegative    = models.ErrNegative
	errSubSecond   = models.ErrSubSecond
	errTooLong     = models.ErrTooLong
)

// duration accepts a duration (parseDuration's syntax, or the integer 0)
// within [lo, hi].
func duration(lo, hi time.Duration) conv[time.Duration] {
	return func(p *parser, n *yaml.Node, path string) (time.Duration, bool) {
		if !scalarOK(p, n, path, durationWant) {
			return 0, false
		}
		var d time.Duration
		switch n.ShortTag() {
		case "!!int":
			var v int64
			if err := n.Decode(&v); err != nil || v != 0 {
				p.errorf(n, path, "want %s, got %s (a number needs a unit)", durationWant, n.Value)
				return 0, false
			}
		case "!!str":
			var err error
			d, err = parseDuration(n.Value)
			switch err {
			case nil:
			case errNegative:
				p.errorf(n, path, "%s is negative", n.Value)
				return 0, false
			case errSubSecond:
				p.errorf(n, path, "%s is not a whole number of seconds", n.Value)
				return 0, false
			case errTooLong:
				p.errorf(n, path, "%s is outside [%s, %s]", n.Value, formatDuration(lo), formatDuration(hi))
				return 0, false
			default:
				p.errorf(n, path, "want %s, got %s", durationWant, describe(n))
				return 0, false
			}
		default:
			p.errorf(n, path, "want %s, got %s", durationWant, describe(n))
			return 0, false
		}
		if d < lo || d > hi {
			p.errorf(n, path, "%s is outside [%s, %s]", formatDuration(d), formatDuration(lo), formatDuration(hi))
			return 0, false
		}
		return d, true
	}
}

// window accepts a monitoring window: at least a minute, dividing a day.
func window(p *parser, n *yaml.Node, path string) (time.Duration, bool) {
	d, ok := duration(time.Minute, day)(p, n, path)
	if ok && day%d != 0 {
		p.errorf(n, path, "%s does not divide a day evenly, so windows would not align with days (1m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h and 1d do)", formatDuration(d))
		return 0, false
	}
	return d, ok
}

func durationNode(d time.Duration) *yaml.Node {
	if d == 0 {
		return integerNode(0)
	}
	return str(formatDuration(d))
}

// Parsing.

// durationKey decodes a key holding a duration, which cannot be swept.
func (p *parser) durationKey(lo, hi time.Duration, set *time.Duration) func(n *yaml.Node, path string) {
	return func(n *yaml.Node, path string) {
		value(p, n, path, duration(lo, hi), func(v time.Duration) { *set = v })
	}
}

// monitoring decodes the monitoring: key.
func (p *parser) monitoring(n *yaml.Node, path string) {
	m := &p.spec.Monitoring
	m.Enabled = true
	p.pos[path] = n
	unit := number(0, 1, true, true)
	p.mapping(n, path, []field{
		{"model", func(n *yaml.Node, path string) { value(p, n, path, text, func(v string) { m.Model = v }) }},
		{"period", p.durationKey(time.Minute, maxDuration, &m.Period)},
		{"window", func(n *yaml.Node, path string) { value(p, n, path, window, func(v time.Duration) { m.Window = v }) }},
		{"flows_per_day", func(n *yaml.Node, path string) {
			sweepable(p, n, path, integer(1, 1_000_000_000), formatInt, func(v int) { m.FlowsPerDay = v })
		}},
		{"business_hours_factor", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1000, false, true), formatFloat, func(v float64) { m.BusinessHoursFactor = v })
		}},
		{"campaigns", p.campaigns},
		{"drifts", p.drifts},
		{"timing", func(n *yaml.Node, path string) {
			t := &m.Timing
			p.mapping(n, path, []field{
				{"export_interval", p.durationKey(0, maxDuration, &t.ExportInterval)},
				{"scoring_interval", p.durationKey(0, maxDuration, &t.ScoringInterval)},
				{"triage", func(n *yaml.Node, path string) { p.delay(n, path, &t.Triage) }},
				{"containment", func(n *yaml.Node, path string) { p.delay(n, path, &t.Containment) }},
			})
		}},
		{"feedback", func(n *yaml.Node, path string) {
			f := &m.Feedback
			p.mapping(n, path, []field{
				{"delay", p.durationKey(0, maxDuration, &f.Delay)},
				{"normal_fraction", func(n *yaml.Node, path string) {
					sweepable(p, n, path, unit, formatFloat, func(v float64) { f.NormalFraction = v })
				}},
				{"anomaly_fraction", func(n *yaml.Node, path string) {
					sweepable(p, n, path, unit, formatFloat, func(v float64) { f.AnomalyFraction = v })
				}},
			})
		}},
		{"retraining", p.retraining},
		{"drift_features", p.driftFeatures},
		{"drift_bins", func(n *yaml.Node, path string) {
			value(p, n, path, integer(2, 1000), func(v int) { m.DriftBins = v })
		}},
		{"store_scores", func(n *yaml.Node, path string) {
			value(p, n, path, boolean, func(v bool) { m.StoreScores = v })
		}},
	})
}

// campaigns decodes monitoring.campaigns.
func (p *parser) campaigns(n *yaml.Node, path string) {
	m := &p.spec.Monitoring
	names := map[string]*yaml.Node{}
	example := "{name: mining, type: crypto_mining, start: 1d, duration: 3h, rate: 120}"
	p.mappingList(n, path, "campaigns", example, func(cn *yaml.Node, cp string) {
		c, ok := p.campaign(cn, cp)
		if !ok {
			return
		}
		nn := lookup(cn, "name")
		if first := names[c.Name]; first != nil {
			p.errorf(nn, cp+".name", "campaign name %q used twice (first at %s)", c.Name, at(first))
			return
		}
		names[c.Name] = nn
		m.Campaigns = append(m.Campaigns, c)
		p.campaignPaths = append(p.campaignPaths, cp)
	})
	p.pos[path] = n
}

// campaign decodes one attack campaign. It reports whether the campaign
// has a name to be kept under.
func (p *parser) campaign(n *yaml.Node, path string) (Campaign, bool) {
	c := Campaign{Duration: time.Hour, Rate: 100}
	plain := func(cv conv[float64], set *float64) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) { value(p, n, path, cv, func(v float64) { *set = v }) }
	}
	enum := func(values []string, set *string) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) { value(p, n, path, oneOf(values...), func(v string) { *set = v }) }
	}
	present := p.mapping(n, path, []field{
		{"name", func(n *yaml.Node, path string) { value(p, n, path, identifier, func(v string) { c.Name = v }) }},
		{"type", enum(synth.InjectableTypes, &c.Type)},
		{"variant", func(n *yaml.Node, path string) { value(p, n, path, identifier, func(v string) { c.Variant = v }) }},
		{"start", p.durationKey(0, maxDuration, &c.Start)},
		{"duration", p.durationKey(time.Second, maxDuration, &c.Duration)},
		{"every", p.durationKey(0, maxDuration, &c.Every)},
		{"rate", plain(number(0, 1e9, false, true), &c.Rate)},
		{"src_department", enum(flow.Departments, &c.SrcDepartment)},
		{"src_device_type", enum(flow.DeviceTypes, &c.SrcDeviceType)},
		{"difficulty", plain(number(0, 1, true, true), &c.Difficulty)},
		{"cpu_shift", plain(number(-100, 100, true, true), &c.CPUShift)},
	}, "name", "type")
	if present == nil {
		return c, false
	}
	if c.Variant == "" {
		c.Variant = c.Type
	}
	if c.Every != 0 && c.Every < c.Duration && !p.anyBad(path+".every", path+".duration") {
		p.errorf(p.posOf(path+".every", path+".duration"), path+".every",
			"%s is shorter than the campaign's duration %s, so the campaign would overlap its own repetition: make every at least the duration, or 0 to run the campaign once",
			formatDuration(c.Every), formatDuration(c.Duration))
	}
	return c, c.Name != "" && !p.bad[path+".name"]
}

// drifts decodes monitoring.drifts.
func (p *parser) drifts(n *yaml.Node, path string) {
	m := &p.spec.Monitoring
	example := "{start: 3d, ramp: 1d, bytes_log_shift: 0.7}"
	p.mappingList(n, path, "drifts", example, func(dn *yaml.Node, dp string) {
		d := TrafficDrift{}
		plain := func(cv conv[float64], set *float64) func(n *yaml.Node, path string) {
			return func(n *yaml.Node, path string) { value(p, n, path, cv, func(v float64) { *set = v }) }
		}
		present := p.mapping(dn, dp, []field{
			{"start", p.durationKey(0, maxDuration, &d.Start)},
			{"ramp", p.durationKey(0, maxDuration, &d.Ramp)},
			{"bytes_log_shift", plain(number(-10, 10, true, true), &d.BytesLogShift)},
			{"cpu_shift", plain(number(-100, 100, true, true), &d.CPUShift)},
			{"device_weights", func(n *yaml.Node, path string) { d.DeviceWeights = p.deviceWeights(n, path) }},
		})
		if present == nil {
			return
		}
		shifts := []string{"bytes_log_shift", "cpu_shift", "device_weights"}
		if d.BytesLogShift == 0 && d.CPUShift == 0 && present["device_weights"] == nil && !p.anyBad(dp+".bytes_log_shift", dp+".cpu_shift") {
			p.errorf(dn, dp, "the drift changes nothing: give a non-zero %s, a non-zero %s, or %s", shifts[0], shifts[1], shifts[2])
		}
		m.Drifts = append(m.Drifts, d)
		p.driftPaths = append(p.driftPaths, dp)
	})
	p.pos[path] = n
}

// deviceWeights decodes a drift's device_weights: a weight per device
// type, in flow.DeviceTypes order, missing types weighing 0.
func (p *parser) deviceWeights(n *yaml.Node, path string) []float64 {
	if p.zip != 0 {
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
		p.bad[path] = true
		return nil
	}
	w := make([]float64, len(flow.DeviceTypes))
	var fields []field
	for i, t := range flow.DeviceTypes {
		fields = append(fields, field{t, func(n *yaml.Node, path string) {
			value(p, n, path, number(0, 1e9, true, true), func(v float64) { w[i] = v })
		}})
	}
	if p.mapping(n, path, fields) == nil {
		return nil
	}
	p.pos[path] = n
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	if sum == 0 && !p.anyBad(path) {
		p.errorf(n, path, "every device type weighs 0: give at least one of %s a weight above 0", strings.Join(flow.DeviceTypes, ", "))
		p.bad[path] = true
	}
	return w
}

// delay decodes a delay distribution: exactly one of fixed: A,
// uniform: [A, B], exponential: A or lognormal: [A, B], in minutes.
func (p *parser) delay(n *yaml.Node, path string, d *Delay) {
	kinds := []string{DelayFixed, DelayUniform, DelayExponential, DelayLogNormal}
	var got Delay
	one := func(kind string, cv conv[float64]) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, cv, func(v float64) { got = Delay{Kind: kind, A: v} })
		}
	}
	two := func(kind string, a, b conv[float64], check func(a, b float64) string) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			if va, vb, ok := p.pair(n, path, a, b); ok {
				if msg := check(va, vb); msg != "" {
					p.errorf(n, path, "%s", msg)
					p.bad[path] = true
					return
				}
				got = Delay{Kind: kind, A: va, B: vb}
			}
		}
	}
	nonNeg := number(0, math.MaxFloat64, true, true)
	positive := number(0, math.MaxFloat64, false, true)
	present := p.mapping(n, path, []field{
		{DelayFixed, one(DelayFixed, nonNeg)},
		{DelayUniform, two(DelayUniform, nonNeg, nonNeg, func(a, b float64) string {
			if a > b {
				return fmt.Sprintf("lower bound %s is above upper bound %s: want [A, B] with A <= B", formatFloat(a), formatFloat(b))
			}
			return ""
		})},
		{DelayExponential, one(DelayExponential, positive)},
		{DelayLogNormal, two(DelayLogNormal, positive, nonNeg, func(float64, float64) string { return "" })},
	})
	if present == nil {
		return
	}
	var keys []*yaml.Node // the kinds given, in the file's order
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; present[k.Value] == k && slices.Contains(kinds, k.Value) {
			keys = append(keys, k)
		}
	}
	example := "like {lognormal: [3, 0.5]} or {fixed: 5}"
	switch {
	case len(keys) == 0:
		if len(n.Content) == 0 {
			p.errorf(n, path, "missing distribution: give exactly one of %s, %s", strings.Join(kinds, ", "), example)
		}
		// (Otherwise an unknown key was reported.)
		p.bad[path] = true
	case len(keys) > 1:
		p.errorf(keys[1], path, "more than one distribution: give exactly one of %s", strings.Join(kinds, ", "))
		p.bad[path] = true
	case got.Kind != "":
		*d = got
		p.pos[path] = n
	}
}

// pair decodes a list of two numbers, [A, B].
func (p *parser) pair(n *yaml.Node, path string, a, b conv[float64]) (float64, float64, bool) {
	switch {
	case p.zip != 0:
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
	case n.Kind != yaml.SequenceNode:
		p.errorf(n, path, "want a list of two numbers [A, B], got %s", describe(n))
	case len(n.Content) != 2:
		p.errorf(n, path, "want a list of two numbers [A, B], got a list of %d", len(n.Content))
	default:
		va, okA := a(p, n.Content[0], path)
		vb, okB := b(p, n.Content[1], path)
		if okA && okB {
			p.pos[path] = n
			return va, vb, true
		}
	}
	p.bad[path] = true
	return 0, 0, false
}

// retraining decodes monitoring.retraining: its presence enables
// retraining unless enabled says otherwise.
func (p *parser) retraining(n *yaml.Node, path string) {
	r := &p.spec.Monitoring.Retraining
	r.Enabled = true
	p.pos[path] = n
	unit := number(0, 1, true, true)
	intKey := func(lo int64, set *int) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, integer(lo, math.MaxInt32), func(v int) { *set = v })
		}
	}
	p.mapping(n, path, []field{
		{"enabled", func(n *yaml.Node, path string) {
			sweepable(p, n, path, boolean, formatBool, func(v bool) { r.Enabled = v })
		}},
		{"min_detection", func(n *yaml.Node, path string) {
			sweepable(p, n, path, unit, formatFloat, func(v float64) { r.MinDetection = v })
		}},
		{"feedback_window", p.durationKey(time.Second, maxDuration, &r.FeedbackWindow)},
		{"min_anomalies", intKey(1, &r.MinAnomalies)},
		{"drift_threshold", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, math.MaxFloat64, true, true), formatFloat, func(v float64) { r.DriftThreshold = v })
		}},
		{"new_patterns", intKey(0, &r.NewPatterns)},
		{"schedule", p.durationKey(0, maxDuration, &r.Schedule)},
		{"min_samples", intKey(0, &r.MinSamples)},
		{"min_improvement", func(n *yaml.Node, path string) {
			sweepable(p, n, path, unit, formatFloat, func(v float64) { r.MinImprovement = v })
		}},
		{"rollout", p.rollout},
		{"stage_duration", p.durationKey(time.Second, maxDuration, &r.StageDuration)},
		{"rollback_tolerance", func(n *yaml.Node, path string) {
			value(p, n, path, unit, func(v float64) { r.RollbackTolerance = v })
		}},
		{"cooldown", p.durationKey(0, maxDuration, &r.Cooldown)},
		{"holdout", p.durationKey(time.Second, maxDuration, &r.Holdout)},
		{"max_samples", intKey(1, &r.MaxSamples)},
	})
}

// rollout decodes monitoring.retraining.rollout: traffic shares strictly
// increasing in (0, 1], ending at 1.
func (p *parser) rollout(n *yaml.Node, path string) {
	switch {
	case p.zip != 0:
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
	case n.Kind != yaml.SequenceNode:
		p.errorf(n, path, "want a list of traffic shares ending at 1, like [0.1, 0.5, 1], got %s", describe(n))
	case len(n.Content) == 0:
		p.errorf(n, path, "empty: want at least one stage, like [1] or [0.1, 0.5, 1]")
	default:
		var shares []float64
		ok := true
		for i, item := range n.Content {
			v, good := number(0, 1, false, true)(p, item, path)
			switch {
			case !good:
				ok = false
				continue
			case i > 0 && ok && v <= shares[len(shares)-1]:
				p.errorf(item, path, "%s is not above the previous stage's %s: shares must increase", formatFloat(v), formatFloat(shares[len(shares)-1]))
				ok = false
			}
			shares = append(shares, v)
		}
		if ok && shares[len(shares)-1] != 1 {
			last := n.Content[len(n.Content)-1]
			p.errorf(last, path, "the last stage is %s, not 1: the rollout ends with every flow on the candidate", formatFloat(shares[len(shares)-1]))
			ok = false
		}
		if ok {
			p.spec.Monitoring.Retraining.Rollout = shares
			p.pos[path] = n
			return
		}
	}
	p.bad[path] = true
}

// driftFeatures decodes monitoring.drift_features.
func (p *parser) driftFeatures(n *yaml.Node, path string) {
	switch {
	case p.zip != 0:
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
	case n.Kind != yaml.SequenceNode:
		p.errorf(n, path, "want a list of columns, like [bytes_sent, cpu_usage], got %s", describe(n))
	case len(n.Content) == 0:
		p.errorf(n, path, "empty: want at least one column")
	default:
		var cols []string
		seen := map[string]*yaml.Node{}
		ok := true
		for _, item := range n.Content {
			c, good := oneOf(DriftColumns...)(p, item, path)
			switch {
			case !good:
				ok = false
			case seen[c] != nil:
				p.errorf(item, path, "column %s listed twice (first at %s)", c, at(seen[c]))
				ok = false
			default:
				seen[c] = item
				cols = append(cols, c)
			}
		}
		if ok {
			p.spec.Monitoring.DriftFeatures = cols
			p.pos[path] = n
			return
		}
	}
	p.bad[path] = true
}

// checkMonitoring checks what the monitoring simulation needs of the rest
// of the file: its detector, generated data, a period of whole windows
// holding every campaign's and drift's start, and a name of its own in
// the metrics table. It fills in the detector's name.
func (p *parser) checkMonitoring() {
	n := p.pos["monitoring"]
	m := &p.spec.Monitoring
	if n == nil || !m.Enabled || p.bad["monitoring"] {
		return
	}
	const detector = "a random_forest detector (target: is_anomaly)"
	switch {
	case p.bad["monitoring.model"]:
	case m.Model != "":
		mn := p.pos["monitoring.model"]
		switch mod := p.spec.Model(m.Model); {
		case mod == nil:
			p.errorf(mn, "monitoring.model", "no model named %q (models: %s)", m.Model, strings.Join(p.spec.modelNames(), ", "))
		case mod.Kind != models.KindRandomForest || mod.Role() != models.Detector:
			p.errorf(mn, "monitoring.model", "model %s (%s) is not %s: the simulation deploys and retrains a random forest", mod.Name, describeModel(mod), detector)
		}
	default:
		if d, _ := p.spec.ExportedModels(); d != nil {
			m.Model = d.Name
		} else if !p.bad["models"] {
			p.errorf(n, "monitoring", "the simulation deploys %s: add one to models:, or name it in monitoring.model", detector)
		}
	}
	if p.spec.Model(MonitoringModel) != nil {
		p.errorf(n, "monitoring", "a model is named %q, the name of the monitoring simulation's rows in the metrics table: rename the model", MonitoringModel)
	}
	if p.spec.Data.Source != SourceGenerate && !p.bad["data.source"] {
		p.errorf(n, "monitoring", "the simulation draws its traffic from the trial's generator: it needs data.source %s, not %s", SourceGenerate, p.spec.Data.Source)
	}
	periodOK := !p.anyBad("monitoring.period")
	if periodOK && !p.anyBad("monitoring.window") && m.Period%m.Window != 0 {
		p.errorf(p.posOf("monitoring.period", "monitoring.window", "monitoring"), "monitoring.period",
			"%s is not a whole number of %s windows", formatDuration(m.Period), formatDuration(m.Window))
	}
	if periodOK {
		for i, c := range m.Campaigns {
			if sp := p.campaignPaths[i] + ".start"; c.Start >= m.Period {
				p.errorf(p.posOf(sp), sp, "%s is not within the period %s: the campaign would never run", formatDuration(c.Start), formatDuration(m.Period))
			}
		}
		for i, d := range m.Drifts {
			if sp := p.driftPaths[i] + ".start"; d.Start >= m.Period {
				p.errorf(p.posOf(sp), sp, "%s is not within the period %s: the drift would never start", formatDuration(d.Start), formatDuration(m.Period))
			}
		}
	}
	r := &m.Retraining
	if r.MaxSamples < r.MinSamples && !p.anyBad("monitoring.retraining.max_samples", "monitoring.retraining.min_samples") {
		p.errorf(p.posOf("monitoring.retraining.max_samples", "monitoring.retraining.min_samples", "monitoring.retraining", "monitoring"),
			"monitoring.retraining.max_samples", "%d is below min_samples %d: a retrain could never gather its samples", r.MaxSamples, r.MinSamples)
	}
}

func (s *Spec) modelNames() []string {
	var names []string
	for _, m := range s.Models {
		names = append(names, m.Name)
	}
	return names
}

// monitoringNode renders the monitoring block for spec.resolved.yaml,
// every default filled in.
func monitoringNode(m *Monitoring) *yaml.Node {
	n := mapping()
	if m.Model != "" {
		n.Content = append(n.Content, str("model"), str(m.Model))
	}
	campaigns := seq(false)
	for _, c := range m.Campaigns {
		cn := mapping(
			"name", str(c.Name),
			"type", str(c.Type),
			"variant", str(c.Variant),
			"start", durationNode(c.Start),
			"duration", durationNode(c.Duration),
			"every", durationNode(c.Every),
			"rate", floatNode(c.Rate),
		)
		if c.SrcDepartment != "" {
			cn.Content = append(cn.Content, str("src_department"), str(c.SrcDepartment))
		}
		if c.SrcDeviceType != "" {
			cn.Content = append(cn.Content, str("src_device_type"), str(c.SrcDeviceType))
		}
		cn.Content = append(cn.Content, str("difficulty"), floatNode(c.Difficulty), str("cpu_shift"), floatNode(c.CPUShift))
		campaigns.Content = append(campaigns.Content, flowStyled(cn))
	}
	drifts := seq(false)
	for _, d := range m.Drifts {
		dn := mapping(
			"start", durationNode(d.Start),
			"ramp", durationNode(d.Ramp),
			"bytes_log_shift", floatNode(d.BytesLogShift),
			"cpu_shift", floatNode(d.CPUShift),
		)
		if d.DeviceWeights != nil {
			w := mapping()
			for i, t := range flow.DeviceTypes {
				if i < len(d.DeviceWeights) {
					w.Content = append(w.Content, str(t), floatNode(d.DeviceWeights[i]))
				}
			}
			dn.Content = append(dn.Content, str("device_weights"), flowStyled(w))
		}
		drifts.Content = append(drifts.Content, flowStyled(dn))
	}
	if len(m.Campaigns) == 0 {
		campaigns.Style = yaml.FlowStyle
	}
	if len(m.Drifts) == 0 {
		drifts.Style = yaml.FlowStyle
	}
	r := &m.Retraining
	rollout := seq(true)
	for _, v := range r.Rollout {
		rollout.Content = append(rollout.Content, floatNode(v))
	}
	n.Content = append(n.Content,
		str("period"), durationNode(m.Period),
		str("window"), durationNode(m.Window),
		str("flows_per_day"), integerNode(int64(m.FlowsPerDay)),
		str("business_hours_factor"), floatNode(m.BusinessHoursFactor),
		str("campaigns"), campaigns,
		str("drifts"), drifts,
		str("timing"), mapping(
			"export_interval", durationNode(m.Timing.ExportInterval),
			"scoring_interval", durationNode(m.Timing.ScoringInterval),
			"triage", delayNode(m.Timing.Triage),
			"containment", delayNode(m.Timing.Containment),
		),
		str("feedback"), flowStyled(mapping(
			"delay", durationNode(m.Feedback.Delay),
			"normal_fraction", floatNode(m.Feedback.NormalFraction),
			"anomaly_fraction", floatNode(m.Feedback.AnomalyFraction),
		)),
		str("retraining"), mapping(
			"enabled", boolNode(r.Enabled),
			"min_detection", floatNode(r.MinDetection),
			"feedback_window", durationNode(r.FeedbackWindow),
			"min_anomalies", integerNode(int64(r.MinAnomalies)),
			"drift_threshold", floatNode(r.DriftThreshold),
			"new_patterns", integerNode(int64(r.NewPatterns)),
			"schedule", durationNode(r.Schedule),
			"min_samples", integerNode(int64(r.MinSamples)),
			"min_improvement", floatNode(r.MinImprovement),
			"rollout", rollout,
			"stage_duration", durationNode(r.StageDuration),
			"rollback_tolerance", floatNode(r.RollbackTolerance),
			"cooldown", durationNode(r.Cooldown),
			"holdout", durationNode(r.Holdout),
			"max_samples", integerNode(int64(r.MaxSamples)),
		),
		str("drift_features"), strs(m.DriftFeatures),
		str("drift_bins"), integerNode(int64(m.DriftBins)),
		str("store_scores"), boolNode(m.StoreScores),
	)
	return n
}

// delayNode renders a delay as its one-key mapping.
func delayNode(d Delay) *yaml.Node {
	switch d.Kind {
	case DelayUniform, DelayLogNormal:
		ab := seq(true)
		ab.Content = append(ab.Content, floatNode(d.A), floatNode(d.B))
		return flowStyled(mapping(d.Kind, ab))
	}
	return flowStyled(mapping(d.Kind, floatNode(d.A)))
}
