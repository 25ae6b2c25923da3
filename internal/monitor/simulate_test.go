package monitor

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/monitor/scenario"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/synth"
)

// cpuRule flags flows whose cpu_usage is above a threshold; its score is
// cpu_usage/100. Crypto mining (80–100% CPU) is flagged at 70, normal
// traffic (about 15% in business hours, 5% off hours) is not, lateral
// movement (normal CPU) is not, and mining throttled by 40 points is not.
type cpuRule struct{ above float64 }

func (d cpuRule) Score(f *flow.Table, scores []float64, flagged []bool) error {
	for i, cpu := range f.CPUUsage {
		scores[i] = cpu / 100
		flagged[i] = cpu > d.above
	}
	return nil
}

// fixedTrainer "trains" a cpuRule with a fixed threshold, and records the
// training sets it saw.
type fixedTrainer struct {
	above float64
	seen  []int // training-set sizes
}

func (tr *fixedTrainer) Train(f *flow.Table, _ uint64) (Detector, error) {
	tr.seen = append(tr.seen, f.Len())
	return cpuRule{tr.above}, nil
}

func reference(t testing.TB) *flow.Table {
	t.Helper()
	f, err := synth.Generate(synth.Config{
		Generator: synth.GeneratorNotebook, Flows: 2000, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
	}, 7)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// baseSpec is the default scenario (an experiment's monitoring: {}),
// retraining off.
func baseSpec(t testing.TB) scenario.Scenario {
	t.Helper()
	return scenario.Default()
}

func simulate(t testing.TB, spec scenario.Scenario, det Detector, tr Trainer, workers int) *Result {
	t.Helper()
	res, err := Simulate(context.Background(), Config{
		Scenario: spec, Generator: synth.GeneratorNotebook, Reference: reference(t), Workers: workers,
	}, det, tr, 99)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func f64(v float64) *float64 { return &v }

// TestCampaignTiming checks a campaign at a known time under a fixed timing
// model against the times computed by hand, and that a campaign the
// detector never flags is counted as missed.
func TestCampaignTiming(t *testing.T) {
	spec := baseSpec(t)
	spec.Period, spec.Window = 6*time.Hour, time.Hour
	spec.FlowsPerDay, spec.BusinessHoursFactor = 240, 1 // 10 normal flows an hour
	spec.Timing = timing.Model{
		ExportInterval: 2 * time.Minute, ScoringInterval: 5 * time.Minute,
		Triage: timing.Dist{Kind: "fixed", A: 3}, Containment: timing.Dist{Kind: "fixed", A: 6},
	}
	spec.Campaigns = []scenario.Campaign{
		// 6 flows an hour for an hour from 2:10: 5 flows in [2:10, 3:00)
		// at 2:15, 2:25, ..., 2:55, and 1 in [3:00, 3:10) at 3:05.
		{Name: "mining", Start: 2*time.Hour + 10*time.Minute, Duration: time.Hour, Rate: 6, Attack: synth.Attack{Type: flow.CryptoMining}},
		// 4 flows an hour for 30 minutes: 2 flows, at CPU the rule ignores.
		{Name: "lateral", Start: 4 * time.Hour, Duration: 30 * time.Minute, Rate: 4, Attack: synth.Attack{Type: flow.LateralMovement}},
	}
	res := simulate(t, spec, cpuRule{70}, nil, 1)

	// The first mining flow happens at 2:15 = 135 min, is exported at the
	// next 2-minute tick, 136, and scored at the next 5-minute tick, 140:
	// detected 140 − 130 = 10 minutes after the start; contained 3 + 6 = 9
	// minutes after the alert; response 19 minutes.
	want := []Incident{
		{
			Campaign: "mining", Occurrence: 0, ID: "mining#0", Type: flow.CryptoMining, Variant: flow.CryptoMining,
			StartMinutes: 130, EndMinutes: 190, Flows: 6, AlertedFlows: 6, Detected: true,
			FirstAlertMinutes: f64(140), TimeToDetectMinutes: f64(10), TimeToContainMinutes: f64(9), ResponseTimeMinutes: f64(19),
		},
		{
			Campaign: "lateral", Occurrence: 0, ID: "lateral#0", Type: flow.LateralMovement, Variant: flow.LateralMovement,
			StartMinutes: 240, EndMinutes: 270, Flows: 2,
		},
	}
	if diff := cmp.Diff(want, res.Incidents); diff != "" {
		t.Errorf("incidents (-want +got):\n%s", diff)
	}
	s := res.Summary
	if s.MTTDMinutes != 10 || s.ResponseMinutes != 19 || s.ContainMinutes != 9 || s.Detected != 1 || s.Missed != 1 || s.Campaigns != 2 {
		t.Errorf("summary: MTTD %v, response %v, contain %v, %d detected, %d missed of %d; want 10, 19, 9, 1, 1 of 2",
			s.MTTDMinutes, s.ResponseMinutes, s.ContainMinutes, s.Detected, s.Missed, s.Campaigns)
	}
	// Anomalies per window: 5 in window 2, 1 in window 3, 2 in window 4.
	var anomalies []int64
	for _, w := range res.Windows {
		anomalies = append(anomalies, w.Anomalies)
		if w.Flows != 10+w.Anomalies {
			t.Errorf("window %d: %d flows, want 10 normal + %d anomalous", w.Window, w.Flows, w.Anomalies)
		}
	}
	if want := []int64{0, 0, 5, 1, 2, 0}; !slices.Equal(anomalies, want) {
		t.Errorf("anomalies per window %v, want %v", anomalies, want)
	}
	// Window 2 (2:00–3:00): every mining flow flagged, no normal flow; the
	// campaign detected at 2:20 responded in 19 minutes, over the SLA:
	// health 0.4·1 + 0.3·(1 − 0) + 0.3·(1 − min(19/15, 1)) = 0.7.
	w2 := res.Windows[2]
	if w2.DetectionRate != 1 || w2.FalsePositiveRate != 0 || w2.ResponseTimeMinutes != 19 || math.Abs(w2.HealthScore-0.7) > 1e-12 || w2.HealthBand != "NEEDS ATTENTION" {
		t.Errorf("window 2: DR %v, FPR %v, RT %v, health %v %q; want 1, 0, 19, 0.7 NEEDS ATTENTION",
			w2.DetectionRate, w2.FalsePositiveRate, w2.ResponseTimeMinutes, w2.HealthScore, w2.HealthBand)
	}
	// Window 4 holds only the missed lateral movement: detection 0. Window
	// 1, before any campaign: detection undefined, so is its health.
	if w4 := res.Windows[4]; w4.DetectionRate != 0 {
		t.Errorf("window 4: DR %v, want 0", w4.DetectionRate)
	}
	if w1 := res.Windows[1]; !math.IsNaN(w1.DetectionRate) || !math.IsNaN(w1.HealthScore) || w1.HealthBand != "" || !math.IsNaN(w1.ResponseTimeMinutes) {
		t.Errorf("window 1: DR %v, health %v %q, RT %v; want NaN, NaN, \"\", NaN", w1.DetectionRate, w1.HealthScore, w1.HealthBand, w1.ResponseTimeMinutes)
	}
}

// TestRepeatedCampaign checks a campaign's repetitions: one incident each,
// the last cut at the end of the period.
func TestRepeatedCampaign(t *testing.T) {
	spec := baseSpec(t)
	spec.Period, spec.FlowsPerDay = 24*time.Hour, 240
	spec.Campaigns = []scenario.Campaign{
		{Name: "m", Start: time.Hour, Duration: 2 * time.Hour, Every: 9 * time.Hour, Rate: 3, Attack: synth.Attack{Type: flow.CryptoMining}},
	}
	res := simulate(t, spec, cpuRule{70}, nil, 1)
	var got []string
	var flows []int64
	for _, inc := range res.Incidents {
		got = append(got, inc.ID)
		flows = append(flows, inc.Flows)
	}
	// Starts at 1h, 10h and 19h; each 2 hours at 3 an hour.
	if want := []string{"m#0", "m#1", "m#2"}; !slices.Equal(got, want) {
		t.Errorf("incidents %v, want %v", got, want)
	}
	if want := []int64{6, 6, 6}; !slices.Equal(flows, want) {
		t.Errorf("flows %v, want %v", flows, want)
	}
}

// TestWindowRatesFromStoredScores recomputes each window's detection rate,
// false positive rate and alerts from the stored per-flow scores.
func TestWindowRatesFromStoredScores(t *testing.T) {
	spec := baseSpec(t)
	spec.Period, spec.FlowsPerDay, spec.StoreScores = 24*time.Hour, 5000, true
	spec.Campaigns = []scenario.Campaign{
		{Name: "m", Start: 0, Duration: 2 * time.Hour, Every: 5 * time.Hour, Rate: 30, Attack: synth.Attack{Type: flow.CryptoMining}},
		{Name: "l", Start: 3 * time.Hour, Duration: 3 * time.Hour, Every: 7 * time.Hour, Rate: 20, Attack: synth.Attack{Type: flow.LateralMovement}},
	}
	// At 20% CPU the rule flags some business-hours traffic: FPR > 0.
	res := simulate(t, spec, cpuRule{20}, nil, 2)
	type counts struct{ flows, anomalies, tp, fp, alerts int64 }
	per := make([]counts, len(res.Windows))
	for _, f := range res.Flows {
		c := &per[f.Window]
		c.flows++
		if f.Flagged != (f.Score > 0.2) {
			t.Fatalf("flow at %v min: score %v but flagged %v", f.TimeMinutes, f.Score, f.Flagged)
		}
		if f.IsAnomaly {
			c.anomalies++
		}
		if f.Flagged {
			c.alerts++
			if f.IsAnomaly {
				c.tp++
			} else {
				c.fp++
			}
		}
	}
	var fpSeen bool
	for w, row := range res.Windows {
		c := per[w]
		dr, fpr := float64(c.tp)/float64(c.anomalies), float64(c.fp)/float64(c.flows-c.anomalies)
		if c.anomalies == 0 {
			dr = math.NaN()
		}
		if row.Flows != c.flows || row.Anomalies != c.anomalies || row.Alerts != c.alerts ||
			!sameFloat(row.DetectionRate, dr) || !sameFloat(row.FalsePositiveRate, fpr) || row.AlertsPerHour != float64(c.alerts) {
			t.Errorf("window %d: %+v; recomputed %+v, DR %v, FPR %v", w, row, c, dr, fpr)
		}
		fpSeen = fpSeen || c.fp > 0
	}
	if !fpSeen {
		t.Error("no false positive anywhere: the test does not exercise the FPR")
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestDriftKnownShift measures drift on bytes_sent of database servers,
// exp(7 + Z) bytes with Z standard normal, against the same traffic shifted
// by δ in log bytes: the expected KS statistic is 2Φ(δ/2) − 1 and the PSI
// over the reference's deciles Σ (a_i − 0.1) ln(10 a_i), a_i the shifted
// normal's mass between the deciles of N(0, 1).
func TestDriftKnownShift(t *testing.T) {
	database := make([]float64, len(flow.DeviceTypes))
	database[slices.Index(flow.DeviceTypes, "database")] = 1
	const n = 20000
	ref, err := synth.GenerateWindow(synth.WindowConfig{
		Generator: synth.GeneratorNotebook, Flows: n, Drift: synth.Drift{DeviceWeights: database},
	}, 5)
	if err != nil {
		t.Fatal(err)
	}
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	deciles := []float64{math.Inf(-1), -1.2815515655446004, -0.8416212335729143, -0.5244005127080407, -0.2533471031357997, 0,
		0.2533471031357997, 0.5244005127080407, 0.8416212335729143, 1.2815515655446004, math.Inf(1)}
	for _, delta := range []float64{0, 0.3, 0.5, 1} {
		spec := baseSpec(t)
		spec.Period, spec.Window, spec.FlowsPerDay, spec.BusinessHoursFactor = time.Hour, time.Hour, 24*n, 1
		spec.DriftFeatures = []string{flow.ColBytesSent}
		spec.Drifts = []scenario.Drift{{Drift: synth.Drift{DeviceWeights: database, BytesLogShift: delta}}}
		res, err := Simulate(context.Background(), Config{
			Scenario: spec, Generator: synth.GeneratorNotebook, Reference: ref, Workers: 2,
		}, cpuRule{70}, nil, 11)
		if err != nil {
			t.Fatal(err)
		}
		wantKS := 2*phi(delta/2) - 1
		wantPSI := 0.0
		for i := range 10 {
			a := phi(deciles[i+1]-delta) - phi(deciles[i]-delta)
			wantPSI += (a - 0.1) * math.Log(a/0.1)
		}
		d := res.Drift[0]
		// Sampling error with 20,000 flows on each side: KS about
		// 1.36·sqrt(2/n) = 0.014 at 95%; PSI about (bins − 1)·2/n = 0.001
		// of bias, plus noise.
		if math.Abs(d.KS-wantKS) > 0.015 || math.Abs(d.PSI-wantPSI) > 0.003+0.1*wantPSI {
			t.Errorf("δ = %v: PSI %.4f, KS %.4f; want %.4f, %.4f", delta, d.PSI, d.KS, wantPSI, wantKS)
		}
		t.Logf("δ = %v: PSI %.4f (expected %.4f), KS %.4f (expected %.4f, p %.3g)", delta, d.PSI, wantPSI, d.KS, wantKS, d.KSP)
	}
}

// variantScenario: mining flows every 6 hours, then from day 1 a variant
// throttled by 40 CPU points that the deployed rule (CPU > 70) misses.
func variantScenario(t testing.TB, retraining bool) scenario.Scenario {
	spec := baseSpec(t)
	spec.Period, spec.FlowsPerDay = 4*24*time.Hour, 2000
	spec.Campaigns = []scenario.Campaign{
		{Name: "mining", Duration: 2 * time.Hour, Every: 6 * time.Hour, Rate: 30, Attack: synth.Attack{Type: flow.CryptoMining}},
		{Name: "stealth", Variant: "throttled_mining", Start: 24 * time.Hour, Duration: 2 * time.Hour, Every: 3 * time.Hour, Rate: 40, Attack: synth.Attack{Type: flow.CryptoMining, CPUShift: -40}},
	}
	spec.Feedback = scenario.Feedback{Delay: time.Hour, NormalFraction: 0.05, AnomalyFraction: 1}
	r := &spec.Retraining
	r.Enabled = retraining
	r.FeedbackWindow, r.MinAnomalies, r.DriftThreshold, r.NewPatterns = 12*time.Hour, 20, 0, 0
	r.MinSamples, r.Holdout, r.StageDuration, r.Cooldown = 100, 6*time.Hour, 6*time.Hour, 6*time.Hour
	return spec
}

// TestRetrainingRecovers: the variant drags detection below 90%, the
// detection trigger fires, a candidate (a rule at 38% CPU) beats the
// deployed rule on the holdout, rolls out 10/50/100% and is promoted; the
// detection rate recovers. Without retraining it stays down.
func TestRetrainingRecovers(t *testing.T) {
	tr := &fixedTrainer{above: 38}
	res := simulate(t, variantScenario(t, true), cpuRule{70}, tr, 2)
	// Windows of 45 to 170 flows make a noisy PSI: drift events come and
	// go. The policy's drift trigger is off; leave them out.
	res.Events = slices.DeleteFunc(res.Events, func(e Event) bool { return e.Kind == "drift" })
	var kinds []string
	for _, e := range res.Events {
		kinds = append(kinds, e.Kind)
	}
	want := []string{"trigger", "retrain", "ab_test", "rollout_stage", "rollout_stage", "rollout_stage", "promote"}
	if len(kinds) < len(want) || !slices.Equal(kinds[:len(want)], want) {
		t.Fatalf("events %v, want them to begin %v", kinds, want)
	}
	trigger := res.Events[0]
	if trigger.Triggers != "detection" || trigger.Current >= 0.9 || trigger.Model != "v1" {
		t.Errorf("trigger %+v: want the detection trigger below 0.90 on v1", trigger)
	}
	ab := res.Events[2]
	if ab.Candidate != "v2" || ab.HoldoutAnomalies == 0 || ab.CandidateValue <= ab.Current+0.02 || ab.CandidateFPR != 0 {
		t.Errorf("A/B %+v: want v2 better by more than 0.02 on a holdout with anomalies, no false positive", ab)
	}
	promote := res.Events[6]
	if promote.Model != "v2" || promote.Candidate != "v2" {
		t.Errorf("promotion %+v: want v2 deployed", promote)
	}
	if len(tr.seen) != 1 || tr.seen[0] <= reference(t).Len() {
		t.Errorf("training sets %v: want one, larger than the %d reference flows", tr.seen, reference(t).Len())
	}
	last := lastDayDetection(res)
	without := simulate(t, variantScenario(t, false), cpuRule{70}, nil, 2)
	lastWithout := lastDayDetection(without)
	if !(last > 0.99) || !(lastWithout < 0.6) {
		t.Errorf("last day's detection: %.3f with retraining, %.3f without; want > 0.99 and < 0.6", last, lastWithout)
	}
	for _, e := range without.Events {
		if e.Kind != "drift" {
			t.Errorf("without retraining: event %+v", e)
		}
	}
	if s := res.Summary; s.Retrains != 1 || s.Promotions != 1 || s.Rollbacks != 0 || s.Rejections != 0 {
		t.Errorf("summary: %d retrains, %d promotions, %d rollbacks, %d rejections; want 1, 1, 0, 0", s.Retrains, s.Promotions, s.Rollbacks, s.Rejections)
	}
	// The trend is fitted on v2's windows: flat at 1, no forecast.
	if s := res.Summary; s.Forecast || s.TrendErr != nil || s.TrendFrom*24*60 < promote.TimeMinutes/1 {
		t.Errorf("trend from day %v (promotion at %v min), forecast %v, err %v", s.TrendFrom, promote.TimeMinutes, s.Forecast, s.TrendErr)
	}
}

// TestRetrainingRejects: a candidate no better than the deployed model is
// rejected by the A/B test, and the cycle repeats after the cooldown.
func TestRetrainingRejects(t *testing.T) {
	res := simulate(t, variantScenario(t, true), cpuRule{70}, &fixedTrainer{above: 70}, 1)
	var rejects int
	for _, e := range res.Events {
		switch e.Kind {
		case "reject":
			rejects++
			if e.CandidateValue != e.Current {
				t.Errorf("reject %+v: the same rule should score the same", e)
			}
		case "rollout_stage", "promote":
			t.Errorf("event %+v: an equal candidate must not roll out", e)
		}
	}
	if rejects < 2 {
		t.Errorf("%d rejections, want the cycle to repeat", rejects)
	}
}

func lastDayDetection(res *Result) float64 {
	var tp, anomalies int64
	for _, w := range res.Windows[len(res.Windows)-24:] {
		tp, anomalies = tp+w.TruePositives, anomalies+w.Anomalies
	}
	return float64(tp) / float64(anomalies)
}

// TestDeterminism: the same configuration and seed give the same result
// whatever the number of workers.
func TestDeterminism(t *testing.T) {
	spec := variantScenario(t, true)
	spec.StoreScores = true
	spec.Drifts = []scenario.Drift{{Start: 36 * time.Hour, Ramp: 12 * time.Hour, Drift: synth.Drift{BytesLogShift: 1, DeviceWeights: []float64{1, 2, 0, 0, 1, 1}}}}
	a := simulate(t, spec, cpuRule{70}, &fixedTrainer{above: 38}, 1)
	b := simulate(t, spec, cpuRule{70}, &fixedTrainer{above: 38}, 3)
	if diff := cmp.Diff(a, b, cmpopts.EquateNaNs(), cmpopts.IgnoreFields(Summary{}, "TrendErr")); diff != "" {
		t.Errorf("1 worker vs 3 (-1 +3):\n%s", diff)
	}
}
