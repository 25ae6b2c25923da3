package linear

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// handData are scripts/reference/linear_reference.py's HAND matrices.
var handData = map[string]struct {
	x []float64
	d int
	y []int
}{
	"1d": {[]float64{0, 1, 2, 3, 4, 5}, 1, []int{0, 0, 1, 0, 1, 1}},
	"2d-imbalanced": {[]float64{0.5, 1.0, 1.5, -0.5, -1.0, 2.0, 2.0, 2.0, -0.5, -1.5, 3.0, 0.5, 0.0, 0.0, 1.0, 3.0}, 2,
		[]int{0, 0, 0, 1, 0, 1, 0, 0}},
	"3d-constant": {[]float64{1, 7, 0.2, 2, 7, -0.1, 3, 7, 0.4, 4, 7, 0, 5, 7, -0.3, 6, 7, 0.1, 7, 7, 0.3, 8, 7, -0.2, 2.5, 7, 1, 6.5, 7, -1}, 3,
		[]int{0, 0, 0, 1, 0, 1, 1, 1, 1, 0}},
}

// TestReference: the fits of scripts/reference/linear_reference.py (no
// arguments), scikit-learn 1.2.1's LogisticRegression(solver="lbfgs") at
// default max_iter and tol. Fit follows L-BFGS-B's path: the same
// iterations, coefficients within 1e-9 (measured: 2.1e-13 at worst).
func TestReference(t *testing.T) {
	for _, tc := range []struct {
		data        string
		c           float64
		classWeight string
		coef        []float64
		intercept   float64
		iters       int
	}{
		{"1d", 0.1, "none", []float64{0.2453076347954482}, -0.6132888844626374, 6},
		{"1d", 0.1, "balanced", []float64{0.2453076347954482}, -0.6132888844626374, 6},
		{"1d", 1, "none", []float64{0.7670673833467287}, -1.9176755552284361, 8},
		{"1d", 10, "none", []float64{1.1264605702205053}, -2.816194601928314, 9},
		{"2d-imbalanced", 0.1, "none", []float64{0.27222444598538215, 0.06243364915511964}, -1.4027680347101013, 8},
		{"2d-imbalanced", 0.1, "balanced", []float64{0.33365230720149747, 0.08122495288952168}, -0.5409042442317653, 8},
		{"2d-imbalanced", 1, "none", []float64{1.170935737474896, 0.22671001097853533}, -2.746254374083618, 9},
		{"2d-imbalanced", 1, "balanced", []float64{1.2695118066967723, 0.27796866448987384}, -2.177172746361904, 9},
		{"2d-imbalanced", 10, "none", []float64{3.0722347534209122, 0.5967375292404234}, -6.358372190259253, 13},
		{"2d-imbalanced", 10, "balanced", []float64{3.2321035001822556, 0.6513579102588327}, -6.03509257421529, 11},
		{"3d-constant", 0.1, "none", []float64{0.23325333747132337, 3.554202842260294e-07, 0.12140767425554042}, -1.0544062048593892, 14},
		{"3d-constant", 1, "none", []float64{0.5271587060172428, -1.0957954739975572e-06, 1.0307797763184539}, -2.4068216203703914, 21},
		{"3d-constant", 10, "none", []float64{1.0322816966047774, 0.00024474287003037505, 3.4366290760404734}, -4.721306483093342, 26},
	} {
		h := handData[tc.data]
		cfg := DefaultConfig()
		cfg.C, cfg.ClassWeight = tc.c, tc.classWeight
		m, err := FitLogistic(h.x, len(h.y), h.d, h.y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		diff := math.Abs(m.Intercept() - tc.intercept)
		for j, w := range tc.coef {
			diff = max(diff, math.Abs(m.Coef()[j]-w))
		}
		t.Logf("%s C=%v %s: max diff %.2g, iterations %d (scikit-learn %d), converged %v", tc.data, tc.c, tc.classWeight, diff, m.Iterations(), tc.iters, m.Converged())
		if diff > 1e-9 || m.Iterations() != tc.iters || !m.Converged() {
			t.Errorf("%s C=%v %s: coef %v intercept %v, want %v %v (max diff %.2g)", tc.data, tc.c, tc.classWeight, m.Coef(), m.Intercept(), tc.coef, tc.intercept, diff)
		}
	}
}

// TestInputErrors: bad input is an error, not a panic.
func TestInputErrors(t *testing.T) {
	ok := handData["1d"]
	for _, tc := range []struct {
		name string
		x    []float64
		n, d int
		y    []int
		cfg  func(*Config)
		want string
	}{
		{"empty", nil, 0, 1, nil, nil, "0 rows"},
		{"short x", ok.x[:5], 6, 1, ok.y, nil, "len(x)"},
		{"labels", ok.x, 6, 1, ok.y[:5], nil, "5 labels"},
		{"NaN", []float64{0, 1, math.NaN(), 3, 4, 5}, 6, 1, ok.y, nil, "NaN"},
		{"Inf", []float64{0, 1, 2, math.Inf(-1), 4, 5}, 6, 1, ok.y, nil, "-Inf"},
		{"one class", ok.x, 6, 1, []int{1, 1, 1, 1, 1, 1}, nil, "one class"},
		{"three classes", ok.x, 6, 1, []int{0, 1, 2, 0, 1, 2}, nil, "label 2"},
		{"C zero", ok.x, 6, 1, ok.y, func(c *Config) { c.C = 0 }, "C = 0"},
		{"C NaN", ok.x, 6, 1, ok.y, func(c *Config) { c.C = math.NaN() }, "C = NaN"},
		{"max_iter", ok.x, 6, 1, ok.y, func(c *Config) { c.MaxIter = 0 }, "MaxIter"},
		{"tol", ok.x, 6, 1, ok.y, func(c *Config) { c.Tol = -1 }, "Tol"},
		{"class weight", ok.x, 6, 1, ok.y, func(c *Config) { c.ClassWeight = "balance" }, "balance"},
	} {
		cfg := DefaultConfig()
		if tc.cfg != nil {
			tc.cfg(&cfg)
		}
		_, err := FitLogistic(tc.x, tc.n, tc.d, tc.y, cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestWorkersAndMaxIter: the fit does not depend on Workers; stopping at
// MaxIter is reported as scikit-learn's ConvergenceWarning.
func TestWorkersAndMaxIter(t *testing.T) {
	// 5000 rows, more than two blocks, of a fixed pseudo-random layout.
	n, d := 5000, 4
	x := make([]float64, n*d)
	y := make([]int, n)
	s := uint64(1)
	for i := range x {
		s = s*6364136223846793005 + 1442695040888963407
		x[i] = float64(s>>11)/(1<<53)*4 - 2
	}
	for i := range y {
		if x[i*d]+0.5*x[i*d+1]-x[i*d+3] > 0.3 {
			y[i] = 1
		}
	}
	cfg := DefaultConfig()
	one, err := FitLogistic(x, n, d, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	three, err := FitLogistic(x, n, d, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if one.Intercept() != three.Intercept() || !slices.Equal(one.Coef(), three.Coef()) || one.Iterations() != three.Iterations() {
		t.Errorf("Workers 1: %v %v; Workers 3: %v %v", one.Coef(), one.Intercept(), three.Coef(), three.Intercept())
	}
	if !one.Converged() || one.Note() != "" {
		t.Errorf("converged %v, note %q", one.Converged(), one.Note())
	}
	cfg.MaxIter = 2
	short, err := FitLogistic(x, n, d, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if short.Converged() || short.Iterations() != 2 || !strings.Contains(short.Note(), "max_iter 2") {
		t.Errorf("MaxIter 2: converged %v, %d iterations, note %q", short.Converged(), short.Iterations(), short.Note())
	}
	p := one.PredictProba(x[:d])
	z := one.DecisionFunction(x[:d])
	if len(p) != 1 || math.Abs(p[0]-1/(1+math.Exp(-z[0]))) > 1e-15 {
		t.Errorf("PredictProba %v, DecisionFunction %v", p, z)
	}
}
