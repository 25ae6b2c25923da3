package gbdt

import "slices"

// splitInfo is scikit-learn's split_info_struct.
type splitInfo struct {
	gain        float64
	feature     int
	bin         int
	missingLeft bool
	gl, hl      float64 // left sums
	gr, hr      float64 // right sums
	nl, nr      int
	valueLeft   float64
	valueRight  float64
}

// gnode is a node of the tree being grown (scikit-learn's TreeNode).
type gnode struct {
	start, stop int // its rows: partition[start:stop]
	sumG, sumH  float64
	value       float64
	depth       int
	hist        hist
	active      []featRef // the features not constant in the parent: the only ones its histogram holds
	split       splitInfo
	left, right int // children's indices into grower.nodes; -1 while a leaf
	leaf        bool
}

func (n *gnode) samples() int { return n.stop - n.start }

// trainData is the binned training matrix and what every tree shares.
type trainData struct {
	bins       []uint8 // column-major, n rows per feature; missing values in missingBin
	n, d       int
	nonMissing []int  // bins of non-missing values per feature
	hasMissing []bool // whether a training row fell in the missing bin
	missingBin uint8

	// The histograms' layout: feature f's bins are hist[off[f]] to
	// hist[off[f]+nonMissing[f]], the last its missing values'; a node's
	// histograms hold histLen bins.
	off     []int
	histLen int
	// rowBins is bins row-major (d a row) for the histogram kernels, with
	// the missing values in the feature's last bin, nonMissing[f].
	rowBins []uint8
	// splittable is the features of more than one bin, the others
	// constant in every node.
	splittable []featRef
}

// newTrainData lays out the histograms of the binned training rows bins
// (column-major, n rows of d features, missing values in missing) and
// makes their row-major copy, on workers goroutines.
func newTrainData(bins []uint8, n, d int, nonMissing []int, missing uint8, tm *team) *trainData {
	td := &trainData{bins: bins, n: n, d: d, nonMissing: nonMissing, hasMissing: make([]bool, d), missingBin: missing, off: make([]int, d)}
	for f := range d {
		if nonMissing[f] < 1 || nonMissing[f] > int(missing) {
			panic("gbdt: bins out of range")
		}
		td.off[f] = td.histLen
		td.histLen += nonMissing[f] + 1
	}
	tm.run(d, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			nm := uint8(nonMissing[f])
			for _, v := range bins[f*n : (f+1)*n] {
				if v == missing {
					td.hasMissing[f] = true
				} else if v >= nm {
					panic("gbdt: bin out of range")
				}
			}
		}
	})
	for f := range d {
		if nonMissing[f] > 1 || td.hasMissing[f] {
			td.splittable = append(td.splittable, featRef{col: uint32(f), off: uint32(td.off[f] * binSize)})
		}
	}
	td.rowBins = make([]uint8, n*d)
	const block = 256 // rows transposed at a time, their columns in cache
	tm.run((n+block-1)/block, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min((b+1)*block, n)
			for f := range d {
				col := bins[f*n+r0 : f*n+r1]
				nm := uint8(nonMissing[f])
				for k, v := range col {
					if v == missing {
						v = nm
					}
					td.rowBins[(r0+k)*d+f] = v
				}
			}
		}
	})
	return td
}

// feature is feature f's bins in h.
func (td *trainData) feature(h hist, f int) []bin {
	return h[td.off[f] : td.off[f]+td.nonMissing[f]+1]
}

// grower grows one tree on the gradients and hessians g, h of the rows.
type grower struct {
	*trainData
	cfg *Config
	tm  *team

	gp        []gpair
	partition []uint32
	buf       []uint32

	nodes      []gnode
	splittable nodeHeap
	leaves     []int
	pool       []hist

	// per-feature results of a children pass
	featLeft, featRight []splitInfo
	varyL, varyR        []bool // whether a feature is not constant in the left, right child
}

func newGrower(td *trainData, cfg *Config, tm *team) *grower {
	return &grower{
		trainData: td,
		cfg:       cfg,
		tm:        tm,
		partition: make([]uint32, td.n),
		buf:       make([]uint32, td.n),
		featLeft:  make([]splitInfo, td.d),
		featRight: make([]splitInfo, td.d),
		varyL:     make([]bool, td.d),
		varyR:     make([]bool, td.d),
	}
}

// varies reports whether feature f's bins hf hold rows in more than one bin.
func (gr *grower) varies(f int, hf []bin) bool {
	nm := gr.nonMissing[f]
	seen := hf[nm].c > 0
	for _, e := range hf[:nm] {
		if e.c > 0 {
			if seen {
				return true
			}
			seen = true
		}
	}
	return false
}

// keep returns the features of a for which vary is true.
func keep(a []featRef, vary []bool) []featRef {
	out := make([]featRef, 0, len(a))
	for _, f := range a {
		if vary[f.col] {
			out = append(out, f)
		}
	}
	return out
}

func (gr *grower) getHist() hist {
	if k := len(gr.pool); k > 0 {
		h := gr.pool[k-1]
		gr.pool = gr.pool[:k-1]
		return h
	}
	return newHist(gr.histLen)
}

func (gr *grower) putHist(h hist) {
	if h != nil {
		gr.pool = append(gr.pool, h)
	}
}

// nodeHeap holds the splittable nodes as Python's heapq holds
// scikit-learn's (TreeNode.__lt__: the larger gain first), with heapq's
// own sift steps, so that nodes of equal gains pop in scikit-learn's order.
type nodeHeap struct {
	idx   []int
	nodes *[]gnode
}

func (q *nodeHeap) Len() int { return len(q.idx) }

func (q *nodeHeap) less(a, b int) bool {
	return (*q.nodes)[a].split.gain > (*q.nodes)[b].split.gain
}

// push is heapq.heappush.
func (q *nodeHeap) push(i int) {
	q.idx = append(q.idx, i)
	q.siftDown(0, len(q.idx)-1)
}

// pop is heapq.heappop.
func (q *nodeHeap) pop() int {
	last := q.idx[len(q.idx)-1]
	q.idx = q.idx[:len(q.idx)-1]
	if len(q.idx) == 0 {
		return last
	}
	top := q.idx[0]
	q.idx[0] = last
	q.siftUp(0)
	return top
}

// popLast removes the last node of the list (_finalize_splittable_nodes'
// list.pop()).
func (q *nodeHeap) popLast() int {
	last := q.idx[len(q.idx)-1]
	q.idx = q.idx[:len(q.idx)-1]
	return last
}

func (q *nodeHeap) siftDown(start, pos int) {
	h := q.idx
	item := h[pos]
	for pos > start {
		parent := (pos - 1) >> 1
		if q.less(item, h[parent]) {
			h[pos] = h[parent]
			pos = parent
			continue
		}
		break
	}
	h[pos] = item
}

func (q *nodeHeap) siftUp(pos int) {
	h := q.idx
	end, start := len(h), pos
	item := h[pos]
	child := 2*pos + 1
	for child < end {
		if right := child + 1; right < end && !q.less(h[child], h[right]) {
			child = right
		}
		h[pos] = h[child]
		pos = child
		child = 2*pos + 1
	}
	h[pos] = item
	q.siftDown(start, pos)
}

// grow grows a tree on g, h (scikit-learn's TreeGrower.grow) and returns
// its nodes and leaves; the leaves' values are shrunk by the learning rate.
func (gr *grower) grow(gp []gpair) {
	gr.gp = gp
	gr.nodes = gr.nodes[:0]
	gr.leaves = gr.leaves[:0]
	gr.splittable = nodeHeap{nodes: &gr.nodes}
	for i := range gr.partition {
		gr.partition[i] = uint32(i)
	}
	sumG, sumH := rootSums(gp, gr.cfg.sklearnThreads())
	gr.nodes = append(gr.nodes, gnode{start: 0, stop: gr.n, sumG: sumG, sumH: sumH, left: -1, right: -1})
	root := &gr.nodes[0]
	if root.samples() < 2*gr.cfg.MinSamplesLeaf || sumH < minHessianToSplit {
		gr.finalize(0)
	} else {
		hr := gr.getHist()
		for f := range gr.featLeft {
			gr.featLeft[f] = splitInfo{gain: -1, feature: f} // constant features: no split
		}
		feats := gr.trainData.splittable
		gr.tm.run(len(feats), func(lo, hi int) {
			feats := feats[lo:hi]
			gr.build(hr, feats, gr.partition, gp)
			for _, fr := range feats {
				f := int(fr.col)
				hf := gr.feature(hr, f)
				gr.featLeft[f] = gr.scanFeature(f, hf, 0, sumG, sumH, gr.n)
				gr.varyL[f] = gr.varies(f, hf)
			}
		})
		root = &gr.nodes[0]
		root.hist = hr
		root.active = keep(feats, gr.varyL)
		root.split = bestOf(gr.featLeft)
		gr.push(0)
	}
	for gr.splittable.Len() > 0 {
		gr.splitNext()
	}
	for _, l := range gr.leaves {
		gr.nodes[l].value *= gr.cfg.LearningRate
	}
}

// rootSums is scikit-learn's sum_parallel of the gradients and of the
// hessians with threads OpenMP threads (utils.pyx: prange, static
// schedule, reduction on a float64): the rows cut into threads contiguous
// chunks as libgomp's static schedule cuts them (the first n mod threads
// one row longer), each chunk summed in order, then the chunks' sums
// added to 0 one after the other. For one or two threads that is
// scikit-learn's sum to the last bit; for more, its threads add their
// sums in the order they finish, which varies from run to run, and this
// is one of its orders. A multinomial class's gradients sum to near 0, so
// the right children's sums (the root's minus the left's) carry this
// sum's rounding into their leading digits (docs/parity.md).
func rootSums(gp []gpair, threads int) (sumG, sumH float64) {
	n := len(gp)
	q, r := n/threads, n%threads
	start := 0
	for t := range threads {
		end := start + q
		if t < r {
			end++
		}
		var g, h float64
		for _, e := range gp[start:end] {
			g += float64(e.g)
			h += float64(e.h)
		}
		sumG += g
		sumH += h
		start = end
	}
	return sumG, sumH
}

// addLeaves adds each leaf's value to the raw predictions rc of its rows.
// The leaves' rows tile the partition, whose positions are shared among
// the workers in blocks: every row still gets its one addition.
func (gr *grower) addLeaves(rc []float64) {
	leaves := slices.Clone(gr.leaves)
	slices.SortFunc(leaves, func(a, b int) int { return gr.nodes[a].start - gr.nodes[b].start })
	gr.tm.run(gr.n, func(lo, hi int) {
		for _, l := range leaves {
			ln := &gr.nodes[l]
			s, e := max(ln.start, lo), min(ln.stop, hi)
			if s >= e {
				continue
			}
			v := ln.value
			for _, i := range gr.partition[s:e] {
				rc[i] += v
			}
		}
	})
}

// push queues node i, or makes it a leaf when it has no split of positive
// gain (_compute_best_split_and_push).
func (gr *grower) push(i int) {
	if gr.nodes[i].split.gain <= 0 {
		gr.finalize(i)
		return
	}
	gr.splittable.push(i)
}

func (gr *grower) finalize(i int) {
	n := &gr.nodes[i]
	n.leaf = true
	gr.putHist(n.hist)
	n.hist = nil
	gr.leaves = append(gr.leaves, i)
}

// bestOf is the split of the largest gain, the first of equal ones
// (_find_best_feature_to_split_helper).
func bestOf(s []splitInfo) splitInfo {
	best := 0
	for f := 1; f < len(s); f++ {
		if s[f].gain > s[best].gain {
			best = f
		}
	}
	return s[best]
}

// splitNext splits the splittable node of the largest gain (split_next).
func (gr *grower) splitNext() {
	i := gr.splittable.pop()
	node := gr.nodes[i]
	rightPos := gr.splitIndices(&node)
	depth := node.depth + 1
	nLeaves := len(gr.leaves) + gr.splittable.Len() + 2
	s := node.split
	li, ri := len(gr.nodes), len(gr.nodes)+1
	gr.nodes = append(gr.nodes,
		gnode{start: node.start, stop: rightPos, sumG: s.gl, sumH: s.hl, value: s.valueLeft, depth: depth, left: -1, right: -1},
		gnode{start: rightPos, stop: node.stop, sumG: s.gr, sumH: s.hr, value: s.valueRight, depth: depth, left: -1, right: -1})
	gr.nodes[i].left, gr.nodes[i].right = li, ri
	if !gr.hasMissing[s.feature] {
		// NaN at predict time follows the larger child, as scikit-learn
		// sets missing_go_to_left for features without missing values.
		gr.nodes[i].split.missingLeft = gr.nodes[li].samples() > gr.nodes[ri].samples()
	}
	parentHist := gr.nodes[i].hist
	gr.nodes[i].hist = nil

	if gr.cfg.MaxLeafNodes > 0 && nLeaves == gr.cfg.MaxLeafNodes {
		gr.finalize(li)
		gr.finalize(ri)
		for gr.splittable.Len() > 0 {
			gr.finalize(gr.splittable.popLast())
		}
		gr.putHist(parentHist)
		return
	}
	if gr.cfg.MaxDepth > 0 && depth == gr.cfg.MaxDepth {
		gr.finalize(li)
		gr.finalize(ri)
		gr.putHist(parentHist)
		return
	}
	if gr.nodes[li].samples() < 2*gr.cfg.MinSamplesLeaf {
		gr.finalize(li)
	}
	if gr.nodes[ri].samples() < 2*gr.cfg.MinSamplesLeaf {
		gr.finalize(ri)
	}
	splitL, splitR := !gr.nodes[li].leaf, !gr.nodes[ri].leaf
	if !splitL && !splitR {
		gr.putHist(parentHist)
		return
	}
	small, large := li, ri
	if gr.nodes[li].samples() >= gr.nodes[ri].samples() {
		small, large = ri, li
	}
	sn := gr.nodes[small]
	idx := gr.partition[sn.start:sn.stop]
	hs, hl := gr.getHist(), parentHist // the larger child's histogram overwrites the parent's
	ln, rn := gr.nodes[li], gr.nodes[ri]
	// A feature constant in the parent is constant in both children: it
	// has no split (gain -1, as scikit-learn finds) and no histogram.
	active := node.active
	for f := range gr.featLeft {
		gr.featLeft[f] = splitInfo{gain: -1, feature: f}
		gr.featRight[f] = splitInfo{gain: -1, feature: f}
	}
	workers := gr.tm.workers()
	if len(idx)*len(active) < buildParallel {
		workers = 1
	}
	gr.tm.runN(len(active), workers, func(lo, hi int) {
		feats := active[lo:hi]
		gr.build(hs, feats, idx, gr.gp)
		for _, fr := range feats {
			f := int(fr.col)
			fs, fl := gr.feature(hs, f), gr.feature(hl, f)
			fs = fs[:len(fl)]
			for b := range fl {
				fl[b].g -= fs[b].g
				fl[b].h -= fs[b].h
				fl[b].c -= fs[b].c
			}
			hL, hR := fs, fl
			if small == ri {
				hL, hR = fl, fs
			}
			if splitL {
				gr.featLeft[f] = gr.scanFeature(f, hL, ln.value, ln.sumG, ln.sumH, ln.samples())
			}
			if splitR {
				gr.featRight[f] = gr.scanFeature(f, hR, rn.value, rn.sumG, rn.sumH, rn.samples())
			}
			gr.varyL[f] = gr.varies(f, hL)
			gr.varyR[f] = gr.varies(f, hR)
		}
	})
	gr.nodes[small].hist, gr.nodes[large].hist = hs, hl
	gr.nodes[li].active = keep(active, gr.varyL)
	gr.nodes[ri].active = keep(active, gr.varyR)
	if splitL {
		gr.nodes[li].split = bestOf(gr.featLeft)
		gr.push(li)
	} else {
		gr.putHist(gr.nodes[li].hist)
		gr.nodes[li].hist = nil
	}
	if splitR {
		gr.nodes[ri].split = bestOf(gr.featRight)
		gr.push(ri)
	} else {
		gr.putHist(gr.nodes[ri].hist)
		gr.nodes[ri].hist = nil
	}
}

// splitIndices partitions the node's rows stably, left child first, and
// returns where the right child starts (Splitter.split_indices). The rows
// of a large node are shared among the workers in contiguous blocks, each
// partitioned on its own; the blocks' left rows, then their right rows,
// are then joined in block order.
func (gr *grower) splitIndices(n *gnode) int {
	s := n.split
	col := gr.bins[s.feature*gr.n : (s.feature+1)*gr.n]
	var left [256]uint8 // 1 for the bins that go left
	for v := 0; v <= s.bin; v++ {
		left[v] = 1
	}
	left[gr.missingBin] = 0
	if s.missingLeft {
		left[gr.missingBin] = 1
	}
	rows := gr.partition[n.start:n.stop]
	workers := gr.tm.workers()
	if len(rows) < splitIndicesParallel {
		workers = 1
	}
	if workers == 1 {
		k := partitionBlock(rows, gr.buf[:len(rows)], col, &left)
		copy(rows[k:], gr.buf[:len(rows)-k])
		return n.start + k
	}
	var nLeft [maxWorkers]int
	workers = min(workers, maxWorkers)
	gr.tm.runN(workers, workers, func(w, _ int) {
		lo, hi := w*len(rows)/workers, (w+1)*len(rows)/workers
		nLeft[w] = partitionBlock(rows[lo:hi], gr.buf[lo:hi], col, &left)
	})
	// Block w's left rows are at the start of its block, its right rows
	// at the start of its part of buf: move the left ones down, then copy
	// the right ones after them.
	k := 0
	for w := range workers {
		lo := w * len(rows) / workers
		copy(rows[k:], rows[lo:lo+nLeft[w]])
		k += nLeft[w]
	}
	at := k
	for w := range workers {
		lo, hi := w*len(rows)/workers, (w+1)*len(rows)/workers
		at += copy(rows[at:], gr.buf[lo:hi-nLeft[w]])
	}
	return n.start + k
}

// buildParallel is the fewest bin updates (rows times features) for which
// a child's histograms are shared among the workers, and
// splitIndicesParallel the fewest rows for which a node's partition is:
// a section costs the team a few microseconds (team.go).
const (
	buildParallel        = 1 << 12
	splitIndicesParallel = 1 << 12
)

// maxWorkers bounds the blocks of a shared partition.
const maxWorkers = 64

// partitionBlock moves the rows that go left (left[col[r]] = 1) to the
// front of rows and the others to the front of buf (as long as rows),
// both in their order, without branching on the data, and returns the
// number of left rows.
func partitionBlock(rows, buf []uint32, col []uint8, left *[256]uint8) int {
	buf = buf[:len(rows)]
	k, m := 0, 0
	for _, r := range rows {
		l := int(left[col[r]])
		rows[k] = r // k and m are at most the rows read so far
		buf[m] = r
		k += l
		m += 1 - l
	}
	return k
}

// build clears and fills the histograms of feats of the rows idx.
func (gr *grower) build(hs hist, feats []featRef, idx []uint32, gp []gpair) {
	for _, f := range feats {
		clear(gr.feature(hs, int(f.col)))
	}
	gr.histRows(hs, feats, idx, gp)
}

// minHessianToSplit is scikit-learn's min_hessian_to_split.
const minHessianToSplit = 1e-3

// nodeValue is compute_node_value without bounds.
func nodeValue(g, h, l2 float64) float64 { return -g / (h + l2 + 1e-15) }

// scanFeature finds feature f's best split of a node from its histogram:
// scikit-learn's _find_best_bin_to_split_left_to_right, then, when the
// feature had missing values in training, _right_to_left.
func (gr *grower) scanFeature(f int, hf []bin, value, sumG, sumH float64, n int) splitInfo {
	l2 := gr.cfg.L2Regularization
	minLeaf := gr.cfg.MinSamplesLeaf
	lossNode := sumG * value
	best := splitInfo{gain: -1, feature: f}
	hasMissing := gr.hasMissing[f]
	end := gr.nonMissing[f] - 1
	if hasMissing {
		end++
	}
	bestGain := -1.0
	found := false
	var gl, hl float64
	nl := 0
	var bg, bh float64
	var bb, bn int
	// A bin of no rows and zero sums leaves the sums as they are (adding +0
	// is the identity: no sum is ever -0), so the split after it is the
	// one after the bin before it, which has been weighed already (or, for
	// the first, holds no row): skipping it changes nothing. (A bin of no
	// rows in a histogram made by subtraction may keep a rounding residue
	// in its sums, which the scan must add as scikit-learn does.)
	for b := 0; b < end; b++ {
		e := &hf[b]
		if e.c == 0 && e.g == 0 && e.h == 0 {
			continue
		}
		nl += int(e.c)
		nr := n - nl
		hl += e.h
		hr := sumH - hl
		gl += e.g
		grr := sumG - gl
		if nl < minLeaf {
			continue
		}
		if nr < minLeaf {
			break
		}
		if hl < minHessianToSplit {
			continue
		}
		if hr < minHessianToSplit {
			break
		}
		gain := lossNode - gl*nodeValue(gl, hl, l2) - grr*nodeValue(grr, hr, l2)
		if gain > bestGain && gain > 0 { // min_gain_to_split 0
			found, bestGain = true, gain
			bg, bh, bb, bn = gl, hl, b, nl
		}
	}
	if found {
		best = splitInfo{gain: bestGain, feature: f, bin: bb, gl: bg, hl: bh, nl: bn}
	}
	if hasMissing {
		var gR, hR float64
		nR := 0
		foundR := false
		for b := gr.nonMissing[f] - 2; b >= 0; b-- {
			e := &hf[b+1]
			if e.c == 0 && e.g == 0 && e.h == 0 {
				continue // as above
			}
			nR += int(e.c)
			nL := n - nR
			hR += e.h
			hL := sumH - hR
			gR += e.g
			gL := sumG - gR
			if nR < minLeaf {
				continue
			}
			if nL < minLeaf {
				break
			}
			if hR < minHessianToSplit {
				continue
			}
			if hL < minHessianToSplit {
				break
			}
			gain := lossNode - gL*nodeValue(gL, hL, l2) - gR*nodeValue(gR, hR, l2)
			if gain > bestGain && gain > 0 {
				foundR, bestGain = true, gain
				bg, bh, bb, bn = gL, hL, b, nL
			}
		}
		if foundR {
			best = splitInfo{gain: bestGain, feature: f, bin: bb, missingLeft: true, gl: bg, hl: bh, nl: bn}
		} else if found {
			best.missingLeft = false
		}
	}
	if best.gain > 0 {
		best.gr = sumG - best.gl
		best.hr = sumH - best.hl
		best.nr = n - best.nl
		best.valueLeft = nodeValue(best.gl, best.hl, l2)
		best.valueRight = nodeValue(best.gr, best.hr, l2)
	}
	return best
}
