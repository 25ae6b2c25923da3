package tabular

import (
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nslKDDDir is the shared NSL-KDD data, relative to this package's
// directory (the repository's ../shared).
const nslKDDDir = "../../../shared/datasets/nsl-kdd"

func needNSLKDD(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(nslKDDDir); err != nil {
		tb.Skipf("no NSL-KDD data: %v", err)
	}
}

func TestNSLKDDSpec(t *testing.T) {
	s := NSLKDD("dir", KDDTrain)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if len(s.Columns) != 43 || len(s.Numeric) != 38 || len(s.Categorical) != 3 {
		t.Errorf("%d columns, %d numeric, %d categorical; want 43, 38, 3", len(s.Columns), len(s.Numeric), len(s.Categorical))
	}
	n := 0
	for _, v := range s.Categories {
		n += len(v)
	}
	if n != 39 {
		t.Errorf("%d attack names, want the 39 of NSL-KDD", n)
	}
	if none := NSLKDD("dir"); none.Check() == nil {
		t.Error("a spec without files passes Check")
	}
}

// TestNSLKDD reads each NSL-KDD file and checks its counts against the
// data's README (rows, normal/attack) and the literature (the split of
// the attacks into categories).
func TestNSLKDD(t *testing.T) {
	needNSLKDD(t)
	type counts struct {
		Rows, Normal, Attack int
		Categories           map[string]int
		Levels               map[string]int // categorical column -> distinct values
	}
	want := map[string]counts{
		KDDTrain: {125973, 67343, 58630,
			map[string]int{"dos": 45927, "normal": 67343, "probe": 11656, "r2l": 995, "u2r": 52},
			map[string]int{"protocol_type": 3, "service": 70, "flag": 11}},
		KDDTest: {22544, 9711, 12833,
			map[string]int{"dos": 7458, "normal": 9711, "probe": 2421, "r2l": 2754, "u2r": 200},
			map[string]int{"protocol_type": 3, "service": 64, "flag": 11}},
		KDDTrain20: {25192, 13449, 11743,
			map[string]int{"dos": 9234, "normal": 13449, "probe": 2289, "r2l": 209, "u2r": 11},
			map[string]int{"protocol_type": 3, "service": 66, "flag": 11}},
		KDDTest21: {11850, 2152, 9698,
			map[string]int{"dos": 4342, "normal": 2152, "probe": 2402, "r2l": 2754, "u2r": 200},
			map[string]int{"protocol_type": 3, "service": 62, "flag": 11}},
	}
	labels := map[string][]string{}
	for _, file := range []string{KDDTrain, KDDTest, KDDTrain20, KDDTest21} {
		t.Run(file, func(t *testing.T) {
			tab, rep, err := Read(NSLKDD(nslKDDDir, file))
			if err != nil {
				t.Fatal(err)
			}
			got := counts{Rows: tab.Rows, Categories: map[string]int{}, Levels: map[string]int{}}
			for _, a := range tab.Anomaly {
				if a {
					got.Attack++
				} else {
					got.Normal++
				}
			}
			for i, n := range tab.Category.Counts() {
				got.Categories[tab.Category.Levels[i]] = n
			}
			for j, name := range tab.CategoricalNames {
				got.Levels[name] = len(tab.Categorical[j].Levels)
			}
			if diff := cmp.Diff(want[file], got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if rep.Rows != tab.Rows || len(rep.Dropped) != 0 || len(rep.Imputed) != 0 {
				t.Errorf("report %v", rep)
			}
			labels[file] = tab.Label.Levels
		})
	}

	// The README: KDDTest+ holds 17 attack types that never occur in
	// KDDTrain+.
	if labels[KDDTrain] == nil || labels[KDDTest] == nil {
		t.Fatal("KDDTrain+ or KDDTest+ not read")
	}
	var unseen []string
	for _, l := range labels[KDDTest] {
		if !slices.Contains(labels[KDDTrain], l) {
			unseen = append(unseen, l)
		}
	}
	t.Logf("%d attack types in KDDTest+ but not KDDTrain+: %v", len(unseen), unseen)
	if len(unseen) != 17 {
		t.Errorf("%d attack types only in KDDTest+, want 17: %v", len(unseen), unseen)
	}
}

// TestNSLKDDTogether reads the training and test files as one table: 70
// services in all, and each row knows its file.
func TestNSLKDDTogether(t *testing.T) {
	needNSLKDD(t)
	if testing.Short() {
		t.Skip("reads 148,517 rows; TestNSLKDD reads each file")
	}
	tab, rep, err := Read(NSLKDD(nslKDDDir, KDDTrain, KDDTest))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 125973+22544 {
		t.Errorf("%d rows, want %d", tab.Rows, 125973+22544)
	}
	if n := len(tab.CategoricalColumn("service").Levels); n != 70 {
		t.Errorf("%d services, want 70", n)
	}
	last := tab.Rows - 1
	if s := tab.Source[last]; s.File != 1 || s.Line != 22544 {
		t.Errorf("last row from %+v, want file 1 line 22544", s)
	}
	if len(rep.Files) != 2 || rep.Files[1].Kept != 22544 {
		t.Errorf("report %v", rep)
	}
}

// BenchmarkReadKDDTrain reads KDDTrain+.txt.gz (125,973 rows of 43 fields)
// with the NSL-KDD mapping.
func BenchmarkReadKDDTrain(b *testing.B) {
	needNSLKDD(b)
	spec := NSLKDD(nslKDDDir, KDDTrain)
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		tab, _, err := Read(spec)
		if err != nil {
			b.Fatal(err)
		}
		rows += tab.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
