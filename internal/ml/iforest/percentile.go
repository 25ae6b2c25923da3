package iforest

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Percentile returns the q-th percentile of values as numpy 1.24's
// np.percentile(values, q) with its default method="linear" (Hyndman and
// Fan's type 7): with v the values sorted ascending, n of them,
//
//	i = (n-1) q/100,  j = floor(i),  g = i - j,
//	P = v[j] + g (v[j+1] - v[j])        when g < 0.5,
//	P = v[j+1] - (1-g) (v[j+1] - v[j])  when g >= 0.5,
//
// (numpy's _lerp, which takes the nearer end for accuracy) and P = v[n-1]
// when i >= n-1. It returns NaN if any value is NaN, as numpy does. values
// is not modified; the work is O(n) by selection rather than a sort.
//
// It differs from gonum's stat.Quantile, which interpolates differently.
// Percentile panics if values is empty or q is outside [0, 100].
func Percentile(values []float64, q float64) float64 {
	if len(values) == 0 {
		panic("iforest: Percentile of no values")
	}
	if !(q >= 0 && q <= 100) {
		panic(fmt.Sprintf("iforest: Percentile q = %v, need [0, 100]", q))
	}
	for _, v := range values {
		if math.IsNaN(v) {
			return math.NaN()
		}
	}
	n := len(values)
	virtual := float64(n-1) * (q / 100)
	if virtual >= float64(n-1) {
		return slices.Max(values)
	}
	j := int(math.Floor(virtual))
	gamma := virtual - float64(j)
	v := slices.Clone(values)
	selectNth(v, j)
	below := v[j]
	above := slices.Min(v[j+1:])
	diff := above - below
	if gamma >= 0.5 {
		return above - diff*(1-gamma)
	}
	return below + diff*gamma
}

// selectNth reorders v so that v[k] is the value a sort would put there,
// with v[:k] <= v[k] <= v[k+1:] (quickselect with median-of-three pivots;
// a sort of the remaining range after too many rounds bounds the worst case).
func selectNth(v []float64, k int) {
	lo, hi := 0, len(v)-1
	budget := 2 * bits.Len(uint(len(v)))
	for hi > lo {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(v[lo : hi+1])
			return
		}
		budget--
		mid := lo + (hi-lo)/2
		// Median of three to v[mid].
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		// Hoare partition: afterwards v[lo..j] <= pivot <= v[j+1..hi].
		i, j := lo-1, hi+1
		for {
			for i++; v[i] < pivot; i++ {
			}
			for j--; v[j] > pivot; j-- {
			}
			if i >= j {
				break
			}
			v[i], v[j] = v[j], v[i]
		}
		if k <= j {
			hi = j
		} else {
			lo = j + 1
		}
	}
}
