//go:build !amd64 || noasm || gccgo || safe

package lof

// useAVX is false: the Go kernels run.
const useAVX = false

func rowDistsAVX(q *float64, dp int, active *uint16, na int, rows *float64, nr int, top, dist *float64, mask *uint32) {
	panic("lof: no assembly kernel")
}

func boxFilterAVX(q *float64, dp int, active *uint16, na int, box *float32, top *float64, out *uint16) int {
	panic("lof: no assembly kernel")
}
