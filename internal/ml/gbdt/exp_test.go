package gbdt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpSlice: expSlice returns math.Exp's values bit for bit, in and out
// of the vector kernel's range, for any length.
func TestExpSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	special := []float64{0, math.Copysign(0, -1), 1, -1, 700, -700, 700.0000001, -700.0000001, 709.78, 709.79, -745, -746,
		-708.5, math.Inf(1), math.Inf(-1), math.NaN(), 1e-300, -1e-300, 0.5 * math.Ln2, -0.5 * math.Ln2}
	for _, n := range []int{0, 1, 3, 4, 5, 8, 63, 1000, 100_000} {
		src := make([]float64, n)
		for i := range src {
			switch r.IntN(10) {
			case 0:
				src[i] = special[r.IntN(len(special))]
			case 1:
				src[i] = r.NormFloat64() * 1e-8
			case 2:
				src[i] = (r.Float64()*2 - 1) * 750
			default:
				src[i] = r.NormFloat64() * 5
			}
		}
		dst := make([]float64, n)
		expSlice(dst, src)
		for i, x := range src {
			if want := math.Exp(x); math.Float64bits(dst[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(dst[i])) {
				t.Fatalf("n %d: exp(%v) = %v, math.Exp %v", n, x, dst[i], want)
			}
		}
		expSlice(src, src) // in place
		for i := range src {
			if math.Float64bits(src[i]) != math.Float64bits(dst[i]) && !math.IsNaN(src[i]) {
				t.Fatalf("n %d: in place, value %d differs", n, i)
			}
		}
	}
}
