package scoring

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
)

// Every test flow, scored one at a time by a saved and reloaded model,
// gets the batch pipeline's probability, decision and attack type bit for
// bit.
//
// flow.Table.At carries the table's same_dept and cross_dept, so every
// test flow matches, the notebook generator's lateral movements included
// (they set cross_dept without changing the departments). A flow without
// them derives them from the departments, and matches wherever the
// table's columns agree with its departments.
func TestScoreMatchesBatch(t *testing.T) {
	for _, tc := range []struct {
		name, src string
	}{
		{"notebook", notebookExperiment},
		{"consistent", consistentExperiment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := trainLikeRunner(t, tc.src)
			dir := t.TempDir()
			if err := Save(dir, tr.model); err != nil {
				t.Fatal(err)
			}
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}

			// The test rows as the runner gathers them, from the original
			// (not reloaded) pipeline and forests.
			d := tr.x.D
			testX := make([]float64, 0, len(tr.test)*d)
			for _, i := range tr.test {
				testX = append(testX, tr.x.Row(i)...)
			}
			detector := tr.model.Detector.(*forest.Forest).PredictProbaAll(testX, 2)
			k := len(tr.model.AttackClasses)
			attack := tr.model.AttackType.(*forest.Forest).PredictProbaAll(testX, 2)

			flows := make([]flow.Flow, len(tr.test))
			for j, i := range tr.test {
				flows[j] = tr.flows.At(i)
			}
			batch := make([]Result, len(flows))
			if errs := m.ScoreBatch(flows, batch, 3); errs != nil {
				t.Fatalf("ScoreBatch: %v", errors.Join(errs...))
			}
			anomalies, incoherent := 0, 0
			for j, i := range tr.test {
				var got Result
				if err := m.Score(&flows[j], &got); err != nil {
					t.Fatalf("flow %d: %v", i, err)
				}
				p := detector[2*j : 2*j+2]
				a := attack[k*j : k*(j+1)]
				best := forest.Argmax(a)
				switch {
				case math.Float64bits(got.AnomalyProbability) != math.Float64bits(p[1]):
					t.Fatalf("flow %d: anomaly probability %v, batch %v", i, got.AnomalyProbability, p[1])
				case got.IsAnomaly != (forest.Argmax(p) == 1):
					t.Fatalf("flow %d: is_anomaly %v, batch probabilities %v", i, got.IsAnomaly, p)
				case got.MostLikelyAttackType != tr.model.AttackClasses[best]:
					t.Fatalf("flow %d: attack type %s, batch %s (%v)", i, got.MostLikelyAttackType, tr.model.AttackClasses[best], a)
				case math.Float64bits(got.AttackConfidence) != math.Float64bits(a[best]):
					t.Fatalf("flow %d: attack confidence %v, batch %v", i, got.AttackConfidence, a[best])
				case got != batch[j]:
					t.Fatalf("flow %d: Score %+v, ScoreBatch %+v", i, got, batch[j])
				}
				bare := flows[j]
				bare.SameDept, bare.CrossDept = nil, nil
				var derived Result
				if err := m.Score(&bare, &derived); err != nil {
					t.Fatalf("flow %d without same_dept and cross_dept: %v", i, err)
				}
				coherent := tr.flows.CrossDept[i] == (tr.flows.SrcDepartment.Value(i) != tr.flows.DstDepartment.Value(i)) &&
					tr.flows.SameDept[i] == !tr.flows.CrossDept[i]
				if !coherent {
					incoherent++
				} else if derived != got {
					t.Fatalf("flow %d without same_dept and cross_dept: %+v, with them %+v", i, derived, got)
				}
				if got.IsAnomaly {
					anomalies++
				}
			}
			t.Logf("%d test flows, %d flagged, %d whose cross_dept was set without changing the departments", len(tr.test), anomalies, incoherent)
			if tc.name == "consistent" && incoherent != 0 {
				t.Errorf("the consistent generator left %d flows whose cross_dept disagrees with their departments", incoherent)
			}
		})
	}
}

// The notebook's incident simulation (simulate_crypto_mining_incident):
// its crypto-mining flow must be HIGH risk and typed crypto_mining (the
// notebook's own scorer, feeding the classifier unscaled features, said
// "normal" at 0.42), and its normal flow LOW.
func TestIncidentSimulation(t *testing.T) {
	dir, _ := savedModel(t)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	suspicious := flow.Flow{
		SrcDeviceType: "workstation", SrcDepartment: "accounting",
		DstDeviceType: "server", DstDepartment: "it", Protocol: "TCP",
		BytesSent: 50000000, PacketsSent: 35000, Duration: 7200, Hour: 23,
		IsBusinessHours: false, CPUUsage: 95, PortsContacted: 12,
	}
	normal := flow.Flow{
		SrcDeviceType: "workstation", SrcDepartment: "accounting",
		DstDeviceType: "web_server", DstDepartment: "it", Protocol: "TCP",
		BytesSent: 50000, PacketsSent: 35, Duration: 30, Hour: 14,
		IsBusinessHours: true, CPUUsage: 15, PortsContacted: 2,
	}
	var s, n Result
	if err := m.Score(&suspicious, &s); err != nil {
		t.Fatal(err)
	}
	if err := m.Score(&normal, &n); err != nil {
		t.Fatal(err)
	}
	t.Logf("incident: %+v", s)
	t.Logf("normal:   %+v", n)
	if s.RiskLevel != RiskHigh || s.RecommendedAction != ActionIsolate || !s.IsAnomaly || s.MostLikelyAttackType != flow.CryptoMining {
		t.Errorf("incident flow scored %+v, want HIGH, IMMEDIATE_ISOLATION, an anomaly, crypto_mining", s)
	}
	if n.RiskLevel != RiskLow || n.RecommendedAction != ActionContinue || n.IsAnomaly || n.MostLikelyAttackType != flow.Normal {
		t.Errorf("normal flow scored %+v, want LOW, CONTINUE_MONITORING, not an anomaly, normal", n)
	}
}

// Risk levels are strict: HIGH above High, MEDIUM above Medium, LOW at or
// below Medium, whatever the thresholds.
func TestRiskLevels(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	var flows []flow.Flow
	var probs []float64
	for _, i := range tr.test {
		f := tr.flows.At(i)
		var r Result
		if err := tr.model.Score(&f, &r); err != nil {
			t.Fatal(err)
		}
		flows, probs = append(flows, f), append(probs, r.AnomalyProbability)
	}
	// Thresholds at observed probabilities, so that the boundaries are hit.
	var mid float64
	for _, p := range probs {
		if p > 0.05 && p < 0.95 {
			mid = p
			break
		}
	}
	if mid == 0 {
		t.Fatal("no test flow has a probability strictly between 0.05 and 0.95")
	}
	count := map[string]int{}
	for _, risk := range []RiskThresholds{DefaultRisk, {High: mid, Medium: mid}, {High: 1, Medium: 0}, {High: mid, Medium: 0}, {High: 0, Medium: 0}} {
		m := *tr.model
		m.Risk = risk
		if err := m.Check(); err != nil {
			t.Fatal(err)
		}
		for j := range flows {
			var r Result
			if err := m.Score(&flows[j], &r); err != nil {
				t.Fatal(err)
			}
			p := r.AnomalyProbability
			want, act := RiskLow, ActionContinue
			switch {
			case p > risk.High:
				want, act = RiskHigh, ActionIsolate
			case p > risk.Medium:
				want, act = RiskMedium, ActionEnhanced
			}
			if r.RiskLevel != want || r.RecommendedAction != act {
				t.Fatalf("thresholds %+v, p = %v: %s %s, want %s %s", risk, p, r.RiskLevel, r.RecommendedAction, want, act)
			}
			count[r.RiskLevel]++
		}
	}
	if count[RiskHigh] == 0 || count[RiskMedium] == 0 || count[RiskLow] == 0 {
		t.Errorf("levels seen %v, want each", count)
	}
}

func TestScoreErrors(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	base := tr.flows.At(tr.test[0])
	devices := "database, iot, mobile, server, web_server, workstation"
	depts := "accounting, engineering, executive, hr, it, sales"
	for _, tc := range []struct {
		name   string
		change func(*flow.Flow)
		want   string
	}{
		{"unknown source device", func(f *flow.Flow) { f.SrcDeviceType = "printer" }, `src_device_type: unknown category "printer" (fitted classes: ` + devices + ")"},
		{"unknown destination device", func(f *flow.Flow) { f.DstDeviceType = "Server" }, `dst_device_type: unknown category "Server" (fitted classes: ` + devices + ")"},
		{"unknown protocol", func(f *flow.Flow) { f.Protocol = "tcp" }, `protocol: unknown category "tcp" (fitted classes: ICMP, TCP, UDP)`},
		{"unknown source department", func(f *flow.Flow) { f.SrcDepartment = "" }, `src_department: unknown category "" (fitted classes: ` + depts + ")"},
		{"unknown destination department", func(f *flow.Flow) { f.DstDepartment = "legal" }, `dst_department: unknown category "legal" (fitted classes: ` + depts + ")"},
		{"negative bytes", func(f *flow.Flow) { f.BytesSent = -5 }, "bytes_sent: -5 is negative"},
		{"NaN bytes", func(f *flow.Flow) { f.BytesSent = math.NaN() }, "bytes_sent: NaN is not a finite number"},
		{"infinite duration", func(f *flow.Flow) { f.Duration = math.Inf(1) }, "duration: +Inf is not a finite number"},
		{"negative packets", func(f *flow.Flow) { f.PacketsSent = -1 }, "packets_sent: -1 is negative"},
		{"hour 24", func(f *flow.Flow) { f.Hour = 24 }, "hour: 24 is outside 0..23"},
		{"CPU over 100", func(f *flow.Flow) { f.CPUUsage = 100.5 }, "cpu_usage: 100.5 is outside 0..100"},
		{"NaN CPU", func(f *flow.Flow) { f.CPUUsage = math.NaN() }, "cpu_usage: NaN is not a finite number"},
		{"negative ports", func(f *flow.Flow) { f.PortsContacted = -3 }, "ports_contacted: -3 is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.change(&f)
			sentinel := Result{RiskLevel: "untouched"}
			got := sentinel
			err := tr.model.Score(&f, &got)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.HasPrefix(tc.want, fe.Field+": ") {
				t.Errorf("error %#v is not a *FieldError naming the field", err)
			}
			if got != sentinel {
				t.Errorf("result changed on error: %+v", got)
			}
			// ScoreBatch reports it for that flow alone.
			flows := []flow.Flow{base, f, base}
			out := make([]Result, 3)
			errs := tr.model.ScoreBatch(flows, out, 2)
			if len(errs) != 3 || errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[1].Error() != tc.want {
				t.Errorf("ScoreBatch errors %v", errs)
			}
			if out[1] != (Result{}) || out[0] != out[2] || out[0].RiskLevel == "" {
				t.Errorf("ScoreBatch results %+v", out)
			}
		})
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	f := tr.flows.At(tr.test[1])
	var res Result
	if n := testing.AllocsPerRun(200, func() {
		if err := tr.model.Score(&f, &res); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Score allocates %v times per call", n)
	}
}

func TestScoreBatchDeterministic(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	flows := make([]flow.Flow, 1000)
	for j := range flows {
		flows[j] = tr.flows.At(j)
	}
	flows[500].Protocol = "SCTP"
	var first []Result
	for _, workers := range []int{0, 1, 2, 7, 64} {
		out := make([]Result, len(flows))
		errs := tr.model.ScoreBatch(flows, out, workers)
		if len(errs) != len(flows) || errs[500] == nil {
			t.Fatalf("workers %d: errors %v", workers, errs)
		}
		if first == nil {
			first = out
			continue
		}
		if diff := cmp.Diff(first, out); diff != "" {
			t.Errorf("workers %d: results differ from one worker's:\n%s", workers, diff)
		}
	}
	if errs := tr.model.ScoreBatch(nil, nil, 4); errs != nil {
		t.Errorf("no flows: errors %v", errs)
	}
}

func TestDecisionThreshold(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	m := *tr.model
	m.Decision = Decision{Rule: DecideThreshold, Threshold: 0.3}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	seen := map[bool]bool{}
	for _, i := range tr.test {
		f := tr.flows.At(i)
		var r Result
		if err := m.Score(&f, &r); err != nil {
			t.Fatal(err)
		}
		if r.IsAnomaly != (r.AnomalyProbability >= 0.3) {
			t.Fatalf("flow %d: probability %v, is_anomaly %v at threshold 0.3", i, r.AnomalyProbability, r.IsAnomaly)
		}
		seen[r.IsAnomaly] = true
	}
	if !seen[true] || !seen[false] {
		t.Errorf("threshold 0.3 flags every flow or none: %v", seen)
	}
}
