package timing

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/internal/seed"
)

// at returns the time h:m:s after the simulation start.
func at(h, m, s int) time.Duration {
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

func fixed(minutes float64) Dist { return Dist{Kind: Fixed, A: minutes} }

func TestAlertTime(t *testing.T) {
	for _, tc := range []struct {
		name            string
		export, scoring time.Duration
		flow, want      time.Duration
	}{
		// Hand-computed: exported at the next export tick at or after the
		// flow, scored at the next scoring tick at or after the export.
		{"on an export tick, scored at the next 5-minute tick", time.Minute, 5 * time.Minute, at(10, 3, 0), at(10, 5, 0)},
		{"between export ticks", time.Minute, 5 * time.Minute, at(10, 3, 20), at(10, 5, 0)},
		{"exported on a scoring tick", time.Minute, 5 * time.Minute, at(10, 4, 1), at(10, 5, 0)},
		{"on both ticks: no wait", time.Minute, 5 * time.Minute, at(10, 5, 0), at(10, 5, 0)},
		{"just after both ticks: a full scoring interval", time.Minute, 5 * time.Minute, at(10, 5, 0) + 1, at(10, 10, 0)},
		{"at the start", time.Minute, 5 * time.Minute, 0, 0},
		{"intervals not multiples: export 0:02, score 0:03", 2 * time.Minute, 3 * time.Minute, at(0, 1, 0), at(0, 3, 0)},
		{"intervals not multiples: export 0:04, score 0:06", 2 * time.Minute, 3 * time.Minute, at(0, 3, 0), at(0, 6, 0)},
		{"no export interval", 0, 5 * time.Minute, at(10, 3, 20), at(10, 5, 0)},
		{"no scoring interval", time.Minute, 0, at(10, 3, 20), at(10, 4, 0)},
		{"no intervals: immediate", 0, 0, at(10, 3, 20), at(10, 3, 20)},
		{"before the start: -7 min to -5 min", 0, 5 * time.Minute, -7 * time.Minute, -5 * time.Minute},
		{"before the start, on a tick", time.Minute, 5 * time.Minute, -10 * time.Minute, -10 * time.Minute},
		{"before the start, between ticks", time.Minute, 5 * time.Minute, -10*time.Minute - 1, -10 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Model{ExportInterval: tc.export, ScoringInterval: tc.scoring}
			if got := m.AlertTime(tc.flow); got != tc.want {
				t.Errorf("AlertTime(%v) with export %v, scoring %v = %v, want %v", tc.flow, tc.export, tc.scoring, got, tc.want)
			}
		})
	}
}

// AlertTime is non-decreasing, which lets the Tracker keep only the earliest
// flagged flow, and never earlier than the flow.
func TestAlertTimeMonotone(t *testing.T) {
	m := Model{ExportInterval: 7 * time.Second, ScoringInterval: 45 * time.Second}
	prev := m.AlertTime(-time.Hour)
	for flow := -time.Hour; flow <= time.Hour; flow += 997 * time.Millisecond {
		got := m.AlertTime(flow)
		if got < prev || got < flow || got-flow >= m.ExportInterval+m.ScoringInterval {
			t.Fatalf("AlertTime(%v) = %v after %v: want non-decreasing, within export + scoring after the flow", flow, got, prev)
		}
		prev = got
	}
}

// The brief's hand-computed case: a campaign starts at 10:00 and its first
// flagged flow happens at 10:03; exported at 10:03 (1-minute export, the
// flow on a tick), scored at 10:05 (5-minute scoring): time to detect 5 min.
// Triage 4 + containment 6 = 10 min to contain; response 5 + 10 = 15 min.
func TestIncidentHandComputed(t *testing.T) {
	m := Model{ExportInterval: time.Minute, ScoringInterval: 5 * time.Minute, Triage: fixed(4), Containment: fixed(6)}
	tr := NewTracker([]Campaign{
		{ID: "mining", Start: at(10, 0, 0), End: at(11, 0, 0)},
		{ID: "unseen", Start: at(12, 0, 0), End: at(13, 0, 0)},
		{ID: "no flows", Start: at(14, 0, 0), End: at(14, 0, 0)},
	})
	tr.Flow(0, at(10, 1, 0), false) // missed by the detector
	tr.Flow(0, at(10, 7, 30), true) // flagged, but not the earliest
	tr.Flow(0, at(10, 3, 0), true)  // the earliest flagged flow, reported out of order
	tr.Flow(0, at(11, 0, 0), true)  // on the campaign's end: inside
	tr.Flow(1, at(12, 0, 0), false)
	tr.Flow(1, at(12, 30, 0), false)

	got := tr.Incidents(m, seed.New(1))
	want := []Incident{
		{ID: "mining", Start: at(10, 0, 0), Detected: true, FirstAlert: at(10, 5, 0),
			TimeToDetect: 5 * time.Minute, TimeToContain: 10 * time.Minute, ResponseTime: 15 * time.Minute,
			AlertedFlows: 3, Flows: 4},
		{ID: "unseen", Start: at(12, 0, 0), Flows: 2},
		{ID: "no flows", Start: at(14, 0, 0)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Incidents() mismatch (-want +got):\n%s", diff)
	}
	mttd, response, detected, missed := Summary(got)
	if mttd != 5 || response != 15 || detected != 1 || missed != 2 {
		t.Errorf("Summary = %v min, %v min, %d detected, %d missed; want 5, 15, 1, 2", mttd, response, detected, missed)
	}
}

// Response times are drawn, triage then containment, for the detected
// campaigns in order: the same flows and seed give the same incidents.
func TestIncidentsDrawOrder(t *testing.T) {
	m := Model{ScoringInterval: time.Minute,
		Triage: Dist{Kind: LogNormal, A: 4, B: 0.5}, Containment: Dist{Kind: Exponential, A: 8}}
	campaigns := []Campaign{{ID: "a", End: time.Hour}, {ID: "b", End: time.Hour}, {ID: "c", End: time.Hour}, {ID: "d", End: time.Hour}}
	tr := NewTracker(campaigns)
	for k, flagged := range []bool{true, false, true, true} {
		tr.Flow(k, time.Duration(k)*time.Minute, flagged)
	}
	got := tr.Incidents(m, seed.New(7))
	if diff := cmp.Diff(got, tr.Incidents(m, seed.New(7))); diff != "" {
		t.Errorf("Incidents differ between two calls with the same seed:\n%s", diff)
	}
	r := seed.New(7)
	for _, inc := range got {
		if !inc.Detected {
			if inc.TimeToContain != 0 || inc.ResponseTime != 0 || inc.TimeToDetect != 0 || inc.FirstAlert != 0 {
				t.Errorf("undetected %s has durations: %+v", inc.ID, inc)
			}
			continue
		}
		want := m.Triage.Sample(r) + m.Containment.Sample(r)
		if inc.TimeToContain != want || inc.ResponseTime != inc.TimeToDetect+want {
			t.Errorf("%s: contain %v, response %v; want the next draws, %v and %v", inc.ID, inc.TimeToContain, inc.ResponseTime, want, inc.TimeToDetect+want)
		}
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		name             string
		incidents        []Incident
		mttd, response   float64 // NaN: none detected
		detected, missed int
	}{
		{"none", nil, math.NaN(), math.NaN(), 0, 0},
		{"all missed", []Incident{{ID: "a"}, {ID: "b"}}, math.NaN(), math.NaN(), 0, 2},
		// (2 + 4) / 2 = 3 and (10 + 30) / 2 = 20; the missed one is counted, not averaged.
		{"mixed", []Incident{
			{Detected: true, TimeToDetect: 2 * time.Minute, ResponseTime: 10 * time.Minute},
			{},
			{Detected: true, TimeToDetect: 4 * time.Minute, ResponseTime: 30 * time.Minute},
		}, 3, 20, 2, 1},
		{"seconds", []Incident{{Detected: true, TimeToDetect: 90 * time.Second, ResponseTime: 150 * time.Second}}, 1.5, 2.5, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mttd, response, detected, missed := Summary(tc.incidents)
			same := func(got, want float64) bool {
				return math.IsNaN(want) && math.IsNaN(got) || math.Abs(got-want) <= 1e-12
			}
			if !same(mttd, tc.mttd) || !same(response, tc.response) || detected != tc.detected || missed != tc.missed {
				t.Errorf("Summary = %v, %v, %d, %d; want %v, %v, %d, %d", mttd, response, detected, missed, tc.mttd, tc.response, tc.detected, tc.missed)
			}
		})
	}
}

// Sample means over many draws lie within 5 standard errors of Mean.
func TestDistSampleMean(t *testing.T) {
	const draws = 200_000
	for _, tc := range []struct {
		dist Dist
		mean float64 // minutes, closed form
		sd   float64 // minutes
	}{
		{fixed(4), 4, 0},
		{fixed(0), 0, 0},
		{Dist{Kind: Uniform, A: 2, B: 10}, 6, 8 / math.Sqrt(12)},
		{Dist{Kind: Uniform, A: 3, B: 3}, 3, 0},
		{Dist{Kind: Exponential, A: 8}, 8, 8},
		// 4·e^(0.5²/2) = 4.532593812267305 (Python math.exp), sd = mean·sqrt(e^0.25 − 1).
		{Dist{Kind: LogNormal, A: 4, B: 0.5}, 4.532593812267305, 4.532593812267305 * math.Sqrt(math.Exp(0.25)-1)},
		{Dist{Kind: LogNormal, A: 2, B: 1}, 3.2974425414002564, 3.2974425414002564 * math.Sqrt(math.E-1)},
		{Dist{Kind: LogNormal, A: 5}, 5, 0},
	} {
		t.Run(tc.dist.Kind, func(t *testing.T) {
			if got := tc.dist.Mean().Minutes(); math.Abs(got-tc.mean) > 1e-9 {
				t.Errorf("%+v: Mean() = %v min, want %v", tc.dist, got, tc.mean)
			}
			r := seed.New(3)
			sum := 0.0
			for range draws {
				d := tc.dist.Sample(r)
				if d < 0 {
					t.Fatalf("%+v: negative sample %v", tc.dist, d)
				}
				sum += d.Minutes()
			}
			se := tc.sd / math.Sqrt(draws)
			if got := sum / draws; math.Abs(got-tc.mean) > 5*se+1e-9 {
				t.Errorf("%+v: sample mean %.4f min, want %.4f ± %.4f (5 standard errors)", tc.dist, got, tc.mean, 5*se)
			}
		})
	}
}

// A lognormal's far tail saturates instead of wrapping around.
func TestSampleSaturates(t *testing.T) {
	d := Dist{Kind: LogNormal, A: 1e12, B: 3}
	r := seed.New(1)
	for range 1000 {
		if s := d.Sample(r); s < 0 {
			t.Fatalf("sample %v < 0", s)
		}
	}
	m := Model{Triage: d, Containment: d}
	tr := NewTracker([]Campaign{{ID: "a", End: time.Hour}})
	tr.Flow(0, 0, true)
	for range 100 {
		if inc := tr.Incidents(m, r)[0]; inc.ResponseTime < 0 || inc.TimeToContain < 0 {
			t.Fatalf("durations wrapped around: %+v", inc)
		}
	}
}

func TestValidate(t *testing.T) {
	valid := Model{ExportInterval: time.Minute, ScoringInterval: 5 * time.Minute, Triage: fixed(4), Containment: Dist{Kind: LogNormal, A: 6, B: 0.5}}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid model: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Model)
		want string // in the error
	}{
		{"negative export", func(m *Model) { m.ExportInterval = -1 }, "export interval"},
		{"negative scoring", func(m *Model) { m.ScoringInterval = -time.Second }, "scoring interval"},
		{"zero triage", func(m *Model) { m.Triage = Dist{} }, "triage: unknown distribution kind"},
		{"unknown kind", func(m *Model) { m.Containment.Kind = "normal" }, "containment: unknown distribution kind"},
		{"fixed negative", func(m *Model) { m.Triage = fixed(-1) }, "fixed duration"},
		{"fixed with B", func(m *Model) { m.Triage = Dist{Kind: Fixed, A: 1, B: 2} }, "one parameter"},
		{"fixed NaN", func(m *Model) { m.Triage = fixed(math.NaN()) }, "not finite"},
		{"uniform reversed", func(m *Model) { m.Triage = Dist{Kind: Uniform, A: 5, B: 1} }, "uniform bounds"},
		{"uniform negative", func(m *Model) { m.Triage = Dist{Kind: Uniform, A: -1, B: 1} }, "uniform bounds"},
		{"uniform infinite", func(m *Model) { m.Triage = Dist{Kind: Uniform, A: 1, B: math.Inf(1)} }, "not finite"},
		{"exponential zero mean", func(m *Model) { m.Triage = Dist{Kind: Exponential} }, "exponential mean"},
		{"exponential with B", func(m *Model) { m.Triage = Dist{Kind: Exponential, A: 1, B: 1} }, "one parameter"},
		{"lognormal zero median", func(m *Model) { m.Containment = Dist{Kind: LogNormal, B: 1} }, "lognormal median"},
		{"lognormal negative sigma", func(m *Model) { m.Containment = Dist{Kind: LogNormal, A: 1, B: -1} }, "lognormal sigma"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid
			tc.edit(&m)
			err := m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "timing: ") {
				t.Errorf("Validate() = %v, want an error starting \"timing: \" and mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMisusePanics(t *testing.T) {
	tr := NewTracker([]Campaign{{ID: "a", Start: time.Hour, End: 2 * time.Hour}})
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"campaign ends before it starts", func() { NewTracker([]Campaign{{ID: "x", Start: 2, End: 1}}) }},
		{"flow before the campaign", func() { tr.Flow(0, time.Hour-1, true) }},
		{"flow after the campaign", func() { tr.Flow(0, 2*time.Hour+1, false) }},
		{"campaign out of range", func() { tr.Flow(1, time.Hour, true) }},
		{"invalid model", func() { tr.Incidents(Model{}, seed.New(1)) }},
		{"sample invalid", func() { Dist{Kind: Uniform, A: 2, B: 1}.Sample(seed.New(1)) }},
		{"mean invalid", func() { Dist{}.Mean() }},
		{"negative interval", func() { Model{ScoringInterval: -1}.AlertTime(0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

// Expected scores computed with the notebook's expression
// (create_monitoring_dashboard) in Python 3:
// dr*0.4 + (1-fpr)*0.3 + (1-min(rt/15, 1))*0.3.
func TestHealthScore(t *testing.T) {
	for _, tc := range []struct {
		detectionRate, fpr, responseMinutes float64
		want                                float64
		band                                string
	}{
		{0.95, 0.03, 8, 0.811, BandGood}, // the notebook's simulated means
		{1, 0, 0, 1.0, BandExcellent},
		{0.5, 0.1, 20, 0.47000000000000003, BandNeedsAttention}, // past the SLA: no credit
		{0.9, 0.05, 15, 0.645, BandNeedsAttention},
		{0.99, 0.01, 3.5, 0.923, BandExcellent},
		{0.8, 0.2, -3, 0.92, BandExcellent}, // not clipped, as in the notebook
	} {
		got := HealthScore(tc.detectionRate, tc.fpr, tc.responseMinutes)
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("HealthScore(%v, %v, %v) = %v, want %v", tc.detectionRate, tc.fpr, tc.responseMinutes, got, tc.want)
		}
		if band := HealthBand(got); band != tc.band {
			t.Errorf("HealthBand(%v) = %s, want %s", got, band, tc.band)
		}
	}
	if got := HealthScore(0.9, 0.01, math.NaN()); !math.IsNaN(got) {
		t.Errorf("HealthScore with no response time = %v, want NaN", got)
	}
}

// The notebook compares with '>': a score of exactly 0.9 is GOOD, exactly
// 0.8 NEEDS ATTENTION.
func TestHealthBand(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{1, BandExcellent},
		{math.Nextafter(0.9, 1), BandExcellent},
		{0.9, BandGood},
		{math.Nextafter(0.8, 1), BandGood},
		{0.8, BandNeedsAttention},
		{0, BandNeedsAttention},
		{math.NaN(), BandNeedsAttention},
	} {
		if got := HealthBand(tc.score); got != tc.want {
			t.Errorf("HealthBand(%v) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

func BenchmarkTrackerFlow(b *testing.B) {
	const campaigns = 64
	cs := make([]Campaign, campaigns)
	for k := range cs {
		cs[k] = Campaign{ID: "c", End: 7 * 24 * time.Hour}
	}
	tr := NewTracker(cs)
	i := 0
	for b.Loop() {
		tr.Flow(i%campaigns, time.Duration(i%1_000_000)*time.Second/2, i%7 == 0)
		i++
	}
}

func BenchmarkAlertTime(b *testing.B) {
	m := Model{ExportInterval: time.Minute, ScoringInterval: 5 * time.Minute}
	var sink time.Duration
	i := 0
	for b.Loop() {
		sink += m.AlertTime(time.Duration(i) * 1237 * time.Millisecond)
		i++
	}
	_ = sink
}
