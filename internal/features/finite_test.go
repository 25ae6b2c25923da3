package features

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

// TestNotFiniteFeatures: features the models cannot take are an error of
// the feature stage naming each column and its first rows (1-based),
// whether the value came in (a finite 1.7e308, beyond float32's range) or
// was engineered (the log of a negative duration). The flows are built
// directly, past the loader, which refuses negative durations: the
// feature stage guards every source. Before, Fit and Transform returned
// the matrix and the forest panicked on it.
func TestNotFiniteFeatures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		columns []string
		edit    func(f *flow.Table)
		want    string // the error, exactly
	}{
		{"bytes beyond float32", []string{flow.ColBytesSent, flow.ColCPUUsage},
			func(f *flow.Table) { f.BytesSent[1] = 1.7e308 },
			"features: 1 column holds values the models cannot take (NaN, infinite, or beyond ±3.4e+38, float32's range, in which they compute): " +
				"bytes_sent in 1 row: row 2 = 1.7e+308"},
		// log10(-5 + 1) is NaN and log10(-1 + 1) is -Inf by definition
		// (math.Log10); -3/(-1 + 1) is -Inf.
		{"negative durations", []string{flow.ColLogDuration, flow.ColBytesPerSecond, flow.ColCPUUsage},
			func(f *flow.Table) { f.Duration[3], f.Duration[6], f.BytesSent[6] = -5, -1, 3 },
			"features: 2 columns hold values the models cannot take (NaN, infinite, or beyond ±3.4e+38, float32's range, in which they compute): " +
				"log_duration in 2 rows: row 4 = NaN, row 7 = -Inf (log_duration = log10(duration + 1)); " +
				"bytes_per_second in 1 row: row 7 = +Inf (bytes_per_second = bytes_sent / (duration + 1))"},
		// Only the first five rows are named.
		{"every row", []string{flow.ColDuration},
			func(f *flow.Table) {
				for i := range f.Duration {
					f.Duration[i] = math.Inf(1)
				}
			},
			"features: 1 column holds values the models cannot take (NaN, infinite, or beyond ±3.4e+38, float32's range, in which they compute): " +
				"duration in 20 rows: row 1 = +Inf, row 2 = +Inf, row 3 = +Inf, row 4 = +Inf, row 5 = +Inf, …"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := generate(t, synth.GeneratorNotebook, 20, 1)
			tc.edit(f)
			e := Engineer(f)
			_, err := Fit(f, e, tc.columns, nil)
			var nf *NotFiniteError
			if !errors.As(err, &nf) || err.Error() != tc.want {
				t.Fatalf("Fit: %v\nwant %s", err, tc.want)
			}
			// Transform with a pipeline fitted elsewhere refuses them too.
			p, err := Fit(generate(t, synth.GeneratorNotebook, 20, 1), Engineer(generate(t, synth.GeneratorNotebook, 20, 1)), tc.columns, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Transform(f, e); err == nil || err.Error() != tc.want {
				t.Errorf("Transform: %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestNotFiniteAfterScaling: a column nearly constant on the rows the
// scaler is fitted on (scale 5e-151, the population SD of 0 and 1e-150)
// sends a distant value of another row beyond float32's range once
// standardised: (1e30 - 5e-151) / 5e-151 = 2e180. Transform refuses it,
// giving the scaler's mean and scale.
func TestNotFiniteAfterScaling(t *testing.T) {
	f := generate(t, synth.GeneratorNotebook, 20, 1)
	for i := range f.CPUUsage {
		f.CPUUsage[i] = 1e-150
	}
	f.CPUUsage[0], f.CPUUsage[5] = 0, 1e30
	e := Engineer(f)
	p, err := Fit(f, e, []string{flow.ColCPUUsage, flow.ColHour}, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Transform(f, e)
	var nf *NotFiniteError
	if !errors.As(err, &nf) || !nf.Scaled {
		t.Fatalf("Transform: %v, want a *NotFiniteError after scaling", err)
	}
	for _, want := range []string{"features: after standardisation, 1 column holds", "cpu_usage in 1 row: row 6 = 2e+180",
		"standardised with mean 5e-151 and scale 5e-151"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestCheckFiniteRowNames: the caller names the rows (a table's file and
// line); the values in range, float32's largest included, pass.
func TestCheckFiniteRowNames(t *testing.T) {
	m := &Matrix{Names: []string{"a", "b"}, N: 2, D: 2, Data: []float64{math.MaxFloat32, -math.MaxFloat32, 0, math.NaN()}}
	err := CheckFinite(m, func(i int) string { return []string{"train.csv:2", "train.csv:3"}[i] })
	if err == nil || !strings.HasSuffix(err.Error(), "b in 1 row: train.csv:3 = NaN") {
		t.Errorf("CheckFinite: %v", err)
	}
	m.Data[3] = 1
	if err := CheckFinite(m, nil); err != nil {
		t.Errorf("CheckFinite of values in range: %v", err)
	}
}
