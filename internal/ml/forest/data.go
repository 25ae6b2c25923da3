package forest

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// maxClasses bounds the number of classes so a class and a multiplicity
// share the builder's 32-bit per-row word.
const maxClasses = 1 << 8

// dataset is the training data as every tree reads it, built once per Fit
// and shared read-only by the workers.
type dataset struct {
	n, d    int
	cols    []float32    // column-major: cols[f*n+i] = float32(x[i*d+f])
	order   []int32      // order[f*n+k]: the row holding the k-th smallest value of feature f (with class weights only)
	sorted  []float32    // sorted[f*n+k] = cols[f*n+order[f*n+k]] (with class weights only)
	ranks   []rankColumn // ranks[f].at(i): the rank of cols[f*n+i] among levels[f]
	levels  [][]float32  // levels[f]: feature f's distinct values (by bits, -0 before +0), ascending
	y       []int32
	classes int

	// A row's class and multiplicity share a uint32: count<<classBits | class.
	classBits int
	classMask uint32
	rowBits   uint // bits of the largest row index

	classWeight []float64 // per class; nil when unweighted
}

// newDataset casts x to float32 columns, as scikit-learn casts X to
// float32. The columns are sorted by presort. Callers have checked x with
// CheckInput and the row state's size; it panics otherwise.
func newDataset(x []float64, n, d int, y []int, classes int) *dataset {
	data := &dataset{
		n: n, d: d, classes: classes,
		cols:   make([]float32, n*d),
		ranks:  make([]rankColumn, d),
		levels: make([][]float32, d),
		y:      make([]int32, n),
	}
	data.classBits = bits.Len(uint(classes - 1))
	data.classMask = 1<<data.classBits - 1
	data.rowBits = uint(bits.Len(uint(n - 1)))
	// A multiplicity is at most n.
	if bits.Len(uint(n))+data.classBits > 32 {
		panic(fmt.Sprintf("forest: %d rows of %d classes exceed the 32-bit row state", n, classes))
	}
	for i, c := range y {
		data.y[i] = int32(c)
	}
	for i := range n {
		row := x[i*d : (i+1)*d]
		for f, v := range row {
			v32 := float32(v)
			if math.IsNaN(v) || math.IsInf(float64(v32), 0) {
				panic(fmt.Sprintf("forest: x[%d][%d] = %v is not a finite float32", i, f, v))
			}
			data.cols[f*n+i] = v32
		}
	}
	return data
}

// presort sorts every column once, one goroutine per builder, each using
// its builder's sort buffers: it ranks the column's values among its
// distinct ones and, withOrder, keeps its global order (order and sorted,
// which only the builders of a forest with class weights read).
func (data *dataset) presort(builders []*builder, withOrder bool) {
	n, d := data.n, data.d
	if withOrder {
		data.order = make([]int32, n*d)
		data.sorted = make([]float32, n*d)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, b := range builders[:min(len(builders), d)] {
		wg.Go(func() {
			keys, buf := b.keys[:n], b.keysBuf[:n]
			for {
				f := int(next.Add(1) - 1)
				if f >= d {
					return
				}
				for i, v := range data.cols[f*n : (f+1)*n] {
					keys[i] = sortKey(v, int32(i))
				}
				// Stable on rows in order: ties stay by row.
				sortedKeys := radixSort(keys, buf, 0)
				data.levels[f], data.ranks[f] = rankValues(sortedKeys)
				if withOrder {
					order := data.order[f*n : (f+1)*n]
					sorted := data.sorted[f*n : (f+1)*n]
					for k, key := range sortedKeys {
						order[k] = int32(uint32(key))
						sorted[k] = keyValue(key)
					}
				}
			}
		})
	}
	wg.Wait()
}

// rankColumn holds a column's ranks in the narrowest of 1, 2 or 4 bytes
// that holds them all: one of its slices is set, n long.
type rankColumn struct {
	r8  []uint8
	r16 []uint16
	r32 []uint32
}

// at returns row i's rank.
func (c *rankColumn) at(i int) uint32 {
	switch {
	case c.r8 != nil:
		return uint32(c.r8[i])
	case c.r16 != nil:
		return uint32(c.r16[i])
	}
	return c.r32[i]
}

// rankValues returns the distinct values of a column given as its sortKeys
// in ascending order (rows in their low half), each distinct float32 bit
// pattern once, and each row's rank among them.
func rankValues(sorted []uint64) ([]float32, rankColumn) {
	var levels []float32
	prev := ^uint32(0) // no finite float32's sortKey: all bits set is a NaN's
	for _, key := range sorted {
		if bits := uint32(key >> 32); bits != prev {
			levels = append(levels, keyValue(key))
			prev = bits
		}
	}
	var c rankColumn
	switch n := len(sorted); {
	case len(levels) <= 1<<8:
		c.r8 = make([]uint8, n)
		assignRanks(c.r8, sorted)
	case len(levels) <= 1<<16:
		c.r16 = make([]uint16, n)
		assignRanks(c.r16, sorted)
	default:
		c.r32 = make([]uint32, n)
		assignRanks(c.r32, sorted)
	}
	return slices.Clip(levels), c
}

func assignRanks[T rank](ranks []T, sorted []uint64) {
	r := T(0)
	prev := uint32(sorted[0] >> 32)
	for _, key := range sorted {
		if bits := uint32(key >> 32); bits != prev {
			r++
			prev = bits
		}
		ranks[uint32(key)] = r
	}
}

// rank is the type of a rankColumn's ranks.
type rank interface {
	uint8 | uint16 | uint32
}

// prepare is newDataset and presort with one builder's buffers, the
// global order included.
func prepare(x []float64, n, d int, y []int, classes int) *dataset {
	data := newDataset(x, n, d, y, classes)
	data.presort([]*builder{newBuilder(data, params{})}, true)
	return data
}

// sortKey packs a float32 value and a row index into a uint64 whose
// unsigned order is the value's numeric order (ties by row): the float's
// bits with the sign bit flipped for positives and all bits flipped for
// negatives, in the high half.
func sortKey(v float32, row int32) uint64 {
	b := math.Float32bits(v)
	if b&(1<<31) != 0 {
		b = ^b
	} else {
		b |= 1 << 31
	}
	return uint64(b)<<32 | uint64(uint32(row))
}

// keyValue recovers the value packed by sortKey.
func keyValue(key uint64) float32 {
	b := uint32(key >> 32)
	if b&(1<<31) != 0 {
		b &^= 1 << 31
	} else {
		b = ^b
	}
	return math.Float32frombits(b)
}
