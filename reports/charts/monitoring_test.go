package charts

import (
	"math"
	"testing"
)

// monitorWindows are three days of two-hour windows, shaped like a
// simulation with a campaign every half day and a drift from day 1: the
// detection rate is undefined (NaN) between campaigns, falls with the
// drift and recovers after a candidate is rolled out (day 1.75 to 2.5)
// and promoted.
func monitorWindows() []MonitorWindow {
	var out []MonitorWindow
	for i := range 36 {
		start := float64(i) / 12
		w := MonitorWindow{Start: start, End: start + 1.0/12,
			DetectionRate: math.NaN(), FalsePositiveRate: 0.002 + 0.001*float64(i%5), ResponseTime: math.NaN()}
		if i%6 < 3 { // a campaign in the first half of each half day
			dr := 0.97
			switch {
			case start >= 2.5:
				dr = 0.96 + 0.01*float64(i%3)
			case start >= 1:
				dr = 0.97 - 0.3*min(1, start-1) + 0.02*float64(i%3)
			}
			w.DetectionRate = dr
			w.Threats = math.Round(60 * dr)
		}
		if i >= 1 {
			w.ResponseTime = 11 + 3*math.Sin(float64(i)/4)
		}
		if i == 20 { // a window without normal flows
			w.FalsePositiveRate = math.NaN()
		}
		switch {
		case start >= 1.75 && start < 2:
			w.CandidateShare = 0.1
		case start >= 2 && start < 2.25:
			w.CandidateShare = 0.5
		case start >= 2.25 && start < 2.5:
			w.CandidateShare = 1
		}
		out = append(out, w)
	}
	return out
}

var monitorEvents = []Event{
	{Day: 0.75, Kind: EventRetrain}, {Day: 0.75, Kind: EventReject},
	{Day: 1.25, Kind: EventDrift},
	{Day: 1.75, Kind: EventRetrain},
	{Day: 2.5, Kind: EventPromote},
	{Day: 2.8, Kind: EventRollback},
}

func monitoringCharts() map[string]*Chart {
	windows := monitorWindows()
	maxPSI := make([]float64, len(windows))
	features := []DriftFeature{{Label: "bytes_sent"}, {Label: "duration"}, {Label: "cpu_usage"}}
	for i, w := range windows {
		shift := 0.45 * min(1, max(0, w.Start-1))
		psi := []float64{0.01 + shift + 0.02*float64(i%4), 0.015 + 0.1*shift, 0.008 + 0.005*float64(i%3)}
		maxPSI[i] = 0
		for k := range features {
			features[k].PSI = append(features[k].PSI, psi[k])
			maxPSI[i] = max(maxPSI[i], psi[k])
		}
	}
	return map[string]*Chart{
		"monitoring_dashboard": MonitoringDashboard(Dashboard{
			Title: "Monitoring dashboard (retraining=true)", Windows: windows, Events: monitorEvents,
			Trend:           &TrendLine{From: 2.54, To: 2.96, Intercept: 0.91, Slope: 0.02, Threshold: 0.9, Label: "trend fit, +0.02 a day (R² 0.31)"},
			DetectionTarget: 0.95, FPRThreshold: 0.05, ResponseSLA: 15,
		}),
		"monitoring_drift": DriftChart(Drift{Title: "Drift of the traffic (retraining=true)", Windows: windows,
			MaxPSI: maxPSI, Features: features, Threshold: 0.25, Events: monitorEvents}),
	}
}

func TestMonitoringMisusePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		call func()
	}{
		{"unknown event", func() { MonitoringDashboard(Dashboard{Events: []Event{{Day: 1, Kind: "trigger"}}}) }},
		{"windows out of order", func() {
			MonitoringDashboard(Dashboard{Windows: []MonitorWindow{{Start: 1, End: 2}, {Start: 0, End: 1}}})
		}},
		{"drift series length", func() {
			DriftChart(Drift{Windows: []MonitorWindow{{Start: 0, End: 1}}, MaxPSI: []float64{0.1}, Features: []DriftFeature{{Label: "x"}}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", c.name)
				}
			}()
			c.call()
		})
	}
}

// An empty simulation still draws, with axes to read.
func TestMonitoringEmpty(t *testing.T) {
	for _, c := range []*Chart{MonitoringDashboard(Dashboard{}), DriftChart(Drift{})} {
		if len(c.SVG()) == 0 || len(c.PNG()) == 0 {
			t.Error("an empty monitoring chart wrote nothing")
		}
	}
}
