package gbdt

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// almostInf caps the thresholds, as scikit-learn's ALMOST_INF.
const almostInf = 1e300

// binSubsample is the most rows the thresholds are computed on
// (_BinMapper's subsample).
const binSubsample = 200_000

// findThresholds is scikit-learn's _find_binning_thresholds: col (NaN
// dropped, sorted here in place) gives the midpoints of its distinct values
// when they are at most maxBins, else its percentiles linspace(0, 100,
// maxBins+1)[1:-1] by numpy's "midpoint" method; capped at almostInf.
// scratch is sortFloats' buffer (nil: a sort without one).
func findThresholds(col []float64, maxBins int, scratch *[]uint64) []float64 {
	k := 0
	for _, v := range col {
		if !math.IsNaN(v) {
			col[k] = v
			k++
		}
	}
	col = col[:k]
	if len(col) == 0 {
		return []float64{}
	}
	if u, ok := fewDistinct(col, maxBins); ok { // np.unique without sorting every value
		slices.Sort(u)
		mids := make([]float64, 0, len(u)-1)
		for i := 1; i < len(u); i++ {
			mids = append(mids, min((u[i-1]+u[i])*0.5, almostInf))
		}
		return mids
	}
	sortFloats(col, scratch)
	distinct := 1
	for i := 1; i < len(col) && distinct <= maxBins; i++ {
		if col[i] != col[i-1] {
			distinct++
		}
	}
	var mids []float64
	if distinct <= maxBins {
		mids = make([]float64, 0, distinct-1)
		prev := col[0]
		for _, v := range col[1:] {
			if v != prev {
				mids = append(mids, (prev+v)*0.5)
				prev = v
			}
		}
	} else {
		n := len(col)
		mids = make([]float64, maxBins-1)
		step := 100 / float64(maxBins) // numpy's linspace: i * (delta / div)
		for i := 1; i < maxBins; i++ {
			q := float64(i) * step / 100 // np.percentile: q / 100
			v := float64(n-1) * q
			vi := 0.5 * (math.Floor(v) + math.Ceil(v)) // the "midpoint" virtual index
			mids[i-1] = midpointQuantile(col, vi)
		}
	}
	for i, m := range mids {
		if m > almostInf {
			mids[i] = almostInf
		}
	}
	return mids
}

// sortFloats sorts col (no NaN) in increasing order: by a radix sort of
// the values' order keys (byte by byte, least significant first, bytes
// all rows share skipped) in col's memory and *scratch (grown to len(col)
// keys) when no value is -0, since the sorted values are then unique bit
// for bit; else, or without scratch, by slices.Sort, whose order among -0
// and 0 (equal, of different bits) is its own.
func sortFloats(col []float64, scratch *[]uint64) {
	n := len(col)
	if n < 512 || scratch == nil {
		slices.Sort(col)
		return
	}
	if len(*scratch) < n {
		*scratch = make([]uint64, n)
	}
	keys := unsafe.Slice((*uint64)(unsafe.Pointer(&col[0])), n) // col's memory
	tmp := (*scratch)[:n]
	var counts [8][256]int
	for i, v := range col {
		b := math.Float64bits(v)
		if b == 1<<63 { // -0: undo the keys so far
			for j := range i {
				keys[j] = keyBits(keys[j])
			}
			slices.Sort(col)
			return
		}
		k := b ^ (uint64(int64(b)>>63) | 1<<63) // orderKey(v)
		keys[i] = k
		for d := range counts {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := keys, tmp
	for d := range counts {
		c := &counts[d]
		if c[byte(src[0]>>(8*d))] == n {
			continue // every key has this byte
		}
		sum := 0
		for i, x := range c {
			c[i] = sum
			sum += x
		}
		for _, k := range src {
			b := byte(k >> (8 * d))
			dst[c[b]] = k
			c[b]++
		}
		src, dst = dst, src
	}
	for i, k := range src {
		col[i] = math.Float64frombits(keyBits(k))
	}
}

// keyBits is the float64 bits of an order key of a value other than -0.
func keyBits(k uint64) uint64 {
	if k>>63 != 0 {
		return k &^ (1 << 63)
	}
	return ^k
}

// fewDistinct returns the distinct values of col (NaN-free) when there
// are at most maxBins of them, from an open-addressing set of their bits
// (-0 counted as 0).
func fewDistinct(col []float64, maxBins int) ([]float64, bool) {
	const size = 1024 // a power of two above 2 * 255
	var keys [size]uint64
	var used [size]bool
	out := make([]float64, 0, maxBins)
	for _, v := range col {
		if v == 0 {
			v = 0 // -0 as 0
		}
		b := math.Float64bits(v)
		h := (b * 0x9e3779b97f4a7c15) >> 54 // 10 bits
		for {
			if !used[h] {
				if len(out) == maxBins {
					return nil, false
				}
				used[h], keys[h] = true, b
				out = append(out, v)
				break
			}
			if keys[h] == b {
				break
			}
			h = (h + 1) & (size - 1)
		}
	}
	return out, true
}

// midpointQuantile is numpy's _quantile at virtual index vi of the sorted
// a: its neighbours interpolated by _lerp with gamma 0 at a whole index,
// else 0.5.
func midpointQuantile(a []float64, vi float64) float64 {
	n := len(a)
	if vi >= float64(n-1) {
		return a[n-1]
	}
	if vi < 0 {
		return a[0]
	}
	prev := math.Floor(vi)
	lo, hi := a[int(prev)], a[int(prev)+1]
	gamma := 0.5
	if math.Mod(vi, 1) == 0 {
		gamma = 0
	}
	diff := hi - lo
	if gamma >= 0.5 {
		return hi - diff*(1-gamma)
	}
	return lo + diff*gamma
}

// binIndex maps v to its bin: the number of thresholds below it (the
// binary search of scikit-learn's _map_to_bins), or missing for NaN.
// binColumns finds the same bins by keyIndex.
func binIndex(v float64, thr []float64, missing uint8) uint8 {
	if math.IsNaN(v) {
		return missing
	}
	lo, hi := 0, len(thr)
	for lo < hi {
		mid := lo + (hi-lo-1)/2
		if v <= thr[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return uint8(lo)
}

// orderKey maps a float64 other than NaN to a uint64 of the same order,
// -0 and 0 to the same key, so that integer comparisons (which compile to
// conditional moves) can stand for the float ones.
func orderKey(v float64) uint64 {
	b := math.Float64bits(v + 0) // -0 + 0 = 0
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// keyTable returns the keys of the thresholds thr, padded with the
// largest key (never below a value's) to a power of two above len(thr),
// for keyIndex.
func keyTable(thr []float64) []uint64 {
	n := 1
	for n <= len(thr) {
		n <<= 1
	}
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = math.MaxUint64
		if i < len(thr) {
			keys[i] = orderKey(thr[i])
		}
	}
	return keys
}

// keyIndex is binIndex for the key of a value other than NaN, given the
// thresholds' keyTable: the number of keys below key, found in
// log2(len(keys)) halvings without branches on the data.
func keyIndex(key uint64, keys []uint64) uint8 {
	base := 0
	for step := len(keys) >> 1; step > 0; step >>= 1 {
		_, below := bits.Sub64(keys[base+step-1], key, 0) // 1 if below key
		base += step & -int(below)
	}
	return uint8(base)
}

// fitBins computes every feature's thresholds on the rows of x listed in
// rows (all rows when nil), subsampled to binSubsample rows with r as
// _BinMapper does; features are shared among workers.
func fitBins(x []float64, d int, rows []int, maxBins int, r *rand.Rand, tm *team) [][]float64 {
	if rows == nil {
		rows = make([]int, len(x)/d)
		for i := range rows {
			rows[i] = i
		}
	}
	if len(rows) > binSubsample {
		perm := slices.Clone(rows)
		for i := 0; i < binSubsample; i++ { // partial Fisher-Yates: a draw without replacement
			j := i + r.IntN(len(perm)-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		rows = perm[:binSubsample]
	}
	thr := make([][]float64, d)
	// Features go to whichever worker is free: their costs differ (a sort
	// or a few distinct values).
	var next atomic.Int64
	tm.run(tm.workers(), func(_, _ int) {
		col := make([]float64, len(rows))
		var scratch []uint64 // the radix sort's, made for the first column it sorts
		for f := int(next.Add(1) - 1); f < d; f = int(next.Add(1) - 1) {
			for k, i := range rows {
				col[k] = x[i*d+f]
			}
			thr[f] = findThresholds(col, maxBins, &scratch)
		}
	})
	return thr
}

// binColumns maps the rows of x listed in rows to bins, column-major: the
// bin of row k and feature f at out[f*len(rows)+k]. The rows are shared
// among the workers in blocks, each block's rows binned feature after
// feature while they stay in cache.
func binColumns(x []float64, d int, rows []int, thr [][]float64, missing uint8, tm *team) []uint8 {
	n := len(rows)
	out := make([]uint8, n*d)
	keys := make([][]uint64, d)
	for f, t := range thr {
		keys[f] = keyTable(t)
	}
	const block = 512
	tm.run((n+block-1)/block, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			k0, k1 := b*block, min((b+1)*block, n)
			for f := 0; f < d; f++ {
				binColumn(out[f*n+k0:f*n+k1], x[f:], d, rows[k0:k1], keys[f], missing)
			}
		}
	})
	return out
}

// binColumn sets col[k] to the bin of x[rows[k]*d] (a feature's value in
// row rows[k], x starting at the feature) among the thresholds of keys.
func binColumn(col []uint8, x []float64, d int, rows []int, keys []uint64, missing uint8) {
	col = col[:len(rows)]
	for k, i := range rows {
		v := x[i*d]
		if v != v {
			col[k] = missing
			continue
		}
		col[k] = keyIndex(orderKey(v), keys)
	}
}

// parallel splits [0, n) into at most workers contiguous blocks and runs
// fn on each, waiting for all of them.
func parallel(n, workers int, fn func(lo, hi int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		if lo == hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
