package monitor

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/monitor/drift"
	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

// Result is what a simulation measured.
type Result struct {
	Windows   []Window
	Drift     []Drift // per window and drift feature
	Incidents []Incident
	Events    []Event
	Flows     []FlowScore // every flow's score, with Scenario.StoreScores
	Summary   Summary
}

// model is a deployed or candidate detector and what it knows.
type model struct {
	version  string
	detector Detector
	known    []string // attack variants in its training flows, sorted
}

// sim is a running simulation.
type sim struct {
	*plan
	ctx  context.Context
	seed uint64

	deployed, candidate *model
	versions            int
	share               float64 // candidate's share of live traffic
	policy              *retrain.Policy
	trainer             Trainer

	labels *labelQueue
	// refs are the drift references per drift column in p.driftCols, of
	// the reference flows in off hours [0] and in business hours [1].
	refs    [2][]*drift.Reference
	tracker *timing.Tracker

	res        Result
	lastPSI    float64
	promotedAt time.Duration // when the deployed model took all traffic
}

// Simulate runs the simulation of cfg with the deployed detector, training
// candidates with trainer (which may be nil when retraining is off), its
// randomness derived from s.
func Simulate(ctx context.Context, cfg Config, deployed Detector, trainer Trainer, s uint64) (*Result, error) {
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	if p.retrain != nil && trainer == nil {
		return nil, fmt.Errorf("monitor: retraining needs a trainer")
	}
	m := &sim{
		plan:     p,
		ctx:      ctx,
		seed:     s,
		deployed: &model{version: "v1", detector: deployed, known: p.knownInitial},
		versions: 1,
		lastPSI:  math.NaN(),
		trainer:  trainer,
	}
	m.labels = newLabelQueue(m)
	if p.retrain != nil {
		if m.policy, err = retrain.New(*p.retrain); err != nil {
			return nil, fmt.Errorf("monitor: retraining: %w", err)
		}
	}
	campaigns := make([]timing.Campaign, len(p.occurrences))
	for k, o := range p.occurrences {
		campaigns[k] = timing.Campaign{ID: o.id, Start: o.start, End: o.end}
	}
	m.tracker = timing.NewTracker(campaigns)
	if err := m.references(); err != nil {
		return nil, err
	}
	for w := range p.windows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := m.window(w); err != nil {
			return nil, fmt.Errorf("monitor: window %d: %w", w, err)
		}
		if cfg.Progress != nil {
			cfg.Progress(w+1, p.windows)
		}
	}
	m.finish()
	return &m.res, nil
}

// references prepares the drift references from the normal reference
// flows: training sets are rich in attacks (5% in the notebook's), live
// traffic is not, and the attacks' ports and CPU would pass for drift in
// every window. Traffic differs between
// business and off hours (CPU, bytes), so a window is compared with the
// reference flows of its kind of hour: against all of them, an off-hours
// window would look drifted every night. A kind of hour the reference flows
// lack falls back to the other kind, and without normal flows to every
// reference flow.
func (m *sim) references() error {
	var rows [2][]int
	for i, h := range m.Reference.Hour {
		if m.Reference.IsAnomaly[i] {
			continue
		}
		k := 0
		if businessHour(int(h)) {
			k = 1
		}
		rows[k] = append(rows[k], i)
	}
	var buf []float64
	for k := range rows {
		var ref []int
		switch {
		case len(rows[k]) > 0:
			ref = rows[k]
		case len(rows[1-k]) > 0:
			ref = rows[1-k]
		default:
			ref = allRows(m.Reference.Len())
		}
		for _, j := range m.driftCols {
			buf = column(m.Reference, j, ref, buf)
			r, err := drift.NewReference(buf, m.Scenario.DriftBins)
			if err != nil {
				return fmt.Errorf("monitor: drift reference %s: %w", driftColumns[j], err)
			}
			m.refs[k] = append(m.refs[k], r)
		}
	}
	return nil
}

func businessHour(h int) bool { return 8 <= h && h <= 17 }

// allRows returns 0..n-1.
func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// windowFlows is one window's traffic and its decisions.
type windowFlows struct {
	flows    *flow.Table
	times    []time.Duration
	campaign []int32 // occurrence index of each flow; -1 for normal flows
	// scores and flags of the deployed model, of the candidate (during a
	// rollout) and of the model each flow was routed to (live).
	score, candScore, live []float64
	flag, candFlag, alert  []bool
	routed                 []bool // to the candidate
}

func (m *sim) window(w int) error {
	width := m.Scenario.Window
	start := time.Duration(w) * width
	end := start + width
	hour := int((start % (24 * time.Hour)) / time.Hour)
	ws := seed.Derive(m.seed, "window/"+strconv.Itoa(w))

	// 1–2: the flows and their times.
	n := m.normalFlows(start, end)
	cfg := synth.WindowConfig{
		Generator: m.Generator, Flows: n, Hour: hour,
		Drift: m.drift(start + width/2), Workers: m.Workers,
	}
	var occ []int
	for k := range m.occurrences {
		o := &m.occurrences[k]
		a, b := max(o.start, start), min(o.end, end)
		if a >= b {
			continue
		}
		if c := o.attackFlows(a, b); c > 0 {
			cfg.Attacks = append(cfg.Attacks, synth.WindowAttack{Attack: o.campaign.Attack, Flows: c})
			occ = append(occ, k)
		}
	}
	f, err := synth.GenerateWindow(cfg, ws)
	if err != nil {
		return err
	}
	total := f.Len()
	wf := &windowFlows{
		flows: f, times: make([]time.Duration, total), campaign: make([]int32, total),
		score: make([]float64, total), flag: make([]bool, total),
		live: make([]float64, total), alert: make([]bool, total), routed: make([]bool, total),
	}
	spread(wf.times[:n], start, end)
	for i := range n {
		wf.campaign[i] = -1
	}
	at := n
	for k, a := range cfg.Attacks {
		o := &m.occurrences[occ[k]]
		spread(wf.times[at:at+a.Flows], max(o.start, start), min(o.end, end))
		for i := at; i < at+a.Flows; i++ {
			wf.campaign[i] = int32(occ[k])
		}
		at += a.Flows
	}

	// 3: scores and routing.
	if err := m.deployed.detector.Score(f, wf.score, wf.flag); err != nil {
		return fmt.Errorf("scoring with %s: %w", m.deployed.version, err)
	}
	copy(wf.live, wf.score)
	copy(wf.alert, wf.flag)
	if m.candidate != nil && m.share > 0 {
		wf.candScore, wf.candFlag = make([]float64, total), make([]bool, total)
		if err := m.candidate.detector.Score(f, wf.candScore, wf.candFlag); err != nil {
			return fmt.Errorf("scoring with %s: %w", m.candidate.version, err)
		}
		r := seed.New(seed.Derive(ws, "route"))
		for i := range total {
			if r.Float64() < m.share {
				wf.routed[i] = true
				wf.live[i], wf.alert[i] = wf.candScore[i], wf.candFlag[i]
			}
		}
	}

	// 4: the window's figures.
	row := Window{
		Window: int64(w), StartMinutes: minutes(start), EndMinutes: minutes(end),
		Day: int64(start / (24 * time.Hour)), Hour: int64(hour),
		Model: m.deployed.version, Flows: int64(total),
	}
	if m.candidate != nil {
		row.Candidate, row.CandidateShare = m.candidate.version, m.share
	}
	for i := range total {
		anomalous := f.IsAnomaly[i]
		if anomalous {
			row.Anomalies++
		}
		if wf.alert[i] {
			row.Alerts++
			if anomalous {
				row.TruePositives++
			} else {
				row.FalsePositives++
			}
		}
		if c := wf.campaign[i]; c >= 0 {
			m.tracker.Flow(int(c), wf.times[i], wf.alert[i])
		}
	}
	row.DetectionRate = ratio(row.TruePositives, row.Anomalies)
	row.FalsePositiveRate = ratio(row.FalsePositives, row.Flows-row.Anomalies)
	row.AlertsPerHour = float64(row.Alerts) / width.Hours()
	m.measureDrift(w, hour, wf, &row)
	if m.Scenario.StoreScores {
		m.storeFlows(w, wf)
	}

	// 5–6: labels, feedback and the retraining policy.
	m.labels.enqueue(m, wf, seed.New(seed.Derive(ws, "labels")))
	fb := m.labels.deliver(m, end)
	row.LabelsArrived, row.AnomaliesLabeled = int64(fb.Samples), int64(fb.Anomalies)
	m.res.Windows = append(m.res.Windows, row)
	if m.policy == nil {
		return nil
	}
	d := m.policy.Observe(retrain.Observation{Time: end, Feedback: fb, Drift: row.MaxPSI})
	return m.act(end, d)
}

// spread places len(times) flows evenly over [a, b): the j-th at
// a + (j+½)·(b−a)/k.
func spread(times []time.Duration, a, b time.Duration) {
	k := float64(len(times))
	span := float64(b - a)
	for j := range times {
		times[j] = a + time.Duration(span*(float64(j)+0.5)/k)
	}
}

// ratio is num/den, NaN when den is 0.
func ratio(num, den int64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

func minutes(t time.Duration) float64 { return t.Minutes() }

// measureDrift computes each drift feature's PSI and KS over the flows the
// live decisions passed as normal, in parallel, and
// records a drift event when the largest PSI rises above the threshold.
//
// Flows the detector flagged are left out: they are alerts already, and a
// detected campaign would otherwise pass for drift in a quiet hour. Attack
// flows it missed stay in: a variant the model does not know is what drift
// monitoring should see.
func (m *sim) measureDrift(w, hour int, wf *windowFlows, row *Window) {
	row.MaxPSI, row.MaxKS = math.NaN(), math.NaN()
	refs := m.refs[0]
	if businessHour(hour) {
		refs = m.refs[1]
	}
	var passed []int
	for i, alert := range wf.alert {
		if !alert {
			passed = append(passed, i)
		}
	}
	if len(refs) == 0 || len(passed) == 0 {
		m.lastPSI = math.NaN()
		return
	}
	out := make([]Drift, len(refs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, m.Workers))
	for k, ref := range refs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			values := column(wf.flows, m.driftCols[k], passed, nil)
			d, pv := ref.KS(values)
			out[k] = Drift{
				Window: int64(w), Feature: driftColumns[m.driftCols[k]],
				PSI: ref.PSI(values), KS: d, KSP: pv,
			}
		})
	}
	wg.Wait()
	for _, d := range out {
		if math.IsNaN(row.MaxPSI) || d.PSI > row.MaxPSI {
			row.MaxPSI, row.DriftFeature = d.PSI, d.Feature
		}
		if math.IsNaN(row.MaxKS) || d.KS > row.MaxKS {
			row.MaxKS = d.KS
		}
	}
	m.res.Drift = append(m.res.Drift, out...)
	if row.MaxPSI > m.driftThresh && !(m.lastPSI > m.driftThresh) {
		m.res.Events = append(m.res.Events, Event{
			TimeMinutes: row.EndMinutes, Kind: "drift", Model: m.deployed.version,
			Reason: fmt.Sprintf("largest PSI %.4f (%s) rose above %.4f; KS up to %.4f",
				row.MaxPSI, row.DriftFeature, m.driftThresh, row.MaxKS),
			Threshold: m.driftThresh, Drift: row.MaxPSI,
		})
	}
	m.lastPSI = row.MaxPSI
}

func (m *sim) storeFlows(w int, wf *windowFlows) {
	f := wf.flows
	for i := range f.Len() {
		version := m.deployed.version
		if wf.routed[i] {
			version = m.candidate.version
		}
		campaign := ""
		if c := wf.campaign[i]; c >= 0 {
			campaign = m.occurrences[c].id
		}
		m.res.Flows = append(m.res.Flows, FlowScore{
			Window: int64(w), TimeMinutes: minutes(wf.times[i]), Model: version,
			Score: wf.live[i], Flagged: wf.alert[i], IsAnomaly: f.IsAnomaly[i],
			AnomalyType: f.AnomalyType.Value(i), Campaign: campaign,
		})
	}
}

// act carries out the policy's decision at time t, recording its events.
func (m *sim) act(t time.Duration, d retrain.Decision) error {
	candidate := ""
	if m.candidate != nil {
		candidate = m.candidate.version
	}
	switch d.Action {
	case retrain.Retrain:
		m.record(d.Events, nil, "v"+strconv.Itoa(m.versions+1)) // the candidate about to be trained
		return m.retrainCandidate(t)
	case retrain.Rollout:
		m.share = d.Share
	case retrain.Promote:
		m.deployed, m.candidate, m.share = m.candidate, nil, 0
		m.promotedAt = t
	case retrain.Rollback:
		m.candidate, m.share = nil, 0
	}
	m.record(d.Events, nil, candidate)
	return nil
}

// record appends the policy's events, naming the candidate concerned and
// the deployed model after them, with the holdout's figures for the A/B
// test's events when given.
func (m *sim) record(events []retrain.Event, ab *abFigures, candidate string) {
	for _, e := range events {
		row := Event{
			TimeMinutes: minutes(e.Time), Kind: string(e.Kind), Reason: e.Reason,
			Triggers: e.Triggers.String(), Model: m.deployed.version, Candidate: candidate,
			Stage: int64(e.Stage), Share: e.Share, Current: e.Current, CandidateValue: e.Candidate,
			Threshold: e.Threshold, Drift: e.Drift, Samples: int64(e.Samples), Anomalies: int64(e.Anomalies),
			CandidateAnomalies: int64(e.CandidateAnomalies), NewPatterns: int64(e.NewPatterns),
		}
		if ab != nil && (e.Kind == retrain.EventABTest || e.Kind == retrain.EventReject) {
			row.HoldoutFlows, row.HoldoutAnomalies = int64(ab.flows), int64(ab.anomalies)
			row.CurrentFPR, row.CandidateFPR = ab.currentFPR, ab.candidateFPR
		}
		m.res.Events = append(m.res.Events, row)
	}
}

// abFigures are an A/B test's holdout figures.
type abFigures struct {
	flows, anomalies         int
	currentFPR, candidateFPR float64
}

// retrainCandidate trains a candidate on the reference flows and the
// labelled feedback outside the holdout, A/B tests it on the holdout and
// carries out the policy's answer.
func (m *sim) retrainCandidate(t time.Duration) error {
	m.versions++
	version := "v" + strconv.Itoa(m.versions)
	train, known, holdout := m.labels.trainingSet(m, t)
	det, err := m.trainer.Train(train, seed.Derive(m.seed, "candidate/"+version))
	if err != nil {
		return fmt.Errorf("training candidate %s: %w", version, err)
	}
	cand := &model{version: version, detector: det, known: known}
	ab := &abFigures{flows: holdout.Len()}
	cur, curFPR, err := evaluate(m.deployed.detector, holdout)
	if err != nil {
		return fmt.Errorf("A/B test of %s: %w", m.deployed.version, err)
	}
	next, nextFPR, err := evaluate(det, holdout)
	if err != nil {
		return fmt.Errorf("A/B test of %s: %w", version, err)
	}
	for _, a := range holdout.IsAnomaly {
		if a {
			ab.anomalies++
		}
	}
	ab.currentFPR, ab.candidateFPR = curFPR, nextFPR
	d := m.policy.ABResult(t, cur, next)
	if d.Action == retrain.Rollout {
		m.candidate, m.share = cand, d.Share
	}
	m.record(d.Events, ab, version)
	return nil
}

// evaluate returns a detector's detection rate on the holdout's anomalies
// (0 when it holds none, so that no candidate wins on nothing) and its false
// positive rate on its normal flows (0 when none).
func evaluate(d Detector, holdout *flow.Table) (detection, fpr float64, err error) {
	n := holdout.Len()
	scores, flagged := make([]float64, n), make([]bool, n)
	if n > 0 {
		if err := d.Score(holdout, scores, flagged); err != nil {
			return 0, 0, err
		}
	}
	var tp, pos, fp, neg int
	for i, a := range holdout.IsAnomaly {
		if a {
			pos++
			if flagged[i] {
				tp++
			}
		} else {
			neg++
			if flagged[i] {
				fp++
			}
		}
	}
	if pos > 0 {
		detection = float64(tp) / float64(pos)
	}
	if neg > 0 {
		fpr = float64(fp) / float64(neg)
	}
	return detection, fpr, nil
}

// finish turns the tracker's campaigns into incidents and fills what needs
// the whole run: response times per window, health, the summary and trend.
func (m *sim) finish() {
	incidents := m.tracker.Incidents(m.timing, seed.New(seed.Derive(m.seed, "response")))
	for k, inc := range incidents {
		o := &m.occurrences[k]
		row := Incident{
			Campaign: o.campaign.Name, Occurrence: int64(o.index), ID: o.id,
			Type: o.campaign.Type, Variant: o.campaign.VariantOf(),
			StartMinutes: minutes(o.start), EndMinutes: minutes(o.end),
			Flows: int64(inc.Flows), AlertedFlows: int64(inc.AlertedFlows), Detected: inc.Detected,
		}
		if inc.Detected {
			row.FirstAlertMinutes = ptr(minutes(inc.FirstAlert))
			row.TimeToDetectMinutes = ptr(minutes(inc.TimeToDetect))
			row.TimeToContainMinutes = ptr(minutes(inc.TimeToContain))
			row.ResponseTimeMinutes = ptr(minutes(inc.ResponseTime))
		}
		m.res.Incidents = append(m.res.Incidents, row)
	}
	// Response time and health per window: the mean response time of the
	// campaigns whose first alert came by the window's end.
	order := slices.Clone(incidents)
	slices.SortStableFunc(order, func(a, b timing.Incident) int { return compareDuration(a.FirstAlert, b.FirstAlert) })
	next, sum, count := 0, 0.0, 0
	for i := range m.res.Windows {
		row := &m.res.Windows[i]
		for ; next < len(order); next++ {
			inc := order[next]
			if !inc.Detected {
				continue
			}
			if minutes(inc.FirstAlert) > row.EndMinutes {
				break
			}
			sum += minutes(inc.ResponseTime)
			count++
		}
		row.ResponseTimeMinutes = math.NaN()
		if count > 0 {
			row.ResponseTimeMinutes = sum / float64(count)
		}
		row.HealthScore = timing.HealthScore(row.DetectionRate, row.FalsePositiveRate, row.ResponseTimeMinutes)
		if !math.IsNaN(row.HealthScore) {
			row.HealthBand = timing.HealthBand(row.HealthScore)
		}
	}
	m.res.Summary = m.summarise(incidents)
}

func compareDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ptr(v float64) *float64 { return &v }
