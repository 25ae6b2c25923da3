package forest

// radixSort sorts sortKey keys by value and, among equal values, by the low
// rowBits bits of the row, with a least-significant-digit radix sort of
// 8-bit digits, using buf (at least as long as keys) as scratch. It returns
// the sorted keys, which are in keys or in buf[:len(keys)]. The sort is
// stable, so keys already in row order need rowBits 0. Digits every key
// shares are skipped: values of one sign and similar magnitude cost two or
// three passes.
func radixSort(keys, buf []uint64, rowBits uint) []uint64 {
	n := len(keys)
	if n == 0 {
		return keys
	}
	// Digit shifts, least significant first: the row's, then the value's.
	var shifts [8]uint
	digits := 0
	for shift := uint(0); shift < rowBits; shift += 8 {
		shifts[digits] = shift
		digits++
	}
	for shift := uint(32); shift < 64; shift += 8 {
		shifts[digits] = shift
		digits++
	}
	var counts [8][256]int
	for _, k := range keys {
		for d, shift := range shifts[:digits] {
			counts[d][k>>shift&0xff]++
		}
	}
	src, dst := keys, buf[:n]
	for d, shift := range shifts[:digits] {
		c := &counts[d]
		if c[src[0]>>shift&0xff] == n {
			continue
		}
		sum := 0
		for i, k := range c {
			c[i] = sum
			sum += k
		}
		for _, k := range src {
			digit := k >> shift & 0xff
			dst[c[digit]] = k
			c[digit]++
		}
		src, dst = dst, src
	}
	return src
}
