package lof

import (
	"math"
	"math/bits"
)

// leafSize is the most rows a leaf of the kd-tree holds: small, as the
// notebook rows need. The median splits halve the rows, so leaves of 16
// hold 8 or 9 of 70,000 rows (and leaves of 24 or 32, 17): 16 took 4.60G
// instructions for 16,384 of their self queries, 24 and 32 4.97G and
// 4.99G (cachegrind); scikit-learn's default is 30 to 40.
const leafSize = 16

// tree is a kd-tree over the training rows, built as scikit-learn's
// KDTree (sklearn/neighbors/_binary_tree.pxi, _kd_tree.pyx): a node
// splits its rows at the median of the column in which they spread most
// (max - min), down to leaves of at most leafSize rows (or of identical
// rows), and each node keeps the bounding box of its rows, in float32
// rounded outwards (half the memory, so fewer cache misses; a box a
// little larger is still a bound).
//
// The rows are stored in tree order, each padded with zeros to dp
// columns, a multiple of 4: a leaf's rows are contiguous, and the
// distance kernels (kernel.go) work on whole groups of 4 columns. A zero
// column adds (0 - 0)² = 0 to a partial sum, which leaves it unchanged,
// so the padding changes no distance.
type tree struct {
	d, dp int
	x     []float64 // the training rows in tree order, row-major, dp columns each
	index []int32   // index[p] is the training index of the row at tree position p
	nodes []node
	box   []float32 // node i's bounding box at 2dp·i: the dp minima, then the dp maxima (padding 0)

	lo, hi []float64 // scratch while building
}

// node holds the tree positions [start, end); left is its first child
// (left+1 the second), or -1 for a leaf. The first child's rows have
// column col at most split, the second's at least split. While the tree
// is built, a leaf's col is the column it would split on, its widest, or
// -1 when its rows are identical.
type node struct {
	start, end, left, col int32
	split                 float64
}

// padded is d rounded up to a multiple of 4.
func padded(d int) int { return (d + 3) &^ 3 }

// buildTree builds the tree of the n rows of x (row-major, d columns),
// copying them in tree order.
func buildTree(x []float64, n, d int) *tree {
	t := &tree{d: d, dp: padded(d), index: make([]int32, n), lo: make([]float64, d), hi: make([]float64, d)}
	for i := range t.index {
		t.index[i] = int32(i)
	}
	// Median splits: fewer than 4n/leafSize + 1 nodes.
	t.nodes = make([]node, 0, 4*n/leafSize+1)
	t.box = make([]float32, 0, 2*t.dp*cap(t.nodes))
	t.split(x, t.newNode(x, 0, n))
	dp := t.dp
	t.x = make([]float64, n*dp)
	for p, i := range t.index {
		copy(t.x[p*dp:p*dp+d], x[int(i)*d:(int(i)+1)*d])
	}
	t.lo, t.hi = nil, nil
	return t
}

// newNode appends the node of tree positions [start, end) with its
// bounding box and returns its number.
func (t *tree) newNode(x []float64, start, end int) int32 {
	d, dp := t.d, t.dp
	t.nodes = append(t.nodes, node{start: int32(start), end: int32(end), left: -1})
	b := len(t.box)
	t.box = append(t.box, make([]float32, 2*dp)...)
	blo, bhi := t.box[b:b+d], t.box[b+dp:b+dp+d]
	first := x[int(t.index[start])*d:]
	lo, hi := t.lo, t.hi
	copy(lo, first[:d])
	copy(hi, first[:d])
	for _, j := range t.index[start+1 : end] {
		row := x[int(j)*d : (int(j)+1)*d]
		lo, hi := lo[:len(row)], hi[:len(row)]
		for c, v := range row {
			// (Branches rather than min and max, which also handle NaNs and
			// zeros' signs: the rows have no NaN, and the branches are
			// mostly not taken.)
			if v < lo[c] {
				lo[c] = v
			}
			if v > hi[c] {
				hi[c] = v
			}
		}
	}
	col := int32(-1)
	for c := range d {
		if hi[c] > lo[c] && (col < 0 || hi[c]-lo[c] > hi[col]-lo[col]) {
			col = int32(c)
		}
		blo[c], bhi[c] = float32(lo[c]), float32(hi[c])
		if float64(blo[c]) > lo[c] {
			blo[c] = math.Nextafter32(blo[c], float32(math.Inf(-1)))
		}
		if float64(bhi[c]) < hi[c] {
			bhi[c] = math.Nextafter32(bhi[c], float32(math.Inf(1)))
		}
	}
	t.nodes[len(t.nodes)-1].col = col
	return int32(len(t.nodes) - 1)
}

// split splits node i at the median of its widest column, then its
// children.
func (t *tree) split(x []float64, i int32) {
	d := t.d
	start, end, col := int(t.nodes[i].start), int(t.nodes[i].end), int(t.nodes[i].col)
	if end-start <= leafSize || col < 0 {
		return
	}
	mid := start + (end-start)/2
	selectNth(t.index[start:end], mid-start, func(j int32) float64 { return x[int(j)*d+col] })
	l := t.newNode(x, start, mid)
	t.newNode(x, mid, end)
	t.nodes[i].left, t.nodes[i].split = l, x[int(t.index[mid])*d+col]
	t.split(x, l)
	t.split(x, l+1)
}

// selectNth reorders idx so that key(idx[nth]) is the value a sort by key
// would put there, with no greater key before it and no smaller one after
// (C++'s nth_element, as scikit-learn's partition_node_indices): a
// quickselect with the median of three as pivot.
func selectNth(idx []int32, nth int, key func(int32) float64) {
	lo, hi := 0, len(idx)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Median of three to idx[hi] as the pivot.
		if key(idx[mid]) < key(idx[lo]) {
			idx[mid], idx[lo] = idx[lo], idx[mid]
		}
		if key(idx[hi]) < key(idx[lo]) {
			idx[hi], idx[lo] = idx[lo], idx[hi]
		}
		if key(idx[mid]) < key(idx[hi]) {
			idx[mid], idx[hi] = idx[hi], idx[mid]
		}
		pivot := key(idx[hi])
		// Lomuto, equal keys alternating sides so that many of them do not
		// make it quadratic.
		store, flip := lo, false
		for j := lo; j < hi; j++ {
			v := key(idx[j])
			if v < pivot || v == pivot && flip {
				idx[store], idx[j] = idx[j], idx[store]
				store++
			}
			if v == pivot {
				flip = !flip
			}
		}
		idx[store], idx[hi] = idx[hi], idx[store]
		switch {
		case store == nth:
			return
		case store < nth:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}

// nodeBox is node i's box: dp minima, then dp maxima.
func (t *tree) nodeBox(i int32) []float32 {
	return t.box[2*t.dp*int(i) : 2*t.dp*(int(i)+1)]
}

// searcher searches for a group of query rows at once, each with its own
// heap. The group shares the traversal: a node is visited once for all
// the rows that are to search it, each of its box and leaf rows read once
// for them all, which matters more than the arithmetic (the rows and the
// boxes do not fit in a core's cache, the group's rows and heaps do).
// Which nodes a row visits depends on its group (the order of the
// children is the group's) but its neighbours do not: no row that could
// enter its heap is skipped, and the heap keeps the k smallest
// (distance, index) pairs whatever the order the rows are offered in.
type searcher struct {
	t     *tree
	q     []float64 // the group's rows, padded to dp columns: row g at g·dp
	self  []int32   // the training row each leaves out, or -1
	near  []int32   // a tree position near each
	h     []heap
	top   []float64  // each heap's largest distance, h[g].d[0]
	stack [][]uint16 // per depth, the rows on each side of the split and those that enter a child
	// Scratch for the row kernel: the distances and the masks it returns
	// (for a group's rows and a leaf's, or one row and 32 others).
	dist []float64
	mask []uint32
}

// newSearcher returns a searcher for groups of at most size rows (at
// most 65,536: the lists of rows are uint16), with heaps of k entries.
func newSearcher(t *tree, k, size int) *searcher {
	s := &searcher{t: t, q: make([]float64, size*t.dp), self: make([]int32, size), near: make([]int32, size), h: make([]heap, size),
		top: make([]float64, size), dist: make([]float64, max(size*leafSize, 32)),
		mask: make([]uint32, size)}
	d, i := make([]float64, size*k), make([]int32, size*k)
	for g := range s.h {
		s.h[g] = heap{d: d[g*k : (g+1)*k : (g+1)*k], i: i[g*k : (g+1)*k : (g+1)*k]}
	}
	return s
}

// set makes row (d or dp columns) the group's row g, leaving out training
// row self (-1 for none); near is a tree position near it (its own, or
// the start of the leaf it descends to).
func (s *searcher) set(g int, row []float64, self int32, near int) {
	dp := s.t.dp
	q := s.q[g*dp : (g+1)*dp]
	clear(q[copy(q, row):])
	s.self[g] = self
	s.near[g] = int32(near)
}

// query fills s.h[:n] with the nearest training rows of the group's rows
// 0 to n-1, set by set.
func (s *searcher) query(n int) {
	all := s.frame(0)[:n]
	for g := range n {
		s.h[g].reset()
		s.bound(g)
		s.top[g] = s.h[g].d[0]
		all[g] = uint16(g)
	}
	s.search(0, all, n, 1)
}

// bound starts row g's heap, instead of with k entries (+Inf, MaxInt32),
// with k entries (u, MaxInt32), u the k-th smallest distance to the
// training rows at the tree positions around near[g] (2k + 8 of them,
// itself left out): the k nearest rows, at most u away and of smaller
// index than MaxInt32, still enter, and the heap ends with them as it
// would have, but the boxes and rows farther than u are skipped from the
// start. (Tree positions near each other hold rows near each other.)
func (s *searcher) bound(g int) {
	t := s.t
	h := &s.h[g]
	k := len(h.d)
	w := 2*k + 8
	n := len(t.index)
	if w > n {
		return
	}
	lo := min(max(0, int(s.near[g])-w/2), n-w)
	one := []uint16{uint16(g)}
	s.top[g] = h.d[0]
	for start := lo; start < lo+w; start += 32 {
		end := min(start+32, lo+w)
		nr := end - start
		rowDists(s.q, t.dp, one, t.x[start*t.dp:end*t.dp], s.top, s.dist[:nr], s.mask[:1])
		for r := range nr {
			if j, sd := t.index[start+r], s.dist[r]; j != s.self[g] && (sd < h.d[0] || sd == h.d[0] && j < h.i[0]) {
				h.push(sd, j)
			}
		}
	}
	u := h.d[0]
	for j := range h.d {
		h.d[j], h.i[j] = u, math.MaxInt32
	}
}

// frame is depth's scratch: room for two lists of the group's rows.
func (s *searcher) frame(depth int) []uint16 {
	for len(s.stack) <= depth {
		s.stack = append(s.stack, make([]uint16, 2*len(s.self)))
	}
	return s.stack[depth]
}

// search offers the heaps of the group's rows listed in active the rows
// of node i's subtree: first the child on the split's side of most of
// the rows, for the rows whose heap's largest distance its box is no
// farther than (no row in a farther box can enter, whatever its index),
// then the other for the rows that still qualify, their heaps having
// shrunk. The first nh rows of active are at home: they have gone to the
// side of each split they are on all the way down, and, on the side of
// this split they are on, they go to the child unchecked (unless it is a
// leaf, which they would scan whole), their distance to its box being
// mostly 0. The others (away), having entered a box on the other side of
// a split, are checked against both children's boxes.
func (s *searcher) search(i int32, active []uint16, nh, depth int) {
	t := s.t
	nd := &t.nodes[i]
	if nd.left < 0 {
		s.scan(active, int(nd.start), int(nd.end))
		return
	}
	// active is depth-1's list, which stays as it is while the children
	// are searched; f holds this depth's: the rows at home at most the
	// split (from the front) and above it (from the back), then the list
	// of those that enter a child.
	na := len(active)
	f := s.frame(depth)
	side, into := f[:nh], f[na:2*na]
	dp, col, split := t.dp, int(nd.col), nd.split
	// Without branches (the side is unpredictable): each row is written
	// at both ends and kept at the one it belongs to.
	nl, nr := 0, nh
	for _, g := range active[:nh] {
		right := b2i(s.q[int(g)*dp+col] > split)
		side[nl], side[nr-1] = g, g
		nl += 1 - right
		nr -= right
	}
	below, above, away := side[:nl], side[nl:], active[nh:]
	first, second := nd.left, nd.left+1
	if len(above) > len(below) {
		first, second = second, first
		below, above = above, below // the first child's side, the other
	}
	if n, h := s.enter(into, below, above, away, first); n > 0 {
		s.search(first, into[:n], h, depth+1)
	}
	if n, h := s.enter(into, above, below, away, second); n > 0 {
		s.search(second, into[:n], h, depth+1)
	}
}

// enter writes to into the rows that are to search child c, and returns
// their number and that of those at home (first): near (the rows at home
// on its side of the split) unless c is a leaf, and those of far (at home
// on the other side), away and, for a leaf, near whose heap's largest
// distance c's box is no farther than.
func (s *searcher) enter(into, near, far, away []uint16, c int32) (n, nh int) {
	t := s.t
	box := t.nodeBox(c)
	if t.nodes[c].left < 0 {
		n = boxFilter(s.q, t.dp, near, box, s.top, into)
	} else {
		n = copy(into, near)
		nh = n
	}
	n += boxFilter(s.q, t.dp, far, box, s.top, into[n:])
	n += boxFilter(s.q, t.dp, away, box, s.top, into[n:])
	return n, nh
}

// scan offers the heaps of the rows listed in active the training rows at
// tree positions [start, end), leafSize rows at a time (a leaf of
// identical rows may hold more).
func (s *searcher) scan(active []uint16, start, end int) {
	for ; end-start > leafSize; start += leafSize {
		s.scanRows(active, start, start+leafSize)
	}
	s.scanRows(active, start, end)
}

// scanRows is scan for at most leafSize rows.
func (s *searcher) scanRows(active []uint16, start, end int) {
	t := s.t
	nr := end - start
	dist := s.dist[:len(active)*nr]
	rowDists(s.q, t.dp, active, t.x[start*t.dp:end*t.dp], s.top, dist, s.mask)
	index := t.index[start:end]
	for a, m := range s.mask[:len(active)] {
		if m == 0 {
			continue
		}
		g := active[a]
		h := &s.h[g]
		for ; m != 0; m &= m - 1 {
			r := bits.TrailingZeros32(m)
			// Rows at most the top distance when the kernel ran; the heap may
			// have shrunk since.
			if sd, j := dist[a*nr+r], index[r]; j != s.self[g] && (sd < h.d[0] || sd == h.d[0] && j < h.i[0]) {
				h.push(sd, j)
			}
		}
		s.top[g] = h.d[0]
	}
}

// leafOf is the leaf whose cell holds q (d or dp columns): at each node
// the first child when q's value in the split column is at most the
// split, else the second. ScoreSamples groups its rows by it.
func (t *tree) leafOf(q []float64) int32 {
	i := int32(0)
	for nd := &t.nodes[0]; nd.left >= 0; nd = &t.nodes[i] {
		i = nd.left + int32(b2i(q[nd.col] > nd.split))
	}
	return i
}

// sqDist is Σ (q_c - r_c)², column c added to partial sum c mod 4, the
// four then added pairwise ((s0 + s1) + (s2 + s3)): the distance every
// kernel computes (kernel.go), on rows of any number of columns (the
// kernels' padding adds zeros). Independent partial sums run about three
// times faster than one, and map onto one 4-wide vector register.
func sqDist(q, r []float64) float64 {
	r = r[:len(q)]
	var s [4]float64
	for c := range q {
		u := q[c] - r[c]
		s[c&3] += float64(u * u) // the conversion keeps the compiler from fusing (FMA)
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// heap is a bounded max-heap of k (squared distance, training index)
// entries ordered by distance then index, the largest at 0; it starts
// full of (+Inf, MaxInt32), so after every row is offered it holds the k
// smallest pairs: the k nearest rows, ties going to the lower index,
// whatever order the rows are offered in.
type heap struct {
	d []float64
	i []int32
}

func (h *heap) reset() {
	for j := range h.d {
		h.d[j], h.i[j] = math.Inf(1), math.MaxInt32
	}
}

// push replaces the largest entry with (val, idx), which the caller has
// checked is smaller, and restores the heap.
func (h *heap) push(val float64, idx int32) {
	d, ix, n := h.d, h.i, len(h.d)
	cur := 0
	for {
		c := 2*cur + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && (d[r] > d[c] || d[r] == d[c] && ix[r] > ix[c]) {
			c = r
		}
		if d[c] < val || d[c] == val && ix[c] < idx {
			break
		}
		d[cur], ix[cur] = d[c], ix[c]
		cur = c
	}
	d[cur], ix[cur] = val, idx
}

// sorted writes the heap's entries ascending by distance, then index, the
// distances square-rooted (an insertion sort: the heap holds k entries).
func (h *heap) sorted(dist []float64, idx []int32) {
	copy(dist, h.d)
	copy(idx, h.i)
	for a := 1; a < len(dist); a++ {
		dv, iv := dist[a], idx[a]
		b := a
		for ; b > 0 && (dist[b-1] > dv || dist[b-1] == dv && idx[b-1] > iv); b-- {
			dist[b], idx[b] = dist[b-1], idx[b-1]
		}
		dist[b], idx[b] = dv, iv
	}
	for j := range dist {
		dist[j] = math.Sqrt(dist[j])
	}
}
