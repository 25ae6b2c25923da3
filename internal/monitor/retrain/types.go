package retrain

import (
	"strconv"
	"strings"
	"time"
)

// Counts is one model's confusion counts on labelled flows it scored at its
// deployed threshold: anomalies detected (TP) and missed (FN), normal flows
// flagged (FP) and passed (TN).
type Counts struct {
	TP int `json:"tp"`
	FN int `json:"fn"`
	FP int `json:"fp"`
	TN int `json:"tn"`
}

func (c *Counts) add(d Counts) {
	c.TP += d.TP
	c.FN += d.FN
	c.FP += d.FP
	c.TN += d.TN
}

// detection returns TP/(TP+FN) and TP+FN; the rate is 0 when TP+FN is 0.
func (c Counts) detection() (rate float64, anomalies int) {
	anomalies = c.TP + c.FN
	if anomalies == 0 {
		return 0, 0
	}
	return float64(c.TP) / float64(anomalies), anomalies
}

func (c Counts) negative() bool { return c.TP < 0 || c.FN < 0 || c.FP < 0 || c.TN < 0 }

// Feedback is the labelled feedback that arrived during one window.
type Feedback struct {
	// Samples is the number of labelled flows gained for training, and
	// Anomalies how many of them are anomalous (<= Samples).
	Samples   int `json:"samples"`
	Anomalies int `json:"anomalies"`
	// NewPatterns is the number of those anomalies whose attack type the
	// deployed model was not trained on (<= Anomalies).
	NewPatterns int `json:"new_patterns"`
	// Current counts the labelled flows the deployed model scored, Candidate
	// those the candidate scored (zero outside a rollout; counts reported
	// outside a rollout, from labels of flows scored earlier, are ignored).
	Current   Counts `json:"current"`
	Candidate Counts `json:"candidate"`
}

// Observation is what the simulation reports at the end of each window.
type Observation struct {
	// Time is the end of the window, since the start of the simulation.
	Time     time.Duration `json:"time"`
	Feedback Feedback      `json:"feedback"`
	// Drift is the window's drift statistic (such as the largest PSI over
	// features); NaN when not measured. It must not be infinite.
	Drift float64 `json:"drift"`
}

// Action is what the simulation must do after a call.
type Action int

const (
	// None: keep routing as before.
	None Action = iota
	// Retrain: train a candidate on the labelled data gathered so far, A/B
	// test it against the deployed model on a labelled holdout and report
	// with ABResult.
	Retrain
	// Rollout: route Decision.Share of live traffic to the candidate.
	Rollout
	// Promote: the candidate takes all traffic and becomes the deployed
	// model; from the next window report its counts as Feedback.Current.
	Promote
	// Reject: drop the candidate, which never received traffic.
	Reject
	// Rollback: route all traffic back to the deployed model and drop the
	// candidate.
	Rollback
)

var actionNames = [...]string{"none", "retrain", "rollout", "promote", "reject", "rollback"}

func (a Action) String() string {
	if a >= 0 && int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Decision is a policy's answer to one call.
type Decision struct {
	Action Action
	// Share is the candidate's share of live traffic after the decision:
	// the stage's share during a rollout, 1 on Promote, 0 otherwise.
	Share float64
	// Events are those recorded by this call, in order (nil if none). They
	// alias the policy's log and must not be modified.
	Events []Event
}

// Kind names an event's kind.
type Kind string

// Event kinds. The package documentation lists each one's figures.
const (
	EventTrigger      Kind = "trigger"
	EventWaitSamples  Kind = "wait_samples"
	EventRetrain      Kind = "retrain"
	EventABTest       Kind = "ab_test"
	EventReject       Kind = "reject"
	EventRolloutStage Kind = "rollout_stage"
	EventPromote      Kind = "promote"
	EventRollback     Kind = "rollback"
)

// Triggers is a set of retraining triggers.
type Triggers uint8

// The retraining triggers, in the notebook's order.
const (
	TriggerDetection   Triggers = 1 << iota // detection rate below MinDetection
	TriggerDrift                            // drift above DriftThreshold
	TriggerNewPatterns                      // NewPatterns unknown-type anomalies
	TriggerSchedule                         // Schedule elapsed since the last retrain
)

var triggerNames = [...]string{"detection", "drift", "new_patterns", "schedule"}

// String returns the set's names joined by "+", such as "detection+drift",
// or "" for the empty set.
func (t Triggers) String() string {
	var b strings.Builder
	for i, name := range triggerNames {
		if t&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('+')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}

// Event is one entry of a policy's log: a flat record whose fields each
// kind uses as the package documentation lists; unused fields are 0 and
// every figure is finite.
type Event struct {
	Time   time.Duration `json:"time"`
	Kind   Kind          `json:"kind"`
	Reason string        `json:"reason"` // the rule and its figures, in words
	// Triggers is the set of triggers that fired (trigger events).
	Triggers Triggers `json:"triggers"`
	// Stage is the 1-based rollout stage (rollout_stage, promote, rollback).
	Stage int `json:"stage"`
	// Share is the candidate's share of live traffic after the event.
	Share float64 `json:"share"`
	// Current and Candidate are the models' metrics, compared with
	// Threshold.
	Current   float64 `json:"current"`
	Candidate float64 `json:"candidate"`
	Threshold float64 `json:"threshold"`
	Drift     float64 `json:"drift"`
	Samples   int     `json:"samples"`
	// Anomalies and CandidateAnomalies are the labelled anomalies behind
	// Current and Candidate.
	Anomalies          int `json:"anomalies"`
	CandidateAnomalies int `json:"candidate_anomalies"`
	NewPatterns        int `json:"new_patterns"`
}

// Phase is where a policy stands in a retraining cycle.
type Phase int

const (
	// Idle: the deployed model serves all traffic; triggers are checked
	// (unless cooling down).
	Idle Phase = iota
	// WaitingForSamples: a trigger fired; waiting for MinSamples.
	WaitingForSamples
	// Evaluating: Retrain was returned; waiting for ABResult.
	Evaluating
	// RollingOut: the candidate serves State.Share of traffic.
	RollingOut
)

var phaseNames = [...]string{"idle", "waiting_for_samples", "evaluating", "rolling_out"}

func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}

// State is a policy's current state.
type State struct {
	Phase Phase
	// Stage is the 1-based rollout stage while RollingOut, else 0.
	Stage int
	// Share is the candidate's share of live traffic.
	Share float64
	// Samples is the number of labelled samples since the last retrain.
	Samples int
	// CooldownUntil is the earliest time a trigger may fire.
	CooldownUntil time.Duration
}
