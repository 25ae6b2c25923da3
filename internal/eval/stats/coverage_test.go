package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestWithinCoverage simulates what the intervals of rates are for: each
// of k seeds measures a proportion p over m trials (a detection rate over
// m anomalies, a false-positive rate over m normal flows), and the 95%
// interval over the k values should hold p in 95% of experiments. For
// each p, m and k it draws 2,000 experiments and measures the coverage of
//
//   - the t interval within [0, 1] (Summarize, then Within(0, 1)), which
//     the harness uses;
//   - a t interval on the logit scale (values clamped to [0.5/m, 1-0.5/m],
//     then mapped back), the usual alternative, logged for comparison.
//
// The first stays in [0, 1] by construction, and its coverage equals the
// plain t interval's, which the test checks experiment by experiment. In
// the regime where a proportion's mean is close to normal (m·p >= 5 and
// m·(1-p) >= 5) its coverage must be within 0.02 of 0.95 (the Monte Carlo
// standard error of a coverage near 0.95 over 2,000 draws is 0.005). The
// logit interval estimates the logit scale's centre, not the mean: it
// covers p less often when few events per seed meet many seeds (measured:
// 0.83 at p = 0.02, m = 150, k = 20, and 0.84 at p = 0.99; with the
// clamp at 1e-4 instead of 0.5/m, 0.15 at p = 0.005), which is why the
// harness does not use it.
func TestWithinCoverage(t *testing.T) {
	const reps, conf = 2000, 0.95
	r := rand.New(rand.NewPCG(2026, 12))
	var table strings.Builder
	fmt.Fprintf(&table, "\n%6s %5s %3s  %-10s %-10s\n", "p", "m", "k", "t within", "logit t")
	for _, p := range []float64{0.005, 0.02, 0.05, 0.3, 0.5, 0.95, 0.99} {
		for _, m := range []int{150, 1500} {
			for _, k := range []int{3, 5, 20} {
				binom := distuv.Binomial{N: float64(m), P: p, Src: r}
				within, logit := 0, 0
				values := make([]float64, k)
				for range reps {
					for i := range values {
						values[i] = binom.Rand() / float64(m)
					}
					plain := Summarize(values, conf)
					s := plain.Within(0, 1)
					if s.Lo < 0 || s.Hi > 1 || s.Lo > s.Hi {
						t.Fatalf("interval [%v, %v] leaves [0, 1] (values %v)", s.Lo, s.Hi, values)
					}
					holds := func(lo, hi float64) bool { return lo <= p && p <= hi }
					if holds(s.Lo, s.Hi) != holds(plain.Lo, plain.Hi) {
						t.Fatalf("p %v: within [0, 1] %v, plain t %v: the intersection changed coverage", p, [2]float64{s.Lo, s.Hi}, [2]float64{plain.Lo, plain.Hi})
					}
					if holds(s.Lo, s.Hi) {
						within++
					}
					if lo, hi := logitT(values, 0.5/float64(m), conf); holds(lo, hi) {
						logit++
					}
				}
				cw, cl := float64(within)/reps, float64(logit)/reps
				fmt.Fprintf(&table, "%6.3f %5d %3d  %-10.3f %-10.3f\n", p, m, k, cw, cl)
				if float64(m)*p >= 5 && float64(m)*(1-p) >= 5 && math.Abs(cw-conf) > 0.02 {
					t.Errorf("p %v, m %d, k %d: coverage %.3f, nominal %v", p, m, k, cw, conf)
				}
			}
		}
	}
	t.Log(table.String())
}

// logitT is the t interval on the logit scale, values clamped to
// [eps, 1-eps].
func logitT(values []float64, eps, conf float64) (lo, hi float64) {
	z := make([]float64, len(values))
	same := true
	for i, v := range values {
		u := math.Min(math.Max(v, eps), 1-eps)
		z[i] = math.Log(u / (1 - u))
		same = same && v == values[0]
	}
	if same {
		return values[0], values[0]
	}
	mean, sd := stat.MeanStdDev(z, nil)
	half := tQuantile(len(values)-1, conf) * sd / math.Sqrt(float64(len(values)))
	sigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	return sigmoid(mean - half), sigmoid(mean + half)
}

// TestWithin: the interval intersected with a range, and its edge cases.
func TestWithin(t *testing.T) {
	s := Summarize([]float64{0, 0, 0.0066}, 0.95).Within(0, 1) // a false-positive rate over three seeds
	if s.Lo != 0 || !(s.Hi > 0.0066 && s.Hi < 1) || s.Method != "t, within [0, 1]" {
		t.Errorf("got [%v, %v] %q, want [0, >0.0066] by t, within [0, 1]", s.Lo, s.Hi, s.Method)
	}
	s = Summarize([]float64{0.99, 1, 1}, 0.95).Within(0, 1)
	if s.Hi != 1 || !(s.Lo < 0.99) {
		t.Errorf("near 1: [%v, %v]", s.Lo, s.Hi)
	}
	if s := Summarize([]float64{0.5}, 0.95).Within(0, 1); !math.IsNaN(s.Lo) || !math.IsNaN(s.Hi) || s.Method != "t" {
		t.Errorf("one value: [%v, %v] %q, want NaN and method t", s.Lo, s.Hi, s.Method)
	}
	if s := Summarize([]float64{-0.2, 0.1, 0.4}, 0.95).Within(-1, 1); s.Lo < -1 || s.Hi > 1 || s.Method != "t, within [-1, 1]" {
		t.Errorf("silhouette: [%v, %v] %q", s.Lo, s.Hi, s.Method)
	}
}
