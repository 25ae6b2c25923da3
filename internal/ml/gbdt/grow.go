package gbdt

import (
	"unsafe"
)

// histBins is the stride of a feature's histogram: every bin index a uint8
// can hold, so that indexing by a bin needs no bounds check.
const histBins = 256

// histBin is one bin of a histogram: scikit-learn's hist_struct (float64
// sums of the float32 gradients and hessians, and a count).
type histBin struct {
	g, h float64
	c    uint32
}

// hist is the histograms of one node, feature after feature.
type hist []histBin

func (h hist) feature(f int) *[histBins]histBin {
	return (*[histBins]histBin)(h[f*histBins : (f+1)*histBins])
}

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
	active      []int32 // the features not constant in the parent: the only ones its histogram holds
	split       splitInfo
	left, right int // children's indices into grower.nodes; -1 while a leaf
	leaf        bool
}

func (n *gnode) samples() int { return n.stop - n.start }

// trainData is the binned training matrix and what every tree shares.
type trainData struct {
	bins       []uint8 // column-major, n rows per feature
	rowBins    []uint8 // the same, row-major: d features per row
	n, d       int
	nonMissing []int  // bins of non-missing values per feature
	hasMissing []bool // whether a training row fell in the missing bin
	missingBin uint8
}

// grower grows one tree on the gradients and hessians g, h of the rows.
type grower struct {
	*trainData
	cfg     *Config
	workers int

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
	all                 []int32
}

func newGrower(td *trainData, cfg *Config, workers int) *grower {
	return &grower{
		trainData: td,
		cfg:       cfg,
		workers:   workers,
		partition: make([]uint32, td.n),
		buf:       make([]uint32, td.n),
		featLeft:  make([]splitInfo, td.d),
		featRight: make([]splitInfo, td.d),
		varyL:     make([]bool, td.d),
		varyR:     make([]bool, td.d),
		all:       allFeatures(td.d),
	}
}

func allFeatures(d int) []int32 {
	a := make([]int32, d)
	for i := range a {
		a[i] = int32(i)
	}
	return a
}

// varies reports whether a histogram holds rows in more than one bin.
func (gr *grower) varies(f int, hf *[histBins]histBin) bool {
	seen := hf[gr.missingBin].c > 0
	for _, e := range hf[:gr.nonMissing[f]] {
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
func keep(a []int32, vary []bool) []int32 {
	out := make([]int32, 0, len(a))
	for _, f := range a {
		if vary[f] {
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
	return make(hist, gr.d*histBins)
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
	var sumG, sumH float64
	for _, e := range gp {
		sumG += float64(e.g)
		sumH += float64(e.h)
	}
	gr.nodes = append(gr.nodes, gnode{start: 0, stop: gr.n, sumG: sumG, sumH: sumH, left: -1, right: -1})
	root := &gr.nodes[0]
	if root.samples() < 2*gr.cfg.MinSamplesLeaf || sumH < minHessianToSplit {
		gr.finalize(0)
	} else {
		hr := gr.getHist()
		parallel(gr.d, gr.workers, func(lo, hi int) {
			feats := gr.all[lo:hi]
			gr.build(hr, feats, gr.partition, gp)
			for _, f32 := range feats {
				f := int(f32)
				hf := hr.feature(f)
				gr.featLeft[f] = gr.scanFeature(f, hf, 0, sumG, sumH, gr.n)
				gr.varyL[f] = gr.varies(f, hf)
			}
		})
		root = &gr.nodes[0]
		root.hist = hr
		root.active = keep(gr.all, gr.varyL)
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
	workers := gr.workers
	if len(idx) < 2048 {
		workers = 1
	}
	parallel(len(active), workers, func(lo, hi int) {
		feats := active[lo:hi]
		gr.build(hs, feats, idx, gr.gp)
		missing := int(gr.missingBin)
		for _, f32 := range feats {
			f := int(f32)
			fs, fl := hs.feature(f), hl.feature(f)
			for b := range fl[:gr.nonMissing[f]] {
				fl[b].g -= fs[b].g
				fl[b].h -= fs[b].h
				fl[b].c -= fs[b].c
			}
			fl[missing].g -= fs[missing].g
			fl[missing].h -= fs[missing].h
			fl[missing].c -= fs[missing].c
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
// returns where the right child starts (Splitter.split_indices).
func (gr *grower) splitIndices(n *gnode) int {
	s := n.split
	col := gr.bins[s.feature*gr.n : (s.feature+1)*gr.n]
	b := uint8(s.bin)
	rows := gr.partition[n.start:n.stop]
	buf := gr.buf[:0]
	k := 0
	missing, missLeft := gr.missingBin, s.missingLeft
	for _, r := range rows {
		v := col[r]
		var goLeft bool
		if v == missing {
			goLeft = missLeft
		} else {
			goLeft = v <= b
		}
		if goLeft {
			rows[k] = r
			k++
		} else {
			buf = append(buf, r)
		}
	}
	copy(rows[k:], buf)
	return n.start + k
}

// build clears and fills the histograms of feats of the rows idx.
func (gr *grower) build(hs hist, feats []int32, idx []uint32, gp []gpair) {
	for _, f := range feats {
		clear(hs.feature(int(f))[:])
	}
	buildRows(hs, gr.rowBins, gr.d, feats, idx, gp)
}

// gpair is a row's gradient and hessian.
type gpair struct{ g, h float32 }

// buildRows accumulates the gradients of the rows idx into the
// histograms of the features feats, reading the row-major bins: row after
// row in the order of idx, so that each bin sums its rows in
// scikit-learn's order (_build_histogram), while consecutive updates go to
// different features' bins and need not wait for each other. Four rows
// are taken at a time, their updates of one feature in row order.
func buildRows(hs hist, rowBins []uint8, d int, feats []int32, idx []uint32, gp []gpair) {
	if len(feats) == 0 || len(idx) == 0 {
		return
	}
	// idx are rows of the partition, each below len(gp), so the unsafe
	// loads below stay in bounds when rowBins holds len(gp) rows.
	if len(rowBins) != len(gp)*d {
		panic("gbdt: row-major bins and gradients of different rows")
	}
	for _, f := range feats {
		if int(f) >= d || (int(f)+1)*histBins > len(hs) {
			panic("gbdt: feature out of range")
		}
	}
	base := unsafe.Pointer(&hs[0])
	rb := unsafe.Pointer(&rowBins[0])
	const sz = unsafe.Sizeof(histBin{})
	const stride = histBins * sz
	k := 0
	for ; k+3 < len(idx); k += 4 {
		i0, i1, i2, i3 := uintptr(idx[k]), uintptr(idx[k+1]), uintptr(idx[k+2]), uintptr(idx[k+3])
		e0, e1, e2, e3 := gp[i0], gp[i1], gp[i2], gp[i3]
		g0, h0, g1, h1 := float64(e0.g), float64(e0.h), float64(e1.g), float64(e1.h)
		g2, h2, g3, h3 := float64(e2.g), float64(e2.h), float64(e3.g), float64(e3.h)
		r0 := unsafe.Add(rb, i0*uintptr(d))
		r1 := unsafe.Add(rb, i1*uintptr(d))
		r2 := unsafe.Add(rb, i2*uintptr(d))
		r3 := unsafe.Add(rb, i3*uintptr(d))
		for _, f := range feats {
			p := unsafe.Add(base, uintptr(f)*stride)
			x := (*histBin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r0, f)))*sz))
			x.g += g0
			x.h += h0
			x.c++
			x = (*histBin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r1, f)))*sz))
			x.g += g1
			x.h += h1
			x.c++
			x = (*histBin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r2, f)))*sz))
			x.g += g2
			x.h += h2
			x.c++
			x = (*histBin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r3, f)))*sz))
			x.g += g3
			x.h += h3
			x.c++
		}
	}
	for ; k < len(idx); k++ {
		i := uintptr(idx[k])
		gv, hv := float64(gp[i].g), float64(gp[i].h)
		r := unsafe.Add(rb, i*uintptr(d))
		for _, f := range feats {
			p := unsafe.Add(base, uintptr(f)*stride)
			x := (*histBin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r, f)))*sz))
			x.g += gv
			x.h += hv
			x.c++
		}
	}
}

// minHessianToSplit is scikit-learn's min_hessian_to_split.
const minHessianToSplit = 1e-3

// nodeValue is compute_node_value without bounds.
func nodeValue(g, h, l2 float64) float64 { return -g / (h + l2 + 1e-15) }

// scanFeature finds feature f's best split of a node from its histogram:
// scikit-learn's _find_best_bin_to_split_left_to_right, then, when the
// feature had missing values in training, _right_to_left.
func (gr *grower) scanFeature(f int, hf *[histBins]histBin, value, sumG, sumH float64, n int) splitInfo {
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
	for b := 0; b < end; b++ {
		e := &hf[b]
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
