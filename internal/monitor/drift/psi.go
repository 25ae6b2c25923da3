package drift

import (
	"fmt"
	"math"
	"slices"
)

// Epsilon is the floor on a bin's share in PSI, so that a bin empty in one
// sample adds a large but finite term instead of an infinite one. 1e-4 is a
// common convention; shares are floored, not renormalised.
const Epsilon = 1e-4

// A Reference is a reference sample prepared once (sorted, binned) for
// scoring many windows with PSI and KS. It is immutable, so one Reference
// may be used from several goroutines.
type Reference struct {
	sorted []float64 // the sample, sorted ascending
	edges  []float64 // interior bin edges, strictly increasing
	// shares and logShares are the floored share of the sample in each of
	// the len(edges)+1 bins, and its natural logarithm.
	shares, logShares []float64
}

// NewReference sorts a copy of sample and bins it for PSI into bins
// equal-frequency bins.
//
// The interior edges are the quantiles of sample at k/bins, k = 1 … bins−1,
// by linear interpolation between order statistics, numpy.quantile's
// default (method="linear"): with the sample sorted as x_0 ≤ … ≤ x_{n−1}
// and h = (n−1)·k/bins, the edge is x_{⌊h⌋} + (h − ⌊h⌋)(x_{⌊h⌋+1} − x_{⌊h⌋}).
// (Between an infinite and a finite order statistic the edge is the
// infinity, where numpy gives NaN.) The outer edges are −Inf and +Inf. Bins are closed
// on the right: a value v falls in bin i when edge_{i−1} < v ≤ edge_i, as
// pandas.cut does and numpy.searchsorted(edges, v, side="left") counts.
//
// Equal edges are merged, so a discrete column, or a constant one, still
// gets usable bins: fewer of them, not empty ones. A constant sample c has
// the single edge c and two bins, (−Inf, c] holding it all and (c, +Inf).
// Bins reports how many bins remain.
//
// It returns a *SampleError wrapping ErrEmpty or ErrNaN when sample is
// empty or holds a NaN, and an error wrapping ErrBins when bins < 2.
func NewReference(sample []float64, bins int) (*Reference, error) {
	return newReference("reference", sample, bins)
}

func newReference(name string, sample []float64, bins int) (*Reference, error) {
	if bins < 2 {
		return nil, fmt.Errorf("drift: %d bins: %w", bins, ErrBins)
	}
	if err := check(name, sample); err != nil {
		return nil, err
	}
	sorted := slices.Clone(sample)
	sortFloats(sorted, make([]float64, len(sorted)))

	edges := make([]float64, 0, bins-1)
	for k := 1; k < bins; k++ {
		edge := quantile(sorted, float64(k)/float64(bins))
		if len(edges) == 0 || edge > edges[len(edges)-1] {
			edges = append(edges, edge)
		}
	}

	// The sample is sorted, so each bin is a run: its end is the number of
	// values ≤ the bin's upper edge.
	shares := make([]float64, 2*(len(edges)+1))
	shares, logShares := shares[:len(edges)+1], shares[len(edges)+1:]
	n := float64(len(sorted))
	start := 0
	for i := range shares {
		end := len(sorted)
		if i < len(edges) {
			end = start + countAtMost(sorted[start:], edges[i])
		}
		shares[i] = max(float64(end-start)/n, Epsilon)
		logShares[i] = math.Log(shares[i])
		start = end
	}
	return &Reference{sorted: sorted, edges: edges, shares: shares, logShares: logShares}, nil
}

// quantile returns the p quantile of the sorted values x by numpy's default
// linear interpolation, including its choice of which end to interpolate
// from (numpy.lib.function_base._lerp), so that edges match numpy's to the
// last bit.
func quantile(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	lo := math.Floor(h)
	t := h - lo
	i := int(lo)
	j := min(i+1, len(x)-1)
	a, b := x[i], x[j]
	switch {
	case t == 0 || a == b:
		return a
	case math.IsInf(a, -1):
		return a
	case math.IsInf(b, 1):
		return b
	}
	diff := b - a
	if t >= 0.5 {
		return b - diff*(1-t)
	}
	return a + diff*t
}

// countAtMost returns the number of values ≤ v in the sorted values x.
func countAtMost(x []float64, v float64) int {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x[mid] <= v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// bin returns the bin of v: the number of the edges, sorted and at least
// one, that are < v. The search is written without a branch on the
// comparison, which is unpredictable: three times as fast as sort.Search
// for a window of random values.
func bin(edges []float64, v float64) int {
	base, n := 0, len(edges)
	for n > 1 {
		half := n / 2
		base += half * b2i(edges[base+half-1] < v)
		n -= half
	}
	return base + b2i(edges[base] < v)
}

// b2i returns 1 for true and 0 for false; the compiler makes it a SETcc.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Bins returns the number of PSI bins, which is less than asked for when
// equal quantiles were merged.
func (r *Reference) Bins() int { return len(r.edges) + 1 }

// Edges returns a copy of the interior bin edges, strictly increasing; the
// outer edges −Inf and +Inf are implied.
func (r *Reference) Edges() []float64 { return slices.Clone(r.edges) }

// Len returns the number of values in the reference sample.
func (r *Reference) Len() int { return len(r.sorted) }

// PSI returns the population stability index of the window actual against
// the reference,
//
//	PSI = Σ_i (a_i − e_i) ln(a_i / e_i)
//
// over the reference's bins (see NewReference), where e_i and a_i are the
// shares of the reference and of actual in bin i, each floored at Epsilon.
// It is ≥ 0, and 0 when the binned shares agree.
//
// It returns NaN when actual is empty or holds a NaN. It runs in
// O(len(actual) · log Bins()) and does not allocate for up to 64 bins.
func (r *Reference) PSI(actual []float64) float64 {
	if len(actual) == 0 {
		return math.NaN()
	}
	var buf [64]int
	var counts []int
	if len(r.shares) <= len(buf) {
		counts = buf[:len(r.shares)]
	} else {
		counts = make([]int, len(r.shares))
	}
	for _, v := range actual {
		if v != v {
			return math.NaN()
		}
		counts[bin(r.edges, v)]++
	}
	n := float64(len(actual))
	psi := 0.0
	for i, c := range counts {
		share := max(float64(c)/n, Epsilon)
		psi += (share - r.shares[i]) * (math.Log(share) - r.logShares[i])
	}
	return psi
}

// PSI returns the population stability index of actual against expected
// with bins equal-frequency bins of expected: NewReference(expected,
// bins).PSI(actual), with errors instead of NaN. See Reference.PSI for the
// formula and NewReference for the bins.
//
// It returns a *SampleError wrapping ErrEmpty or ErrNaN when either sample
// is empty or holds a NaN, and an error wrapping ErrBins when bins < 2.
func PSI(expected, actual []float64, bins int) (float64, error) {
	r, err := newReference("expected", expected, bins)
	if err != nil {
		return 0, err
	}
	if err := check("actual", actual); err != nil {
		return 0, err
	}
	return r.PSI(actual), nil
}
