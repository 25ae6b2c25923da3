package retrain

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// repeat returns n observations ending at hours first, first+1, …, each
// with feedback f and drift.
func repeat(first, n int, f Feedback, drift float64) []Observation {
	var out []Observation
	for i := range n {
		o := obs(first+i, f)
		o.Drift = drift
		out = append(out, o)
	}
	return out
}

// daily returns n observations ending at days 1, 2, …, n, each with
// feedback f and no drift measured.
func daily(n int, f Feedback) []Observation {
	var out []Observation
	for day := 1; day <= n; day++ {
		out = append(out, Observation{Time: time.Duration(day) * 24 * hour, Feedback: f, Drift: math.NaN()})
	}
	return out
}

func concat(parts ...[]Observation) []Observation {
	var out []Observation
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Expected figures are worked by hand from the rules in the package
// documentation ("Triggers") and the observations of each case.
func TestTriggers(t *testing.T) {
	nan := math.NaN()
	// 500 samples, 20 anomalies, 17 detected: detection rate 0.85.
	weak := feedback(500, 20, 17)
	tests := []struct {
		name   string
		rule   string
		config func(*Config)
		obs    []Observation
		want   []Event // trigger events, Reason ignored
		reason []string
	}{
		{
			name: "healthy",
			rule: "detection 0.95 >= 0.90 over 960 anomalies; drift 0.1 <= 0.25; schedule not due: no trigger",
			obs:  repeat(1, 48, feedback(500, 20, 19), 0.1),
		},
		{
			name: "detection 0.85",
			rule: "detection: 51/60 = 0.85 < 0.90 over 60 >= MinAnomalies 50 anomalies",
			obs:  repeat(1, 3, weak, nan),
			want: []Event{{Time: 3 * hour, Kind: EventTrigger, Triggers: TriggerDetection, Current: 0.85, Threshold: 0.9, Samples: 1500, Anomalies: 60}},
		},
		{
			name: "detection 0.85 fires once enough anomalies",
			rule: "detection: needs MinAnomalies; 40 anomalies at 2h do not suffice, 60 at 3h do",
			obs:  repeat(1, 3, weak, nan),
			config: func(c *Config) {
				c.MinAnomalies = 60
				c.MinSamples = 0
			},
			want: []Event{{Time: 3 * hour, Kind: EventTrigger, Triggers: TriggerDetection, Current: 0.85, Threshold: 0.9, Samples: 1500, Anomalies: 60}},
		},
		{
			name: "detection 0.5 from too few anomalies",
			rule: "detection: 5/10 = 0.5 but 10 < MinAnomalies 50 anomalies: no trigger",
			obs:  repeat(1, 5, feedback(500, 2, 1), nan),
		},
		{
			name: "detection exactly 0.90",
			rule: "detection: 45/50 = 0.90 is not below 0.90",
			obs:  repeat(1, 5, feedback(500, 10, 9), nan),
		},
		{
			name: "old anomalies leave the window",
			rule: "detection: the window ending at 1h is not in (26h - 24h, 26h]: 17/20 over 20 < 50 anomalies",
			obs:  []Observation{obs(1, feedback(500, 40, 30)), obs(26, weak)},
		},
		{
			name: "window boundary",
			rule: "detection: the window ending at 1h is not in (25h - 24h, 25h], which is open on the left: 20 < 50 anomalies",
			obs:  []Observation{obs(1, feedback(500, 40, 30)), obs(25, weak)},
		},
		{
			name: "anomalies within the window",
			rule: "detection: the window ending at 1h is in (24h - 24h, 24h]: 47/60 = 0.7833 over 60 anomalies",
			obs:  []Observation{obs(1, feedback(500, 40, 30)), obs(24, weak)},
			want: []Event{{Time: 24 * hour, Kind: EventTrigger, Triggers: TriggerDetection, Current: 47.0 / 60, Threshold: 0.9, Samples: 1000, Anomalies: 60}},
		},
		{
			name: "drift",
			rule: "drift: 0.3 > DriftThreshold 0.25",
			obs:  concat(repeat(1, 2, feedback(500, 1, 1), 0.1), repeat(3, 1, feedback(500, 1, 1), 0.3)),
			want: []Event{{Time: 3 * hour, Kind: EventTrigger, Triggers: TriggerDrift, Current: 1, Threshold: 0.9, Drift: 0.3, Samples: 1500, Anomalies: 3}},
		},
		{
			name: "drift at the threshold or not measured",
			rule: "drift: 0.25 is not above 0.25; NaN never fires",
			obs:  concat(repeat(1, 1, feedback(500, 0, 0), 0.25), repeat(2, 1, feedback(500, 0, 0), nan)),
		},
		{
			name:   "drift trigger disabled",
			rule:   "drift: DriftThreshold 0 disables the trigger",
			config: func(c *Config) { c.DriftThreshold = 0 },
			obs:    repeat(1, 2, feedback(500, 0, 0), 5),
		},
		{
			name: "new attack patterns",
			rule: "new patterns: 3 + 2 >= NewPatterns 5 unknown-type anomalies within the feedback window",
			obs: []Observation{
				obs(1, Feedback{Samples: 600, Anomalies: 3, NewPatterns: 3, Current: scored(600, 3, 3)}),
				obs(2, Feedback{Samples: 600, Anomalies: 2, NewPatterns: 2, Current: scored(600, 2, 2)}),
			},
			want: []Event{{Time: 2 * hour, Kind: EventTrigger, Triggers: TriggerNewPatterns, Current: 1, Threshold: 0.9, Samples: 1200, Anomalies: 5, NewPatterns: 5}},
		},
		{
			name: "schedule",
			rule: "schedule: 720h since the start >= Schedule 720h (30 days)",
			obs:  daily(30, feedback(50, 0, 0)),
			want: []Event{{Time: 720 * hour, Kind: EventTrigger, Triggers: TriggerSchedule, Threshold: 0.9, Samples: 1500}},
		},
		{
			name:   "several reasons in one event",
			rule:   "no trigger wins: detection, drift and schedule fire at 3h and share one trigger event",
			config: func(c *Config) { c.Schedule = 3 * hour },
			obs:    concat(repeat(1, 2, weak, nan), repeat(3, 1, weak, 0.4)),
			want: []Event{{Time: 3 * hour, Kind: EventTrigger, Triggers: TriggerDetection | TriggerDrift | TriggerSchedule,
				Current: 0.85, Threshold: 0.9, Drift: 0.4, Samples: 1500, Anomalies: 60}},
			reason: []string{
				"detection rate 0.8500 < 0.9000 over 60 labelled anomalies in 24h0m0s; drift 0.4000 > 0.2500; 3h0m0s since the last retrain >= 3h0m0s",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.config != nil {
				tt.config(&cfg)
			}
			p := mustNew(t, cfg)
			for _, o := range tt.obs {
				p.Observe(o)
			}
			got := ofKind(p.Events(), EventTrigger)
			if diff := diffEvents(tt.want, got, ignoreReason); diff != "" {
				t.Errorf("%s\ntrigger events mismatch (-want +got):\n%s", tt.rule, diff)
			}
			for i, r := range tt.reason {
				if i < len(got) && got[i].Reason != r {
					t.Errorf("trigger %d reason\n got %q\nwant %q", i, got[i].Reason, r)
				}
			}
		})
	}
}

// Rule "Triggers are evaluated only while Idle": a second trigger
// condition while waiting for samples records nothing.
func TestNoTriggerWhileBusy(t *testing.T) {
	cfg := testConfig()
	p := mustNew(t, cfg)
	weak := feedback(100, 20, 17)
	for h := 1; h <= 5; h++ {
		o := obs(h, weak)
		o.Drift = 0.9
		p.Observe(o)
	}
	want := []Kind{EventTrigger, EventWaitSamples}
	if got := kinds(p.Events()); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if got := p.State().Phase; got != WaitingForSamples {
		t.Errorf("phase %v, want %v", got, WaitingForSamples)
	}
}

// Rule "Waiting for samples": a trigger with 300 samples waits; the
// retrain comes in the window in which the samples since the start reach
// MinSamples 1,000 (100 per hourly window: at 10h).
func TestWaitForSamples(t *testing.T) {
	p := mustNew(t, testConfig())
	var actions []Action
	for h := 1; h <= 11; h++ {
		d := p.Observe(obs(h, feedback(100, 20, 17)))
		actions = append(actions, d.Action)
		if h == 3 && p.State().Phase != WaitingForSamples {
			t.Fatalf("phase at 3h %v, want %v", p.State().Phase, WaitingForSamples)
		}
	}
	wantActions := []Action{None, None, None, None, None, None, None, None, None, Retrain, None}
	for i := range wantActions {
		if actions[i] != wantActions[i] {
			t.Errorf("action at %dh = %v, want %v", i+1, actions[i], wantActions[i])
		}
	}
	want := []Event{
		{Time: 3 * hour, Kind: EventTrigger, Triggers: TriggerDetection, Current: 0.85, Threshold: 0.9, Samples: 300, Anomalies: 60,
			Reason: "detection rate 0.8500 < 0.9000 over 60 labelled anomalies in 24h0m0s"},
		{Time: 3 * hour, Kind: EventWaitSamples, Samples: 300, Threshold: 1000,
			Reason: "300 labelled samples since the last retrain < 1000 needed"},
		{Time: 10 * hour, Kind: EventRetrain, Samples: 1000, Anomalies: 200, Threshold: 1000,
			Reason: "1000 labelled samples (200 anomalies) since the last retrain >= 1000; waited 7h0m0s"},
	}
	if diff := diffEvents(want, p.Events()); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	// Rule "Samples": the Retrain action resets the count; the 11h window
	// adds 100. Evaluating decides nothing.
	if got, want := p.State(), (State{Phase: Evaluating, Samples: 100}); got != want {
		t.Errorf("State() = %+v, want %+v", got, want)
	}
}

// Rule "Waiting for samples": with the samples already there, the retrain
// is in the trigger's window, with no wait event.
func TestRetrainAtOnce(t *testing.T) {
	p := mustNew(t, testConfig())
	o := obs(1, feedback(1000, 0, 0))
	o.Drift = 0.5
	d := p.Observe(o)
	if d.Action != Retrain {
		t.Fatalf("action %v, want %v", d.Action, Retrain)
	}
	if got, want := kinds(d.Events), []Kind{EventTrigger, EventRetrain}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if r := d.Events[1].Reason; strings.Contains(r, "waited") {
		t.Errorf("retrain reason %q mentions a wait", r)
	}
}
