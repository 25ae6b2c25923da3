//go:build !amd64 || noasm || gccgo || safe

package cluster

// useAVX is false: the Go kernels run.
const useAVX = false

func (l *lattice) kernelAVX(rows []int32, ch *packedChunk, out []float64, stride int) {
	panic("cluster: no assembly kernel")
}
