package lof

import "math"

// leafSize is the most rows a leaf of the kd-tree holds: small, as the
// notebook rows need (on 100,000 of them a query scans about 5,600 rows
// in 450 leaves with leaves of 16 rows, 8,600 in 350 with leaves of 32;
// 16 took the fewest instructions of 6, 8, 12, 16 and 24; scikit-learn's
// default is 30 to 40).
const leafSize = 16

// tree is a kd-tree over the training rows, built as scikit-learn's
// KDTree (sklearn/neighbors/_binary_tree.pxi, _kd_tree.pyx): a node
// splits its rows at the median of the column in which they spread most
// (max - min), down to leaves of at most leafSize rows (or of identical
// rows), and each node keeps the bounding box of its rows, in float32
// rounded outwards (half the memory, so fewer cache misses; a box a
// little larger is still a bound).
type tree struct {
	d     int
	x     []float64 // the training rows in tree order, row-major
	index []int32   // index[p] is the training index of the row at tree position p
	nodes []node
	box   []float32 // node i's bounding box: column c's minimum at 2di+2c, maximum at 2di+2c+1

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

// buildTree builds the tree of the n rows of x (row-major, d columns),
// copying them in tree order.
func buildTree(x []float64, n, d int) *tree {
	t := &tree{d: d, index: make([]int32, n), lo: make([]float64, d), hi: make([]float64, d)}
	for i := range t.index {
		t.index[i] = int32(i)
	}
	// Median splits: fewer than 4n/leafSize + 1 nodes.
	t.nodes = make([]node, 0, 4*n/leafSize+1)
	t.box = make([]float32, 0, 2*d*cap(t.nodes))
	t.split(x, t.newNode(x, 0, n))
	t.x = make([]float64, n*d)
	for p, i := range t.index {
		copy(t.x[p*d:(p+1)*d], x[int(i)*d:(int(i)+1)*d])
	}
	t.lo, t.hi = nil, nil
	return t
}

// newNode appends the node of tree positions [start, end) with its
// bounding box and returns its number.
func (t *tree) newNode(x []float64, start, end int) int32 {
	d := t.d
	t.nodes = append(t.nodes, node{start: int32(start), end: int32(end), left: -1})
	b := len(t.box)
	t.box = append(t.box, make([]float32, 2*d)...)
	box := t.box[b : b+2*d]
	first := x[int(t.index[start])*d:]
	lo, hi := t.lo, t.hi
	copy(lo, first[:d])
	copy(hi, first[:d])
	for _, j := range t.index[start+1 : end] {
		for c, v := range x[int(j)*d : (int(j)+1)*d] {
			lo[c] = min(lo[c], v)
			hi[c] = max(hi[c], v)
		}
	}
	col := int32(-1)
	for c := range d {
		if hi[c] > lo[c] && (col < 0 || hi[c]-lo[c] > hi[col]-lo[col]) {
			col = int32(c)
		}
		box[2*c], box[2*c+1] = float32(lo[c]), float32(hi[c])
		if float64(box[2*c]) > lo[c] {
			box[2*c] = math.Nextafter32(box[2*c], float32(math.Inf(-1)))
		}
		if float64(box[2*c+1]) < hi[c] {
			box[2*c+1] = math.Nextafter32(box[2*c+1], float32(math.Inf(1)))
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

// minDist is the squared distance from q to node i's box, summed as
// sqDist sums a row's (the same columns to the same partial sums, in the
// same order), or, as sqDist, a partial sum above bound. It is at most
// sqDist(q, row) for every row in the box, rounding included: each term
// is rounded from a difference no larger, and rounding is monotonic.
func (t *tree) minDist(q []float64, i int32, bound float64) float64 {
	d := t.d
	box := t.box[2*d*int(i) : 2*d*int(i)+2*d]
	box = box[:2*len(q)]
	var s0, s1, s2, s3 float64
	c := 0
	for ; c+4 <= len(q); c += 4 {
		v, b := q[c:c+4:c+4], box[2*c:2*c+8:2*c+8]
		u0, u1, u2, u3 := gap(v[0], b[0], b[1]), gap(v[1], b[2], b[3]), gap(v[2], b[4], b[5]), gap(v[3], b[6], b[7])
		s0 += float64(u0 * u0) // the conversions keep the compiler from fusing (FMA)
		s1 += float64(u1 * u1)
		s2 += float64(u2 * u2)
		s3 += float64(u3 * u3)
		if p := (s0 + s1) + (s2 + s3); p > bound {
			return p
		}
	}
	for ; c < len(q); c++ {
		u := gap(q[c], box[2*c], box[2*c+1])
		switch c & 3 {
		case 0:
			s0 += float64(u * u)
		case 1:
			s1 += float64(u * u)
		case 2:
			s2 += float64(u * u)
		default:
			s3 += float64(u * u)
		}
	}
	return (s0 + s1) + (s2 + s3)
}

// gap is v's distance to the interval [lo, hi], without branches: of
// a = lo - v and c = v - hi at most one is positive, and
// ((|a| + a) + (|c| + c))/2, exactly max(a, c, 0), is it or 0.
func gap(v float64, lo, hi float32) float64 {
	a, c := float64(lo)-v, v-float64(hi)
	return ((math.Abs(a) + a) + (math.Abs(c) + c)) * 0.5
}

// groupSize is the most query rows searched together: rows near each
// other (of one leaf, for the training rows) mostly visit the same nodes,
// and each node's box and each leaf's rows are then read once for all of
// them, which matters more than the arithmetic on 100,000 rows (the tree
// and the rows do not fit in cache).
const groupSize = 8

// searcher searches for a group of query rows at once, each with its own
// heap; the nodes each row visits, and so its neighbours, are those it
// would visit alone but for the order of the children (which the group
// shares), and the heap keeps the k smallest (distance, index) pairs in
// any order.
type searcher struct {
	t     *tree
	q     [groupSize][]float64
	self  [groupSize]int32 // the training row each leaves out, or -1
	h     [groupSize]heap
	stack []frame // per depth
}

// frame is one level's scratch: the rows that go to a child, and the
// rows that were active.
type frame struct {
	first, second [groupSize]uint8
}

func newSearcher(t *tree, k int) *searcher {
	s := &searcher{t: t}
	for g := range s.h {
		s.h[g] = heap{d: make([]float64, k), i: make([]int32, k)}
	}
	return s
}

// query fills s.h[:len(q)] with the nearest training rows of each q[g],
// other than self[g] (-1 for none).
func (s *searcher) query(q [][]float64, self []int32) {
	var all [groupSize]uint8
	for g := range q {
		s.q[g], s.self[g] = q[g], self[g]
		s.h[g].reset()
		all[g] = uint8(g)
	}
	s.search(0, all[:len(q)], 0)
}

// search offers the heaps of the group's rows listed in active the rows
// of node i's subtree: first the child on the split's side of most of
// the rows, for the rows whose heap's largest distance its box is no
// farther than (no row in a farther box can enter, whatever its index),
// then the other for the rows that still qualify, their heaps having
// shrunk (which makes the box distance stop early more often).
func (s *searcher) search(i int32, active []uint8, depth int) {
	t := s.t
	nd := &t.nodes[i]
	if nd.left < 0 {
		t.scan(s, active, int(nd.start), int(nd.end))
		return
	}
	if depth == len(s.stack) {
		s.stack = append(s.stack, frame{})
	}
	f := &s.stack[depth]
	first, second := nd.left, nd.left+1
	vote := 0
	for _, g := range active {
		if s.q[g][nd.col] > nd.split {
			vote++
		} else if s.q[g][nd.col] < nd.split {
			vote--
		}
	}
	if vote > 0 {
		first, second = second, first
	}
	// A row on a child's side of the split goes there unchecked.
	left := first == nd.left
	firstLeaf, secondLeaf := t.nodes[first].left < 0, t.nodes[second].left < 0
	n := 0
	for _, g := range active {
		if v := s.q[g][nd.col]; (left && v <= nd.split || !left && v >= nd.split) && !firstLeaf {
			f.first[n] = g
			n++
		} else if top := s.h[g].d[0]; t.minDist(s.q[g], first, top) <= top {
			f.first[n] = g
			n++
		}
	}
	copy(f.second[:], active)
	m := len(active)
	if n > 0 {
		s.search(first, f.first[:n], depth+1)
		f = &s.stack[depth] // the stack may have grown
	}
	n = 0
	for _, g := range f.second[:m] {
		if v := s.q[g][nd.col]; (!left && v <= nd.split || left && v >= nd.split) && !secondLeaf {
			f.first[n] = g
			n++
		} else if top := s.h[g].d[0]; t.minDist(s.q[g], second, top) <= top {
			f.first[n] = g
			n++
		}
	}
	if n > 0 {
		s.search(second, f.first[:n], depth+1)
	}
}

// scan offers the heaps of the rows listed in active the training rows at
// tree positions [start, end).
func (t *tree) scan(s *searcher, active []uint8, start, end int) {
	d := t.d
	for p := start; p < end; p++ {
		row := t.x[p*d : (p+1)*d]
		j := t.index[p]
		for _, g := range active {
			h := &s.h[g]
			sd := sqDist(s.q[g], row, h.d[0])
			if sd > h.d[0] {
				continue
			}
			if j != s.self[g] && (sd < h.d[0] || j < h.i[0]) {
				h.push(sd, j)
			}
		}
	}
}

// leafOf is the leaf q descends to, taking at each node the child with
// the nearer box (the first on a tie): the order ScoreSamples groups its
// rows in.
func (t *tree) leafOf(q []float64) int32 {
	i := int32(0)
	for t.nodes[i].left >= 0 {
		l := t.nodes[i].left
		if t.minDist(q, l+1, math.Inf(1)) < t.minDist(q, l, math.Inf(1)) {
			l++
		}
		i = l
	}
	return i
}

// sqDist is Σ (q_c - r_c)², column c added to partial sum c mod 4,
// the four then added pairwise ((s0 + s1) + (s2 + s3)). Independent
// partial sums run about three times faster than one; minDist sums the
// same way. When the first half of the columns already sum to more than
// bound it returns that partial sum, which is no larger than the full
// one: the caller rejects the row either way.
func sqDist(q, r []float64, bound float64) float64 {
	r = r[:len(q)]
	var s0, s1, s2, s3 float64
	c := 0
	for ; c+4 <= len(q); c += 4 {
		v, w := q[c:c+4:c+4], r[c:c+4:c+4]
		u0, u1, u2, u3 := v[0]-w[0], v[1]-w[1], v[2]-w[2], v[3]-w[3]
		s0 += float64(u0 * u0) // no FMA, as in minDist
		s1 += float64(u1 * u1)
		s2 += float64(u2 * u2)
		s3 += float64(u3 * u3)
		if p := (s0 + s1) + (s2 + s3); p > bound {
			return p
		}
	}
	for ; c < len(q); c++ {
		u := q[c] - r[c]
		switch c & 3 {
		case 0:
			s0 += float64(u * u)
		case 1:
			s1 += float64(u * u)
		case 2:
			s2 += float64(u * u)
		default:
			s3 += float64(u * u)
		}
	}
	return (s0 + s1) + (s2 + s3)
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
