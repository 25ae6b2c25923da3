// Package monitor simulates a deployed detector in operation and measures
// every figure of the notebook's monitoring dashboard from the detector's
// actual decisions: the notebook drew them from np.random.normal and never
// measured response time at all.
//
// Simulate steps through a declared period (a scenario.Scenario, an
// experiment file's monitoring block) window by window. Each window:
//
//  1. Draws the window's flows (synth.GenerateWindow): normal traffic at
//     the window's hour of day, FlowsPerDay a day spread so that each hour
//     of 8..17 carries BusinessHoursFactor times the flows of another hour,
//     drifted by the declared traffic drifts in force at the window's
//     midpoint; then the flows of every attack campaign active in the
//     window, Rate an hour, from the campaign's source segment.
//  2. Places the flows in time: the n normal flows at start + (i+½)·W/n, a
//     campaign's k flows evenly over its part [a, b) of the window at
//     a + (j+½)·(b−a)/k. Counts use cumulative rounding, so a campaign of
//     duration D emits ⌊Rate·D⌋ flows whatever the windows.
//  3. Scores every flow with the deployed detector and, during a rollout,
//     with the candidate too; each flow is routed to the candidate with the
//     rollout's share, and the routed model's decision is the live one.
//  4. Measures the window: flows, anomalies, alerts, detection rate,
//     false-positive rate, alerts per hour, and per drift feature the
//     population stability index and Kolmogorov–Smirnov statistic of the
//     flows the live decisions passed as normal against the normal
//     training flows of the same kind of hour, business or off
//     (internal/monitor/drift).
//  5. Draws which flows get a label (a share of the normal and of the
//     anomalous flows, as an analyst's audit would) and queues the labels to
//     arrive Feedback.Delay after their flows.
//  6. Delivers the labels that arrived by the window's end to the
//     retraining policy (internal/monitor/retrain) with the window's largest
//     PSI, and carries out its decision: train a candidate on the training
//     flows and the labelled feedback outside the holdout, A/B test it
//     against the deployed model on the holdout (the feedback that arrived in
//     the last Holdout), roll it out, promote it or roll it back.
//
// After the last window the timing model (internal/monitor/timing) turns each
// campaign's earliest flagged flow into its first alert, time to detect and
// response time; campaigns never detected are counted as missed. Each window's
// health score uses the mean response time of the campaigns detected by its
// end. The detection rate is fitted against time by least squares
// (internal/monitor/trend) over the windows of the model deployed last, and
// the fit forecasts when it crosses the retraining threshold.
//
// # Determinism
//
// Every random stream is derived from Simulate's seed and a label (the
// window's flows, its labels, its routing, each candidate's training, the
// response delays), so the result depends on the configuration, the seed and
// the detectors alone, not on Workers.
//
// # Detectors
//
// The package does not know how a detector is built: the caller passes the
// deployed Detector and a Trainer that fits candidates. internal/runner
// passes the trial's random forest and its feature pipeline.
package monitor
