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
// The neighbours are exact: every query row's squared distance to every
// training row, summed over the columns in order, in blocks of training
// rows, kept in a bounded max-heap of k entries per query. The heap is
// scikit-learn's (sklearn/utils/_heap.pyx heap_push: k entries of +Inf at
// first, a row entering only when strictly nearer than the top, the same
// sift-down) and the training rows are visited in index order, as
// scikit-learn's brute-force ArgKmin visits them for each query row when
// it parallelises on the query rows (or runs on one thread), so among rows
// at equal distance the same ones are kept: not simply the lowest
// indices. For a training row, as scikit-learn's kneighbors(X=None), k+1
// neighbours are found with the row itself among the candidates, and the
// row is dropped or, when k+1 duplicates of it were kept instead, the
// lowest-index one (scikit-learn drops whichever its quicksort puts first;
// all are at distance 0).
//
// scikit-learn's choice among exact ties can differ from this one when it
// parallelises on the training rows (few query rows, several threads: the
// per-thread heaps are merged) or uses a kd-tree (its traversal order), so
// the scores match it exactly when no two candidates tie for the k-th
// place, and in the tie cases of the reference tests.
//
// Distances here are computed directly, Σ (x_j - y_j)² then the square
// root, as scikit-learn's kd-tree computes them. Its brute-force path
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
// Fit and ScoreSamples are O(n m d) for m query rows, parallel over the
// query rows and, for any number of workers, deterministic: each query's
// neighbours and score depend on that row only.
package lof

import (
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
	x       []float64 // the training rows, row-major (a copy)
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
	m := &Model{n: n, d: d, k: k, x: slices.Clone(x)}
	dist := make([]float64, n*k) // sorted ascending per row
	idx := make([]int32, n*k)
	m.kneighbors(m.x, true, dist, idx, workers)
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

// The query rows are split into chunks of queryChunk rows that workers
// take in turn; each chunk scans the training rows in blocks of trainBlock
// rows (which stay in cache while the chunk's rows are compared to them).
const (
	queryChunk = 64
	trainBlock = 256
)

// kneighbors writes into dist and idx (k entries a query row, distances
// ascending, ties in index order) each query row's k nearest training
// rows. With self the queries are the training rows and, as
// scikit-learn's kneighbors(X=None), k+1 neighbours are found, the row
// itself among them, which is then dropped, or, when k+1 duplicates of it
// precede it, the first (lowest-index) of them.
func (m *Model) kneighbors(q []float64, self bool, dist []float64, idx []int32, workers int) {
	rows := len(q) / m.d
	chunks := (rows + queryChunk - 1) / queryChunk
	workers = max(1, min(workers, chunks))
	size := m.k
	if self {
		size++
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make([]heap, queryChunk)
			for c := range h {
				h[c] = heap{d: make([]float64, size), i: make([]int32, size)}
			}
			sd := make([]float64, size)
			si := make([]int32, size)
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo, hi := c*queryChunk, min((c+1)*queryChunk, rows)
				m.chunk(q, lo, hi, h[:hi-lo])
				for r := lo; r < hi; r++ {
					od, oi := dist[r*m.k:(r+1)*m.k], idx[r*m.k:(r+1)*m.k]
					if !self {
						h[r-lo].sorted(od, oi)
						continue
					}
					h[r-lo].sorted(sd, si)
					drop := 0
					if p := slices.Index(si, int32(r)); p >= 0 {
						drop = p
					}
					copy(od, sd[:drop])
					copy(oi, si[:drop])
					copy(od[drop:], sd[drop+1:])
					copy(oi[drop:], si[drop+1:])
				}
			}
		}()
	}
	wg.Wait()
}

// chunk fills h[r-lo] with query row r's nearest training rows, visiting
// the training rows in index order in blocks of trainBlock.
func (m *Model) chunk(q []float64, lo, hi int, h []heap) {
	d := m.d
	for r := range h {
		h[r].reset()
	}
	for b := 0; b < m.n; b += trainBlock {
		be := min(b+trainBlock, m.n)
		for r := lo; r < hi; r++ {
			qr := q[r*d : (r+1)*d]
			hr := &h[r-lo]
			for j := b; j < be; j++ {
				tr := m.x[j*d : (j+1)*d]
				s := 0.0
				for c, v := range qr {
					t := v - tr[c]
					s += t * t
				}
				if s < hr.d[0] {
					hr.push(s, int32(j))
				}
			}
		}
	}
}

// heap is scikit-learn's fixed-size max-heap (sklearn/utils/_heap.pyx
// heap_push): size entries, +Inf at first; a value enters only when below
// the top, which it replaces before sifting down exactly as heap_push
// does, so equal distances are kept or dropped as there.
type heap struct {
	d []float64
	i []int32
}

func (h *heap) reset() {
	for j := range h.d {
		h.d[j], h.i[j] = math.Inf(1), -1
	}
}

// push is heap_push for a value below the top (the caller checks).
func (h *heap) push(val float64, idx int32) {
	d, n := h.d, len(h.d)
	cur := 0
	for {
		l := 2*cur + 1
		r := l + 1
		var sw int
		switch {
		case l >= n:
			d[cur], h.i[cur] = val, idx
			return
		case r >= n:
			if !(d[l] > val) {
				d[cur], h.i[cur] = val, idx
				return
			}
			sw = l
		case d[l] >= d[r]:
			if !(val < d[l]) {
				d[cur], h.i[cur] = val, idx
				return
			}
			sw = l
		default:
			if !(val < d[r]) {
				d[cur], h.i[cur] = val, idx
				return
			}
			sw = r
		}
		d[cur], h.i[cur] = d[sw], h.i[sw]
		cur = sw
	}
}

// sorted writes the heap's entries ascending by distance, then index, the
// distances square-rooted (an insertion sort: the heap holds k entries).
func (h *heap) sorted(dist []float64, idx []int32) {
	copy(dist, h.d)
	copy(idx, h.i)
	for a := 1; a < len(dist); a++ {
		dv, iv := dist[a], idx[a]
		b := a
		for ; b > 0 && (dist[b-1] > dv || dist[b-1] == dv && idx[b-1] > iv); b-- {
			dist[b], idx[b] = dist[b-1], idx[b-1]
		}
		dist[b], idx[b] = dv, iv
	}
	for j := range dist {
		dist[j] = math.Sqrt(dist[j])
	}
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
