package stats_test

import (
	"fmt"

	"github.com/segharness/harness/internal/eval/stats"
)

func Example() {
	// Detection rate of one model over five seeds, against a target.
	detectionRates := []float64{0.91, 0.93, 0.92, 0.95, 0.90}
	target := stats.Comparison{Op: ">=", Value: 0.9}

	s := stats.Summarize(detectionRates, 0.95)
	fmt.Printf("mean %.3f, 95%% CI [%.3f, %.3f]\n", s.Mean, s.Lo, s.Hi)
	fmt.Println(target, stats.Judge(s, target))
	if n, ok := stats.SeedsNeeded(s, target, 0.95); ok {
		fmt.Printf("about %d seeds would decide it\n", n)
	}

	// The same target on anomalies pooled over the seeds.
	lo, hi := stats.Wilson(4610, 5000, 0.95)
	fmt.Printf("pooled [%.4f, %.4f] %v\n", lo, hi, stats.JudgeInterval(lo, hi, target))

	// Is a second model different, as benchstat would ask?
	other := []float64{0.95, 0.96, 0.94, 0.97, 0.96}
	m := stats.MannWhitneyU(detectionRates, other)
	fmt.Printf("U=%v p=%.3f (%s) significant: %v\n", m.U, m.P, m.Method, m.Significant(0.05))
	// scipy 1.10.1 agrees: binomtest(4610, 5000).proportion_ci(0.95,
	// method="wilson") and mannwhitneyu(..., method="asymptotic"), as the
	// ties 0.95 and 0.96 call for (scripts/reference/stats_reference.py).

	// Output:
	// mean 0.922, 95% CI [0.898, 0.946]
	// >= 0.9 inconclusive
	// about 6 seeds would decide it
	// pooled [0.9142, 0.9291] pass
	// U=1.5 p=0.027 (asymptotic) significant: true
}
