package lof

// The distance kernels: the squared distances from a group's query rows
// to a leaf's training rows, and to a node's box, compared with each
// row's heap's largest distance (top), which are most of a search's time.
// Rows and boxes have dp columns, a multiple of 4 (the padding is zeros),
// and every distance is summed as sqDist sums it: column c into partial
// sum c mod 4, products and sums rounded separately (no fused
// multiply-add), then (s0 + s1) + (s2 + s3). The assembly kernels
// (kernel_amd64.s, when the CPU has AVX) hold the four partial sums in
// one 4-wide register and perform the same operations lane by lane, so
// they return the same bits and keep the same rows as the Go ones here.

// rowDists sets dist[a·nr + r], for the nr = len(rows)/dp rows (at most
// 32), to the squared distance from q's row g = active[a] (q holds rows
// of dp columns) to row r of rows, and bit r of mask[a] when it is at
// most top[g].
func rowDists(q []float64, dp int, active []uint16, rows, top, dist []float64, mask []uint32) {
	nr := len(rows) / dp
	if len(active) == 0 || nr == 0 {
		return
	}
	if nr > 32 {
		panic("lof: rowDists of more than 32 rows")
	}
	_, _ = dist[len(active)*nr-1], mask[len(active)-1]
	if useAVX {
		checkRows(q, dp, top)
		rowDistsAVX(&q[0], dp, &active[0], len(active), &rows[0], nr, &top[0], &dist[0], &mask[0])
		return
	}
	rowDistsGo(q, dp, active, rows, top, dist, mask)
}

// boxFilter writes to out, in order, the rows g of active (rows of q, dp
// columns each) whose squared distance to box (dp minima, then dp maxima)
// is at most top[g], and returns their number. The distance is Σ u_c²,
// u_c = v_c - min(max(v_c, lo_c), hi_c): the row's distance to the box's
// interval in column c, up to sign, 0 inside. It is at most the squared
// distance to any row in the box, rounding included: each |u_c| is the
// rounded difference to the interval's nearer end, which is no larger
// than the rounded difference to any value in the interval, and the
// products and sums, rounded in the same order as the row's, are
// monotonic.
func boxFilter(q []float64, dp int, active []uint16, box []float32, top []float64, out []uint16) int {
	if len(active) == 0 {
		return 0
	}
	_, _ = box[2*dp-1], out[len(active)-1]
	if useAVX {
		checkRows(q, dp, top)
		return boxFilterAVX(&q[0], dp, &active[0], len(active), &box[0], &top[0], &out[0])
	}
	return boxFilterGo(q, dp, active, box, top, out)
}

// checkRows panics unless q has a row of dp columns for each entry of top:
// the assembly kernels read the rows of active without checking each,
// which the caller ensures are less than len(top) (they are a group's
// rows; the Go kernels check them).
func checkRows(q []float64, dp int, top []float64) {
	if len(q) < len(top)*dp {
		panic("lof: fewer query rows than top distances")
	}
}

// rowDistsGo is rowDists in Go.
func rowDistsGo(q []float64, dp int, active []uint16, rows, top, dist []float64, mask []uint32) {
	nr := len(rows) / dp
	for a, g := range active {
		v := q[int(g)*dp : (int(g)+1)*dp]
		m := uint32(0)
		for r := range nr {
			w := rows[r*dp : (r+1)*dp]
			var s0, s1, s2, s3 float64
			for c := 0; c+4 <= len(v); c += 4 {
				v, w := v[c:c+4:c+4], w[c:c+4:c+4]
				u0, u1, u2, u3 := v[0]-w[0], v[1]-w[1], v[2]-w[2], v[3]-w[3]
				s0 += float64(u0 * u0) // the conversions keep the compiler from fusing (FMA)
				s1 += float64(u1 * u1)
				s2 += float64(u2 * u2)
				s3 += float64(u3 * u3)
			}
			sd := (s0 + s1) + (s2 + s3)
			dist[a*nr+r] = sd
			m |= uint32(b2i(sd <= top[g])) << r
		}
		mask[a] = m
	}
}

// boxFilterGo is boxFilter in Go.
func boxFilterGo(q []float64, dp int, active []uint16, box []float32, top []float64, out []uint16) int {
	n := 0
	for _, g := range active {
		out[n] = g
		n += b2i(boxDist(q[int(g)*dp:(int(g)+1)*dp], box) <= top[g])
	}
	return n
}

// boxDist is the squared distance from v (dp columns) to box, as
// boxFilter computes it.
func boxDist(v []float64, box []float32) float64 {
	dp := len(v)
	lo, hi := box[:dp], box[dp:2*dp]
	var s0, s1, s2, s3 float64
	for c := 0; c+4 <= dp; c += 4 {
		v, lo, hi := v[c:c+4:c+4], lo[c:c+4:c+4], hi[c:c+4:c+4]
		u0, u1, u2, u3 := gap(v[0], lo[0], hi[0]), gap(v[1], lo[1], hi[1]), gap(v[2], lo[2], hi[2]), gap(v[3], lo[3], hi[3])
		s0 += float64(u0 * u0)
		s1 += float64(u1 * u1)
		s2 += float64(u2 * u2)
		s3 += float64(u3 * u3)
	}
	return (s0 + s1) + (s2 + s3)
}

// gap is v - min(max(v, lo), hi): v's distance to [lo, hi] up to sign, 0
// inside. (Go's min and max differ from the assembly's VMINPD and VMAXPD
// only for NaNs and the sign of zeros, which the square removes; the rows
// have no NaN.)
func gap(v float64, lo, hi float32) float64 {
	return v - min(max(v, float64(lo)), float64(hi))
}

// b2i is 1 for true, 0 for false (compiled without a branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
