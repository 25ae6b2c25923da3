package eval

import "math"

// Leakage counts what a split shares between its sides, and what the
// data contradicts itself on, over the feature vectors the models see:
// two rows are duplicates when every feature is equal (0 and -0 equal).
//
//   - TrainDuplicates (TestDuplicates): training (test) rows equal to an
//     earlier training (test) row, the rows a deduplication of that side
//     would drop;
//   - CrossDuplicates: test rows equal to some training row, whose labels
//     a model can look up rather than predict: the leak that inflates a
//     random split's figures;
//   - ConflictingVectors: distinct vectors that carry more than one label
//     over all rows, and ConflictingRows the rows carrying them, which no
//     model can all classify correctly.
type Leakage struct {
	TrainRows, TestRows                              int
	TrainDuplicates, TestDuplicates, CrossDuplicates int
	ConflictingVectors, ConflictingRows              int
}

// Shares returns the leakage metrics (eval.Produced(LeakageReport)) in
// reference order: each count, and each as a share of its side (the
// cross-split duplicates of the test rows, the conflicting rows of all
// rows; 0 for an empty side).
func (l Leakage) Shares() []Figure {
	share := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	return []Figure{
		{"train_duplicate_share", share(l.TrainDuplicates, l.TrainRows)},
		{"test_duplicate_share", share(l.TestDuplicates, l.TestRows)},
		{"cross_split_duplicate_share", share(l.CrossDuplicates, l.TestRows)},
		{"conflicting_label_share", share(l.ConflictingRows, l.TrainRows+l.TestRows)},
		{"train_duplicates", float64(l.TrainDuplicates)},
		{"test_duplicates", float64(l.TestDuplicates)},
		{"cross_split_duplicates", float64(l.CrossDuplicates)},
		{"conflicting_vectors", float64(l.ConflictingVectors)},
	}
}

// Figure is a named value.
type Figure struct {
	Metric string
	Value  float64
}

// VectorIDs numbers x's distinct rows (of d features) in order of first
// appearance: ids[i] is row i's, and first[k] the first row of vector k.
// Rows are grouped by a hash of their bits and compared in full, so a
// collision never merges two vectors.
func VectorIDs(x []float64, d, n int) (ids []int32, first []int) {
	row := func(i int) []float64 { return x[i*d : (i+1)*d] }
	ids = make([]int32, n)
	// head[h] is the latest vector whose hash is h, next[k] the vector
	// before k with k's hash (-1 for none): a chain per hash, without a
	// slice per vector.
	head := make(map[uint64]int32, n)
	var next []int32
	for i := range n {
		v := row(i)
		h := rowHash(v)
		k := int32(-1)
		c, ok := head[h]
		if !ok {
			c = -1
		}
		latest := c
	search:
		for ; c >= 0; c = next[c] {
			w := row(first[c])
			for j := range v {
				if v[j] != w[j] {
					continue search
				}
			}
			k = c
			break
		}
		if k < 0 {
			k = int32(len(first))
			first = append(first, i)
			next = append(next, latest)
			head[h] = k
		}
		ids[i] = k
	}
	return ids, first
}

// rowHash is VectorIDs' hash of a row (a variable so that tests can make
// every row collide). The hash decides only how fast rows are grouped,
// never which rows are equal.
var rowHash = wordHash

// wordHash hashes a row's features whole, -0 as 0 (they are equal):
// FNV-1a's step on each 64-bit word, then splitmix64's finaliser, so
// that the exponent bits, which the multiplications carry only upward,
// reach every bit. A byte at a time (fnv1a) took eight dependent
// multiplications a feature, 77 ms of NSL-KDD's 126,000 rows.
func wordHash(v []float64) uint64 {
	h := uint64(14695981039346656037)
	for _, f := range v {
		if f == 0 {
			f = 0 // -0 as 0
		}
		h = (h ^ math.Float64bits(f)) * 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// MeasureLeakage counts x's duplicates (n rows of d features) by side
// (test[i] says row i is a test row) and its conflicting labels (label[i]
// the row's class).
func MeasureLeakage(x []float64, d int, test []bool, label []int) Leakage {
	n := len(test)
	ids, first := VectorIDs(x, d, n)
	inTrain := make([]bool, len(first))
	inTest := make([]bool, len(first))
	rows := make([]int, len(first))
	mixed := make([]bool, len(first))
	var l Leakage
	for i, k := range ids {
		rows[k]++
		if label[i] != label[first[k]] {
			mixed[k] = true
		}
		if test[i] {
			l.TestRows++
			if inTest[k] {
				l.TestDuplicates++
			}
			inTest[k] = true
		} else {
			l.TrainRows++
			if inTrain[k] {
				l.TrainDuplicates++
			}
			inTrain[k] = true
		}
	}
	for i, k := range ids {
		if test[i] && inTrain[k] {
			l.CrossDuplicates++
		}
	}
	for k := range first {
		if mixed[k] {
			l.ConflictingVectors++
			l.ConflictingRows += rows[k]
		}
	}
	return l
}
