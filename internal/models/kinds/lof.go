package kinds

import (
	"context"
	"fmt"

	"github.com/segharness/harness/internal/ml/lof"
	"github.com/segharness/harness/internal/models"
)

// fitLOF fits on the Fit rows without labels and flags rows whose
// score_samples is below the offset, as LocalOutlierFactor(novelty=True)
// predicts; the scores are -score_samples, the local outlier factor.
func fitLOF(_ context.Context, t *models.Task) (*models.Result, error) {
	d := t.Data.D()
	m, err := lof.Fit(t.Fit.X, t.Fit.Len(), d, t.Params.Int("n_neighbors"), t.Workers)
	if err != nil {
		return nil, err
	}
	offset, err := m.Offset(t.Params.Float("contamination"))
	if err != nil {
		return nil, err
	}
	res := &models.Result{Fitted: m}
	if m.Neighbors() < t.Params.Int("n_neighbors") {
		res.Notes = append(res.Notes, fmt.Sprintf("n_neighbors %d is more than the %d training rows allow: %d neighbours used",
			t.Params.Int("n_neighbors"), t.Fit.Len(), m.Neighbors()))
	}
	score := func(what string, rows *models.Rows) ([]float64, []float64, error) {
		if err := lof.CheckInput(rows.X, d); err != nil {
			return nil, nil, fmt.Errorf("%s rows: %w", what, err)
		}
		samples := m.ScoreSamples(rows.X, t.Workers)
		scores := make([]float64, len(samples))
		for k, s := range samples {
			scores[k] = -s
		}
		return samples, scores, nil
	}
	samples, scores, err := score("test", t.Test)
	if err != nil {
		return nil, err
	}
	res.Scores = scores
	res.Decision = make([]bool, len(samples))
	for k, s := range samples {
		res.Decision[k] = s < offset
	}
	if t.Validation != nil {
		if _, res.ValidationScores, err = score("validation", t.Validation); err != nil {
			return nil, err
		}
	}
	return res, nil
}
