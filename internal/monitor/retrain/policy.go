package retrain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// tie is the distance within which a figure counts as equal to the
// threshold it is compared with (see "Ties" in the package documentation).
const tie = 1e-9

// Policy is the retraining state machine. Create it with New; drive it with
// Observe once per window and ABResult after each Retrain action.
type Policy struct {
	cfg Config

	phase Phase
	stage int     // 1-based rollout stage while RollingOut
	share float64 // candidate's share of live traffic

	last          time.Duration // time of the last Observe or ABResult
	lastRetrain   time.Duration // time of the last Retrain action, or 0
	cooldownUntil time.Duration
	waitSince     time.Duration // time of the trigger while WaitingForSamples

	samples, anomalies int // labelled feedback since the last retrain

	window window // deployed model's feedback, for the triggers

	stageStart                   time.Duration
	stageCurrent, stageCandidate Counts
	events                       []Event
}

// New returns a policy in the Idle phase at time 0, or the error of
// cfg.Validate. The policy keeps its own copy of cfg.Rollout.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Rollout = slices.Clone(cfg.Rollout)
	return &Policy{cfg: cfg}, nil
}

// Config returns the policy's configuration.
func (p *Policy) Config() Config {
	c := p.cfg
	c.Rollout = slices.Clone(c.Rollout)
	return c
}

// State returns the policy's current state.
func (p *Policy) State() State {
	return State{Phase: p.phase, Stage: p.stage, Share: p.share, Samples: p.samples, CooldownUntil: p.cooldownUntil}
}

// Events returns a copy of the full event log, in order.
func (p *Policy) Events() []Event { return slices.Clone(p.events) }

// Observe takes the report of the window ending at o.Time and applies the
// rules of the package documentation for the current phase. It panics if
// o.Time is not after the previous call's time, if a count is negative, if
// Anomalies > Samples or NewPatterns > Anomalies, or if o.Drift is
// infinite. A window that records no event allocates nothing (amortised).
func (p *Policy) Observe(o Observation) Decision {
	if o.Time <= p.last {
		panic(fmt.Sprintf("retrain: Observe at %v, not after %v", o.Time, p.last))
	}
	checkFeedback(o.Feedback)
	if math.IsInf(o.Drift, 0) {
		panic(fmt.Sprintf("retrain: Observe at %v: drift %v", o.Time, o.Drift))
	}
	p.last = o.Time
	fb := o.Feedback
	p.samples += fb.Samples
	p.anomalies += fb.Anomalies
	p.window.push(o.Time, fb.Current.TP, fb.Current.FN, fb.NewPatterns)
	p.window.drop(o.Time - p.cfg.FeedbackWindow)

	mark := len(p.events)
	action := None
	switch p.phase {
	case Idle:
		if o.Time >= p.cooldownUntil {
			action = p.checkTriggers(o)
		}
	case WaitingForSamples:
		if p.samples >= p.cfg.MinSamples {
			action = p.retrain(o.Time)
		}
	case Evaluating:
		// The candidate is being trained and A/B tested: nothing to decide.
	case RollingOut:
		p.stageCurrent.add(fb.Current)
		p.stageCandidate.add(fb.Candidate)
		if o.Time-p.stageStart >= p.cfg.StageDuration {
			action = p.endStage(o.Time)
		}
	}
	return p.decision(action, mark)
}

// ABResult takes the A/B metrics, in [0, 1], of the deployed model
// (current) and the candidate (candidate) on the same labelled holdout,
// measured at time t after a Retrain action: their detection rates at
// their deployed thresholds, as the package documentation explains. It
// returns Rollout (stage 1) when candidate − current > MinImprovement,
// else Reject. It panics when the policy is not Evaluating, when t is
// before the previous Observe, or when a metric is outside [0, 1] or NaN.
func (p *Policy) ABResult(t time.Duration, current, candidate float64) Decision {
	if p.phase != Evaluating {
		panic(fmt.Sprintf("retrain: ABResult at %v while %v, not evaluating", t, p.phase))
	}
	if t < p.last {
		panic(fmt.Sprintf("retrain: ABResult at %v, before %v", t, p.last))
	}
	if !inUnit(current) || !inUnit(candidate) {
		panic(fmt.Sprintf("retrain: ABResult at %v: metrics %v, %v outside [0, 1]", t, current, candidate))
	}
	p.last = t
	mark := len(p.events)
	improvement := candidate - current
	threshold := p.cfg.MinImprovement
	ab := Event{Time: t, Current: current, Candidate: candidate, Threshold: threshold}

	e := ab
	e.Kind = EventABTest
	e.Reason = fmt.Sprintf("candidate %.4f - current %.4f = improvement %.4f; promotion needs > %.4f", candidate, current, improvement, threshold)
	p.events = append(p.events, e)

	if improvement > threshold+tie {
		p.phase, p.stage, p.share = RollingOut, 1, p.cfg.Rollout[0]
		p.startStage(t)
		p.events = append(p.events, Event{
			Time: t, Kind: EventRolloutStage, Stage: 1, Share: p.share, Threshold: p.cfg.RollbackTolerance,
			Reason: fmt.Sprintf("A/B improvement %.4f > %.4f: candidate gets %s of traffic", improvement, threshold, percent(p.share)),
		})
		return p.decision(Rollout, mark)
	}
	p.endCycle(t)
	e = ab
	e.Kind = EventReject
	e.Reason = fmt.Sprintf("improvement %.4f <= %.4f; cooldown until %v", improvement, threshold, p.cooldownUntil)
	p.events = append(p.events, e)
	return p.decision(Reject, mark)
}

// checkTriggers applies the trigger rules at the end of window o (Idle, not
// cooling down) and starts a cycle if any fires.
func (p *Policy) checkTriggers(o Observation) Action {
	cfg := &p.cfg
	rate, anomalies := Counts{TP: p.window.tp, FN: p.window.fn}.detection()
	var fired Triggers
	if anomalies >= cfg.MinAnomalies && rate < cfg.MinDetection-tie {
		fired |= TriggerDetection
	}
	if cfg.DriftThreshold > 0 && o.Drift > cfg.DriftThreshold+tie {
		fired |= TriggerDrift
	}
	if cfg.NewPatterns > 0 && p.window.newPatterns >= cfg.NewPatterns {
		fired |= TriggerNewPatterns
	}
	sinceRetrain := o.Time - p.lastRetrain
	if cfg.Schedule > 0 && sinceRetrain >= cfg.Schedule {
		fired |= TriggerSchedule
	}
	if fired == 0 {
		return None
	}

	var reasons []string
	if fired&TriggerDetection != 0 {
		reasons = append(reasons, fmt.Sprintf("detection rate %.4f < %.4f over %d labelled anomalies in %v", rate, cfg.MinDetection, anomalies, cfg.FeedbackWindow))
	}
	if fired&TriggerDrift != 0 {
		reasons = append(reasons, fmt.Sprintf("drift %.4f > %.4f", o.Drift, cfg.DriftThreshold))
	}
	if fired&TriggerNewPatterns != 0 {
		reasons = append(reasons, fmt.Sprintf("%d anomalies of new attack types >= %d in %v", p.window.newPatterns, cfg.NewPatterns, cfg.FeedbackWindow))
	}
	if fired&TriggerSchedule != 0 {
		reasons = append(reasons, fmt.Sprintf("%v since the last retrain >= %v", sinceRetrain, cfg.Schedule))
	}
	drift := o.Drift
	if math.IsNaN(drift) {
		drift = 0
	}
	p.events = append(p.events, Event{
		Time: o.Time, Kind: EventTrigger, Reason: strings.Join(reasons, "; "), Triggers: fired,
		Current: rate, Threshold: cfg.MinDetection, Drift: drift,
		Samples: p.samples, Anomalies: anomalies, NewPatterns: p.window.newPatterns,
	})

	if p.samples >= cfg.MinSamples {
		p.waitSince = o.Time
		return p.retrain(o.Time)
	}
	p.phase, p.waitSince = WaitingForSamples, o.Time
	p.events = append(p.events, Event{
		Time: o.Time, Kind: EventWaitSamples, Samples: p.samples, Threshold: float64(cfg.MinSamples),
		Reason: fmt.Sprintf("%d labelled samples since the last retrain < %d needed", p.samples, cfg.MinSamples),
	})
	return None
}

// retrain records a retrain at time t and waits for the A/B result.
func (p *Policy) retrain(t time.Duration) Action {
	reason := fmt.Sprintf("%d labelled samples (%d anomalies) since the last retrain >= %d", p.samples, p.anomalies, p.cfg.MinSamples)
	if wait := t - p.waitSince; wait > 0 {
		reason += fmt.Sprintf("; waited %v", wait)
	}
	p.events = append(p.events, Event{
		Time: t, Kind: EventRetrain, Samples: p.samples, Anomalies: p.anomalies,
		Threshold: float64(p.cfg.MinSamples), Reason: reason,
	})
	p.phase, p.lastRetrain = Evaluating, t
	p.samples, p.anomalies = 0, 0
	return Retrain
}

// endStage judges the rollout stage that ends at time t.
func (p *Policy) endStage(t time.Duration) Action {
	cfg := &p.cfg
	current, currentAnomalies := p.stageCurrent.detection()
	candidate, candidateAnomalies := p.stageCandidate.detection()
	e := Event{
		Time: t, Stage: p.stage, Threshold: cfg.RollbackTolerance,
		Current: current, Anomalies: currentAnomalies,
		Candidate: candidate, CandidateAnomalies: candidateAnomalies,
	}
	head := fmt.Sprintf("stage %d (%s)", p.stage, percent(p.share))
	var verdict string
	switch {
	case currentAnomalies == 0 && candidateAnomalies == 0:
		verdict = "neither model scored labelled anomalies: treated as not worse"
	case currentAnomalies == 0:
		verdict = fmt.Sprintf("candidate %.4f over %d anomalies; current scored none: treated as not worse", candidate, candidateAnomalies)
	case candidateAnomalies == 0:
		verdict = fmt.Sprintf("current %.4f over %d anomalies; candidate scored none: treated as not worse", current, currentAnomalies)
	default:
		figures := fmt.Sprintf("candidate %.4f over %d anomalies, current %.4f over %d", candidate, candidateAnomalies, current, currentAnomalies)
		if current-candidate > cfg.RollbackTolerance+tie {
			p.endCycle(t)
			e.Kind = EventRollback
			e.Reason = fmt.Sprintf("%s: %s: worse by %.4f > %.4f; cooldown until %v", head, figures, current-candidate, cfg.RollbackTolerance, p.cooldownUntil)
			p.events = append(p.events, e)
			return Rollback
		}
		verdict = fmt.Sprintf("%s: not worse by more than %.4f", figures, cfg.RollbackTolerance)
	}

	if p.stage == len(cfg.Rollout) {
		p.endCycle(t)
		p.window.reset() // scored by the replaced model
		e.Kind, e.Share = EventPromote, 1
		e.Reason = fmt.Sprintf("%s: %s; candidate becomes the deployed model; cooldown until %v", head, verdict, p.cooldownUntil)
		p.events = append(p.events, e)
		return Promote
	}
	p.stage++
	p.share = cfg.Rollout[p.stage-1]
	p.startStage(t)
	e.Kind, e.Stage, e.Share = EventRolloutStage, p.stage, p.share
	e.Reason = fmt.Sprintf("%s: %s; candidate gets %s of traffic", head, verdict, percent(p.share))
	p.events = append(p.events, e)
	return Rollout
}

func (p *Policy) startStage(t time.Duration) {
	p.stageStart = t
	p.stageCurrent, p.stageCandidate = Counts{}, Counts{}
}

// endCycle returns to Idle at time t and starts the cooldown.
func (p *Policy) endCycle(t time.Duration) {
	p.phase, p.stage, p.share = Idle, 0, 0
	p.cooldownUntil = t + p.cfg.Cooldown
}

// decision returns action with the events recorded since mark. Promote
// reports Share 1: the candidate takes all traffic as it becomes current.
func (p *Policy) decision(action Action, mark int) Decision {
	d := Decision{Action: action, Share: p.share}
	if action == Promote {
		d.Share = 1
	}
	if len(p.events) > mark {
		d.Events = p.events[mark:len(p.events):len(p.events)]
	}
	return d
}

func checkFeedback(f Feedback) {
	switch {
	case f.Samples < 0 || f.Anomalies < 0 || f.NewPatterns < 0 || f.Current.negative() || f.Candidate.negative():
		panic(fmt.Sprintf("retrain: negative count in feedback %+v", f))
	case f.Anomalies > f.Samples:
		panic(fmt.Sprintf("retrain: feedback has %d anomalies among %d samples", f.Anomalies, f.Samples))
	case f.NewPatterns > f.Anomalies:
		panic(fmt.Sprintf("retrain: feedback has %d new-pattern anomalies among %d anomalies", f.NewPatterns, f.Anomalies))
	}
}

// percent formats a share as "10%".
func percent(share float64) string {
	return fmt.Sprintf("%.4g%%", share*100)
}

// window holds the deployed model's per-window feedback that the triggers
// look at, as a ring buffer with running sums.
type window struct {
	buf                 []windowFeedback
	head, n             int
	tp, fn, newPatterns int
}

type windowFeedback struct {
	end                 time.Duration
	tp, fn, newPatterns int
}

// push appends a window's feedback; empty windows are not stored, as they
// change no sum.
func (w *window) push(end time.Duration, tp, fn, newPatterns int) {
	if tp == 0 && fn == 0 && newPatterns == 0 {
		return
	}
	if w.n == len(w.buf) {
		grown := make([]windowFeedback, max(2*len(w.buf), 16))
		for i := range w.n {
			grown[i] = w.buf[(w.head+i)%len(w.buf)]
		}
		w.buf, w.head = grown, 0
	}
	w.buf[(w.head+w.n)%len(w.buf)] = windowFeedback{end, tp, fn, newPatterns}
	w.n++
	w.tp += tp
	w.fn += fn
	w.newPatterns += newPatterns
}

// drop removes the windows ending at or before cutoff.
func (w *window) drop(cutoff time.Duration) {
	for w.n > 0 && w.buf[w.head].end <= cutoff {
		old := w.buf[w.head]
		w.tp -= old.tp
		w.fn -= old.fn
		w.newPatterns -= old.newPatterns
		w.head = (w.head + 1) % len(w.buf)
		w.n--
	}
}

func (w *window) reset() {
	w.head, w.n = 0, 0
	w.tp, w.fn, w.newPatterns = 0, 0, 0
}
