// Package iforest is a port of scikit-learn 1.2.1's IsolationForest
// (sklearn/ensemble/_iforest.py), the notebook's unsupervised detector.
//
// # The model
//
// An isolation tree is grown on max_samples rows drawn without replacement
// from the n training rows. A node holding more than one row and lying above
// the depth limit ceil(log2(max(max_samples, 2))) is split on a feature drawn
// uniformly among the features that are not constant in the node, at a
// threshold drawn uniformly in [min, max) of that feature's values in the
// node: rows with x <= threshold go left, the others right. A node becomes a
// leaf when it reaches the depth limit, holds one row, or all its features
// are constant. This is scikit-learn's ExtraTreeRegressor with
// max_features=1 and splitter="random" as IsolationForest configures it
// (sklearn/tree/_splitter.pyx, RandomSplitter.node_split): a feature is
// constant when max <= min + 1e-7, constant features do not count as the
// one feature drawn, and a threshold that rounds to max is replaced by min.
//
// A row's path length in a tree is the depth of the leaf it falls in plus
// c(m), the average path length of an unsuccessful binary-search-tree search
// among the m training rows the leaf holds (AveragePathLength), which
// accounts for the subtree the depth limit cut off. Over T trees,
//
//	E(x) = sum over trees of (depth + c(m)),  s(x) = 2^(-E(x) / (T c(max_samples)))
//
// s is the anomaly score of the original paper (Liu, Ting and Zhou 2008), in
// (0, 1], near 1 for anomalies; scikit-learn's score_samples is -s. The
// decision function is score_samples - offset_, negative for anomalies. With
// contamination "auto" offset_ = -0.5; with contamination c it is the
// 100c-th percentile (numpy's linear interpolation, Percentile) of the
// training rows' score_samples, so that a fraction c of the training rows
// fall below it.
//
// # What is and is not reproduced
//
// As scikit-learn, the data are rounded to float32 at fit and at scoring
// (the trees' apply and decision_path convert X to float32), thresholds are
// float64 and the test is float64(float32(x)) <= threshold. Each tree's
// terms are added in tree order in float64 as scikit-learn does, so a score
// does not depend on how rows are split among goroutines.
//
// Random streams differ from numpy's, so forests equal scikit-learn's in
// distribution, not draw for draw. scikit-learn also fits each tree's
// ExtraTreeRegressor on uniform random targets and would stop at a node
// whose targets have variance below 2.2e-16 (two rows whose targets agree to
// 3e-8); that happens with probability ~1e-7 per node and is not reproduced.
// scikit-learn's max_samples as a fraction, bootstrap, max_features < 1,
// sample weights, warm start and sparse input are not ported.
//
// # Layout
//
// Nodes of all trees live in one flat array. A leaf's two children are the
// leaf itself, so scoring takes exactly height(tree) steps with no leaf
// test, and a block of rows is pushed through one tree at a time while the
// tree sits in L1 cache.
package iforest

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// eulerGamma is the Euler-Mascheroni constant as numpy.euler_gamma.
const eulerGamma = 0.5772156649015329

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: a feature whose
// values in a node span at most this much is constant there.
const featureThreshold = 1e-7

// autoMaxSamples is scikit-learn's max_samples="auto" cap, min(256, n).
const autoMaxSamples = 256

// ErrMaxSamplesTooLarge is wrapped by the warning recorded when
// Config.MaxSamples exceeds the number of training rows, as scikit-learn warns
// "max_samples (%s) is greater than the total number of samples (%s)".
var ErrMaxSamplesTooLarge = errors.New("iforest: max_samples is greater than the number of training rows")

// Config configures a forest; the zero value plus Trees: 100 is
// scikit-learn's IsolationForest() default.
type Config struct {
	Trees         int     // n_estimators, >= 1 (scikit-learn default 100)
	MaxSamples    int     // rows per tree, drawn without replacement; 0: "auto" = min(256, n); larger than n: n (scikit-learn warns; recorded in Forest.Warnings)
	Contamination float64 // 0: "auto" (offset_ = -0.5); otherwise in (0, 0.5]: offset_ = the 100*c-th percentile of the training score_samples, numpy's linear interpolation
	Workers       int     // goroutines; <= 0 means 1. Results never depend on it.
}

// node is one node of a tree. For a split, rows with x[feature] <= threshold
// go to child[0], the others to child[1]; a leaf's children are itself.
type node struct {
	feature   int32
	threshold float32 // the largest float32 <= scikit-learn's float64 threshold, -0 stored as +0
	child     [2]int32
}

// Forest is a fitted isolation forest. It is safe for concurrent use.
type Forest struct {
	nodes  []node    // all trees, each in preorder
	values []float64 // per node; for a leaf, depth + c(rows in leaf) as scikit-learn adds it
	roots  []int32   // per tree, the root's index in nodes
	height []int32   // per tree, the depth of its deepest leaf

	d          int
	maxSamples int
	maxDepth   int
	norm       float64 // T * c(max_samples), the denominator of the score's exponent
	offset     float64
	warnings   []error
}

// AveragePathLength returns c(n), the average path length of an
// unsuccessful search in a binary search tree of n keys, scikit-learn's
// _average_path_length:
//
//	c(n) = 0 for n <= 1, 1 for n = 2, else 2(ln(n-1) + γ) - 2(n-1)/n,
//
// with γ = 0.5772156649... the Euler-Mascheroni constant.
func AveragePathLength(n int) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	m := float64(n)
	return 2*(math.Log(m-1)+eulerGamma) - 2*(m-1)/m
}

// Fit builds a forest on the n = len(x)/d rows of x (row-major). The data are
// rounded to float32 first, as scikit-learn does.
//
// Randomness: for each tree in order, two words are drawn from r to seed a
// PCG generator of its own, which draws the tree's rows (Floyd's algorithm)
// and then its splits, depth first, left before right. The forest therefore
// depends on r alone, never on cfg.Workers.
//
// With cfg.Contamination > 0 the training rows are scored to set the offset,
// which is most of Fit's cost.
//
// Fit panics if d < 1, x is empty or not a whole number of rows, a value is
// not finite once rounded to float32 (scikit-learn rejects it), cfg.Trees < 1,
// cfg.MaxSamples < 0, cfg.Contamination is outside [0, 0.5], or r is nil.
// FitChecked returns these as errors instead.
func Fit(x []float64, d int, cfg Config, r *rand.Rand) *Forest {
	f, err := FitChecked(x, d, cfg, r)
	if err != nil {
		panic(err.Error())
	}
	return f
}

// InputError is a value of the data that an isolation forest cannot take:
// NaN, or infinite once rounded to float32 (beyond ±math.MaxFloat32).
type InputError struct {
	Index       int // in x
	Row, Column int // 0-based
	Value       float64
}

func (e *InputError) Error() string {
	return fmt.Sprintf("iforest: x[%d] (row %d, column %d) = %v is not finite as float32", e.Index, e.Row, e.Column, e.Value)
}

// CheckInput returns an *InputError for the first value of x (row-major,
// rows of d values) that is NaN or infinite once rounded to float32, or
// nil.
func CheckInput(x []float64, d int) error {
	d = max(d, 1)
	for i, v := range x {
		if f := float32(v); f-f != 0 { // NaN or ±Inf, after rounding
			return &InputError{Index: i, Row: i / d, Column: i % d, Value: v}
		}
	}
	return nil
}

// FitChecked is Fit for data from outside the program: what Fit panics
// on, it returns as an error, a value of x it cannot take as an
// *InputError (see CheckInput). The forest is Fit's, bit for bit.
func FitChecked(x []float64, d int, cfg Config, r *rand.Rand) (*Forest, error) {
	if d < 1 {
		return nil, fmt.Errorf("iforest: %d features", d)
	}
	if len(x) == 0 || len(x)%d != 0 {
		return nil, fmt.Errorf("iforest: len(x) = %d is not a positive multiple of d = %d", len(x), d)
	}
	if cfg.Trees < 1 {
		return nil, fmt.Errorf("iforest: Trees = %d, need >= 1", cfg.Trees)
	}
	if cfg.MaxSamples < 0 {
		return nil, fmt.Errorf("iforest: MaxSamples = %d, need >= 0 (0 is auto)", cfg.MaxSamples)
	}
	if !(cfg.Contamination >= 0 && cfg.Contamination <= 0.5) {
		return nil, fmt.Errorf("iforest: Contamination = %v, need 0 (auto) or a value in (0, 0.5]", cfg.Contamination)
	}
	if r == nil {
		return nil, errors.New("iforest: nil random source")
	}
	if err := CheckInput(x, d); err != nil {
		return nil, err
	}
	n := len(x) / d
	workers := max(cfg.Workers, 1)

	f := &Forest{d: d}
	switch {
	case cfg.MaxSamples == 0:
		f.maxSamples = min(autoMaxSamples, n)
	case cfg.MaxSamples > n:
		f.warnings = append(f.warnings, fmt.Errorf("%w (max_samples %d, %d rows); max_samples set to %d",
			ErrMaxSamplesTooLarge, cfg.MaxSamples, n, n))
		f.maxSamples = n
	default:
		f.maxSamples = cfg.MaxSamples
	}
	// ceil(log2(max(max_samples, 2))), in integers.
	f.maxDepth = bits.Len(uint(max(f.maxSamples, 2) - 1))
	f.norm = float64(cfg.Trees) * AveragePathLength(f.maxSamples)

	seeds := make([][2]uint64, cfg.Trees)
	for i := range seeds {
		seeds[i] = [2]uint64{r.Uint64(), r.Uint64()}
	}
	trees := make([]tree, cfg.Trees)
	parallel(cfg.Trees, workers, func(next func() (int, bool)) {
		b := newBuilder(x, n, d, f.maxSamples, f.maxDepth)
		for i, ok := next(); ok; i, ok = next() {
			trees[i] = b.build(seeds[i])
		}
	})
	f.assemble(trees)

	if cfg.Contamination == 0 {
		f.offset = -0.5 // the original paper's threshold on s, 0.5
	} else {
		f.offset = Percentile(f.ScoreSamples(x, workers), 100*cfg.Contamination)
	}
	return f, nil
}

// tree is one tree as built, with indices local to it.
type tree struct {
	nodes  []node
	values []float64
	height int
}

// assemble lays the trees out in one array, in tree order.
func (f *Forest) assemble(trees []tree) {
	total := 0
	for _, t := range trees {
		total += len(t.nodes)
	}
	if total > math.MaxInt32 {
		panic("iforest: forest too large")
	}
	f.nodes = make([]node, 0, total)
	f.values = make([]float64, 0, total)
	f.roots = make([]int32, len(trees))
	f.height = make([]int32, len(trees))
	for i, t := range trees {
		base := int32(len(f.nodes))
		f.roots[i] = base
		f.height[i] = int32(t.height)
		for _, nd := range t.nodes {
			nd.child[0] += base
			nd.child[1] += base
			f.nodes = append(f.nodes, nd)
		}
		f.values = append(f.values, t.values...)
	}
}

// builder holds one goroutine's scratch space for growing trees.
type builder struct {
	x                 []float64
	n, d, k, maxDepth int

	taken []uint64  // bitmap over the n rows for Floyd's sampling, cleared after each tree
	rows  []int     // the k sampled rows
	cols  []float32 // the sample, column-major: cols[f*k+i] is feature f of sampled row i
	idx   []int32   // sample positions, partitioned node by node
	feats []int32   // features; a node's known-constant ones come first

	rng *rand.Rand
	pcg *rand.PCG
	t   tree
}

func newBuilder(x []float64, n, d, k, maxDepth int) *builder {
	pcg := rand.NewPCG(0, 0)
	return &builder{
		x: x, n: n, d: d, k: k, maxDepth: maxDepth,
		taken: make([]uint64, (n+63)/64),
		rows:  make([]int, 0, k),
		cols:  make([]float32, d*k),
		idx:   make([]int32, k),
		feats: make([]int32, d),
		pcg:   pcg,
		rng:   rand.New(pcg),
	}
}

// build grows one tree from its seed.
func (b *builder) build(seed [2]uint64) tree {
	b.pcg.Seed(seed[0], seed[1])

	// Floyd's algorithm: k distinct rows of n, uniformly, in k draws.
	b.rows = b.rows[:0]
	for j := b.n - b.k; j < b.n; j++ {
		t := b.rng.IntN(j + 1)
		if b.taken[t/64]&(1<<(t%64)) != 0 {
			t = j
		}
		b.taken[t/64] |= 1 << (t % 64)
		b.rows = append(b.rows, t)
	}
	for i, row := range b.rows {
		b.taken[row/64] = 0
		for f, v := range b.x[row*b.d : (row+1)*b.d] {
			b.cols[f*b.k+i] = float32(v)
		}
		b.idx[i] = int32(i)
	}
	for f := range b.feats {
		b.feats[f] = int32(f)
	}

	// A tree on k rows has at most 2k-1 nodes; most are far smaller.
	size := min(2*b.k-1, 1023)
	b.t = tree{nodes: make([]node, 0, size), values: make([]float64, 0, size)}
	b.grow(0, b.k, 0, 0)
	return b.t
}

// grow builds the node for sample positions idx[start:end] at depth, whose
// first known features are constant in it, and returns its index.
func (b *builder) grow(start, end, depth, known int) int32 {
	id := int32(len(b.t.nodes))
	b.t.nodes = append(b.t.nodes, node{child: [2]int32{id, id}})
	b.t.values = append(b.t.values, 0)
	b.t.height = max(b.t.height, depth)
	rows := end - start
	if depth >= b.maxDepth || rows < 2 {
		b.t.values[id] = leafValue(depth, rows)
		return id
	}
	idx := b.idx[start:end]
	// Draw features until one is not constant here; constant ones are moved
	// to the known prefix, which the children inherit.
	for known < b.d {
		j := known + b.rng.IntN(b.d-known)
		feature := b.feats[j]
		col := b.cols[int(feature)*b.k : (int(feature)+1)*b.k]
		lo := col[idx[0]]
		hi := lo
		for _, s := range idx[1:] {
			if v := col[s]; v < lo {
				lo = v
			} else if v > hi {
				hi = v
			}
		}
		if float64(hi) <= float64(lo)+featureThreshold {
			b.feats[j], b.feats[known] = b.feats[known], feature
			known++
			continue
		}
		// rand_uniform(min, max) in float64; a draw that rounds to max
		// would send every row left.
		threshold := (float64(hi)-float64(lo))*b.rng.Float64() + float64(lo)
		if threshold == float64(hi) {
			threshold = float64(lo)
		}
		t32 := roundDown32(threshold)
		p, q := 0, len(idx)
		for p < q {
			if col[idx[p]] <= t32 {
				p++
			} else {
				q--
				idx[p], idx[q] = idx[q], idx[p]
			}
		}
		left := b.grow(start, start+p, depth+1, known)
		right := b.grow(start+p, end, depth+1, known)
		b.t.nodes[id] = node{feature: feature, threshold: t32, child: [2]int32{left, right}}
		return id
	}
	b.t.values[id] = leafValue(depth, rows)
	return id
}

// leafValue is a leaf's term in E(x), computed as scikit-learn does:
// (nodes on the decision path) + c(rows) - 1.
func leafValue(depth, rows int) float64 {
	return float64(depth+1) + AveragePathLength(rows) - 1
}

// roundDown32 returns the largest float32 <= t (with -0 as +0). For a
// float32 x, x <= roundDown32(t) exactly when float64(x) <= t, which is
// scikit-learn's test of a float32 feature against a float64 threshold.
func roundDown32(t float64) float32 {
	t32 := float32(t)
	if float64(t32) > t {
		t32 = math.Nextafter32(t32, float32(math.Inf(-1)))
	}
	if t32 == 0 {
		t32 = 0
	}
	return t32
}

// Trees returns the number of trees.
func (f *Forest) Trees() int { return len(f.roots) }

// Features returns d, the number of features seen at fit.
func (f *Forest) Features() int { return f.d }

// MaxSamples returns the rows drawn per tree, scikit-learn's max_samples_.
func (f *Forest) MaxSamples() int { return f.maxSamples }

// MaxDepth returns the depth limit ceil(log2(max(MaxSamples(), 2))).
func (f *Forest) MaxDepth() int { return f.maxDepth }

// Offset returns scikit-learn's offset_: -0.5 for contamination "auto", else
// the 100c-th percentile of the training rows' ScoreSamples.
func (f *Forest) Offset() float64 { return f.offset }

// Warnings returns what scikit-learn would have warned about at fit: a
// MaxSamples above the number of rows (wrapping ErrMaxSamplesTooLarge).
func (f *Forest) Warnings() []error { return f.warnings }

// Score returns the anomaly score s(row) = 2^(-E/(T c(max_samples))) of one
// row of Features() values, in (0, 1]; higher is more anomalous. It equals
// -ScoreSamples of the row exactly, and does not allocate. When
// max_samples is 1, c is 0 and, as in scikit-learn, s = 2^-1.
//
// A NaN goes right at every split, as x <= threshold is false in
// scikit-learn's trees (whose input checks reject NaN before). Score panics
// if len(row) != Features().
func (f *Forest) Score(row []float64) float64 {
	if len(row) != f.d {
		panic(fmt.Sprintf("iforest: row of %d values, forest has %d features", len(row), f.d))
	}
	var sum float64
	for t, root := range f.roots {
		n := root
		for s := f.height[t]; s > 0; s-- {
			nd := &f.nodes[n]
			side := 0
			if !(float32(row[nd.feature]) <= nd.threshold) {
				side = 1
			}
			n = nd.child[side]
		}
		sum += f.values[n]
	}
	return f.score(sum)
}

// score maps E, the sum of path lengths over trees, to s.
func (f *Forest) score(sum float64) float64 {
	if f.norm == 0 {
		return 0.5 // scikit-learn: np.divide(..., out=np.ones_like, where=denominator != 0)
	}
	return math.Exp2(-(sum / f.norm))
}

// ScoreSamples returns scikit-learn's score_samples for each row of x
// (row-major, Features() columns): -s(x), in [-1, 0); lower is more
// anomalous. Rows are scored in blocks by up to workers goroutines (<= 0
// means 1); the result does not depend on workers. It panics if len(x) is
// not a multiple of Features().
func (f *Forest) ScoreSamples(x []float64, workers int) []float64 {
	n := f.rowsOf(x)
	out := make([]float64, n)
	blocks := (n + blockRows - 1) / blockRows
	parallel(blocks, max(workers, 1), func(next func() (int, bool)) {
		xb := make([]float32, blockRows*f.d)
		at := make([]int32, blockRows)
		sums := make([]float64, blockRows)
		for blk, ok := next(); ok; blk, ok = next() {
			lo := blk * blockRows
			hi := min(lo+blockRows, n)
			f.pathSums(x[lo*f.d:hi*f.d], xb, at, sums[:hi-lo])
			for i, s := range sums[:hi-lo] {
				out[lo+i] = -f.score(s)
			}
		}
	})
	return out
}

// DecisionFunction returns ScoreSamples(x) - Offset() for each row of x;
// negative means anomaly. See ScoreSamples for workers and panics.
func (f *Forest) DecisionFunction(x []float64, workers int) []float64 {
	out := f.ScoreSamples(x, workers)
	for i := range out {
		out[i] -= f.offset
	}
	return out
}

// Predict reports for each row of x whether it is an anomaly, i.e. its
// DecisionFunction is < 0 (scikit-learn's predict == -1). See ScoreSamples
// for workers and panics.
func (f *Forest) Predict(x []float64, workers int) []bool {
	dec := f.DecisionFunction(x, workers)
	out := make([]bool, len(dec))
	for i, v := range dec {
		out[i] = v < 0
	}
	return out
}

func (f *Forest) rowsOf(x []float64) int {
	if len(x)%f.d != 0 {
		panic(fmt.Sprintf("iforest: len(x) = %d is not a multiple of %d features", len(x), f.d))
	}
	return len(x) / f.d
}

// blockRows is the number of rows pushed through one tree at a time: their
// float32 copy (blockRows*d*4 bytes) and a tree fit in L1 together.
const blockRows = 128

// pathSums sets sums[i] to E of row i of x (len(sums) rows), adding the
// trees' terms in tree order. xb and at are scratch for the float32 rows and
// the rows' current nodes.
//
// The rows descend a tree level by level: one pass moves every row of the
// block down one level, and those moves are independent, so the processor
// overlaps their loads (a row-by-row walk is a chain of dependent loads and
// measured twice as slow). A row that has reached its leaf stays there.
func (f *Forest) pathSums(x []float64, xb []float32, at []int32, sums []float64) {
	d := f.d
	rows := len(sums)
	xb = xb[:rows*d]
	at = at[:rows]
	for i, v := range x[:rows*d] {
		v32 := float32(v)
		if v32 != v32 {
			v32 = float32(math.Inf(1)) // NaN goes right, as in Score
		}
		xb[i] = v32
	}
	clear(sums)
	for t, root := range f.roots {
		for i := range at {
			at[i] = root
		}
		for range f.height[t] {
			descend(f.nodes, xb, at, d)
		}
		for i, n := range at {
			sums[i] += f.values[n]
		}
	}
}

// descend moves each row i of xb (d values each) from node at[i] to its
// child.
//
// It is kept out of line so that its loop's few variables stay in registers
// (inlined into pathSums it spills and runs 20% slower).
//
//go:noinline
func descend(nodes []node, xb []float32, at []int32, d int) {
	row := 0
	for i, n := range at {
		nd := &nodes[n]
		at[i] = nd.child[goesRight(xb[row+int(nd.feature)], nd.threshold)]
		row += d
	}
}

// goesRight is 1 when !(v <= t) and 0 otherwise, without a branch: the sign
// of t - v. It is exact for non-NaN v because t is never -0 and a float32
// difference is zero only for equal operands; pathSums maps NaN to +Inf.
func goesRight(v, t float32) uint32 {
	return math.Float32bits(t-v) >> 31 & 1
}

// parallel runs body on min(workers, jobs) goroutines that share the jobs
// 0..jobs-1 through next.
func parallel(jobs, workers int, body func(next func() (int, bool))) {
	var counter atomic.Int64
	next := func() (int, bool) {
		j := int(counter.Add(1) - 1)
		return j, j < jobs
	}
	workers = min(workers, jobs)
	if workers <= 1 {
		body(next)
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { body(next) })
	}
	wg.Wait()
}
