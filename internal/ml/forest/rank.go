package forest

import (
	"fmt"
	"slices"
)

// Without class weights every weight is an integer multiplicity, every
// sum of weights is exact in any order, and the order of a node's rows
// among equal values cannot move a bit of the result; what decides a
// split is, for each distinct value of the feature in the node, how many
// distinct rows and how much multiplicity of each class hold it. The
// builder then scores a feature from the ranks of its values among the
// column's distinct values (dataset.ranks), computed once per forest:
// when the node's ranks span few values, from a histogram of them
// (evaluateBins), with no sort; otherwise by sorting the ranks, whose
// span needs fewer radix digits than a float's bits and rows. Either way
// the candidates, their arithmetic and the order they are compared in
// are sortFeature's: the trees are the same bit for bit
// (TestRankedAgrees).

// histSpan is the widest span of ranks for which a node of m rows is
// scored from a histogram rather than sorted: the histogram costs a
// pass over the rows and one over the span, the sort several passes over
// the rows.
func histSpan(m int) int { return 2*m + 64 }

// prepareRanked sizes the ranked builder's buffers for its dataset.
func (b *builder) prepareRanked() {
	data := b.data
	n := data.n
	if cap(b.rows[0]) < n {
		b.rows = [2][]uint64{make([]uint64, 0, n), make([]uint64, n)}
		b.rk = make([]uint32, n)
	}
	if b.hist == nil {
		span := 0
		for _, levels := range data.levels {
			span = max(span, len(levels))
		}
		b.hist = make([]uint64, min(span, histSpan(n))*data.classes)
	}
}

// rankFeature scores the splits of feature f over a node's rows (packed
// as in builder.rows) from their ranks. It reports whether the feature is
// constant in the node (max <= min + 1e-7, as sortFeature tells).
func (b *builder) rankFeature(f int, rows []uint64) (constant bool) {
	n := b.data.n
	ranks := b.data.ranks[f*n : (f+1)*n]
	levels := b.data.levels[f]
	m := len(rows)
	rk := b.rk[:m]
	lo, hi := ^uint32(0), uint32(0)
	for j, r := range rows {
		v := ranks[uint32(r)]
		rk[j] = v
		lo = min(lo, v)
		hi = max(hi, v)
	}
	if levels[hi] <= levels[lo]+featureThreshold {
		return true
	}
	levels = levels[lo : hi+1]
	if len(levels) <= histSpan(m) {
		b.evaluateBins(f, rows, rk, lo, levels)
		return false
	}
	// Sort the rows by rank, each key carrying the row's position in the
	// node. Ties stay in the node's order, which cannot matter here.
	keys := b.keys[:m]
	for j, v := range rk {
		keys[j] = uint64(v-lo)<<32 | uint64(j)
	}
	if m <= radixMin {
		slices.Sort(keys)
	} else {
		keys = radixSort(keys, b.keysBuf, 0)
	}
	values, wcs := b.values[:m], b.wcs[:m]
	for p, key := range keys {
		values[p] = levels[key>>32]
		wcs[p] = uint32(rows[uint32(key)] >> 32)
	}
	b.evaluate(f, m)
	return false
}

// evaluateBins scores the splits of feature f over a node's rows from the
// histogram of their ranks, which run from lo to lo+len(levels)-1 (levels
// are their values). A split falls between two successive occupied ranks
// whose values are more than 1e-7 apart, the rows of the lower ranks
// going left: where sortFeature's evaluate scores it, with the same class
// multiplicities either side, so with the same arithmetic.
func (b *builder) evaluateBins(f int, rows []uint64, rk []uint32, lo uint32, levels []float32) {
	k := b.data.classes
	hist := b.hist[:len(levels)*k]
	shift, mask := b.data.classBits, b.data.classMask
	for j, r := range rows {
		wc := uint32(r >> 32)
		hist[int(rk[j]-lo)*k+int(wc&mask)] += uint64(wc>>shift)<<32 | 1
	}
	if k == 2 {
		b.scanBinary(f, len(rows), hist, levels)
	} else {
		b.scanBins(f, len(rows), hist, levels)
	}
	clear(hist)
}

// scanBinary is scanBins for two classes: evaluateBinary's arithmetic
// over the occupied ranks.
func (b *builder) scanBinary(f, m int, hist []uint64, levels []float32) {
	minLeaf := b.p.minLeaf
	total0, total1 := b.sumTotal[0], b.sumTotal[1]
	weightN := b.weightN
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	var best0, best1 int
	var bestLo, bestHi float32
	var left0, left1, p int
	hist = hist[:2*len(levels)]
	prev := levels[0]
	for bin, v := range levels {
		h0, h1 := hist[2*bin], hist[2*bin+1]
		rows := int(uint32(h0)) + int(uint32(h1))
		if rows == 0 {
			continue
		}
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			l0, l1 := float64(left0), float64(left1)
			r0, r1 := total0-l0, total1-l1
			weightLeft := float64(left0 + left1)
			sqLeft := float64(l0*l0) + float64(l1*l1)
			sqRight := float64(r0*r0) + float64(r1*r1)
			weightRight := weightN - weightLeft
			if !cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar) {
				giniLeft := 1 - sqLeft/float64(weightLeft*weightLeft)
				giniRight := 1 - sqRight/float64(weightRight*weightRight)
				proxy := -float64(weightRight*giniRight) - float64(weightLeft*giniLeft)
				if proxy > best {
					best, bestPos, best0, best1 = proxy, p, left0, left1
					bestLo, bestHi = prev, v
					bar = b.improvementBar(best, weightN)
				}
			}
		}
		left0 += int(h0 >> 32)
		left1 += int(h1 >> 32)
		p += rows
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, bestLo, bestHi)
		b.bestLeft[0], b.bestLeft[1] = best0, best1
	}
}

// scanBins scores the splits between successive occupied ranks of a
// node's histogram for any number of classes without class weights:
// evaluateSums4's and evaluateSums' arithmetic (which agree when every
// weight is an integer), the left class sums being exact integers.
func (b *builder) scanBins(f, m int, hist []uint64, levels []float32) {
	k := len(b.sumTotal)
	minLeaf := b.p.minLeaf
	sumTotal := b.sumTotal
	left := b.leftCounts[:k]
	clear(left)
	weightN := b.weightN
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	var bestLo, bestHi float32
	p, leftWeight := 0, 0
	hist = hist[:k*len(levels)]
	prev := levels[0]
	for bin, v := range levels {
		h := hist[bin*k : (bin+1)*k]
		rows := 0
		for _, x := range h {
			rows += int(uint32(x))
		}
		if rows == 0 {
			continue
		}
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			var sqLeft, sqRight float64
			for c, l := range left {
				lf := float64(l)
				r := sumTotal[c] - lf
				sqLeft += float64(lf * lf)
				sqRight += float64(r * r)
			}
			weightLeft := float64(leftWeight)
			weightRight := weightN - weightLeft
			if !cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar) {
				giniLeft := 1 - sqLeft/float64(weightLeft*weightLeft)
				giniRight := 1 - sqRight/float64(weightRight*weightRight)
				proxy := -float64(weightRight*giniRight) - float64(weightLeft*giniLeft)
				if proxy > best {
					best, bestPos = proxy, p
					bestLo, bestHi = prev, v
					bar = b.improvementBar(best, weightN)
					copy(b.bestLeft, left)
				}
			}
		}
		for c, x := range h {
			left[c] += int(x >> 32)
			leftWeight += int(x >> 32)
		}
		p += rows
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, bestLo, bestHi)
	}
}

// partitionRows copies a node's rows src to dst (the same range of the
// other buffer), the rows going left under the best split first; it is
// stable, so each side keeps the node's order.
func (b *builder) partitionRows(src, dst []uint64) {
	n := b.data.n
	col := b.data.cols[b.bestFeature*n : (b.bestFeature+1)*n]
	t := b.bestThreshold
	i, j := 0, b.bestPos
	for _, r := range src {
		if float64(col[uint32(r)]) <= t {
			dst[i] = r
			i++
		} else {
			dst[j] = r
			j++
		}
	}
	if i != b.bestPos || j != len(src) {
		panic(fmt.Sprintf("forest: internal error: partition put %d rows left, the split %d", i, b.bestPos))
	}
}
