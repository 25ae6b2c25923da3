package cluster

import (
	"slices"
)

// lattice holds the rows of x in the form the k-means distance kernel
// reads: the continuous columns copied contiguously, and the discrete
// columns (at most maxDiscrete distinct values) folded into groups whose
// combined level is one small code per row. Label-encoded categoricals and
// 0/1 flags make up half of the notebook's columns; for them
//
//	sum_{t in group} (x_t - c_t)^2
//
// depends only on the row's code and is looked up in a table built once
// per set of centres, so a row's squared distance to a centre costs one
// load per group instead of three operations per column.
//
// Squared distances are evaluated in a fixed order, the groups' table
// entries (each summed in column order) first, then the continuous columns
// in column order; all k-means distance decisions use this one evaluation.
type lattice struct {
	n, d   int
	cont   []int       // continuous columns
	xc     []float64   // n*len(cont), the continuous part of each row
	groups [][]int     // discrete columns of each group
	codes  []uint32    // n*len(groups), the row's code in each group plus the group's offset
	values [][]float64 // per group: codes*len(group), the columns' values for each code
	offset []int       // per group: first index of its codes among all groups' codes; last = total
}

// maxCodes bounds the combined levels of a group (the size of its table).
const maxCodes = 64

// kernelWidth is the number of centres one pass of the kernel handles.
const kernelWidth = 6

func newLattice(x []float64, n, d int, workers int) *lattice {
	cols := scanColumns(x, n, d, workers)
	l := &lattice{n: n, d: d}
	var discrete []int
	for j, c := range cols {
		if c.discrete && len(c.values) <= maxCodes {
			discrete = append(discrete, j)
		} else {
			l.cont = append(l.cont, j)
		}
	}
	// Pack the columns with the fewest levels first.
	slices.SortStableFunc(discrete, func(a, b int) int {
		return len(cols[a].values) - len(cols[b].values)
	})
	codes := 1
	for _, j := range discrete {
		m := len(cols[j].values)
		if len(l.groups) == 0 || codes*m > maxCodes {
			l.groups = append(l.groups, nil)
			codes = 1
		}
		g := len(l.groups) - 1
		l.groups[g] = append(l.groups[g], j)
		codes *= m
	}
	l.values = make([][]float64, len(l.groups))
	radix := make([][]int, len(l.groups)) // place value of each column in the code
	for g, group := range l.groups {
		radix[g] = make([]int, len(group))
		total := 1
		for t, j := range group {
			radix[g][t] = total
			total *= len(cols[j].values)
		}
		vals := make([]float64, total*len(group))
		for code := 0; code < total; code++ {
			for t, j := range group {
				level := code / radix[g][t] % len(cols[j].values)
				vals[code*len(group)+t] = cols[j].values[level]
			}
		}
		l.values[g] = vals
	}

	l.offset = make([]int, len(l.groups)+1)
	for g, group := range l.groups {
		l.offset[g+1] = l.offset[g] + len(l.values[g])/len(group)
	}
	dc, ng := len(l.cont), len(l.groups)
	l.xc = make([]float64, n*dc)
	l.codes = make([]uint32, n*ng)
	parallel(workers, blocks(n, indexChunk), func(_, c int) {
		for i := c * indexChunk; i < min((c+1)*indexChunk, n); i++ {
			row := x[i*d : i*d+d]
			for t, j := range l.cont {
				l.xc[i*dc+t] = row[j]
			}
			for g, group := range l.groups {
				code := 0
				for t, j := range group {
					level, _ := slices.BinarySearch(cols[j].values, row[j])
					code += level * radix[g][t]
				}
				l.codes[i*ng+g] = uint32(l.offset[g] + code)
			}
		}
	})
	return l
}

// packed is a set of centres laid out for the kernel: chunks of
// kernelWidth centres, the last one of width 4 if at most 4 centres are
// left (padded with zeros), each with its continuous coordinates
// interleaved ([t*width+j]) and the tables of all groups one after the
// other ([(offset[g]+code)*width+j]).
type packed struct {
	k      int
	chunks []packedChunk
}

type packedChunk struct {
	width int
	cont  []float64
	tab   []float64
}

// pack lays out the k centres (row-major, d columns) into p, reusing its
// storage.
func (l *lattice) pack(p *packed, centres []float64, k int) {
	d, dc := l.d, len(l.cont)
	nc := blocks(k, kernelWidth)
	p.k = k
	for len(p.chunks) < nc {
		p.chunks = append(p.chunks, packedChunk{
			cont: make([]float64, dc*kernelWidth),
			tab:  make([]float64, l.offset[len(l.groups)]*kernelWidth),
		})
	}
	for q := 0; q < nc; q++ {
		ch := &p.chunks[q]
		ch.width = kernelWidth
		if k-q*kernelWidth <= 4 {
			ch.width = 4
		}
		w := ch.width
		clear(ch.cont)
		clear(ch.tab)
		for j := 0; j < w && q*kernelWidth+j < k; j++ {
			c := centres[(q*kernelWidth+j)*d : (q*kernelWidth+j+1)*d]
			for t, col := range l.cont {
				ch.cont[t*w+j] = c[col]
			}
			for g, group := range l.groups {
				vals := l.values[g]
				m := len(group)
				for code := 0; code < len(vals)/m; code++ {
					var s float64
					for t, col := range group {
						e := vals[code*m+t] - c[col]
						s += e * e
					}
					ch.tab[(l.offset[g]+code)*w+j] = s
				}
			}
		}
	}
}

// dists sets out[r*stride+j] to the squared distance from row rows[r] to
// centre j of p, for j < p.k; stride is at least p.k rounded up to whole
// chunks of kernelWidth. It uses the AVX kernels where the CPU has them.
func (l *lattice) dists(rows []int32, p *packed, out []float64, stride int) {
	if len(rows) == 0 {
		return
	}
	for q := range blocks(p.k, kernelWidth) {
		ch := &p.chunks[q]
		o := out[q*kernelWidth:]
		if len(o) < (len(rows)-1)*stride+ch.width {
			panic("cluster: kernel output too short")
		}
		switch {
		case useAVX:
			l.kernelAVX(rows, ch, o, stride)
		case ch.width == 4:
			l.kernel4(rows, ch, o, stride)
		default:
			l.kernel6(rows, ch, o, stride)
		}
	}
}

// kernel6 computes the squared distances from each row to the six centres
// of a chunk: table entries first, in group order, then the continuous
// columns in order, each distance in its own register (the AVX kernel does
// the same operations lane by lane).
func (l *lattice) kernel6(rows []int32, ch *packedChunk, out []float64, stride int) {
	dc, ng := len(l.cont), len(l.groups)
	tab := ch.tab
	c := ch.cont[:dc*kernelWidth]
	for r, i := range rows {
		var a0, a1, a2, a3, a4, a5 float64
		for _, code := range l.codes[int(i)*ng : int(i)*ng+ng] {
			t := tab[code*kernelWidth : code*kernelWidth+kernelWidth : code*kernelWidth+kernelWidth]
			a0 += t[0]
			a1 += t[1]
			a2 += t[2]
			a3 += t[3]
			a4 += t[4]
			a5 += t[5]
		}
		for t, v := range l.xc[int(i)*dc : int(i)*dc+dc] {
			cc := c[t*kernelWidth : t*kernelWidth+kernelWidth : t*kernelWidth+kernelWidth]
			e0 := v - cc[0]
			e1 := v - cc[1]
			e2 := v - cc[2]
			a0 += e0 * e0
			a1 += e1 * e1
			a2 += e2 * e2
			e3 := v - cc[3]
			e4 := v - cc[4]
			e5 := v - cc[5]
			a3 += e3 * e3
			a4 += e4 * e4
			a5 += e5 * e5
		}
		o := out[r*stride : r*stride+kernelWidth : r*stride+kernelWidth]
		o[0], o[1], o[2], o[3], o[4], o[5] = a0, a1, a2, a3, a4, a5
	}
}

// kernel4 is kernel6 for a chunk of width 4, in the same order.
func (l *lattice) kernel4(rows []int32, ch *packedChunk, out []float64, stride int) {
	dc, ng := len(l.cont), len(l.groups)
	tab := ch.tab
	c := ch.cont[:dc*4]
	for r, i := range rows {
		var a0, a1, a2, a3 float64
		for _, code := range l.codes[int(i)*ng : int(i)*ng+ng] {
			t := tab[code*4 : code*4+4 : code*4+4]
			a0 += t[0]
			a1 += t[1]
			a2 += t[2]
			a3 += t[3]
		}
		for t, v := range l.xc[int(i)*dc : int(i)*dc+dc] {
			cc := c[t*4 : t*4+4 : t*4+4]
			e0 := v - cc[0]
			e1 := v - cc[1]
			e2 := v - cc[2]
			e3 := v - cc[3]
			a0 += e0 * e0
			a1 += e1 * e1
			a2 += e2 * e2
			a3 += e3 * e3
		}
		o := out[r*stride : r*stride+4 : r*stride+4]
		o[0], o[1], o[2], o[3] = a0, a1, a2, a3
	}
}
