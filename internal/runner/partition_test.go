package runner

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/models"
)

// partitionCase is a trialData of n rows of d features whose row i holds
// i*d, i*d+1, ... (each row tells which flow it is), a random split and
// random labels with duplicate rows for the leakage counts.
func partitionCase(t *testing.T, n, d int, seed uint64) *trialData {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	x := &features.Matrix{Names: make([]string, d), N: n, D: d, Data: make([]float64, n*d)}
	td := &trialData{x: x, split: make([]datasets.Split, n), typeCodes: make([]int, n), isAnomaly: make([]bool, n)}
	for i := range n {
		src := i
		if i > 0 && r.IntN(4) == 0 {
			src = r.IntN(i) // a duplicate of an earlier row
		}
		for j := range d {
			x.Data[i*d+j] = float64(src*d + j)
		}
		td.split[i] = datasets.Train
		if r.IntN(3) == 0 {
			td.split[i] = datasets.Test
		}
		td.typeCodes[i] = r.IntN(3)
	}
	td.divide()
	return td
}

// TestPartition: the training and test rows are views of the partitioned
// matrix equal to what gathering them from the matrix in flow order gives,
// other row lists are gathered copies, a clusterer gets every row in flow
// order, and the leakage counts equal those of the matrix in flow order.
func TestPartition(t *testing.T) {
	for _, c := range []struct{ n, d int }{{0, 3}, {1, 2}, {2, 1}, {57, 4}, {1000, 3}} {
		for seed := range uint64(3) {
			td := partitionCase(t, c.n, c.d, seed)
			flow := slices.Clone(td.x.Data)
			gather := func(rows []int) []float64 {
				var out []float64
				for _, i := range rows {
					out = append(out, flow[i*c.d:(i+1)*c.d]...)
				}
				return out
			}
			test := make([]bool, c.n)
			for i, s := range td.split {
				test[i] = s == datasets.Test
			}
			want := eval.MeasureLeakage(flow, c.d, test, td.typeCodes)
			if got := td.modelData(models.Clusterer).X; c.n > 0 && &got[0] != &td.x.Data[0] {
				t.Errorf("n=%d: before partition a clusterer should see the matrix itself", c.n)
			}

			train, tst := td.part(td.train), td.part(td.test)
			if !td.parted {
				t.Fatal("part did not partition")
			}
			if !slices.Equal(train.x, gather(td.train)) || !slices.Equal(tst.x, gather(td.test)) {
				t.Fatalf("n=%d seed=%d: the parts differ from the gathered rows", c.n, seed)
			}
			if len(train.x) > 0 && &train.x[0] != &td.x.Data[0] {
				t.Errorf("n=%d: the training part is a copy", c.n)
			}
			if cap(train.x) != len(train.x) {
				t.Errorf("n=%d: the training part's capacity %d reaches into the test rows", c.n, cap(train.x))
			}
			some := []int{}
			for i := range c.n {
				if i%3 != 1 {
					some = append(some, i)
				}
			}
			if got := td.part(some).x; !slices.Equal(got, gather(some)) {
				t.Errorf("n=%d seed=%d: rows %v gathered wrong", c.n, seed, some)
			}
			if got := td.modelData(models.Clusterer).X; !slices.Equal(got, flow) {
				t.Errorf("n=%d seed=%d: a clusterer's rows are not in flow order", c.n, seed)
			}
			if got := td.modelData(models.Detector).X; got != nil {
				t.Errorf("a detector's Data.X = %d values, want nil", len(got))
			}
			var got eval.Leakage
			for _, f := range leakage(td) {
				switch f.Metric {
				case "train_duplicates":
					got.TrainDuplicates = int(f.Value)
				case "test_duplicates":
					got.TestDuplicates = int(f.Value)
				case "cross_split_duplicates":
					got.CrossDuplicates = int(f.Value)
				case "conflicting_vectors":
					got.ConflictingVectors = int(f.Value)
				}
			}
			if got.TrainDuplicates != want.TrainDuplicates || got.TestDuplicates != want.TestDuplicates ||
				got.CrossDuplicates != want.CrossDuplicates || got.ConflictingVectors != want.ConflictingVectors {
				t.Errorf("n=%d seed=%d: leakage %+v on the partitioned matrix, %+v in flow order", c.n, seed, got, want)
			}
		}
	}
}
