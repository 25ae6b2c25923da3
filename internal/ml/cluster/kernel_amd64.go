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
