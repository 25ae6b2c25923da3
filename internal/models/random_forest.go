package models

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

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

func init() {
	Register(&Kind{
		Name: KindRandomForest,
		Doc: "A random forest of CART trees, scikit-learn 1.2.1's RandomForestClassifier node for node " +
			"(internal/ml/forest): bootstrap rows as sample weights, max_features drawn per split, Gini " +
			"impurity, predict_proba averaged over the trees. A supervised classifier: with target " +
			"is_anomaly a detector (its score the probability of the anomaly class, its decision that " +
			"probability above one half), with target anomaly_type an attack-type classifier. It also " +
			"writes its first tree's rules (rules.txt) and its Gini importances (importances.parquet). With splitter hist " +
			"the trees split on bin edges found from per-bin class counts, as histogram gradient boosting does: the same " +
			"forest otherwise, faster to fit on large data, no longer scikit-learn's node for node.",
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
			{Key: "splitter", Type: Enum, Default: "exact", Values: []string{"exact", "hist"}, Sweepable: true,
				Doc: "how a node's split is found: exact scores every boundary between the node's sorted values, as scikit-learn does; " +
					"hist bins each feature once (up to max_bins quantile bins) and scores the boundaries between bins from per-bin " +
					"class counts, several times faster on large data, with thresholds at bin edges."},
			{Key: "max_bins", Type: Int, Default: "255", Min: 2, Max: 255, Sweepable: true,
				Doc: "the bins per feature of the hist splitter; the exact splitter ignores it."},
		},
		Roles:    []Role{Detector, Typer},
		Exported: true,
		RoleOf: func(v Values) Role {
			if v.Text("target") == TargetAnomalyType {
				return Typer
			}
			return Detector
		},
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
