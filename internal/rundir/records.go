package rundir

import (
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
)

// The JSON records of a trial besides trial.json: the incident
// simulation, the monitoring simulation's summary, and the segmentation
// policy's file name.

// PolicyFile is the name of a trial's recommended segmentation policy.
const PolicyFile = "policy.json"

// Files of a trial's monitoring simulation.
const (
	MonitoringFile        = "monitoring.parquet"
	MonitoringDriftFile   = "drift.parquet"
	MonitoringIncidents   = "incidents.parquet"
	MonitoringEvents      = "events.parquet"
	MonitoringFlowsFile   = "monitoring_flows.parquet"
	MonitoringSummaryFile = "monitoring.json"
)

// IncidentFile is the name of a trial's incident simulation results.
const IncidentFile = "incident.json"

// Incident is incident.json: the incident flows of the experiment as the
// trial's exported scoring pipeline scores them.
type Incident struct {
	// Model is the directory of the pipeline that scored the flows,
	// relative to the trial's directory.
	Model string                 `json:"model"`
	Risk  scoring.RiskThresholds `json:"risk"`
	Flows []IncidentFlow         `json:"flows"`
	// Comparison divides and subtracts two flows' anomaly probabilities,
	// when the experiment names two.
	Comparison *Comparison `json:"comparison,omitempty"`
}

// IncidentFlow is one scored incident flow: the flow, its score (as
// harness score writes it), the attack-type classifier's probability of
// every class, and the segmentation actions its risk level calls for.
type IncidentFlow struct {
	Name string    `json:"name"`
	Flow flow.Flow `json:"flow"`
	scoring.Result
	AttackProbabilities []ClassProbability `json:"attack_probabilities"`
	Actions             []policy.Action    `json:"actions"`
}

// ClassProbability is one class's probability.
type ClassProbability struct {
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
}

// Comparison is the notebook's "detection improvement": how much likelier
// the detector finds one flow anomalous than another.
type Comparison struct {
	Flow                string  `json:"flow"`
	Baseline            string  `json:"baseline"`
	FlowProbability     float64 `json:"flow_probability"`
	BaselineProbability float64 `json:"baseline_probability"`
	// Ratio is FlowProbability / BaselineProbability, null when the
	// baseline's probability is 0 (the notebook printed "inf x").
	Ratio      *float64 `json:"probability_ratio"`
	Difference float64  `json:"probability_difference"`
	Note       string   `json:"note,omitempty"`
}

// ReadIncident reads a trial's incident.json.
func ReadIncident(path string) (*Incident, error) {
	// A regular file of bounded size: a FIFO in its place is refused.
	data, err := fileio.ReadFile(path, fileio.RunFileBytes)
	if err != nil {
		return nil, err
	}
	var inc Incident
	if err := DecodeJSON(path, data, &inc); err != nil {
		return nil, err
	}
	return &inc, nil
}

// MonitoringSummary is monitoring.json: the simulation's headline figures
// and its detection-rate trend, for the report.
type MonitoringSummary struct {
	Campaigns int `json:"campaigns"`
	Detected  int `json:"detected"`
	Missed    int `json:"missed"`
	// The means over detected campaigns and the health score; absent when
	// undefined (no campaign detected).
	MTTDMinutes     *float64 `json:"mttd_minutes,omitempty"`
	ContainMinutes  *float64 `json:"mean_time_to_contain_minutes,omitempty"`
	ResponseMinutes *float64 `json:"response_time_minutes,omitempty"`
	HealthScore     *float64 `json:"health_score,omitempty"`
	HealthBand      string   `json:"health_band,omitempty"`
	// The trend line, detection rate = intercept + slope·days, fitted on
	// TrendPoints windows from TrendFromDays; absent without a trend.
	TrendSlopePerDay *float64 `json:"trend_slope_per_day,omitempty"`
	TrendIntercept   *float64 `json:"trend_intercept,omitempty"`
	TrendR2          *float64 `json:"trend_r2,omitempty"`
	TrendPoints      int      `json:"trend_points"`
	TrendFromDays    float64  `json:"trend_from_days"`
	Threshold        float64  `json:"threshold"`
	// DriftThreshold is the largest PSI above which a window counts as
	// drifted (a drift event).
	DriftThreshold float64  `json:"drift_threshold"`
	ForecastDays   *float64 `json:"forecast_days,omitempty"`
	ForecastNote   string   `json:"forecast_note"`
	Retraining     bool     `json:"retraining"`
}

// ReadMonitoringSummary reads a trial's monitoring.json.
func ReadMonitoringSummary(path string) (*MonitoringSummary, error) {
	// A regular file of bounded size: a FIFO in its place is refused.
	data, err := fileio.ReadFile(path, fileio.RunFileBytes)
	if err != nil {
		return nil, err
	}
	var s MonitoringSummary
	if err := DecodeJSON(path, data, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
