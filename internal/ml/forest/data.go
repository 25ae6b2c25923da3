package forest

import (
	"fmt"
	"math"
	"math/bits"
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
	cols    []float32 // column-major: cols[f*n+i] = float32(x[i*d+f])
	order   []int32   // order[f*n+k]: the row holding the k-th smallest value of feature f
	sorted  []float32 // sorted[f*n+k] = cols[f*n+order[f*n+k]]
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
		order:  make([]int32, n*d),
		sorted: make([]float32, n*d),
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
// its builder's sort buffers.
func (data *dataset) presort(builders []*builder) {
	n, d := data.n, data.d
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
				order := data.order[f*n : (f+1)*n]
				sorted := data.sorted[f*n : (f+1)*n]
				for k, key := range radixSort(keys, buf, 0) {
					order[k] = int32(uint32(key))
					sorted[k] = keyValue(key)
				}
			}
		})
	}
	wg.Wait()
}

// prepare is newDataset and presort with one builder's buffers.
func prepare(x []float64, n, d int, y []int, classes int) *dataset {
	data := newDataset(x, n, d, y, classes)
	data.presort([]*builder{newBuilder(data, params{})})
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
