package iforest

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestFitChecked: what Fit panics on, FitChecked returns as an error with
// the same message, never panicking; a value that is NaN or infinite once
// rounded to float32 (1.7e308 is finite as a float64) is an *InputError
// naming its row and column. On valid data the forest is Fit's.
func TestFitChecked(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5}
	for _, tt := range []struct {
		name     string
		x        []float64
		d        int
		cfg      Config
		want     string
		row, col int
		input    bool
	}{
		{name: "d=0", x: x, cfg: Config{Trees: 1}, want: "iforest: 0 features"},
		{name: "ragged", x: x[:5], d: 2, cfg: Config{Trees: 1}, want: "iforest: len(x) = 5 is not a positive multiple of d = 2"},
		{name: "trees=0", x: x, d: 2, want: "iforest: Trees = 0, need >= 1"},
		{name: "contamination NaN", x: x, d: 2, cfg: Config{Trees: 1, Contamination: math.NaN()}, want: "iforest: Contamination = NaN"},
		{name: "NaN", x: []float64{0, 1, math.NaN(), 3}, d: 2, cfg: Config{Trees: 1},
			want: "iforest: x[2] (row 1, column 0) = NaN is not finite as float32", row: 1, input: true},
		{name: "beyond float32", x: []float64{0, 1, 2, 1.7e308}, d: 2, cfg: Config{Trees: 1},
			want: "iforest: x[3] (row 1, column 1) = 1.7e+308 is not finite as float32", row: 1, col: 1, input: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := FitChecked(tt.x, tt.d, tt.cfg, newRand(1))
			if err == nil || f != nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("FitChecked: %v, %v; want an error starting %q", f, err, tt.want)
			}
			var ie *InputError
			if errors.As(err, &ie) != tt.input {
				t.Fatalf("error %T, want an *InputError: %v", err, tt.input)
			}
			if ie != nil && (ie.Row != tt.row || ie.Column != tt.col) {
				t.Errorf("InputError at row %d, column %d, want %d, %d", ie.Row, ie.Column, tt.row, tt.col)
			}
			func() {
				defer func() {
					if p := recover(); p == nil || !strings.HasPrefix(p.(string), tt.want) {
						t.Errorf("Fit panicked with %v, want %q", p, tt.want)
					}
				}()
				Fit(tt.x, tt.d, tt.cfg, newRand(1))
			}()
		})
	}
	data := gaussian(newRand(7), 300, 3)
	cfg := Config{Trees: 20, Contamination: 0.1}
	a := Fit(data, 3, cfg, newRand(2))
	b, err := FitChecked(data, 3, cfg, newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	sa, sb := a.ScoreSamples(data, 1), b.ScoreSamples(data, 1)
	for i := range sa {
		if sa[i] != sb[i] || a.Offset() != b.Offset() {
			t.Fatalf("FitChecked's forest scores row %d %v (offset %v), Fit's %v (offset %v)", i, sb[i], b.Offset(), sa[i], a.Offset())
		}
	}
}
