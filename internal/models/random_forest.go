package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/suggest"
)

// KindRandomForest is scikit-learn's RandomForestClassifier
// (internal/ml/forest).
const KindRandomForest = "random_forest"

// The labels a random forest learns (its target key).
const (
	TargetIsAnomaly   = "is_anomaly"   // a detector
	TargetAnomalyType = "anomaly_type" // an attack typer
)

// rulesDepth is the depth of the exported rules: the notebook's
// explain_decision_process prints export_text(estimators_[0], max_depth=3).
const rulesDepth = 3

func init() {
	Register(&Kind{
		Name: KindRandomForest,
		Doc: "A random forest of CART trees, scikit-learn 1.2.1's RandomForestClassifier node for node " +
			"(internal/ml/forest): bootstrap rows as sample weights, max_features drawn per split, Gini " +
			"impurity, predict_proba averaged over the trees. A supervised classifier: with target " +
			"is_anomaly a detector (its score the probability of the anomaly class, its decision that " +
			"probability above one half), with target anomaly_type an attack-type classifier. It also " +
			"writes its first tree's rules (rules.txt) and its Gini importances (importances.parquet).",
		Params: []Param{
			{Key: "target", Type: Enum, Default: TargetIsAnomaly, Values: []string{TargetIsAnomaly, TargetAnomalyType},
				Doc: "the label learnt: is_anomaly makes a detector, anomaly_type an attack-type classifier."},
			TreesParam,
			{Key: "max_features", Type: Custom, Default: "sqrt", Sweepable: true,
				TypeDoc: "sqrt, log2, all, an integer in [1, 100000] or a number in (0, 1)", Decode: decodeMaxFeatures,
				Doc: "the features tried at each split: the square root or log2 of their number, all of them, that many, or that fraction of them."},
			{Key: "max_depth", Type: Int, Default: "0", Min: 0, Max: 1000, Sweepable: true,
				Doc: "the deepest a tree grows; 0 is unlimited."},
			{Key: "min_samples_split", Type: Int, Default: "2", Min: 2, Max: math.MaxInt32, Sweepable: true,
				Doc: "the fewest rows a node needs to be split."},
			{Key: "min_samples_leaf", Type: Int, Default: "1", Min: 1, Max: math.MaxInt32, Sweepable: true,
				Doc: "the fewest rows in a leaf."},
			{Key: "class_weight", Type: Enum, Default: "none", Values: []string{"none", "balanced"}, Sweepable: true,
				Doc: "balanced weighs classes inversely to their frequency."},
			{Key: "bootstrap", Type: Bool, Default: "true", Sweepable: true,
				Doc: "whether each tree draws its rows with replacement."},
		},
		Roles: []Role{Detector, Typer},
		RoleOf: func(v Values) Role {
			if v.Text("target") == TargetAnomalyType {
				return Typer
			}
			return Detector
		},
		Fit: fitRandomForest,
	})
}

// TreesParam is the number of trees of a forest.
var TreesParam = Param{Key: "trees", Type: Int, Default: "100", Min: 1, Max: 100000, Sweepable: true,
	Doc: "the number of trees (n_estimators)."}

// decodeMaxFeatures reads max_features: sqrt, log2 or all, a count, or a
// fraction in (0, 1).
func decodeMaxFeatures(tag, text string) (string, error) {
	words := []string{"sqrt", "log2", "all"}
	switch tag {
	case "!!str":
		for _, w := range words {
			if text == w {
				return text, nil
			}
		}
		msg := fmt.Sprintf("%q is not one of %s", text, strings.Join(words, ", "))
		if c := suggest.Closest(text, words); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		return "", errors.New(msg)
	case "!!int":
		v, err := strconv.ParseInt(text, 0, 64)
		if err != nil {
			return "", fmt.Errorf("integer %s out of range", text)
		}
		if v < 1 || v > 100000 {
			return "", fmt.Errorf("%d is outside [1, 100000]", v)
		}
		return strconv.FormatInt(v, 10), nil
	case "!!float":
		f, err := strconv.ParseFloat(text, 64)
		switch {
		case err == nil && f == 1:
			// scikit-learn's max_features=1.0; "1" would read as one feature.
			return "", fmt.Errorf("%s as a fraction is every feature: write all", text)
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			return "", fmt.Errorf("want a finite number, got %s", text)
		case f <= 0 || f >= 1:
			return "", fmt.Errorf("%s is outside (0, 1)", strconv.FormatFloat(f, 'g', -1, 64))
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("want sqrt, log2, all, a count or a fraction, got %s", text)
}

// ForestConfig returns the forest configuration of a random_forest
// model's parameters for d features.
func ForestConfig(v Values, d, workers int) (forest.Config, error) {
	k, err := forest.MaxFeaturesFor(v.Text("max_features"), d)
	if err != nil {
		return forest.Config{}, err
	}
	return forest.Config{
		Trees:           v.Int("trees"),
		MaxFeatures:     k,
		MaxDepth:        v.Int("max_depth"),
		MinSamplesSplit: v.Int("min_samples_split"),
		MinSamplesLeaf:  v.Int("min_samples_leaf"),
		ClassWeight:     v.Text("class_weight"),
		Bootstrap:       v.Bool("bootstrap"),
		Workers:         workers,
	}, nil
}

// fitRandomForest fits a forest on the Fit rows: a detector on is_anomaly,
// or an attack-type classifier on anomaly_type.
func fitRandomForest(_ context.Context, t *Task) (*Result, error) {
	d := t.Data.D()
	cfg, err := ForestConfig(t.Params, d, t.Workers)
	if err != nil {
		return nil, err
	}
	typing := t.Role == Typer
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
	res := &Result{
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
