package gbdt

import "math"

// expSlice sets dst[i] = math.Exp(src[i]) (dst may be src), bit for bit,
// four values at a time with the amd64 vector kernel where it reproduces
// math.Exp (exp_amd64.go).
func expSlice(dst, src []float64) {
	n := len(src)
	dst = dst[:n]
	i := 0
	for i < n {
		i += expBlock(dst[i:], src[i:], (n-i)&^3)
		if i == n {
			break
		}
		// a value out of the kernel's range, or the last ones
		end := min(i+4, n)
		for ; i < end; i++ {
			dst[i] = math.Exp(src[i])
		}
	}
}

// expProbe is values on which math.Exp's FMA and SSE2 sequences differ in
// the last bit, among others: pickExp keeps the vector variant that agrees
// with math.Exp on all of them.
func expProbe() []float64 {
	p := make([]float64, 0, 256)
	s := uint64(0x9e3779b97f4a7c15)
	for len(p) < cap(p) {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		p = append(p, (float64(s>>11)/(1<<53)*2-1)*40)
	}
	return p
}
