package forest

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Splitters: Config.Splitter.
const (
	SplitterExact = "exact" // scikit-learn's BestSplitter over sorted values (the default)
	SplitterHist  = "hist"  // per-bin class histograms over binned features
)

// DefaultMaxBins is the hist splitter's number of bins per feature when
// Config.MaxBins is 0, scikit-learn's HistGradientBoosting max_bins.
const DefaultMaxBins = 255

// maxHistRows bounds the rows the hist splitter takes: a node's row is
// packed with its class and multiplicity in 64 bits (see histBuilder.rows).
const maxHistRows = 1<<24 - 1

// histData is the training data binned for the hist splitter, built once
// per Fit and shared read-only by the workers.
type histData struct {
	n, d        int
	codes       []uint8     // column-major: codes[f*n+i] is the bin of row i's value of feature f
	edges       [][]float64 // per feature, ascending: bin b holds the values v with edges[b-1] < v <= edges[b]
	y           []uint8
	classes     int
	classWeight []float64 // per class; 1 when unweighted
}

// binData bins every column of x (row-major, n rows of d values, checked
// finite as float32) into at most maxBins bins, one goroutine per worker.
func binData(x []float64, n, d int, y []int, classes, maxBins, workers int) *histData {
	data := &histData{
		n: n, d: d, classes: classes,
		codes: make([]uint8, n*d),
		edges: make([][]float64, d),
		y:     make([]uint8, n),
	}
	for i, c := range y {
		data.y[i] = uint8(c)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(workers, 1), d) {
		wg.Go(func() {
			keys, buf := make([]uint64, n), make([]uint64, n)
			for {
				f := int(next.Add(1) - 1)
				if f >= d {
					return
				}
				for i := range n {
					keys[i] = sortKey(float32(x[i*d+f]), int32(i))
				}
				// Stable: rows already in order need no row digits.
				sorted := radixSort(keys, buf, 0)
				edges := binEdges(sorted, maxBins)
				data.edges[f] = edges
				codes := data.codes[f*n : (f+1)*n]
				bin := 0
				for _, key := range sorted {
					v := float64(keyValue(key))
					for bin < len(edges) && edges[bin] < v {
						bin++
					}
					codes[uint32(key)] = uint8(bin)
				}
			}
		})
	}
	wg.Wait()
	return data
}

// binEdges returns the upper edges of a column's bins, ascending, from its
// values as sorted sortKeys, the way scikit-learn's _BinMapper finds
// them (sklearn/ensemble/_hist_gradient_boosting/binning.py): with at most
// maxBins distinct values (values 1e-7 apart or less counting as one, as
// the exact splitter counts them), an edge between each two neighbours,
// at the threshold the exact splitter would put there; with more, the
// midpoint percentiles 100*k/maxBins, k = 1..maxBins-1, of all the values
// (numpy's percentile, method "midpoint"; scikit-learn takes them from a
// subsample of 200,000 rows), without repeats. The last bin has no upper
// edge: len(edges) is the number of bins minus one.
func binEdges(sorted []uint64, maxBins int) []float64 {
	distinct := make([]float32, 0, maxBins+1)
	prev := keyValue(sorted[0])
	distinct = append(distinct, prev)
	for _, key := range sorted[1:] {
		v := keyValue(key)
		if v > prev+featureThreshold {
			distinct = append(distinct, v)
			if len(distinct) > maxBins {
				break
			}
		}
		prev = v
	}
	if len(distinct) <= maxBins {
		edges := make([]float64, len(distinct)-1)
		for i := range edges {
			edges[i] = threshold(distinct[i], distinct[i+1])
		}
		return edges
	}
	n := len(sorted)
	edges := make([]float64, 0, maxBins-1)
	for k := 1; k < maxBins; k++ {
		q := float64(k) * (100 / float64(maxBins)) // numpy's linspace(0, 100, maxBins+1)[k]
		pos := q / 100 * float64(n-1)
		lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
		e := float64(keyValue(sorted[lo]))/2 + float64(keyValue(sorted[hi]))/2
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	return edges
}

// threshold is the split threshold between two float32 values lo < hi,
// scikit-learn's v[p-1]/2 + v[p]/2 in float64; lo if that rounds up to hi,
// which would send hi left.
func threshold(lo, hi float32) float64 {
	t := float64(lo)/2 + float64(hi)/2
	if t == float64(hi) || math.IsInf(t, 0) {
		t = float64(lo)
	}
	return t
}

// histRecord is a node waiting to be grown by a histBuilder.
type histRecord struct {
	start, end int // its rows are histBuilder.rows[buf][start:end]
	buf        int
	depth      int
	parent     int
	isLeft     bool
	nConstant  int // features known constant here: features[:nConstant]
	counts     int // its class multiplicities are histBuilder.counts[counts:counts+classes]
}

// histBuilder grows trees with the hist splitter. Its buffers are reused
// from tree to tree; a histBuilder belongs to one goroutine.
type histBuilder struct {
	data *histData
	p    params
	rng  *rand.Rand

	mult []int32 // per row: its multiplicity in the tree's bootstrap draw
	// The tree's distinct rows, each packed as row | class<<32 |
	// multiplicity<<40; a node owns a contiguous range of one of the two
	// buffers, and its split moves its rows to the same range of the
	// other (see partition).
	rows   [2][]uint64
	stack  []histRecord
	counts []int64 // class multiplicities of the nodes on the stack, classes per node

	features         []int // as builder.features
	constantFeatures []int

	// hist[b*classes+c] sums, over the node's rows of class c in bin b,
	// multiplicity<<32 | 1: the class's multiplicities in the high half,
	// its distinct rows in the low. It is all zeros between features.
	hist []uint64

	// The node being split.
	total      []int64   // per class: multiplicities in the node
	sumTotal   []float64 // per class: weighted counts in the node
	weightN    float64
	weightRoot float64
	left       []int64 // per class: multiplicities left of the scan position

	// The best split so far in the node.
	bestProxy    float64
	bestFeature  int
	bestBin      int     // rows in bins <= bestBin go left
	bestRowsLeft int     // distinct rows going left
	bestLeft     []int64 // per class: multiplicities going left
}

func newHistBuilder(data *histData, p params) *histBuilder {
	k := data.classes
	return &histBuilder{
		data:             data,
		p:                p,
		mult:             make([]int32, data.n),
		rows:             [2][]uint64{make([]uint64, 0, data.n), make([]uint64, data.n)},
		features:         make([]int, data.d),
		constantFeatures: make([]int, data.d),
		hist:             make([]uint64, max(4*p.maxBins*k, 2048)),
		total:            make([]int64, k),
		sumTotal:         make([]float64, k),
		left:             make([]int64, k),
		bestLeft:         make([]int64, k),
	}
}

// grow grows one tree with randomness from src, drawn as builder.grow
// draws it from rand.New(src): the bootstrap first, then the features at
// each node, depth first, left child first.
func (b *histBuilder) grow(src *rand.PCG) *Tree {
	b.rng = rand.New(src)
	data := b.data
	k := data.classes
	mult := b.mult
	if b.p.bootstrap {
		clear(mult)
		bootstrap(src, mult)
	} else {
		for i := range mult {
			mult[i] = 1
		}
	}
	rows := b.rows[0][:0]
	b.counts = append(b.counts[:0], make([]int64, k)...)
	for i, m := range mult {
		if m == 0 {
			continue
		}
		c := data.y[i]
		b.counts[c] += int64(m)
		rows = append(rows, uint64(i)|uint64(c)<<32|uint64(m)<<40)
	}
	for f := range b.features {
		b.features[f] = f
	}

	t := &Tree{classes: k, features: data.d}
	b.rows[0] = rows
	b.stack = append(b.stack[:0], histRecord{end: len(rows), parent: Undefined})
	for len(b.stack) > 0 {
		rec := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		m := rec.end - rec.start
		copy(b.total, b.counts[rec.counts:rec.counts+k])
		b.counts = b.counts[:rec.counts] // the stack is LIFO: this node's counts are the last
		b.weightN = 0
		sq := 0.0
		for c, count := range b.total {
			w := float64(count) * data.classWeight[c]
			b.sumTotal[c] = w
			b.weightN += w
			sq += w * w
		}
		if rec.parent == Undefined {
			b.weightRoot = b.weightN
		}
		impurity := 1 - sq/(b.weightN*b.weightN)
		isLeaf := rec.depth >= b.p.maxDepth || m < b.p.minSplit || impurity <= epsilon

		nConstant := rec.nConstant
		if !isLeaf {
			var improvement float64
			var found bool
			found, nConstant, improvement = b.split(rec, impurity)
			isLeaf = !found || improvement+epsilon < 0
		}

		if isLeaf {
			t.addNode(rec.parent, rec.isLeft, rec.depth, impurity, m, b.weightN, b.sumTotal, Undefined, Undefined)
			continue
		}
		id := t.addNode(rec.parent, rec.isLeft, rec.depth, impurity, m, b.weightN, b.sumTotal, b.bestFeature, data.edges[b.bestFeature][b.bestBin])

		pos := b.partition(b.rows[rec.buf][rec.start:rec.end], b.rows[1-rec.buf][rec.start:rec.end]) + rec.start
		countsRight := len(b.counts)
		for c, total := range b.total {
			b.counts = append(b.counts, total-b.bestLeft[c])
		}
		countsLeft := len(b.counts)
		b.counts = append(b.counts, b.bestLeft...)
		b.stack = append(b.stack,
			histRecord{start: pos, end: rec.end, buf: 1 - rec.buf, depth: rec.depth + 1, parent: id, nConstant: nConstant, counts: countsRight},
			histRecord{start: rec.start, end: pos, buf: 1 - rec.buf, depth: rec.depth + 1, parent: id, isLeft: true, nConstant: nConstant, counts: countsLeft},
		)
	}
	t.finish()
	return t
}

// bootstrap draws len(mult) rows with replacement, adding one to a row's
// multiplicity per draw: the draws of
//
//	rng := rand.New(src)
//	for range n { mult[rng.IntN(n)]++ }
//
// as the exact splitter makes them, without an interface call per draw.
// It reduces src's values to [0, n) as math/rand/v2's Rand.uint64n does
// (Lemire's multiply and reject); TestBootstrapDraws holds it to IntN.
func bootstrap(src *rand.PCG, mult []int32) {
	n := uint64(len(mult))
	if n&(n-1) == 0 {
		for range n {
			mult[src.Uint64()&(n-1)]++
		}
		return
	}
	thresh := -n % n
	for range n {
		hi, lo := bits.Mul64(src.Uint64(), n)
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
		mult[hi]++
	}
}

// split draws features as builder.split does (scikit-learn's
// BestSplitter.node_split), scoring each drawn feature's bins with
// histFeature; a feature whose node rows all fall in one bin counts as
// constant. It returns whether a valid split was found, the number of
// features now known constant and the split's impurity improvement.
func (b *histBuilder) split(rec histRecord, impurity float64) (found bool, nConstant int, improvement float64) {
	features := b.features
	d := len(features)
	b.bestProxy = math.Inf(-1)
	b.bestBin = -1
	fi := d
	nVisited, nFoundConstants, nDrawnConstants := 0, 0, 0
	nKnownConstants := rec.nConstant
	nTotalConstants := nKnownConstants
	for fi > nTotalConstants && (nVisited < b.p.maxFeatures || nVisited <= nFoundConstants+nDrawnConstants) {
		nVisited++
		fj := nDrawnConstants + b.rng.IntN(fi-nFoundConstants-nDrawnConstants)
		if fj < nKnownConstants {
			features[nDrawnConstants], features[fj] = features[fj], features[nDrawnConstants]
			nDrawnConstants++
			continue
		}
		fj += nFoundConstants
		f := features[fj]
		if b.histFeature(f, b.rows[rec.buf][rec.start:rec.end]) {
			features[fj], features[nTotalConstants] = features[nTotalConstants], features[fj]
			nFoundConstants++
			nTotalConstants++
			continue
		}
		fi--
		features[fi], features[fj] = features[fj], features[fi]
	}
	copy(features[:nKnownConstants], b.constantFeatures[:nKnownConstants])
	copy(b.constantFeatures[nKnownConstants:nTotalConstants], features[nKnownConstants:nTotalConstants])
	if b.bestBin < 0 {
		return false, nTotalConstants, 0
	}
	classWeight := b.data.classWeight
	var weightLeft, weightRight, sqLeft, sqRight float64
	for c, total := range b.total {
		l := float64(b.bestLeft[c]) * classWeight[c]
		r := float64(total-b.bestLeft[c]) * classWeight[c]
		weightLeft += l
		weightRight += r
		sqLeft += l * l
		sqRight += r * r
	}
	impLeft := 1 - sqLeft/(weightLeft*weightLeft)
	impRight := 1 - sqRight/(weightRight*weightRight)
	improvement = b.weightN / b.weightRoot *
		(impurity - weightRight/b.weightN*impRight - weightLeft/b.weightN*impLeft)
	return true, nTotalConstants, improvement
}

// histFeature builds the histogram of feature f over the node's rows and
// scores the split after each of its non-empty bins but the last that
// leaves at least MinSamplesLeaf distinct rows on each side, by the
// exact splitter's Gini proxy; a candidate replaces the best only if
// strictly better. It reports whether the rows all fall in one bin.
func (b *histBuilder) histFeature(f int, rows []uint64) (constant bool) {
	data := b.data
	n, k := data.n, data.classes
	col := data.codes[f*n : (f+1)*n]
	hist := b.hist
	// A feature constant in the node (often, on sparse data) is told by
	// comparing codes, cheaper than counting them.
	first := col[uint32(rows[0])]
	constant = true
	for _, r := range rows[1:] {
		if col[uint32(r)] != first {
			constant = false
			break
		}
	}
	if constant {
		return true
	}
	var lo, hi int
	if bins := len(data.edges[f]) + 1; len(rows) >= 4*bins {
		// Large node: four histograms, so that runs of rows in one bin
		// (most rows of a sparse feature) do not wait on each other's
		// stores, summed after; then the occupied range.
		size := bins * k
		h0, h1, h2, h3 := hist[:size], hist[size:2*size], hist[2*size:3*size], hist[3*size:4*size]
		i := 0
		if k == 2 {
			// Two classes: fixed-size histograms index without bounds checks.
			h0, h1, h2, h3 = hist[:512], hist[512:1024], hist[1024:1536], hist[1536:2048]
			a0, a1, a2, a3 := (*[512]uint64)(h0), (*[512]uint64)(h1), (*[512]uint64)(h2), (*[512]uint64)(h3)
			for ; i+4 <= len(rows); i += 4 {
				r0, r1, r2, r3 := rows[i], rows[i+1], rows[i+2], rows[i+3]
				a0[(uint(col[uint32(r0)])<<1|uint(r0>>32)&1)&511] += r0>>40<<32 | 1
				a1[(uint(col[uint32(r1)])<<1|uint(r1>>32)&1)&511] += r1>>40<<32 | 1
				a2[(uint(col[uint32(r2)])<<1|uint(r2>>32)&1)&511] += r2>>40<<32 | 1
				a3[(uint(col[uint32(r3)])<<1|uint(r3>>32)&1)&511] += r3>>40<<32 | 1
			}
			h0, h1, h2, h3 = h0[:size], h1[:size], h2[:size], h3[:size]
		}
		for ; i+4 <= len(rows); i += 4 {
			r0, r1, r2, r3 := rows[i], rows[i+1], rows[i+2], rows[i+3]
			h0[int(col[uint32(r0)])*k+int(r0>>32&0xff)] += r0>>40<<32 | 1
			h1[int(col[uint32(r1)])*k+int(r1>>32&0xff)] += r1>>40<<32 | 1
			h2[int(col[uint32(r2)])*k+int(r2>>32&0xff)] += r2>>40<<32 | 1
			h3[int(col[uint32(r3)])*k+int(r3>>32&0xff)] += r3>>40<<32 | 1
		}
		for _, r := range rows[i:] {
			h0[int(col[uint32(r)])*k+int(r>>32&0xff)] += r>>40<<32 | 1
		}
		for j := range h0 {
			h0[j] += h1[j] + h2[j] + h3[j]
		}
		clear(h1)
		clear(h2)
		clear(h3)
		lo, hi = bins-1, 0
		for bin := range bins {
			for _, h := range hist[bin*k : (bin+1)*k] {
				if h != 0 {
					lo, hi = min(lo, bin), bin
				}
			}
		}
	} else {
		lo, hi = 255, 0
		for _, r := range rows {
			bin := int(col[uint32(r)])
			hist[bin*k+int(r>>32&0xff)] += r>>40<<32 | 1
			lo = min(lo, bin)
			hi = max(hi, bin)
		}
	}
	defer clear(hist[lo*k : (hi+1)*k])
	if lo == hi {
		return true
	}
	m := len(rows)
	minLeaf := b.p.minLeaf
	classWeight := data.classWeight[:k]
	total, left := b.total, b.left[:k]
	clear(left)
	rowsLeft := 0
	for bin := lo; bin < hi; bin++ {
		binRows := 0
		for c, h := range hist[bin*k : (bin+1)*k] {
			left[c] += int64(h >> 32)
			binRows += int(uint32(h))
		}
		if binRows == 0 {
			continue
		}
		rowsLeft += binRows
		if rowsLeft < minLeaf {
			continue
		}
		if m-rowsLeft < minLeaf {
			break
		}
		var weightLeft, weightRight, sqLeft, sqRight float64
		for c, l := range left {
			wl := float64(l) * classWeight[c]
			wr := float64(total[c]-l) * classWeight[c]
			weightLeft += wl
			weightRight += wr
			sqLeft += wl * wl
			sqRight += wr * wr
		}
		giniLeft := 1 - sqLeft/(weightLeft*weightLeft)
		giniRight := 1 - sqRight/(weightRight*weightRight)
		proxy := -weightRight*giniRight - weightLeft*giniLeft
		if proxy > b.bestProxy {
			b.bestProxy = proxy
			b.bestFeature = f
			b.bestBin = bin
			b.bestRowsLeft = rowsLeft
			copy(b.bestLeft, left)
		}
	}
	return false
}

// partition copies a node's rows src to dst (the same range of the other
// buffer), the rows going left under the best split first, and returns
// how many go left. It is stable: the rows stay in ascending order on
// each side, so that the children's histograms read the columns in
// order.
func (b *histBuilder) partition(src, dst []uint64) int {
	n := b.data.n
	col := b.data.codes[b.bestFeature*n : (b.bestFeature+1)*n]
	bin := uint(b.bestBin)
	left := b.bestRowsLeft
	// goRight is 1 when the row's bin is above bin: no branch to
	// mispredict.
	i, j := 0, left
	for _, r := range src {
		goRight := int((bin - uint(col[uint32(r)])) >> 63)
		pos := i
		if goRight != 0 {
			pos = j
		}
		dst[pos] = r
		i += 1 - goRight
		j += goRight
	}
	if i != left || j != len(src) {
		panic(fmt.Sprintf("forest: internal error: partition put %d rows left, the split %d", i, left))
	}
	return left
}

// fitHist grows the forest with the hist splitter; FitChecked has
// validated its arguments and drawn the seeds.
func fitHist(x []float64, n, d int, y []int, classes int, cfg Config, p params, seeds [][2]uint64) *Forest {
	workers := min(max(cfg.Workers, 1), cfg.Trees)
	data := binData(x, n, d, y, classes, p.maxBins, workers)
	data.classWeight = make([]float64, classes)
	for c := range data.classWeight {
		data.classWeight[c] = 1
	}
	if p.balanced {
		data.classWeight = balancedWeights(y, classes)
	}
	f := &Forest{trees: make([]*Tree, cfg.Trees), classes: classes, features: d}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		b := newHistBuilder(data, p)
		wg.Go(func() {
			for {
				t := int(next.Add(1) - 1)
				if t >= cfg.Trees {
					return
				}
				f.trees[t] = b.grow(rand.NewPCG(seeds[t][0], seeds[t][1]))
			}
		})
	}
	wg.Wait()
	return f
}
