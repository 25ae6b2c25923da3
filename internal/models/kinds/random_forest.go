package kinds

import (
	"context"
	"fmt"

	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/models"
)

// rulesDepth is the depth of the exported rules: the notebook's
// explain_decision_process prints export_text(estimators_[0], max_depth=3).
const rulesDepth = 3

// ForestConfig returns the forest configuration of a random_forest
// model's parameters for d features.
func ForestConfig(v models.Values, d, workers int) (forest.Config, error) {
	k, err := forest.MaxFeaturesFor(v.Text("max_features"), d)
	if err != nil {
		return forest.Config{}, err
	}
	cfg := forest.Config{
		Trees:           v.Int("trees"),
		MaxFeatures:     k,
		MaxDepth:        v.Int("max_depth"),
		MinSamplesSplit: v.Int("min_samples_split"),
		MinSamplesLeaf:  v.Int("min_samples_leaf"),
		ClassWeight:     v.Text("class_weight"),
		Bootstrap:       v.Bool("bootstrap"),
		Workers:         workers,
	}
	// The exact splitter takes no bins; max_bins is the hist splitter's.
	// Parameters written before the splitter existed lack both keys.
	if s, ok := v["splitter"]; ok && s.Text == forest.SplitterHist {
		cfg.Splitter, cfg.MaxBins = forest.SplitterHist, v.Int("max_bins")
	}
	return cfg, nil
}

// fitRandomForest fits a forest on the Fit rows: a detector on is_anomaly,
// or an attack-type classifier on anomaly_type.
func fitRandomForest(_ context.Context, t *models.Task) (*models.Result, error) {
	d := t.Data.D()
	cfg, err := ForestConfig(t.Params, d, t.Workers)
	if err != nil {
		return nil, err
	}
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
	classNames := []string{"normal", "anomaly"} // the predictions' labels (flow.LabelNormal, LabelAnomaly)
	if typing {
		classes, classNames = len(t.Data.TypeNames), t.Data.TypeNames
	}
	f, err := forest.FitChecked(t.Fit.X, d, y, classes, cfg, t.Rand)
	if err != nil {
		return nil, err
	}
	res := &models.Result{
		Fitted:      f,
		Importances: f.Importances(),
		Rules: fmt.Sprintf("# %s: tree 1 of %d, to depth %d (scikit-learn's export_text); thresholds are on standardised features\n%s\n",
			t.Model, cfg.Trees, rulesDepth, forest.ExportText(f.Trees()[0], t.Data.Columns, classNames, rulesDepth)),
	}
	proba := f.PredictProbaAll(t.Test.X, t.Workers)
	if typing {
		res.Proba = proba
		return res, nil
	}
	res.Scores = make([]float64, t.Test.Len())
	res.Decision = make([]bool, t.Test.Len())
	for k := range res.Scores {
		res.Scores[k] = proba[2*k+1]
		res.Decision[k] = forest.Argmax(proba[2*k:2*k+2]) == 1
	}
	if t.Validation != nil {
		p := f.PredictProbaAll(t.Validation.X, t.Workers)
		res.ValidationScores = make([]float64, t.Validation.Len())
		for k := range res.ValidationScores {
			res.ValidationScores[k] = p[2*k+1]
		}
	}
	return res, nil
}
