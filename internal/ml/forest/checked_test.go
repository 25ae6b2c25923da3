package forest

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFitChecked: what Fit panics on, FitChecked returns as an error with
// the same message, never panicking; data it cannot take (NaN, infinite
// or beyond float32's range, as scikit-learn's check_array refuses them)
// is an *InputError naming the first such value's row and column.
func TestFitChecked(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []int{0, 1, 0, 1}
	good := Config{Trees: 2, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1}
	r := func() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
	with := func(edit func(*Config)) Config { c := good; edit(&c); return c }
	for _, tt := range []struct {
		name         string
		x            []float64
		d            int
		y            []int
		cfg          Config
		nilRand      bool
		want         string
		row, col     int // of an *InputError, when want names one
		wantInputErr bool
	}{
		{name: "x and y lengths", x: x, d: 1, y: y[:3], cfg: good, want: "forest: 4 values for 3 rows of 1 features"},
		{name: "no rows", d: 1, cfg: good, want: "forest: no rows to fit"},
		{name: "zero features", x: x, y: y, cfg: good, want: "forest: 0 features"},
		{name: "label out of range", x: x, d: 1, y: []int{0, 1, 2, 0}, cfg: good, want: "forest: label y[2] = 2 outside [0, 2)"},
		{name: "nil random source", x: x, d: 1, y: y, cfg: good, nilRand: true, want: "forest: nil random source"},
		{name: "no trees", x: x, d: 1, y: y, cfg: with(func(c *Config) { c.Trees = 0 }), want: "forest: 0 trees"},
		{name: "class weight", x: x, d: 1, y: y, cfg: with(func(c *Config) { c.ClassWeight = "x" }), want: `forest: ClassWeight "x" is not`},
		{name: "NaN", x: []float64{1, 2, 3, math.NaN()}, d: 2, y: y[:2], cfg: good,
			want: "forest: x[1][1] = NaN is not a finite float32", row: 1, col: 1, wantInputErr: true},
		{name: "Inf", x: []float64{math.Inf(-1), 2, 3, 4}, d: 1, y: y, cfg: good,
			want: "forest: x[0][0] = -Inf is not a finite float32", wantInputErr: true},
		// 1.7e308 is a finite float64 but +Inf as a float32.
		{name: "beyond float32", x: []float64{1, 2, 1.7e308, 4}, d: 1, y: y, cfg: good,
			want: "forest: x[2][0] = 1.7e+308 is not a finite float32", row: 2, wantInputErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rr := r()
			if tt.nilRand {
				rr = nil
			}
			f, err := FitChecked(tt.x, tt.d, tt.y, 2, tt.cfg, rr)
			if err == nil || f != nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("FitChecked: %v, %v; want an error starting %q", f, err, tt.want)
			}
			var ie *InputError
			if errors.As(err, &ie) != tt.wantInputErr {
				t.Fatalf("error %T, want an *InputError: %v", err, tt.wantInputErr)
			}
			if ie != nil && (ie.Row != tt.row || ie.Column != tt.col) {
				t.Errorf("InputError at [%d][%d], want [%d][%d]", ie.Row, ie.Column, tt.row, tt.col)
			}
			// Fit panics with the same message.
			func() {
				defer func() {
					if p := recover(); p == nil || !strings.HasPrefix(p.(string), tt.want) {
						t.Errorf("Fit panicked with %v, want %q", p, tt.want)
					}
				}()
				Fit(tt.x, tt.d, tt.y, 2, tt.cfg, rr)
			}()
		})
	}
}

// TestFitCheckedSameForest: on valid data FitChecked grows Fit's forest,
// byte for byte (its encoding).
func TestFitCheckedSameForest(t *testing.T) {
	data := parity(t)
	x, y := data.Rows(data.Train[:2000], data.IsAnomaly)
	cfg := DefaultConfig(data.D)
	cfg.Trees = 5
	a := Fit(x, data.D, y, 2, cfg, rand.New(rand.NewPCG(3, 4)))
	b, err := FitChecked(x, data.D, y, 2, cfg, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	ea, _ := a.MarshalBinary()
	eb, _ := b.MarshalBinary()
	if !bytes.Equal(ea, eb) {
		t.Error("FitChecked grew another forest than Fit")
	}
}
