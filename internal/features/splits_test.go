package features

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/seed"
)

const (
	tr = datasets.Train
	te = datasets.Test
)

// minutes returns instants m minutes after an arbitrary epoch.
func minutes(m ...int) []int64 {
	out := make([]int64, len(m))
	for i, v := range m {
		out[i] = int64(v) * int64(time.Minute)
	}
	return out
}

// TestTimeSplit checks the cut on hand-made instants: the expected sides
// are worked out in each case's comment from the rule (test = rows at or
// after the ceil(f·n)-th latest instant; train = rows more than gap
// before it).
func TestTimeSplit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		times      []int64
		fraction   float64
		gap        time.Duration
		want       []datasets.Split
		wantDrop   []int
		wantErrHas string
	}{
		// 10 rows, out of order, f 0.3: the 3 latest (minutes 7, 8, 9)
		// are the test side.
		{name: "plain", times: minutes(3, 9, 0, 7, 1, 8, 2, 6, 4, 5), fraction: 0.3,
			want: []datasets.Split{tr, te, tr, te, tr, te, tr, tr, tr, tr}},
		// The cut instant (minute 7) is shared by three rows: all go to
		// the test side, which holds 4 rows where ceil(0.3·10) = 3 were
		// asked.
		{name: "ties at the cut", times: minutes(1, 7, 7, 9, 2, 7, 3, 4, 5, 6), fraction: 0.3,
			want: []datasets.Split{tr, te, te, te, tr, te, tr, tr, tr, tr}},
		// Gap 2 minutes before the cut at minute 7: minutes 5 and 6 (in
		// [5, 7)) are dropped; minute 4 is more than 2 minutes before.
		{name: "gap", times: minutes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), fraction: 0.3, gap: 2 * time.Minute,
			want: []datasets.Split{tr, tr, tr, tr, tr, tr, tr, te, te, te}, wantDrop: []int{5, 6}},
		// Every row at one instant: no training row can be before it.
		{name: "one instant", times: minutes(5, 5, 5, 5), fraction: 0.5, wantErrHas: "no training rows"},
		// The gap swallows every earlier row.
		{name: "gap too wide", times: minutes(0, 1, 2, 3), fraction: 0.5, gap: time.Hour, wantErrHas: "within the gap"},
		{name: "negative gap", times: minutes(0, 1), fraction: 0.5, gap: -time.Minute, wantErrHas: "negative gap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			split, dropped, err := TimeSplit(tc.times, tc.fraction, tc.gap)
			if tc.wantErrHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrHas) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErrHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var drop []int
			for i, d := range dropped {
				if d {
					drop = append(drop, i)
				}
			}
			if diff := cmp.Diff(tc.wantDrop, drop); diff != "" {
				t.Errorf("dropped rows (-want +got):\n%s", diff)
			}
			for i := range split {
				if !dropped[i] && split[i] != tc.want[i] {
					t.Errorf("row %d at %v: side %v, want %v", i, time.Duration(tc.times[i]), split[i], tc.want[i])
				}
			}
			// The guarantee, checked directly: every training instant is
			// more than the gap before every test instant.
			for i := range split {
				for j := range split {
					if !dropped[i] && !dropped[j] && split[i] == tr && split[j] == te && !(tc.times[i] < tc.times[j]-int64(tc.gap)) {
						t.Errorf("training row %d at %v is not more than %v before test row %d at %v", i, tc.times[i], tc.gap, j, tc.times[j])
					}
				}
			}
		})
	}
}

// TestGroupSplit checks that no group is on both sides, on hand-made
// hosts, for several seeds, with and without stratification; and that the
// test share lands near the aim when groups are small.
func TestGroupSplit(t *testing.T) {
	// 40 hosts of 5 rows each; host h's rows are attacks when h%4 == 0.
	var groups, labels []int
	for h := range 40 {
		for range 5 {
			groups = append(groups, 100+h)
			labels = append(labels, map[bool]int{true: 1, false: 0}[h%4 == 0])
		}
	}
	for _, stratified := range []bool{false, true} {
		for s := range uint64(5) {
			var l []int
			if stratified {
				l = labels
			}
			split, err := GroupSplit(groups, l, 0.3, seed.New(s))
			if err != nil {
				t.Fatal(err)
			}
			side := map[int]datasets.Split{}
			var nTest, attacks, testAttacks int
			for i, g := range groups {
				if prev, ok := side[g]; ok && prev != split[i] {
					t.Fatalf("seed %d: host %d on both sides", s, g)
				}
				side[g] = split[i]
				if split[i] == te {
					nTest++
				}
				if labels[i] == 1 {
					attacks++
					if split[i] == te {
						testAttacks++
					}
				}
			}
			// Whole hosts of 5 rows: the aim of 60 test rows is reachable
			// exactly (12 hosts).
			if nTest != 60 {
				t.Errorf("stratified %v seed %d: %d test rows, want 60", stratified, s, nTest)
			}
			// Stratified, the 10 attack hosts split 3 to the test side
			// (share 0.3 exactly); 2 would be 0.2, 4 would be 0.4.
			if stratified && testAttacks != 15 {
				t.Errorf("seed %d: %d of %d attack rows in the test side, want 15", s, testAttacks, attacks)
			}
		}
	}
	if _, err := GroupSplit([]int{7, 7, 7}, nil, 0.3, seed.New(1)); err == nil || !strings.Contains(err.Error(), "at least two groups") {
		t.Errorf("one group: error %v", err)
	}
	// One host holding most rows: both sides still hold rows.
	split, err := GroupSplit([]int{1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, nil, 0.9, seed.New(1))
	if err != nil {
		t.Fatal(err)
	}
	sides := map[datasets.Split]int{}
	for _, s := range split {
		sides[s]++
	}
	if sides[tr] == 0 || sides[te] == 0 {
		t.Errorf("sides %v: one is empty", sides)
	}
}

// TestKFold checks that every row is in one fold, that class counts per
// fold differ by at most one, and that fold sizes do too.
func TestKFold(t *testing.T) {
	// 23 rows: 17 of class 0, 6 of class 1, into 5 folds.
	labels := make([]int, 23)
	for i := range 6 {
		labels[i*3] = 1
	}
	for _, l := range [][]int{nil, labels} {
		fold, err := KFold(23, l, 5, seed.New(3))
		if err != nil {
			t.Fatal(err)
		}
		size := make([]int, 5)
		perClass := [2][]int{make([]int, 5), make([]int, 5)}
		for i, f := range fold {
			if f < 0 || f >= 5 {
				t.Fatalf("row %d in fold %d", i, f)
			}
			size[f]++
			perClass[labels[i]][f]++
		}
		spread := func(c []int) int { return maxOf(c) - minOf(c) }
		if spread(size) > 1 {
			t.Errorf("fold sizes %v differ by more than one", size)
		}
		if l != nil && (spread(perClass[0]) > 1 || spread(perClass[1]) > 1) {
			t.Errorf("class counts per fold %v differ by more than one", perClass)
		}
	}
	if _, err := KFold(3, nil, 5, seed.New(1)); err == nil {
		t.Error("3 rows in 5 folds: no error")
	}
	if _, err := KFold(3, nil, 1, seed.New(1)); err == nil {
		t.Error("1 fold: no error")
	}
}

func maxOf(v []int) int {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func minOf(v []int) int {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}
