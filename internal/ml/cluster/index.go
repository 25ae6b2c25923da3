package cluster

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// epsIndex answers "which rows lie within eps of row s" exactly, pruning
// with two rules that follow from |x_j - y_j| <= ||x - y||:
//
//   - Column groups. A column's sorted distinct values are cut wherever two
//     consecutive values are more than eps apart; rows whose values fall in
//     different groups of any column are not neighbours. The group numbers
//     of the most selective columns are packed into a 64-bit key, and only
//     rows with equal keys can be neighbours.
//   - Projection window. Within a key, rows are sorted by one column (the
//     projection); only rows whose projection differs by at most eps can be
//     neighbours.
//
// Both tests use the very floating-point expressions of sqDist (a term
// (x_j - y_j)^2 never exceeds the sum it is part of), so the index agrees
// with a brute-force scan using sqDist(x, y) <= eps*eps to the last bit.
//
// Rows are referred to by their sorted position s; order[s] is the row and
// pos[row] its position.
type epsIndex struct {
	n, d  int
	eps2  float64
	order []int32   // sorted position -> row
	pos   []int32   // row -> sorted position
	key   []uint64  // by sorted position
	proj  []float64 // by sorted position
	xs    []float64 // rows in sorted order, n*d
}

const (
	// maxDiscrete is the number of distinct values up to which a column is
	// treated as discrete (cut exactly between its sorted values).
	maxDiscrete = 64
	// maxBins bounds the histogram of a continuous column, which finds the
	// gaps between its values.
	maxBins = 1 << 16
	// indexChunk is the number of rows per parallel part while building.
	indexChunk = 1 << 14
)

// column describes one column's values for the index.
type column struct {
	min, max float64
	discrete bool
	values   []float64 // discrete: sorted distinct values
	counts   []int     // discrete: their counts

	// Continuous: a histogram of width binWidth from min.
	binWidth float64
	binCount []int
	binLo    []float64 // smallest value in each bin
	binHi    []float64 // largest value in each bin

	group      []int32 // group of each distinct value (discrete) or bin (continuous)
	groups     int
	groupPairs float64 // sum_g count_g^2: candidate pairs if keyed on this column
	windowEst  float64 // estimated pairs with |x_j - y_j| <= eps
}

// groupOf returns the group of value v.
func (c *column) groupOf(v float64) int32 {
	if c.discrete {
		t, _ := slices.BinarySearch(c.values, v)
		return c.group[t]
	}
	return c.group[c.bin(v)]
}

func (c *column) bin(v float64) int {
	b := int((v - c.min) / c.binWidth)
	return min(max(b, 0), len(c.binCount)-1)
}

// newEpsIndex builds the index of the n rows of x for radius eps.
func newEpsIndex(x []float64, n, d int, eps float64, workers int) *epsIndex {
	eps2 := eps * eps
	cols := scanColumns(x, n, d, workers)
	for j := range cols {
		cols[j].cut(x, n, d, j, eps, eps2)
	}

	// Key: the most selective columns (fewest candidate pairs) that fit.
	keyCols := make([]int, 0, d)
	for j := range cols {
		if cols[j].groups > 1 {
			keyCols = append(keyCols, j)
		}
	}
	slices.SortStableFunc(keyCols, func(a, b int) int {
		return cmp.Compare(cols[a].groupPairs, cols[b].groupPairs)
	})
	var shifts []uint
	used := uint(0)
	kept := keyCols[:0]
	for _, j := range keyCols {
		w := uint(bits.Len(uint(cols[j].groups - 1)))
		if used+w > 64 {
			continue
		}
		kept = append(kept, j)
		shifts = append(shifts, used)
		used += w
	}
	keyCols = kept

	// Projection: the column whose window keeps the smallest share of the
	// pairs its own groups allow (a column already in the key with one value
	// per group would keep all of them).
	projCol := 0
	best := math.Inf(1)
	for j := range cols {
		if ratio := cols[j].windowEst / cols[j].groupPairs; ratio < best {
			best, projCol = ratio, j
		}
	}

	type item struct {
		key  uint64
		proj float64
		row  int32
	}
	items := make([]item, n)
	parallel(workers, blocks(n, indexChunk), func(_, c int) {
		for i := c * indexChunk; i < min((c+1)*indexChunk, n); i++ {
			row := x[i*d : i*d+d]
			var key uint64
			for t, j := range keyCols {
				key |= uint64(cols[j].groupOf(row[j])) << shifts[t]
			}
			items[i] = item{key, row[projCol], int32(i)}
		}
	})
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.proj, b.proj); c != 0 {
			return c
		}
		return cmp.Compare(a.row, b.row)
	})

	ix := &epsIndex{
		n: n, d: d, eps2: eps2,
		order: make([]int32, n),
		pos:   make([]int32, n),
		key:   make([]uint64, n),
		proj:  make([]float64, n),
		xs:    make([]float64, n*d),
	}
	parallel(workers, blocks(n, indexChunk), func(_, c int) {
		for s := c * indexChunk; s < min((c+1)*indexChunk, n); s++ {
			it := items[s]
			ix.order[s] = it.row
			ix.pos[it.row] = int32(s)
			ix.key[s] = it.key
			ix.proj[s] = it.proj
			copy(ix.xs[s*d:s*d+d], x[int(it.row)*d:int(it.row)*d+d])
		}
	})
	return ix
}

// scanColumns finds each column's range and, for columns with at most
// maxDiscrete distinct values, the values and their counts. It panics on
// NaN or infinite values.
func scanColumns(x []float64, n, d int, workers int) []column {
	parts := blocks(n, indexChunk)
	partial := make([][]column, parts)
	finite := make([]bool, parts)
	parallel(workers, parts, func(_, c int) {
		finite[c] = true
		cols := make([]column, d)
		for j := range cols {
			cols[j] = column{min: math.Inf(1), max: math.Inf(-1), discrete: true}
		}
		last := make([]int, d)
		for i := c * indexChunk; i < min((c+1)*indexChunk, n); i++ {
			for j, v := range x[i*d : i*d+d] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					finite[c] = false
					return
				}
				col := &cols[j]
				col.min = min(col.min, v)
				col.max = max(col.max, v)
				if !col.discrete {
					continue
				}
				if t := last[j]; t < len(col.values) && col.values[t] == v {
					col.counts[t]++
					continue
				}
				t, found := slices.BinarySearch(col.values, v)
				if !found {
					if len(col.values) == maxDiscrete {
						col.discrete, col.values, col.counts = false, nil, nil
						continue
					}
					col.values = slices.Insert(col.values, t, v)
					col.counts = slices.Insert(col.counts, t, 0)
				}
				col.counts[t]++
				last[j] = t
			}
		}
		partial[c] = cols
	})
	if slices.Contains(finite, false) {
		panic("cluster: NaN or infinite value in x")
	}
	cols := partial[0]
	for _, p := range partial[1:] {
		for j := range cols {
			a, b := &cols[j], &p[j]
			a.min, a.max = min(a.min, b.min), max(a.max, b.max)
			if !a.discrete || !b.discrete {
				a.discrete, a.values, a.counts = false, nil, nil
				continue
			}
			for t, v := range b.values {
				at, found := slices.BinarySearch(a.values, v)
				if !found {
					a.values = slices.Insert(a.values, at, v)
					a.counts = slices.Insert(a.counts, at, 0)
				}
				a.counts[at] += b.counts[t]
			}
			if len(a.values) > maxDiscrete {
				a.discrete, a.values, a.counts = false, nil, nil
			}
		}
	}
	return cols
}

// cut splits column j into groups: consecutive distinct values u < v start
// a new group when (v - u)^2 > eps^2, evaluated exactly as sqDist evaluates
// a term. A continuous column is cut only where a histogram bin is empty
// (between the largest value below it and the smallest above it).
func (c *column) cut(x []float64, n, d, j int, eps, eps2 float64) {
	gap := func(u, v float64) bool {
		t := v - u
		return t*t > eps2
	}
	if c.discrete {
		c.group = make([]int32, len(c.values))
		g := int32(0)
		for t := 1; t < len(c.values); t++ {
			if gap(c.values[t-1], c.values[t]) {
				g++
			}
			c.group[t] = g
		}
		c.groups = int(g) + 1
		groupCount := make([]float64, c.groups)
		for t, cnt := range c.counts {
			groupCount[c.group[t]] += float64(cnt)
		}
		for _, gc := range groupCount {
			c.groupPairs += gc * gc
		}
		// Pairs of values within eps, exactly.
		lo := 0
		var inWindow float64 // counts of values in [values[t] - eps, values[t]]
		for t, v := range c.values {
			inWindow += float64(c.counts[t])
			for v-c.values[lo] > eps {
				inWindow -= float64(c.counts[lo])
				lo++
			}
			cnt := float64(c.counts[t])
			c.windowEst += cnt * (2*inWindow - cnt)
		}
		return
	}

	span := c.max - c.min
	c.binWidth = eps
	if span/eps >= maxBins-1 {
		c.binWidth = span / (maxBins - 1)
	}
	bins := int(span/c.binWidth) + 1
	c.binCount = make([]int, bins)
	c.binLo = make([]float64, bins)
	c.binHi = make([]float64, bins)
	for i := 0; i < n; i++ {
		v := x[i*d+j]
		b := c.bin(v)
		if c.binCount[b] == 0 {
			c.binLo[b], c.binHi[b] = v, v
		} else {
			c.binLo[b] = min(c.binLo[b], v)
			c.binHi[b] = max(c.binHi[b], v)
		}
		c.binCount[b]++
	}
	c.group = make([]int32, bins)
	g := int32(0)
	prev := -1 // last non-empty bin
	var groupCount float64
	for b, cnt := range c.binCount {
		if cnt == 0 {
			continue
		}
		// binHi[prev] and binLo[b] are consecutive distinct values.
		if prev >= 0 && gap(c.binHi[prev], c.binLo[b]) {
			c.groupPairs += groupCount * groupCount
			groupCount = 0
			g++
		}
		for t := prev + 1; t <= b; t++ {
			c.group[t] = g
		}
		groupCount += float64(cnt)
		prev = b
	}
	c.groupPairs += groupCount * groupCount
	c.groups = int(g) + 1
	for b, cnt := range c.binCount {
		near := cnt
		if b > 0 {
			near += c.binCount[b-1]
		}
		if b+1 < bins {
			near += c.binCount[b+1]
		}
		c.windowEst += float64(cnt) * float64(near)
	}
}

// near reports whether the rows at sorted positions s and t are within eps:
// sqDist <= eps^2, stopping early once the partial sums (which only grow)
// already exceed it.
func (ix *epsIndex) near(s, t int) bool {
	d := ix.d
	a := ix.xs[s*d : s*d+d]
	b := ix.xs[t*d : t*d+d]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= d; k += 4 {
		t0 := a[k] - b[k]
		t1 := a[k+1] - b[k+1]
		t2 := a[k+2] - b[k+2]
		t3 := a[k+3] - b[k+3]
		s0 += t0 * t0
		s1 += t1 * t1
		s2 += t2 * t2
		s3 += t3 * t3
		if (s0+s1)+(s2+s3) > ix.eps2 {
			return false
		}
	}
	for ; k < d; k++ {
		t := a[k] - b[k]
		s0 += t * t
	}
	return (s0+s1)+(s2+s3) <= ix.eps2
}

// scan calls visit(t) for every candidate t of position s, first those
// above s (in sorted order), then, unless upOnly, those below, until visit
// returns false. Candidates share s's key and lie within eps in the
// projection; visit must still test near(s, t).
func (ix *epsIndex) scan(s int, upOnly bool, visit func(t int) bool) {
	key, p := ix.key[s], ix.proj[s]
	for t := s + 1; t < ix.n && ix.key[t] == key; t++ {
		dp := ix.proj[t] - p
		if dp*dp > ix.eps2 {
			break
		}
		if !visit(t) {
			return
		}
	}
	if upOnly {
		return
	}
	for t := s - 1; t >= 0 && ix.key[t] == key; t-- {
		dp := p - ix.proj[t]
		if dp*dp > ix.eps2 {
			break
		}
		if !visit(t) {
			return
		}
	}
}
