package kinds

import (
	"context"
	"fmt"

	"github.com/segharness/harness/internal/ml/gbdt"
	"github.com/segharness/harness/internal/models"
)

// GBDTConfig returns the configuration of a gradient_boosting model's
// parameters.
func GBDTConfig(v models.Values, workers int) gbdt.Config {
	return gbdt.Config{
		LearningRate:       v.Float("learning_rate"),
		MaxIter:            v.Int("max_iter"),
		MaxLeafNodes:       v.Int("max_leaf_nodes"),
		MaxDepth:           v.Int("max_depth"),
		MinSamplesLeaf:     v.Int("min_samples_leaf"),
		L2Regularization:   v.Float("l2_regularization"),
		MaxBins:            v.Int("max_bins"),
		EarlyStopping:      v.Text("early_stopping"),
		ValidationFraction: v.Float("validation_fraction"),
		NIterNoChange:      v.Int("n_iter_no_change"),
		Tol:                v.Float("tol"),
		ClassWeight:        v.Text("class_weight"),
		Workers:            workers,
	}
}

// fitGradientBoosting fits gradient-boosted trees on the Fit rows: a
// detector on is_anomaly, or an attack-type classifier on anomaly_type.
func fitGradientBoosting(_ context.Context, t *models.Task) (*models.Result, error) {
	d := t.Data.D()
	cfg := GBDTConfig(t.Params, t.Workers)
	typing := t.Role == models.Typer
	classes := 2
	y := make([]int, t.Fit.Len())
	for k, i := range t.Fit.Index {
		if typing {
			y[k] = t.Data.Types[i]
		} else if t.Data.IsAnomaly[i] {
			y[k] = 1
		}
	}
	if typing {
		classes = len(t.Data.TypeNames)
	}
	m, err := gbdt.Fit(t.Fit.X, d, y, classes, cfg, t.Rand)
	if err != nil {
		return nil, err
	}
	res := &models.Result{
		Fitted:  m,
		Metrics: []models.Figure{{Metric: "iterations", Value: float64(m.Iterations())}},
	}
	if m.ValidationScores != nil {
		if m.Iterations() < cfg.MaxIter {
			res.Notes = append(res.Notes, fmt.Sprintf("early stopping kept %d of at most %d iterations (the validation loss did not improve by %g in %d iterations)",
				m.Iterations(), cfg.MaxIter, cfg.Tol, cfg.NIterNoChange))
		} else {
			res.Notes = append(res.Notes, fmt.Sprintf("early stopping was on and kept all %d iterations", m.Iterations()))
		}
	}
	proba := m.PredictProbaAll(t.Test.X, t.Workers)
	if typing {
		res.Proba = proba
		return res, nil
	}
	res.Scores = make([]float64, t.Test.Len())
	res.Decision = make([]bool, t.Test.Len())
	for k := range res.Scores {
		res.Scores[k] = proba[2*k+1]
		res.Decision[k] = proba[2*k+1] > proba[2*k] // argmax, the first of equal ones: class 0
	}
	if t.Validation != nil {
		p := m.PredictProbaAll(t.Validation.X, t.Workers)
		res.ValidationScores = make([]float64, t.Validation.Len())
		for k := range res.ValidationScores {
			res.ValidationScores[k] = p[2*k+1]
		}
	}
	t.Logf("%s: %d boosting iterations", t.Model, m.Iterations())
	return res, nil
}
