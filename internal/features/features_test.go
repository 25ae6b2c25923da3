package features

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

// parityCSV is the notebook's own 10,000 flows with its engineered features.
const parityCSV = "../../../shared/parity/notebook-flows-10k.csv.gz"

// reference holds scikit-learn 1.2.1's results on parityCSV, written by
// scripts/reference/features_reference.py.
type reference struct {
	Source         string               `json:"source"`
	Columns        []string             `json:"columns"`
	Classes        map[string][]string  `json:"classes"`
	ScalerMean     []float64            `json:"scaler_mean"`
	ScalerScale    []float64            `json:"scaler_scale"`
	ScaledRows     map[string][]float64 `json:"scaled_rows"`
	TestIsAnomaly  map[string]int       `json:"test_counts_is_anomaly"`
	TestAnomalyTyp map[string]int       `json:"test_counts_anomaly_type"`
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn-reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func loadParity(t testing.TB) *flow.Table {
	t.Helper()
	f, err := datasets.Load(parityCSV, "")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// notebookColumn reads one column of the notebook's CSV export as numbers.
func notebookColumn(t *testing.T, name string) []float64 {
	t.Helper()
	fh, err := os.Open(parityCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for j, h := range rows[0] {
		if h == name {
			col = j
		}
	}
	if col < 0 {
		t.Fatalf("no column %s", name)
	}
	out := make([]float64, len(rows)-1)
	for i, r := range rows[1:] {
		if out[i], err = strconv.ParseFloat(r[col], 64); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// The notebook's engineer_features output is in the parity CSV; ours must
// equal it on the same flows (pandas writes floats with 17 significant
// digits, so equality is to the last bit for all but transcendental
// functions, which may differ by an ulp between libm and Go).
func TestEngineerMatchesNotebook(t *testing.T) {
	f := loadParity(t)
	e := Engineer(f)
	ints := func(s []int64) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = float64(v)
		}
		return out
	}
	for _, tc := range []struct {
		col string
		got []float64
		tol float64 // relative
	}{
		{flow.ColBytesPerSecond, e.BytesPerSecond, 0},
		{flow.ColPacketsPerSecond, e.PacketsPerSecond, 0},
		{flow.ColHighCPU, ints(e.HighCPU), 0},
		{flow.ColLongDuration, ints(e.LongDuration), 0},
		{flow.ColManyPorts, ints(e.ManyPorts), 0},
		{flow.ColOffHours, ints(e.OffHours), 0},
		{flow.ColRiskScore, e.RiskScore, 0},
		{flow.ColLogBytes, e.LogBytes, 1e-15},
		{flow.ColLogDuration, e.LogDuration, 1e-15},
	} {
		want := notebookColumn(t, tc.col)
		if diff := cmp.Diff(want, tc.got, cmpopts.EquateApprox(tc.tol, 0)); diff != "" {
			t.Errorf("%s mismatch (-notebook +ours):\n%s", tc.col, diff)
		}
	}
}

func TestPipelineMatchesScikitLearn(t *testing.T) {
	ref := loadReference(t)
	f := loadParity(t)
	e := Engineer(f)
	// The notebook fits the scaler on every row.
	p, err := Fit(f, e, []string{"notebook"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ref.Columns, p.Columns); diff != "" {
		t.Errorf("columns mismatch (-sklearn +ours):\n%s", diff)
	}
	for col, classes := range ref.Classes {
		if diff := cmp.Diff(classes, p.Encoders[col].Classes); diff != "" {
			t.Errorf("%s classes mismatch (-LabelEncoder +ours):\n%s", col, diff)
		}
	}
	// Sums of 10,000 values: numpy sums pairwise, we sum in order, so the
	// last few bits differ.
	approx := cmpopts.EquateApprox(1e-12, 1e-12)
	if diff := cmp.Diff(ref.ScalerMean, p.Scaler.Mean, approx); diff != "" {
		t.Errorf("scaler mean mismatch (-sklearn +ours):\n%s", diff)
	}
	if diff := cmp.Diff(ref.ScalerScale, p.Scaler.Scale, approx); diff != "" {
		t.Errorf("scaler scale mismatch (-sklearn +ours):\n%s", diff)
	}
	m, err := p.Transform(f, e)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 10000 || m.D != 20 {
		t.Fatalf("matrix %dx%d, want 10000x20", m.N, m.D)
	}
	for row, want := range ref.ScaledRows {
		i, _ := strconv.Atoi(row)
		if diff := cmp.Diff(want, m.Row(i), cmpopts.EquateApprox(1e-10, 1e-12)); diff != "" {
			t.Errorf("scaled row %d mismatch (-sklearn +ours):\n%s", i, diff)
		}
	}
}

func TestTrainTestSplitMatchesScikitLearnCounts(t *testing.T) {
	ref := loadReference(t)
	f := loadParity(t)
	typeLabels := make([]int, f.Len())
	binary := make([]int, f.Len())
	for i, c := range f.AnomalyType.Codes {
		typeLabels[i] = int(c)
		if f.IsAnomaly[i] {
			binary[i] = 1
		}
	}
	for _, tc := range []struct {
		name   string
		labels []int
		name0  func(int) string
		want   map[string]int
	}{
		{"is_anomaly", binary, strconv.Itoa, ref.TestIsAnomaly},
		{"anomaly_type", typeLabels, func(c int) string { return f.AnomalyType.Levels[c] }, ref.TestAnomalyTyp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Counts do not depend on the random stream: check several.
			for s := range uint64(5) {
				split, err := TrainTestSplit(f.Len(), tc.labels, 0.3, seed.New(s))
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for i, side := range split {
					if side == datasets.Test {
						got[tc.name0(tc.labels[i])]++
					} else if side != datasets.Train {
						t.Fatalf("row %d unassigned", i)
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("seed %d: test counts mismatch (-sklearn +ours):\n%s", s, diff)
				}
			}
		})
	}
}

func TestTrainTestSplit(t *testing.T) {
	t.Run("unstratified", func(t *testing.T) {
		split, err := TrainTestSplit(10, nil, 0.25, seed.New(1))
		if err != nil {
			t.Fatal(err)
		}
		test := 0
		for _, s := range split {
			if s == datasets.Test {
				test++
			}
		}
		// ceil(0.25 * 10) = 3, as scikit-learn's _validate_shuffle_split.
		if test != 3 {
			t.Errorf("%d test rows, want 3", test)
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		labels := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2}
		a, _ := TrainTestSplit(len(labels), labels, 0.5, seed.New(7))
		b, _ := TrainTestSplit(len(labels), labels, 0.5, seed.New(7))
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("same seed, different splits:\n%s", diff)
		}
	})
	t.Run("ties broken at random", func(t *testing.T) {
		// Two classes of 3 at test fraction 0.5: train gets 1.5 of each,
		// floors 1+1, and the one extra goes to either class.
		labels := []int{0, 0, 0, 1, 1, 1}
		seen := map[int]bool{}
		for s := range uint64(40) {
			split, err := TrainTestSplit(6, labels, 0.5, seed.New(s))
			if err != nil {
				t.Fatal(err)
			}
			train0 := 0
			for i, side := range split {
				if side == datasets.Train && labels[i] == 0 {
					train0++
				}
			}
			seen[train0] = true
		}
		if !seen[1] || !seen[2] {
			t.Errorf("class 0 got %v training rows over 40 seeds; want both 1 and 2", seen)
		}
	})
	for _, tc := range []struct {
		name     string
		n        int
		labels   []int
		fraction float64
	}{
		{"single member class", 10, []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0.3},
		{"no training rows", 2, nil, 0.9},
		{"fraction out of range", 10, nil, 1},
		{"more classes than test rows", 6, []int{0, 0, 1, 1, 2, 2}, 0.2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := TrainTestSplit(tc.n, tc.labels, tc.fraction, seed.New(1)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestScaler(t *testing.T) {
	m := &Matrix{N: 4, D: 2, Data: []float64{1, 5, 2, 5, 3, 5, 4, 5}}
	s := FitScaler(m, nil)
	// Population variance of 1..4 is 1.25 (ddof 0, as StandardScaler); the
	// constant column gets scale 1 (scikit-learn's _handle_zeros_in_scale).
	want := &Scaler{Mean: []float64{2.5, 5}, Scale: []float64{math.Sqrt(1.25), 1}}
	if diff := cmp.Diff(want, s, cmpopts.EquateApprox(1e-15, 0)); diff != "" {
		t.Errorf("FitScaler mismatch (-want +got):\n%s", diff)
	}
	s.Transform(m)
	if diff := cmp.Diff([]float64{-1.5 / math.Sqrt(1.25), 0}, m.Row(0), cmpopts.EquateApprox(1e-15, 0)); diff != "" {
		t.Errorf("row 0 mismatch (-want +got):\n%s", diff)
	}
	// Fitting on a subset of rows uses only those rows.
	sub := FitScaler(&Matrix{N: 3, D: 1, Data: []float64{0, 10, 100}}, []int{0, 1})
	if sub.Mean[0] != 5 || sub.Scale[0] != 5 {
		t.Errorf("subset fit: mean %v scale %v, want 5 5", sub.Mean[0], sub.Scale[0])
	}
}

func TestLabelEncoderUnknown(t *testing.T) {
	c := &flow.Categorical{Levels: []string{"b", "a", "c"}, Codes: []uint16{0, 1, 0}}
	e := FitLabelEncoder(c, nil)
	if diff := cmp.Diff([]string{"a", "b"}, e.Classes); diff != "" {
		t.Errorf("classes mismatch (-want +got):\n%s", diff)
	}
	if _, err := e.Encode("c"); err == nil {
		t.Error("unknown category encoded without error")
	}
}

func BenchmarkEngineer1M(b *testing.B) {
	f, err := synth.Generate(synth.Config{Generator: "notebook", Flows: 1_000_000, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{"crypto_mining": 0.6, "lateral_movement": 0.4}}, 1)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Engineer(f)
	}
}

func BenchmarkSplit1M(b *testing.B) {
	labels := make([]int, 1_000_000)
	for i := range labels {
		labels[i] = i % 20 / 19
	}
	for b.Loop() {
		if _, err := TrainTestSplit(len(labels), labels, 0.3, seed.New(1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPipeline1M(b *testing.B) {
	f, err := synth.Generate(synth.Config{Generator: "notebook", Flows: 1_000_000, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{"crypto_mining": 0.6, "lateral_movement": 0.4}}, 1)
	if err != nil {
		b.Fatal(err)
	}
	e := Engineer(f)
	for b.Loop() {
		p, err := Fit(f, e, []string{"notebook"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Transform(f, e); err != nil {
			b.Fatal(err)
		}
	}
}
