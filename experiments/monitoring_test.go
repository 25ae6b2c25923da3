package experiments

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/scenario"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/synth"
	"go.yaml.in/yaml/v3"
)

// TestDuration checks the duration converter: Go's syntax with a d unit,
// the integer 0, whole seconds, the range, and the messages of what it
// refuses; and that formatDuration writes what it reads back.
func TestDuration(t *testing.T) {
	const h, m, s = time.Hour, time.Minute, time.Second
	tests := []struct {
		yaml   string // the value as written in a file
		lo, hi time.Duration
		want   time.Duration
		err    string // the message; "" for none
		format string // formatDuration(want); "" when it is yaml
	}{
		{yaml: "7d", want: 7 * day},
		{yaml: "1d12h", want: 36 * h},
		{yaml: "36h", want: 36 * h, format: "1d12h"},
		{yaml: "90m", want: 90 * m, format: "1h30m"},
		{yaml: "1h30m", want: 90 * m},
		{yaml: "30s", want: 30 * s},
		{yaml: "90s", want: 90 * s, format: "1m30s"},
		{yaml: "1.5h", want: 90 * m, format: "1h30m"},
		{yaml: "0.5d", want: 12 * h, format: "12h"},
		{yaml: ".5m", want: 30 * s, format: "30s"},
		{yaml: "2000ms", want: 2 * s, format: "2s"},
		{yaml: "1d1s", want: day + s},
		{yaml: "1h1h", want: 2 * h, format: "2h"},
		{yaml: "30d", want: 30 * day},
		{yaml: "3650d", want: maxDuration},
		{yaml: "0", want: 0},
		{yaml: `"0"`, want: 0},
		{yaml: "0s", want: 0, format: "0"},
		{yaml: "0d0h", want: 0, format: "0"},
		{yaml: "0x0", want: 0, format: "0"}, // YAML's integer 0 in hex

		{yaml: "7 days", err: `want a duration like 1h, 30m or 7d, got "7 days"`},
		{yaml: "1y", err: `want a duration like 1h, 30m or 7d, got "1y"`},
		{yaml: "d", err: `want a duration like 1h, 30m or 7d, got "d"`},
		{yaml: "1h 30m", err: `want a duration like 1h, 30m or 7d, got "1h 30m"`},
		{yaml: "+1h", err: `want a duration like 1h, 30m or 7d, got "+1h"`},
		{yaml: "1H", err: `want a duration like 1h, 30m or 7d, got "1H"`},
		{yaml: `""`, err: `want a duration like 1h, 30m or 7d, got ""`},
		{yaml: "5", err: "want a duration like 1h, 30m or 7d, got 5 (a number needs a unit)"},
		{yaml: "1.5", err: "want a duration like 1h, 30m or 7d, got 1.5"},
		{yaml: "true", err: "want a duration like 1h, 30m or 7d, got true (a boolean)"},
		{yaml: "null", err: "missing value: want a duration like 1h, 30m or 7d"},
		{yaml: "[1h]", err: "want a duration like 1h, 30m or 7d, got a list"},
		{yaml: "-1h", err: "-1h is negative"},
		{yaml: "-0.5d", err: "-0.5d is negative"},
		{yaml: "1500ms", err: "1500ms is not a whole number of seconds"},
		{yaml: "1.0001m", err: "1.0001m is not a whole number of seconds"},
		{yaml: "1ns", err: "1ns is not a whole number of seconds"},
		{yaml: "3651d", err: "3651d is outside [0, 3650d]"},
		{yaml: "3650d1s", err: "3650d1s is outside [0, 3650d]"},
		{yaml: "99999999999999h", err: "99999999999999h is outside [0, 3650d]"},
		{yaml: "9999999999999999999999s", err: "9999999999999999999999s is outside [0, 3650d]"},
		{yaml: "0", lo: s, err: "0 is outside [1s, 3650d]"},
		{yaml: "30s", lo: m, hi: day, err: "30s is outside [1m, 1d]"},
		{yaml: "25h", lo: m, hi: day, err: "1d1h is outside [1m, 1d]"},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+tt.yaml), &doc); err != nil {
			t.Fatal(err)
		}
		n := doc.Content[0].Content[1]
		p := &parser{file: "d.yaml", pos: map[string]*yaml.Node{}, bad: map[string]bool{}}
		hi := tt.hi
		if hi == 0 {
			hi = maxDuration
		}
		got, ok := duration(tt.lo, hi)(p, n, "k")
		var msg string
		if len(p.errs) > 0 {
			msg = p.errs[0].Msg
		}
		if tt.err != "" {
			if ok || len(p.errs) != 1 || msg != tt.err {
				t.Errorf("duration(%s) = %v, %v, errors %v; want the error %q", tt.yaml, got, ok, p.errs, tt.err)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("duration(%s) = %v, %v (%v); want %v", tt.yaml, got, ok, p.errs, tt.want)
			continue
		}
		want := tt.format
		if want == "" {
			want = strings.Trim(tt.yaml, `"`)
		}
		if f := formatDuration(got); f != want {
			t.Errorf("formatDuration(%v) = %q, want %q", got, f, want)
		}
		if back, err := parseDuration(formatDuration(got)); err != nil || back != got {
			t.Errorf("parseDuration(formatDuration(%v)) = %v, %v", got, back, err)
		}
	}
}

// monitoringHead is a valid file up to a monitoring block.
const monitoringHead = `name: mon
seeds: [1]
models:
  - {name: iso, kind: isolation_forest}
  - {name: rf, kind: random_forest}
  - {name: rf2, kind: random_forest}
`

// TestMonitoringFull: every key of the block reaches the spec as written.
func TestMonitoringFull(t *testing.T) {
	exp := parseString(t, "mon.yaml", monitoringHead+`monitoring:
  model: rf2
  period: 14d
  window: 30m
  flows_per_day: 1e6
  business_hours_factor: 2.5
  campaigns:
    - {name: mining, type: crypto_mining, variant: throttled_mining, start: 1d6h, duration: 3h, every: 1d, rate: 120,
       src_department: accounting, src_device_type: workstation, difficulty: 0.25, cpu_shift: -40}
    - {name: lateral, type: lateral_movement, start: 0}
  drifts:
    - {start: 3d, ramp: 1d, bytes_log_shift: 0.7, cpu_shift: 5, device_weights: {server: 1, workstation: 2}}
    - {start: 5d, cpu_shift: -3}
  timing:
    export_interval: 0
    scoring_interval: 10s
    triage: {uniform: [1, 4]}
    containment: {exponential: 6}
  feedback: {delay: 2h, normal_fraction: 0, anomaly_fraction: 1}
  retraining:
    enabled: false
    min_detection: 0.85
    feedback_window: 12h
    min_anomalies: 20
    drift_threshold: 0
    new_patterns: 0
    schedule: 0
    min_samples: 10
    min_improvement: 0
    rollout: [1]
    stage_duration: 6h
    rollback_tolerance: 0.1
    cooldown: 0
    holdout: 6h
    max_samples: 10
  drift_features: [duration, cpu_usage]
  drift_bins: 20
  store_scores: true
targets:
  - {model: monitoring, metric: mttd_minutes, "<=": 15}
regressions:
  - {model: monitoring, metric: detection_rate, better: higher, tolerance: 0.05}
`)
	want := Monitoring{Enabled: true, Model: "rf2", Scenario: scenario.Scenario{
		Period: 14 * day, Window: 30 * time.Minute, FlowsPerDay: 1000000, BusinessHoursFactor: 2.5,
		Campaigns: []scenario.Campaign{
			{Name: "mining", Variant: "throttled_mining", Start: 30 * time.Hour, Duration: 3 * time.Hour, Every: day, Rate: 120,
				Attack: synth.Attack{Type: "crypto_mining", SrcDepartment: "accounting", SrcDeviceType: "workstation", Difficulty: 0.25, CPUShift: -40}},
			{Name: "lateral", Variant: "lateral_movement", Duration: time.Hour, Rate: 100, Attack: synth.Attack{Type: "lateral_movement"}},
		},
		Drifts: []scenario.Drift{
			{Start: 3 * day, Ramp: day, Drift: synth.Drift{BytesLogShift: 0.7, CPUShift: 5, DeviceWeights: []float64{2, 1, 0, 0, 0, 0}}},
			{Start: 5 * day, Drift: synth.Drift{CPUShift: -3}},
		},
		Timing: timing.Model{ScoringInterval: 10 * time.Second,
			Triage: timing.Dist{Kind: "uniform", A: 1, B: 4}, Containment: timing.Dist{Kind: "exponential", A: 6}},
		Feedback: scenario.Feedback{Delay: 2 * time.Hour, AnomalyFraction: 1},
		Retraining: scenario.Retraining{Config: retrain.Config{MinDetection: 0.85, FeedbackWindow: 12 * time.Hour, MinAnomalies: 20, MinSamples: 10,
			Rollout: []float64{1}, StageDuration: 6 * time.Hour, RollbackTolerance: 0.1}, Holdout: 6 * time.Hour, MaxSamples: 10},
		DriftFeatures: []string{"duration", "cpu_usage"},
		DriftBins:     20,
		StoreScores:   true,
	}}
	if diff := cmp.Diff(want, exp.Spec.Monitoring, approx); diff != "" {
		t.Errorf("monitoring mismatch (-want +got):\n%s", diff)
	}
	if m := exp.Spec.MonitoredModel(); m == nil || m.Name != "rf2" {
		t.Errorf("MonitoredModel() = %v, want rf2", m)
	}
	// A trial's monitoring block is its own.
	tr := exp.Trials[0].Spec.Monitoring
	tr.Drifts[0].DeviceWeights[0] = 9
	tr.Retraining.Rollout[0] = 9
	tr.DriftFeatures[0] = "x"
	if diff := cmp.Diff(want, exp.Spec.Monitoring, approx); diff != "" {
		t.Errorf("changing a trial's spec changed the experiment's (-want +got):\n%s", diff)
	}
}

// TestMonitoringDefaults: an empty block is the defaults, deploying the
// first random-forest detector, without retraining; a retraining block
// turns it on with its defaults, unless enabled says otherwise.
func TestMonitoringDefaults(t *testing.T) {
	tests := []struct {
		block string
		want  func(m *Monitoring)
	}{
		{"{}", func(m *Monitoring) {}},
		{"{retraining: {}}", func(m *Monitoring) { m.Retraining.Enabled = true }},
		{"{retraining: {enabled: true}}", func(m *Monitoring) { m.Retraining.Enabled = true }},
		{"{retraining: {enabled: false, cooldown: 2d}}", func(m *Monitoring) { m.Retraining.Cooldown = 2 * day }},
		{"{timing: {triage: {fixed: 0}}}", func(m *Monitoring) { m.Timing.Triage = timing.Dist{Kind: "fixed"} }},
		{"{timing: {containment: {lognormal: [10, 0]}}}", func(m *Monitoring) {
			m.Timing.Containment = timing.Dist{Kind: "lognormal", A: 10}
		}},
		{"{feedback: {delay: 0}}", func(m *Monitoring) { m.Feedback.Delay = 0 }},
		{"{campaigns: [], drifts: []}", func(m *Monitoring) {}},
		{"{window: 1d, period: 1d}", func(m *Monitoring) { m.Window, m.Period = day, day }},
		{"{drifts: [{device_weights: {iot: 1}}]}", func(m *Monitoring) {
			m.Drifts = []scenario.Drift{{Drift: synth.Drift{DeviceWeights: []float64{0, 0, 0, 0, 0, 1}}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.block, func(t *testing.T) {
			exp := parseString(t, "mon.yaml", monitoringHead+"monitoring: "+tt.block+"\n")
			want := defaultMonitoring()
			want.Enabled, want.Model = true, "rf"
			tt.want(&want)
			if diff := cmp.Diff(want, exp.Spec.Monitoring, approx, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("monitoring mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// Without the key: no simulation, the defaults untouched.
	exp := parseString(t, "none.yaml", monitoringHead)
	if diff := cmp.Diff(defaultMonitoring(), exp.Spec.Monitoring, approx); diff != "" {
		t.Errorf("no monitoring key: (-want +got):\n%s", diff)
	}
	if m := exp.Spec.MonitoredModel(); m == nil || m.Name != "rf" {
		t.Errorf("MonitoredModel() = %v, want the first random-forest detector rf", m)
	}
}

// TestMonitoringSweep: the sweepable keys of the block make axes, zipped
// or not, and each trial's spec holds its values.
func TestMonitoringSweep(t *testing.T) {
	exp := parseString(t, "mon.yaml", monitoringHead+`monitoring:
  flows_per_day: [1000, 1e4]
  zip: {business_hours_factor: [1, 3]}
  feedback: {normal_fraction: [0.01, 0.1], zip: {anomaly_fraction: [0.5, 1]}}
  retraining: {enabled: [true, false], min_detection: [0.9], drift_threshold: [0, 0.25], min_improvement: [0.02]}
`)
	want := []Axis{
		{Name: "flows_per_day", Path: "monitoring.flows_per_day", Values: []string{"1000", "10000"}},
		{Name: "business_hours_factor", Path: "monitoring.business_hours_factor", Values: []string{"1", "3"}, Group: 1},
		{Name: "normal_fraction", Path: "monitoring.feedback.normal_fraction", Values: []string{"0.01", "0.1"}},
		{Name: "anomaly_fraction", Path: "monitoring.feedback.anomaly_fraction", Values: []string{"0.5", "1"}, Group: 2},
		{Name: "enabled", Path: "monitoring.retraining.enabled", Values: []string{"true", "false"}},
		{Name: "min_detection", Path: "monitoring.retraining.min_detection", Values: []string{"0.9"}},
		{Name: "drift_threshold", Path: "monitoring.retraining.drift_threshold", Values: []string{"0", "0.25"}},
		{Name: "min_improvement", Path: "monitoring.retraining.min_improvement", Values: []string{"0.02"}},
	}
	if diff := cmp.Diff(want, exp.Axes); diff != "" {
		t.Errorf("axes mismatch (-want +got):\n%s", diff)
	}
	checkTrials(t, exp)
	checkTrialSpecs(t, exp)
	if len(exp.Trials) != 64 {
		t.Errorf("%d trials, want 2^6 = 64", len(exp.Trials))
	}
	last := exp.Trials[len(exp.Trials)-1]
	var params []string
	for _, p := range last.Params {
		params = append(params, p.Name+"="+p.Value)
	}
	if got := strings.Join(params, "/"); got != "flows_per_day=10000/business_hours_factor=3/normal_fraction=0.1/anomaly_fraction=1/enabled=false/min_detection=0.9/drift_threshold=0.25/min_improvement=0.02" {
		t.Errorf("last trial's params %s", got)
	}
	if s := last.Spec.Monitoring; s.FlowsPerDay != 10000 || s.BusinessHoursFactor != 3 || s.Retraining.Enabled || s.Retraining.DriftThreshold != 0.25 {
		t.Errorf("last trial's monitoring %+v", s)
	}
}
