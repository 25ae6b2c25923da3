//go:build !amd64 || noasm || gccgo || safe

package cluster

// useAVX is false: the Go kernels run.
const useAVX = false

func (l *lattice) kernelAVX(rows []int32, ch *packedChunk, out []float64, stride int) {
	panic("cluster: no assembly kernel")
}

// useSilAVX is false: the silhouette's distances are computed in Go.
const useSilAVX = false

func silSpanAVX(xi *float64, d int, xt *float64, m int, scale float64, col *int64) int64 {
	panic("cluster: no assembly kernel")
}
