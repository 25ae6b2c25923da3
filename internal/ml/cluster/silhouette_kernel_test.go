package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// silhouetteTilesScalar and silhouetteRowsScalar are the silhouette's pair
// loops as they were before the kernel (commit e3568f1): quantize(sqDist)
// for every pair, row by row. The kernel must reproduce their sums bit for
// bit.
func silhouetteTilesScalar(xs []float64, n, d, k int, lab []int32, scale float64) []int64 {
	sums := make([]int64, n*k)
	for i := 0; i < n; i++ {
		xi := xs[i*d : i*d+d]
		li := int(lab[i])
		for j := i + 1; j < n; j++ {
			q := quantize(sqDist(xi, xs[j*d:j*d+d]), scale)
			sums[i*k+int(lab[j])] += q
			sums[j*k+li] += q
		}
	}
	return sums
}

func silhouetteRowsScalar(xs []float64, n, d, k int, lab []int32, start []int, size []float64, scale float64) []float64 {
	scores := make([]float64, n)
	row := make([]int64, k)
	for i := 0; i < n; i++ {
		xi := xs[i*d : i*d+d]
		for c := 0; c < k; c++ {
			var total int64
			for j := start[c]; j < start[c+1]; j++ {
				if j != i {
					total += quantize(sqDist(xi, xs[j*d:j*d+d]), scale)
				}
			}
			row[c] = total
		}
		scores[i] = rowScore(row, lab[i], size, scale)
	}
	return scores
}

// silKernelCase draws n sorted rows of d columns in k clusters of one of
// several kinds.
func silKernelCase(r *rand.Rand, kind string, n, d, k int) (xs []float64, lab []int32, start []int) {
	lab = make([]int32, n)
	for i := range lab {
		lab[i] = int32(r.IntN(k))
	}
	lab[0], lab[n-1] = 0, int32(k-1)
	if n > 2 {
		lab[1] = 1 // at least two labels
	}
	slices.Sort(lab)
	lab = slices.Clip(lab)
	// Relabel to 0..k'-1 where some labels drew no row.
	kk := 0
	prev := lab[0]
	for i, l := range lab {
		if l != prev {
			kk++
			prev = l
		}
		lab[i] = int32(kk)
	}
	start = make([]int, kk+2)
	for _, l := range lab {
		start[l+1]++
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	xs = make([]float64, n*d)
	centre := make([]float64, (kk+1)*d)
	for i := range centre {
		centre[i] = r.NormFloat64() * 4
	}
	for i := 0; i < n; i++ {
		for t := 0; t < d; t++ {
			v := centre[int(lab[i])*d+t] + r.NormFloat64()
			switch kind {
			case "equal":
				v = 1.25
			case "discrete":
				v = float64(r.IntN(3)) * 0.5
			case "huge":
				v *= 1e150
			case "overflow":
				v *= 1e153 // squared distances beyond float64: quantize(+Inf)
			case "tiny":
				v *= 1e-160 // subnormal squares
			case "mixed":
				v *= math.Pow(10, float64(r.IntN(13)-6))
			}
			xs[i*d+t] = v
		}
	}
	if kind == "duplicates" {
		for i := 1; i < n; i++ {
			if r.IntN(3) > 0 && lab[i] == lab[i-1] {
				copy(xs[i*d:i*d+d], xs[(i-1)*d:i*d])
			}
		}
	}
	return xs, lab, start
}

// TestSilhouetteKernel checks the assembly kernel's fixed-point sums, per
// row and cluster, against the scalar loops bit for bit, on block-ragged n,
// d from 1 to 45 (every remainder mod 4), clustered, discrete, degenerate,
// duplicated and extreme data; both at the scale of the data and at one
// that lets the kernel run at any n.
func TestSilhouetteKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 1))
	kinds := []string{"blobs", "equal", "discrete", "duplicates", "huge", "overflow", "tiny", "mixed"}
	sizes := []int{2, 3, 4, 5, 7, 8, 9, 12, 31, 127, 128, 129, 130, 257, 300, 1000}
	trials := 64
	if testing.Short() {
		trials = 24
	}
	kernelRuns, ownScaleRuns := 0, 0
	for trial := 0; trial < trials; trial++ {
		kind := kinds[trial%len(kinds)]
		n := sizes[r.IntN(len(sizes))]
		if trial%20 == 10 {
			n = 2048 + r.IntN(300) // the data's own scale admits the kernel
		}
		d := 1 + r.IntN(45)
		k := 2 + r.IntN(12)
		if n > 2000 {
			d = 1 + r.IntN(24)
		}
		if trial%7 == 0 {
			k = 2 + r.IntN(n) // many small clusters
		}
		xs, lab, start := silKernelCase(r, kind, n, d, k)
		k = len(start) - 1
		size := make([]float64, k)
		for c := range size {
			size[c] = float64(start[c+1] - start[c])
		}
		maxDist, scale := silScale(xs, n, d)
		forced := scale
		if maxDist > 0 {
			forced = silKernelMax / 2 / maxDist
		}
		for _, sc := range []float64{scale, forced} {
			wantSums := silhouetteTilesScalar(xs, n, d, k, lab, sc)
			wantScores := silhouetteRowsScalar(xs, n, d, k, lab, start, size, sc)
			for _, kernel := range []bool{false, true} {
				p := newSilPairs(xs, n, d, maxDist, sc, kernel)
				switch {
				case p.xt != nil:
					kernelRuns++
					if sc == scale {
						ownScaleRuns++
					}
				case kernel && useSilAVX && sc == forced && kind != "overflow":
					t.Fatalf("trial %d (%s, n %d, d %d): the kernel does not run at scale %v, maxDist %v", trial, kind, n, d, sc, maxDist)
				case kernel:
					continue // the same Go loop as without
				}
				for _, workers := range []int{1, 3} {
					sums := silhouetteTiles(p, k, lab, start, workers)
					if i := firstDiff(sums, wantSums); i >= 0 {
						t.Fatalf("trial %d (%s, n %d, d %d, k %d, kernel %v, scale %v, workers %d): tiles sum [%d] = %d, scalar %d",
							trial, kind, n, d, k, p.xt != nil, sc, workers, i, sums[i], wantSums[i])
					}
					scores := make([]float64, n)
					silhouetteRows(p, k, lab, start, size, workers, scores)
					for i := range scores {
						if math.Float64bits(scores[i]) != math.Float64bits(wantScores[i]) {
							t.Fatalf("trial %d (%s, n %d, d %d, k %d, kernel %v, workers %d): row %d scores %v, scalar %v",
								trial, kind, n, d, k, p.xt != nil, workers, i, scores[i], wantScores[i])
						}
					}
				}
			}
		}
	}
	t.Logf("assembly kernel: %v; it ran in %d of the configurations, %d at the data's own scale", useSilAVX, kernelRuns, ownScaleRuns)
	if useSilAVX && ownScaleRuns == 0 {
		t.Error("the kernel never ran at the data's own scale")
	}
}

func firstDiff(a, b []int64) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// TestSilhouetteKernelSpan checks every alignment of the spans the tiles
// hand the kernel: each [a, b) within a block, against quantize(sqDist).
func TestSilhouetteKernelSpan(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2))
	for _, d := range []int{1, 2, 3, 4, 5, 8, 11, 20} {
		n := 2*silBlock + 37
		xs := make([]float64, n*d)
		for i := range xs {
			xs[i] = r.NormFloat64()
		}
		maxDist, _ := silScale(xs, n, d)
		p := newSilPairs(xs, n, d, maxDist, silKernelMax/4/maxDist, true)
		if useSilAVX && p.xt == nil {
			t.Fatal("the kernel does not run")
		}
		i := r.IntN(n)
		for _, lo := range []int{0, silBlock, 2 * silBlock} {
			hi := min(lo+silBlock, n)
			for a := lo; a <= hi; a += 1 + r.IntN(5) {
				for b := a; b <= hi; b += 1 + r.IntN(9) {
					col := make([]int64, silBlock)
					for c := range col {
						col[c] = int64(c) << 40
					}
					got := p.span(i, a, b, lo, col)
					var want int64
					for j := lo; j < hi; j++ {
						base := int64(j-lo) << 40
						q := int64(0)
						if a <= j && j < b {
							q = quantize(sqDist(xs[i*d:i*d+d], xs[j*d:j*d+d]), p.scale)
						}
						want += q
						if col[j-lo] != base+q {
							t.Fatalf("d %d, row %d, [%d, %d): col[%d] = %d, want %d", d, i, a, b, j-lo, col[j-lo], base+q)
						}
					}
					if got != want {
						t.Fatalf("d %d, row %d, [%d, %d): sum %d, want %d", d, i, a, b, got, want)
					}
					if s := p.sum(i, a, b); s != want {
						t.Fatalf("d %d, row %d, [%d, %d): sum without col %d, want %d", d, i, a, b, s, want)
					}
				}
			}
		}
	}
}
