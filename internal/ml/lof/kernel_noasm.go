//go:build !amd64 || noasm || gccgo || safe

package lof

// useAVX is false: the Go kernels run.
const useAVX = false

func rowDistsAVX(q *float64, dp int, active *uint16, na int, rows *float64, nr int, out *float64) {
	panic("lof: no assembly kernel")
}

func boxDistsAVX(q *float64, dp int, active *uint16, na int, box *float32, out *float64) {
	panic("lof: no assembly kernel")
}
