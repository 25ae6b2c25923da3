package eval_test

import (
	"fmt"

	"github.com/segharness/harness/internal/eval"
)

// The attack-type model's report, as scikit-learn's classification_report
// prints it; lateral_movement is never predicted, so its precision is 0.
func ExampleMatrix_ClassificationReport() {
	classes := []string{"normal", "crypto_mining", "lateral_movement"}
	actual := []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}
	predicted := []int{0, 0, 0, 1, 0, 1, 1, 0, 0, 1}
	fmt.Print(eval.ConfusionMatrix(actual, predicted, classes).ClassificationReport())
	// Output:
	//                   precision    recall  f1-score   support
	//
	//           normal       0.67      0.80      0.73         5
	//    crypto_mining       0.50      0.67      0.57         3
	// lateral_movement       0.00      0.00      0.00         2
	//
	//         accuracy                           0.60        10
	//        macro avg       0.39      0.49      0.43        10
	//     weighted avg       0.48      0.60      0.54        10
}

// Choosing an operating point on validation scores for a 25%
// false-positive budget, then counting its decisions.
func ExampleThresholdForFPR() {
	scores := []float64{0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}
	actual := []bool{true, true, false, true, false, false, true, false}
	t, err := eval.ThresholdForFPR(scores, actual, 0.25)
	if err != nil {
		panic(err)
	}
	c := eval.AtThreshold(scores, actual, t)
	fmt.Printf("threshold %v: detection rate %.2f, FPR %.2f\n", t, c.DetectionRate(), c.FalsePositiveRate())
	// Output:
	// threshold 0.7: detection rate 0.75, FPR 0.25
}

// The precision-recall curve in scikit-learn's order, and its average
// precision.
func ExamplePR() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	actual := []bool{false, false, true, true}
	c, err := eval.PR(scores, actual)
	if err != nil {
		panic(err)
	}
	ap, _ := eval.AveragePrecision(scores, actual)
	fmt.Printf("precision %.3f\nrecall    %.3f\nthreshold %.3f\nAP %.4f\n", c.Precision, c.Recall, c.Thresholds, ap)
	// Output:
	// precision [0.500 0.667 0.500 1.000 1.000]
	// recall    [1.000 1.000 0.500 0.500 0.000]
	// threshold [0.100 0.350 0.400 0.800]
	// AP 0.8333
}
