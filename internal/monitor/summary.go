package monitor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/monitor/trend"
)

// Summary is the simulation's headline: the figures of the metrics table.
type Summary struct {
	// Over the campaigns: mean time to detect, to contain and to respond,
	// in minutes, over the detected ones (NaN when none was).
	MTTDMinutes, ContainMinutes, ResponseMinutes float64
	Campaigns, Detected, Missed                  int
	// Over every flow of the simulation: the live decisions' detection rate
	// and false positive rate (NaN without anomalous or normal flows),
	// alerts per hour, and the notebook's health score of these and the
	// mean response time.
	DetectionRate, FalsePositiveRate, AlertsPerHour, HealthScore float64
	// LastDayDetectionRate is the detection rate over the windows of the
	// last 24 hours (the whole period when shorter): where retraining left
	// the detector.
	LastDayDetectionRate float64
	// MaxPSI and MaxKS are the largest over windows and drift features (NaN
	// without drift features).
	MaxPSI, MaxKS float64
	// Retraining's outcomes.
	Retrains, Promotions, Rejections, Rollbacks int
	// Trend is the least-squares line of the windows' detection rate
	// against time in days, over the windows since the last promotion (or
	// the start) that have anomalous flows; TrendErr says why there is
	// none (too few such windows, all at one rate...).
	Trend    trend.Fit
	TrendErr error
	// TrendFrom is the time, in days, of the first window fitted.
	TrendFrom float64
	// ForecastDays is how many days after the simulation's end the line
	// falls below the retraining threshold (Forecast false: it does not,
	// within ForecastHorizon, or already has: ForecastNote says which).
	ForecastDays float64
	Forecast     bool
	ForecastNote string
	// Threshold is the detection rate the forecast is for: the retraining
	// policy's MinDetection.
	Threshold float64
	// DriftThreshold is the largest PSI above which a window counts as
	// drifted (a drift event): retraining's DriftThreshold when it sets
	// one, else 0.25.
	DriftThreshold float64
}

// ForecastHorizon bounds the forecast: a crossing further ahead than this
// many days is reported as none.
const ForecastHorizon = 365

func (m *sim) summarise(incidents []timing.Incident) Summary {
	s := Summary{MaxPSI: math.NaN(), MaxKS: math.NaN(), Threshold: m.Scenario.Retraining.MinDetection, DriftThreshold: m.driftThresh}
	s.MTTDMinutes, s.ResponseMinutes, s.Detected, s.Missed = timing.Summary(incidents)
	s.Campaigns = len(incidents)
	s.ContainMinutes = math.NaN()
	if s.Detected > 0 {
		sum := 0.0
		for _, inc := range incidents {
			if inc.Detected {
				sum += inc.TimeToContain.Minutes()
			}
		}
		s.ContainMinutes = sum / float64(s.Detected)
	}
	var tp, anomalies, fp, flows, alerts, lastTP, lastAnomalies int64
	lastDay := max(0, m.Scenario.Period-24*time.Hour).Minutes()
	for _, w := range m.res.Windows {
		tp, anomalies, fp, flows, alerts = tp+w.TruePositives, anomalies+w.Anomalies, fp+w.FalsePositives, flows+w.Flows, alerts+w.Alerts
		if w.StartMinutes >= lastDay {
			lastTP, lastAnomalies = lastTP+w.TruePositives, lastAnomalies+w.Anomalies
		}
		if !math.IsNaN(w.MaxPSI) && (math.IsNaN(s.MaxPSI) || w.MaxPSI > s.MaxPSI) {
			s.MaxPSI = w.MaxPSI
		}
		if !math.IsNaN(w.MaxKS) && (math.IsNaN(s.MaxKS) || w.MaxKS > s.MaxKS) {
			s.MaxKS = w.MaxKS
		}
	}
	s.DetectionRate = ratio(tp, anomalies)
	s.LastDayDetectionRate = ratio(lastTP, lastAnomalies)
	s.FalsePositiveRate = ratio(fp, flows-anomalies)
	s.AlertsPerHour = float64(alerts) / m.Scenario.Period.Hours()
	s.HealthScore = timing.HealthScore(s.DetectionRate, s.FalsePositiveRate, s.ResponseMinutes)
	for _, e := range m.res.Events {
		switch retrain.Kind(e.Kind) {
		case retrain.EventRetrain:
			s.Retrains++
		case retrain.EventPromote:
			s.Promotions++
		case retrain.EventReject:
			s.Rejections++
		case retrain.EventRollback:
			s.Rollbacks++
		}
	}
	m.fitTrend(&s)
	return s
}

// fitTrend fits the detection rate of the windows since the last promotion
// against their midpoints in days, and forecasts the crossing of the
// threshold.
func (m *sim) fitTrend(s *Summary) {
	var x, y []float64
	day := float64(24 * time.Hour)
	for _, w := range m.res.Windows {
		mid := (w.StartMinutes + w.EndMinutes) / 2
		if mid*float64(time.Minute) < float64(m.promotedAt) || math.IsNaN(w.DetectionRate) {
			continue
		}
		x = append(x, mid*float64(time.Minute)/day)
		y = append(y, w.DetectionRate)
	}
	if len(x) > 0 {
		s.TrendFrom = x[0]
	}
	s.Trend, s.TrendErr = trend.Linear(x, y)
	if s.TrendErr != nil {
		s.ForecastNote = "no trend: " + strings.TrimPrefix(s.TrendErr.Error(), "trend: ")
		return
	}
	end := m.Scenario.Period.Hours() / 24
	switch at, ok := s.Trend.Crossing(s.Threshold, end); {
	case s.Trend.At(end) < s.Threshold:
		s.ForecastNote = fmt.Sprintf("the fitted detection rate is already below %.2f at the end (%.4f)", s.Threshold, s.Trend.At(end))
	case !ok || at-end > ForecastHorizon:
		s.ForecastNote = fmt.Sprintf("the fitted detection rate does not fall below %.2f within %d days (slope %+.5f a day)", s.Threshold, ForecastHorizon, s.Trend.Slope)
	default:
		s.ForecastDays, s.Forecast = at-end, true
		s.ForecastNote = fmt.Sprintf("at %+.5f a day the fitted detection rate falls below %.2f %.1f days after the end", s.Trend.Slope, s.Threshold, at-end)
	}
}
