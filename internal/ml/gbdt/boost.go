package gbdt

import (
	"math"
	"math/rand/v2"
)

// booster runs the boosting iterations of one fit.
type booster struct {
	cfg        *Config
	tm         *team // the fit's workers
	d, classes int
}

func (b *booster) fit(x []float64, y []int, sw []float64, trainRows, valRows []int, r *rand.Rand) (*Model, error) {
	cfg, d := b.cfg, b.d
	k := 1
	if b.classes > 2 {
		k = b.classes
	}
	n := len(trainRows)
	maxBins := cfg.MaxBins
	missing := uint8(maxBins)
	thr := fitBins(x, d, trainRows, maxBins, r, b.tm)
	nonMissing := make([]int, d)
	for f := range thr {
		nonMissing[f] = len(thr[f]) + 1
	}
	td := newTrainData(binColumns(x, d, trainRows, thr, missing, b.tm), n, d, nonMissing, missing, b.tm)
	yt := make([]int, n)
	var swt []float64
	if sw != nil {
		swt = make([]float64, n)
	}
	for j, i := range trainRows {
		yt[j] = y[i]
		if sw != nil {
			swt[j] = sw[i]
		}
	}
	m := &Model{d: d, classes: b.classes, k: k, baseline: baseline(yt, swt, b.classes, k)}

	raw := make([]float64, n*k) // class-major: raw[c*n+i]
	for c := 0; c < k; c++ {
		for i := 0; i < n; i++ {
			raw[c*n+i] = m.baseline[c]
		}
	}
	// the validation rows, binned, and their raw predictions
	var val *valSet
	if valRows != nil {
		val = &valSet{n: len(valRows), y: make([]int, len(valRows)), raw: make([]float64, len(valRows)*k)}
		val.bins = binColumns(x, d, valRows, thr, missing, b.tm)
		if sw != nil {
			val.sw = make([]float64, len(valRows))
		}
		for j, i := range valRows {
			val.y[j] = y[i]
			if sw != nil {
				val.sw[j] = sw[i]
			}
		}
		for c := 0; c < k; c++ {
			for i := 0; i < val.n; i++ {
				val.raw[c*val.n+i] = m.baseline[c]
			}
		}
		val.loss = make([]float64, val.n)
		m.ValidationScores = append(m.ValidationScores, -lossOf(val.raw, val.y, val.sw, k, b.tm, val.loss))
	}

	gp := make([]gpair, n*k)
	gr := newGrower(td, cfg, b.tm)
	for it := 0; it < cfg.MaxIter; it++ {
		gradients(raw, yt, swt, k, gp, b.tm)
		for c := 0; c < k; c++ {
			gr.grow(gp[c*n : (c+1)*n])
			t := gr.predictor(thr)
			m.trees = append(m.trees, t)
			gr.addLeaves(raw[c*n : (c+1)*n])
			if val != nil {
				val.add(&t, c, b.tm, missing)
			}
		}
		if val != nil {
			m.ValidationScores = append(m.ValidationScores, -lossOf(val.raw, val.y, val.sw, k, b.tm, val.loss))
			if shouldStop(m.ValidationScores, cfg.NIterNoChange, cfg.Tol) {
				break
			}
		}
	}
	return m, nil
}

// shouldStop is _should_stop: stop when none of the last n scores beats
// the one before them by more than tol.
func shouldStop(scores []float64, n int, tol float64) bool {
	ref := n + 1
	if len(scores) < ref {
		return false
	}
	refScore := scores[len(scores)-ref] + tol
	for _, s := range scores[len(scores)-ref+1:] {
		if s > refScore {
			return false
		}
	}
	return true
}

// predictor turns the grown tree into predictor nodes, preorder, with
// thresholds on raw values (make_predictor).
func (gr *grower) predictor(thr [][]float64) tree {
	nodes := make([]node, 0, len(gr.nodes))
	var walk func(i int) int32
	walk = func(i int) int32 {
		gn := &gr.nodes[i]
		at := int32(len(nodes))
		if gn.leaf {
			nodes = append(nodes, node{feature: -1, left: -1, right: -1, value: gn.value})
			return at
		}
		s := gn.split
		t := math.Inf(1) // every non-missing value left (a split at the last bin)
		if s.bin < len(thr[s.feature]) {
			t = thr[s.feature][s.bin]
		}
		nodes = append(nodes, node{feature: int32(s.feature), threshold: t, bin: uint8(s.bin), missingLeft: s.missingLeft, value: gn.value})
		l := walk(gn.left)
		r := walk(gn.right)
		nodes[at].left, nodes[at].right = l, r
		return at
	}
	walk(0)
	return tree{nodes: nodes}
}

// valSet is the held-out rows of early stopping.
type valSet struct {
	n    int
	bins []uint8 // column-major
	y    []int
	sw   []float64
	raw  []float64 // class-major
	loss []float64 // lossOf's scratch
}

// add adds tree t of class c to the held-out rows' raw predictions
// (predict_binned).
func (v *valSet) add(t *tree, c int, tm *team, missing uint8) {
	rc := v.raw[c*v.n : (c+1)*v.n]
	tm.run(v.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			j := int32(0)
			for {
				nd := &t.nodes[j]
				if nd.feature < 0 {
					rc[i] += nd.value
					break
				}
				bv := v.bins[int(nd.feature)*v.n+i]
				var left bool
				if bv == missing {
					left = nd.missingLeft
				} else {
					left = bv <= nd.bin
				}
				if left {
					j = nd.left
				} else {
					j = nd.right
				}
			}
		}
	})
}

// baseline is fit_intercept_only of the loss: logit of the (weighted)
// mean of y for two classes, else MultinomialLogit.link of the class
// frequencies, log(p_k / gmean(p)); the means are numpy's (pairwise sums).
func baseline(y []int, sw []float64, classes, k int) []float64 {
	p := make([]float64, classes)
	a := make([]float64, len(y))
	w := sw
	if w == nil {
		w = make([]float64, len(y))
		for i := range w {
			w[i] = 1
		}
	}
	wsum := pairwiseSum(w)
	for c := range p {
		for i, yc := range y {
			a[i] = 0
			if yc == c {
				a[i] = w[i]
			}
		}
		p[c] = pairwiseSum(a) / wsum
	}
	if k == 1 {
		eps := 10 * epsilon
		q := min(max(p[1], eps), 1-eps)
		return []float64{math.Log(q / (1 - q))}
	}
	out := make([]float64, k)
	logs := make([]float64, k)
	for c := range out {
		p[c] = min(max(p[c], epsilon), 1-epsilon)
		logs[c] = math.Log(p[c])
	}
	gm := math.Exp(pairwiseSum(logs) / float64(k))
	for c := range out {
		out[c] = math.Log(p[c] / gm)
	}
	return out
}

// pairwiseSum is numpy's sum of a float64 array (pairwise_sum_DOUBLE).
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var s float64
		for _, v := range a {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
}

// epsilon is np.finfo(np.float64).eps.
const epsilon = 2.220446049250313e-16

// gradients computes the loss's gradients and hessians at raw into g, h
// (float32, class-major), weighted by sw when not nil. The exponentials
// are taken gradBlock rows at a time by expSlice, then the rows' formulas
// (sklearn/_loss's) in Go.
func gradients(raw []float64, y []int, sw []float64, k int, gp []gpair, tm *team) {
	n := len(y)
	tm.run(n, func(lo, hi int) {
		if k == 1 {
			var ebuf [gradBlock]float64
			for i0 := lo; i0 < hi; i0 += gradBlock {
				e := ebuf[:min(gradBlock, hi-i0)]
				for j := range e {
					e[j] = -raw[i0+j]
				}
				expSlice(e, e)
				for j, ev := range e {
					i := i0 + j
					yt := float64(y[i]) // 0 or 1
					gv := ((1 - yt) - yt*ev) / (1 + ev)
					hv := ev / ((1 + ev) * (1 + ev))
					if sw != nil {
						gv *= sw[i]
						hv *= sw[i]
					}
					gp[i] = gpair{float32(gv), float32(hv)}
				}
			}
			return
		}
		var mbuf [gradBlock]float64
		pbuf := make([]float64, k*gradBlock) // class c's exponentials at c*gradBlock
		for i0 := lo; i0 < hi; i0 += gradBlock {
			m := min(gradBlock, hi-i0)
			mx := mbuf[:m]
			for j := range mx {
				i := i0 + j
				v := raw[i]
				for c := 1; c < k; c++ {
					if v < raw[c*n+i] {
						v = raw[c*n+i]
					}
				}
				mx[j] = v
			}
			for c := 0; c < k; c++ {
				p := pbuf[c*gradBlock : c*gradBlock+m]
				for j := range p {
					p[j] = raw[c*n+i0+j] - mx[j]
				}
				expSlice(p, p)
			}
			for j := range mx {
				i := i0 + j
				var s float64
				for c := 0; c < k; c++ {
					s += pbuf[c*gradBlock+j]
				}
				for c := 0; c < k; c++ {
					pc := pbuf[c*gradBlock+j] / s
					gv := pc
					if y[i] == c {
						gv = pc - 1
					}
					hv := pc * (1 - pc)
					if sw != nil {
						gv *= sw[i]
						hv *= sw[i]
					}
					gp[c*n+i] = gpair{float32(gv), float32(hv)}
				}
			}
		}
	})
}

// gradBlock is the rows whose exponentials gradients takes at a time.
const gradBlock = 256

// log1pexpOf is scikit-learn's log(1 + exp(x)) given e = exp(x) for
// x <= 18, exp(-x) above.
func log1pexpOf(x, e float64) float64 {
	switch {
	case x <= -37:
		return e
	case x <= -2:
		return math.Log1p(e)
	case x <= 18:
		return math.Log(1 + e)
	case x <= 33.3:
		return x + e
	}
	return x
}

// lossOf is the (weighted) mean loss at raw, as np.average; l (len(y)
// values) is scratch. The binary loss takes its exponentials gradBlock
// rows at a time by expSlice.
func lossOf(raw []float64, y []int, sw []float64, k int, tm *team, l []float64) float64 {
	n := len(y)
	l = l[:n]
	tm.run(n, func(lo, hi int) {
		if k == 1 {
			var ebuf [gradBlock]float64
			for i0 := lo; i0 < hi; i0 += gradBlock {
				e := ebuf[:min(gradBlock, hi-i0)]
				for j := range e {
					x := raw[i0+j]
					if x > 18 {
						x = -x // log1pexp's exp(-x)
					}
					e[j] = x
				}
				expSlice(e, e)
				for j, ev := range e {
					i := i0 + j
					yt := float64(y[i]) // 0 or 1
					l[i] = log1pexpOf(raw[i], ev) - yt*raw[i]
				}
			}
			return
		}
		for i := lo; i < hi; i++ {
			mx := raw[i]
			for c := 1; c < k; c++ {
				mx = max(mx, raw[c*n+i])
			}
			var s float64
			for c := 0; c < k; c++ {
				s += math.Exp(raw[c*n+i] - mx)
			}
			l[i] = math.Log(s) + mx - raw[y[i]*n+i]
		}
	})
	if sw == nil {
		return pairwiseSum(l) / float64(n)
	}
	for i := range l {
		l[i] *= sw[i]
	}
	return pairwiseSum(l) / pairwiseSum(sw)
}
