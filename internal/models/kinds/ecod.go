package kinds

import (
	"context"
	"fmt"

	"github.com/segharness/harness/internal/ml/ecod"
	"github.com/segharness/harness/internal/models"
)

// fitECOD fits on the Fit rows without labels and flags rows whose score
// is above the contamination threshold, as PyOD's ECOD predicts.
func fitECOD(_ context.Context, t *models.Task) (*models.Result, error) {
	d := t.Data.D()
	m, err := ecod.Fit(t.Fit.X, t.Fit.Len(), d)
	if err != nil {
		return nil, err
	}
	threshold, err := m.Threshold(t.Params.Float("contamination"))
	if err != nil {
		return nil, err
	}
	score := func(what string, rows *models.Rows) ([]float64, error) {
		if err := ecod.CheckInput(rows.X, d, false); err != nil {
			return nil, fmt.Errorf("%s rows: %w", what, err)
		}
		return m.ScoreSamples(rows.X, t.Workers), nil
	}
	res := &models.Result{Fitted: m}
	if res.Scores, err = score("test", t.Test); err != nil {
		return nil, err
	}
	res.Decision = make([]bool, len(res.Scores))
	for k, s := range res.Scores {
		res.Decision[k] = s > threshold
	}
	if t.Validation != nil {
		if res.ValidationScores, err = score("validation", t.Validation); err != nil {
			return nil, err
		}
	}
	return res, nil
}
