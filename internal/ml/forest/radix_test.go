package forest

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixSort checks the radix sort against slices.Sort: on keys made in
// row order sorting by value alone (stable) must equal sorting the whole
// key (value, then row), and so must sorting shuffled keys by value and row
// bits; keyValue must recover every value bit for bit.
func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	values := func(n int, value func(i int) float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = value(i)
		}
		return v
	}
	special := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -1e-30}
	tests := []struct {
		name   string
		values []float32
	}{
		{"empty", nil},
		{"one", []float32{-3}},
		{"normal", values(5000, func(int) float32 { return float32(r.NormFloat64()) })},
		{"few distinct with ties", values(3000, func(int) float32 { return float32(r.IntN(5)) - 2 })},
		{"signed zeros and extremes", values(600, func(i int) float32 { return special[i%len(special)] })},
		{"constant", values(1000, func(int) float32 { return 1.5 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := make([]uint64, len(tt.values))
			for i, v := range tt.values {
				keys[i] = sortKey(v, int32(i))
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			got := slices.Clone(radixSort(keys, make([]uint64, len(keys)), 0))
			if !slices.Equal(want, got) {
				t.Fatal("radixSort differs from slices.Sort")
			}
			// Shuffled, the row bits must restore the order of ties.
			rowBits := uint(bits.Len(uint(len(keys))))
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			if !slices.Equal(want, radixSort(keys, make([]uint64, len(keys)), rowBits)) {
				t.Fatal("radixSort of shuffled keys with row bits differs from slices.Sort")
			}
			for k, key := range got {
				v, row := keyValue(key), int(uint32(key))
				if math.Float32bits(v) != math.Float32bits(tt.values[row]) {
					t.Fatalf("row %d: keyValue %v, want %v", row, v, tt.values[row])
				}
				if k > 0 && keyValue(got[k-1]) > v {
					t.Fatalf("values out of order at %d: %v > %v", k, keyValue(got[k-1]), v)
				}
			}
		})
	}
}
