//go:build !noasm && !gccgo && !safe

package gbdt

import "math"

// expFMA is the variant of expAVX2 that returns math.Exp's values, bit
// for bit, on this machine (math.Exp takes its FMA path where the CPU has
// FMA and AVX), found by comparing both with math.Exp; expVector is false
// when neither matches or the CPU lacks AVX2.
var expVector, expFMA = pickExp()

// hasAVX2FMA reports whether the CPU has AVX2 and FMA and the OS saves
// the YMM registers.
func hasAVX2FMA() (avx2, fma bool)

// expAVX2 sets dst[i] = math.Exp(src[i]) for i < n, n a multiple of 4,
// four at a time, until four values are not all in [-700, 700]; it
// returns the count done.
//
//go:noescape
func expAVX2(dst, src *float64, n int, fma bool) int

func pickExp() (vector, fma bool) {
	avx2, hasFMA := hasAVX2FMA()
	if !avx2 {
		return false, false
	}
	probe := expProbe()
	got := make([]float64, len(probe))
	for _, f := range []bool{hasFMA, !hasFMA} {
		if f && !hasFMA {
			continue
		}
		if expAVX2(&got[0], &probe[0], len(probe), f) != len(probe) {
			continue
		}
		same := true
		for i, x := range probe {
			same = same && math.Float64bits(got[i]) == math.Float64bits(math.Exp(x))
		}
		if same {
			return true, f
		}
	}
	return false, false
}

// expBlock sets dst[i] = math.Exp(src[i]) for the first n values, a
// multiple of 4, and returns how many it did (0 without the vector kernel).
func expBlock(dst, src []float64, n int) int {
	if !expVector || n == 0 {
		return 0
	}
	return expAVX2(&dst[0], &src[0], n, expFMA)
}
