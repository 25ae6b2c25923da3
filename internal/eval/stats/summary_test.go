package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// near reports whether got is within tol of want, relative to want's size
// when that exceeds 1.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// Expected quantiles calculated by scipy 1.10.1: stats.t.ppf(p, df)
// (scripts/reference/stats_reference.py). gonum's StudentsT.Quantile
// (mathext.InvRegIncBeta) agrees to a few parts in 10⁹, hence the tolerance.
func TestTQuantileScipy(t *testing.T) {
	for _, tc := range []struct {
		df   int
		p, q float64
	}{
		{df: 1, p: 0.975, q: 12.706204736432095},
		{df: 2, p: 0.975, q: 4.302652729911275},
		{df: 4, p: 0.95, q: 2.13184678133629},
		{df: 4, p: 0.975, q: 2.7764451051977987},
		{df: 5, p: 0.995, q: 4.032142983557536},
		{df: 9, p: 0.975, q: 2.2621571627409915},
		{df: 29, p: 0.75, q: 0.6830438592467808},
		{df: 99, p: 0.9995, q: 3.3915288411653384},
		{df: 9999, p: 0.975, q: 1.9602012636213575},
	} {
		if got := tQuantile(tc.df, 2*tc.p-1); math.Abs(got-tc.q) > 1e-8*tc.q {
			t.Errorf("t quantile df %d p %v = %v, want %v", tc.df, tc.p, got, tc.q)
		}
	}
}

// Expected values calculated by scipy 1.10.1 (numpy 1.24.2):
// stats.t.interval(confidence, n-1, loc=mean, scale=stats.sem(values)) and
// values.std(ddof=1); scripts/reference/stats_reference.py prints them.
// Mean and SD agree to rounding; Lo and Hi to the t quantile's few parts in
// 10⁹ of the half width.
func TestSummarizeScipy(t *testing.T) {
	for _, tc := range []struct {
		name             string
		values           []float64
		confidence       float64
		mean, sd, lo, hi float64
	}{
		{name: "five detection rates", values: []float64{0.91, 0.93, 0.92, 0.95, 0.9}, confidence: 0.95, mean: 0.922, sd: 0.019235384061671322, lo: 0.8981161161190002, hi: 0.9458838838809999},
		{name: "five detection rates at 0.90", values: []float64{0.91, 0.93, 0.92, 0.95, 0.9}, confidence: 0.9, mean: 0.922, sd: 0.019235384061671322, lo: 0.9036611605674474, hi: 0.9403388394325527},
		{name: "five detection rates at 0.99", values: []float64{0.91, 0.93, 0.92, 0.95, 0.9}, confidence: 0.99, mean: 0.922, sd: 0.019235384061671322, lo: 0.8823940783557578, hi: 0.9616059216442423},
		{name: "two seeds", values: []float64{0.8, 0.9}, confidence: 0.95, mean: 0.8500000000000001, sd: 0.07071067811865474, lo: 0.2146897631783955, hi: 1.4853102368216047},
		{name: "ten false positive rates", values: []float64{0.012, 0.015, 0.011, 0.019, 0.013, 0.014, 0.016, 0.01, 0.012, 0.018}, confidence: 0.95, mean: 0.013999999999999999, sd: 0.0029814239699997194, lo: 0.011867217773488165, hi: 0.016132782226511832},
		{name: "negative and large", values: []float64{-3.5, 120.25, 7.0, 42.0, -15.75, 0.0}, confidence: 0.95, mean: 25.0, sd: 50.56357384520995, lo: -28.0632164938729, hi: 78.0632164938729},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.values, tc.confidence)
			if s.N != len(tc.values) || s.Method != "t" || len(s.Warnings) != 0 {
				t.Errorf("N = %d, Method = %q, Warnings = %v; want %d, \"t\", none", s.N, s.Method, s.Warnings, len(tc.values))
			}
			for _, f := range []struct {
				name           string
				got, want, tol float64
			}{
				{"Mean", s.Mean, tc.mean, 1e-12}, {"SD", s.SD, tc.sd, 1e-12}, {"Lo", s.Lo, tc.lo, 1e-9}, {"Hi", s.Hi, tc.hi, 1e-9},
			} {
				if !near(f.got, f.want, f.tol) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
		})
	}
}

func TestSummarizeEdges(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name               string
		values             []float64
		n                  int
		mean, sd, min, max float64
		lo, hi             float64
		warnings           []error // sentinels, in order
	}{
		{
			name:   "every seed detects everything",
			values: []float64{1, 1, 1, 1, 1},
			n:      5, mean: 1, sd: 0, min: 1, max: 1, lo: 1, hi: 1,
		},
		{
			// 0.1 summed three times is 0.30000000000000004; the value is
			// kept exactly.
			name:   "equal values that do not sum exactly",
			values: []float64{0.1, 0.1, 0.1},
			n:      3, mean: 0.1, sd: 0, min: 0.1, max: 0.1, lo: 0.1, hi: 0.1,
		},
		{
			name:   "one seed",
			values: []float64{0.93},
			n:      1, mean: 0.93, sd: nan, min: 0.93, max: 0.93, lo: nan, hi: nan,
			warnings: []error{ErrTooFew},
		},
		{
			name:   "no values",
			values: nil,
			n:      0, mean: nan, sd: nan, min: nan, max: nan, lo: nan, hi: nan,
			warnings: []error{ErrTooFew},
		},
		{
			name:   "only NaN",
			values: []float64{nan, nan},
			n:      0, mean: nan, sd: nan, min: nan, max: nan, lo: nan, hi: nan,
			warnings: []error{ErrNaN, ErrTooFew},
		},
		{
			// scipy 1.10.1 on [0.91, 0.93, 0.92, 0.95, 0.9], as in TestSummarizeScipy.
			name:   "NaN dropped",
			values: []float64{0.91, nan, 0.93, 0.92, 0.95, nan, 0.9},
			n:      5, mean: 0.922, sd: 0.019235384061671322, min: 0.9, max: 0.95, lo: 0.8981161161190002, hi: 0.9458838838809999,
			warnings: []error{ErrNaN},
		},
		{
			name:   "NaN leaving one value",
			values: []float64{nan, 0.5},
			n:      1, mean: 0.5, sd: nan, min: 0.5, max: 0.5, lo: nan, hi: nan,
			warnings: []error{ErrNaN, ErrTooFew},
		},
		{
			name:   "infinite value",
			values: []float64{1, 2, math.Inf(1)},
			n:      3, mean: math.Inf(1), sd: nan, min: 1, max: math.Inf(1), lo: nan, hi: nan,
			warnings: []error{ErrInfinite},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.values, 0.95)
			if s.N != tc.n {
				t.Errorf("N = %d, want %d", s.N, tc.n)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"Mean", s.Mean, tc.mean}, {"SD", s.SD, tc.sd}, {"Min", s.Min, tc.min}, {"Max", s.Max, tc.max},
				{"Lo", s.Lo, tc.lo}, {"Hi", s.Hi, tc.hi},
			} {
				if math.IsNaN(f.want) != math.IsNaN(f.got) || !math.IsNaN(f.want) && !(f.got == f.want || near(f.got, f.want, 1e-9)) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			checkWarnings(t, s.Warnings, tc.warnings)
		})
	}
}

func TestSummarizeNaNWarningCounts(t *testing.T) {
	s := Summarize([]float64{math.NaN(), 1, 2, math.NaN(), 3}, 0.95)
	if len(s.Warnings) != 1 || s.Warnings[0].Error() != "stats: NaN values dropped: 2 of 5" {
		t.Errorf("Warnings = %v, want [stats: NaN values dropped: 2 of 5]", s.Warnings)
	}
}

func TestSummarizeDoesNotModify(t *testing.T) {
	values := []float64{3, math.NaN(), 1, 2}
	Summarize(values, 0.95)
	if values[0] != 3 || !math.IsNaN(values[1]) || values[2] != 1 || values[3] != 2 {
		t.Errorf("values changed to %v", values)
	}
}

// Properties over random samples: the interval holds the mean and is
// symmetric about it, the mean lies between the extremes, and the interval
// widens with the confidence level.
func TestSummarizeProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		values := make([]float64, 2+rng.IntN(30))
		for i := range values {
			values[i] = 0.9 + 0.05*rng.NormFloat64()
		}
		var prevWidth float64
		for _, confidence := range []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.999} {
			s := Summarize(values, confidence)
			if !(s.Lo < s.Mean && s.Mean < s.Hi) {
				t.Fatalf("trial %d at %v: mean %v outside (%v, %v)", trial, confidence, s.Mean, s.Lo, s.Hi)
			}
			if !near(s.Mean-s.Lo, s.Hi-s.Mean, 1e-9) {
				t.Fatalf("trial %d at %v: interval (%v, %v) not symmetric about %v", trial, confidence, s.Lo, s.Hi, s.Mean)
			}
			if !(s.Min <= s.Mean && s.Mean <= s.Max) {
				t.Fatalf("trial %d: mean %v outside [%v, %v]", trial, s.Mean, s.Min, s.Max)
			}
			if width := s.Hi - s.Lo; width <= prevWidth {
				t.Fatalf("trial %d: width %v at %v not above %v", trial, width, confidence, prevWidth)
			} else {
				prevWidth = width
			}
		}
	}
}

// Expected values calculated by scipy 1.10.1: stats.binomtest(k, n).
// proportion_ci(confidence, method="wilson"), equal (to 1e-14) to the
// formula by hand in scripts/reference/stats_reference.py.
func TestWilsonScipy(t *testing.T) {
	for _, tc := range []struct {
		name               string
		successes, trials  int
		confidence, lo, hi float64
	}{
		{name: "none of ten", successes: 0, trials: 10, confidence: 0.95, lo: 0.0, hi: 0.27753279986288926},
		{name: "all of ten", successes: 10, trials: 10, confidence: 0.95, lo: 0.7224672001371109, hi: 1.0},
		{name: "seven of ten", successes: 7, trials: 10, confidence: 0.95, lo: 0.39677814746114526, hi: 0.892208732593699},
		{name: "95 of 100", successes: 95, trials: 100, confidence: 0.95, lo: 0.8882495307680809, hi: 0.978456320845632},
		{name: "95 of 100 at 0.90", successes: 95, trials: 100, confidence: 0.9, lo: 0.9008389147209472, hi: 0.9754526365741958},
		{name: "95 of 100 at 0.99", successes: 95, trials: 100, confidence: 0.99, lo: 0.86084969709836, hi: 0.9831516839573994},
		{name: "one of 1000", successes: 1, trials: 1000, confidence: 0.95, lo: 0.00017654637062607809, hi: 0.0056425585979579355},
		{name: "999 of 1000", successes: 999, trials: 1000, confidence: 0.95, lo: 0.9943574414020421, hi: 0.9998234536293739},
		{name: "one of one", successes: 1, trials: 1, confidence: 0.95, lo: 0.20654931437723745, hi: 1.0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := Wilson(tc.successes, tc.trials, tc.confidence)
			if !near(lo, tc.lo, 1e-12) || !near(hi, tc.hi, 1e-12) {
				t.Errorf("Wilson(%d, %d, %v) = [%v, %v], want [%v, %v]", tc.successes, tc.trials, tc.confidence, lo, hi, tc.lo, tc.hi)
			}
		})
	}
}

func TestWilsonEdges(t *testing.T) {
	if lo, hi := Wilson(0, 0, 0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Wilson(0, 0) = [%v, %v], want NaN", lo, hi)
	}
	// Exactly 0 and 1 at the extremes, not rounding residue.
	for _, trials := range []int{1, 3, 17, 1000, 123457} {
		if lo, _ := Wilson(0, trials, 0.95); lo != 0 {
			t.Errorf("Wilson(0, %d) lo = %v, want 0", trials, lo)
		}
		if _, hi := Wilson(trials, trials, 0.95); hi != 1 {
			t.Errorf("Wilson(%d, %d) hi = %v, want 1", trials, trials, hi)
		}
	}
}

// Properties: the interval holds the observed proportion, stays in [0, 1],
// widens with the confidence level and mirrors under k -> n-k.
func TestWilsonProperties(t *testing.T) {
	for _, trials := range []int{1, 2, 5, 20, 97, 1000} {
		for successes := 0; successes <= trials; successes += 1 + trials/25 {
			p := float64(successes) / float64(trials)
			prevWidth := 0.0
			for _, confidence := range []float64{0.5, 0.9, 0.95, 0.99} {
				lo, hi := Wilson(successes, trials, confidence)
				if !(0 <= lo && lo <= p && p <= hi && hi <= 1) {
					t.Fatalf("Wilson(%d, %d, %v) = [%v, %v] does not hold %v within [0, 1]", successes, trials, confidence, lo, hi, p)
				}
				if hi-lo <= prevWidth {
					t.Fatalf("Wilson(%d, %d, %v) width %v not above %v", successes, trials, confidence, hi-lo, prevWidth)
				}
				prevWidth = hi - lo
				mlo, mhi := Wilson(trials-successes, trials, confidence)
				if !near(lo, 1-mhi, 1e-12) || !near(hi, 1-mlo, 1e-12) {
					t.Fatalf("Wilson(%d, %d) = [%v, %v], mirror [%v, %v]", successes, trials, lo, hi, mlo, mhi)
				}
			}
		}
	}
}

func TestPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Summarize confidence 0", func() { Summarize([]float64{1, 2}, 0) }},
		{"Summarize confidence 1", func() { Summarize([]float64{1, 2}, 1) }},
		{"Summarize confidence 95", func() { Summarize([]float64{1, 2}, 95) }},
		{"Summarize confidence NaN", func() { Summarize([]float64{1, 2}, math.NaN()) }},
		{"Wilson negative", func() { Wilson(-1, 10, 0.95) }},
		{"Wilson more successes than trials", func() { Wilson(11, 10, 0.95) }},
		{"Wilson confidence 0", func() { Wilson(1, 10, 0) }},
		{"Judge unknown op", func() { Judge(Summary{Lo: 0, Hi: 1}, Comparison{Op: "=>", Value: 0.5}) }},
		{"Judge empty op", func() { Judge(Summary{Lo: 0, Hi: 1}, Comparison{Value: 0.5}) }},
		{"Judge NaN value", func() { Judge(Summary{Lo: 0, Hi: 1}, Comparison{Op: ">=", Value: math.NaN()}) }},
		{"JudgeInterval reversed", func() { JudgeInterval(1, 0, Comparison{Op: ">=", Value: 0.5}) }},
		{"SeedsNeeded confidence", func() { SeedsNeeded(Summary{N: 3, Mean: 1, SD: 1}, Comparison{Op: ">=", Value: 0}, 1) }},
		{"SeedsNeeded op", func() { SeedsNeeded(Summary{N: 3, Mean: 1, SD: 1}, Comparison{Op: "==", Value: 0}, 0.95) }},
		{"Significant alpha 0", func() { MannWhitney{P: 0.01}.Significant(0) }},
		{"Significant alpha 5", func() { MannWhitney{P: 0.01}.Significant(5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || len(msg) < 7 || msg[:7] != "stats: " {
					t.Errorf("recovered %#v, want a panic starting \"stats: \"", r)
				}
			}()
			tc.f()
		})
	}
}

// checkWarnings checks that got wraps the sentinels of want, in order.
func checkWarnings(t *testing.T, got, want []error) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Warnings = %v, want %d wrapping %v", got, len(want), want)
		return
	}
	for i := range want {
		if !errors.Is(got[i], want[i]) {
			t.Errorf("Warnings[%d] = %v, want one wrapping %v", i, got[i], want[i])
		}
	}
}

func BenchmarkSummarize(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{10, 1000} {
		values := make([]float64, n)
		for i := range values {
			values[i] = 0.9 + 0.05*rng.NormFloat64()
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				Summarize(values, 0.95)
			}
		})
	}
}
