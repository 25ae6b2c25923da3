// Package gbdt is gradient boosting of histogram trees for classification,
// scikit-learn 1.2.1's HistGradientBoostingClassifier
// (sklearn/ensemble/_hist_gradient_boosting: binning.py, grower.py,
// splitting.pyx, histogram.pyx, gradient_boosting.py; the losses of
// sklearn/_loss) with its defaults.
//
// # Binning
//
// Each feature's thresholds are _find_binning_thresholds' on the training
// rows (the rows left after the validation split; at most 200,000 of them,
// drawn without replacement from the caller's random source): the
// midpoints of its distinct values when there are at most MaxBins, else
// the percentiles linspace(0, 100, MaxBins+1)[1:-1] by numpy's "midpoint"
// method. A value v falls in bin i when thr[i-1] < v <= thr[i]; NaN falls
// in the missing-values bin, index MaxBins.
//
// # Boosting
//
// Two classes are one tree per iteration on the half binomial log-loss,
// from the baseline logit(weighted mean of y) (clipped to [10 eps, 1-10
// eps]); K > 2 classes are K trees per iteration on the half multinomial
// loss, from the baseline log(p_k) - mean_k log(p_k), p_k the weighted
// class frequencies clipped to [eps, 1-eps]. Gradients and hessians are
// computed in float64 and stored in float32, as scikit-learn's G_H_DTYPE;
// histograms sum them in float64.
//
// # A tree
//
// Trees grow best first (the splittable node of the largest gain next)
// until MaxLeafNodes leaves, a node at MaxDepth, fewer than
// 2*MinSamplesLeaf rows, or no split of positive gain. A split's gain is
//
//	G_node*v_node - G_L*v_L - G_R*v_R,  v = -G / (H + l2 + 1e-15)
//
// (v_root = 0, as scikit-learn's root), each child needing MinSamplesLeaf
// rows and a hessian sum of 1e-3. Bins are scanned left to right (missing
// values to the right) and, when the feature had missing values in
// training, right to left (missing values to the left); the first best
// split wins. A histogram is built over the node's rows in the order
// scikit-learn keeps them (a stable partition), the smaller child's from
// its rows and the larger's by subtraction, so the per-bin sums are
// scikit-learn's, term for term; the root's sums are its sum_parallel's,
// which add its OpenMP threads' chunks of rows (SklearnThreads, rootSums):
// with early stopping off, a model's probabilities equal scikit-learn's
// at that thread count to the last bit or nearly (see parity_test.go and
// docs/parity.md). The rows are read from a row-major copy of the bins,
// four at a time, so that consecutive updates go to different features'
// bins and do not wait for each other (XGBoost's and LightGBM's row-wise
// layout); a bin is 32 bytes, {g, h, count, padding} in float64, which
// the amd64 kernel (hist_amd64.s, with AVX) updates with one 4-wide add of
// the row's {g, h, 1, 0}, lane by lane the Go kernel's additions; each
// feature's histogram holds only its own bins; a feature constant in a
// node is skipped in its descendants.
// Features are shared among the workers, each feature's histogram summed
// by one of them, so the model does not depend on their number. The
// workers of a fit are goroutines kept for it (team.go), which spin
// briefly between the fit's thousands of short parallel sections rather
// than sleep.
//
// # Early stopping
//
// With early stopping (EarlyStopping "auto": above 10,000 rows) a
// stratified ValidationFraction of the rows (sklearn's train_test_split
// with stratify=y, its draws from the caller's source) is held out and
// scored by the loss after every iteration; boosting stops when none of
// the last NIterNoChange scores beats the one before them by more than Tol
// (_should_stop).
package gbdt

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
)

// Config holds HistGradientBoostingClassifier's parameters.
type Config struct {
	LearningRate       float64 // shrinkage of the leaves' values
	MaxIter            int     // boosting iterations
	MaxLeafNodes       int     // leaves per tree; 0: unlimited
	MaxDepth           int     // 0: unlimited
	MinSamplesLeaf     int     // rows per leaf
	L2Regularization   float64 // added to the hessian sums of leaf values
	MaxBins            int     // bins of non-missing values, in [2, 255]
	EarlyStopping      string  // "auto" (above 10,000 rows), "true" or "false"
	ValidationFraction float64 // the rows held out for early stopping, in (0, 1)
	NIterNoChange      int     // iterations without improvement before stopping
	Tol                float64 // the improvement that counts
	ClassWeight        string  // "none" or "balanced"
	Workers            int     // goroutines; < 1: GOMAXPROCS

	// SklearnThreads is the OpenMP threads (n_threads) of the
	// scikit-learn fit reproduced; 0 means 2, scikit-learn's on a
	// two-core machine or under threadpool_limits(2). Its sum_parallel
	// adds each tree's root gradients and hessians in that many static
	// chunks, one per thread, so its trees depend on it in the last bits,
	// and beyond where leaves of near-zero hessians amplify them (rootSums;
	// docs/parity.md). It does not set the goroutines, nor do they change
	// the model.
	SklearnThreads int
}

// DefaultConfig is scikit-learn's defaults.
func DefaultConfig() Config {
	return Config{
		LearningRate:       0.1,
		MaxIter:            100,
		MaxLeafNodes:       31,
		MinSamplesLeaf:     20,
		MaxBins:            255,
		EarlyStopping:      "auto",
		ValidationFraction: 0.1,
		NIterNoChange:      10,
		Tol:                1e-7,
		ClassWeight:        "none",
	}
}

// sklearnThreads is SklearnThreads, 0 taken as 2.
func (c *Config) sklearnThreads() int {
	if c.SklearnThreads == 0 {
		return 2
	}
	return c.SklearnThreads
}

// maxSklearnThreads bounds SklearnThreads.
const maxSklearnThreads = 1024

// earlyStoppingRows is the row count above which "auto" stops early.
const earlyStoppingRows = 10_000

// maxClasses bounds the classes.
const maxClasses = 256

func (c *Config) check() error {
	switch {
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("gbdt: learning rate %v is not positive and finite", c.LearningRate)
	case c.MaxIter < 1:
		return fmt.Errorf("gbdt: max_iter %d below 1", c.MaxIter)
	case c.MaxLeafNodes != 0 && c.MaxLeafNodes < 2:
		return fmt.Errorf("gbdt: max_leaf_nodes %d below 2", c.MaxLeafNodes)
	case c.MaxDepth < 0:
		return fmt.Errorf("gbdt: max_depth %d negative", c.MaxDepth)
	case c.MinSamplesLeaf < 1:
		return fmt.Errorf("gbdt: min_samples_leaf %d below 1", c.MinSamplesLeaf)
	case !(c.L2Regularization >= 0) || math.IsInf(c.L2Regularization, 0):
		return fmt.Errorf("gbdt: l2_regularization %v is not finite and non-negative", c.L2Regularization)
	case c.MaxBins < 2 || c.MaxBins > 255:
		return fmt.Errorf("gbdt: max_bins %d outside [2, 255]", c.MaxBins)
	case c.EarlyStopping != "auto" && c.EarlyStopping != "true" && c.EarlyStopping != "false":
		return fmt.Errorf("gbdt: early_stopping %q is not auto, true or false", c.EarlyStopping)
	case !(c.ValidationFraction > 0 && c.ValidationFraction < 1):
		return fmt.Errorf("gbdt: validation_fraction %v outside (0, 1)", c.ValidationFraction)
	case c.NIterNoChange < 1:
		return fmt.Errorf("gbdt: n_iter_no_change %d below 1", c.NIterNoChange)
	case !(c.Tol >= 0) || math.IsInf(c.Tol, 0):
		return fmt.Errorf("gbdt: tol %v is not finite and non-negative", c.Tol)
	case c.ClassWeight != "none" && c.ClassWeight != "balanced" && c.ClassWeight != "":
		return fmt.Errorf("gbdt: class_weight %q is not none or balanced", c.ClassWeight)
	case c.SklearnThreads < 0 || c.SklearnThreads > maxSklearnThreads:
		return fmt.Errorf("gbdt: scikit-learn threads %d outside [0, %d]", c.SklearnThreads, maxSklearnThreads)
	}
	return nil
}

// Model is a fitted classifier.
type Model struct {
	d, classes int
	k          int       // trees per iteration: 1 for two classes, else classes
	baseline   []float64 // k raw predictions before any tree
	trees      []tree    // iteration after iteration, k trees each

	// ValidationScores are the early-stopping scores (minus the loss on
	// the held-out rows), the baseline's first; nil without early stopping.
	ValidationScores []float64
}

// tree is a fitted tree, node 0 its root, children after their parent.
type tree struct {
	nodes []node
}

// node is a predictor node: a split on feature (value <= threshold goes
// left, NaN as missingLeft says), or a leaf (feature < 0) of value.
type node struct {
	threshold   float64
	value       float64
	feature     int32
	left, right int32
	bin         uint8 // the split's bin, for binned rows
	missingLeft bool
}

// Features is the number of features the model was fitted on.
func (m *Model) Features() int { return m.d }

// Classes is the number of classes.
func (m *Model) Classes() int { return m.classes }

// Iterations is the number of boosting iterations kept (n_iter_).
func (m *Model) Iterations() int { return len(m.trees) / m.k }

// Fit fits a classifier on n = len(y) rows of x (row-major, d columns,
// finite) with labels in [0, classes), classes >= 2, at least two of them
// present. r draws the validation split and the binning subsample.
func Fit(x []float64, d int, y []int, classes int, cfg Config, r *rand.Rand) (*Model, error) {
	n := len(y)
	switch {
	case d < 1:
		return nil, fmt.Errorf("gbdt: %d features", d)
	case n < 1:
		return nil, errors.New("gbdt: no rows to fit")
	case len(x) != n*d:
		return nil, fmt.Errorf("gbdt: %d values for %d rows of %d features", len(x), n, d)
	case classes < 2 || classes > maxClasses:
		return nil, fmt.Errorf("gbdt: %d classes outside [2, %d]", classes, maxClasses)
	case n > math.MaxUint32:
		return nil, fmt.Errorf("gbdt: %d rows exceed 2^32-1", n)
	case r == nil:
		return nil, errors.New("gbdt: nil random source")
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	counts := make([]int, classes)
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("gbdt: label y[%d] = %d outside [0, %d)", i, c, classes)
		}
		counts[c]++
	}
	present := 0
	for _, c := range counts {
		if c > 0 {
			present++
		}
	}
	if present < 2 {
		return nil, errors.New("gbdt: the labels hold fewer than two classes")
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gbdt: x[%d][%d] = %v is not finite", i/d, i%d, v)
		}
	}
	workers := cfg.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	var sw []float64 // sample weights; nil: all one
	if cfg.ClassWeight == "balanced" {
		sw = make([]float64, n)
		for i, c := range y {
			sw[i] = float64(n) / (float64(present) * float64(counts[c]))
		}
	}
	early := cfg.EarlyStopping == "true" || (cfg.EarlyStopping == "auto" && n > earlyStoppingRows)
	var trainRows, valRows []int
	if early {
		var err error
		trainRows, valRows, err = stratifiedSplit(y, classes, cfg.ValidationFraction, r)
		if err != nil {
			return nil, err
		}
	} else {
		trainRows = make([]int, n)
		for i := range trainRows {
			trainRows[i] = i
		}
	}
	tm := newTeam(workers)
	defer tm.close()
	b := &booster{cfg: &cfg, tm: tm, d: d, classes: classes}
	return b.fit(x, y, sw, trainRows, valRows, r)
}

// stratifiedSplit is train_test_split(test_size=frac, stratify=y)'s
// StratifiedShuffleSplit: per class a random permutation, its first n_i
// rows to train and the next t_i to validation, n_i and t_i by
// _approximate_mode. Both are returned in ascending order.
func stratifiedSplit(y []int, classes int, frac float64, r *rand.Rand) (train, val []int, err error) {
	n := len(y)
	nTest := int(math.Ceil(frac * float64(n)))
	nTrain := n - nTest
	byClass := make([][]int, classes)
	for i, c := range y {
		byClass[c] = append(byClass[c], i)
	}
	counts := make([]int, classes)
	present := 0
	for c, rows := range byClass {
		counts[c] = len(rows)
		if len(rows) == 1 {
			return nil, nil, fmt.Errorf("gbdt: class %d has a single row, too few for the stratified validation split", c)
		}
		if len(rows) > 0 {
			present++
		}
	}
	if nTrain < present || nTest < present {
		return nil, nil, fmt.Errorf("gbdt: %d rows are too few for a stratified validation split of %d classes", n, present)
	}
	ni := approximateMode(counts, nTrain, r)
	rest := make([]int, classes)
	for c := range rest {
		rest[c] = counts[c] - ni[c]
	}
	ti := approximateMode(rest, nTest, r)
	side := make([]int8, n) // 1: training, 2: validation
	for c, rows := range byClass {
		p := slices.Clone(rows)
		r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		for _, i := range p[:ni[c]] {
			side[i] = 1
		}
		for _, i := range p[ni[c] : ni[c]+ti[c]] {
			side[i] = 2
		}
	}
	// both in ascending order (a pass over the rows rather than two sorts)
	train = make([]int, 0, nTrain)
	val = make([]int, 0, nTest)
	for i, s := range side {
		switch s {
		case 1:
			train = append(train, i)
		case 2:
			val = append(val, i)
		}
	}
	return train, val, nil
}

// approximateMode is scikit-learn's _approximate_mode: counts scaled to
// draws, floored, the remainder handed out by decreasing fractional part,
// ties drawn at random.
func approximateMode(counts []int, draws int, r *rand.Rand) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	cont := make([]float64, len(counts))
	out := make([]int, len(counts))
	sum := 0
	for i, c := range counts {
		cont[i] = float64(c) / float64(total) * float64(draws)
		out[i] = int(math.Floor(cont[i]))
		sum += out[i]
	}
	need := draws - sum
	if need <= 0 {
		return out
	}
	rem := make([]float64, len(counts))
	for i := range rem {
		rem[i] = cont[i] - float64(out[i])
	}
	vals := slices.Clone(rem)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	for v := len(vals) - 1; v >= 0 && need > 0; v-- {
		var inds []int
		for i, x := range rem {
			if x == vals[v] {
				inds = append(inds, i)
			}
		}
		r.Shuffle(len(inds), func(i, j int) { inds[i], inds[j] = inds[j], inds[i] })
		add := min(len(inds), need)
		for _, i := range inds[:add] {
			out[i]++
		}
		need -= add
	}
	return out
}
