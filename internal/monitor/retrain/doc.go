// Package retrain is the notebook's continuous-learning strategy made into
// an executable, deterministic policy: a state machine that a monitoring
// simulation drives window by window. It never trains or scores a model
// itself. The simulation reports each window's labelled feedback and drift
// ([Policy.Observe]) and the holdout A/B result of a candidate it trained
// ([Policy.ABResult]); the policy answers with an [Action] to perform and
// records why in an event log ([Policy.Events]). Time is a time.Duration
// since the start of the simulation, when the first model was deployed.
//
// The notebook ("continuous_learning_strategy") only prints the strategy:
// retrain on a detection rate below 90%, concept drift, new attack patterns
// or a monthly schedule; with at least 1,000 new labelled samples; A/B test
// the new model against the current one and deploy only if the improvement
// is above 2%; roll out gradually (10% → 50% → 100%) and roll back
// automatically if performance degrades. The rules below make each of these
// precise. [DefaultConfig] uses the notebook's numbers where it has them.
//
// # Phases
//
//	Idle ──trigger──▶ WaitingForSamples ──samples──▶ Evaluating
//	  │                                                  ▲  │
//	  └──trigger, samples already there ─────────────────┘  │ ABResult
//	                                                        ▼
//	Idle ◀──reject── (A/B)  ──accept──▶ RollingOut(1) ▶ … ▶ RollingOut(n)
//	Idle ◀──rollback── any stage          Idle ◀──promote── last stage
//
// # Rules
//
// Feedback. Observe is called once per window, in strictly increasing Time
// (the window's end). Its feedback is the labelled feedback that arrived in
// the window, whatever the window its flows were scored in: labels arrive
// late and the simulation handles the delay. Samples (and Anomalies among
// them) are the labelled flows gained for training; Current and Candidate
// count the flows each model scored at its deployed threshold (TP, FN, FP,
// TN), so they need not add up to Samples.
//
// Samples. Labelled samples accrue from Feedback.Samples in every phase
// since the last Retrain action (since time 0 before the first); the
// Retrain action resets the count to 0.
//
// Triggers are evaluated only while Idle and not cooling down (Time ≥ the
// cooldown's end). In a window, each enabled trigger is checked:
//
//   - detection: the deployed model's detection rate TP/(TP+FN) over the
//     Current counts of the windows ending in (Time − FeedbackWindow, Time]
//     is below MinDetection, and those windows hold at least MinAnomalies
//     labelled anomalies (TP+FN) it scored. Fewer anomalies never fire it.
//   - drift: the window's drift statistic is above DriftThreshold (NaN, not
//     measured, never fires; DriftThreshold 0 disables the trigger).
//   - new patterns: the windows ending in (Time − FeedbackWindow, Time] hold
//     at least NewPatterns labelled anomalies of attack types the deployed
//     model was not trained on (Feedback.NewPatterns; 0 disables).
//   - schedule: Time − (time of the last Retrain action, or 0) ≥ Schedule
//     (0 disables).
//
// No trigger wins over another: they all lead to the same retrain, so every
// trigger that fires in the window is recorded in one trigger event (its
// Triggers set, and one clause each in its Reason, in the order above, the
// notebook's). A drift seen while not Idle or while cooling down is not
// remembered; the schedule, measured from the last Retrain, stays due.
//
// Waiting for samples. After a trigger, if fewer than MinSamples labelled
// samples accrued since the last retrain, a wait_samples event is recorded
// and the policy waits (WaitingForSamples) without re-checking triggers:
// a trigger stands even if its condition clears. In the first window in
// which the samples reach MinSamples (possibly the trigger's own window)
// the policy records a retrain event and returns [Retrain]: the simulation
// trains a candidate on the labelled data so far and calls ABResult.
//
// A/B test. While Evaluating, Observe records feedback but decides nothing.
// ABResult takes the A/B metric of both models on the same labelled holdout.
// The simulation should use the detection rate TP/(TP+FN) at each model's
// deployed threshold, the unit of the detection trigger and of the rollout
// comparison, and report the false positive rates alongside in its own
// output (this policy does not weigh them; see Limitations). The candidate
// is accepted when improvement = candidate − current > MinImprovement: an
// absolute difference, reading the notebook's "> 2%" as 2 percentage
// points of detection rate, as it states the 90% trigger in points too.
// Exactly MinImprovement is rejected. Accepted: rollout stage 1 starts at
// the ABResult's time ([Rollout]). Rejected: a reject event, back to Idle,
// cooldown ([Reject]: drop the candidate).
//
// Rollout. Stage k routes the share Rollout[k−1] of live traffic to the
// candidate. Feedback arriving in windows that end after the stage began
// is summed per model (Current for the incumbent, Candidate for the
// candidate). In the first window ending at or after the stage's start +
// StageDuration the stage is judged on those sums: the candidate is worse
// when both models scored labelled anomalies in the stage and the
// incumbent's detection rate exceeds the candidate's by more than
// RollbackTolerance. If either scored none, the candidate counts as not
// worse, and the event's Reason says so. Worse: a rollback event,
// [Rollback] (all traffic back to the incumbent, drop the candidate), Idle,
// cooldown. Not worse: the next stage ([Rollout]), or after the last stage
// a promote event and [Promote]: the candidate becomes the deployed model.
// At a share of 1 the incumbent sees no live traffic, so the last stage of
// {0.1, 0.5, 1} can only roll back if the simulation also scores feedback
// with the incumbent in the background (blue-green deployment keeps it
// running); the policy accepts either way of reporting.
//
// Cooldown. Rejection, rollback and promotion each end a retraining cycle;
// no trigger fires before the cycle's end + Cooldown. Promotion also clears
// the feedback window, whose counts were scored by the replaced model, so
// the detection and new-pattern triggers judge the new model on its own
// feedback.
//
// Ties. Figures compared with a threshold count as equal to it when within
// 1e-9 of it, so that binary rounding cannot decide a rule: 0.92 − 0.90 is
// 0.020000000000000018 in float64 and is an improvement of exactly 0.02,
// which is rejected.
//
// Misuse panics with a message beginning "retrain: ": going back in time
// (Observe at or before the previous Observe or ABResult; ABResult before
// the previous Observe), negative counts, Anomalies > Samples, NewPatterns
// > Anomalies, an infinite drift, ABResult when not Evaluating, or an A/B
// metric outside [0, 1]. The policy is not safe for concurrent use.
//
// # Events
//
// Events are appended in call order, hence in non-decreasing Time. An event
// is a flat record with fixed fields (no maps; every figure finite; a field
// a kind does not use is 0), so the same calls give a log that encodes to
// the same bytes (JSON is tested) and maps onto a flat table. Per kind:
//
//	trigger        Triggers: those that fired. Current, Anomalies: the
//	               deployed model's detection rate and the labelled anomalies
//	               it scored over the feedback window (Current 0 when
//	               Anomalies is 0). Threshold: MinDetection. Drift: the
//	               window's drift (0 when NaN). NewPatterns: over the
//	               feedback window. Samples: since the last retrain.
//	wait_samples   Samples: since the last retrain. Threshold: MinSamples.
//	retrain        Samples, Anomalies: labelled samples and anomalies since
//	               the last retrain, the candidate's new data. Threshold:
//	               MinSamples. Reason: how long the wait lasted, if any.
//	ab_test        Current, Candidate: the A/B metrics. Threshold:
//	               MinImprovement.
//	reject         as ab_test.
//	rollout_stage  Stage (1-based), Share: the stage entered. For stage 2
//	               and later, Current, Anomalies and Candidate,
//	               CandidateAnomalies: each model's detection rate and
//	               labelled anomalies over the stage just passed (a rate is 0
//	               when its anomalies are 0). Threshold: RollbackTolerance.
//	promote        as rollout_stage, over the last stage; Stage: the last
//	               stage; Share: 1.
//	rollback       as rollout_stage, over the stage that degraded; Stage:
//	               that stage; Share: 0.
//
// Share is always the candidate's share of live traffic after the event.
//
// # Limitations
//
// The rules weigh detection rates only: a candidate that flags more normal
// flows is neither rejected nor rolled back for it, so the simulation
// should compare models at thresholds chosen for the same false positive
// rate. A stage is judged once, at its end, on all its feedback: at a 10%
// share a single window holds too few anomalies to judge, and judging every
// window would multiply false rollbacks. A stage in which either model
// scored no labelled anomalies passes unjudged, and one in which it scored
// a handful is judged on noise: at a 10% share the candidate sees a tenth
// of the stage's anomalies (about 10 a day in this package's test
// simulation, where one miss moves its rate by 0.1 and good candidates
// were rolled back). Choose StageDuration so that the first stage gathers
// enough anomalies, say MinAnomalies, for the candidate.
package retrain
