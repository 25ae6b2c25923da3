package cluster

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrLabelCount is returned (wrapped) by [Silhouette] and
// [SilhouetteSample] when the number of distinct labels is not in
// [2, n-1], where the silhouette is undefined.
var ErrLabelCount = errors.New("cluster: silhouette needs 2 to n-1 distinct labels")

// ErrNotFinite is returned (wrapped) by [Silhouette] and
// [SilhouetteSample] when a value of x is NaN or infinite, or the
// distances between rows overflow float64: the score is undefined.
var ErrNotFinite = errors.New("cluster: silhouette needs finite distances")

// silBlock is the number of rows per tile side of the pairwise distances.
const silBlock = 128

// Silhouette returns the mean silhouette coefficient of the n rows of x
// (row-major, d columns) under labels, as scikit-learn 1.2.1's
// silhouette_score(x, labels, metric="euclidean"):
//
//	a(i) = mean distance from i to the other rows of its cluster
//	b(i) = min over other clusters of the mean distance from i to their rows
//	s(i) = (b(i) - a(i)) / max(a(i), b(i)), 0 for a singleton cluster
//
// Every distinct label is a cluster ([Noise] included). It returns an error
// wrapping [ErrLabelCount] unless 2 <= distinct labels <= n-1, one wrapping
// [ErrNotFinite] for a value of x that is NaN or infinite, and panics if
// d < 1, len(x) is not a multiple of d, or len(labels) != n. The cost is
// n^2/2 distances; see [SilhouetteSample] for large n.
func Silhouette(x []float64, d int, labels []int, workers int) (float64, error) {
	n := checkMatrix(x, d)
	if len(labels) != n {
		panic("cluster: len(labels) != number of rows")
	}
	return silhouette(x, n, d, labels, numWorkers(workers), silTileEntries)
}

// SilhouetteSample returns the silhouette of sampleSize rows drawn without
// replacement with r, as silhouette_score(..., sample_size=sampleSize)
// (scikit-learn takes random_state.permutation(n)[:sample_size]; here a
// partial Fisher-Yates shuffle driven by r), and the number of rows used.
// When sampleSize >= n all rows are used and r is not consulted. The label
// count is checked on the sample. It panics as [Silhouette] does, and if
// sampleSize < 1 or r is nil.
func SilhouetteSample(x []float64, d int, labels []int, sampleSize int, r *rand.Rand, workers int) (float64, int, error) {
	n := checkMatrix(x, d)
	if len(labels) != n {
		panic("cluster: len(labels) != number of rows")
	}
	if sampleSize < 1 {
		panic("cluster: sample size must be positive")
	}
	if sampleSize >= n {
		s, err := silhouette(x, n, d, labels, numWorkers(workers), silTileEntries)
		return s, n, err
	}
	if r == nil {
		panic("cluster: nil *rand.Rand")
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := 0; i < sampleSize; i++ {
		j := i + r.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	sub := make([]float64, sampleSize*d)
	subLabels := make([]int, sampleSize)
	for t, i := range perm[:sampleSize] {
		copy(sub[t*d:t*d+d], x[i*d:i*d+d])
		subLabels[t] = labels[i]
	}
	s, err := silhouette(sub, sampleSize, d, subLabels, numWorkers(workers), silTileEntries)
	return s, sampleSize, err
}

// silTileEntries bounds the per-goroutine tables (n*k sums each) of the
// pairwise tiles; beyond it rows are scored one at a time.
const silTileEntries = 1 << 23

// silhouette computes the score; rows are first sorted by label so that
// every cluster is a contiguous range. Both ways of summing give the same
// bits, so tileEntries (and workers) only change the speed.
func silhouette(x []float64, n, d int, labels []int, workers int, tileEntries int64) (float64, error) {
	classes := slices.Clone(labels)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	k := len(classes)
	if k < 2 || k > n-1 {
		return 0, fmt.Errorf("%w: %d labels for %d rows", ErrLabelCount, k, n)
	}
	if err := CheckInput(x, d); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotFinite, err)
	}

	// Rows in label order (stable), cluster c at [start[c], start[c+1]).
	id := make([]int32, n)
	start := make([]int, k+1)
	for i, l := range labels {
		c, _ := slices.BinarySearch(classes, l)
		id[i] = int32(c)
		start[c+1]++
	}
	for c := 0; c < k; c++ {
		start[c+1] += start[c]
	}
	order := make([]int, n)
	fill := slices.Clone(start[:k])
	for i, c := range id {
		order[fill[c]] = i
		fill[c]++
	}
	xs := make([]float64, n*d)
	lab := make([]int32, n)
	for s, i := range order {
		copy(xs[s*d:s*d+d], x[i*d:i*d+d])
		lab[s] = id[i]
	}

	// Distances enter the per-cluster sums in fixed point: q = round(dist *
	// scale), with scale such that a row's total stays below 2^62. Integer
	// sums are exact in any order, which lets each pair be computed once
	// and the tiles be shared among goroutines.
	maxDist, scale := silScale(xs, n, d)
	if !(maxDist <= math.MaxFloat64) || !(scale > 0 && scale <= math.MaxFloat64) {
		// Distances beyond float64: no fixed point holds the sums.
		return 0, fmt.Errorf("%w: the rows span %v, which leaves no fixed-point scale for %d rows", ErrNotFinite, maxDist, n)
	}
	if maxDist > math.Sqrt(math.MaxFloat64)/2 {
		// A squared distance could overflow to +Inf, whose quantized
		// value would be meaningless.
		return 0, fmt.Errorf("%w: the rows span %v, whose squared distances overflow float64", ErrNotFinite, maxDist)
	}

	size := make([]float64, k)
	for c := range size {
		size[c] = float64(start[c+1] - start[c])
	}
	p := newSilPairs(xs, n, d, maxDist, scale, true)
	scores := make([]float64, n) // by sorted position
	if int64(n)*int64(k)*int64(workers) <= tileEntries {
		sums := silhouetteTiles(p, k, lab, start, workers)
		for s := range scores {
			scores[s] = rowScore(sums[s*k:s*k+k], lab[s], size, scale)
		}
	} else {
		silhouetteRows(p, k, lab, start, size, workers, scores)
	}
	pos := make([]int, n)
	for s, i := range order {
		pos[i] = s
	}
	var total float64 // in row order, as numpy's mean over silhouette_samples
	for _, s := range pos {
		total += scores[s]
	}
	return total / float64(n), nil
}

// silScale returns a bound on the distances between the n rows of xs and
// the fixed-point scale that keeps a row's sum of n distances below 2^62.
func silScale(xs []float64, n, d int) (maxDist, scale float64) {
	mean := columnMeans(xs, n, d)
	maxDist = 2 * radius(xs, n, d, mean) * (1 + 1e-9)
	scale = 1.0
	if maxDist > 0 {
		scale = math.Ldexp(1, 62) / (maxDist * float64(n))
	}
	return maxDist, scale
}

// rowScore is s(i) from row i's fixed-point distance sums to every cluster.
func rowScore(sums []int64, own int32, size []float64, scale float64) float64 {
	if size[own] == 1 {
		return 0 // singleton
	}
	a := float64(sums[own]) / scale / (size[own] - 1)
	b := math.Inf(1)
	for c, v := range sums {
		if int32(c) != own {
			b = min(b, float64(v)/scale/size[c])
		}
	}
	m := max(a, b)
	if m == 0 {
		return 0 // scikit-learn's nan_to_num of 0/0
	}
	return (b - a) / m
}

// quantize converts a squared distance to its fixed-point distance. The
// conversion rounds the product before the addition (no fused
// multiply-add, as in the assembly kernel).
func quantize(d2, scale float64) int64 {
	return int64(float64(math.Sqrt(d2)*scale) + 0.5)
}

// silPairs gives the fixed-point distances q(i, j) = quantize(sqDist(xs_i,
// xs_j), scale) between the rows sorted by label, with the assembly kernel
// where the CPU has it and the data allow it.
type silPairs struct {
	xs    []float64 // n*d, row-major
	n, d  int
	scale float64
	// xt holds, for the kernel, every block of silBlock rows transposed
	// (column t of the block's row r at xt[(b*d+t)*silBlock+r]), the last
	// block padded with zeros; nil when q is computed in Go.
	xt []float64
}

// silKernelMax bounds dist*scale + 0.5 for the kernel's conversion to
// int64, which is exact below 2^52 (silSpanAVX); 2^51 leaves a factor 2
// for the rounding of the distances beyond maxDist.
const silKernelMax = 1 << 51

// newSilPairs prepares the n rows xs, at most maxDist apart. With kernel
// (and an assembly kernel for the CPU) the pairs are computed by the
// kernel if every q fits its conversion and no squared distance can
// overflow (there quantize's conversion of +Inf gives its own bits).
func newSilPairs(xs []float64, n, d int, maxDist, scale float64, kernel bool) *silPairs {
	p := &silPairs{xs: xs, n: n, d: d, scale: scale}
	if !kernel || !useSilAVX || !(maxDist*scale <= silKernelMax) || !(maxDist <= math.Sqrt(math.MaxFloat64)/4) {
		return p
	}
	p.xt = make([]float64, blocks(n, silBlock)*d*silBlock)
	for i := 0; i < n; i++ {
		b, r := i/silBlock, i%silBlock
		for t, v := range xs[i*d : i*d+d] {
			p.xt[(b*d+t)*silBlock+r] = v
		}
	}
	return p
}

// span adds q(i, j) to col[j-lo] (unless col is nil) for j in [a, b) and
// returns their sum; [a, b) lies in the block of rows starting at lo. The
// kernel takes the whole groups of four rows of the block, Go the rest.
func (p *silPairs) span(i, a, b, lo int, col []int64) int64 {
	d := p.d
	xi := p.xs[i*d : i*d+d]
	a4, b4 := a, a
	if p.xt != nil {
		a4, b4 = lo+(a-lo+3)&^3, lo+(b-lo)&^3
		if a4 >= b4 {
			a4, b4 = b, b
		}
	}
	var total int64
	for j := a; j < a4; j++ {
		q := quantize(sqDist(xi, p.xs[j*d:j*d+d]), p.scale)
		total += q
		if col != nil {
			col[j-lo] += q
		}
	}
	if a4 < b4 {
		var c *int64
		if col != nil {
			_ = col[b4-1-lo] // bounds
			c = &col[a4-lo]
		}
		xt := p.xt[(lo/silBlock*d)*silBlock+(a4-lo):]
		_ = xt[(d-1)*silBlock+(b4-a4)-1] // bounds
		total += silSpanAVX(&xi[0], d, &xt[0], b4-a4, p.scale, c)
	}
	for j := b4; j < b; j++ {
		q := quantize(sqDist(xi, p.xs[j*d:j*d+d]), p.scale)
		total += q
		if col != nil {
			col[j-lo] += q
		}
	}
	return total
}

// sum returns the sum of q(i, j) for j in [a, b), block by block.
func (p *silPairs) sum(i, a, b int) int64 {
	var total int64
	for a < b {
		lo := a / silBlock * silBlock
		e := min(b, lo+silBlock)
		total += p.span(i, a, e, lo, nil)
		a = e
	}
	return total
}

// silhouetteTiles visits each pair once, by square tiles of the upper
// triangle; every goroutine adds into its own n*k table, summed at the end.
// Within a tile, row i's distances to the columns j are summed per run of
// equal labels (rows are sorted by label, so there are few), and column
// j's distances to the rows of label lab[i] accumulate in col until the
// label changes.
func silhouetteTiles(p *silPairs, k int, lab []int32, start []int, workers int) []int64 {
	n := p.n
	nb := blocks(n, silBlock)
	type tile struct{ bi, bj int }
	tiles := make([]tile, 0, nb*(nb+1)/2)
	for bi := 0; bi < nb; bi++ {
		for bj := bi; bj < nb; bj++ {
			tiles = append(tiles, tile{bi, bj})
		}
	}
	workers = min(workers, len(tiles))
	tables := make([][]int64, workers)
	cols := make([][]int64, workers)
	parallel(workers, len(tiles), func(w, t int) {
		if tables[w] == nil {
			tables[w] = make([]int64, n*k)
			cols[w] = make([]int64, silBlock)
		}
		sums, col := tables[w], cols[w]
		loI, hiI := tiles[t].bi*silBlock, min((tiles[t].bi+1)*silBlock, n)
		loJ, hiJ := tiles[t].bj*silBlock, min((tiles[t].bj+1)*silBlock, n)
		col = col[:hiJ-loJ]
		colLabel := -1
		flush := func() {
			for c, v := range col {
				sums[(loJ+c)*k+colLabel] += v
			}
			clear(col)
		}
		for i := loI; i < hiI; i++ {
			if li := int(lab[i]); li != colLabel {
				if colLabel >= 0 {
					flush()
				}
				colLabel = li
			}
			from := loJ
			if loJ == loI {
				from = i + 1
			}
			for a := from; a < hiJ; {
				c := int(lab[a])
				b := min(hiJ, start[c+1])
				sums[i*k+c] += p.span(i, a, b, loJ, col)
				a = b
			}
		}
		if colLabel >= 0 {
			flush()
		}
	})
	// A goroutine may have had no tile; integer sums need no fixed order.
	var total []int64
	for _, t := range tables {
		switch {
		case t == nil:
		case total == nil:
			total = t
		default:
			for i, v := range t {
				total[i] += v
			}
		}
	}
	return total
}

// silhouetteRows scores each row on its own, computing every pair twice
// but needing only k sums per goroutine: for many clusters.
func silhouetteRows(p *silPairs, k int, lab []int32, start []int, size []float64, workers int, scores []float64) {
	n := p.n
	rows := make([][]int64, workers)
	parallel(workers, blocks(n, silBlock), func(w, b int) {
		if rows[w] == nil {
			rows[w] = make([]int64, k)
		}
		row := rows[w]
		for i := b * silBlock; i < min((b+1)*silBlock, n); i++ {
			for c := 0; c < k; c++ {
				lo, hi := start[c], start[c+1]
				if lo <= i && i < hi {
					row[c] = p.sum(i, lo, i) + p.sum(i, i+1, hi)
				} else {
					row[c] = p.sum(i, lo, hi)
				}
			}
			scores[i] = rowScore(row, lab[i], size, p.scale)
		}
	})
}
