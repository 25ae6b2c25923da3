package kinds

import (
	"context"

	"github.com/segharness/harness/internal/ml/iforest"
	"github.com/segharness/harness/internal/models"
)

// fitIsolationForest fits on the Fit rows without labels, as the notebook
// does, and flags rows whose decision function is negative.
func fitIsolationForest(_ context.Context, t *models.Task) (*models.Result, error) {
	f, err := iforest.FitChecked(t.Fit.X, t.Data.D(), iforest.Config{
		Trees:         t.Params.Int("trees"),
		MaxSamples:    t.Params.Int("max_samples"),
		Contamination: t.Params.Float("contamination"),
		Workers:       t.Workers,
	}, t.Rand)
	if err != nil {
		return nil, err
	}
	res := &models.Result{Fitted: f}
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
