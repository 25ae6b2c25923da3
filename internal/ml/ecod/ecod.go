// Package ecod is ECOD, unsupervised outlier detection from empirical
// cumulative distribution functions (Li, Zhao, Hu, Botta, Ionescu and Chen,
// "ECOD: Unsupervised Outlier Detection Using Empirical Cumulative
// Distribution Functions", IEEE TKDE 2022, Algorithm 1). It has no
// parameters: fitting is one sort per training column.
//
// # The model
//
// For the n training rows X and each column j, the left and right
// empirical tail probabilities of a value z are, ties included,
//
//	F_l,j(z) = #{i : X_ij <= z} / n,   F_r,j(z) = #{i : X_ij >= z} / n,
//
// and γ_j is the column's skewness (scipy.stats.skew, biased: m3 / m2^1.5
// with the central moments m_k = (1/n) Σ (X_ij - mean)^k). A row x has the
// per-dimension tail scores U_l,j = -ln F_l,j(x_j), U_r,j = -ln F_r,j(x_j)
// and the skewness-corrected U_s,j, which is U_l,j when γ_j < 0 and U_r,j
// otherwise, and its outlier score is the largest of the three sums
//
//	O(x) = max(Σ_j U_l,j, Σ_j U_r,j, Σ_j U_s,j),
//
// higher for more anomalous rows. Only the sign of γ_j matters, i.e. the
// sign of m3. As scipy 1.10 does, a column whose m2 <= (1e-15 mean)^2 has
// no skewness (NaN in scipy, 0 after PyOD's nan_to_num) and takes the right
// tail; so does a column of skewness exactly 0.
//
// # Training rows and new rows
//
// A training row counts itself in each F, as PyOD's ECOD.fit does
// (pyod/models/ecod.py, whose column_ecdf is the ECDF above with ties), so
// its probabilities are at least 1/n and its score is finite. A new row
// (ScoreSamples) is scored against the training ECDF with itself added, as
// PyOD's decision_function would score it alone:
//
//	F_l,j(z) = (#{i : X_ij <= z} + 1) / (n + 1),   F_r,j likewise,
//
// so a new row's score depends on the training rows and that row only,
// never on the other rows scored with it, and is finite for any value,
// ±Inf included. Both are the ECDF of a reference set with the row in it:
// the other n-1 training rows for a training row, all n for a new one. The
// skewness stays the training columns'.
//
// # What differs from PyOD
//
// PyOD 2.x differs from the paper in two ways this package does not
// follow. Its decision_function on new rows concatenates them to the
// training rows and recomputes the ECDF and the skewness on the union, so
// a test row's score depends on the whole test batch (transductive); here
// each new row is scored alone as above, in O(d log n). And it takes the
// maximum of U_l,j, U_r,j and U_s,j within each dimension before summing
// over dimensions (and U_s,j = U_l,j + U_r,j when γ_j is 0 or NaN), where
// the paper, and this package, take the maximum of the three sums. The
// decision threshold is PyOD's: the 100(1-contamination)-th percentile
// (numpy's linear interpolation) of the training scores, a row being an
// outlier when its score is above it.
//
// # Layout
//
// Each column's distinct training values are kept sorted with the number
// of training values at or below each, so a value's two counts come from
// one binary search, and -ln(c/n) and -ln((c+1)/(n+1)) are tabulated for
// every count c: scoring a row is d binary searches and table look-ups,
// with no logarithm.
package ecod

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Model is a fitted ECOD model. It is safe for concurrent use.
type Model struct {
	n, d int
	// vals[start[j]:start[j+1]] are column j's distinct training values,
	// ascending; cum[k] is the number of training values of the column
	// at or below vals[k].
	vals  []float64
	cum   []int32
	start []int
	// left[j] reports that column j's skewness is negative: its
	// skewness-corrected tail is the left one.
	left []bool
	skew []float64
	// trainTail[c] = -ln(c/n) for c in 1..n (a training row's term);
	// newTail[c] = -ln((c+1)/(n+1)) for c in 0..n (a new row's).
	trainTail, newTail []float64

	train []float64 // the training rows' scores
}

// InputError is a value that ECOD cannot take: NaN or infinite in a
// training row, NaN in a row to score.
type InputError struct {
	Index       int // in x
	Row, Column int // 0-based
	Value       float64
}

func (e *InputError) Error() string {
	return fmt.Sprintf("ecod: x[%d] (row %d, column %d) = %v is not finite", e.Index, e.Row, e.Column, e.Value)
}

// CheckInput returns an *InputError for the first value of x (row-major,
// rows of d values) that is NaN, or also ±Inf when finite is set, or nil.
// Fit requires finite values; ScoreSamples takes ±Inf (an extreme value,
// in the tail of every column) but gives NaN for a row with a NaN.
func CheckInput(x []float64, d int, finite bool) error {
	d = max(d, 1)
	for i, v := range x {
		if v != v || finite && math.IsInf(v, 0) {
			return &InputError{Index: i, Row: i / d, Column: i % d, Value: v}
		}
	}
	return nil
}

// Fit fits ECOD on the n rows of d columns of x (row-major, len(x) = n d)
// and scores them (TrainingScores). It returns an error, never panicking,
// when n < 1, d < 1, len(x) != n d, n exceeds the int32 counts, or a value
// is NaN or infinite (an *InputError naming its row and column; PyOD's
// check_array rejects them too). x is not retained.
//
// Cost: one sort per column, O(n d log n), then the training rows are
// scored as new ones are, O(n d log k) for k distinct values per column.
func Fit(x []float64, n, d int) (*Model, error) {
	switch {
	case d < 1:
		return nil, fmt.Errorf("ecod: %d features", d)
	case n < 1:
		return nil, fmt.Errorf("ecod: %d rows", n)
	case len(x) != n*d:
		return nil, fmt.Errorf("ecod: len(x) = %d, want n*d = %d*%d", len(x), n, d)
	case n >= math.MaxInt32:
		return nil, fmt.Errorf("ecod: %d rows, at most %d", n, math.MaxInt32-1)
	}
	if err := CheckInput(x, d, true); err != nil {
		return nil, err
	}
	m := &Model{n: n, d: d, start: make([]int, d+1), left: make([]bool, d), skew: make([]float64, d)}
	col := make([]float64, n)
	for j := range d {
		for i := range n {
			col[i] = x[i*d+j]
		}
		m.skew[j] = skewness(col)
		m.left[j] = m.skew[j] < 0
		slices.Sort(col)
		m.start[j] = len(m.vals)
		for i, v := range col {
			if i+1 < n && col[i+1] == v {
				continue
			}
			m.vals = append(m.vals, v)
			m.cum = append(m.cum, int32(i+1))
		}
	}
	m.start[d] = len(m.vals)
	m.vals = slices.Clip(m.vals)
	m.cum = slices.Clip(m.cum)

	m.trainTail = make([]float64, n+1)
	m.newTail = make([]float64, n+1)
	m.trainTail[0] = math.Inf(1) // never used: a training row counts itself
	for c := 1; c <= n; c++ {
		m.trainTail[c] = -math.Log(float64(c) / float64(n))
	}
	for c := 0; c <= n; c++ {
		m.newTail[c] = -math.Log(float64(c+1) / float64(n+1))
	}

	m.train = make([]float64, n)
	for i := range n {
		m.train[i] = m.score(x[i*d:(i+1)*d], m.trainTail)
	}
	return m, nil
}

// skewness returns scipy.stats.skew(col) (bias=True) as scipy 1.10
// computes it: mean, then m2 and m3 as means of (x-mean)^2 and
// (x-mean)^2 (x-mean), and 0 (scipy: NaN, PyOD: 0) when
// m2 <= (1e-15 mean)^2. Summation order differs from numpy's pairwise
// sums, which can flip the sign only for a column whose m3 is zero up to
// rounding.
func skewness(col []float64) float64 {
	var sum float64
	for _, v := range col {
		sum += v
	}
	n := float64(len(col))
	mean := sum / n
	var s2, s3 float64
	for _, v := range col {
		dv := v - mean
		sq := dv * dv
		s2 += sq
		s3 += sq * dv
	}
	m2, m3 := s2/n, s3/n
	if m2 <= (1e-15*mean)*(1e-15*mean) {
		return 0
	}
	return m3 / math.Pow(m2, 1.5)
}

// counts returns #{X_ij <= v} and #{X_ij >= v} over the training rows for
// column j, by one binary search among the column's distinct values.
func (m *Model) counts(j int, v float64) (le, ge int32) {
	vals := m.vals[m.start[j]:m.start[j+1]]
	cum := m.cum[m.start[j]:m.start[j+1]]
	// p = #{distinct values <= v}: a branch-free binary search.
	p, size := 0, len(vals)
	for size > 1 {
		half := size / 2
		if vals[p+half] <= v {
			p += half
		}
		size -= half
	}
	if vals[p] <= v {
		p++
	}
	var lt int32
	if p > 0 {
		le = cum[p-1]
		lt = le
		if vals[p-1] == v {
			lt = 0
			if p > 1 {
				lt = cum[p-2]
			}
		}
	}
	return le, int32(m.n) - lt
}

// sums returns a row's three tail sums Σ_j U_l,j, Σ_j U_r,j and Σ_j U_s,j
// with the tail table tab (trainTail or newTail), adding in column order.
func (m *Model) sums(row []float64, tab []float64) (left, right, skew float64) {
	for j, v := range row {
		if v != v {
			return math.NaN(), math.NaN(), math.NaN()
		}
		le, ge := m.counts(j, v)
		ul, ur := tab[le], tab[ge]
		left += ul
		right += ur
		if m.left[j] {
			skew += ul
		} else {
			skew += ur
		}
	}
	return left, right, skew
}

func (m *Model) score(row []float64, tab []float64) float64 {
	l, r, s := m.sums(row, tab)
	return max(l, r, s)
}

// TailSums returns the three sums of a new row (d values) scored against
// the training rows: Σ_j -ln F_l,j, Σ_j -ln F_r,j and the
// skewness-corrected Σ_j U_s,j, with F counting the row itself (see the
// package doc). Its score is their maximum. A NaN value makes all three
// NaN. It panics if len(row) != Features().
func (m *Model) TailSums(row []float64) (left, right, skew float64) {
	m.checkRow(row)
	return m.sums(row, m.newTail)
}

// Score returns the outlier score O of one new row of Features() values:
// ScoreSamples of that row alone. It does not allocate.
func (m *Model) Score(row []float64) float64 {
	m.checkRow(row)
	return m.score(row, m.newTail)
}

func (m *Model) checkRow(row []float64) {
	if len(row) != m.d {
		panic(fmt.Sprintf("ecod: row of %d values, model has %d features", len(row), m.d))
	}
}

// ScoreSamples returns the outlier score O of each new row of x (row-major,
// Features() columns), higher for more anomalous, each row scored against
// the training rows alone (see the package doc). Rows are shared among up
// to workers goroutines (<= 0 means 1); the result does not depend on
// workers. A row with a NaN scores NaN. It panics if len(x) is not a
// multiple of Features().
func (m *Model) ScoreSamples(x []float64, workers int) []float64 {
	if len(x)%m.d != 0 {
		panic(fmt.Sprintf("ecod: len(x) = %d is not a multiple of %d features", len(x), m.d))
	}
	rows := len(x) / m.d
	out := make([]float64, rows)
	blocks := (rows + blockRows - 1) / blockRows
	parallel(blocks, max(workers, 1), func(blk int) {
		for i := blk * blockRows; i < min((blk+1)*blockRows, rows); i++ {
			out[i] = m.score(x[i*m.d:(i+1)*m.d], m.newTail)
		}
	})
	return out
}

// blockRows is the number of rows a goroutine takes at a time.
const blockRows = 256

// TrainingScores returns the training rows' scores, PyOD's
// decision_scores_: each row counted in its own ECDF. The slice is the
// model's; do not modify it.
func (m *Model) TrainingScores() []float64 { return m.train }

// Features returns d, the number of columns seen at fit.
func (m *Model) Features() int { return m.d }

// Rows returns n, the number of training rows.
func (m *Model) Rows() int { return m.n }

// Skewness returns the skewness of training column j, scipy.stats.skew's
// (0 where scipy gives NaN; see skewness).
func (m *Model) Skewness(j int) float64 { return m.skew[j] }

// ErrContamination is wrapped by Threshold's error for a contamination
// outside (0, 0.5].
var ErrContamination = errors.New("ecod: contamination outside (0, 0.5]")

// Threshold returns PyOD's threshold_ for contamination c in (0, 0.5]: the
// 100(1-c)-th percentile of TrainingScores by numpy's linear interpolation
// (see Percentile). A row whose score is above it is an outlier, so about
// a fraction c of the training rows are.
func (m *Model) Threshold(c float64) (float64, error) {
	if !(c > 0 && c <= 0.5) {
		return 0, fmt.Errorf("%w: %v", ErrContamination, c)
	}
	return Percentile(m.train, 100*(1-c)), nil
}

// Percentile returns np.percentile(values, q) (numpy 1.24, method
// "linear"): with v the values sorted ascending, n of them,
//
//	i = (n-1) q/100,  j = floor(i),  g = i - j,
//	P = v[j] + g (v[j+1] - v[j])        when g < 0.5,
//	P = v[j+1] - (1-g) (v[j+1] - v[j])  when g >= 0.5,
//
// and P = v[n-1] when i >= n-1. values is not modified. It panics if
// values is empty or q is outside [0, 100]; values must not hold NaN.
func Percentile(values []float64, q float64) float64 {
	if len(values) == 0 {
		panic("ecod: Percentile of no values")
	}
	if !(q >= 0 && q <= 100) {
		panic(fmt.Sprintf("ecod: Percentile q = %v, need [0, 100]", q))
	}
	n := len(values)
	virtual := float64(n-1) * (q / 100)
	if virtual >= float64(n-1) {
		return slices.Max(values)
	}
	v := slices.Clone(values)
	slices.Sort(v)
	j := int(math.Floor(virtual))
	g := virtual - float64(j)
	lo, hi := v[j], v[j+1]
	if g >= 0.5 {
		return hi - (hi-lo)*(1-g)
	}
	return lo + (hi-lo)*g
}

// parallel runs body(0..jobs-1) on min(workers, jobs) goroutines.
func parallel(jobs, workers int, body func(job int)) {
	workers = min(workers, jobs)
	if workers <= 1 {
		for j := range jobs {
			body(j)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < jobs; j = int(next.Add(1) - 1) {
				body(j)
			}
		})
	}
	wg.Wait()
}
