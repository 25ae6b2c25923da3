// Package forest grows CART classification trees and random forests the way
// scikit-learn 1.2.1's RandomForestClassifier does (sklearn/ensemble/_forest.py,
// sklearn/tree/_splitter.pyx, _criterion.pyx, _tree.pyx).
//
// # The forest
//
// Fit draws one seed per tree from the caller's random source, in tree
// order, before any tree is grown; each tree is then a function of its seed
// alone, so the result does not depend on how many goroutines grow them.
// With Bootstrap each tree draws n rows with replacement and turns the draw
// into integer multiplicities: a row drawn k times is one sample of weight k,
// a row never drawn is absent. With ClassWeight "balanced" a row of class c
// also carries
//
//	w_c = n / (K * count_c)
//
// (n rows, K classes present in y, count_c rows of class c in the full y),
// multiplied into its multiplicity as scikit-learn does.
//
// # A tree
//
// Trees grow depth first, left child first, so node 0 is the root and a
// left child is numbered right after its parent, as in scikit-learn's
// tree_. A node becomes a leaf when it is pure (Gini impurity <= machine
// epsilon), holds fewer than max(MinSamplesSplit, 2*MinSamplesLeaf) distinct
// rows, sits at MaxDepth, or has no valid split. Otherwise features are
// drawn without replacement by a partial Fisher-Yates shuffle until
// MaxFeatures have been drawn and at least one of them is not constant in
// the node (max <= min + 1e-7 in float32): more than MaxFeatures are drawn
// only while all drawn so far are constant. Constant features are
// remembered, and a descendant that draws one again skips it without
// looking at its rows. For each drawn non-constant feature the node's rows
// are taken in ascending order of the feature and every boundary between
// two values more than 1e-7 apart that leaves at least MinSamplesLeaf
// distinct rows on each side is scored by the Gini proxy
//
//	proxy = -w_R * gini_R - w_L * gini_L,   gini = 1 - sum_c (w_c / w)^2
//
// where w are weighted class counts (multiplicity times class weight). A
// candidate replaces the best so far only if its proxy is strictly greater,
// so the first of equally good splits wins. The threshold is
//
//	t = v[p-1]/2 + v[p]/2
//
// computed in float64 from the float32 values either side of the boundary
// (v[p-1] if that rounds up to v[p]); a row goes left when float32(x) <= t,
// at fit and at predict time alike, because scikit-learn casts X to float32.
//
// # Class weights and rounding
//
// Without class weights every weight is an integer and every sum exact, so
// a tree is fully determined by its bootstrap draw and its feature draws;
// on data where those do not matter (one tree, no bootstrap, all features)
// the trees are scikit-learn's bit for bit. With balanced class weights the
// weights are fractions and scikit-learn's sums depend on the order of the
// rows: a child's impurity, computed by the parent as sum_total - sum_left,
// can be a residue of about 1e-15 where it should be 0, and a pure node
// whose residue exceeds EPSILON is split once more, at the first boundary
// scored, into two pure leaves. About a quarter of the splits of a balanced
// forest on the case study's flows are such. This package sums the weights
// row by row as scikit-learn does, so it makes such splits at the same rate
// (not on the same nodes: its row orders differ). They change no
// prediction and add nothing measurable to the importances, but they do
// show in NodeCount, MaxDepth and ExportText.
//
// # Predictions and importances
//
// A tree's class probabilities are its leaf's weighted class counts
// normalised to sum to one; the forest averages them over its trees. The
// Gini importance of a feature sums, over the nodes split on it,
//
//	w * gini - w_L * gini_L - w_R * gini_R
//
// divided by the root weight and normalised per tree; the forest averages
// the trees that have at least one split and normalises again.
//
// # The hist splitter
//
// With Config.Splitter "hist" a node's split is found from histograms, as
// LightGBM and scikit-learn's HistGradientBoosting find theirs; the forest
// is otherwise the one above: the same bootstrap and feature draws from
// the same seeds, Gini proxy, stopping rules, class weights, constant
// features and node numbering, and its trees are ordinary Trees.
//
// Fit bins every column once, as scikit-learn's _BinMapper does
// (sklearn/ensemble/_hist_gradient_boosting/binning.py): a column with at
// most MaxBins distinct float32 values (1e-7 apart or less counting as
// one) gets a bin per value, with an edge midway between neighbours as
// the exact splitter's threshold there; a column with more gets the
// midpoint percentiles 100*k/MaxBins (k = 1..MaxBins-1) of all its values
// as edges (scikit-learn takes them from a subsample of 200,000 rows).
// Bin b holds the values v with edge[b-1] < v <= edge[b], one byte a value,
// column by column. At a node, each drawn feature's histogram sums the
// node's rows' multiplicities per bin and class, and counts its distinct
// rows per bin; a feature whose rows fill one bin is constant. The
// candidates are the boundaries after each non-empty bin that leave at
// least MinSamplesLeaf distinct rows on each side, scored by the Gini
// proxy above, the first of equal ones winning; the threshold is the
// upper edge of the last bin going left, so float32(x) <= threshold sends
// a row where its bin went. A node's weighted class counts are its
// multiplicities per class times the class weights, which do not depend
// on the order of its rows: a pure node has impurity 0 and is never split
// on rounding residue.
//
// Where no column has more values than bins, every boundary the exact
// splitter scores is a bin edge and the two splitters grow the same trees
// (without class weights), but for thresholds where the node lacks values
// of the column: the exact splitter's lies midway between the node's
// neighbouring values, the hist splitter's at the edge above the left
// one. With more values than bins the hist splitter sees fewer
// candidates, and its trees differ.
//
// The histograms cost O(rows) per feature and node, no sort, and the
// rows are kept in ascending order within each node so the one-byte
// columns are read in order. The hist splitter holds the binned columns
// (one byte per value) and, per worker, about 20 bytes per row; it takes
// at most 2^24-1 rows.
//
// # Speed
//
// Fit converts X once to float32 columns, radix-sorts every column once
// and ranks its values among the column's distinct ones, in 1, 2 or 4
// bytes by their number; all trees share that. Without class weights
// every weight is an integer and every sum exact in any order, so what
// decides a split is the class multiplicities per distinct value: a node
// scores a feature from a histogram of its rows' ranks when they span few
// values (with two classes a bin packs its distinct rows and both classes'
// multiplicities in one word), else by radix-sorting the ranks, and
// partitions its rows stably by the ranks of the split feature. With class
// weights, whose sums depend on their order, a node holding a large share
// of the rows reads a column's global order and keeps its own rows (one
// pass without branches), and a smaller node radix-sorts its rows'
// values, the weights summed row by row in that order as scikit-learn
// sums them. Candidates whose proxy provably cannot beat the best so far
// are skipped without dividing; the others are scored with scikit-learn's
// formula, so the choice is the same. Scratch buffers belong to a worker
// and are reused from tree to tree, so growing a tree allocates only the
// tree. Prediction walks flat node arrays and does not allocate.
package forest

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Config configures a forest; see scikit-learn's RandomForestClassifier.
// DefaultConfig gives scikit-learn's defaults.
type Config struct {
	Trees           int    // number of trees, >= 1 (n_estimators)
	MaxFeatures     int    // features drawn per split, 1..d (resolve names with MaxFeaturesFor)
	MaxDepth        int    // 0: unlimited
	MinSamplesSplit int    // >= 2; a node needs max(MinSamplesSplit, 2*MinSamplesLeaf) distinct rows to split
	MinSamplesLeaf  int    // >= 1 distinct rows on each side of a split
	ClassWeight     string // "" or "none": unweighted; "balanced": n / (K * count_c) on the full y
	Bootstrap       bool   // n draws with replacement per tree, as sample weights
	Workers         int    // goroutines for fitting (PredictProbaAll takes its own); <= 0 means 1. Results never depend on it.
	Splitter        string // "" or "exact": scikit-learn's split search over sorted values; "hist": over binned features (see the package doc)
	MaxBins         int    // hist only: bins per feature, 2..255; 0 means DefaultMaxBins. Must be 0 with the exact splitter.
}

// DefaultConfig returns scikit-learn 1.2.1's RandomForestClassifier
// defaults for d features: 100 trees, max_features "sqrt", unlimited
// depth, min_samples_split 2, min_samples_leaf 1, bootstrap, no class
// weights, one worker.
func DefaultConfig(d int) Config {
	maxFeatures, err := MaxFeaturesFor("sqrt", d)
	if err != nil {
		panic(fmt.Sprintf("forest: %v", err))
	}
	return Config{Trees: 100, MaxFeatures: maxFeatures, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true, Workers: 1}
}

// MaxFeaturesFor resolves scikit-learn's max_features for d columns:
//
//	"sqrt" ("auto", "") max(1, int(sqrt(d))), RandomForestClassifier's default
//	"log2"              max(1, int(log2(d)))
//	"all" (or "none")   d
//	"k", an integer     k, an error unless 1 <= k <= d
//	"f", a fraction     max(1, int(f*d)), an error unless 0 < f <= 1
func MaxFeaturesFor(spec string, d int) (int, error) {
	if d < 1 {
		return 0, fmt.Errorf("forest: max_features for %d features", d)
	}
	switch strings.ToLower(strings.TrimSpace(spec)) {
	case "sqrt", "auto", "":
		return max(1, int(math.Sqrt(float64(d)))), nil
	case "log2":
		return max(1, int(math.Log2(float64(d)))), nil
	case "all", "none":
		return d, nil
	}
	if k, err := strconv.Atoi(spec); err == nil {
		if k < 1 || k > d {
			return 0, fmt.Errorf("forest: max_features %d outside [1, %d]", k, d)
		}
		return k, nil
	}
	f, err := strconv.ParseFloat(spec, 64)
	if err != nil {
		return 0, fmt.Errorf("forest: max_features %q is not sqrt, log2, all, an integer or a fraction", spec)
	}
	if !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("forest: max_features fraction %v outside (0, 1]", f)
	}
	return max(1, int(f*float64(d))), nil
}

// Forest is a fitted random forest. It is safe for concurrent use.
type Forest struct {
	trees    []*Tree
	classes  int
	features int
}

// Fit grows cfg.Trees trees on x (row-major, n rows of d columns, n =
// len(y)) with labels y in [0, classes). Per-tree seeds are drawn from r
// (two Uint64 per tree) in tree order before any tree is grown, so results
// do not depend on cfg.Workers.
//
// With the exact splitter Fit holds x as float32 columns with each
// value's rank among its column's distinct values (5 to 8 bytes per
// value, and 4 per distinct value) and, per worker, about 50 bytes per
// row of scratch, up to 8*classes+12 more where a column has about as
// many distinct values as rows; with class weights, each column's sort
// order as well (8 more bytes per value) and about 40 bytes per row per
// worker instead.
// With the hist splitter Fit holds x's bins (1 byte per value) and, per
// worker, about 20 bytes per row.
//
// Fit panics on misuse: len(x) != len(y)*d, no rows (more than 2^24-1
// with the hist splitter), classes outside [1, 256], a label outside
// [0, classes), a value of x that is NaN or infinite as a float32, or a
// Config outside its documented ranges.
// FitChecked returns these as errors instead.
func Fit(x []float64, d int, y []int, classes int, cfg Config, r *rand.Rand) *Forest {
	f, err := FitChecked(x, d, y, classes, cfg, r)
	if err != nil {
		panic(err.Error())
	}
	return f
}

// FitChecked is Fit for data from outside the program: what Fit panics
// on, it returns as an error, a value of x that is NaN or infinite as a
// float32 as an *InputError naming its row and column (see CheckInput).
// The forest is Fit's, bit for bit.
func FitChecked(x []float64, d int, y []int, classes int, cfg Config, r *rand.Rand) (*Forest, error) {
	n := len(y)
	switch {
	case d < 1:
		return nil, fmt.Errorf("forest: %d features", d)
	case n < 1:
		return nil, errors.New("forest: no rows to fit")
	case len(x) != n*d:
		return nil, fmt.Errorf("forest: %d values for %d rows of %d features", len(x), n, d)
	case classes < 1 || classes > maxClasses:
		return nil, fmt.Errorf("forest: %d classes outside [1, %d]", classes, maxClasses)
	case r == nil:
		return nil, errors.New("forest: nil random source")
	}
	p, err := checkConfig(cfg, d)
	if err != nil {
		return nil, err
	}
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("forest: label y[%d] = %d outside [0, %d)", i, c, classes)
		}
	}
	if bits.Len(uint(n))+bits.Len(uint(classes-1)) > 32 { // newDataset's row state
		return nil, fmt.Errorf("forest: %d rows of %d classes exceed the 32-bit row state", n, classes)
	}
	if err := CheckInput(x, d); err != nil {
		return nil, err
	}
	if p.hist {
		if n > maxHistRows {
			return nil, fmt.Errorf("forest: %d rows exceed the hist splitter's %d", n, maxHistRows)
		}
		return fitHist(x, n, d, y, classes, cfg, p, drawSeeds(cfg.Trees, r)), nil
	}
	data := newDataset(x, n, d, y, classes)
	if p.balanced {
		data.classWeight = balancedWeights(y, classes)
	}
	builders := make([]*builder, min(max(cfg.Workers, 1), cfg.Trees))
	for w := range builders {
		builders[w] = newBuilder(data, p)
	}
	data.presort(builders, p.balanced)

	seeds := drawSeeds(cfg.Trees, r)
	f := &Forest{trees: make([]*Tree, cfg.Trees), classes: classes, features: d}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, b := range builders {
		wg.Go(func() {
			for {
				t := int(next.Add(1) - 1)
				if t >= cfg.Trees {
					return
				}
				f.trees[t] = b.grow(rand.NewPCG(seeds[t][0], seeds[t][1]), nil)
			}
		})
	}
	wg.Wait()
	return f, nil
}

// drawSeeds draws each tree's seed from r, two Uint64 per tree in tree
// order.
func drawSeeds(trees int, r *rand.Rand) [][2]uint64 {
	seeds := make([][2]uint64, trees)
	for t := range seeds {
		seeds[t] = [2]uint64{r.Uint64(), r.Uint64()}
	}
	return seeds
}

// InputError is a value of the training data that a forest cannot take:
// NaN, or infinite once cast to float32 (beyond ±math.MaxFloat32), as
// scikit-learn's check_array refuses it.
type InputError struct {
	Row, Column int // 0-based
	Value       float64
}

func (e *InputError) Error() string {
	return fmt.Sprintf("forest: x[%d][%d] = %v is not a finite float32", e.Row, e.Column, e.Value)
}

// CheckInput returns an *InputError for the first value of x (row-major,
// rows of d values) that is NaN or infinite as a float32, or nil.
func CheckInput(x []float64, d int) error {
	for k, v := range x {
		if v32 := float32(v); v32-v32 != 0 { // NaN or ±Inf, after rounding
			return &InputError{Row: k / max(d, 1), Column: k % max(d, 1), Value: v}
		}
	}
	return nil
}

// params is a validated Config in the form the tree builder uses.
type params struct {
	maxFeatures int
	maxDepth    int // math.MaxInt32 for unlimited, as scikit-learn
	minSplit    int // max(MinSamplesSplit, 2*MinSamplesLeaf)
	minLeaf     int
	balanced    bool
	bootstrap   bool
	hist        bool // the hist splitter
	maxBins     int  // its bins per feature
}

// validate is checkConfig for a Config known to be valid; it panics on
// an invalid one.
func validate(cfg Config, d int) params {
	p, err := checkConfig(cfg, d)
	if err != nil {
		panic(err.Error())
	}
	return p
}

// checkConfig validates cfg for d features.
func checkConfig(cfg Config, d int) (params, error) {
	switch {
	case cfg.Trees < 1:
		return params{}, fmt.Errorf("forest: %d trees", cfg.Trees)
	case cfg.MaxFeatures < 1 || cfg.MaxFeatures > d:
		return params{}, fmt.Errorf("forest: MaxFeatures %d outside [1, %d]", cfg.MaxFeatures, d)
	case cfg.MaxDepth < 0:
		return params{}, fmt.Errorf("forest: MaxDepth %d < 0", cfg.MaxDepth)
	case cfg.MinSamplesSplit < 2:
		return params{}, fmt.Errorf("forest: MinSamplesSplit %d < 2", cfg.MinSamplesSplit)
	case cfg.MinSamplesLeaf < 1:
		return params{}, fmt.Errorf("forest: MinSamplesLeaf %d < 1", cfg.MinSamplesLeaf)
	}
	p := params{
		maxFeatures: cfg.MaxFeatures,
		maxDepth:    math.MaxInt32,
		minSplit:    max(cfg.MinSamplesSplit, 2*cfg.MinSamplesLeaf),
		minLeaf:     cfg.MinSamplesLeaf,
		bootstrap:   cfg.Bootstrap,
	}
	if cfg.MaxDepth > 0 {
		p.maxDepth = cfg.MaxDepth
	}
	switch strings.ToLower(cfg.ClassWeight) {
	case "", "none":
	case "balanced":
		p.balanced = true
	default:
		return params{}, fmt.Errorf("forest: ClassWeight %q is not \"\", \"none\" or \"balanced\"", cfg.ClassWeight)
	}
	switch cfg.Splitter {
	case "", SplitterExact:
		if cfg.MaxBins != 0 {
			return params{}, fmt.Errorf("forest: MaxBins %d is for the hist splitter; the exact splitter takes 0", cfg.MaxBins)
		}
	case SplitterHist:
		p.hist = true
		p.maxBins = cfg.MaxBins
		if p.maxBins == 0 {
			p.maxBins = DefaultMaxBins
		}
		if p.maxBins < 2 || p.maxBins > 255 {
			return params{}, fmt.Errorf("forest: MaxBins %d outside [2, 255]", cfg.MaxBins)
		}
	default:
		return params{}, fmt.Errorf("forest: Splitter %q is not \"\", %q or %q", cfg.Splitter, SplitterExact, SplitterHist)
	}
	return p, nil
}

// balancedWeights is scikit-learn's compute_class_weight("balanced"):
// n / (K * count_c) for the K classes present in y. A class absent from y
// gets weight 0; it has no rows to weigh.
func balancedWeights(y []int, classes int) []float64 {
	counts := make([]int, classes)
	for _, c := range y {
		counts[c]++
	}
	present := 0
	for _, k := range counts {
		if k > 0 {
			present++
		}
	}
	w := make([]float64, classes)
	for c, k := range counts {
		if k > 0 {
			w[c] = float64(len(y)) / (float64(present) * float64(k))
		}
	}
	return w
}

// Classes returns the number of classes the forest was fitted with.
func (f *Forest) Classes() int { return f.classes }

// Features returns the number of features (columns) the forest expects.
func (f *Forest) Features() int { return f.features }

// Trees returns the fitted trees in order. They are shared, not copied.
func (f *Forest) Trees() []*Tree { return f.trees }

// PredictProba writes the class probabilities of one row into out:
//
//	out[c] = (1/T) * sum over trees of value_leaf[c] / sum_k value_leaf[k]
//
// with the row sent down each tree by float32(row[f]) <= threshold. It does
// not allocate. It panics unless len(row) == Features() and len(out) ==
// Classes().
func (f *Forest) PredictProba(row []float64, out []float64) {
	if len(row) != f.features {
		panic(fmt.Sprintf("forest: row of %d values for %d features", len(row), f.features))
	}
	if len(out) != f.classes {
		panic(fmt.Sprintf("forest: out of %d values for %d classes", len(out), f.classes))
	}
	f.predictRow(row, out)
}

func (f *Forest) predictRow(row, out []float64) {
	clear(out)
	for _, t := range f.trees {
		leaf := t.leafOffset(row)
		for c, p := range t.proba[leaf : leaf+len(out)] {
			out[c] += p
		}
	}
	trees := float64(len(f.trees))
	for c := range out {
		out[c] /= trees
	}
}

// PredictProbaAll returns the class probabilities of every row of x
// (row-major, len(x) a multiple of Features()) as n*Classes() values, row
// after row, computed by workers goroutines (<= 0 means 1). The result is
// the same for any workers. It panics if len(x) is not a multiple of
// Features().
func (f *Forest) PredictProbaAll(x []float64, workers int) []float64 {
	d, k := f.features, f.classes
	if len(x)%d != 0 {
		panic(fmt.Sprintf("forest: %d values are not rows of %d features", len(x), d))
	}
	n := len(x) / d
	out := make([]float64, n*k)
	workers = max(min(workers, n/64), 1)
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f.predictRow(x[i*d:(i+1)*d], out[i*k:(i+1)*k])
				}
			}
		})
	}
	wg.Wait()
	return out
}

// Predict returns the most probable class of one row, the first class on a
// tie (numpy's argmax), as RandomForestClassifier.predict. It panics as
// PredictProba does.
func (f *Forest) Predict(row []float64) int {
	if len(row) != f.features {
		panic(fmt.Sprintf("forest: row of %d values for %d features", len(row), f.features))
	}
	var buf [16]float64
	var out []float64
	if f.classes <= len(buf) {
		out = buf[:f.classes]
	} else {
		out = make([]float64, f.classes)
	}
	f.predictRow(row, out)
	return Argmax(out)
}

// Importances returns the Gini importances as scikit-learn's
// feature_importances_: each tree's normalised importances (Tree.Importances)
// averaged over the trees that have at least one split, then divided by
// their sum. All zeros if no tree splits, or if no split decreased impurity
// (where scikit-learn would divide 0 by 0).
func (f *Forest) Importances() []float64 {
	sum := make([]float64, f.features)
	split := 0
	for _, t := range f.trees {
		if t.NodeCount() <= 1 {
			continue
		}
		split++
		for i, v := range t.Importances() {
			sum[i] += v
		}
	}
	if split == 0 {
		return sum
	}
	total := 0.0
	for i := range sum {
		sum[i] /= float64(split)
		total += sum[i]
	}
	if total > 0 {
		for i := range sum {
			sum[i] /= total
		}
	}
	return sum
}

// Argmax returns the index of the largest value, the first on ties (as
// numpy's argmax, which RandomForestClassifier.predict uses).
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
