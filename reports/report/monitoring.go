package report

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/monitor"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/reports/charts"
)

// SectionMonitoring is the report section of the monitoring simulation,
// present when the run has one.
const SectionMonitoring = "monitoring"

// Monitoring is a trial's monitoring simulation, read back from the files
// internal/runner writes for an experiment with a monitoring block.
type Monitoring struct {
	Windows   []monitor.Window          // monitoring.parquet
	Drift     []monitor.Drift           // drift.parquet
	Incidents []monitor.Incident        // incidents.parquet
	Events    []monitor.Event           // events.parquet
	Summary   *rundir.MonitoringSummary // monitoring.json
}

// MonitoredTrial is the monitoring simulation of the first trial of a
// sweep point.
type MonitoredTrial struct {
	Record     rundir.TrialRecord
	Point      []string
	Monitoring *Monitoring
}

// loadMonitoring reads the monitoring files of the trial in tdir; it
// returns nil when the trial has no monitoring.parquet (its experiment has
// no monitoring block). Once monitoring.parquet is there, the other files
// must be too.
func loadMonitoring(tdir string) (*Monitoring, error) {
	windowsPath := filepath.Join(tdir, rundir.MonitoringFile)
	if _, err := os.Stat(windowsPath); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	m := &Monitoring{}
	var err error
	if m.Windows, err = rundir.ReadTableFile(windowsPath, rundir.ReadMonitorWindows); err != nil {
		return nil, err
	}
	if m.Drift, err = rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringDriftFile), rundir.ReadMonitorDrift); err != nil {
		return nil, err
	}
	if m.Incidents, err = rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringIncidents), rundir.ReadMonitorIncidents); err != nil {
		return nil, err
	}
	if m.Events, err = rundir.ReadTableFile(filepath.Join(tdir, rundir.MonitoringEvents), rundir.ReadMonitorEvents); err != nil {
		return nil, err
	}
	if m.Summary, err = rundir.ReadMonitoringSummary(filepath.Join(tdir, rundir.MonitoringSummaryFile)); err != nil {
		return nil, err
	}
	return m, nil
}

// loadMonitored reads the monitoring simulation of the first trial of each
// sweep point, the showcase's as loaded, when the showcase has one.
func (r *Run) loadMonitored() error {
	if r.Showcase == nil || r.Showcase.Monitoring == nil {
		return nil
	}
	for _, p := range r.Points {
		for _, t := range r.Manifest.Trials {
			if !slices.Equal(trialPoint(t, r.Manifest), p) {
				continue
			}
			mt := MonitoredTrial{Record: t, Point: p}
			if t.ID == r.Showcase.Record.ID {
				mt.Monitoring = r.Showcase.Monitoring
			} else {
				var err error
				if mt.Monitoring, err = loadMonitoring(rundir.TrialDir(r.Dir, t.ID)); err != nil {
					return err
				}
			}
			if mt.Monitoring != nil {
				r.Monitored = append(r.Monitored, mt)
			}
			break
		}
	}
	return nil
}

// The dashboard's reference lines are the notebook's, unless the
// experiment declares a target on the monitoring simulation's metric.
const (
	notebookDetectionTarget = 0.95 // detection rate
	notebookFPRThreshold    = 0.05 // false positive rate
	notebookResponseSLA     = 15.0 // response time, minutes
)

// reference is a reference line of the dashboard: its value, the
// comparison a measured value must pass, and where it comes from.
type reference struct {
	value  float64
	op     string // ">", ">=", "<" or "<="
	source string // "the notebook's" or "the experiment's target"
}

// met says whether v passes the reference.
func (ref reference) met(v float64) bool {
	switch ref.op {
	case ">":
		return v > ref.value
	case ">=":
		return v >= ref.value
	case "<":
		return v < ref.value
	}
	return v <= ref.value
}

// monitoringReference returns the line for metric: the first target the
// experiment sets on the monitoring simulation's metric (everywhere, not
// at some sweep points), else the notebook's value, to pass with op.
func (r *Run) monitoringReference(metric string, notebook float64, op string) reference {
	for _, t := range r.Manifest.Targets {
		if t.Model == experiments.MonitoringModel && t.Metric == metric && t.AnomalyType == "" && len(t.Where) == 0 {
			return reference{t.Value, t.Op, "the experiment's target"}
		}
	}
	return reference{notebook, op, "the notebook's"}
}

// The dashboard's references: the detection rate target, the false
// positive rate threshold and the response time SLA.
func (r *Run) monitoringReferences() (dr, fpr, sla reference) {
	return r.monitoringReference("detection_rate", notebookDetectionTarget, ">="),
		r.monitoringReference("false_positive_rate", notebookFPRThreshold, "<="),
		r.monitoringReference("response_time_minutes", notebookResponseSLA, "<=")
}

// dayLength is a day in minutes, the unit of the tables' times.
const dayLength = 24 * 60

// chartWindows are the simulation's windows as the charts take them.
func chartWindows(m *Monitoring) []charts.MonitorWindow {
	out := make([]charts.MonitorWindow, len(m.Windows))
	for i, w := range m.Windows {
		out[i] = charts.MonitorWindow{
			Start: w.StartMinutes / dayLength, End: w.EndMinutes / dayLength,
			DetectionRate: w.DetectionRate, FalsePositiveRate: w.FalsePositiveRate,
			ResponseTime: w.ResponseTimeMinutes, Threats: float64(w.TruePositives), CandidateShare: w.CandidateShare,
		}
	}
	return out
}

// eventKinds maps the events the charts mark to their kinds; the policy's
// other steps (trigger, wait_samples, ab_test, rollout_stage) are in the
// events table, and rollouts are shaded from the windows.
var eventKinds = map[string]charts.EventKind{
	"drift": charts.EventDrift, "retrain": charts.EventRetrain, "reject": charts.EventReject,
	"promote": charts.EventPromote, "rollback": charts.EventRollback,
}

func chartEvents(m *Monitoring) []charts.Event {
	var out []charts.Event
	for _, e := range m.Events {
		if k, ok := eventKinds[e.Kind]; ok {
			out = append(out, charts.Event{Day: e.TimeMinutes / dayLength, Kind: k})
		}
	}
	return out
}

// trendLine is the detection rate's trend line of monitoring.json over
// the windows it was fitted on: from TrendFromDays to the middle of the
// last window with a detection rate; nil without a trend.
func trendLine(m *Monitoring) *charts.TrendLine {
	s := m.Summary
	if s.TrendSlopePerDay == nil || s.TrendIntercept == nil {
		return nil
	}
	to := s.TrendFromDays
	for _, w := range m.Windows {
		if mid := (w.StartMinutes + w.EndMinutes) / 2 / dayLength; !math.IsNaN(w.DetectionRate) && mid >= s.TrendFromDays {
			to = mid
		}
	}
	label := fmt.Sprintf("trend fit, %+.3g a day", *s.TrendSlopePerDay)
	if s.TrendR2 != nil {
		label += fmt.Sprintf(" (R² %.2f)", *s.TrendR2)
	}
	return &charts.TrendLine{From: s.TrendFromDays, To: to, Intercept: *s.TrendIntercept, Slope: *s.TrendSlopePerDay,
		Threshold: s.Threshold, Label: label}
}

// driftThreshold is the PSI above which the simulation counted a window
// as drifted, as monitoring.json records it; ok is false when it does not
// (a file of an older run).
func driftThreshold(m *Monitoring) (float64, bool) {
	if m.Summary.DriftThreshold > 0 {
		return m.Summary.DriftThreshold, true
	}
	return 0, false
}

// driftSeries are the simulation's largest PSI per window and each drift
// feature's, in the order drift.parquet first names them.
func driftSeries(m *Monitoring) (maxPSI []float64, features []charts.DriftFeature) {
	pos := make(map[int64]int, len(m.Windows))
	maxPSI = make([]float64, len(m.Windows))
	for i, w := range m.Windows {
		pos[w.Window] = i
		maxPSI[i] = w.MaxPSI
	}
	index := map[string]int{}
	for _, d := range m.Drift {
		i, ok := pos[d.Window]
		if !ok {
			continue
		}
		k, ok := index[d.Feature]
		if !ok {
			k = len(features)
			index[d.Feature] = k
			psi := make([]float64, len(m.Windows))
			for j := range psi {
				psi[j] = math.NaN()
			}
			features = append(features, charts.DriftFeature{Label: d.Feature, PSI: psi})
		}
		features[k].PSI[i] = d.PSI
	}
	return maxPSI, features
}

// monitoredLabel names a monitored trial in titles: its sweep point, or
// its ID when the run sweeps nothing.
func (r *Run) monitoredLabel(mt MonitoredTrial) string {
	if at := r.PointText(mt.Point); at != "" {
		return at
	}
	return "trial " + mt.Record.ID
}

// windowText is the length of the simulation's windows: "1 h", "15 min".
func windowText(m *Monitoring) string {
	if len(m.Windows) == 0 {
		return ""
	}
	return durationText(m.Windows[0].EndMinutes - m.Windows[0].StartMinutes)
}

// durationText writes minutes as the longest whole unit: 1 d, 6 h, 15 min.
func durationText(minutes float64) string {
	switch {
	case minutes >= dayLength && math.Mod(minutes, dayLength) == 0:
		return fmt.Sprintf("%g d", minutes/dayLength)
	case minutes >= 60 && math.Mod(minutes, 60) == 0:
		return fmt.Sprintf("%g h", minutes/60)
	}
	return fmt.Sprintf("%g min", minutes)
}

// monitoringFigures are the dashboard and the drift chart of the first
// trial of each sweep point: with and without retraining side by side
// when the run sweeps retraining.enabled.
func (r *Run) monitoringFigures() []*Figure {
	dr, fpr, sla := r.monitoringReferences()
	var dashboards, drifts []*Figure
	for _, mt := range r.Monitored {
		m := mt.Monitoring
		label := r.monitoredLabel(mt)
		name := []string{"monitoring", "dashboard"}
		if at := r.PointText(mt.Point); at != "" {
			name = append(name, strings.ReplaceAll(at, ", ", "-"))
		}
		d := charts.Dashboard{
			Title: "Monitoring dashboard (" + label + ")", Windows: chartWindows(m), Events: chartEvents(m), Trend: trendLine(m),
			DetectionTarget: dr.value, FPRThreshold: fpr.value, ResponseSLA: sla.value,
		}
		caption := fmt.Sprintf("The notebook's monitoring dashboard, measured: trial %s's simulated period, window by window of %s (monitoring.parquet), "+
			"from the deployed detector's own decisions. From the top: the detection rate (true-positive alerts over anomalous flows) against %s target %s, "+
			"the false positive rate against %s threshold %s, the mean response time (detect plus contain) of the campaigns detected so far against %s SLA of %s minutes, "+
			"and the true-positive alerts per window. A rate is drawn at the middle of its window and leaves a gap where the window has no flow to rate (no anomalous flow for the detection rate).",
			mt.Record.ID, windowText(m), dr.source, fmtValue(dr.value), fpr.source, fmtValue(fpr.value), sla.source, fmtValue(sla.value))
		if d.Trend != nil {
			caption += fmt.Sprintf(" The black line is monitoring.json's least-squares trend of the detection rate over the %d windows it was fitted on (from day %.2f, the model deployed last), dotted the threshold its forecast is for (retraining.min_detection) %s: %s.",
				m.Summary.TrendPoints, m.Summary.TrendFromDays, fmtValue(m.Summary.Threshold), m.Summary.ForecastNote)
		}
		caption += " Vertical lines mark the events of events.parquet; the windows of a rollout are shaded."
		dashboards = append(dashboards, &Figure{
			Name: fileName(name...), Section: SectionMonitoring, Title: "Monitoring dashboard, " + label, Caption: caption,
			draw: func() *charts.Chart { return charts.MonitoringDashboard(d) },
		})

		maxPSI, features := driftSeries(m)
		threshold, ok := driftThreshold(m)
		driftCaption := fmt.Sprintf("Population stability index of each drift feature of trial %s per window, against the trial's training flows (drift.parquet), the largest of them grey beneath.", mt.Record.ID)
		drifted := slices.ContainsFunc(m.Events, func(e monitor.Event) bool { return e.Kind == "drift" })
		switch {
		case ok && drifted:
			driftCaption += fmt.Sprintf(" Dashed: the drift threshold %s; a dotted line marks each window whose largest PSI rose above it (a drift event).", fmtValue(threshold))
		case ok:
			driftCaption += fmt.Sprintf(" Dashed: the drift threshold %s, which no window's largest PSI rose above.", fmtValue(threshold))
		default:
			threshold = 0
		}
		drift := charts.Drift{Title: "Drift of the traffic (" + label + ")", Windows: d.Windows, MaxPSI: maxPSI, Features: features,
			Threshold: threshold, Events: d.Events}
		drifts = append(drifts, &Figure{
			Name: fileName(append([]string{"monitoring", "drift"}, name[2:]...)...), Section: SectionMonitoring,
			Title: "Drift of the traffic, " + label, Caption: driftCaption,
			draw: func() *charts.Chart { return charts.DriftChart(drift) },
		})
	}
	return append(dashboards, drifts...)
}

// clockText writes minutes since the start of a simulation as elapsed
// days and clock time: "2d 06:00", "0d 02:01:30", so that 2d 06:00 is at
// 2.25 on the charts' axis of days.
func clockText(minutes float64) string {
	seconds := int64(math.Round(minutes * 60))
	d, rest := seconds/86400, seconds%86400
	h, m, s := rest/3600, rest%3600/60, rest%60
	if s != 0 {
		return fmt.Sprintf("%dd %02d:%02d:%02d", d, h, m, s)
	}
	return fmt.Sprintf("%dd %02d:%02d", d, h, m)
}

// neverDetected stands for the times of a campaign never detected.
const neverDetected = "never detected"

func minutesCell(v *float64) string {
	if v == nil {
		return neverDetected
	}
	return fmtValue(*v)
}

// IncidentsTable is a simulation's campaigns (incidents.parquet) in the
// order they started: when, its first alert and its times to detect, to
// contain and to respond, against the response SLA.
func IncidentsTable(m *Monitoring, sla reference) Table {
	t := Table{
		Header: []string{"campaign", "attack", "start", "end", "flows alerted", "first alert",
			"time to detect (min)", "time to contain (min)", "response time (min)", fmt.Sprintf("SLA (%s %s min)", sla.op, fmtValue(sla.value))},
		Numeric: []bool{false, false, false, false, true, false, true, true, true, false},
	}
	incidents := slices.Clone(m.Incidents)
	slices.SortStableFunc(incidents, func(a, b monitor.Incident) int { return cmp.Compare(a.StartMinutes, b.StartMinutes) })
	for _, in := range incidents {
		attack := in.Type
		if in.Variant != "" && in.Variant != in.Type {
			attack += " (" + in.Variant + ")"
		}
		first, verdict := neverDetected, "missed"
		if in.FirstAlertMinutes != nil {
			first = clockText(*in.FirstAlertMinutes)
		}
		if in.ResponseTimeMinutes != nil {
			verdict = "exceeded"
			if sla.met(*in.ResponseTimeMinutes) {
				verdict = "met"
			}
		}
		t.Rows = append(t.Rows, []string{in.ID, attack, clockText(in.StartMinutes), clockText(in.EndMinutes),
			fmt.Sprintf("%s of %s", thousands(int(in.AlertedFlows)), thousands(int(in.Flows))), first,
			minutesCell(in.TimeToDetectMinutes), minutesCell(in.TimeToContainMinutes), minutesCell(in.ResponseTimeMinutes), verdict})
	}
	return t
}

// EventsTable is a simulation's events (events.parquet): drift and every
// step of the retraining policy.
func EventsTable(m *Monitoring) Table {
	t := Table{
		Header:  []string{"time", "day", "event", "deployed model", "candidate", "reason"},
		Numeric: []bool{false, true, false, false, false, false},
	}
	for _, e := range m.Events {
		t.Rows = append(t.Rows, []string{clockText(e.TimeMinutes), strconv.FormatFloat(e.TimeMinutes/dayLength, 'f', 2, 64),
			e.Kind, e.Model, e.Candidate, e.Reason})
	}
	return t
}

// MonitoringHeadline is the headline of each monitored trial, one column
// each, so that the sweep's points (with and without retraining) read
// side by side: the measured figures of monitoring.json and of the
// metrics table's monitoring rows.
func (r *Run) MonitoringHeadline() Table {
	dr, fpr, sla := r.monitoringReferences()
	t := Table{Header: []string{""}, Numeric: []bool{false}}
	rows := [][]string{
		{"campaigns detected"},
		{"mean time to detect (MTTD)"},
		{"mean time to contain"},
		{fmt.Sprintf("mean response time (SLA %s %s min)", sla.op, fmtValue(sla.value))},
		{fmt.Sprintf("detection rate (target %s %s)", dr.op, fmtValue(dr.value))},
		{fmt.Sprintf("false positive rate (threshold %s %s)", fpr.op, fmtValue(fpr.value))},
		{"alerts per hour"},
		{"health score (band)"},
		{"largest PSI, KS"},
		{"retraining"},
		{"detection rate trend"},
		{"forecast"},
	}
	for _, mt := range r.Monitored {
		t.Header = append(t.Header, r.monitoredLabel(mt))
		t.Numeric = append(t.Numeric, false)
		s := mt.Monitoring.Summary
		metric := func(name string) (float64, bool) {
			return r.trialMetric(mt.Record.ID, experiments.MonitoringModel, name)
		}
		value := func(name string) string {
			if v, ok := metric(name); ok {
				return fmtValue(v)
			}
			return "not measured"
		}
		minutes := func(v *float64) string {
			if v == nil {
				return "none detected"
			}
			return fmtValue(*v) + " min"
		}
		versus := func(name string, ref reference) string {
			v, ok := metric(name)
			if !ok {
				return "not measured"
			}
			word := "misses"
			if ref.met(v) {
				word = "meets"
			}
			return fmt.Sprintf("%s (%s it)", fmtValue(v), word)
		}
		response := minutes(s.ResponseMinutes)
		if s.ResponseMinutes != nil {
			word := "over"
			if sla.met(*s.ResponseMinutes) {
				word = "within"
			}
			response += " (" + word + " the SLA)"
		}
		health := "not measured"
		if s.HealthScore != nil {
			health = fmt.Sprintf("%s (%s)", fmtValue(*s.HealthScore), s.HealthBand)
		}
		retraining := "off"
		if s.Retraining {
			var parts []string
			for _, c := range []struct{ metric, one, many string }{
				{"retrains", "retrain", "retrains"}, {"promotions", "promotion", "promotions"},
				{"rejections", "rejection", "rejections"}, {"rollbacks", "rollback", "rollbacks"},
			} {
				if v, ok := metric(c.metric); ok {
					word := c.many
					if v == 1 {
						word = c.one
					}
					parts = append(parts, fmt.Sprintf("%s %s", fmtValue(v), word))
				}
			}
			retraining = "on: " + strings.Join(parts, ", ")
		}
		trend := "none"
		if s.TrendSlopePerDay != nil {
			trend = fmt.Sprintf("%+.4g a day over %d windows from day %.2f", *s.TrendSlopePerDay, s.TrendPoints, s.TrendFromDays)
			if s.TrendR2 != nil {
				trend += fmt.Sprintf(" (R² %.3f)", *s.TrendR2)
			}
		}
		cells := []string{
			fmt.Sprintf("%d of %d", s.Detected, s.Campaigns),
			minutes(s.MTTDMinutes),
			minutes(s.ContainMinutes),
			response,
			versus("detection_rate", dr),
			versus("false_positive_rate", fpr),
			value("alerts_per_hour"),
			health,
			value("max_psi") + ", " + value("max_ks"),
			retraining,
			trend,
			upperFirst(s.ForecastNote),
		}
		for i := range rows {
			rows[i] = append(rows[i], cells[i])
		}
	}
	t.Rows = rows
	return t
}

// monitoringSection lays out the monitoring simulation: the headline of
// each monitored trial, the figures, then each trial's campaigns and
// events.
func (r *Run) monitoringSection() section {
	s := section{ID: SectionMonitoring, Title: "Monitoring in operation"}
	first := r.Monitored[0]
	m := first.Monitoring
	period := 0.0
	if n := len(m.Windows); n > 0 {
		period = m.Windows[n-1].EndMinutes - m.Windows[0].StartMinutes
	}
	s.Intro = append(s.Intro, fmt.Sprintf("The notebook's monitoring dashboard and continuous-learning strategy, measured rather than drawn from random numbers: each trial's random forest deployed over a simulated %s of traffic in windows of %s, with attack campaigns, drift of the normal traffic and, when on, retraining. Every figure here is what the trial's files measured (monitoring.parquet, drift.parquet, incidents.parquet, events.parquet and monitoring.json in its directory).",
		durationText(period), windowText(m)))
	if len(r.Monitored) > 1 {
		s.Intro = append(s.Intro, fmt.Sprintf("One dashboard per sweep point, from its first trial (%d in all), so that the points read side by side.", len(r.Monitored)))
	}
	s.Intro = append(s.Intro, "The health score is the notebook's 0.4 × detection rate + 0.3 × (1 − false positive rate) + 0.3 × (1 − min(response time / 15 min, 1)), EXCELLENT above 0.9, GOOD above 0.8, NEEDS ATTENTION otherwise.")
	var ids []string
	for _, mt := range r.Monitored {
		ids = append(ids, mt.Record.ID)
	}
	s.Tables = append(s.Tables, newTable(r.MonitoringHeadline(), "Headline of trial "+strings.Join(ids, ", trial ")+
		": monitoring.json and the monitoring rows of metrics.parquet. The detection and false positive rates are over every flow of the period."))
	if r.seedsPerPoint() > 1 {
		metrics := r.MetricsOf([]string{experiments.MonitoringModel}, func(string) bool { return true })
		if tab := r.AggregateTable([]string{experiments.MonitoringModel}, metrics); len(tab.Rows) > 0 {
			s.Tables = append(s.Tables, newTable(tab, "Every trial's simulation: mean over seeds with its 95% confidence interval."))
		}
	}
	_, _, sla := r.monitoringReferences()
	for _, mt := range r.Monitored {
		caption := fmt.Sprintf("Campaigns of trial %s (incidents.parquet), times since the start of the simulation (0d 00:00 is day 0 of the charts).", mt.Record.ID)
		if len(mt.Monitoring.Events) == 0 {
			caption += " The trial has no event: no window drifted above the threshold and no retraining step was taken."
		}
		if len(mt.Monitoring.Incidents) > 0 || len(mt.Monitoring.Events) == 0 {
			s.Later = append(s.Later, newTable(IncidentsTable(mt.Monitoring, sla), caption))
		}
		if len(mt.Monitoring.Events) > 0 {
			s.Later = append(s.Later, newTable(EventsTable(mt.Monitoring), fmt.Sprintf("Events of trial %s (events.parquet): drift and the retraining policy's steps.", mt.Record.ID)))
		}
	}
	return s
}

// seedsPerPoint is the largest number of trials at one sweep point.
func (r *Run) seedsPerPoint() int {
	n := map[string]int{}
	most := 0
	for _, t := range r.Manifest.Trials {
		k := pointKey(trialPoint(t, r.Manifest))
		n[k]++
		most = max(most, n[k])
	}
	return most
}
