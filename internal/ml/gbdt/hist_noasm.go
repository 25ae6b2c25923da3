//go:build !amd64 || noasm || gccgo || safe

package gbdt

// useAVX is false: the Go kernel builds the histograms.
const useAVX = false

func histRowsAVX(hs *bin, refs *featRef, nrefs int, rowBins *uint8, d int, idx *uint32, n int, gp *gpair) {
	panic("gbdt: no assembly kernel")
}
