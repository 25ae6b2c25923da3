package models

import "math"

// KindLogisticRegression is scikit-learn's LogisticRegression with the
// lbfgs solver (internal/ml/linear).
const KindLogisticRegression = "logistic_regression"

func init() {
	Register(&Kind{
		Name: KindLogisticRegression,
		Doc: "A logistic regression, scikit-learn 1.2.1's LogisticRegression(solver=\"lbfgs\") " +
			"(internal/ml/linear): L2-penalised log-loss, sum_i s_i logloss_i + ||w||²/(2C), the " +
			"intercept unpenalised, minimised by L-BFGS from zero with L-BFGS-B's stopping rules. " +
			"A supervised detector on is_anomaly: its score the probability of the anomaly class, its " +
			"decision that probability above one half. Stopping at max_iter is noted, as " +
			"scikit-learn's ConvergenceWarning.",
		Params: []Param{
			{Key: "C", Type: Float, Default: "1", Min: 0, MinOpen: true, Max: math.MaxFloat64, Sweepable: true,
				Doc: "the inverse of the L2 regularisation strength; smaller is stronger."},
			{Key: "class_weight", Type: Enum, Default: "none", Values: []string{"none", "balanced"}, Sweepable: true,
				Doc: "balanced weighs classes inversely to their frequency, n / (2 n_class)."},
			{Key: "max_iter", Type: Int, Default: "100", Min: 1, Max: 1000000, Sweepable: true,
				Doc: "the most L-BFGS iterations."},
			{Key: "tol", Type: Float, Default: "0.0001", Min: 0, Max: math.MaxFloat64, Sweepable: true,
				Doc: "the convergence tolerance: the largest gradient component at which the solver stops (scikit-learn's tol)."},
		},
		Roles: []Role{Detector},
	})
}
