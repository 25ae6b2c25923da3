//go:build !noasm && !gccgo && !safe

package lof

// useAVX selects the assembly kernels (kernel_amd64.s). They perform the
// Go kernels' operations lane by lane with 4-wide AVX instructions (no
// fused multiply-add), so they return the same distances.
var useAVX = hasAVX()

// hasAVX reports whether the CPU has AVX and the OS saves its registers.
func hasAVX() bool

// rowDistsAVX is rowDistsGo on q's rows active[:na] and the nr rows at
// rows, dp columns each.
//
//go:noescape
func rowDistsAVX(q *float64, dp int, active *uint16, na int, rows *float64, nr int, top, dist *float64, mask *uint32)

// boxFilterAVX is boxFilterGo on q's rows active[:na] and the box at box.
//
//go:noescape
func boxFilterAVX(q *float64, dp int, active *uint16, na int, box *float32, top *float64, out *uint16) int
