package forest

import (
	"cmp"
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
// (histRanks or evaluateBins, then scanHist), with no sort; otherwise by
// sorting the ranks, whose span needs fewer radix digits than a float's
// bits and rows. Either way
// the candidates, their arithmetic and the order they are compared in
// are sortFeature's: the trees are the same bit for bit
// (TestRankedAgrees).

// histSpan is the widest span of ranks for which a node of m rows is
// scored from a histogram rather than sorted: the histogram costs a
// pass over the rows and one over the span, the sort several passes over
// the rows. (Before histograms were packed, spans up to m/2 or m/8
// fitted KDDTrain+ 10 to 20% slower and the notebook flows within 5%.)
func histSpan(m int) int { return 2*m + 64 }

// prepareRanked sizes the ranked builder's buffers for its dataset.
func (b *builder) prepareRanked() {
	data := b.data
	n := data.n
	if len(b.rows[0]) < n {
		b.rows = [2][]uint64{make([]uint64, n), make([]uint64, n)}
		b.rk = make([]uint32, n)
	}
	if b.hist == nil {
		span := 0
		for _, levels := range data.levels {
			span = max(span, len(levels))
		}
		span = min(span, histSpan(n))
		b.hist = make([]uint64, span*data.classes)
		b.cx = make([]uint64, span)
		b.cv = make([]float32, span)
	}
}

// packedBits is the width of each of the three sums a bin of a packed
// histogram holds: distinct rows, and the multiplicities of classes 0
// and 1.
const packedBits = 21

// usePacked reports whether the tree's histograms can be packed: two
// classes, and rows and multiplicities that fit packedBits.
func (b *builder) usePacked(m0 int) bool {
	if b.noPack || b.data.classes != 2 || m0 >= 1<<packedBits {
		return false
	}
	total := 0
	for _, c := range b.counts[:2] {
		total += c
	}
	return total < 1<<packedBits
}

// rankFeature scores the splits of feature f over a node's rows (packed
// as in builder.rows) from their ranks. It reports whether the feature is
// constant in the node (max <= min + 1e-7, as sortFeature tells).
func (b *builder) rankFeature(f int, rows []uint64) (constant bool) {
	data := b.data
	col := &data.ranks[f]
	levels := data.levels[f]
	m := len(rows)
	k := data.classes
	packed := b.packed
	width := k
	if packed {
		width = 1
	}
	// A feature constant in the node (often, on sparse data) is told by
	// comparing ranks, cheaper than counting them; a feature that is not
	// differs within a few rows.
	var differ bool
	switch {
	case col.r8 != nil:
		differ = ranksDiffer(col.r8, rows)
	case col.r16 != nil:
		differ = ranksDiffer(col.r16, rows)
	default:
		differ = ranksDiffer(col.r32, rows)
	}
	if !differ {
		return true
	}
	if len(levels) <= histSpan(m) {
		// The column's ranks span few enough values for any node: one
		// pass over the rows builds the histogram, indexed by rank.
		hist := b.hist[:len(levels)*width]
		var lo, hi uint32
		shift, mask := data.classBits, data.classMask
		switch {
		case col.r8 != nil:
			lo, hi = histRanks(col.r8, rows, hist, k, shift, mask, packed)
		case col.r16 != nil:
			lo, hi = histRanks(col.r16, rows, hist, k, shift, mask, packed)
		default:
			lo, hi = histRanks(col.r32, rows, hist, k, shift, mask, packed)
		}
		hist = hist[int(lo)*width : int(hi+1)*width]
		if levels[hi] <= levels[lo]+featureThreshold {
			clear(hist)
			return true
		}
		b.scanHist(f, m, hist, levels[lo:hi+1])
		return false
	}
	rk := b.rk[:m]
	var lo, hi uint32
	switch {
	case col.r8 != nil:
		lo, hi = gatherRanks(col.r8, rows, rk)
	case col.r16 != nil:
		lo, hi = gatherRanks(col.r16, rows, rk)
	default:
		lo, hi = gatherRanks(col.r32, rows, rk)
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

// histRanks adds, for each row, its multiplicity<<32 | 1 to
// hist[rank*k+class] or, packed, 1 | multiplicity<<(packedBits*(1+class))
// to hist[rank]; it returns the least and the greatest rank.
func histRanks[T rank](col []T, rows []uint64, hist []uint64, k int, shift int, mask uint32, packed bool) (lo, hi uint32) {
	lo, hi = ^uint32(0), 0
	if packed {
		for _, r := range rows {
			v := uint32(col[uint32(r)])
			wc := uint32(r >> 32)
			hist[v] += 1 | uint64(wc>>1)<<(packedBits+packedBits*(wc&1))
			lo = min(lo, v)
			hi = max(hi, v)
		}
		return lo, hi
	}
	if k == 2 {
		for _, r := range rows {
			v := uint32(col[uint32(r)])
			wc := uint32(r >> 32)
			hist[int(v)<<1|int(wc&1)] += uint64(wc>>1)<<32 | 1
			lo = min(lo, v)
			hi = max(hi, v)
		}
		return lo, hi
	}
	for _, r := range rows {
		v := uint32(col[uint32(r)])
		wc := uint32(r >> 32)
		hist[int(v)*k+int(wc&mask)] += uint64(wc>>shift)<<32 | 1
		lo = min(lo, v)
		hi = max(hi, v)
	}
	return lo, hi
}

// ranksDiffer reports whether the rows' ranks are not all the same.
func ranksDiffer[T rank](col []T, rows []uint64) bool {
	first := col[uint32(rows[0])]
	for _, r := range rows[1:] {
		if col[uint32(r)] != first {
			return true
		}
	}
	return false
}

// gatherRanks writes each row's rank to rk and returns the least and the
// greatest.
func gatherRanks[T rank](col []T, rows []uint64, rk []uint32) (lo, hi uint32) {
	lo, hi = ^uint32(0), 0
	rk = rk[:len(rows)]
	for j, r := range rows {
		v := uint32(col[uint32(r)])
		rk[j] = v
		lo = min(lo, v)
		hi = max(hi, v)
	}
	return lo, hi
}

// evaluateBins scores the splits of feature f over a node's rows from the
// histogram of their ranks rk, which run from lo to lo+len(levels)-1
// (levels are their values).
func (b *builder) evaluateBins(f int, rows []uint64, rk []uint32, lo uint32, levels []float32) {
	k := b.data.classes
	shift, mask := b.data.classBits, b.data.classMask
	if b.packed {
		hist := b.hist[:len(levels)]
		for j, r := range rows {
			wc := uint32(r >> 32)
			hist[rk[j]-lo] += 1 | uint64(wc>>1)<<(packedBits+packedBits*(wc&1))
		}
		b.scanHist(f, len(rows), hist, levels)
		return
	}
	hist := b.hist[:len(levels)*k]
	for j, r := range rows {
		wc := uint32(r >> 32)
		hist[int(rk[j]-lo)*k+int(wc&mask)] += uint64(wc>>shift)<<32 | 1
	}
	b.scanHist(f, len(rows), hist, levels)
}

// scanHist scores the splits of feature f over a node of m rows from the
// histogram of their values, levels[i] counted in hist[i*classes:] (or
// hist[i], packed), and clears the histogram. A split falls between two
// successive occupied values more than 1e-7 apart, the rows of the lower
// values going left: where sortFeature's evaluate scores it, with the
// same class multiplicities either side, so with the same arithmetic.
func (b *builder) scanHist(f, m int, hist []uint64, levels []float32) {
	switch {
	case b.packed:
		b.scanPacked(f, m, hist, levels)
	case len(b.sumTotal) == 2:
		b.scanBinary(f, m, hist, levels)
		clear(hist)
	default:
		b.scanBins(f, m, hist, levels)
		clear(hist)
	}
}

// scanPacked is scanBinary over a packed histogram. It first gathers the
// occupied bins, without a branch, clearing them, so that the scan, whose
// branches then depend only on the values, does not stumble on empty bins
// scattered at random.
func (b *builder) scanPacked(f, m int, hist []uint64, levels []float32) {
	cx, cv := b.cx[:len(levels)], b.cv[:len(levels)]
	occupied := 0
	for bin, x := range hist[:len(levels)] {
		cx[occupied] = x
		cv[occupied] = levels[bin]
		hist[bin] = 0
		occupied += int((x | -x) >> 63) // 1 unless x is 0
	}
	cx, cv = cx[:occupied], cv[:occupied]

	const field = 1<<packedBits - 1
	minLeaf := b.p.minLeaf
	total0, total1 := b.sumTotal[0], b.sumTotal[1]
	weightN := b.weightN
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	var best0, best1 int
	var bestLo, bestHi float32
	var left0, left1, p int
	prev := cv[0]
	for i, x := range cx {
		v := cv[i]
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			if proxy, ok := binaryProxy(left0, left1, total0, total1, weightN, bar); ok {
				if proxy > best {
					best, bestPos, best0, best1 = proxy, p, left0, left1
					bestLo, bestHi = prev, v
					bar = b.improvementBar(best, weightN)
				}
			}
		}
		left0 += int(x >> packedBits & field)
		left1 += int(x >> (2 * packedBits))
		p += int(x & field)
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, bestLo, bestHi)
		b.bestLeft[0], b.bestLeft[1] = best0, best1
	}
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
			if proxy, ok := binaryProxy(left0, left1, total0, total1, weightN, bar); ok {
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
// stable, so each side keeps the node's order. A row goes left when its
// rank is at most that of the greatest value left of the split, as it
// does when its value is at most the threshold, which lies between that
// value and the next the node holds.
func (b *builder) partitionRows(src, dst []uint64) {
	f := b.bestFeature
	levels := b.data.levels[f]
	key := sortKey(b.bestLo, 0)
	r, found := slices.BinarySearchFunc(levels, key, func(v float32, key uint64) int {
		return cmp.Compare(sortKey(v, 0), key)
	})
	if !found {
		panic(fmt.Sprintf("forest: internal error: split value %v not among feature %d's values", b.bestLo, f))
	}
	col := &b.data.ranks[f]
	var left int
	switch {
	case col.r8 != nil:
		left = partitionRanks(col.r8, uint32(r), b.bestPos, src, dst)
	case col.r16 != nil:
		left = partitionRanks(col.r16, uint32(r), b.bestPos, src, dst)
	default:
		left = partitionRanks(col.r32, uint32(r), b.bestPos, src, dst)
	}
	if left != b.bestPos {
		panic(fmt.Sprintf("forest: internal error: partition put %d rows left, the split %d", left, b.bestPos))
	}
}

// partitionRanks copies src to dst, the rows whose rank is at most last
// first, in order from dst[0], and the others in order from dst[left];
// it returns how many went left, and stops early if more than left would.
func partitionRanks[T rank](col []T, last uint32, left int, src, dst []uint64) int {
	i, j := 0, left
	for _, r := range src {
		// goRight is 1 when the row's rank is above last: no branch to
		// mispredict.
		goRight := int((uint64(last) - uint64(col[uint32(r)])) >> 63)
		pos := i
		if goRight != 0 {
			pos = j
		}
		if pos >= len(dst) {
			return len(dst)
		}
		dst[pos] = r
		i += 1 - goRight
		j += goRight
	}
	return i
}
