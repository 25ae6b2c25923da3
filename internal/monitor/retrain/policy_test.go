package retrain

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// simulate drives a policy with the default configuration through 120 days
// of hourly windows of a synthetic deployment whose model decays (its
// detection rate drops 0.005 a day) until a retrained candidate replaces
// it, with random feedback, drift and A/B results drawn from seed. It
// returns the event log.
func simulate(t testing.TB, seed uint64) []Event {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x5e6))
	p := mustNew(t, testConfig())
	deployed, candidate := 0.96, 0.0
	binomial := func(n int, rate float64) int {
		k := 0
		for range n {
			if rng.Float64() < rate {
				k++
			}
		}
		return k
	}
	for h := 1; h <= 120*24; h++ {
		now := time.Duration(h) * time.Hour
		deployed -= 0.005 / 24
		share := p.State().Share
		anomalies := rng.IntN(12)
		toCandidate := binomial(anomalies, share)
		toCurrent := anomalies - toCandidate
		currentTP, candidateTP := binomial(toCurrent, deployed), binomial(toCandidate, candidate)
		f := Feedback{
			Samples: 15, Anomalies: anomalies, NewPatterns: binomial(anomalies, 0.01),
			Current:   Counts{TP: currentTP, FN: toCurrent - currentTP},
			Candidate: Counts{TP: candidateTP, FN: toCandidate - candidateTP},
		}
		drift := rng.Float64() * 0.27
		if h%6 != 0 {
			drift = math.NaN() // measured every 6 hours
		}
		d := p.Observe(Observation{Time: now, Feedback: f, Drift: drift})
		switch d.Action {
		case Retrain:
			candidate = 0.93 + 0.05*rng.Float64()
			p.ABResult(now, deployed, candidate)
		case Promote:
			deployed = candidate
		}
	}
	return p.Events()
}

// Rule "Events": the same observations give the same log, to the byte.
func TestDeterminism(t *testing.T) {
	first, second := simulate(t, 1), simulate(t, 1)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Fatalf("same sequence, different events (-first +second):\n%s", diff)
	}
	a, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err) // fails on a NaN or infinite figure
	}
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Error("same events, different JSON")
	}
	seen := map[Kind]bool{}
	for _, e := range first {
		seen[e.Kind] = true
	}
	for _, k := range []Kind{EventTrigger, EventWaitSamples, EventRetrain, EventABTest, EventRolloutStage, EventPromote, EventReject} {
		if !seen[k] {
			t.Errorf("simulation recorded no %s event; it should exercise every phase", k)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // substring of the error; "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"triggers disabled", func(c *Config) { c.DriftThreshold, c.NewPatterns, c.Schedule, c.MinSamples, c.Cooldown = 0, 0, 0, 0, 0 }, ""},
		{"single stage", func(c *Config) { c.Rollout = []float64{1} }, ""},
		{"MinDetection above 1", func(c *Config) { c.MinDetection = 90 }, "MinDetection 90 outside [0, 1]"},
		{"MinDetection NaN", func(c *Config) { c.MinDetection = math.NaN() }, "MinDetection NaN"},
		{"FeedbackWindow 0", func(c *Config) { c.FeedbackWindow = 0 }, "FeedbackWindow 0s <= 0"},
		{"MinAnomalies 0", func(c *Config) { c.MinAnomalies = 0 }, "MinAnomalies 0 < 1"},
		{"DriftThreshold negative", func(c *Config) { c.DriftThreshold = -0.1 }, "DriftThreshold -0.1"},
		{"DriftThreshold infinite", func(c *Config) { c.DriftThreshold = math.Inf(1) }, "DriftThreshold +Inf"},
		{"NewPatterns negative", func(c *Config) { c.NewPatterns = -1 }, "NewPatterns -1 < 0"},
		{"Schedule negative", func(c *Config) { c.Schedule = -time.Hour }, "Schedule -1h0m0s < 0"},
		{"MinSamples negative", func(c *Config) { c.MinSamples = -1 }, "MinSamples -1 < 0"},
		{"MinImprovement percent", func(c *Config) { c.MinImprovement = 2 }, "MinImprovement 2 outside [0, 1]"},
		{"MinImprovement negative", func(c *Config) { c.MinImprovement = -0.01 }, "MinImprovement -0.01"},
		{"Rollout empty", func(c *Config) { c.Rollout = nil }, "Rollout is empty"},
		{"Rollout zero share", func(c *Config) { c.Rollout = []float64{0, 1} }, "Rollout[0] 0 outside (0, 1]"},
		{"Rollout not increasing", func(c *Config) { c.Rollout = []float64{0.5, 0.5, 1} }, "Rollout[1] 0.5 not above Rollout[0] 0.5"},
		{"Rollout not ending at 1", func(c *Config) { c.Rollout = []float64{0.1, 0.5} }, "Rollout ends at 0.5, not 1"},
		{"StageDuration 0", func(c *Config) { c.StageDuration = 0 }, "StageDuration 0s <= 0"},
		{"RollbackTolerance negative", func(c *Config) { c.RollbackTolerance = -1 }, "RollbackTolerance -1"},
		{"Cooldown negative", func(c *Config) { c.Cooldown = -time.Second }, "Cooldown -1s < 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.modify(&cfg)
			err := cfg.Validate()
			_, newErr := New(cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			case (err == nil) != (newErr == nil):
				t.Errorf("New error %v, Validate error %v", newErr, err)
			}
		})
	}
}

// Rule "Misuse panics".
func TestMisusePanics(t *testing.T) {
	tests := []struct {
		name string
		call func(p *Policy)
		want string
	}{
		{"Observe at time 0", func(p *Policy) { p.Observe(obs(0, Feedback{})) }, "Observe at 0s, not after 0s"},
		{"Observe back in time", func(p *Policy) { p.Observe(obs(2, Feedback{})); p.Observe(obs(1, Feedback{})) }, "Observe at 1h0m0s, not after 2h0m0s"},
		{"Observe twice at one time", func(p *Policy) { p.Observe(obs(2, Feedback{})); p.Observe(obs(2, Feedback{})) }, "not after"},
		{"negative count", func(p *Policy) { p.Observe(obs(1, Feedback{Current: Counts{FN: -1}})) }, "negative count"},
		{"anomalies above samples", func(p *Policy) { p.Observe(obs(1, Feedback{Samples: 1, Anomalies: 2})) }, "2 anomalies among 1 samples"},
		{"new patterns above anomalies", func(p *Policy) { p.Observe(obs(1, Feedback{Samples: 3, Anomalies: 1, NewPatterns: 2})) }, "2 new-pattern anomalies among 1"},
		{"infinite drift", func(p *Policy) { p.Observe(Observation{Time: hour, Drift: math.Inf(1)}) }, "drift +Inf"},
		{"ABResult while idle", func(p *Policy) { p.ABResult(hour, 0.9, 0.95) }, "while idle, not evaluating"},
		{"ABResult in the past", func(p *Policy) {
			o := obs(3, Feedback{Samples: 1000})
			o.Drift = 1
			p.Observe(o)
			p.ABResult(2*hour, 0.9, 0.95)
		}, "ABResult at 2h0m0s, before 3h0m0s"},
		{"ABResult metric in percent", func(p *Policy) {
			o := obs(1, Feedback{Samples: 1000})
			o.Drift = 1
			p.Observe(o)
			p.ABResult(hour, 90, 95)
		}, "metrics 90, 95 outside [0, 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "retrain: ") || !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v, want a \"retrain: \" panic containing %q", r, tt.want)
				}
			}()
			tt.call(mustNew(t, testConfig()))
		})
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Triggers(0).String(), ""},
		{TriggerDrift.String(), "drift"},
		{(TriggerDetection | TriggerNewPatterns | TriggerSchedule).String(), "detection+new_patterns+schedule"},
		{Retrain.String(), "retrain"},
		{Rollback.String(), "rollback"},
		{Action(9).String(), "Action(9)"},
		{WaitingForSamples.String(), "waiting_for_samples"},
		{Phase(-1).String(), "Phase(-1)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// The policy keeps its own copies: changing the caller's Rollout, or the
// slices Events and Config return, does not change it.
func TestCopies(t *testing.T) {
	cfg := testConfig()
	p := mustNew(t, cfg)
	cfg.Rollout[0] = 0.3
	p.Config().Rollout[0] = 0.4
	if got := p.Config().Rollout[0]; got != 0.1 {
		t.Errorf("Rollout[0] = %v after the caller's edits, want 0.1", got)
	}
	o := obs(1, Feedback{Samples: 1000})
	o.Drift = 1
	p.Observe(o)
	p.Events()[0].Kind = "edited"
	if got := p.Events()[0].Kind; got != EventTrigger {
		t.Errorf("Events()[0].Kind = %q after editing a copy, want %q", got, EventTrigger)
	}
}
