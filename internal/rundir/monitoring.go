package rundir

import "io"

// The monitoring simulation's tables (internal/monitor). Times are minutes
// since the start of the simulation.

// MonitorWindow is one window of a monitoring simulation: a row of
// monitoring.parquet. Rates are NaN where undefined (no anomalous or no
// normal flow in the window).
type MonitorWindow struct {
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

// MonitorDrift is one drift feature in one window: a row of drift.parquet.
type MonitorDrift struct {
	Window  int64   `parquet:"window"`
	Feature string  `parquet:"feature,dict"`
	PSI     float64 `parquet:"psi"`
	KS      float64 `parquet:"ks"`
	KSP     float64 `parquet:"ks_p"`
}

// MonitorIncident is one attack campaign's outcome: a row of
// incidents.parquet. The times of a campaign never detected are null.
type MonitorIncident struct {
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

// MonitorEvent is one event of the simulation: a row of events.parquet.
// Kinds are the retraining policy's (internal/monitor/retrain: trigger,
// wait_samples, retrain, ab_test, reject, rollout_stage, promote,
// rollback) and the simulation's own drift (a window's largest PSI rising
// above the drift threshold). Fields a kind does not use are 0 or "".
type MonitorEvent struct {
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

// MonitorFlow is one simulated flow's score: a row of
// monitoring_flows.parquet (monitoring.store_scores).
type MonitorFlow struct {
	Window      int64   `parquet:"window"`
	TimeMinutes float64 `parquet:"time_minutes"`
	Model       string  `parquet:"model,dict"` // the version the flow was routed to
	Score       float64 `parquet:"score"`      // its probability of an anomaly
	Flagged     bool    `parquet:"flagged"`
	IsAnomaly   bool    `parquet:"is_anomaly"`
	AnomalyType string  `parquet:"anomaly_type,dict"`
	Campaign    string  `parquet:"campaign,dict"` // the incident's ID; "" for normal flows
}

// WriteMonitorWindows writes rows as monitoring.parquet.
func WriteMonitorWindows(w io.Writer, rows []MonitorWindow) error {
	return writeTable(w, "monitoring", rows)
}

// WriteMonitorDrift writes rows as drift.parquet.
func WriteMonitorDrift(w io.Writer, rows []MonitorDrift) error {
	return writeTable(w, "drift", rows)
}

// WriteMonitorIncidents writes rows as incidents.parquet.
func WriteMonitorIncidents(w io.Writer, rows []MonitorIncident) error {
	return writeTable(w, "incidents", rows)
}

// WriteMonitorEvents writes rows as events.parquet.
func WriteMonitorEvents(w io.Writer, rows []MonitorEvent) error {
	return writeTable(w, "events", rows)
}

// WriteMonitorFlows writes rows as monitoring_flows.parquet.
func WriteMonitorFlows(w io.Writer, rows []MonitorFlow) error {
	return writeTable(w, "monitoring_flows", rows)
}

// ReadMonitorWindows reads monitoring.parquet as written by
// WriteMonitorWindows. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorWindows(r io.ReaderAt, size int64, name string) ([]MonitorWindow, error) {
	return readFixed[MonitorWindow](r, size, name, "monitoring")
}

// ReadMonitorDrift reads drift.parquet as written by WriteMonitorDrift.
// name is used in error messages; the columns are checked as in
// ReadPredictions.
func ReadMonitorDrift(r io.ReaderAt, size int64, name string) ([]MonitorDrift, error) {
	return readFixed[MonitorDrift](r, size, name, "drift")
}

// ReadMonitorIncidents reads incidents.parquet as written by
// WriteMonitorIncidents. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorIncidents(r io.ReaderAt, size int64, name string) ([]MonitorIncident, error) {
	return readFixed[MonitorIncident](r, size, name, "incidents")
}

// ReadMonitorEvents reads events.parquet as written by WriteMonitorEvents.
// name is used in error messages; the columns are checked as in
// ReadPredictions.
func ReadMonitorEvents(r io.ReaderAt, size int64, name string) ([]MonitorEvent, error) {
	return readFixed[MonitorEvent](r, size, name, "events")
}

// ReadMonitorFlows reads monitoring_flows.parquet as written by
// WriteMonitorFlows. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorFlows(r io.ReaderAt, size int64, name string) ([]MonitorFlow, error) {
	return readFixed[MonitorFlow](r, size, name, "monitoring_flows")
}
