package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/models/kinds"
	"github.com/segharness/harness/internal/monitor"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/seed"
)

var monitoringFiles = []string{
	rundir.MonitoringFile, rundir.MonitoringDriftFile, rundir.MonitoringIncidents, rundir.MonitoringEvents, rundir.MonitoringFlowsFile, rundir.MonitoringSummaryFile,
}

// forestDetector is a random forest behind its feature pipeline, deciding
// as the exported scoring pipeline does (the most probable class).
type forestDetector struct {
	pipeline *features.Pipeline
	forest   *forest.Forest
	workers  int
}

func (d *forestDetector) Score(f *flow.Table, scores []float64, flagged []bool) error {
	x, err := d.pipeline.Transform(f, features.Engineer(f))
	if err != nil {
		return err
	}
	proba := d.forest.PredictProbaAll(x.Data, d.workers)
	for i := range scores {
		scores[i] = proba[2*i+1]
		flagged[i] = forest.Argmax(proba[2*i:2*i+2]) == 1
	}
	return nil
}

// forestTrainer fits candidates as the trial fitted the deployed detector:
// the same features, the scaler on the candidate's training flows, the same
// forest settings.
type forestTrainer struct {
	model    experiments.Model
	features []string
	workers  int
}

func (tr *forestTrainer) Train(f *flow.Table, s uint64) (monitor.Detector, error) {
	p, err := features.Fit(f, features.Engineer(f), tr.features, nil)
	if err != nil {
		return nil, err
	}
	x, err := p.Transform(f, features.Engineer(f))
	if err != nil {
		return nil, err
	}
	cfg, err := kinds.ForestConfig(tr.model.Params, x.D, tr.workers)
	if err != nil {
		return nil, err
	}
	y := make([]int, f.Len())
	for i, a := range f.IsAnomaly {
		if a {
			y[i] = 1
		}
	}
	return &forestDetector{pipeline: p, forest: forest.Fit(x.Data, x.D, y, 2, cfg, seed.New(s)), workers: tr.workers}, nil
}

// finiteOrNil returns &v, or nil when v is NaN (JSON has no NaN).
func finiteOrNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// runMonitoring simulates the trial's detector in operation when the
// experiment asks for it, writes the simulation's tables into tdir and
// returns its metric rows (model "monitoring") and notes. It removes the
// files an earlier run left when the experiment asks for none.
func runMonitoring(ctx context.Context, t *experiments.Trial, td *trialData, out *modelOutput, tdir string, artifacts rundir.Artifacts, workers int, logf func(string, ...any)) ([]measured, []string, error) {
	spec := t.Spec.Monitoring
	if !spec.Enabled {
		for _, name := range monitoringFiles {
			if err := os.Remove(filepath.Join(tdir, name)); err != nil && !os.IsNotExist(err) {
				return nil, nil, err
			}
		}
		return nil, nil, nil
	}
	model := t.Spec.MonitoredModel()
	if model == nil || out.forests[model.Name] == nil {
		return nil, nil, fmt.Errorf("no random-forest detector to deploy") // the parser checks
	}
	deployed := &forestDetector{pipeline: td.pipeline, forest: out.forests[model.Name], workers: workers}
	trainer := &forestTrainer{model: *model, features: t.Spec.Features, workers: workers}
	start := time.Now()
	days := int(spec.Period / (24 * time.Hour))
	perDay := int((24 * time.Hour) / spec.Window)
	res, err := monitor.Simulate(ctx, monitor.Config{
		Scenario:  spec.Scenario,
		Generator: t.Spec.Data.Generator,
		Reference: td.ds.Flows.Rows(td.train),
		Workers:   workers,
		Progress: func(done, total int) {
			if done%perDay == 0 || done == total {
				logf("monitoring day %d/%d, %d of %d windows (%.1fs)", (done+perDay-1)/perDay, max(1, days), done, total, time.Since(start).Seconds())
			}
		},
	}, deployed, trainer, seed.Derive(t.DerivedSeed, "monitoring"))
	if err != nil {
		return nil, nil, err
	}
	write := func(name string, fn func(io.Writer) error) error {
		var err error
		artifacts[name], err = artifact.WriteFile(filepath.Join(tdir, name), fn)
		return err
	}
	if err := write(rundir.MonitoringFile, func(w io.Writer) error { return rundir.WriteMonitorWindows(w, res.Windows) }); err != nil {
		return nil, nil, err
	}
	if err := write(rundir.MonitoringDriftFile, func(w io.Writer) error { return rundir.WriteMonitorDrift(w, res.Drift) }); err != nil {
		return nil, nil, err
	}
	if err := write(rundir.MonitoringIncidents, func(w io.Writer) error { return rundir.WriteMonitorIncidents(w, res.Incidents) }); err != nil {
		return nil, nil, err
	}
	if err := write(rundir.MonitoringEvents, func(w io.Writer) error { return rundir.WriteMonitorEvents(w, res.Events) }); err != nil {
		return nil, nil, err
	}
	flowsPath := filepath.Join(tdir, rundir.MonitoringFlowsFile)
	if spec.StoreScores {
		if err := write(rundir.MonitoringFlowsFile, func(w io.Writer) error { return rundir.WriteMonitorFlows(w, res.Flows) }); err != nil {
			return nil, nil, err
		}
	} else if err := os.Remove(flowsPath); err != nil && !os.IsNotExist(err) {
		return nil, nil, err
	}

	s := res.Summary
	sum := rundir.MonitoringSummary{
		Campaigns: s.Campaigns, Detected: s.Detected, Missed: s.Missed,
		MTTDMinutes: finiteOrNil(s.MTTDMinutes), ContainMinutes: finiteOrNil(s.ContainMinutes),
		ResponseMinutes: finiteOrNil(s.ResponseMinutes), HealthScore: finiteOrNil(s.HealthScore), TrendFromDays: s.TrendFrom, Threshold: s.Threshold, DriftThreshold: s.DriftThreshold,
		ForecastNote: s.ForecastNote, Retraining: spec.Retraining.Enabled,
	}
	if s.TrendErr == nil {
		sum.TrendSlopePerDay, sum.TrendIntercept, sum.TrendR2 = finiteOrNil(s.Trend.Slope), finiteOrNil(s.Trend.Intercept), finiteOrNil(s.Trend.R2)
		sum.TrendPoints = s.Trend.N
	}
	if s.Forecast {
		sum.ForecastDays = finiteOrNil(s.ForecastDays)
	}
	if sum.HealthScore != nil {
		sum.HealthBand = timing.HealthBand(s.HealthScore)
	}
	if err := write(rundir.MonitoringSummaryFile, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(&sum)
	}); err != nil {
		return nil, nil, err
	}

	var rows []measured
	var notes []string
	add := func(metric string, v float64, why string) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			notes = append(notes, fmt.Sprintf("monitoring: %s not measured: %s", metric, why))
			return
		}
		rows = append(rows, measured{experiments.MonitoringModel, metric, v})
	}
	noCampaign := "no campaign was detected"
	add("mttd_minutes", s.MTTDMinutes, noCampaign)
	add("mean_time_to_contain_minutes", s.ContainMinutes, noCampaign)
	add("response_time_minutes", s.ResponseMinutes, noCampaign)
	add("campaigns", float64(s.Campaigns), "")
	add("campaigns_detected", float64(s.Detected), "")
	add("campaigns_missed", float64(s.Missed), "")
	add("detection_rate", s.DetectionRate, "no anomalous flow was simulated")
	add("last_day_detection_rate", s.LastDayDetectionRate, "no anomalous flow in the last 24 hours")
	add("false_positive_rate", s.FalsePositiveRate, "no normal flow was simulated")
	add("alerts_per_hour", s.AlertsPerHour, "")
	add("health_score", s.HealthScore, "a term of it is undefined (no detected campaign or no anomalous flow)")
	add("max_psi", s.MaxPSI, "no drift feature")
	add("max_ks", s.MaxKS, "no drift feature")
	if spec.Retraining.Enabled {
		add("retrains", float64(s.Retrains), "")
		add("promotions", float64(s.Promotions), "")
		add("rejections", float64(s.Rejections), "")
		add("rollbacks", float64(s.Rollbacks), "")
	}
	if s.TrendErr == nil {
		add("detection_trend_slope_per_day", s.Trend.Slope, "")
		add("detection_trend_r2", s.Trend.R2, "")
	}
	if s.Forecast {
		add("detection_forecast_days", s.ForecastDays, "")
	}
	notes = append(notes, "monitoring: trend: "+s.ForecastNote)
	if s.Missed > 0 {
		notes = append(notes, fmt.Sprintf("monitoring: %d of %d campaigns never detected", s.Missed, s.Campaigns))
	}
	return rows, notes, nil
}
