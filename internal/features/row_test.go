package features

import (
	"math"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

func generate(t testing.TB, generator string, n int, s uint64) *flow.Table {
	t.Helper()
	f, err := synth.Generate(synth.Config{Generator: generator, Flows: n, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4}}, s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TransformRow must give every flow exactly its row of Transform: the
// scoring service and the batch pipeline feed the same models.
func TestTransformRowMatchesTransform(t *testing.T) {
	for _, tc := range []struct {
		name, generator string
		columns         []string
		scaleOnHalf     bool
	}{
		{"notebook", synth.GeneratorNotebook, []string{"notebook"}, false},
		{"consistent", synth.GeneratorConsistent, []string{"notebook"}, false},
		{"raw scaled on half", synth.GeneratorNotebook, []string{"raw"}, true},
		{"numeric", synth.GeneratorNotebook, []string{"notebook_numeric"}, false},
		{"every column", synth.GeneratorNotebook, featureset.Columns, false},
		{"no engineered column", synth.GeneratorNotebook, []string{"protocol_encoded", "hour", "same_dept"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := generate(t, tc.generator, 10000, 7)
			e := Engineer(f)
			var scaleRows []int
			if tc.scaleOnHalf {
				for i := 0; i < f.Len(); i += 2 {
					scaleRows = append(scaleRows, i)
				}
			}
			p, err := Fit(f, e, tc.columns, scaleRows)
			if err != nil {
				t.Fatal(err)
			}
			m, err := p.Transform(f, e)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, m.D)
			for i := range f.Len() {
				r := f.At(i)
				if err := p.TransformRow(&r, out); err != nil {
					t.Fatalf("flow %d: %v", i, err)
				}
				for j, want := range m.Row(i) {
					if math.Float64bits(out[j]) != math.Float64bits(want) {
						t.Fatalf("flow %d, %s: TransformRow %v (%#x), Transform %v (%#x)",
							i, m.Names[j], out[j], math.Float64bits(out[j]), want, math.Float64bits(want))
					}
				}
			}
		})
	}
}

// The notebook's own flows, with the values its CSV holds.
func TestTransformRowMatchesTransformOnParityFlows(t *testing.T) {
	f := loadParity(t)
	e := Engineer(f)
	p, err := Fit(f, e, []string{"notebook"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Transform(f, e)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, m.D)
	for i := range f.Len() {
		r := f.At(i)
		if err := p.TransformRow(&r, out); err != nil {
			t.Fatal(err)
		}
		for j, want := range m.Row(i) {
			if math.Float64bits(out[j]) != math.Float64bits(want) {
				t.Fatalf("flow %d, %s: TransformRow %v, Transform %v", i, m.Names[j], out[j], want)
			}
		}
	}
}

func TestEngineerRowMatchesEngineer(t *testing.T) {
	f := generate(t, synth.GeneratorNotebook, 5000, 3)
	e := Engineer(f)
	for i := range f.Len() {
		r := f.At(i)
		got := EngineerRow(&r)
		want := EngineeredRow{e.BytesPerSecond[i], e.PacketsPerSecond[i], e.HighCPU[i], e.LongDuration[i],
			e.ManyPorts[i], e.OffHours[i], e.RiskScore[i], e.LogBytes[i], e.LogDuration[i]}
		if got != want {
			t.Fatalf("flow %d: EngineerRow %+v, Engineer %+v", i, got, want)
		}
	}
}

func TestTransformRowUnknownCategory(t *testing.T) {
	f := generate(t, synth.GeneratorNotebook, 1000, 1)
	p, err := Fit(f, Engineer(f), []string{"notebook"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := f.At(0)
	r.DstDepartment = "legal"
	err = p.TransformRow(&r, make([]float64, len(p.Columns)))
	want := `features: dst_department: unknown category "legal" (fitted classes: accounting, engineering, executive, hr, it, sales)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestTransformRowDoesNotAllocate(t *testing.T) {
	f := generate(t, synth.GeneratorNotebook, 1000, 1)
	p, err := Fit(f, Engineer(f), []string{"notebook"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := f.At(5)
	out := make([]float64, len(p.Columns))
	if n := testing.AllocsPerRun(100, func() {
		if err := p.TransformRow(&r, out); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("TransformRow allocates %v times per call", n)
	}
}

func TestNewPipeline(t *testing.T) {
	f := generate(t, synth.GeneratorNotebook, 1000, 1)
	fitted, err := Fit(f, Engineer(f), []string{"notebook"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPipeline(fitted.Columns, fitted.Encoders, fitted.Scaler)
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]float64, len(p.Columns)), make([]float64, len(p.Columns))
	r := f.At(9)
	if err := p.TransformRow(&r, a); err != nil {
		t.Fatal(err)
	}
	if err := fitted.TransformRow(&r, b); err != nil {
		t.Fatal(err)
	}
	for j := range a {
		if a[j] != b[j] {
			t.Fatalf("%s: %v from NewPipeline, %v from Fit", p.Columns[j], a[j], b[j])
		}
	}

	enc := func(classes ...string) *LabelEncoder { return &LabelEncoder{Classes: classes} }
	encoders := func(change func(map[string]*LabelEncoder)) map[string]*LabelEncoder {
		m := map[string]*LabelEncoder{}
		for k, v := range fitted.Encoders {
			m[k] = v
		}
		change(m)
		return m
	}
	scaler := func(change func(*Scaler)) *Scaler {
		s := &Scaler{Mean: append([]float64(nil), fitted.Scaler.Mean...), Scale: append([]float64(nil), fitted.Scaler.Scale...)}
		change(s)
		return s
	}
	same := func(map[string]*LabelEncoder) {}
	for _, tc := range []struct {
		name     string
		columns  []string
		encoders map[string]*LabelEncoder
		scaler   *Scaler
		want     string
	}{
		{"unknown column", append([]string{"bogus"}, fitted.Columns[1:]...), fitted.Encoders, fitted.Scaler, `unknown column "bogus"`},
		{"missing encoder", fitted.Columns, encoders(func(m map[string]*LabelEncoder) { delete(m, featureset.ProtocolEncoded) }), fitted.Scaler, "no label encoder for column protocol_encoded"},
		{"empty encoder", fitted.Columns, encoders(func(m map[string]*LabelEncoder) { m[featureset.ProtocolEncoded] = enc() }), fitted.Scaler, "has no classes"},
		{"unsorted classes", fitted.Columns, encoders(func(m map[string]*LabelEncoder) { m[featureset.ProtocolEncoded] = enc("UDP", "TCP") }), fitted.Scaler, "not sorted"},
		{"repeated class", fitted.Columns, encoders(func(m map[string]*LabelEncoder) { m[featureset.ProtocolEncoded] = enc("TCP", "TCP") }), fitted.Scaler, "not sorted and distinct"},
		{"stray encoder", fitted.Columns, encoders(func(m map[string]*LabelEncoder) { m["hour"] = enc("a") }), fitted.Scaler, `encoder for "hour"`},
		{"no scaler", fitted.Columns, encoders(same), nil, "no scaler"},
		{"short scaler", fitted.Columns, encoders(same), scaler(func(s *Scaler) { s.Mean = s.Mean[1:] }), "19 means and 20 scales for 20 columns"},
		{"zero scale", fitted.Columns, encoders(same), scaler(func(s *Scaler) { s.Scale[3] = 0 }), "scaler of cpu_usage"},
		{"NaN mean", fitted.Columns, encoders(same), scaler(func(s *Scaler) { s.Mean[0] = math.NaN() }), "scaler of bytes_sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPipeline(tc.columns, tc.encoders, tc.scaler)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
