//go:build !noasm && !gccgo && !safe

package cluster

import "unsafe"

// useAVX selects the assembly kernels (kernel_amd64.s). They perform the
// Go kernels' operations lane by lane with 4-wide AVX instructions (no
// fused multiply-add), so they return the same distances.
var useAVX = hasAVX()

// hasAVX reports whether the CPU has AVX and the OS saves its registers.
func hasAVX() bool

//go:noescape
func kernel6AVX(xc *float64, dc int, codes *uint32, ng int, rows *int32, nrows int, cont *float64, tab *float64, out *float64, stride int)

//go:noescape
func kernel4AVX(xc *float64, dc int, codes *uint32, ng int, rows *int32, nrows int, cont *float64, tab *float64, out *float64, stride int)

// kernelAVX is kernel6 or kernel4 (by the chunk's width) in assembly; the
// caller has checked that rows is not empty and out is long enough.
func (l *lattice) kernelAVX(rows []int32, ch *packedChunk, out []float64, stride int) {
	kernel := kernel6AVX
	if ch.width == 4 {
		kernel = kernel4AVX
	}
	kernel(unsafe.SliceData(l.xc), len(l.cont), unsafe.SliceData(l.codes), len(l.groups),
		&rows[0], len(rows), unsafe.SliceData(ch.cont), unsafe.SliceData(ch.tab), &out[0], stride*8)
}

// useSilAVX selects the silhouette's assembly kernel, which needs AVX2.
var useSilAVX = useAVX && hasAVX2()

// hasAVX2 reports whether the CPU has AVX2 (the caller checks AVX).
func hasAVX2() bool

// silSpanAVX is silPairs.span's kernel for m (a positive multiple of 4)
// rows j of a transposed block: xt points at row j0's first column (column
// t at xt[t*silBlock]), col (may be nil) at j0's accumulator. For each j
// it adds q = quantize(sqDist(xi, x_j), scale) to *col and returns the
// sum of the q. sqDist's operations run lane by lane in its order (four
// partial sums by column mod 4, the remaining columns into the first,
// then (s0+s1)+(s2+s3)), without fused multiply-add; VSQRTPD is correctly
// rounded as math.Sqrt; the conversion to int64 (truncation) is exact as
// every dist*scale + 0.5 is below 2^52 (silKernelMax).
//
//go:noescape
func silSpanAVX(xi *float64, d int, xt *float64, m int, scale float64, col *int64) int64
