//go:build !noasm && !gccgo && !safe

package gbdt

// useAVX selects the assembly histogram kernel (hist_amd64.s). It adds
// each row's {g, h, 1, 0}, converted from float32 to float64 (exactly),
// to its bins with one 4-wide add, lane by lane the additions of
// histRowsGo in the same order, so the histograms are the same to the bit.
var useAVX = hasAVX()

// hasAVX reports whether the CPU has AVX and the OS saves its registers.
func hasAVX() bool

// histRowsAVX is histRows on the first n rows of idx, n a multiple of 4,
// without any check.
//
//go:noescape
func histRowsAVX(hs *bin, refs *featRef, nrefs int, rowBins *uint8, d int, idx *uint32, n int, gp *gpair)
