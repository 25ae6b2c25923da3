package runner

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
)

// monitoringExperiment is a small monitoring run with a real forest:
// two days, a daily campaign of each type, a drift and retraining, every
// flow's score stored.
const monitoringExperiment = `name: mon
seeds: [3]
data: {flows: 4000, anomaly_rate: 0.05}
split: {stratify: is_anomaly}
models:
  - {name: rf, kind: random_forest, trees: 30}
monitoring:
  period: 2d
  window: 2h
  flows_per_day: 30000
  campaigns:
    - {name: mining, type: crypto_mining, start: 1h, duration: 3h, every: 1d, rate: 40}
    - {name: lateral, type: lateral_movement, start: 14h, duration: 2h, every: 1d, rate: 30, src_department: hr}
    - {name: quiet, type: crypto_mining, variant: quiet_mining, start: 1d, duration: 2h, every: 4h, rate: 50, difficulty: 0.7, cpu_shift: -30}
  drifts:
    - {start: 1d, ramp: 6h, bytes_log_shift: 0.5}
  feedback: {delay: 2h, normal_fraction: 0.02, anomaly_fraction: 0.5}
  retraining: {min_samples: 200, min_anomalies: 20, new_patterns: 20, feedback_window: 12h, holdout: 6h, stage_duration: 4h, cooldown: 4h}
  store_scores: true
targets:
  - {model: monitoring, metric: response_time_minutes, "<": 15}
`

func runMonitoringExperiment(t *testing.T, workers int) (*Result, string) {
	t.Helper()
	exp, err := experiments.Parse([]byte(monitoringExperiment), "mon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return res, rundir.TrialDir(res.Dir, res.Manifest.Trials[0].ID)
}

// TestMonitoringWindowsFromStoredScores recomputes every window's figures
// from monitoring_flows.parquet, the per-flow scores of a real forest read
// back from disk, and checks the metric rows against the tables.
func TestMonitoringWindowsFromStoredScores(t *testing.T) {
	res, tdir := runMonitoringExperiment(t, 2)
	windows, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringFile), rundir.ReadMonitorWindows)
	if err != nil {
		t.Fatal(err)
	}
	flows, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringFlowsFile), rundir.ReadMonitorFlows)
	if err != nil {
		t.Fatal(err)
	}
	if len(windows) != 24 {
		t.Fatalf("%d windows, want 2 days of 2 hours: 24", len(windows))
	}
	type counts struct{ flows, anomalies, tp, fp int64 }
	per := make([]counts, len(windows))
	var all counts
	for _, f := range flows {
		c := &per[f.Window]
		c.flows++
		if f.Flagged != (f.Score > 0.5) {
			t.Fatalf("flow at %v min: probability %v, flagged %v: the forest decides by the most probable class", f.TimeMinutes, f.Score, f.Flagged)
		}
		if f.IsAnomaly != (f.Campaign != "") {
			t.Fatalf("flow at %v min: anomalous %v but campaign %q", f.TimeMinutes, f.IsAnomaly, f.Campaign)
		}
		if f.IsAnomaly {
			c.anomalies++
		}
		if f.Flagged && f.IsAnomaly {
			c.tp++
		} else if f.Flagged {
			c.fp++
		}
	}
	for w, row := range windows {
		c := per[w]
		all.flows, all.anomalies, all.tp, all.fp = all.flows+c.flows, all.anomalies+c.anomalies, all.tp+c.tp, all.fp+c.fp
		dr := math.NaN()
		if c.anomalies > 0 {
			dr = float64(c.tp) / float64(c.anomalies)
		}
		fpr := float64(c.fp) / float64(c.flows-c.anomalies)
		if row.Flows != c.flows || row.Anomalies != c.anomalies || row.TruePositives != c.tp || row.FalsePositives != c.fp ||
			!sameFloat(row.DetectionRate, dr) || row.FalsePositiveRate != fpr {
			t.Errorf("window %d: %+v; recomputed from the stored scores: %+v, DR %v, FPR %v", w, row, c, dr, fpr)
		}
	}
	metrics := map[string]float64{}
	for _, m := range trialMetrics(t, res.Dir, res.Manifest.Trials[0]) {
		if m.Model == experiments.MonitoringModel {
			metrics[m.Metric] = m.Value
		}
	}
	if got, want := metrics["detection_rate"], float64(all.tp)/float64(all.anomalies); got != want {
		t.Errorf("detection_rate %v, recomputed %v", got, want)
	}
	if got, want := metrics["false_positive_rate"], float64(all.fp)/float64(all.flows-all.anomalies); got != want {
		t.Errorf("false_positive_rate %v, recomputed %v", got, want)
	}
	incidents, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringIncidents), rundir.ReadMonitorIncidents)
	if err != nil {
		t.Fatal(err)
	}
	sum, n := 0.0, 0
	for _, inc := range incidents {
		if inc.Detected {
			sum += *inc.ResponseTimeMinutes
			n++
		}
	}
	if got := metrics["response_time_minutes"]; n == 0 || math.Abs(got-sum/float64(n)) > 1e-9 {
		t.Errorf("response_time_minutes %v, mean over %d detected incidents %v", got, n, sum/float64(n))
	}
	if metrics["campaigns"] != float64(len(incidents)) {
		t.Errorf("campaigns %v, %d incidents", metrics["campaigns"], len(incidents))
	}
	events, err := rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringEvents), rundir.ReadMonitorEvents)
	if err != nil {
		t.Fatal(err)
	}
	var retrains int
	for _, e := range events {
		if e.Kind == "retrain" {
			retrains++
		}
	}
	if retrains == 0 || metrics["retrains"] != float64(retrains) {
		t.Errorf("%d retrain events, metric retrains %v: want at least one, the same", retrains, metrics["retrains"])
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestMonitoringDeterministic: the monitoring files of the same
// experiment are byte-identical for 1 and 2 workers.
func TestMonitoringDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the experiment twice")
	}
	_, a := runMonitoringExperiment(t, 1)
	_, b := runMonitoringExperiment(t, 2)
	for _, name := range monitoringFiles {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between 1 and 2 workers", name)
		}
	}
}

// BenchmarkMonitoringWeek simulates the reference load: 7 days at
// 1,000,000 normal flows a day in 1-hour windows, with a daily campaign of
// each type, scored by the baseline's 100-tree random forest. Retraining is
// off; BenchmarkMonitoringWeekRetraining adds drift, a variant and the
// policy.
func BenchmarkMonitoringWeek(b *testing.B) { benchMonitoring(b, "") }

func BenchmarkMonitoringWeekRetraining(b *testing.B) {
	benchMonitoring(b, `
    - {name: quiet, type: crypto_mining, variant: quiet_mining, start: 2d, duration: 4h, every: 6h, rate: 60, difficulty: 0.6, cpu_shift: -30}
  drifts:
    - {start: 2d, ramp: 1d, bytes_log_shift: 0.7}
  retraining: {}`)
}

func benchMonitoring(b *testing.B, extra string) {
	src := `name: bench
seeds: [42]
data: {flows: 10000, anomaly_rate: 0.05}
split: {stratify: is_anomaly, scale_on: all}
models:
  - {name: rf, kind: random_forest, trees: 100}
monitoring:
  period: 7d
  window: 1h
  flows_per_day: 1000000
  campaigns:
    - {name: mining, type: crypto_mining, start: 2h, duration: 4h, every: 1d, rate: 60}
    - {name: lateral, type: lateral_movement, start: 13h, duration: 2h, every: 1d, rate: 40}` + extra + "\n"
	exp, err := experiments.Parse([]byte(src), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	for b.Loop() {
		if _, err := Run(context.Background(), exp, Options{Out: out, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(7e6*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}
