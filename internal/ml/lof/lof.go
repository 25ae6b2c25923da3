// Package lof is the Local Outlier Factor (Breunig, Kriegel, Ng and
// Sander, "LOF: Identifying Density-Based Local Outliers", SIGMOD 2000) as
// scikit-learn 1.2.1's LocalOutlierFactor(novelty=True) computes it
// (sklearn/neighbors/_lof.py): fitted on training rows, it scores new rows
// against them.
//
// # The model
//
// With k = max(1, min(n_neighbors, n-1)) for n training rows and the
// Euclidean distance d, each training row o has its k nearest training
// neighbours N(o), itself excluded, and its k-distance kd(o), the distance
// to the k-th of them. The reachability distance of a row x from a
// training row o is reach(x, o) = max(d(x, o), kd(o)), and the local
// reachability density of x, whose k nearest training rows are N(x), is
// exactly scikit-learn's
//
//	lrd(x) = 1 / (mean_{o in N(x)} reach(x, o) + 1e-10).
//
// The score of a new row (ScoreSamples, scikit-learn's score_samples) is
// the opposite of its local outlier factor,
//
//	score(x) = -mean_{o in N(x)} lrd(o) / lrd(x),
//
// lower for more anomalous rows; N(x) are among the training rows and a
// new row equal to a training row has that row among its neighbours (at
// distance 0), as scikit-learn's novelty scoring does. The training rows'
// own scores (TrainingScores, negative_outlier_factor_) use N(o). The
// offset (Offset) is -1.5 for contamination "auto" and otherwise numpy's
// percentile (linear) of the training scores at 100·contamination; a row
// is an outlier when its score is below the offset.
//
// # Neighbours and ties
//
// The neighbours are exact: a query row's k neighbours are the k
// smallest (squared distance, training index) pairs over all training
// rows, so among rows at equal distance the lower training indices are
// kept. They are found with a kd-tree (median splits on the widest
// column, leaves of 16 rows, each node's bounding box; see tree.go)
// searched depth first, a node skipped only when its box is farther than
// the query's current k-th distance, which, with the box distance summed
// exactly as a row's and rounding monotonic, never skips a row that could
// enter, ties included: the result is the brute-force sort's, whatever
// the order the rows are visited in (TestTreeMatchesBruteForce checks it
// against one). For a training row, its own row is left out, and its k
// nearest other rows are found; scikit-learn's kneighbors(X=None) finds
// k+1 with the row among them and drops it, which gives the same
// distances.
//
// scikit-learn's choice among exact ties at the k-th place is not a rule
// but its traversal's: its brute force keeps what its heap
// (sklearn/utils/_heap.pyx) keeps visiting the rows in index order, not
// always the lowest indices, its kd-tree what its traversal keeps, and
// with several threads on few query rows what the merged per-thread
// heaps keep. The scores match it exactly when no two rows tie for a
// k-th place; on the reference grid with ties (TestReference, B) one of
// six new rows keeps another tied row than scikit-learn and scores
// -6.55 where scikit-learn gives -6.22.
//
// Distances here are computed directly, Σ (x_j - y_j)² (in four partial
// sums, column j to sum j mod 4, for speed) then the square root, as
// scikit-learn's kd-tree computes them (in one sum). Its brute-force path
// (chosen by algorithm="auto" for more than 15 columns) expands
// ||x||² - 2 x·y + ||y||² with BLAS instead, so its distances differ by
// rounding, relatively about 1e-16 ||x||²/d(x, y)²: negligible unless two
// rows nearly coincide. For exact duplicates it may give a small positive
// distance, of the order of 1e-8 ||x|| (measured: up to 4e-7 on rows of
// 20 normal values of sd 3; 0 for small integers), where this package
// gives 0, which changes the density of a row whose k-distance is 0
// (1e10 here).
//
// # Cost
//
// Building the tree is O(n d log n). A query costs O(d log n) to O(n d),
// depending on how well the boxes prune: on the 70,000 training rows of
// 100,000 notebook flows a query computes about 4,100 row distances (6%
// of brute force's) and 2,500 box distances. Both are computed by
// kernels (kernel.go; in assembly with AVX where the CPU has it) that
// hold the four partial sums in one vector register and return the Go
// sums' bits. Fit and ScoreSamples are parallel over the query rows,
// searched in groups of up to 512 neighbouring rows that share the
// traversal, so that each node and leaf is read once for all the rows
// that visit it (the tree does not fit in a core's cache), and, for any
// number of workers and any grouping, deterministic: each query's
// neighbours and score depend on that row only. internal/ml/mlbench and
// bench_test.go have the times: at 100,000 flows (fit 70,000 rows, score
// 30,000) several times faster than scikit-learn's brute force.
package lof

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultNeighbors is scikit-learn's default n_neighbors.
const DefaultNeighbors = 20

// AutoOffset is the offset of contamination "auto".
const AutoOffset = -1.5

// Model is a fitted LOF. It is safe for concurrent use.
type Model struct {
	n, d, k int
	tree    *tree     // the training rows (a copy, in tree order)
	kdist   []float64 // each training row's k-distance
	lrd     []float64 // each training row's local reachability density
	train   []float64 // negative_outlier_factor_
}

// InputError is a value LOF cannot take: NaN or ±Inf.
type InputError struct {
	Index       int // in x
	Row, Column int // 0-based
	Value       float64
}

func (e *InputError) Error() string {
	return fmt.Sprintf("lof: x[%d] (row %d, column %d) = %v is not finite", e.Index, e.Row, e.Column, e.Value)
}

// CheckInput returns an *InputError for the first value of x (row-major,
// rows of d values) that is NaN or ±Inf, or nil; scikit-learn's
// check_array rejects both.
func CheckInput(x []float64, d int) error {
	d = max(d, 1)
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &InputError{Index: i, Row: i / d, Column: i % d, Value: v}
		}
	}
	return nil
}

// Fit fits LOF with neighbors neighbours (scikit-learn's n_neighbors; it
// uses min(neighbors, n-1)) on the n rows of d columns of x (row-major,
// len(x) = n d), over workers goroutines (at least one). It returns an
// error, never panicking, when n < 2, d < 1, neighbors < 1, len(x) != n d
// or a value is NaN or infinite (an *InputError). x is copied.
func Fit(x []float64, n, d, neighbors, workers int) (*Model, error) {
	switch {
	case d < 1:
		return nil, fmt.Errorf("lof: %d features", d)
	case n < 2:
		return nil, fmt.Errorf("lof: %d rows, need at least 2", n)
	case neighbors < 1:
		return nil, fmt.Errorf("lof: n_neighbors = %d, need at least 1", neighbors)
	case len(x) != n*d:
		return nil, fmt.Errorf("lof: len(x) = %d, want n*d = %d*%d", len(x), n, d)
	case n > math.MaxInt32:
		return nil, fmt.Errorf("lof: %d rows, at most %d", n, math.MaxInt32)
	}
	if err := CheckInput(x, d); err != nil {
		return nil, err
	}
	k := max(1, min(neighbors, n-1))
	m := &Model{n: n, d: d, k: k, tree: buildTree(x, n, d)}
	dist := make([]float64, n*k) // sorted ascending per row
	idx := make([]int32, n*k)
	m.kneighbors(m.tree.x, true, dist, idx, workers)
	m.kdist = make([]float64, n)
	for i := range n {
		m.kdist[i] = dist[i*k+k-1]
	}
	m.lrd = make([]float64, n)
	for i := range n {
		m.lrd[i] = m.density(dist[i*k:(i+1)*k], idx[i*k:(i+1)*k])
	}
	m.train = make([]float64, n)
	for i := range n {
		m.train[i] = m.score(m.lrd[i], idx[i*k:(i+1)*k])
	}
	return m, nil
}

// Neighbors is k, the number of neighbours used: min(n_neighbors, n-1).
func (m *Model) Neighbors() int { return m.k }

// TrainingScores are the training rows' scores, scikit-learn's
// negative_outlier_factor_ (each row's neighbours exclude itself). The
// slice is the model's: do not modify it.
func (m *Model) TrainingScores() []float64 { return m.train }

// KDistance is training row i's k-distance.
func (m *Model) KDistance(i int) float64 { return m.kdist[i] }

// Offset is scikit-learn's offset_: AutoOffset (-1.5) when contamination
// is 0 (auto), else numpy's linear percentile of TrainingScores at
// 100·contamination, for contamination in (0, 0.5].
func (m *Model) Offset(contamination float64) (float64, error) {
	if contamination == 0 {
		return AutoOffset, nil
	}
	if !(contamination > 0 && contamination <= 0.5) {
		return 0, fmt.Errorf("lof: contamination %v, need (0, 0.5] or auto", contamination)
	}
	return percentile(m.train, 100*contamination), nil
}

// ScoreSamples returns the scores of the rows of x (row-major, d values a
// row) against the training rows, scikit-learn's score_samples: lower is
// more anomalous. A row with a NaN or ±Inf scores NaN (CheckInput finds
// them first). It panics if len(x) is not a multiple of d.
func (m *Model) ScoreSamples(x []float64, workers int) []float64 {
	if len(x)%m.d != 0 {
		panic(fmt.Sprintf("lof: len(x) = %d is not a multiple of %d columns", len(x), m.d))
	}
	rows := len(x) / m.d
	k := m.k
	dist := make([]float64, rows*k)
	idx := make([]int32, rows*k)
	m.kneighbors(x, false, dist, idx, workers)
	out := make([]float64, rows)
	for i := range rows {
		if CheckInput(x[i*m.d:(i+1)*m.d], m.d) != nil {
			out[i] = math.NaN()
			continue
		}
		out[i] = m.score(m.density(dist[i*k:(i+1)*k], idx[i*k:(i+1)*k]), idx[i*k:(i+1)*k])
	}
	return out
}

// density is 1 / (mean reach-dist + 1e-10) as scikit-learn's
// _local_reachability_density: the mean is numpy's sum divided by k.
func (m *Model) density(dist []float64, idx []int32) float64 {
	s := 0.0
	for j, o := range idx {
		s += max(dist[j], m.kdist[o])
	}
	return 1 / (s/float64(len(idx)) + 1e-10)
}

// score is -mean(lrd(o) / lrd) over the neighbours o.
func (m *Model) score(lrd float64, idx []int32) float64 {
	s := 0.0
	for _, o := range idx {
		s += m.lrd[o] / lrd
	}
	return -(s / float64(len(idx)))
}

// groupSize is the number of query rows searched together (searcher),
// groups that the workers take in turn (the last may be smaller): at most
// groupRows, and small enough that each worker has four to take. The
// larger the group, the fewer times each node and leaf is read per row:
// the self queries of 70,000 notebook rows on one worker took 2.4-2.7 s
// of CPU with groups of 128, 2.1-2.3 s with 256, 2.0-2.2 s with 512,
// 1.95-2.15 s with 1,024 and 1.92-1.98 s with 2,048 (three runs each,
// alternating, load 4); 512 keeps a worker's group rows, heaps and
// scratch near 300 KB. The neighbours do not depend on it.
func groupSize(rows, workers int) int {
	return max(1, min(groupRows, (rows+4*workers-1)/(4*workers)))
}

// groupRows is the largest group.
const groupRows = 512

// kneighbors writes into dist and idx (k entries a query row, distances
// ascending, ties in index order) each query row's k nearest training
// rows by the tree search: the k smallest (squared distance, training
// index) pairs. With self the queries are the training rows, in tree
// order and padded (t.x), and each row's neighbours exclude itself. A
// query row with a NaN or ±Inf is skipped (its entries are left as they
// are).
func (m *Model) kneighbors(q []float64, self bool, dist []float64, idx []int32, workers int) {
	t, d, k := m.tree, m.d, m.k
	rows := len(q) / d
	// New rows are searched in the order of the leaf they descend to, then
	// of their index; the training rows in tree order.
	var order, leaf []int32
	if self {
		d = t.dp // the tree's rows are padded
		rows = len(q) / d
	} else {
		leaf = make([]int32, rows)
		for r := range rows {
			if CheckInput(q[r*d:(r+1)*d], d) == nil {
				order = append(order, int32(r))
				leaf[r] = t.leafOf(q[r*d : (r+1)*d])
			}
		}
		slices.SortFunc(order, func(a, b int32) int {
			return cmp.Or(cmp.Compare(leaf[a], leaf[b]), cmp.Compare(a, b))
		})
		rows = len(order)
	}
	size := groupSize(rows, workers)
	groups := (rows + size - 1) / size
	workers = max(1, min(workers, groups))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSearcher(t, k, size)
			out := make([]int32, size) // the rows' places in dist and idx
			for {
				c := int(next.Add(1) - 1)
				if c >= groups {
					return
				}
				lo, hi := c*size, min((c+1)*size, rows)
				for r := lo; r < hi; r++ {
					if self {
						s.set(r-lo, q[r*d:(r+1)*d], t.index[r], r)
						out[r-lo] = t.index[r]
					} else {
						o := order[r]
						s.set(r-lo, q[int(o)*d:(int(o)+1)*d], -1, int(t.nodes[leaf[o]].start))
						out[r-lo] = o
					}
				}
				s.query(hi - lo)
				for g, o := range out[:hi-lo] {
					s.h[g].sorted(dist[int(o)*k:(int(o)+1)*k], idx[int(o)*k:(int(o)+1)*k])
				}
			}
		}()
	}
	wg.Wait()
}

// percentile is numpy 1.24's np.percentile(values, q) (method "linear").
func percentile(values []float64, q float64) float64 {
	v := slices.Clone(values)
	slices.Sort(v)
	n := len(v)
	virtual := float64(n-1) * (q / 100)
	if virtual >= float64(n-1) {
		return v[n-1]
	}
	j := int(math.Floor(virtual))
	gamma := virtual - float64(j)
	below, above := v[j], v[j+1]
	diff := above - below
	if gamma >= 0.5 {
		return above - diff*(1-gamma)
	}
	return below + diff*gamma
}
