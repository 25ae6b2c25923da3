package forest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Leaf markers in a Tree's node arrays, scikit-learn's TREE_LEAF and
// TREE_UNDEFINED.
const (
	Leaf      = -1 // ChildrenLeft and ChildrenRight of a leaf
	Undefined = -2 // Feature (and Threshold) of a leaf
)

// Tree is one fitted CART classification tree, laid out as scikit-learn's
// tree_: node i's arrays hold its children, split and statistics, node 0 is
// the root and nodes are numbered depth first, left child first. The
// exported slices are read-only.
type Tree struct {
	ChildrenLeft        []int     // left child of each node, Leaf for a leaf
	ChildrenRight       []int     // right child of each node, Leaf for a leaf
	Feature             []int     // feature split on, Undefined for a leaf
	Threshold           []float64 // rows with float32(x[Feature]) <= Threshold go left; Undefined for a leaf
	Impurity            []float64 // Gini impurity of the node's weighted class counts
	NodeSamples         []int     // distinct training rows in the node
	WeightedNodeSamples []float64 // their total weight (multiplicity times class weight)
	Value               []float64 // Value[i*classes+c]: weighted count of class c in node i
	MaxDepth            int       // depth of the deepest node, the root at 0

	classes, features int
	nodes             []predictNode
	proba             []float64 // normalised leaf distributions, classes per leaf
}

// predictNode is a node as prediction walks it: an internal node's left
// child is the next node (depth-first numbering), right its right child; a
// leaf has feature -1 and right the offset of its distribution in proba.
type predictNode struct {
	threshold float64
	feature   int32
	right     int32
}

// Classes returns the number of classes of the tree.
func (t *Tree) Classes() int { return t.classes }

// Features returns the number of features the tree expects.
func (t *Tree) Features() int { return t.features }

// NodeCount returns the number of nodes, leaves included.
func (t *Tree) NodeCount() int { return len(t.Feature) }

// Apply returns the index of the leaf row falls into. It panics unless
// len(row) == Features().
func (t *Tree) Apply(row []float64) int {
	if len(row) != t.features {
		panic(fmt.Sprintf("forest: row of %d values for %d features", len(row), t.features))
	}
	i := int32(0)
	for {
		nd := &t.nodes[i]
		if nd.feature < 0 {
			return int(i)
		}
		if float64(float32(row[nd.feature])) <= nd.threshold {
			i++
		} else {
			i = nd.right
		}
	}
}

// leafOffset returns the offset in t.proba of the distribution of the leaf
// row falls into.
func (t *Tree) leafOffset(row []float64) int {
	nodes := t.nodes
	i := int32(0)
	for {
		nd := &nodes[i]
		if nd.feature < 0 {
			return int(nd.right)
		}
		if float64(float32(row[nd.feature])) <= nd.threshold {
			i++
		} else {
			i = nd.right
		}
	}
}

// PredictProba writes the tree's class probabilities for one row into out:
// the weighted class counts of its leaf divided by their sum. It panics
// unless len(row) == Features() and len(out) == Classes().
func (t *Tree) PredictProba(row []float64, out []float64) {
	if len(row) != t.features || len(out) != t.classes {
		panic(fmt.Sprintf("forest: row of %d values and out of %d for %d features and %d classes", len(row), len(out), t.features, t.classes))
	}
	leaf := t.leafOffset(row)
	copy(out, t.proba[leaf:leaf+t.classes])
}

// Importances returns the tree's Gini importances, scikit-learn's
// DecisionTreeClassifier.feature_importances_:
//
//	imp[f] = sum over nodes split on f of (w*gini - w_L*gini_L - w_R*gini_R) / w_root
//
// normalised to sum to 1 unless all are zero.
func (t *Tree) Importances() []float64 {
	imp := make([]float64, t.features)
	for i, left := range t.ChildrenLeft {
		if left == Leaf {
			continue
		}
		right := t.ChildrenRight[i]
		imp[t.Feature[i]] += float64(t.WeightedNodeSamples[i]*t.Impurity[i]) -
			float64(t.WeightedNodeSamples[left]*t.Impurity[left]) -
			float64(t.WeightedNodeSamples[right]*t.Impurity[right])
	}
	total := 0.0
	for f := range imp {
		imp[f] /= t.WeightedNodeSamples[0]
		total += imp[f]
	}
	if total > 0 {
		for f := range imp {
			imp[f] /= total
		}
	}
	return imp
}

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: float32 values no
// more than this apart are the same value.
const featureThreshold float32 = 1e-7

// epsilon is np.finfo(np.float64).eps, scikit-learn's EPSILON in _tree.pyx.
const epsilon = 0x1p-52

// sampleState is what the builder knows of one training row in the tree
// being grown, packed into 8 bytes so the rows of 100,000 flows stay in a
// core's L2 cache.
type sampleState struct {
	node int32  // key of the open node holding the row; -1 if not drawn
	wc   uint32 // multiplicity<<classBits | class
}

// stackRecord is a node waiting to be grown, scikit-learn's StackRecord.
// addNode appends a node (a leaf when feature is Undefined), links it to
// its parent (Undefined for the root) and returns its id: the node
// bookkeeping both splitters share.
func (t *Tree) addNode(parent int, isLeft bool, depth int, impurity float64, samples int, weight float64, value []float64, feature int, threshold float64) int {
	id := len(t.Feature)
	if parent != Undefined {
		if isLeft {
			t.ChildrenLeft[parent] = id
		} else {
			t.ChildrenRight[parent] = id
		}
	}
	t.ChildrenLeft = append(t.ChildrenLeft, Leaf)
	t.ChildrenRight = append(t.ChildrenRight, Leaf)
	t.Impurity = append(t.Impurity, impurity)
	t.NodeSamples = append(t.NodeSamples, samples)
	t.WeightedNodeSamples = append(t.WeightedNodeSamples, weight)
	t.Value = append(t.Value, value...)
	t.MaxDepth = max(t.MaxDepth, depth)
	t.Feature = append(t.Feature, feature)
	t.Threshold = append(t.Threshold, threshold)
	return id
}

type stackRecord struct {
	start, end   int // its rows are samples[start:end], or rows[buf][start:end] when ranked
	buf          int
	depth        int
	parent       int
	isLeft       bool
	impurity     float64
	nConstant    int // features known constant here: features[:nConstant]
	key          int32
	counts       int  // its class multiplicities are builder.counts[counts:counts+classes]
	rootImpurity bool // impurity still to be computed (the root)
}

// builder grows trees on a dataset. Its buffers are reused from tree to
// tree; a builder belongs to one goroutine.
type builder struct {
	data       *dataset
	p          params
	rng        *rand.Rand
	scanFactor int // see useScan

	pureShortcut bool // see pureFeature; tests turn it off
	noFilter     bool // see improvementBar; tests turn the filter off
	noPack       bool // see usePacked; tests turn packing off

	// Without class weights the builder reads each feature's ranks (see
	// rankFeature) and keeps a node's rows in rows; with class weights,
	// or when tests turn ranked off, it sorts or scans the node's values
	// (sortFeature, scanFeature) and keeps its rows in samples and state.
	ranked bool
	// The tree's distinct rows, each packed as row | wc<<32 (wc as in
	// sampleState); a node owns a contiguous range of one of the two
	// buffers, and its split moves its rows, stably, to the same range
	// of the other.
	rows [2][]uint64
	rk   []uint32 // the node's rows' ranks of the feature being scored
	// hist[i*classes+c] sums, over the node's rows of class c whose rank
	// is the i-th of the range counted, multiplicity<<32 | 1; packed,
	// hist[i] sums 1 | multiplicity<<(packedBits*(1+class)). It is all
	// zeros between features.
	hist   []uint64
	packed bool      // two classes: a bin of hist packs its sums in one word (see usePacked)
	cx     []uint64  // scanPacked: the occupied bins
	cv     []float32 // and their values

	mult    []int32       // per row: its multiplicity in the tree's draw
	state   []sampleState // per row (not ranked)
	samples []int32       // distinct rows of the tree, a node owning a contiguous range (not ranked)
	keys    []uint64      // sort scratch
	keysBuf []uint64      // radix sort scratch
	stack   []stackRecord
	counts  []int // class multiplicities of the nodes on the stack, classes per node
	nextKey int32

	features         []int // scikit-learn's Splitter.features
	constantFeatures []int // scikit-learn's Splitter.constant_features

	// With class weights the weights are fractions whose sums depend on
	// the order of the additions, and scikit-learn's sums in different
	// orders leave residues that decide some splits (see nodeReset); the
	// builder then sums weights row by row, as scikit-learn does. Without,
	// every sum is an exact integer in any order and the builder counts.
	weighted    bool
	classWeight []float64 // per class; 1 when unweighted

	// The node being split.
	countTotal []int     // per class: multiplicities in the node (unweighted)
	sumTotal   []float64 // per class: weighted counts in the node
	weightN    float64   // total weight of the node
	weightRoot float64   // total weight of the tree's rows, scikit-learn's weighted_n_samples
	sumLeft    []float64 // per class: weighted counts left of the scan position

	// The node's rows in the order of the feature being scored.
	values []float32
	wcs    []uint32 // their sampleState.wc

	// The best split so far in the node.
	bestProxy     float64
	bestFeature   int
	bestPos       int
	bestThreshold float64
	bestLo        float32 // the greatest value left of the best split
	bestLeft      []int   // unweighted: multiplicities per class left of the best split
	leftCounts    []int   // scanBins: multiplicities per class left of the scan position
}

func newBuilder(data *dataset, p params) *builder {
	k := data.classes
	b := &builder{
		data:             data,
		p:                p,
		mult:             make([]int32, data.n),
		keys:             make([]uint64, data.n),
		keysBuf:          make([]uint64, data.n),
		features:         make([]int, data.d),
		constantFeatures: make([]int, data.d),
		weighted:         data.classWeight != nil,
		classWeight:      make([]float64, k),
		countTotal:       make([]int, k),
		sumTotal:         make([]float64, k),
		sumLeft:          make([]float64, k),
		bestLeft:         make([]int, k),
		leftCounts:       make([]int, k),
		values:           make([]float32, data.n),
		wcs:              make([]uint32, data.n),
		scanFactor:       defaultScanFactor,
		pureShortcut:     true,
		ranked:           data.classWeight == nil,
	}
	for c := range b.classWeight {
		b.classWeight[c] = 1
		if b.weighted {
			b.classWeight[c] = data.classWeight[c]
		}
	}
	return b
}

// grow grows one tree with randomness from src, drawn as from
// rand.New(src): the bootstrap draw first, then the features drawn at
// each node, depth first, left child first. Non-nil counts replace the
// bootstrap draw (tests use them to give rows the multiplicities
// scikit-learn is given as sample weights).
func (b *builder) grow(src *rand.PCG, counts []int32) *Tree {
	b.rng = rand.New(src)
	data := b.data
	mult := b.mult
	switch {
	case counts != nil:
		clear(mult)
		copy(mult, counts)
	case b.p.bootstrap:
		clear(mult)
		bootstrap(src, mult)
	default:
		for i := range mult {
			mult[i] = 1
		}
	}
	// Pack class and multiplicity, list the drawn rows and count the
	// root's classes.
	b.counts = b.counts[:0]
	for range data.classes {
		b.counts = append(b.counts, 0)
	}
	rootCounts := b.counts
	shift := data.classBits
	var m0 int
	if b.ranked {
		b.prepareRanked()
		rows := b.rows[0]
		for i, k := range mult {
			c := data.y[i]
			rootCounts[c] += int(k)
			// Written for every row, kept for the drawn: no branch to
			// mispredict.
			rows[m0] = uint64(i) | uint64(uint32(k)<<shift|uint32(c))<<32
			m0 += int(uint32(-k) >> 31)
		}
		b.packed = b.usePacked(m0)
	} else {
		if len(b.state) < len(mult) {
			b.state = make([]sampleState, len(mult))
			b.samples = make([]int32, 0, len(mult))
		}
		b.samples = b.samples[:0]
		for i, k := range mult {
			st := &b.state[i]
			if k == 0 {
				*st = sampleState{node: -1}
				continue
			}
			rootCounts[data.y[i]] += int(k)
			*st = sampleState{wc: uint32(k)<<shift | uint32(data.y[i])}
			b.samples = append(b.samples, int32(i))
		}
		m0 = len(b.samples)
	}
	for f := range b.features {
		b.features[f] = f
	}
	b.nextKey = 1

	k := data.classes
	t := &Tree{classes: k, features: data.d}
	b.stack = append(b.stack[:0], stackRecord{
		end: m0, parent: Undefined, rootImpurity: true,
	})
	for len(b.stack) > 0 {
		rec := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		m := rec.end - rec.start
		b.nodeReset(rec)
		impurity := rec.impurity
		if rec.rootImpurity {
			impurity = b.nodeImpurity()
			b.weightRoot = b.weightN
		}
		isLeaf := rec.depth >= b.p.maxDepth || m < b.p.minSplit || impurity <= epsilon

		var impLeft, impRight float64
		nConstant := rec.nConstant
		if !isLeaf {
			var improvement float64
			var found bool
			found, nConstant, impLeft, impRight, improvement = b.split(rec, impurity)
			isLeaf = !found || improvement+epsilon < 0
		}

		if isLeaf {
			t.addNode(rec.parent, rec.isLeft, rec.depth, impurity, m, b.weightN, b.sumTotal, Undefined, Undefined)
			continue
		}
		id := t.addNode(rec.parent, rec.isLeft, rec.depth, impurity, m, b.weightN, b.sumTotal, b.bestFeature, b.bestThreshold)

		pos := rec.start + b.bestPos
		// A child scores its features by scanning the global column
		// order only if it is large, and then so are all its ancestors;
		// only such children need their rows marked with their key.
		keyLeft, keyRight := b.nextKey, b.nextKey+1
		b.nextKey += 2
		childBuf := rec.buf
		switch {
		case b.ranked:
			childBuf = 1 - rec.buf
		default:
			if b.useScan(pos - rec.start) {
				for _, s := range b.samples[rec.start:pos] {
					b.state[s].node = keyLeft
				}
			}
			if b.useScan(rec.end - pos) {
				for _, s := range b.samples[pos:rec.end] {
					b.state[s].node = keyRight
				}
			}
		}
		countsLeft, countsRight := 0, 0
		if !b.weighted {
			countsLeft = len(b.counts)
			b.counts = append(b.counts, b.bestLeft...)
			countsRight = len(b.counts)
			for c, total := range b.countTotal {
				b.counts = append(b.counts, total-b.bestLeft[c])
			}
		}
		b.stack = append(b.stack,
			stackRecord{start: pos, end: rec.end, buf: childBuf, depth: rec.depth + 1, parent: id, impurity: impRight, nConstant: nConstant, key: keyRight, counts: countsRight},
			stackRecord{start: rec.start, end: pos, buf: childBuf, depth: rec.depth + 1, parent: id, isLeft: true, impurity: impLeft, nConstant: nConstant, key: keyLeft, counts: countsLeft},
		)
	}
	t.finish()
	return t
}

// nodeReset computes the node's weighted class counts and weight,
// scikit-learn's criterion.init. Without class weights they are the
// multiplicities the parent's split handed down. With class weights they
// are summed row by row in the order of the node's rows, as scikit-learn
// does: the parent computed this node's impurity from its own sums in
// another order (sum_right = sum_total - sum_left), so a pure node can
// inherit a residue of about 1e-15 instead of 0. Where that residue exceeds
// EPSILON scikit-learn splits the pure node once more, at the first
// boundary it scores, into two pure leaves; a quarter of the internal nodes
// of a balanced forest on the case study's flows are such splits. The
// builder reproduces the mechanism, not the bits: its row orders differ.
func (b *builder) nodeReset(rec stackRecord) {
	k := len(b.sumTotal)
	if !b.weighted {
		copy(b.countTotal, b.counts[rec.counts:rec.counts+k])
		b.weightN = 0
		for c, count := range b.countTotal {
			b.sumTotal[c] = float64(count)
			b.weightN += b.sumTotal[c]
		}
		return
	}
	shift, mask := b.data.classBits, b.data.classMask
	sumTotal, classWeight := b.sumTotal, b.classWeight[:k]
	clear(sumTotal)
	weightN := 0.0
	for _, s := range b.samples[rec.start:rec.end] {
		wc := b.state[s].wc
		c := wc & mask
		w := float64(wc>>shift) * classWeight[c]
		sumTotal[c] += w
		weightN += w
	}
	b.weightN = weightN
}

// nodeImpurity is the Gini impurity of the node's weighted class counts.
func (b *builder) nodeImpurity() float64 {
	sq := 0.0
	for _, s := range b.sumTotal {
		sq += float64(s * s)
	}
	return 1 - sq/float64(b.weightN*b.weightN)
}

// split is scikit-learn's BestSplitter.node_split: it draws features until
// MaxFeatures have been drawn (known constants included) and one of them
// was not constant, or none are left; keeps the best split, partitions the node's rows around it and returns the
// children's impurities, the impurity improvement and the number of
// features now known constant. found is false if no valid split exists.
func (b *builder) split(rec stackRecord, impurity float64) (found bool, nConstant int, impLeft, impRight, improvement float64) {
	start, end := rec.start, rec.end
	m := end - start
	features := b.features
	d := len(features)

	b.bestProxy = math.Inf(-1)
	b.bestPos = m
	fi := d
	nVisited, nFoundConstants, nDrawnConstants := 0, 0, 0
	nKnownConstants := rec.nConstant
	nTotalConstants := nKnownConstants
	scan := !b.ranked && b.useScan(m)
	pure := b.weighted && b.pureShortcut && isPure(b.sumTotal)
	var rows []uint64
	if b.ranked {
		rows = b.rows[rec.buf][start:end]
	}

	for fi > nTotalConstants && (nVisited < b.p.maxFeatures || nVisited <= nFoundConstants+nDrawnConstants) {
		nVisited++
		// Loop invariant, as scikit-learn's: features[:nDrawnConstants]
		// are known constants already drawn, [nDrawnConstants:nKnownConstants]
		// known constants not yet drawn, [nKnownConstants:nTotalConstants]
		// constants found in this node, [nTotalConstants:fi] not yet drawn,
		// [fi:] drawn and not constant.
		fj := nDrawnConstants + b.rng.IntN(fi-nFoundConstants-nDrawnConstants)
		if fj < nKnownConstants {
			features[nDrawnConstants], features[fj] = features[fj], features[nDrawnConstants]
			nDrawnConstants++
			continue
		}
		fj += nFoundConstants
		f := features[fj]
		var constant bool
		switch {
		case b.ranked:
			constant = b.rankFeature(f, rows)
		case pure:
			constant = b.pureFeature(f, start, end)
		case scan:
			constant = b.scanFeature(f, rec.key, m)
		default:
			constant = b.sortFeature(f, start, end)
		}
		if constant {
			features[fj], features[nTotalConstants] = features[nTotalConstants], features[fj]
			nFoundConstants++
			nTotalConstants++
			continue
		}
		fi--
		features[fi], features[fj] = features[fj], features[fi]
	}

	// Restore the known constants for siblings and children, and record
	// the ones found here.
	copy(features[:nKnownConstants], b.constantFeatures[:nKnownConstants])
	copy(b.constantFeatures[nKnownConstants:nTotalConstants], features[nKnownConstants:nTotalConstants])

	if b.bestPos >= m {
		return false, nTotalConstants, 0, 0, 0
	}
	if b.ranked {
		b.partitionRows(rows, b.rows[1-rec.buf][start:end])
	} else {
		b.partition(start, end)
	}

	// scikit-learn's criterion.reset(), update(best.pos) and
	// children_impurity(), over the partitioned rows: the left sums are
	// added from the start or, when the right side is shorter, taken from
	// the node's sums by subtracting the right side's rows from the end.
	sumLeft := b.sumLeft
	var weightLeft float64
	switch {
	case !b.weighted:
		for c, count := range b.bestLeft {
			sumLeft[c] = float64(count)
			weightLeft += sumLeft[c]
		}
	case b.bestPos <= m-b.bestPos:
		clear(sumLeft)
		for _, s := range b.samples[start : start+b.bestPos] {
			c, w := b.rowWeight(s)
			sumLeft[c] += w
			weightLeft += w
		}
	default:
		copy(sumLeft, b.sumTotal)
		weightLeft = b.weightN
		for p := end - 1; p >= start+b.bestPos; p-- {
			c, w := b.rowWeight(b.samples[p])
			sumLeft[c] -= w
			weightLeft -= w
		}
	}
	var sqLeft, sqRight float64
	for c, left := range sumLeft {
		right := b.sumTotal[c] - left
		sqLeft += float64(left * left)
		sqRight += float64(right * right)
	}
	weightRight := b.weightN - weightLeft
	impLeft = 1 - sqLeft/float64(weightLeft*weightLeft)
	impRight = 1 - sqRight/float64(weightRight*weightRight)
	// scikit-learn's impurity_improvement.
	improvement = b.weightN / b.weightRoot *
		(impurity - float64(weightRight/b.weightN*impRight) - float64(weightLeft/b.weightN*impLeft))
	return true, nTotalConstants, impLeft, impRight, improvement
}

// useScan reports whether a node of m rows should read the global order of
// a column rather than sort its own values: sorting costs about m*log2(m)
// steps, the scan n.
func (b *builder) useScan(m int) bool {
	logM := 1
	for 1<<logM < m {
		logM++
	}
	return m*logM >= b.scanFactor*b.data.n
}

// defaultScanFactor weighs a scanned row against a sorting step; see
// useScan.
const defaultScanFactor = 2

// scanFeature gathers the rows of the node keyed key (m rows) in the order
// of feature f by reading the column's global order and keeping the node's
// rows, then scores their splits. It reports whether the feature is
// constant in the node.
func (b *builder) scanFeature(f int, key int32, m int) (constant bool) {
	n := b.data.n
	order := b.data.order[f*n : (f+1)*n]
	sorted := b.data.sorted[f*n : (f+1)*n]
	state := b.state
	values, wcs := b.values[:n], b.wcs[:n]
	// Write every row and advance only past the node's own: no branch to
	// mispredict, so the random reads of state overlap.
	j := 0
	for k, i := range order {
		st := state[i]
		values[j] = sorted[k]
		wcs[j] = st.wc
		if st.node == key {
			j++
		}
		if j == m {
			break
		}
	}
	if values[m-1] <= values[0]+featureThreshold {
		return true
	}
	b.evaluate(f, m)
	return false
}

// radixMin is the node size up to which a comparison sort beats the radix
// sort's fixed cost.
const radixMin = 128

// sortFeature gathers samples[start:end] in the order of feature f by
// sorting their values, then scores their splits. It reports whether the
// feature is constant there.
func (b *builder) sortFeature(f, start, end int) (constant bool) {
	n := b.data.n
	col := b.data.cols[f*n : (f+1)*n]
	m := end - start
	keys := b.keys[:m]
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for j, s := range b.samples[start:end] {
		v := col[s]
		keys[j] = sortKey(v, s)
		lo = min(lo, v)
		hi = max(hi, v)
	}
	if hi <= lo+featureThreshold {
		return true
	}
	// Equal values are ordered by row, as the global order has them: the
	// weights of a run of equal values are summed in that order, and with
	// class weights the order moves the last bits.
	if m <= radixMin {
		slices.Sort(keys)
	} else {
		keys = radixSort(keys, b.keysBuf, b.data.rowBits)
	}
	values, wcs := b.values[:m], b.wcs[:m]
	for p, key := range keys {
		values[p] = keyValue(key)
		wcs[p] = b.state[uint32(key)].wc
	}
	b.evaluate(f, m)
	return false
}

// evaluate scores every split of the node's m rows, gathered in b.values
// and b.wcs in the order of feature f: between rows p-1 and p wherever
// values[p] > values[p-1] + 1e-7 (in float32), the p rows before going
// left.
func (b *builder) evaluate(f, m int) {
	values, wcs := b.values[:m], b.wcs[:m]
	switch k := len(b.sumTotal); {
	case !b.weighted && k == 2:
		b.evaluateBinary(f, values, wcs)
	case k <= 4:
		b.evaluateSums4(f, values, wcs)
	default:
		b.evaluateSums(f, values, wcs)
	}
}

// evaluateSums4 is evaluateSums for up to four classes with the sums in
// registers. Absent classes are zeros, and x + 0 and 0 - 0 are exact, so
// the arithmetic is evaluateSums' bit for bit.
func (b *builder) evaluateSums4(f int, values []float32, wcs []uint32) {
	m := len(values)
	minLeaf := b.p.minLeaf
	shift, mask := b.data.classBits, b.data.classMask
	var classWeight, total [4]float64
	copy(classWeight[:], b.classWeight)
	copy(total[:], b.sumTotal)
	weightN := b.weightN
	var l0, l1, l2, l3, weightLeft float64
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	var bestLeft [4]float64
	prev := values[0]
	for p, v := range values {
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			r0, r1, r2, r3 := total[0]-l0, total[1]-l1, total[2]-l2, total[3]-l3
			sqLeft := float64(l0*l0) + float64(l1*l1) + float64(l2*l2) + float64(l3*l3)
			sqRight := float64(r0*r0) + float64(r1*r1) + float64(r2*r2) + float64(r3*r3)
			weightRight := weightN - weightLeft
			if cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar) {
				goto next
			}
			giniLeft := 1 - sqLeft/float64(weightLeft*weightLeft)
			giniRight := 1 - sqRight/float64(weightRight*weightRight)
			proxy := -float64(weightRight*giniRight) - float64(weightLeft*giniLeft)
			if proxy > best {
				best, bestPos = proxy, p
				bar = b.improvementBar(best, weightN)
				bestLeft = [4]float64{l0, l1, l2, l3}
			}
		}
	next:
		wc := wcs[p]
		c := wc & mask & 3
		w := float64(wc>>shift) * classWeight[c]
		switch c {
		case 0:
			l0 += w
		case 1:
			l1 += w
		case 2:
			l2 += w
		default:
			l3 += w
		}
		weightLeft += w
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, values[bestPos-1], values[bestPos])
		if !b.weighted {
			for c := range b.bestLeft {
				b.bestLeft[c] = int(bestLeft[c])
			}
		}
	}
}

// evaluateSums is evaluate for any classes and weights: scikit-learn's
// criterion.update and proxy_impurity_improvement, summing the weights row
// by row in the feature's order,
//
//	proxy = -w_R * (1 - sum_c r_c^2 / w_R^2) - w_L * (1 - sum_c l_c^2 / w_L^2)
//
// with l_c the weighted count of class c to the left, r_c = total_c - l_c,
// w_L summed alongside and w_R = w - w_L, operation for operation, so that
// ties fall the same way.
func (b *builder) evaluateSums(f int, values []float32, wcs []uint32) {
	m := len(values)
	minLeaf := b.p.minLeaf
	shift, mask := b.data.classBits, b.data.classMask
	sumTotal := b.sumTotal
	k := len(sumTotal)
	classWeight := b.classWeight[:k]
	sumLeft := b.sumLeft[:k]
	clear(sumLeft)
	weightN := b.weightN
	weightLeft := 0.0
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	prev := values[0]
	for p, v := range values {
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			var sqLeft, sqRight float64
			for c, left := range sumLeft {
				right := sumTotal[c] - left
				sqLeft += float64(left * left)
				sqRight += float64(right * right)
			}
			weightRight := weightN - weightLeft
			if cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar) {
				goto next
			}
			giniLeft := 1 - sqLeft/float64(weightLeft*weightLeft)
			giniRight := 1 - sqRight/float64(weightRight*weightRight)
			proxy := -float64(weightRight*giniRight) - float64(weightLeft*giniLeft)
			if proxy > best {
				best, bestPos = proxy, p
				bar = b.improvementBar(best, weightN)
				if !b.weighted {
					for c, left := range sumLeft {
						b.bestLeft[c] = int(left)
					}
				}
			}
		}
	next:
		wc := wcs[p]
		c := wc & mask
		w := float64(wc>>shift) * classWeight[c]
		sumLeft[c] += w
		weightLeft += w
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, values[bestPos-1], values[bestPos])
	}
}

// evaluateBinary is evaluate for two classes without class weights, where
// every weight is an integer: the class counts and the Gini proxy stay in
// registers. Its arithmetic is evaluateSums', operation for operation.
func (b *builder) evaluateBinary(f int, values []float32, wcs []uint32) {
	m := len(values)
	minLeaf := b.p.minLeaf
	total0, total1 := b.sumTotal[0], b.sumTotal[1]
	weightN := b.weightN
	best := b.bestProxy
	bar := b.improvementBar(best, weightN)
	bestPos := -1
	var best0, best1 int
	var left0, left1 int
	prev := values[0]
	for p, v := range values {
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			if proxy, ok := binaryProxy(left0, left1, total0, total1, weightN, bar); ok {
				if proxy > best {
					best, bestPos, best0, best1 = proxy, p, left0, left1
					bar = b.improvementBar(best, weightN)
				}
			}
		}
		wc := wcs[p]
		count := int(wc >> 1)
		class := int(wc & 1)
		left1 += count * class
		left0 += count - count*class
		prev = v
	}
	if bestPos >= 0 {
		b.keep(f, bestPos, best, values[bestPos-1], values[bestPos])
		b.bestLeft[0], b.bestLeft[1] = best0, best1
	}
}

// improvementBar and cannotBeat skip, without dividing, the candidates
// whose proxy cannot exceed the best so far. Exactly,
//
//	proxy = sq_L/w_L + sq_R/w_R - w
//
// so a candidate with
//
//	sq_L*w_R + sq_R*w_L < (best + w - 1e-9*w) * w_L*w_R
//
// is worse than best by about 1e-9*w, six orders of magnitude more than
// the rounding of either side or of scikit-learn's formula: its proxy,
// computed exactly as scikit-learn computes it, would not be strictly
// greater. Candidates that pass are scored by that formula, so the chosen
// split is the one scikit-learn's comparison chooses.
func (b *builder) improvementBar(best, weightN float64) float64 {
	if b.noFilter {
		return math.Inf(-1)
	}
	return best + weightN - 1e-9*weightN
}

func cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar float64) bool {
	product := weightLeft * weightRight
	return sqLeft*weightRight+sqRight*weightLeft < bar*product
}

// binaryProxy is the impurity-improvement proxy of the split with left0
// and left1 rows of the two classes on the left, of total0 and total1
// (weightN in all), as evaluateBinary has always computed it (each
// product rounded on its own: no fused multiply-add), and whether it can
// beat bar at all (cannotBeat); ok false means proxy was not computed.
// scanBinary, scanPacked and evaluateBinary share it, so their arithmetic
// is one.
func binaryProxy(left0, left1 int, total0, total1, weightN, bar float64) (proxy float64, ok bool) {
	l0, l1 := float64(left0), float64(left1)
	r0, r1 := total0-l0, total1-l1
	weightLeft := float64(left0 + left1)
	sqLeft := float64(l0*l0) + float64(l1*l1)
	sqRight := float64(r0*r0) + float64(r1*r1)
	weightRight := weightN - weightLeft
	if cannotBeat(sqLeft, sqRight, weightLeft, weightRight, bar) {
		return 0, false
	}
	giniLeft := 1 - sqLeft/float64(weightLeft*weightLeft)
	giniRight := 1 - sqRight/float64(weightRight*weightRight)
	return -float64(weightRight*giniRight) - float64(weightLeft*giniLeft), true
}

// rowWeight returns the class and the weight of row s: its multiplicity
// times its class weight, scikit-learn's sample_weight.
func (b *builder) rowWeight(s int32) (int, float64) {
	wc := b.state[s].wc
	c := wc & b.data.classMask
	return int(c), float64(wc>>b.data.classBits) * b.classWeight[c]
}

// isPure reports whether weighted class counts hold a single class.
func isPure(sums []float64) bool {
	classes := 0
	for _, s := range sums {
		if s != 0 {
			classes++
		}
	}
	return classes == 1
}

// pureFeature stands in for scanFeature and sortFeature in a pure node,
// which is split only when it inherited a positive impurity residue (see
// nodeReset). There the left and right weights of every candidate are
// summed exactly like their single class's counts, so every Gini is 0,
// every proxy -0, and the first valid boundary of the first non-constant
// feature drawn wins. pureFeature finds that boundary and otherwise only
// tells constant features, from the minimum and maximum, without sorting.
func (b *builder) pureFeature(f, start, end int) (constant bool) {
	n := b.data.n
	col := b.data.cols[f*n : (f+1)*n]
	m := end - start
	values := b.values[:m]
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for j, s := range b.samples[start:end] {
		v := col[s]
		values[j] = v
		lo = min(lo, v)
		hi = max(hi, v)
	}
	if hi <= lo+featureThreshold {
		return true
	}
	if b.bestPos < m {
		return false
	}
	keys := b.keys[:m]
	for j, v := range values {
		keys[j] = sortKey(v, 0)
	}
	keys = radixSort(keys, b.keysBuf, 0)
	minLeaf := b.p.minLeaf
	prev := keyValue(keys[0])
	for p := 1; p < m; p++ {
		v := keyValue(keys[p])
		if v > prev+featureThreshold && p >= minLeaf && m-p >= minLeaf {
			b.keep(f, p, math.Copysign(0, -1), prev, v)
			break
		}
		prev = v
	}
	return false
}

// keep records a new best split at position p of feature f, between the
// values lo and hi.
func (b *builder) keep(f, p int, proxy float64, lo, hi float32) {
	b.bestProxy = proxy
	b.bestFeature = f
	b.bestPos = p
	// The sum of halves cannot overflow; a threshold that rounds up to hi
	// would send hi left.
	t := float64(lo)/2 + float64(hi)/2
	if t == float64(hi) || math.IsInf(t, 0) {
		t = float64(lo)
	}
	b.bestThreshold = t
	b.bestLo = lo
}

// partition reorders samples[start:end] so the rows going left under the
// best split come first, as scikit-learn's node_split does.
func (b *builder) partition(start, end int) {
	n := b.data.n
	col := b.data.cols[b.bestFeature*n : (b.bestFeature+1)*n]
	t := b.bestThreshold
	samples := b.samples
	i, j := start, end
	for i < j {
		if float64(col[samples[i]]) <= t {
			i++
		} else {
			j--
			samples[i], samples[j] = samples[j], samples[i]
		}
	}
	if i-start != b.bestPos {
		panic(fmt.Sprintf("forest: internal error: partition put %d rows left, the split %d", i-start, b.bestPos))
	}
}

// finish builds the flat arrays prediction walks.
func (t *Tree) finish() {
	k := t.classes
	t.nodes = make([]predictNode, len(t.Feature))
	leaves := 0
	for _, f := range t.Feature {
		if f == Undefined {
			leaves++
		}
	}
	t.proba = make([]float64, 0, leaves*k)
	for i, f := range t.Feature {
		if f != Undefined {
			if t.ChildrenLeft[i] != i+1 {
				panic("forest: internal error: left child not numbered after its parent")
			}
			t.nodes[i] = predictNode{threshold: t.Threshold[i], feature: int32(f), right: int32(t.ChildrenRight[i])}
			continue
		}
		t.nodes[i] = predictNode{feature: -1, right: int32(len(t.proba))}
		value := t.Value[i*k : (i+1)*k]
		sum := 0.0
		for _, v := range value {
			sum += v
		}
		if sum == 0 {
			sum = 1 // scikit-learn's normalizer[normalizer == 0.0] = 1.0
		}
		for _, v := range value {
			t.proba = append(t.proba, v/sum)
		}
	}
}
