// Package mlbench benchmarks every built-in model kind on the same
// matrices, the ones scripts/reference/kinds_bench.py times scikit-learn
// and XGBoost on, so that the two sets of figures compare one to one. It
// holds tests only; see kinds_test.go for the figures measured.
package mlbench
