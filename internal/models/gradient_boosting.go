package models

import "math"

// KindGradientBoosting is scikit-learn's HistGradientBoostingClassifier
// (internal/ml/gbdt).
const KindGradientBoosting = "gradient_boosting"

func init() {
	Register(&Kind{
		Name: KindGradientBoosting,
		Doc: "Gradient boosting of histogram trees, scikit-learn 1.2.1's HistGradientBoostingClassifier " +
			"(internal/ml/gbdt): features binned at quantiles (max_bins), trees grown best first on the " +
			"gradients and hessians of the log-loss (one tree per iteration for two classes, one per class " +
			"for more), each leaf -G/(H + l2_regularization) times the learning rate; with early stopping a " +
			"stratified validation_fraction of the rows is held out and boosting stops when its loss has not " +
			"improved by tol for n_iter_no_change iterations. A supervised classifier: with target is_anomaly " +
			"a detector (its score the probability of the anomaly class, its decision that probability above " +
			"one half), with target anomaly_type an attack-type classifier. It records the iterations kept " +
			"and notes when early stopping ended the boosting.",
		Params: []Param{
			{Key: "target", Type: Enum, Default: TargetIsAnomaly, Values: []string{TargetIsAnomaly, TargetAnomalyType},
				Doc: "the label learnt: is_anomaly makes a detector, anomaly_type an attack-type classifier."},
			{Key: "learning_rate", Type: Float, Default: "0.1", Min: 0, MinOpen: true, Max: math.MaxFloat64, Sweepable: true,
				Doc: "the shrinkage of every leaf's value."},
			{Key: "max_iter", Type: Int, Default: "100", Min: 1, Max: 100000, Sweepable: true,
				Doc: "the most boosting iterations."},
			{Key: "max_leaf_nodes", Type: Int, Default: "31", Min: 2, Max: math.MaxInt32, Sweepable: true,
				Doc: "the most leaves of a tree."},
			{Key: "max_depth", Type: Int, Default: "0", Min: 0, Max: 1000, Sweepable: true,
				Doc: "the deepest a tree grows; 0 is unlimited."},
			{Key: "min_samples_leaf", Type: Int, Default: "20", Min: 1, Max: math.MaxInt32, Sweepable: true,
				Doc: "the fewest rows in a leaf."},
			{Key: "l2_regularization", Type: Float, Default: "0", Min: 0, Max: math.MaxFloat64, Sweepable: true,
				Doc: "added to the hessian sum of every leaf and split candidate."},
			{Key: "max_bins", Type: Int, Default: "255", Min: 2, Max: 255, Sweepable: true,
				Doc: "the bins of a feature's non-missing values."},
			{Key: "early_stopping", Type: Enum, Default: "auto", Values: []string{"auto", "true", "false"}, Sweepable: true,
				Doc: "whether to hold out validation rows and stop when their loss stops improving; auto stops early above 10,000 training rows."},
			{Key: "validation_fraction", Type: Float, Default: "0.1", Min: 0, Max: 1, MinOpen: true, MaxOpen: true, Sweepable: true,
				Doc: "the share of the training rows held out for early stopping (stratified)."},
			{Key: "n_iter_no_change", Type: Int, Default: "10", Min: 1, Max: 100000, Sweepable: true,
				Doc: "the iterations without improvement after which early stopping ends the boosting."},
			{Key: "tol", Type: Float, Default: "1e-07", Min: 0, Max: math.MaxFloat64, Sweepable: true,
				Doc: "the improvement of the validation loss that counts."},
			{Key: "class_weight", Type: Enum, Default: "none", Values: []string{"none", "balanced"}, Sweepable: true,
				Doc: "balanced weighs classes inversely to their frequency."},
		},
		Exported: true,
		Roles:    []Role{Detector, Typer},
		RoleOf: func(v Values) Role {
			if v.Text("target") == TargetAnomalyType {
				return Typer
			}
			return Detector
		},
		Metrics: []string{"iterations"},
	})
}
