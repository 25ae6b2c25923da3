package forest_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/segharness/harness/internal/ml/forest"
)

// A single tree without bootstrap that scores every feature is fully
// determined by the data; ExportText prints it as scikit-learn's
// export_text does.
func ExampleExportText() {
	// Two features; the class is 1 when the first is large.
	x := []float64{
		0.1, 5,
		0.4, 3,
		0.5, 9,
		0.9, 1,
		1.2, 4,
		1.6, 7,
	}
	y := []int{0, 0, 0, 1, 1, 1}
	cfg := forest.Config{Trees: 1, MaxFeatures: 2, MinSamplesSplit: 2, MinSamplesLeaf: 1}
	f := forest.Fit(x, 2, y, 2, cfg, rand.New(rand.NewPCG(1, 2)))
	fmt.Print(forest.ExportText(f.Trees()[0], []string{"cpu", "ports"}, []string{"normal", "anomaly"}, 10))

	p := make([]float64, 2)
	f.PredictProba([]float64{1.0, 2}, p)
	fmt.Println(p, f.Predict([]float64{0.2, 2}))
	// Output:
	// |--- cpu <= 0.70
	// |   |--- class: normal
	// |--- cpu >  0.70
	// |   |--- class: anomaly
	// [0 1] 0
}
