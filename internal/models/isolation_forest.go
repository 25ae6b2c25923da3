package models

import "math"

// KindIsolationForest is scikit-learn's IsolationForest (internal/ml/iforest).
const KindIsolationForest = "isolation_forest"

func init() {
	Register(&Kind{
		Name: KindIsolationForest,
		Doc: "An isolation forest, scikit-learn 1.2.1's IsolationForest (internal/ml/iforest): each tree " +
			"isolates rows with random splits on max_samples rows drawn without replacement; a row's " +
			"score is 2^(-E(depth)/c(max_samples)). An unsupervised detector: it fits on the training " +
			"rows without their labels, its score is that anomaly score, its decision the score above " +
			"the contamination offset.",
		Params: []Param{
			TreesParam,
			{Key: "max_samples", Type: Int, Word: "auto", Default: "auto", Min: 2, Max: math.MaxInt32, Sweepable: true,
				Doc: "the rows drawn for each tree; auto is min(256, training rows)."},
			{Key: "contamination", Type: Float, Word: "auto", Default: "auto", Min: 0, Max: 0.5, MinOpen: true, Sweepable: true,
				Doc: "the expected fraction of anomalies, which sets the score threshold; auto uses scikit-learn's fixed offset of -0.5."},
		},
		Roles: []Role{Detector},
	})
}
