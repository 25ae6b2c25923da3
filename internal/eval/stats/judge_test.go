package stats

import (
	"math"
	"testing"
)

// Each op at each boundary, by hand from the definition: pass when every
// point of the closed interval satisfies the target, fail when none does.
func TestJudgeIntervalBoundaries(t *testing.T) {
	const v = 0.9
	intervals := []struct {
		name   string
		lo, hi float64
	}{
		{"above", 0.95, 0.99},
		{"lo at value", v, 0.95},
		{"straddling", 0.85, 0.95},
		{"hi at value", 0.85, v},
		{"below", 0.8, 0.85},
		{"degenerate at value", v, v},
		{"degenerate above", 0.95, 0.95},
		{"degenerate below", 0.85, 0.85},
		{"NaN", math.NaN(), math.NaN()},
		{"NaN lo", math.NaN(), 0.95},
		{"unbounded above", 0.95, math.Inf(1)},
		{"unbounded both ways", math.Inf(-1), math.Inf(1)},
	}
	const P, F, I = Pass, Fail, Inconclusive
	// want[op][i] is the verdict for intervals[i].
	want := map[string][]Verdict{
		">=": {P, P, I, I, F, P, P, F, I, I, P, I},
		">":  {P, I, I, F, F, F, P, F, I, I, P, I},
		"<=": {F, I, I, P, P, P, F, P, I, I, F, I},
		"<":  {F, F, I, I, P, F, F, P, I, I, F, I},
	}
	for op, verdicts := range want {
		for i, in := range intervals {
			t.Run(op+" "+in.name, func(t *testing.T) {
				c := Comparison{Op: op, Value: v}
				if got := JudgeInterval(in.lo, in.hi, c); got != verdicts[i] {
					t.Errorf("JudgeInterval(%v, %v, %v) = %v, want %v", in.lo, in.hi, c, got, verdicts[i])
				}
			})
		}
	}
}

func TestJudgeSummaries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		target Comparison
		want   Verdict
	}{
		// Interval [0.8981, 0.9459] (scipy 1.10.1, TestSummarizeScipy).
		{"detection rate straddles", []float64{0.91, 0.93, 0.92, 0.95, 0.9}, Comparison{">=", 0.9}, Inconclusive},
		{"detection rate clears", []float64{0.91, 0.93, 0.92, 0.95, 0.9}, Comparison{">=", 0.85}, Pass},
		{"detection rate straddles a higher target", []float64{0.91, 0.93, 0.92, 0.95, 0.9}, Comparison{">=", 0.94}, Inconclusive},
		{"detection rate misses", []float64{0.91, 0.93, 0.92, 0.95, 0.9}, Comparison{">=", 0.95}, Fail},
		{"detection rate far off", []float64{0.91, 0.93, 0.92, 0.95, 0.9}, Comparison{">=", 0.97}, Fail},
		// Interval [0.01187, 0.01613] (scipy 1.10.1).
		{"false positive rate", []float64{0.012, 0.015, 0.011, 0.019, 0.013, 0.014, 0.016, 0.01, 0.012, 0.018}, Comparison{"<=", 0.02}, Pass},
		{"perfect in every seed", []float64{1, 1, 1}, Comparison{">=", 0.95}, Pass},
		{"perfect in every seed, target 1", []float64{1, 1, 1}, Comparison{">=", 1}, Pass},
		{"perfect in every seed, strict target 1", []float64{1, 1, 1}, Comparison{">", 1}, Fail},
		{"no false positives in any seed", []float64{0, 0, 0, 0}, Comparison{"<", 0.01}, Pass},
		{"one seed is not judged", []float64{0.99}, Comparison{">=", 0.5}, Inconclusive},
		{"no seeds", nil, Comparison{">=", 0.5}, Inconclusive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Judge(Summarize(tc.values, 0.95), tc.target); got != tc.want {
				t.Errorf("Judge(%v, %v) = %v, want %v", tc.values, tc.target, got, tc.want)
			}
		})
	}
}

func TestJudgeWilson(t *testing.T) {
	// 95 of 100 at 0.95: [0.8882, 0.9785] (scipy 1.10.1, TestWilsonScipy).
	lo, hi := Wilson(95, 100, 0.95)
	if got := JudgeInterval(lo, hi, Comparison{">=", 0.85}); got != Pass {
		t.Errorf(">= 0.85: %v, want pass", got)
	}
	if got := JudgeInterval(lo, hi, Comparison{">=", 0.9}); got != Inconclusive {
		t.Errorf(">= 0.9: %v, want inconclusive", got)
	}
}

func TestVerdictString(t *testing.T) {
	for v, want := range map[Verdict]string{Pass: "pass", Fail: "fail", Inconclusive: "inconclusive", 0: "Verdict(0)", 7: "Verdict(7)"} {
		if got := v.String(); got != want {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(v), got, want)
		}
	}
}

func TestComparisonString(t *testing.T) {
	for c, want := range map[Comparison]string{{">=", 0.9}: ">= 0.9", {"<", 0.02}: "< 0.02", {">", 1}: "> 1", {"<=", 1e-6}: "<= 1e-06"} {
		if got := c.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// Expected n calculated by scipy 1.10.1 (stats.t.ppf, searching n upward
// from 2 in scripts/reference/stats_reference.py). The first by hand too:
// with SD equal to the margin the condition is t_{n-1} < √n, and from
// t tables t_5 = 2.571 > √6 = 2.449 but t_6 = 2.447 < √7 = 2.646.
func TestSeedsNeededScipy(t *testing.T) {
	for _, tc := range []struct {
		name            string
		mean, sd, value float64
		op              string
		confidence      float64
		n               int
	}{
		{name: "sd equals margin", mean: 0.95, sd: 0.05, value: 0.9, op: ">=", confidence: 0.95, n: 7},
		{name: "sd equals margin, strict", mean: 0.95, sd: 0.05, value: 0.9, op: ">", confidence: 0.95, n: 7},
		{name: "upper bound", mean: 0.01, sd: 0.004, value: 0.012, op: "<=", confidence: 0.95, n: 18},
		{name: "upper bound, strict", mean: 0.01, sd: 0.004, value: 0.012, op: "<", confidence: 0.95, n: 18},
		{name: "small margin", mean: 0.91, sd: 0.05, value: 0.9, op: ">=", confidence: 0.95, n: 99},
		{name: "at 0.99", mean: 0.95, sd: 0.05, value: 0.9, op: ">=", confidence: 0.99, n: 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Summary{N: 3, Mean: tc.mean, SD: tc.sd}
			n, ok := SeedsNeeded(s, Comparison{tc.op, tc.value}, tc.confidence)
			if n != tc.n || !ok {
				t.Errorf("SeedsNeeded = %d, %v; want %d, true", n, ok, tc.n)
			}
		})
	}
}

func TestSeedsNeededEdges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      Summary
		target Comparison
		n      int
		ok     bool
	}{
		{"mean on the failing side", Summary{N: 5, Mean: 0.88, SD: 0.02}, Comparison{">=", 0.9}, 0, false},
		{"mean on the failing side of an upper bound", Summary{N: 5, Mean: 0.03, SD: 0.02}, Comparison{"<=", 0.02}, 0, false},
		{"mean at the value", Summary{N: 5, Mean: 0.9, SD: 0.02}, Comparison{">=", 0.9}, 0, false},
		{"mean at the value, strict", Summary{N: 5, Mean: 0.9, SD: 0.02}, Comparison{">", 0.9}, 0, false},
		{"one seed", Summary{N: 1, Mean: 0.99, SD: math.NaN()}, Comparison{">=", 0.9}, 0, false},
		{"NaN summary", Summary{Mean: math.NaN(), SD: math.NaN()}, Comparison{">=", 0.9}, 0, false},
		{"no spread", Summary{N: 3, Mean: 1, SD: 0}, Comparison{">=", 0.9}, 2, true},
		// n ≈ (1.96·SD/margin)² = 1.96² · 10⁶ > 10,000.
		{"beyond the cap", Summary{N: 5, Mean: 0.901, SD: 1}, Comparison{">=", 0.9}, MaxSeeds, false},
		// Already passing (scipy interval [0.8981, 0.9459] clears 0.85):
		// t_{n-1}·0.01924/√n < 0.072 from n = 3 (t_2 = 4.303, 4.303·0.01924/√3 = 0.0478).
		{"already passing", Summarize([]float64{0.91, 0.93, 0.92, 0.95, 0.9}, 0.95), Comparison{">=", 0.85}, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := SeedsNeeded(tc.s, tc.target, 0.95)
			if n != tc.n || ok != tc.ok {
				t.Errorf("SeedsNeeded = %d, %v; want %d, %v", n, ok, tc.n, tc.ok)
			}
		})
	}
}

// Property: with the observed mean and SD, the interval at the answer
// passes and the interval at one fewer seed does not.
func TestSeedsNeededIsLeast(t *testing.T) {
	for _, margin := range []float64{0.001, 0.004, 0.01, 0.03, 0.1, 0.5} {
		for _, op := range []string{">=", ">", "<=", "<"} {
			const sd, value = 0.05, 0.5
			mean := value + margin
			if op[0] == '<' {
				mean = value - margin
			}
			c := Comparison{op, value}
			n, ok := SeedsNeeded(Summary{N: 2, Mean: mean, SD: sd}, c, 0.95)
			if !ok {
				t.Fatalf("margin %v %s: not ok", margin, op)
			}
			at := func(n int) Verdict {
				half := tQuantile(n-1, 0.95) * sd / math.Sqrt(float64(n))
				return JudgeInterval(mean-half, mean+half, c)
			}
			if at(n) != Pass {
				t.Errorf("margin %v %s: %d seeds give %v, want pass", margin, op, n, at(n))
			}
			if n > 2 && at(n-1) == Pass {
				t.Errorf("margin %v %s: %d seeds already pass, SeedsNeeded said %d", margin, op, n-1, n)
			}
		}
	}
}
