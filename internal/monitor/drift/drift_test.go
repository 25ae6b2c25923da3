package drift

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The deterministic samples of testdata/drift_reference.py: integer
// arithmetic, then exact float operations, so Go and NumPy build the same
// values to the last bit.

// scattered returns ((i·mult) mod m)/m for i < n.
func scattered(n, mult, m int) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = float64(i*mult%m) / float64(m)
	}
	return values
}

// squashed returns 0.9·v² + 0.05 of scattered(n, mult, m).
func squashed(n, mult, m int) []float64 {
	values := scattered(n, mult, m)
	for i, v := range values {
		values[i] = float64(0.9*v*v) + 0.05 // the conversion forbids a fused multiply-add
	}
	return values
}

// tied returns (i·mult) mod m + offset for i < n: integers with many ties.
func tied(n, mult, m int, offset float64) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = float64(i*mult%m) + offset
	}
	return values
}

// oneToTen returns 1, 2, …, 10.
func oneToTen() []float64 { return tied(10, 1, 11, 1) }

func repeat(v float64, n int) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = v
	}
	return values
}

// normals returns n draws of N(mu, 1) from a PCG source seeded with seed.
func normals(n int, mu float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	values := make([]float64, n)
	for i := range values {
		values[i] = mu + rng.NormFloat64()
	}
	return values
}

// near reports whether got is within tol of want, relative to |want| when
// |want| > 1 (so tol is absolute near 0 and relative for large values).
func near(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// Expected values calculated by numpy 1.24.2 (testdata/drift_reference.py):
// edges numpy.quantile(expected, k/bins), merged by numpy.unique, counts by
// numpy.searchsorted(edges, v, side="left"), shares floored at 1e-4. The
// first two are also by hand: with the edge 5.5, shares (0.75, 0.25)
// against (0.5, 0.5) give 0.25·ln 3, and (1, 1e-4) give
// 0.5·ln 2 + 0.4999·ln 5000.
func TestPSINumpy(t *testing.T) {
	for _, tc := range []struct {
		name             string
		expected, actual []float64
		bins             int
		edges            []float64 // nil: not checked
		psi              float64
	}{
		{name: "halves", expected: oneToTen(), actual: []float64{1, 1, 1, 9}, bins: 2, edges: []float64{5.5}, psi: 0.2746530721670274},
		{name: "empty bin", expected: oneToTen(), actual: []float64{1, 2}, bins: 2, edges: []float64{5.5}, psi: 4.604318466668949},
		{name: "constant", expected: repeat(3, 10), actual: []float64{3, 3, 3, 4}, bins: 10, edges: []float64{3}, psi: 2.0271496162259326},
		{name: "discrete", expected: []float64{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}, actual: []float64{0, 1, 1, 2, 2, 5}, bins: 4, edges: []float64{0, 1}, psi: 1.2023585151957956},
		{
			name: "scattered", expected: scattered(5000, 7919, 10007), actual: squashed(3000, 104729, 10009), bins: 10,
			edges: []float64{0.10046967123013892, 0.19994004197062057, 0.3003397621664835, 0.4002798041371041, 0.5002498251224143, 0.6002198461077246, 0.7005396222644149, 0.8000599580293796, 0.9005795942840013},
			psi:   0.31137351226285426,
		},
		{name: "scattered 20 bins", expected: scattered(5000, 7919, 10007), actual: squashed(3000, 104729, 10009), bins: 20, psi: 1.028682790962232},
		{
			name: "tied", expected: tied(400, 37, 101, 0), actual: tied(300, 53, 97, 3), bins: 10,
			edges: []float64{9.900000000000006, 19.80000000000001, 30, 40, 50, 60, 70, 80, 90},
			psi:   0.01073634689331536,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PSI(tc.expected, tc.actual, tc.bins)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tc.psi, 1e-12) {
				t.Errorf("PSI = %v, want %v", got, tc.psi)
			}
			r, err := NewReference(tc.expected, tc.bins)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.PSI(tc.actual); !near(got, tc.psi, 1e-12) {
				t.Errorf("Reference.PSI = %v, want %v", got, tc.psi)
			}
			// numpy's edges to the last bit, its interpolation included.
			if tc.edges != nil && !slices.Equal(r.Edges(), tc.edges) {
				t.Errorf("Edges() = %v, want %v", r.Edges(), tc.edges)
			}
			if tc.edges != nil && r.Bins() != len(tc.edges)+1 {
				t.Errorf("Bins() = %d, want %d", r.Bins(), len(tc.edges)+1)
			}
		})
	}
}

// Expected values calculated by scipy 1.10.1 (testdata/drift_reference.py):
// d is ks_2samp(a, b, method="asymp").statistic and p is
// kstwobign.sf(sqrt(en)·d), en = n·m/(n+m). scipy is what ks_2samp itself
// returns as its p-value, kstwo.sf(d, round(en)), shown for comparison.
func TestKSScipy(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name  string
		a, b  []float64
		d, p  float64
		scipy float64
	}{
		{name: "overlapping", a: []float64{1, 2, 3, 4, 5}, b: []float64{3, 4, 5, 6, 7, 8}, d: 0.5, p: 0.502914033641129, scipy: 0.3333333333333333},
		{name: "ties", a: []float64{1, 2, 2, 3, 3, 3}, b: []float64{2, 3, 3, 4}, d: 0.25, p: 0.998265735385231, scipy: 1.0},
		{name: "disjoint", a: []float64{1, 2, 3}, b: []float64{4, 5, 6, 7}, d: 1.0, p: 0.06486426873885241, scipy: 0.0},
		{name: "identical", a: []float64{1, 2, 3}, b: []float64{3, 1, 2}, d: 0.0, p: 1.0, scipy: 1.0},
		{name: "infinities", a: []float64{-inf, 0, 1}, b: []float64{0, 1, inf, inf}, d: 0.5, p: 0.784769805922802, scipy: 0.5},
		{name: "interleaved", a: []float64{0.1, 0.4, 0.2, 0.3, 0.05, 0.15, 0.9}, b: []float64{0.5, 0.45, 0.35, 0.6, 0.55, 0.7, 0.12, 0.02}, d: 0.4821428571428571, p: 0.3506178047886532, scipy: 0.21977333663057064},
		{name: "tied integers", a: tied(300, 37, 101, 0), b: tied(250, 53, 97, 3), d: 0.03, p: 0.9996917319864728, scipy: 0.999412187151839},
		{name: "scattered", a: scattered(5000, 7919, 10007), b: squashed(3000, 104729, 10009), d: 0.22880000000000006, p: 1.1079152376177009e-85, scipy: 9.268997194736844e-87},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, p, err := KS(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			// D is i/n − j/m computed as numpy does: equal to the last bit.
			if d != tc.d {
				t.Errorf("D = %v, want %v", d, tc.d)
			}
			if math.Abs(p-tc.p) > 1e-13*tc.p {
				t.Errorf("p = %v, want %v (scipy's own %v)", p, tc.p, tc.scipy)
			}
			// Symmetric in a and b.
			if d2, p2, _ := KS(tc.b, tc.a); d2 != d || p2 != p {
				t.Errorf("KS(b, a) = %v, %v; want %v, %v", d2, p2, d, p)
			}
			r, err := NewReference(tc.a, 10)
			if err != nil {
				t.Fatal(err)
			}
			if d2, p2 := r.KS(tc.b); d2 != d || p2 != p {
				t.Errorf("Reference.KS = %v, %v; want %v, %v", d2, p2, d, p)
			}
		})
	}
}

// Expected values calculated by scipy 1.10.1, stats.kstwobign.sf(x)
// (testdata/drift_reference.py), either side of the switch of series at
// 0.82; 1.3580986393225507 is the 0.05 critical value.
func TestKolmogorovSF(t *testing.T) {
	for _, tc := range []struct{ x, sf float64 }{
		{0.05, 1.0},
		{0.1, 1.0},
		{0.2, 0.999999999999495},
		{0.3, 0.9999906941986655},
		{0.5, 0.9639452436648751},
		{0.7, 0.7112351950296893},
		{0.8, 0.5441424115741981},
		{0.82, 0.5119717052984973},
		{0.8200001, 0.5119715464181557},
		{0.83, 0.4961909953505036},
		{0.9, 0.3927307079406543},
		{1.0, 0.26999967167735456},
		{1.2, 0.11224966667072497},
		{1.3580986393225507, 0.049999999999999975},
		{1.5, 0.022217962616525127},
		{2.0, 0.0006709252557796953},
		{3.0, 3.045995948942526e-08},
		{4.0, 2.532833109818835e-14},
		{5.0, 3.8574996959278356e-22},
		{6.0, 1.0760372320042276e-31},
		{8.0, 5.14441874528483e-56},
	} {
		if got := kolmogorovSF(tc.x); math.Abs(got-tc.sf) > 1e-14*tc.sf {
			t.Errorf("kolmogorovSF(%v) = %v, want %v", tc.x, got, tc.sf)
		}
	}
	if got := kolmogorovSF(0); got != 1 {
		t.Errorf("kolmogorovSF(0) = %v, want 1", got)
	}
}

// How far the asymptotic p-value is from the one SciPy 1.10's
// ks_2samp(method="asymp") returns, kstwo.sf(d, round(en)), for n = m, at
// the D where the asymptotic p-value is 0.05 or 0.01: stats.kstwobign.isf
// and stats.kstwo.sf (testdata/drift_reference.py). The gap is relative and
// shrinks like 1/√n; the bound states it for the package doc.
func TestAsymptoticAgainstScipyFiniteN(t *testing.T) {
	for _, tc := range []struct {
		n     int
		d, p  float64
		scipy float64
		bound float64 // on |p − scipy| / p
	}{
		{n: 100, d: 0.19206415147703976, p: 0.05, scipy: 0.043323092950739106, bound: 0.15},
		{n: 100, d: 0.23018073858487773, p: 0.01, scipy: 0.00822336587364536, bound: 0.2},
		{n: 1000, d: 0.06073601755350384, p: 0.05, scipy: 0.047947697646344545, bound: 0.05},
		{n: 1000, d: 0.07278954074280165, p: 0.01, scipy: 0.009488633331032451, bound: 0.06},
		{n: 10000, d: 0.019206415147703975, p: 0.05, scipy: 0.04935700579775426, bound: 0.015},
		{n: 10000, d: 0.023018073858487774, p: 0.01, scipy: 0.00984387221888509, bound: 0.02},
		{n: 100000, d: 0.006073601755350384, p: 0.05, scipy: 0.0497972743008942, bound: 0.005},
		{n: 100000, d: 0.007278954074280166, p: 0.01, scipy: 0.009951205261076356, bound: 0.006},
	} {
		p := kolmogorovPValue(tc.d, tc.n, tc.n)
		if math.Abs(p-tc.p) > 1e-9*tc.p {
			t.Errorf("n = %d, D = %v: p = %v, want %v", tc.n, tc.d, p, tc.p)
		}
		if gap := math.Abs(p-tc.scipy) / p; gap > tc.bound {
			t.Errorf("n = %d, D = %v: p = %v is %.3f from scipy's %v, more than %v", tc.n, tc.d, p, gap, tc.scipy, tc.bound)
		}
	}
}

func TestIdenticalSamples(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sample []float64
	}{
		{name: "normal", sample: normals(1000, 0, 1)},
		{name: "ties", sample: tied(500, 37, 101, 0)},
		{name: "constant", sample: repeat(0.5, 100)},
		{name: "one value", sample: []float64{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			psi, err := PSI(tc.sample, tc.sample, 10)
			if err != nil {
				t.Fatal(err)
			}
			if psi != 0 {
				t.Errorf("PSI = %v, want 0", psi)
			}
			d, p, err := KS(tc.sample, tc.sample)
			if err != nil {
				t.Fatal(err)
			}
			if d != 0 || p != 1 {
				t.Errorf("KS = %v, %v; want 0, 1", d, p)
			}
		})
	}
}

// Two samples of 50,000 from N(0, 1): PSI over 10 bins has expectation
// about (bins−1)(1/n + 1/m) = 3.6e-4 and D is far below its 0.05 critical
// value 1.358·√(2/n) = 0.0086.
func TestSameDistribution(t *testing.T) {
	expected, actual := normals(50000, 0, 1), normals(50000, 0, 2)
	psi, err := PSI(expected, actual, 10)
	if err != nil {
		t.Fatal(err)
	}
	if psi < 0 || psi >= 0.01 {
		t.Errorf("PSI = %v, want in [0, 0.01)", psi)
	}
	d, p, err := KS(expected, actual)
	if err != nil {
		t.Fatal(err)
	}
	if p < 0.05 {
		t.Errorf("KS = %v, %v; want p >= 0.05", d, p)
	}
	t.Logf("PSI %.5f, D %.5f, p %.3f", psi, d, p)
}

// analyticPSI returns the PSI of N(shift, 1) against N(0, 1) over bins
// equal-probability bins of N(0, 1): e_i = 1/bins and a_i = Φ(z_i − shift)
// − Φ(z_{i−1} − shift), with z_i = Φ⁻¹(i/bins).
func analyticPSI(shift float64, bins int) float64 {
	normal := distuv.UnitNormal
	psi := 0.0
	lower := 0.0 // Φ(z_0 − shift) = Φ(−Inf)
	for i := 1; i <= bins; i++ {
		upper := 1.0
		if i < bins {
			upper = normal.CDF(normal.Quantile(float64(i)/float64(bins)) - shift)
		}
		a, e := upper-lower, 1/float64(bins)
		psi += (a - e) * math.Log(a/e)
		lower = upper
	}
	return psi
}

// N(0.5, 1) against N(0, 1), 100,000 draws each. The analytic PSI over 10
// equal-probability bins is 0.23775 (scipy.stats.norm agrees to 1e-12,
// testdata/drift_reference.py); over 20 other seeds the sample PSI had
// mean 0.2379 and standard deviation 0.0049, from the estimated edges and
// counts, so the tolerance is 3 of those. D = sup |Φ(x) − Φ(x − 0.5)| =
// 2Φ(0.25) − 1 = 0.19741 at x = 0.25; over the same seeds its standard
// deviation was 0.0024.
func TestKnownShift(t *testing.T) {
	const shift = 0.5
	want := analyticPSI(shift, 10)
	if !near(want, 0.2377492046862759, 1e-12) {
		t.Fatalf("analytic PSI = %v, scipy says 0.2377492046862759", want)
	}
	expected, actual := normals(100000, 0, 3), normals(100000, shift, 4)
	psi, err := PSI(expected, actual, 10)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(psi-want) > 0.015 {
		t.Errorf("PSI = %v, want %v ± 0.015", psi, want)
	}
	wantD := 2*distuv.UnitNormal.CDF(shift/2) - 1
	if !near(wantD, 0.1974126513658474, 1e-12) {
		t.Fatalf("2Φ(0.25)−1 = %v, scipy says 0.1974126513658474", wantD)
	}
	d, p, err := KS(expected, actual)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(d-wantD) > 0.01 {
		t.Errorf("D = %v, want %v ± 0.01", d, wantD)
	}
	if p > 1e-100 {
		t.Errorf("p = %v, want below 1e-100", p)
	}
	t.Logf("PSI %.5f (analytic %.5f), D %.5f (analytic %.5f), p %.3g", psi, want, d, wantD, p)
}

// A Reference scores windows as the free functions do, window after window.
func TestReferenceMatchesFunctions(t *testing.T) {
	reference := normals(20000, 0, 5)
	r, err := NewReference(reference, 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != len(reference) || r.Bins() != 10 {
		t.Errorf("Len(), Bins() = %d, %d; want %d, 10", r.Len(), r.Bins(), len(reference))
	}
	for i, window := range [][]float64{normals(1000, 0, 6), normals(5000, 0.2, 7), normals(3, 1, 8), tied(700, 3, 7, -3)} {
		psi, err := PSI(reference, window, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.PSI(window); got != psi {
			t.Errorf("window %d: Reference.PSI = %v, PSI = %v", i, got, psi)
		}
		d, p, err := KS(reference, window)
		if err != nil {
			t.Fatal(err)
		}
		if gotD, gotP := r.KS(window); gotD != d || gotP != p {
			t.Errorf("window %d: Reference.KS = %v, %v; KS = %v, %v", i, gotD, gotP, d, p)
		}
	}
}

func TestInputsUnmodified(t *testing.T) {
	a, b := normals(100, 0, 9), normals(80, 1, 10)
	wantA, wantB := slices.Clone(a), slices.Clone(b)
	if _, err := PSI(a, b, 10); err != nil {
		t.Fatal(err)
	}
	if _, _, err := KS(a, b); err != nil {
		t.Fatal(err)
	}
	r, err := NewReference(a, 5)
	if err != nil {
		t.Fatal(err)
	}
	r.PSI(b)
	r.KS(b)
	if !slices.Equal(a, wantA) || !slices.Equal(b, wantB) {
		t.Error("inputs were modified")
	}
	// Edges returns a copy.
	r.Edges()[0] = math.Inf(1)
	if r.Edges()[0] == math.Inf(1) {
		t.Error("Edges() shares the Reference's edges")
	}
}

func TestErrors(t *testing.T) {
	nan := math.NaN()
	ok := []float64{1, 2, 3}
	for _, tc := range []struct {
		name   string
		call   func() error
		want   error
		sample string // the *SampleError's Sample; "" for none
		index  int
	}{
		{name: "PSI empty expected", call: func() error { _, err := PSI(nil, ok, 10); return err }, want: ErrEmpty, sample: "expected", index: -1},
		{name: "PSI empty actual", call: func() error { _, err := PSI(ok, []float64{}, 10); return err }, want: ErrEmpty, sample: "actual", index: -1},
		{name: "PSI NaN expected", call: func() error { _, err := PSI([]float64{1, nan}, ok, 10); return err }, want: ErrNaN, sample: "expected", index: 1},
		{name: "PSI NaN actual", call: func() error { _, err := PSI(ok, []float64{1, 2, nan}, 10); return err }, want: ErrNaN, sample: "actual", index: 2},
		{name: "PSI one bin", call: func() error { _, err := PSI(ok, ok, 1); return err }, want: ErrBins},
		{name: "PSI no bins", call: func() error { _, err := PSI(ok, ok, 0); return err }, want: ErrBins},
		{name: "KS empty a", call: func() error { _, _, err := KS(nil, ok); return err }, want: ErrEmpty, sample: "a", index: -1},
		{name: "KS empty b", call: func() error { _, _, err := KS(ok, nil); return err }, want: ErrEmpty, sample: "b", index: -1},
		{name: "KS NaN a", call: func() error { _, _, err := KS([]float64{nan}, ok); return err }, want: ErrNaN, sample: "a", index: 0},
		{name: "KS NaN b", call: func() error { _, _, err := KS(ok, []float64{0, nan, 1}); return err }, want: ErrNaN, sample: "b", index: 1},
		{name: "NewReference empty", call: func() error { _, err := NewReference(nil, 10); return err }, want: ErrEmpty, sample: "reference", index: -1},
		{name: "NewReference NaN", call: func() error { _, err := NewReference([]float64{nan}, 10); return err }, want: ErrNaN, sample: "reference", index: 0},
		{name: "NewReference one bin", call: func() error { _, err := NewReference(ok, 1); return err }, want: ErrBins},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			var sampleErr *SampleError
			if tc.sample == "" {
				if errors.As(err, &sampleErr) {
					t.Errorf("error %v is a *SampleError", err)
				}
				return
			}
			if !errors.As(err, &sampleErr) {
				t.Fatalf("error %v is not a *SampleError", err)
			}
			if sampleErr.Sample != tc.sample || sampleErr.Index != tc.index {
				t.Errorf("Sample, Index = %q, %d; want %q, %d", sampleErr.Sample, sampleErr.Index, tc.sample, tc.index)
			}
		})
	}
}

// Infinite values are ordinary values; an edge between an infinite and a
// finite order statistic is the infinity, by hand: with 4 bins of
// {−Inf, 0, 1, +Inf}, h = 0.75, 1.5, 2.25.
func TestInfiniteValues(t *testing.T) {
	inf := math.Inf(1)
	r, err := NewReference([]float64{inf, 0, -inf, 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{-inf, 0.5, inf}; !slices.Equal(r.Edges(), want) {
		t.Errorf("Edges() = %v, want %v", r.Edges(), want)
	}
	// Shares (1/4, 1/4, 1/2, 0) against the reference's (1/4, 1/4, 1/2, 0):
	// both floored alike.
	if psi := r.PSI([]float64{-inf, 0.25, inf, 0.75}); psi != 0 {
		t.Errorf("PSI = %v, want 0", psi)
	}
}

func TestReferenceBadWindow(t *testing.T) {
	r, err := NewReference([]float64{1, 2, 3, 4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		window []float64
	}{
		{name: "empty", window: nil},
		{name: "NaN", window: []float64{1, math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if psi := r.PSI(tc.window); !math.IsNaN(psi) {
				t.Errorf("PSI = %v, want NaN", psi)
			}
			if d, p := r.KS(tc.window); !math.IsNaN(d) || !math.IsNaN(p) {
				t.Errorf("KS = %v, %v; want NaN, NaN", d, p)
			}
		})
	}
}

// Many bins: more than the PSI's stack buffer holds.
func TestManyBins(t *testing.T) {
	expected, actual := normals(10000, 0, 11), normals(10000, 0, 12)
	r, err := NewReference(expected, 100)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bins() != 100 {
		t.Errorf("Bins() = %d, want 100", r.Bins())
	}
	if psi := r.PSI(actual); psi <= 0 || psi > 0.05 {
		t.Errorf("PSI = %v, want in (0, 0.05]", psi)
	}
}

// benchmarkWindows returns a reference of 100,000 draws of N(0, 1) and a
// window of 100,000 draws of N(0.1, 1).
func benchmarkWindows(b *testing.B) (*Reference, []float64) {
	r, err := NewReference(normals(100000, 0, 13), 10)
	if err != nil {
		b.Fatal(err)
	}
	return r, normals(100000, 0.1, 14)
}

func BenchmarkReferencePSI(b *testing.B) {
	r, window := benchmarkWindows(b)
	b.ReportAllocs()
	for b.Loop() {
		r.PSI(window)
	}
}

func BenchmarkReferenceKS(b *testing.B) {
	r, window := benchmarkWindows(b)
	b.ReportAllocs()
	for b.Loop() {
		r.KS(window)
	}
}

func BenchmarkNewReference(b *testing.B) {
	sample := normals(100000, 0, 13)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewReference(sample, 10); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSampleErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  *SampleError
		want string
	}{
		{&SampleError{Sample: "actual", Index: -1, Err: ErrEmpty}, "drift: actual sample is empty"},
		{&SampleError{Sample: "expected", Index: 4, Err: ErrNaN}, "drift: expected sample: value 4 is NaN"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
