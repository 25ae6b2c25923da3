//go:build !noasm && !gccgo && !safe

package gbdt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expSSE2 is math.Exp's amd64 SSE2 sequence (src/math/exp_amd64.s without
// FMA) for |x| <= 700, in Go: the reference of expAVX2's non-FMA variant on
// machines whose math.Exp takes the FMA path.
func expSSE2(x float64) float64 {
	const (
		log2e = 1.4426950408889634073599246810018920
		ln2u  = 0.69314718055966295651160180568695068359375
		ln2l  = 0.28235290563031577122588448175013436025525412068e-12
	)
	// float64(a * b) rounds the product: no fused multiply-add
	k := math.RoundToEven(log2e * x)
	x -= float64(k * ln2u)
	x -= float64(k * ln2l)
	x *= 0.0625
	p := 2.4801587301587301587e-5 * x
	for _, c := range []float64{1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5} {
		p = float64((p + c) * x)
	}
	p += 1
	x *= p
	for range 4 {
		x *= 2 + x
	}
	x += 1
	return x * math.Float64frombits(uint64(int64(k)+0x3ff)<<52)
}

// TestExpVariants: both variants of expAVX2 against their references
// (math.Exp for the one it takes here, expSSE2 for the SSE2 one).
func TestExpVariants(t *testing.T) {
	avx2, fma := hasAVX2FMA()
	t.Logf("AVX2 %v, FMA %v; vector exp %v (FMA variant %v)", avx2, fma, expVector, expFMA)
	if !avx2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(9, 9))
	src := make([]float64, 1<<16)
	for i := range src {
		src[i] = (r.Float64()*2 - 1) * 700
		if i%3 == 0 {
			src[i] = r.NormFloat64() * 3
		}
	}
	dst := make([]float64, len(src))
	for _, f := range []bool{false, true} {
		if f && !fma {
			continue
		}
		if n := expAVX2(&dst[0], &src[0], len(src), f); n != len(src) {
			t.Fatalf("fma %v: stopped at %d", f, n)
		}
		for i, x := range src {
			want := expSSE2(x)
			if f {
				want = math.Exp(x)
			}
			if math.Float64bits(dst[i]) != math.Float64bits(want) {
				t.Fatalf("fma %v: exp(%v) = %v, want %v", f, x, dst[i], want)
			}
		}
	}
	if expVector && expFMA != fma {
		t.Errorf("the kernel picked FMA %v on a CPU with FMA %v", expFMA, fma)
	}
}
