package drift

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortFloats agrees with slices.Sort, the order of −0 and +0 aside, on
// either side of radixMin and on values that exercise every byte of the
// key: both signs, infinities, zeros, subnormals, ties, one value repeated
// (every pass skipped).
func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	special := []float64{math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64, 1, -1}
	mixed := func(n int) []float64 {
		values := make([]float64, n)
		for i := range values {
			switch rng.IntN(4) {
			case 0:
				values[i] = special[rng.IntN(len(special))]
			case 1:
				values[i] = float64(rng.IntN(20) - 10)
			case 2:
				values[i] = math.Float64frombits(rng.Uint64() &^ (0x7ff << 52)) // subnormal or zero, either sign
			default:
				values[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
			}
		}
		return values
	}
	for _, tc := range []struct {
		name   string
		values []float64
	}{
		{name: "short", values: mixed(radixMin - 1)},
		{name: "at radixMin", values: mixed(radixMin)},
		{name: "long", values: mixed(10000)},
		{name: "normal", values: normals(5000, 0, 17)},
		{name: "positive", values: scattered(5000, 7919, 10007)},
		{name: "negative", values: tied(5000, 37, 101, -200)},
		{name: "constant", values: repeat(-2.5, radixMin)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.values)
			slices.Sort(want)
			got := slices.Clone(tc.values)
			sortFloats(got, make([]float64, len(got)))
			if !slices.IsSorted(got) {
				t.Fatal("not sorted")
			}
			for i := range got {
				if got[i] != want[i] { // −0 == +0
					t.Fatalf("value %d = %v, want %v", i, got[i], want[i])
				}
			}
			// The same multiset: compare bits with zeros' signs in order.
			slices.SortFunc(got, func(a, b float64) int { return compareBits(a, b) })
			slices.SortFunc(want, func(a, b float64) int { return compareBits(a, b) })
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("value %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

func compareBits(a, b float64) int {
	ka, kb := orderKey(a), orderKey(b)
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}

// bin counts the edges < v, as a plain search would.
func TestBin(t *testing.T) {
	for _, edges := range [][]float64{{0}, {-1, 1}, {1, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, scattered(64, 1, 64)} {
		values := append(slices.Clone(edges), math.Inf(-1), math.Inf(1), -0.5, 0.5, 2.5, 100)
		for _, v := range values {
			want := 0
			for _, e := range edges {
				if e < v {
					want++
				}
			}
			if got := bin(edges, v); got != want {
				t.Errorf("bin(%v, %v) = %d, want %d", edges, v, got, want)
			}
		}
	}
}

func BenchmarkSortFloats(b *testing.B) {
	for _, n := range []int{1000, radixMin, 100000} {
		values := normals(n, 0, 18)
		work, scratch := make([]float64, n), make([]float64, n)
		b.Run(fmt.Sprint("sortFloats/", n), func(b *testing.B) {
			for b.Loop() {
				copy(work, values)
				sortFloats(work, scratch)
			}
		})
		b.Run(fmt.Sprint("slices/", n), func(b *testing.B) {
			for b.Loop() {
				copy(work, values)
				slices.Sort(work)
			}
		})
	}
}
