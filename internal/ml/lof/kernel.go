package lof

// The distance kernels: the squared distances from a group's query rows
// to a leaf's training rows, and to a node's box, which are most of a
// search's time. Rows and boxes have dp columns, a multiple of 4 (the
// padding is zeros), and every distance is summed as sqDist sums it:
// column c into partial sum c mod 4, products and sums rounded separately
// (no fused multiply-add), then (s0 + s1) + (s2 + s3). The assembly
// kernels (kernel_amd64.s, when the CPU has AVX) hold the four partial
// sums in one 4-wide register and perform the same operations lane by
// lane, so they return the same bits as the Go ones here.

// rowDists sets out[a·nr + r], for the nr = len(rows)/dp rows, to the
// squared distance from q's row active[a] (q holds rows of dp columns) to
// row r of rows.
func rowDists(q []float64, dp int, active []uint16, rows []float64, out []float64) {
	nr := len(rows) / dp
	if len(active) == 0 || nr == 0 {
		return
	}
	_ = out[len(active)*nr-1]
	for _, g := range active {
		_ = q[(int(g)+1)*dp-1]
	}
	if useAVX {
		rowDistsAVX(&q[0], dp, &active[0], len(active), &rows[0], nr, &out[0])
		return
	}
	rowDistsGo(q, dp, active, rows, out)
}

// boxDists sets out[a] to the squared distance from q's row active[a] to
// box (dp minima, then dp maxima): Σ gap_c², gap_c the row's distance to
// the box's interval in column c, max(lo_c - v_c, v_c - hi_c, 0). It is
// at most the squared distance to any row in the box, rounding included:
// each gap is at most the row's difference in that column, and the
// products and sums, rounded in the same order, are monotonic.
func boxDists(q []float64, dp int, active []uint16, box []float32, out []float64) {
	if len(active) == 0 {
		return
	}
	_ = box[2*dp-1]
	_ = out[len(active)-1]
	for _, g := range active {
		_ = q[(int(g)+1)*dp-1]
	}
	if useAVX {
		boxDistsAVX(&q[0], dp, &active[0], len(active), &box[0], &out[0])
		return
	}
	boxDistsGo(q, dp, active, box, out)
}

// rowDistsGo is rowDists in Go.
func rowDistsGo(q []float64, dp int, active []uint16, rows []float64, out []float64) {
	nr := len(rows) / dp
	for a, g := range active {
		v := q[int(g)*dp : (int(g)+1)*dp]
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
			out[a*nr+r] = (s0 + s1) + (s2 + s3)
		}
	}
}

// boxDistsGo is boxDists in Go.
func boxDistsGo(q []float64, dp int, active []uint16, box []float32, out []float64) {
	lo, hi := box[:dp], box[dp:2*dp]
	for a, g := range active {
		v := q[int(g)*dp : (int(g)+1)*dp]
		var s0, s1, s2, s3 float64
		for c := 0; c+4 <= len(v); c += 4 {
			v, lo, hi := v[c:c+4:c+4], lo[c:c+4:c+4], hi[c:c+4:c+4]
			u0, u1, u2, u3 := gap(v[0], lo[0], hi[0]), gap(v[1], lo[1], hi[1]), gap(v[2], lo[2], hi[2]), gap(v[3], lo[3], hi[3])
			s0 += float64(u0 * u0)
			s1 += float64(u1 * u1)
			s2 += float64(u2 * u2)
			s3 += float64(u3 * u3)
		}
		out[a] = (s0 + s1) + (s2 + s3)
	}
}

// gap is v's distance to the interval [lo, hi], max(lo - v, v - hi, 0)
// (0 inside), in the operand order of the assembly's VMAXPD.
func gap(v float64, lo, hi float32) float64 {
	return max(max(float64(lo)-v, v-float64(hi)), 0)
}
