package monitor

// The rows of the simulation's tables, as the run directory stores them
// (internal/rundir writes and reads them): monitoring.parquet,
// drift.parquet, incidents.parquet, events.parquet and
// monitoring_flows.parquet.

// Window is one window of a monitoring simulation: a row of
// monitoring.parquet. Rates are NaN where undefined (no anomalous or no
// normal flow in the window).
type Window struct {
	Window       int64   `parquet:"window"` // 0-based
	StartMinutes float64 `parquet:"start_minutes"`
	EndMinutes   float64 `parquet:"end_minutes"`
	Day          int64   `parquet:"day"`  // 0-based day of the window's start
	Hour         int64   `parquet:"hour"` // hour of day of the window's start
	// Model is the deployed model's version (v1, v2, ...), Candidate the
	// candidate's during a rollout ("" otherwise) and CandidateShare the
	// share of flows routed to it.
	Model          string  `parquet:"model,dict"`
	Candidate      string  `parquet:"candidate,dict"`
	CandidateShare float64 `parquet:"candidate_share"`
	Flows          int64   `parquet:"flows"`
	Anomalies      int64   `parquet:"anomalies"`
	// Alerts counts the flows flagged by the model each flow was routed to;
	// TruePositives and FalsePositives split them by label.
	Alerts            int64   `parquet:"alerts"`
	TruePositives     int64   `parquet:"true_positives"`
	FalsePositives    int64   `parquet:"false_positives"`
	DetectionRate     float64 `parquet:"detection_rate"`      // TP / anomalies
	FalsePositiveRate float64 `parquet:"false_positive_rate"` // FP / normal flows
	AlertsPerHour     float64 `parquet:"alerts_per_hour"`     // alerts / window hours
	// ResponseTimeMinutes is the mean response time (detect + contain) of
	// the campaigns detected so far (NaN before the first).
	ResponseTimeMinutes float64 `parquet:"response_time_minutes"`
	// HealthScore is the notebook's 0.4 DR + 0.3 (1 − FPR) +
	// 0.3 (1 − min(RT/15, 1)) of the window (NaN when a term is), and
	// HealthBand its label.
	HealthScore float64 `parquet:"health_score"`
	HealthBand  string  `parquet:"health_band,dict"`
	// MaxPSI and MaxKS are the largest PSI and KS statistic over the drift
	// features, and DriftFeature the feature with the largest PSI.
	MaxPSI       float64 `parquet:"max_psi"`
	MaxKS        float64 `parquet:"max_ks"`
	DriftFeature string  `parquet:"drift_feature,dict"`
	// Labels that arrived in the window: flows and anomalies.
	LabelsArrived    int64 `parquet:"labels_arrived"`
	AnomaliesLabeled int64 `parquet:"anomalies_labeled"`
}

// Drift is one drift feature in one window: a row of drift.parquet.
type Drift struct {
	Window  int64   `parquet:"window"`
	Feature string  `parquet:"feature,dict"`
	PSI     float64 `parquet:"psi"`
	KS      float64 `parquet:"ks"`
	KSP     float64 `parquet:"ks_p"`
}

// Incident is one attack campaign's outcome: a row of
// incidents.parquet. The times of a campaign never detected are null.
type Incident struct {
	Campaign             string   `parquet:"campaign,dict"` // the declared campaign's name
	Occurrence           int64    `parquet:"occurrence"`    // 0-based repetition
	ID                   string   `parquet:"id"`            // name#occurrence
	Type                 string   `parquet:"type,dict"`
	Variant              string   `parquet:"variant,dict"`
	StartMinutes         float64  `parquet:"start_minutes"`
	EndMinutes           float64  `parquet:"end_minutes"`
	Flows                int64    `parquet:"flows"`
	AlertedFlows         int64    `parquet:"alerted_flows"`
	Detected             bool     `parquet:"detected"`
	FirstAlertMinutes    *float64 `parquet:"first_alert_minutes,optional"`
	TimeToDetectMinutes  *float64 `parquet:"time_to_detect_minutes,optional"`
	TimeToContainMinutes *float64 `parquet:"time_to_contain_minutes,optional"`
	ResponseTimeMinutes  *float64 `parquet:"response_time_minutes,optional"`
}

// Event is one event of the simulation: a row of events.parquet.
// Kinds are the retraining policy's (internal/monitor/retrain: trigger,
// wait_samples, retrain, ab_test, reject, rollout_stage, promote,
// rollback) and the simulation's own drift (a window's largest PSI rising
// above the drift threshold). Fields a kind does not use are 0 or "".
type Event struct {
	TimeMinutes        float64 `parquet:"time_minutes"`
	Kind               string  `parquet:"kind,dict"`
	Reason             string  `parquet:"reason"`
	Triggers           string  `parquet:"triggers"`       // comma-separated: detection, drift, new_patterns, schedule
	Model              string  `parquet:"model,dict"`     // the deployed model after the event
	Candidate          string  `parquet:"candidate,dict"` // the candidate concerned, if any
	Stage              int64   `parquet:"stage"`
	Share              float64 `parquet:"share"`
	Current            float64 `parquet:"current"`
	CandidateValue     float64 `parquet:"candidate_value"`
	Threshold          float64 `parquet:"threshold"`
	Drift              float64 `parquet:"drift"`
	Samples            int64   `parquet:"samples"`
	Anomalies          int64   `parquet:"anomalies"`
	CandidateAnomalies int64   `parquet:"candidate_anomalies"`
	NewPatterns        int64   `parquet:"new_patterns"`
	// The A/B holdout (ab_test and reject): its flows, its anomalies and
	// each model's false positive rate on it.
	HoldoutFlows     int64   `parquet:"holdout_flows"`
	HoldoutAnomalies int64   `parquet:"holdout_anomalies"`
	CurrentFPR       float64 `parquet:"current_fpr"`
	CandidateFPR     float64 `parquet:"candidate_fpr"`
}

// FlowScore is one simulated flow's score: a row of
// monitoring_flows.parquet (monitoring.store_scores).
type FlowScore struct {
	Window      int64   `parquet:"window"`
	TimeMinutes float64 `parquet:"time_minutes"`
	Model       string  `parquet:"model,dict"` // the version the flow was routed to
	Score       float64 `parquet:"score"`      // its probability of an anomaly
	Flagged     bool    `parquet:"flagged"`
	IsAnomaly   bool    `parquet:"is_anomaly"`
	AnomalyType string  `parquet:"anomaly_type,dict"`
	Campaign    string  `parquet:"campaign,dict"` // the incident's ID; "" for normal flows
}
