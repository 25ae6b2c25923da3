package report

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/monitor"
	"github.com/segharness/harness/internal/rundir"
)

// The fixture's monitoring: one dashboard and one drift chart per sweep
// point, from its first trial, and the section's tables from the files.
func TestMonitoringSection(t *testing.T) {
	_, r := generatedShared(t)
	if len(r.Monitored) != len(r.Points) {
		t.Fatalf("%d monitored trials, want one per sweep point (%d)", len(r.Monitored), len(r.Points))
	}
	for i, mt := range r.Monitored {
		if !slices.Equal(mt.Point, r.Points[i]) {
			t.Errorf("monitored trial %d at %v, want the point %v", i, mt.Point, r.Points[i])
		}
		if first := firstTrialAt(r, mt.Point); mt.Record.ID != first {
			t.Errorf("monitored trial %s at %v, want the point's first trial %s", mt.Record.ID, mt.Point, first)
		}
		m := mt.Monitoring
		if len(m.Windows) != 48 || len(m.Drift) == 0 || len(m.Incidents) == 0 || m.Summary == nil {
			t.Errorf("trial %s: %d windows, %d drift rows, %d incidents, summary %v", mt.Record.ID, len(m.Windows), len(m.Drift), len(m.Incidents), m.Summary)
		}
	}
	if r.Showcase.Monitoring != r.Monitored[0].Monitoring {
		t.Error("the showcase's monitoring was read twice")
	}
	if got := r.ModelsOf(Monitor); !slices.Equal(got, []string{experiments.MonitoringModel}) {
		t.Errorf("monitoring rows are model kind of %v, want only %s", got, experiments.MonitoringModel)
	}
	if slices.Contains(r.ModelsOf(Detector), experiments.MonitoringModel) {
		t.Error("the monitoring rows count as a detector")
	}

	var names []string
	for _, f := range r.Figures() {
		if f.Section == SectionMonitoring {
			names = append(names, f.Name)
		}
	}
	want := []string{"monitoring-dashboard-anomaly_rate=0.05", "monitoring-dashboard-anomaly_rate=0.1",
		"monitoring-drift-anomaly_rate=0.05", "monitoring-drift-anomaly_rate=0.1"}
	if !slices.Equal(names, want) {
		t.Errorf("monitoring figures %v, want %v", names, want)
	}

	// The drift threshold is monitoring.json's.
	first := r.Monitored[0]
	if v, ok := driftThreshold(first.Monitoring); !ok || v != 0.25 {
		t.Errorf("drift threshold %v, %v; want monitoring.json's 0.25", v, ok)
	}

	head := r.MonitoringHeadline()
	if len(head.Header) != 1+len(r.Monitored) || len(head.Rows) == 0 {
		t.Fatalf("headline header %v, %d rows", head.Header, len(head.Rows))
	}
	for _, row := range head.Rows {
		if len(row) != len(head.Header) {
			t.Errorf("headline row %v has %d cells, want %d", row, len(row), len(head.Header))
		}
	}

	// Every incident is a row; one never detected reads so.
	m := r.Monitored[0].Monitoring
	_, _, sla := r.monitoringReferences()
	tab := IncidentsTable(m, sla)
	if len(tab.Rows) != len(m.Incidents) {
		t.Errorf("incidents table has %d rows, incidents.parquet %d", len(tab.Rows), len(m.Incidents))
	}
	missed := 0
	for _, in := range m.Incidents {
		if !in.Detected {
			missed++
		}
	}
	never := 0
	for _, row := range tab.Rows {
		if row[5] == neverDetected {
			never++
			if row[6] != neverDetected || row[8] != neverDetected || row[9] != "missed" {
				t.Errorf("missed campaign row %v", row)
			}
		}
	}
	if never != missed || missed == 0 {
		t.Errorf("%d rows say never detected, %d campaigns were missed (the fixture misses some)", never, missed)
	}
	if ev := EventsTable(m); len(ev.Rows) != len(m.Events) {
		t.Errorf("events table has %d rows, events.parquet %d", len(ev.Rows), len(m.Events))
	}
}

func firstTrialAt(r *Run, p []string) string {
	for _, t := range r.Manifest.Trials {
		if slices.Equal(trialPoint(t, r.Manifest), p) {
			return t.ID
		}
	}
	return ""
}

func TestClockText(t *testing.T) {
	for _, c := range []struct {
		minutes float64
		want    string
	}{
		{0, "0d 00:00"}, {121, "0d 02:01"}, {3240, "2d 06:00"}, {121.5, "0d 02:01:30"}, {2 * dayLength, "2d 00:00"},
	} {
		if got := clockText(c.minutes); got != c.want {
			t.Errorf("clockText(%v) = %q, want %q", c.minutes, got, c.want)
		}
	}
	for _, c := range []struct {
		minutes float64
		want    string
	}{{60, "1 h"}, {15, "15 min"}, {2 * dayLength, "2 d"}, {90, "90 min"}} {
		if got := durationText(c.minutes); got != c.want {
			t.Errorf("durationText(%v) = %q, want %q", c.minutes, got, c.want)
		}
	}
}

// The trend line runs over the windows it was fitted on; drift series
// follow drift.parquet, NaN where a feature has no row.
func TestMonitoringSeries(t *testing.T) {
	slope, intercept := 0.5, 0.4
	m := &Monitoring{
		Windows: []monitor.Window{
			{Window: 0, StartMinutes: 0, EndMinutes: 720, DetectionRate: 0.5, MaxPSI: 0.1},
			{Window: 1, StartMinutes: 720, EndMinutes: 1440, DetectionRate: 0.9, MaxPSI: 0.3},
			{Window: 2, StartMinutes: 1440, EndMinutes: 2160, DetectionRate: math.NaN(), MaxPSI: 0.2},
		},
		Drift: []monitor.Drift{{Window: 0, Feature: "bytes_sent", PSI: 0.1}, {Window: 1, Feature: "bytes_sent", PSI: 0.3},
			{Window: 1, Feature: "duration", PSI: 0.05}},
		Summary: &rundir.MonitoringSummary{TrendSlopePerDay: &slope, TrendIntercept: &intercept, TrendFromDays: 0.25, Threshold: 0.9},
	}
	line := trendLine(m)
	if line == nil || line.From != 0.25 || line.To != 0.75 || line.Slope != slope || line.Threshold != 0.9 {
		t.Errorf("trend line %+v, want from 0.25 to 0.75 (the last window with a rate)", line)
	}
	maxPSI, features := driftSeries(m)
	if !slices.Equal(maxPSI, []float64{0.1, 0.3, 0.2}) || len(features) != 2 || features[0].Label != "bytes_sent" ||
		features[1].PSI[1] != 0.05 || !math.IsNaN(features[1].PSI[0]) || !math.IsNaN(features[0].PSI[2]) {
		t.Errorf("drift series %v, %+v", maxPSI, features)
	}
	if !strings.HasPrefix(line.Label, "trend fit, +0.5 a day") {
		t.Errorf("trend label %q", line.Label)
	}
}
