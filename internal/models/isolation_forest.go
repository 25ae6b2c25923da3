package models

import (
	"context"
	"math"

	"github.com/segharness/harness/internal/ml/iforest"
)

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
		Fit:   fitIsolationForest,
	})
}

// fitIsolationForest fits on the Fit rows without labels, as the notebook
// does, and flags rows whose decision function is negative.
func fitIsolationForest(_ context.Context, t *Task) (*Result, error) {
	f, err := iforest.FitChecked(t.Fit.X, t.Data.D(), iforest.Config{
		Trees:         t.Params.Int("trees"),
		MaxSamples:    t.Params.Int("max_samples"),
		Contamination: t.Params.Float("contamination"),
		Workers:       t.Workers,
	}, t.Rand)
	if err != nil {
		return nil, err
	}
	res := &Result{Fitted: f}
	for _, w := range f.Warnings() {
		res.Notes = append(res.Notes, w.Error())
	}
	samples := f.ScoreSamples(t.Test.X, t.Workers)
	res.Scores = make([]float64, len(samples))
	res.Decision = make([]bool, len(samples))
	for k, s := range samples {
		res.Scores[k] = -s // the anomaly score 2^(-E/c): higher is more anomalous
		res.Decision[k] = s-f.Offset() < 0
	}
	if t.Validation != nil {
		res.ValidationScores = f.ScoreSamples(t.Validation.X, t.Workers)
		for k, v := range res.ValidationScores {
			res.ValidationScores[k] = -v
		}
	}
	return res, nil
}
