package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernels checks the k-means distance kernel, in Go and (on amd64 with
// AVX) in assembly, against sqDist: the lookup tables and the lane layout
// must give every row's squared distance to every centre.
func TestKernels(t *testing.T) {
	mixed, mixedD := mixedData(700, 5)
	r := rand.New(rand.NewPCG(8, 8))
	gauss := make([]float64, 300*4)
	for i := range gauss {
		gauss[i] = r.NormFloat64()
	}
	discrete := make([]float64, 400*3)
	for i := range discrete {
		discrete[i] = float64(r.IntN(5)) * 0.7
	}
	data := []struct {
		name string
		x    []float64
		d    int
	}{
		{"mixed", mixed, mixedD},
		{"continuous only", gauss, 4},
		{"discrete only", discrete, 3},
	}
	t.Logf("assembly kernels: %v", useAVX)
	for _, tt := range data {
		n := len(tt.x) / tt.d
		lat := newLattice(tt.x, n, tt.d, 2)
		rows := make([]int32, 0, n)
		for i := n - 1; i >= 0; i -= 2 { // any order, not only increasing
			rows = append(rows, int32(i))
		}
		for _, k := range []int{1, 3, 4, 5, 6, 7, 10, 11, 12, 13} {
			centres := make([]float64, k*tt.d)
			for j := range k {
				copy(centres[j*tt.d:], tt.x[r.IntN(n)*tt.d:][:tt.d])
				if j%2 == 1 {
					for c := range tt.d {
						centres[j*tt.d+c] += r.NormFloat64() * 0.1 // off the lattice
					}
				}
			}
			var p packed
			lat.pack(&p, centres, k)
			stride := blocks(k, kernelWidth) * kernelWidth
			got := make([]float64, len(rows)*stride)
			lat.dists(rows, &p, got, stride)
			goOnly := make([]float64, len(rows)*stride)
			for q := range blocks(k, kernelWidth) {
				ch := &p.chunks[q]
				if ch.width == 4 {
					lat.kernel4(rows, ch, goOnly[q*kernelWidth:], stride)
				} else {
					lat.kernel6(rows, ch, goOnly[q*kernelWidth:], stride)
				}
			}
			differ := 0
			for ri, i := range rows {
				for j := range k {
					v, g := got[ri*stride+j], goOnly[ri*stride+j]
					want := sqDist(tt.x[int(i)*tt.d:][:tt.d], centres[j*tt.d:][:tt.d])
					if math.Abs(v-want) > 1e-12*(1+want) {
						t.Fatalf("%s, k %d: row %d centre %d: kernel %v, sqDist %v", tt.name, k, i, j, v, want)
					}
					if v != g {
						differ++ // only where Go fuses multiply-adds (GOAMD64=v3)
						if math.Abs(v-g) > 1e-13*(1+g) {
							t.Fatalf("%s, k %d: row %d centre %d: assembly %v, Go %v", tt.name, k, i, j, v, g)
						}
					}
				}
			}
			if differ > 0 {
				t.Logf("%s, k %d: %d distances differ from the Go kernel in the last bits", tt.name, k, differ)
			}
		}
	}
}
