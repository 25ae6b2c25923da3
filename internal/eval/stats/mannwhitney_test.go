package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spaced returns n values start, start+step, ….
func spaced(n int, start, step float64) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = start + step*float64(i)
	}
	return values
}

// Expected values calculated by scipy 1.10.1: stats.mannwhitneyu(a, b,
// alternative="two-sided", method=...), with the method MannWhitneyU
// chooses; the exact ones also by counting orderings in Python integers
// (scripts/reference/stats_reference.py).
func TestMannWhitneyUScipy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a, b   []float64
		method string
		u, p   float64
	}{
		{name: "separated four and four", a: []float64{1.0, 2.0, 3.0, 4.0}, b: []float64{5.0, 6.0, 7.0, 8.0}, method: "exact", u: 0.0, p: 0.02857142857142857},
		{name: "separated three and three", a: []float64{3.0, 2.0, 1.0}, b: []float64{4.0, 6.0, 5.0}, method: "exact", u: 0.0, p: 0.1},
		{name: "interleaved", a: []float64{0.91, 0.93, 0.95, 0.97, 0.99}, b: []float64{0.9, 0.92, 0.94, 0.96}, method: "exact", u: 14.0, p: 0.4126984126984127},
		{name: "one and five", a: []float64{10.0}, b: []float64{1.0, 2.0, 3.0, 4.0, 5.0}, method: "exact", u: 5.0, p: 0.3333333333333333},
		{name: "unequal sizes", a: []float64{1.5, 3.25, 9.0, 2.0, 7.5, 6.0, 11.0}, b: []float64{0.5, 4.0, 1.0, 2.5, 8.0, 3.0, 0.25, 5.0, -1.0, 12.0, 0.75}, method: "exact", u: 55.0, p: 0.1508924082453494},
		{name: "b larger", a: []float64{0.1, 0.4, 0.2, 0.3, 0.05, 0.15}, b: []float64{0.5, 0.45, 0.35, 0.6, 0.55, 0.7}, method: "exact", u: 1.0, p: 0.004329004329004329},
		{name: "ties", a: []float64{1.0, 2.0, 2.0, 3.0, 4.0}, b: []float64{2.0, 3.0, 3.0, 5.0, 6.0, 6.0}, method: "asymptotic", u: 6.0, p: 0.1130499788563229},
		{name: "tied detection rates", a: []float64{1.0, 1.0, 1.0, 0.98, 1.0}, b: []float64{0.97, 0.98, 0.99, 0.97, 0.96}, method: "asymptotic", u: 23.5, p: 0.022740296115299704},
		{name: "ties within one sample", a: []float64{1.0, 1.0, 2.0, 2.0}, b: []float64{3.0, 4.0, 5.0, 6.0}, method: "asymptotic", u: 0.0, p: 0.028429535998796527},
		{name: "all equal", a: []float64{1.0, 1.0, 1.0}, b: []float64{1.0, 1.0, 1.0}, method: "asymptotic", u: 4.5, p: 1.0},
		// 2i+0.1 against 2j+17, i, j < 50: no ties, at the exact limit.
		{name: "fifty and fifty", a: spaced(50, 0.1, 2), b: spaced(50, 17, 2), method: "exact", u: 861.0, p: 0.007021899371388315},
		// p = 2/C(100, 50): the far tail, to relative precision.
		{name: "fifty and fifty separated", a: spaced(50, 0, 1), b: spaced(50, 100, 1), method: "exact", u: 0.0, p: 1.9823306042836686e-29},
		{name: "sixty and sixty", a: spaced(60, 0.1, 2), b: spaced(60, 17, 2), method: "asymptotic", u: 1326.0, p: 0.012946758328567919},
		{name: "fifty and fifty-one", a: spaced(50, 0.1, 2), b: spaced(51, 17, 2), method: "asymptotic", u: 861.0, p: 0.004975136124139077},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := MannWhitneyU(tc.a, tc.b)
			if m.N1 != len(tc.a) || m.N2 != len(tc.b) || m.Method != tc.method {
				t.Errorf("N1, N2, Method = %d, %d, %q; want %d, %d, %q", m.N1, m.N2, m.Method, len(tc.a), len(tc.b), tc.method)
			}
			if !near(m.U, tc.u, 1e-12) {
				t.Errorf("U = %v, want %v", m.U, tc.u)
			}
			if math.Abs(m.P-tc.p) > 1e-12*tc.p {
				t.Errorf("P = %v, want %v", m.P, tc.p)
			}
			// Swapping the samples mirrors U and keeps P.
			r := MannWhitneyU(tc.b, tc.a)
			if !near(r.U, float64(m.N1*m.N2)-m.U, 1e-12) || math.Abs(r.P-m.P) > 1e-12*m.P {
				t.Errorf("swapped: U, P = %v, %v; want %v, %v", r.U, r.P, float64(m.N1*m.N2)-m.U, m.P)
			}
		})
	}
}

func TestMannWhitneyUWarnings(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name     string
		a, b     []float64
		n1, n2   int
		nanP     bool
		warnings []error
	}{
		{"enough values", spaced(4, 0, 1), spaced(4, 10, 1), 4, 4, false, nil},
		{"three in one sample", spaced(3, 0, 1), spaced(9, 10, 1), 3, 9, false, []error{ErrTooFew}},
		{"three in each", spaced(3, 0, 1), spaced(3, 10, 1), 3, 3, false, []error{ErrTooFew}},
		{"NaN dropped", []float64{1, nan, 2, 3, 4}, []float64{nan, 5, 6, 7, 8}, 4, 4, false, []error{ErrNaN}},
		{"NaN dropped below four", []float64{1, nan, 2, 3}, spaced(4, 10, 1), 3, 4, false, []error{ErrNaN, ErrTooFew}},
		{"empty sample", nil, spaced(4, 10, 1), 0, 4, true, []error{ErrTooFew}},
		{"only NaN", []float64{nan}, spaced(4, 10, 1), 0, 4, true, []error{ErrNaN, ErrTooFew}},
		{"all equal", []float64{1, 1, 1, 1}, []float64{1, 1, 1, 1}, 4, 4, false, []error{ErrAllEqual}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := MannWhitneyU(tc.a, tc.b)
			if m.N1 != tc.n1 || m.N2 != tc.n2 {
				t.Errorf("N1, N2 = %d, %d; want %d, %d", m.N1, m.N2, tc.n1, tc.n2)
			}
			if math.IsNaN(m.P) != tc.nanP || math.IsNaN(m.U) != tc.nanP {
				t.Errorf("U, P = %v, %v; want NaN: %v", m.U, m.P, tc.nanP)
			}
			checkWarnings(t, m.Warnings, tc.warnings)
		})
	}
}

// benchmath's uTestMinP (golang.org/x/perf/benchmath/anone.go): the
// smallest two-sided p for two samples of n values, 2/C(2n, n); below 4 a
// difference cannot be significant at 0.05.
func TestMannWhitneyUMinP(t *testing.T) {
	minP := []float64{1: 1, 2: 0.3333333333333333, 3: 0.1, 4: 0.02857142857142857, 5: 0.007936507936507936,
		6: 0.0021645021645021645, 7: 0.0005827505827505828, 8: 0.0001554001554001554, 9: 4.113533525298231e-05}
	for n := 1; n < len(minP); n++ {
		m := MannWhitneyU(spaced(n, 0, 1), spaced(n, 100, 1))
		if math.Abs(m.P-minP[n]) > 1e-12*minP[n] {
			t.Errorf("n = %d: P = %v, want %v", n, m.P, minP[n])
		}
		if got, want := m.Significant(0.05), n >= MinSamplesEach; got != want {
			t.Errorf("n = %d: Significant(0.05) = %v, want %v", n, got, want)
		}
	}
}

// With one small sample the other must be larger for p < 0.05 to be
// possible (by hand: 2/C(n1+n2, n1) < 0.05).
func TestMannWhitneyUUnequalMinP(t *testing.T) {
	for _, tc := range []struct{ small, needed int }{{3, 5}, {2, 8}, {1, 40}} {
		below := MannWhitneyU(spaced(tc.small, 0, 1), spaced(tc.needed-1, 100, 1))
		at := MannWhitneyU(spaced(tc.small, 0, 1), spaced(tc.needed, 100, 1))
		if below.Significant(0.05) || !at.Significant(0.05) {
			t.Errorf("%d against %d: P %v; against %d: P %v", tc.small, tc.needed-1, below.P, tc.needed, at.P)
		}
		checkWarnings(t, at.Warnings, []error{ErrTooFew})
	}
}

// The exact tail against a brute-force count over every choice of ranks
// for the first sample.
func TestUUpperTailEnumeration(t *testing.T) {
	for m := 1; m <= 7; m++ {
		for n := 1; n <= 7; n++ {
			counts := make([]int, m*n+1)
			total := 0
			// Each subset of {0 … m+n-1} with m members is one ordering;
			// U counts, for each rank in the subset, the other sample's
			// ranks below it.
			for mask := 0; mask < 1<<(m+n); mask++ {
				if popcount(mask) != m {
					continue
				}
				u, below := 0, 0
				for r := 0; r < m+n; r++ {
					if mask&(1<<r) != 0 {
						u += below
					} else {
						below++
					}
				}
				counts[u]++
				total++
			}
			tail := 0
			for u := m * n; u >= 0; u-- {
				tail += counts[u]
				want := float64(tail) / float64(total)
				if got := uUpperTail(m, n, u); math.Abs(got-want) > 1e-14 {
					t.Errorf("uUpperTail(%d, %d, %d) = %v, want %v", m, n, u, got, want)
				}
			}
			if got := uUpperTail(m, n, m*n+1); got != 0 {
				t.Errorf("uUpperTail(%d, %d, beyond) = %v, want 0", m, n, got)
			}
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// At the exact limit the exact distribution is close to normal: the exact
// p-value and the continuity-corrected normal one for the same U agree to
// a few parts in 10³, a check that the exact branch computes the same
// quantity as the approximation.
func TestMannWhitneyUExactNearNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = MannWhitneyExactLimit
	for trial := range 20 {
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i] = rng.NormFloat64()
			b[i] = rng.NormFloat64() + 0.3
		}
		m := MannWhitneyU(a, b)
		if m.Method != "exact" {
			t.Fatalf("trial %d: method %q", trial, m.Method)
		}
		larger := math.Max(m.U, n*n-m.U)
		z := (larger - n*n/2 - 0.5) / math.Sqrt(n*n*(2*n+1)/12.0)
		normal := math.Min(1, math.Erfc(z/math.Sqrt2))
		if math.Abs(m.P-normal) > 0.003 {
			t.Errorf("trial %d: exact P %v, normal P %v", trial, m.P, normal)
		}
	}
}

func TestSignificant(t *testing.T) {
	for _, tc := range []struct {
		p, alpha float64
		want     bool
	}{
		{0.01, 0.05, true},
		{0.05, 0.05, false},
		{0.2, 0.05, false},
		{math.NaN(), 0.05, false},
		{0.02857142857142857, 0.01, false},
	} {
		if got := (MannWhitney{P: tc.p}).Significant(tc.alpha); got != tc.want {
			t.Errorf("P %v Significant(%v) = %v, want %v", tc.p, tc.alpha, got, tc.want)
		}
	}
}

func BenchmarkMannWhitneyU(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	sample := func(n int, shift float64) []float64 {
		values := make([]float64, n)
		for i := range values {
			values[i] = rng.NormFloat64() + shift
		}
		return values
	}
	rounded := func(values []float64) []float64 {
		for i, v := range values {
			values[i] = math.Round(v*10) / 10
		}
		return values
	}
	for _, bc := range []struct {
		name string
		a, b []float64
	}{
		{"exact 10x10", sample(10, 0), sample(10, 0.5)},
		{"exact 50x50", sample(50, 0), sample(50, 0.5)},
		{"asymptotic ties 10x10", rounded(sample(10, 0)), rounded(sample(10, 0.5))},
		{"asymptotic 1000x1000", sample(1000, 0), sample(1000, 0.1)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				MannWhitneyU(bc.a, bc.b)
			}
		})
	}
}
