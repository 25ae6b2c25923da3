package features

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/segharness/harness/datasets"
)

// TrainTestSplit assigns each of n rows to the training or the test side as
// scikit-learn's train_test_split does: ceil(testFraction*n) test rows, the
// rest for training. With labels (one class per row) the split is
// stratified like StratifiedShuffleSplit: each class's train count is its
// proportional share rounded by largest remainder (ties broken at random),
// its test count likewise from what remains; then each class's rows are
// shuffled and dealt out. With nil labels the rows are simply shuffled.
//
// It fails as scikit-learn does: an empty side, a class with a single
// member, or fewer rows on a side than there are classes.
func TrainTestSplit(n int, labels []int, testFraction float64, r *rand.Rand) ([]datasets.Split, error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, fmt.Errorf("features: test fraction %v outside (0, 1)", testFraction)
	}
	nTest := int(math.Ceil(testFraction * float64(n)))
	nTrain := n - nTest
	if nTrain <= 0 || nTest <= 0 {
		return nil, fmt.Errorf("features: %d flows at test fraction %v leave %d for training and %d for testing", n, testFraction, nTrain, nTest)
	}
	out := make([]datasets.Split, n)
	if labels == nil {
		perm := r.Perm(n)
		for k, i := range perm {
			if k < nTest {
				out[i] = datasets.Test
			} else {
				out[i] = datasets.Train
			}
		}
		return out, nil
	}
	if len(labels) != n {
		panic(fmt.Sprintf("features: %d labels for %d rows", len(labels), n))
	}
	classes := slices.Sorted(func(yield func(int) bool) {
		seen := map[int]bool{}
		for _, l := range labels {
			if !seen[l] {
				seen[l] = true
				if !yield(l) {
					return
				}
			}
		}
	})
	members := make([][]int, len(classes))
	for i, l := range labels {
		k, _ := slices.BinarySearch(classes, l)
		members[k] = append(members[k], i)
	}
	counts := make([]int, len(classes))
	for k, m := range members {
		counts[k] = len(m)
		if len(m) < 2 {
			return nil, errors.New("features: the least populated class has only 1 member; stratification needs at least 2 per class")
		}
	}
	if nTrain < len(classes) || nTest < len(classes) {
		return nil, fmt.Errorf("features: %d training and %d test rows cannot hold all %d classes", nTrain, nTest, len(classes))
	}
	trainCounts := approximateMode(counts, nTrain, r)
	remaining := make([]int, len(counts))
	for k := range counts {
		remaining[k] = counts[k] - trainCounts[k]
	}
	testCounts := approximateMode(remaining, nTest, r)
	for k, m := range members {
		perm := r.Perm(len(m))
		for p, q := range perm {
			switch {
			case p < trainCounts[k]:
				out[m[q]] = datasets.Train
			case p < trainCounts[k]+testCounts[k]:
				out[m[q]] = datasets.Test
			}
		}
	}
	return out, nil
}

// approximateMode is scikit-learn's _approximate_mode: nDraws split across
// classes in proportion to counts, floors first, then one more to the
// classes with the largest remainders, ties broken at random.
func approximateMode(counts []int, nDraws int, r *rand.Rand) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	continuous := make([]float64, len(counts))
	floored := make([]int, len(counts))
	need := nDraws
	for k, c := range counts {
		continuous[k] = float64(c) / float64(total) * float64(nDraws)
		floored[k] = int(math.Floor(continuous[k]))
		need -= floored[k]
	}
	if need <= 0 {
		return floored
	}
	remainder := make([]float64, len(counts))
	for k := range counts {
		remainder[k] = continuous[k] - float64(floored[k])
	}
	values := slices.Clone(remainder)
	slices.Sort(values)
	values = slices.Compact(values)
	slices.Reverse(values)
	for _, v := range values {
		var inds []int
		for k, rem := range remainder {
			if rem == v {
				inds = append(inds, k)
			}
		}
		add := min(len(inds), need)
		r.Shuffle(len(inds), func(i, j int) { inds[i], inds[j] = inds[j], inds[i] })
		for _, k := range inds[:add] {
			floored[k]++
		}
		need -= add
		if need == 0 {
			break
		}
	}
	return floored
}
