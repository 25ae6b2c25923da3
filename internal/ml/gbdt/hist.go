package gbdt

import "unsafe"

// bin is one bin of a histogram: scikit-learn's hist_struct, the float64
// sums of its rows' float32 gradients and hessians and their count (a
// float64 too, exact below 2^53 rows), padded to 32 bytes so that the
// assembly kernel (hist_amd64.s) updates a bin with one 4-wide add of
// {g, h, 1, 0}: lane by lane the same additions as the Go kernel's.
type bin struct {
	g, h, c float64
	_       float64
}

// binSize is the size of a bin in bytes.
const binSize = int(unsafe.Sizeof(bin{}))

// hist is the histograms of one node: feature f's bins at
// [off[f], off[f]+nonMissing[f]], its missing-values bin last (the layout
// of trainData).
type hist []bin

// featRef is a feature as the histogram kernels read it: col, its column
// (its byte in a row of trainData.rowBins), and off, the byte offset of its
// bins in a hist.
type featRef struct {
	col, off uint32
}

// newHist returns a zeroed hist of n bins aligned to 32 bytes, so that no
// bin straddles two cache lines.
func newHist(n int) hist {
	h := make(hist, n+1)
	if skip := uintptr(unsafe.Pointer(&h[0])) % uintptr(binSize); skip != 0 {
		p := unsafe.Add(unsafe.Pointer(&h[0]), uintptr(binSize)-skip)
		return unsafe.Slice((*bin)(p), n)
	}
	return h[:n]
}

// histRows adds the gradients and hessians gp of the rows idx to the bins
// of the features refs in hs, reading the rows' bins from td.rowBins: row
// after row in the order of idx, so that each bin sums its rows in
// scikit-learn's order (_build_histogram), while consecutive updates go to
// different features' bins and need not wait for each other. Every row of
// idx must be below td.n (rows of the partition are).
func (td *trainData) histRows(hs hist, refs []featRef, idx []uint32, gp []gpair) {
	if len(refs) == 0 || len(idx) == 0 {
		return
	}
	// The kernels index without bounds checks: the bins of rowBins are
	// below their feature's nonMissing+1 (binTrain), and each feature's
	// bins must lie in hs.
	if len(td.rowBins) != len(gp)*td.d {
		panic("gbdt: row-major bins and gradients of different rows")
	}
	for _, r := range refs {
		f := int(r.col)
		if f >= td.d || int(r.off) != td.off[f]*binSize || td.off[f]+td.nonMissing[f]+1 > len(hs) {
			panic("gbdt: feature outside the histograms")
		}
	}
	k := 0
	if useAVX {
		k = len(idx) &^ 3
		if k > 0 {
			histRowsAVX(&hs[0], &refs[0], len(refs), &td.rowBins[0], td.d, &idx[0], k, &gp[0])
		}
	}
	histRowsGo(hs, refs, td.rowBins, td.d, idx[k:], gp)
}

// histRowsGo is histRows in Go: four rows at a time, their updates of one
// feature in row order.
func histRowsGo(hs hist, refs []featRef, rowBins []uint8, d int, idx []uint32, gp []gpair) {
	if len(refs) == 0 || len(idx) == 0 {
		return
	}
	base := unsafe.Pointer(&hs[0])
	rb := unsafe.Pointer(&rowBins[0])
	const sz = uintptr(binSize)
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
		for _, r := range refs {
			p := unsafe.Add(base, r.off)
			f := uintptr(r.col)
			x := (*bin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r0, f)))*sz))
			x.g += g0
			x.h += h0
			x.c++
			x = (*bin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r1, f)))*sz))
			x.g += g1
			x.h += h1
			x.c++
			x = (*bin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r2, f)))*sz))
			x.g += g2
			x.h += h2
			x.c++
			x = (*bin)(unsafe.Add(p, uintptr(*(*uint8)(unsafe.Add(r3, f)))*sz))
			x.g += g3
			x.h += h3
			x.c++
		}
	}
	for ; k < len(idx); k++ {
		i := uintptr(idx[k])
		gv, hv := float64(gp[i].g), float64(gp[i].h)
		row := unsafe.Add(rb, i*uintptr(d))
		for _, r := range refs {
			x := (*bin)(unsafe.Add(base, uintptr(r.off)+uintptr(*(*uint8)(unsafe.Add(row, uintptr(r.col))))*sz))
			x.g += gv
			x.h += hv
			x.c++
		}
	}
}

// gpair is a row's gradient and hessian.
type gpair struct{ g, h float32 }
