package drift_test

import (
	"fmt"

	"github.com/segharness/harness/internal/monitor/drift"
)

func Example() {
	// Anomaly scores on the training split, and two monitoring windows.
	training := []float64{0.12, 0.18, 0.22, 0.25, 0.31, 0.35, 0.38, 0.42, 0.47, 0.55, 0.61, 0.66, 0.72, 0.81, 0.90, 0.95}
	steady := []float64{0.11, 0.20, 0.24, 0.33, 0.37, 0.44, 0.52, 0.63, 0.70, 0.83, 0.92, 0.97}
	shifted := []float64{0.45, 0.51, 0.58, 0.62, 0.69, 0.74, 0.79, 0.85, 0.88, 0.93, 0.96, 0.99}

	reference, err := drift.NewReference(training, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, window := range []struct {
		name   string
		scores []float64
	}{{"steady", steady}, {"shifted", shifted}} {
		d, p := reference.KS(window.scores)
		fmt.Printf("%-7s PSI %.3f  KS D %.3f p %.3f\n", window.name, reference.PSI(window.scores), d, p)
	}

	_, err = drift.PSI(training, nil, 4)
	fmt.Println(err)
	// numpy 1.24.2 and scipy 1.10.1 agree: the PSI of testdata/
	// drift_reference.py, ks_2samp(...).statistic and kstwobign.sf.

	// Output:
	// steady  PSI 0.058  KS D 0.125 p 1.000
	// shifted PSI 4.343  KS D 0.500 p 0.065
	// drift: actual sample is empty
}
