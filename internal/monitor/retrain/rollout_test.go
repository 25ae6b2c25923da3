package retrain

import (
	"math"
	"slices"
	"testing"
)

// step is one call of a scripted run: an Observe, or an ABResult when ab
// is set.
type step struct {
	obs        Observation
	ab         bool
	current    float64
	candidate  float64
	wantAction Action
}

// rolloutWindows returns hourly windows from hour first to last whose
// feedback the deployed model scored as current (anomalies, detected) and
// the candidate as candidate, expecting None.
func rolloutWindows(first, last int, current, candidate [2]int) []step {
	var steps []step
	for h := first; h <= last; h++ {
		f := Feedback{
			Samples:   1000,
			Anomalies: current[0] + candidate[0],
			Current:   Counts{TP: current[1], FN: current[0] - current[1]},
			Candidate: Counts{TP: candidate[1], FN: candidate[0] - candidate[1]},
		}
		steps = append(steps, step{obs: obs(h, f), wantAction: None})
	}
	return steps
}

// Expected figures are worked by hand from the rules "A/B test" and
// "Rollout" of the package documentation. Every case starts Evaluating
// after a drift trigger and retrain at 1h (see evaluating); stages last
// 24h, so with hourly windows stage 1 (from 1h) ends at 25h, stage 2 at
// 49h and stage 3 at 73h, each summing 24 windows.
func TestABAndRollout(t *testing.T) {
	// Per window: 20 anomalies scored by each model, detected 18 (0.90) or
	// 19 (0.95) or 14 (0.70); none ([2]int{}) when a model got no traffic.
	good, better, worse, none := [2]int{20, 18}, [2]int{20, 19}, [2]int{20, 14}, [2]int{}
	ab := func(current, candidate float64, want Action) step {
		return step{obs: Observation{Time: hour}, ab: true, current: current, candidate: candidate, wantAction: want}
	}
	// endsWith sets the action expected of the last step of s.
	endsWith := func(want Action, s []step) []step {
		s[len(s)-1].wantAction = want
		return s
	}
	var (
		stage1 = rolloutWindows(2, 25, good, better)
		stage2 = rolloutWindows(26, 49, good, better)
		stage3 = rolloutWindows(50, 73, none, better)
	)
	tests := []struct {
		name      string
		rule      string
		steps     []step
		want      []Event // after the setup's trigger and retrain
		wantState State
	}{
		{
			name: "promote",
			rule: "A/B: 0.95 - 0.90 = 0.05 > 0.02: rollout 10% -> 50% -> 100%, each stage not worse; incumbent unscored at 100% counts as not worse; then Promote",
			steps: concat2(
				[]step{ab(0.90, 0.95, Rollout)},
				endsWith(Rollout, stage1),
				endsWith(Rollout, stage2),
				endsWith(Promote, stage3),
			),
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.95, Threshold: 0.02,
					Reason: "candidate 0.9500 - current 0.9000 = improvement 0.0500; promotion needs > 0.0200"},
				{Time: hour, Kind: EventRolloutStage, Stage: 1, Share: 0.1, Threshold: 0.02,
					Reason: "A/B improvement 0.0500 > 0.0200: candidate gets 10% of traffic"},
				{Time: 25 * hour, Kind: EventRolloutStage, Stage: 2, Share: 0.5, Threshold: 0.02,
					Current: 0.90, Anomalies: 480, Candidate: 0.95, CandidateAnomalies: 480,
					Reason: "stage 1 (10%): candidate 0.9500 over 480 anomalies, current 0.9000 over 480: not worse by more than 0.0200; candidate gets 50% of traffic"},
				{Time: 49 * hour, Kind: EventRolloutStage, Stage: 3, Share: 1, Threshold: 0.02,
					Current: 0.90, Anomalies: 480, Candidate: 0.95, CandidateAnomalies: 480,
					Reason: "stage 2 (50%): candidate 0.9500 over 480 anomalies, current 0.9000 over 480: not worse by more than 0.0200; candidate gets 100% of traffic"},
				{Time: 73 * hour, Kind: EventPromote, Stage: 3, Share: 1, Threshold: 0.02,
					Candidate: 0.95, CandidateAnomalies: 480,
					Reason: "stage 3 (100%): candidate 0.9500 over 480 anomalies; current scored none: treated as not worse; candidate becomes the deployed model; cooldown until 97h0m0s"},
			},
			wantState: State{Phase: Idle, CooldownUntil: 97 * hour, Samples: 72000},
		},
		{
			name:  "reject improvement 0.01",
			rule:  "A/B: 0.91 - 0.90 = 0.01 <= 0.02: reject, Idle, cooldown 24h",
			steps: []step{ab(0.90, 0.91, Reject)},
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.91, Threshold: 0.02,
					Reason: "candidate 0.9100 - current 0.9000 = improvement 0.0100; promotion needs > 0.0200"},
				{Time: hour, Kind: EventReject, Current: 0.90, Candidate: 0.91, Threshold: 0.02,
					Reason: "improvement 0.0100 <= 0.0200; cooldown until 25h0m0s"},
			},
			wantState: State{Phase: Idle, CooldownUntil: 25 * hour},
		},
		{
			name:  "reject improvement exactly 0.02",
			rule:  "A/B and Ties: 0.92 - 0.90 is 0.020000000000000018 in float64, an improvement of exactly 0.02: reject",
			steps: []step{ab(0.90, 0.92, Reject)},
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.92, Threshold: 0.02,
					Reason: "candidate 0.9200 - current 0.9000 = improvement 0.0200; promotion needs > 0.0200"},
				{Time: hour, Kind: EventReject, Current: 0.90, Candidate: 0.92, Threshold: 0.02,
					Reason: "improvement 0.0200 <= 0.0200; cooldown until 25h0m0s"},
			},
			wantState: State{Phase: Idle, CooldownUntil: 25 * hour},
		},
		{
			name: "rollback in the 50% stage",
			rule: "Rollout: stage 2, candidate 336/480 = 0.70 vs current 0.90: worse by 0.20 > 0.02: Rollback, Idle, cooldown 24h",
			steps: concat2(
				[]step{ab(0.90, 0.95, Rollout)},
				endsWith(Rollout, rolloutWindows(2, 25, good, better)),
				endsWith(Rollback, rolloutWindows(26, 49, good, worse)),
				rolloutWindows(50, 51, good, none),
			),
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.95, Threshold: 0.02,
					Reason: "candidate 0.9500 - current 0.9000 = improvement 0.0500; promotion needs > 0.0200"},
				{Time: hour, Kind: EventRolloutStage, Stage: 1, Share: 0.1, Threshold: 0.02,
					Reason: "A/B improvement 0.0500 > 0.0200: candidate gets 10% of traffic"},
				{Time: 25 * hour, Kind: EventRolloutStage, Stage: 2, Share: 0.5, Threshold: 0.02,
					Current: 0.90, Anomalies: 480, Candidate: 0.95, CandidateAnomalies: 480,
					Reason: "stage 1 (10%): candidate 0.9500 over 480 anomalies, current 0.9000 over 480: not worse by more than 0.0200; candidate gets 50% of traffic"},
				{Time: 49 * hour, Kind: EventRollback, Stage: 2, Threshold: 0.02,
					Current: 0.90, Anomalies: 480, Candidate: 0.70, CandidateAnomalies: 480,
					Reason: "stage 2 (50%): candidate 0.7000 over 480 anomalies, current 0.9000 over 480: worse by 0.2000 > 0.0200; cooldown until 73h0m0s"},
			},
			wantState: State{Phase: Idle, CooldownUntil: 73 * hour, Samples: 50000},
		},
		{
			name: "worse within the tolerance",
			rule: "Rollout: candidate 0.89 vs current 0.90 is worse by 0.01 <= 0.02: not worse, advance",
			steps: concat2(
				[]step{ab(0.90, 0.95, Rollout)},
				endsWith(Rollout, rolloutWindows(2, 25, [2]int{100, 90}, [2]int{100, 89})),
			),
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.95, Threshold: 0.02},
				{Time: hour, Kind: EventRolloutStage, Stage: 1, Share: 0.1, Threshold: 0.02},
				{Time: 25 * hour, Kind: EventRolloutStage, Stage: 2, Share: 0.5, Threshold: 0.02,
					Current: 0.90, Anomalies: 2400, Candidate: 0.89, CandidateAnomalies: 2400},
			},
			wantState: State{Phase: RollingOut, Stage: 2, Share: 0.5, Samples: 24000},
		},
		{
			name: "stage with no candidate anomalies",
			rule: "Rollout: the candidate scored no labelled anomalies in stage 1: treated as not worse, recorded",
			steps: concat2(
				[]step{ab(0.90, 0.95, Rollout)},
				endsWith(Rollout, rolloutWindows(2, 25, good, none)),
			),
			want: []Event{
				{Time: hour, Kind: EventABTest, Current: 0.90, Candidate: 0.95, Threshold: 0.02},
				{Time: hour, Kind: EventRolloutStage, Stage: 1, Share: 0.1, Threshold: 0.02},
				{Time: 25 * hour, Kind: EventRolloutStage, Stage: 2, Share: 0.5, Threshold: 0.02, Current: 0.90, Anomalies: 480,
					Reason: "stage 1 (10%): current 0.9000 over 480 anomalies; candidate scored none: treated as not worse; candidate gets 50% of traffic"},
			},
			wantState: State{Phase: RollingOut, Stage: 2, Share: 0.5, Samples: 24000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := evaluating(t, testConfig())
			setup := len(p.Events())
			for _, s := range tt.steps {
				var d Decision
				if s.ab {
					d = p.ABResult(s.obs.Time, s.current, s.candidate)
				} else {
					d = p.Observe(s.obs)
				}
				if d.Action != s.wantAction {
					t.Fatalf("%s\nat %v: action %v, want %v; events %+v", tt.rule, s.obs.Time, d.Action, s.wantAction, d.Events)
				}
				if want := wantShare(d.Action, p.State()); math.Abs(d.Share-want) > 1e-12 {
					t.Errorf("at %v: %v with share %v, want %v", s.obs.Time, d.Action, d.Share, want)
				}
			}
			got := p.Events()[setup:]
			// A wanted event without a Reason checks figures only.
			want := slices.Clone(tt.want)
			for i := range want {
				if want[i].Reason == "" && i < len(got) {
					want[i].Reason = got[i].Reason
				}
			}
			if diff := diffEvents(want, got); diff != "" {
				t.Errorf("%s\nevents mismatch (-want +got):\n%s", tt.rule, diff)
			}
			if got := p.State(); got != tt.wantState {
				t.Errorf("State() = %+v, want %+v", got, tt.wantState)
			}
		})
	}
}

// wantShare is the Decision.Share rule: 1 on Promote, else the share in
// effect.
func wantShare(a Action, s State) float64 {
	if a == Promote {
		return 1
	}
	return s.Share
}

func concat2(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Rule "Cooldown": after a rejection at 1h, a detection rate of 0.85
// (enough anomalies and samples) cannot trigger before 1h + 24h = 25h,
// and does at 25h.
func TestCooldown(t *testing.T) {
	p := evaluating(t, testConfig())
	p.ABResult(hour, 0.90, 0.91)
	for h := 2; h <= 25; h++ {
		d := p.Observe(obs(h, feedback(1000, 60, 51)))
		want := None
		if h == 25 {
			want = Retrain
		}
		if d.Action != want {
			t.Fatalf("at %dh: action %v, want %v; events %+v", h, d.Action, want, d.Events)
		}
	}
	triggers := ofKind(p.Events(), EventTrigger)
	if len(triggers) != 2 || triggers[1].Time != 25*hour || triggers[1].Triggers != TriggerDetection {
		t.Errorf("trigger events %+v, want the setup's and a detection trigger at 25h", triggers)
	}
}

// Rule "Cooldown": promotion clears the feedback window. The incumbent,
// shadow-scored at 100%, detected 0.5 of 480 anomalies in stage 3; had the
// window kept them, the 20 anomalies the new model scored at 74h (all
// detected) would give 260/500 = 0.52 and fire. With them cleared, 20 <
// MinAnomalies 50: no trigger.
func TestPromoteClearsWindow(t *testing.T) {
	cfg := testConfig()
	cfg.Cooldown = 0
	p := evaluating(t, cfg)
	p.ABResult(hour, 0.90, 0.95)
	steps := concat2(
		rolloutWindows(2, 25, [2]int{20, 18}, [2]int{20, 19}),
		rolloutWindows(26, 49, [2]int{20, 18}, [2]int{20, 19}),
		rolloutWindows(50, 73, [2]int{20, 10}, [2]int{20, 19}),
	)
	var last Decision
	for _, s := range steps {
		last = p.Observe(s.obs)
	}
	if last.Action != Promote {
		t.Fatalf("at 73h: action %v, want promote; events %+v", last.Action, last.Events)
	}
	if d := p.Observe(obs(74, feedback(1000, 20, 20))); d.Action != None || len(d.Events) != 0 {
		t.Errorf("at 74h: %v with events %+v, want none", d.Action, d.Events)
	}
}

// Events are appended in call order, hence in non-decreasing time.
func TestEventsInTimeOrder(t *testing.T) {
	events := simulate(t, 1)
	if len(events) < 20 {
		t.Fatalf("simulation recorded %d events, want a few cycles", len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i].Time < events[i-1].Time {
			t.Errorf("event %d at %v before event %d at %v", i, events[i].Time, i-1, events[i-1].Time)
		}
	}
}
