package kinds

import (
	"context"

	"github.com/segharness/harness/internal/ml/linear"
	"github.com/segharness/harness/internal/models"
)

// fitLogisticRegression fits a binary logistic regression on the Fit rows
// with labels is_anomaly; a row's score is P(anomaly), its decision that
// probability above one half (scikit-learn's predict).
func fitLogisticRegression(_ context.Context, t *models.Task) (*models.Result, error) {
	d := t.Data.D()
	y := make([]int, t.Fit.Len())
	for k, i := range t.Fit.Index {
		if t.Data.IsAnomaly[i] {
			y[k] = 1
		}
	}
	m, err := linear.FitLogistic(t.Fit.X, len(y), d, y, linear.Config{
		C:           t.Params.Float("C"),
		ClassWeight: t.Params.Text("class_weight"),
		MaxIter:     t.Params.Int("max_iter"),
		Tol:         t.Params.Float("tol"),
		Workers:     t.Workers,
	})
	if err != nil {
		return nil, err
	}
	res := &models.Result{Fitted: m}
	if n := m.Note(); n != "" {
		res.Notes = append(res.Notes, n)
	}
	res.Scores = m.PredictProba(t.Test.X)
	res.Decision = make([]bool, len(res.Scores))
	for k, p := range res.Scores {
		res.Decision[k] = p > 0.5
	}
	if t.Validation != nil {
		res.ValidationScores = m.PredictProba(t.Validation.X)
	}
	t.Logf("%s: %d L-BFGS iterations, converged %v", t.Model, m.Iterations(), m.Converged())
	return res, nil
}
