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
	"github.com/segharness/harness/internal/monitor/scenario"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/synth"
)

// Monitoring is the monitoring: block: a simulated period of operation
// of a trial's random-forest detector (internal/monitor), declared as the
// simulation's own Scenario (internal/monitor/scenario, whose defaults a
// parsed block holds).
type Monitoring struct {
	Enabled bool
	// Model names the random-forest detector (target is_anomaly) that is
	// deployed; "" (the default) is the first one in models:. The parser
	// fills it in, so a parsed spec with Enabled names its model.
	Model string
	scenario.Scenario
}

// MonitoringModel is the model name of the monitoring simulation's rows in
// the metrics table, which targets name.
const MonitoringModel = "monitoring"

func defaultMonitoring() Monitoring {
	return Monitoring{Scenario: scenario.Default()}
}

// cloneMonitoring deep-copies the parts of a monitoring block a trial may
// not share.
func cloneMonitoring(m Monitoring) Monitoring {
	m.Scenario = m.Scenario.Clone()
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
func (p *parser) campaign(n *yaml.Node, path string) (scenario.Campaign, bool) {
	c := scenario.DefaultCampaign()
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
		d := scenario.Drift{}
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
func (p *parser) delay(n *yaml.Node, path string, d *timing.Dist) {
	kinds := timing.Kinds
	var got timing.Dist
	one := func(kind string, cv conv[float64]) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, cv, func(v float64) { got = timing.Dist{Kind: kind, A: v} })
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
				got = timing.Dist{Kind: kind, A: va, B: vb}
			}
		}
	}
	nonNeg := number(0, math.MaxFloat64, true, true)
	positive := number(0, math.MaxFloat64, false, true)
	present := p.mapping(n, path, []field{
		{timing.Fixed, one(timing.Fixed, nonNeg)},
		{timing.Uniform, two(timing.Uniform, nonNeg, nonNeg, func(a, b float64) string {
			if a > b {
				return fmt.Sprintf("lower bound %s is above upper bound %s: want [A, B] with A <= B", formatFloat(a), formatFloat(b))
			}
			return ""
		})},
		{timing.Exponential, one(timing.Exponential, positive)},
		{timing.LogNormal, two(timing.LogNormal, positive, nonNeg, func(float64, float64) string { return "" })},
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
			c, good := oneOf(scenario.DriftColumns...)(p, item, path)
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
func delayNode(d timing.Dist) *yaml.Node {
	switch d.Kind {
	case timing.Uniform, timing.LogNormal:
		ab := seq(true)
		ab.Content = append(ab.Content, floatNode(d.A), floatNode(d.B))
		return flowStyled(mapping(d.Kind, ab))
	}
	return flowStyled(mapping(d.Kind, floatNode(d.A)))
}
