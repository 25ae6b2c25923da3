package features

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/segharness/harness/datasets"
)

// The split methods besides TrainTestSplit: by time, by group and into k
// folds. Each states its guarantee; the tests check it on hand-made
// tables.

// TimeSplit splits rows by their instants (nanoseconds since the epoch,
// times[i] for row i): the test side is the latest rows, the training
// side the earlier ones. The cut is at the instant T of the
// ceil(testFraction·n)-th latest row: every row at or after T is a test
// row (rows sharing T's instant all go to the test side, so the test side
// may hold a few more rows than asked), every row before T − gap a
// training row, and the rows in [T − gap, T) neither: dropped[i] marks
// them.
//
// Guarantee: every training row's instant is more than gap before every
// test row's (strictly before when gap is 0). It fails when a side would
// be empty, naming the instants.
func TimeSplit(times []int64, testFraction float64, gap time.Duration) (split []datasets.Split, dropped []bool, err error) {
	n := len(times)
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("features: test fraction %v outside (0, 1)", testFraction)
	}
	if gap < 0 {
		return nil, nil, fmt.Errorf("features: negative gap %v", gap)
	}
	nTest := int(math.Ceil(testFraction * float64(n)))
	if n-nTest <= 0 || nTest <= 0 {
		return nil, nil, fmt.Errorf("features: %d rows at test fraction %v leave %d for training and %d for testing", n, testFraction, n-nTest, nTest)
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	cut := sorted[n-nTest]
	// The training side ends before cut - gap, computed without overflow.
	end := cut - int64(gap)
	if int64(gap) > 0 && end > cut {
		end = math.MinInt64
	}
	split = make([]datasets.Split, n)
	dropped = make([]bool, n)
	train := 0
	for i, t := range times {
		switch {
		case t >= cut:
			split[i] = datasets.Test
		case t < end:
			split[i] = datasets.Train
			train++
		default:
			dropped[i] = true
		}
	}
	if train == 0 {
		first := time.Unix(0, sorted[0]).UTC().Format(time.RFC3339Nano)
		if gap > 0 {
			return nil, nil, fmt.Errorf("features: no training rows: the test side starts at %s and every earlier row is within the gap %v of it (the earliest is at %s)",
				time.Unix(0, cut).UTC().Format(time.RFC3339Nano), gap, first)
		}
		return nil, nil, fmt.Errorf("features: no training rows: the test side starts at %s, the earliest instant, which at least %d of the %d rows share", first, nTest, n)
	}
	return split, dropped, nil
}

// GroupSplit splits rows so that no group is on both sides: groups[i] is
// row i's group (any int code). Groups are taken in a random order and
// each goes whole to the side that brings the split closer to its aim:
// with nil labels, a test side of ceil(testFraction·n) rows; with labels
// (one class per row), each class's test share near testFraction, the
// sum over classes of (test share − testFraction)² being the distance,
// plus 1 for each class absent from a side, ties going to the side that brings the test side nearer
// ceil(testFraction·n) rows.
//
// Guarantee: every group's rows are on one side, and both sides hold
// rows; stratified, every class whose rows are in two groups or more is
// on both sides. The test share is as near testFraction as whole groups allow
// (one group of most of the rows makes it far); the caller reports it.
// It fails with fewer than two groups.
func GroupSplit(groups []int, labels []int, testFraction float64, r *rand.Rand) ([]datasets.Split, error) {
	n := len(groups)
	if !(testFraction > 0 && testFraction < 1) {
		return nil, fmt.Errorf("features: test fraction %v outside (0, 1)", testFraction)
	}
	if labels != nil && len(labels) != n {
		panic(fmt.Sprintf("features: %d labels for %d rows", len(labels), n))
	}
	members := map[int][]int{}
	var ids []int
	for i, g := range groups {
		if _, ok := members[g]; !ok {
			ids = append(ids, g)
		}
		members[g] = append(members[g], i)
	}
	if len(ids) < 2 {
		return nil, fmt.Errorf("features: %d rows in %d group: a group split needs at least two groups", n, len(ids))
	}
	slices.Sort(ids)
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })

	// Classes: the labels' codes, or one class of every row.
	class := func(i int) int { return 0 }
	nClasses := 1
	if labels != nil {
		codes := slices.Clone(labels)
		slices.Sort(codes)
		codes = slices.Compact(codes)
		nClasses = len(codes)
		class = func(i int) int { k, _ := slices.BinarySearch(codes, labels[i]); return k }
	}
	total := make([]float64, nClasses)
	for i := range n {
		total[class(i)]++
	}
	aim := make([]float64, nClasses)
	for c := range aim {
		aim[c] = testFraction * total[c]
	}
	if labels == nil {
		aim[0] = math.Ceil(testFraction * float64(n))
	}
	// distance is the squared distance of test counts to the aim, each
	// class scaled by its size, plus 1 for each class missing from a side
	// (a test side without a class cannot measure it).
	test := make([]float64, nClasses)
	count := make([]float64, nClasses)
	distance := func() float64 {
		var d float64
		for c := range test {
			e := (test[c] - aim[c]) / total[c]
			d += e * e
			if test[c] == 0 || test[c] == total[c] {
				d++
			}
		}
		return d
	}
	split := make([]datasets.Split, n)
	for i := range split {
		split[i] = datasets.Train
	}
	// Between two sides equally near the aim, the one nearer the test
	// side's size.
	totalAim := math.Ceil(testFraction * float64(n))
	nTest := 0
	for _, g := range ids {
		clear(count)
		for _, i := range members[g] {
			count[class(i)]++
		}
		stay, stayTotal := distance(), math.Abs(float64(nTest)-totalAim)
		for c := range test {
			test[c] += count[c]
		}
		move, moveTotal := distance(), math.Abs(float64(nTest+len(members[g]))-totalAim)
		if move < stay || move == stay && moveTotal < stayTotal {
			for _, i := range members[g] {
				split[i] = datasets.Test
			}
			nTest += len(members[g])
			continue
		}
		for c := range test {
			test[c] -= count[c]
		}
	}
	if nTest == 0 || nTest == n {
		// Only possible when one group holds more than the aim allows on
		// its own and every other group too: put the smallest group on
		// the empty side.
		small := slices.MinFunc(ids, func(a, b int) int { return cmp.Compare(len(members[a]), len(members[b])) })
		side := datasets.Test
		if nTest == n {
			side = datasets.Train
		}
		for _, i := range members[small] {
			split[i] = side
		}
	}
	return split, nil
}

// KFold deals n rows into k folds, returning each row's fold in [0, k):
// with labels, as scikit-learn's StratifiedKFold(shuffle=True) does in
// spirit: each class's rows are shuffled and dealt round-robin, the
// dealing continuing from fold to fold across classes, so that each
// class's count differs between folds by at most one and so do the fold
// sizes. With nil labels the rows are shuffled and dealt likewise.
//
// Guarantee: every row is in exactly one fold, so it is a test row in
// exactly one of the k trials and a training row in the others. It fails
// when a fold would be empty.
func KFold(n int, labels []int, k int, r *rand.Rand) ([]int, error) {
	if k < 2 {
		return nil, fmt.Errorf("features: %d folds, want at least 2", k)
	}
	if n < k {
		return nil, fmt.Errorf("features: %d rows cannot fill %d folds", n, k)
	}
	if labels != nil && len(labels) != n {
		panic(fmt.Sprintf("features: %d labels for %d rows", len(labels), n))
	}
	var classes [][]int
	if labels == nil {
		classes = [][]int{make([]int, n)}
		for i := range n {
			classes[0][i] = i
		}
	} else {
		codes := slices.Clone(labels)
		slices.Sort(codes)
		codes = slices.Compact(codes)
		classes = make([][]int, len(codes))
		for i, l := range labels {
			c, _ := slices.BinarySearch(codes, l)
			classes[c] = append(classes[c], i)
		}
	}
	fold := make([]int, n)
	next := 0
	for _, rows := range classes {
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for _, i := range rows {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	return fold, nil
}
