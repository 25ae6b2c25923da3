package mltest

import (
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/segharness/harness/datasets/tabular"
)

// KDD is NSL-KDD as the models see it in benchmarks and parity checks:
// KDDTrain+ to fit, KDDTest+ to test, each row the 38 numeric columns
// as read followed by the 3 categorical ones (protocol_type, service,
// flag) as codes, 41 features, unscaled (trees do not need scaling).
// A category's code is its index among the training table's sorted
// levels; a test category the training table lacks gets the next code
// up, the same for every such value.
type KDD struct {
	D     int
	Names []string

	TrainX []float64 // row-major, len(TrainY) rows of D columns
	TrainY []int     // 1 for an attack, else 0
	TrainC []int     // attack category: index into Categories
	TestX  []float64
	TestY  []int
	TestC  []int

	Categories []string // the attack categories, sorted (tabspec.NormalCategory among them)
}

var (
	kddOnce sync.Once
	kdd     *KDD
	kddErr  error
)

// NSLKDDDir is ../shared/datasets/nsl-kdd, relative to this package.
func NSLKDDDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "datasets", "nsl-kdd")
}

// NSLKDD reads KDDTrain+ and KDDTest+ (once per process; about a second)
// into a KDD. The caller must not modify it.
func NSLKDD(tb testing.TB) *KDD {
	tb.Helper()
	kddOnce.Do(func() { kdd, kddErr = readKDD() })
	if kddErr != nil {
		tb.Fatal(kddErr)
	}
	return kdd
}

func readKDD() (*KDD, error) {
	dir := NSLKDDDir()
	train, _, err := tabular.Read(tabular.NSLKDD(dir, tabular.KDDTrain))
	if err != nil {
		return nil, err
	}
	test, _, err := tabular.Read(tabular.NSLKDD(dir, tabular.KDDTest))
	if err != nil {
		return nil, err
	}
	k := &KDD{Categories: train.Category.Levels}
	k.Names = append(append(k.Names, train.NumericNames...), train.CategoricalNames...)
	k.D = len(k.Names)
	k.TrainX, k.TrainY, k.TrainC = kddMatrix(train, train, k.D)
	k.TestX, k.TestY, k.TestC = kddMatrix(test, train, k.D)
	return k, nil
}

// kddMatrix lays t out as rows of d features, its categories coded by
// ref's levels.
func kddMatrix(t, ref *tabular.Table, d int) (x []float64, y, c []int) {
	x = make([]float64, t.Rows*d)
	y = make([]int, t.Rows)
	c = make([]int, t.Rows)
	for j, col := range t.Numeric {
		for i, v := range col {
			x[i*d+j] = v
		}
	}
	p := len(t.Numeric)
	for j := range t.Categorical {
		col, rc := &t.Categorical[j], &ref.Categorical[j]
		code := make([]float64, len(col.Levels))
		for l, s := range col.Levels {
			if r, ok := rc.Code(s); ok {
				code[l] = float64(r)
			} else {
				code[l] = float64(len(rc.Levels))
			}
		}
		for i, cc := range col.Codes {
			x[i*d+p+j] = code[cc]
		}
	}
	for i := range y {
		if t.Anomaly[i] {
			y[i] = 1
		}
		cat, _ := ref.Category.Code(t.Category.Value(i))
		c[i] = int(cat)
	}
	return x, y, c
}
