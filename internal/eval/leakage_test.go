package eval

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMeasureLeakage counts by hand on a small table of two features:
//
//	row  vector   side   label
//	0    (1, 2)   train  0
//	1    (1, 2)   train  0      train duplicate of 0
//	2    (3, 4)   train  1
//	3    (1, 2)   test   1      cross duplicate (of 0), conflicting label
//	4    (5, 6)   test   0
//	5    (5, 6)   test   0      test duplicate of 4
//	6    (3, 4)   test   1      cross duplicate (of 2)
//	7    (0, 1)   train  0
//	8    (-0, 1)  test   1      -0 equals 0: cross duplicate of 7, conflicting
//
// Train rows 0, 1, 2, 7 (one duplicate), test rows 3, 4, 5, 6, 8 (one
// duplicate, three equal to training rows); vectors (1, 2) and (0, 1)
// carry two labels, over rows 0, 1, 3 and 7, 8.
func TestMeasureLeakage(t *testing.T) {
	negZero := func() float64 { z := 0.0; return -z }()
	x := []float64{1, 2, 1, 2, 3, 4, 1, 2, 5, 6, 5, 6, 3, 4, 0, 1, negZero, 1}
	test := []bool{false, false, false, true, true, true, true, false, true}
	label := []int{0, 0, 1, 1, 0, 0, 1, 0, 1}
	got := MeasureLeakage(x, 2, test, label)
	want := Leakage{TrainRows: 4, TestRows: 5, TrainDuplicates: 1, TestDuplicates: 1, CrossDuplicates: 3, ConflictingVectors: 2, ConflictingRows: 5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MeasureLeakage (-want +got):\n%s", diff)
	}
	shares := map[string]float64{}
	for _, f := range got.Shares() {
		shares[f.Metric] = f.Value
	}
	wantShares := map[string]float64{
		"train_duplicate_share": 0.25, "test_duplicate_share": 0.2, "cross_split_duplicate_share": 0.6,
		"conflicting_label_share": 5.0 / 9, "train_duplicates": 1, "test_duplicates": 1,
		"cross_split_duplicates": 3, "conflicting_vectors": 2,
	}
	if diff := cmp.Diff(wantShares, shares); diff != "" {
		t.Errorf("Shares (-want +got):\n%s", diff)
	}
	for _, f := range got.Shares() {
		if _, ok := Metric(f.Metric); !ok || !In(f.Metric, Produced(LeakageReport)) {
			t.Errorf("%s is not in the vocabulary as a leakage metric", f.Metric)
		}
	}
}

// TestVectorIDsCollisions: rows that differ in any bit of any feature are
// distinct vectors, however many there are.
func TestVectorIDsCollisions(t *testing.T) {
	const n = 5000
	x := make([]float64, 0, 2*n)
	for i := range n {
		x = append(x, float64(i%71), float64(i%73)) // 71*73 > n: all distinct
	}
	ids, first := VectorIDs(x, 2, n)
	if len(first) != n {
		t.Fatalf("%d vectors among %d distinct rows", len(first), n)
	}
	for i, k := range ids {
		if int(k) != i {
			t.Fatalf("row %d has id %d", i, k)
		}
	}
}

// TestVectorIDsSharedHash: with a hash that puts rows into only three
// buckets, every row still gets the number of its first equal row (a
// quadratic search, the definition), as with the real hash.
func TestVectorIDsSharedHash(t *testing.T) {
	const n, d = 400, 2
	x := make([]float64, 0, n*d)
	for i := range n {
		x = append(x, float64(i%7), float64(i%11)) // 77 distinct vectors
	}
	want := make([]int32, n)
	var wantFirst []int
	for i := range n {
		want[i] = -1
		for k, f := range wantFirst {
			if x[f*d] == x[i*d] && x[f*d+1] == x[i*d+1] {
				want[i] = int32(k)
				break
			}
		}
		if want[i] < 0 {
			want[i] = int32(len(wantFirst))
			wantFirst = append(wantFirst, i)
		}
	}
	for _, hash := range []struct {
		name string
		fn   func([]float64) uint64
	}{{"wordHash", wordHash}, {"three buckets", func(v []float64) uint64 { return uint64(v[0]) % 3 }}} {
		rowHash = hash.fn
		ids, first := VectorIDs(x, d, n)
		rowHash = wordHash
		if !slices.Equal(ids, want) || !slices.Equal(first, wantFirst) {
			t.Errorf("%s: ids %v, first %v; want %v, %v", hash.name, ids[:20], first, want[:20], wantFirst)
		}
	}
}

// TestWordHashSignedZero: -0 == 0, so rows differing only in a zero's
// sign are one vector, and must hash alike; rows differing in any other
// bit (here the exponent's, which the FNV step alone carries only upward)
// should not.
func TestWordHashSignedZero(t *testing.T) {
	negZero := math.Copysign(0, -1)
	if a, b := wordHash([]float64{negZero, 1}), wordHash([]float64{0, 1}); a != b {
		t.Errorf("wordHash(-0, 1) = %#x, wordHash(0, 1) = %#x", a, b)
	}
	if ids, _ := VectorIDs([]float64{negZero, 1, 0, 1}, 2, 2); ids[1] != 0 {
		t.Errorf("rows (-0, 1) and (0, 1): ids %v, want one vector", ids)
	}
	seen := map[uint64]float64{}
	for _, f := range []float64{1, 2, 4, 0.5, -1, 1e300, 1e-300, 3} {
		h := wordHash([]float64{f, 7})
		if g, dup := seen[h&0xffff]; dup {
			t.Errorf("wordHash(%g, 7) and wordHash(%g, 7) share their low 16 bits", f, g)
		}
		seen[h&0xffff] = f
	}
}
