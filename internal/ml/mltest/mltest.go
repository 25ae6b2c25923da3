// Package mltest builds the data the model packages are tested and
// benchmarked on: the notebook's 20 scaled features, from the notebook
// generator or from the case study's own 10,000 flows (../shared/parity).
// It is imported by tests only; the models themselves import nothing of the
// project.
package mltest

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

// Data is a scaled feature matrix with its labels and a stratified split.
type Data struct {
	X     []float64 // row-major, N rows of D columns (StandardScaler on all rows, as the notebook)
	N, D  int
	Names []string // column names, the notebook's 20 features in its order

	IsAnomaly   []int    // 1 for an anomaly, else 0
	AnomalyType []int    // index into TypeNames (sorted, as LabelEncoder: crypto_mining, lateral_movement, normal)
	TypeNames   []string // classes of AnomalyType

	Train, Test []int // stratified on IsAnomaly, 70/30
}

// Rows returns the rows of X listed in idx, row-major, and the matching labels.
func (d *Data) Rows(idx []int, labels []int) (x []float64, y []int) {
	x = make([]float64, 0, len(idx)*d.D)
	y = make([]int, 0, len(idx))
	for _, i := range idx {
		x = append(x, d.X[i*d.D:(i+1)*d.D]...)
		if labels != nil {
			y = append(y, labels[i])
		}
	}
	return x, y
}

// Notebook generates n flows with the notebook generator (5% anomalies,
// 60/40 crypto mining/lateral movement) from seed and prepares them.
func Notebook(tb testing.TB, n int, seed uint64) *Data {
	tb.Helper()
	return NotebookDifficulty(tb, n, seed, 0)
}

// NotebookDifficulty is Notebook with the generator's difficulty in
// [0, 1] (synth.Config.Difficulty): anomalies whose values move toward
// normal traffic, so that a detector's AUC falls below 1.
func NotebookDifficulty(tb testing.TB, n int, seed uint64, difficulty float64) *Data {
	tb.Helper()
	f, err := synth.Generate(synth.Config{
		Generator:   synth.GeneratorNotebook,
		Flows:       n,
		AnomalyRate: 0.05,
		AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
		Difficulty:  difficulty,
		Workers:     1,
	}, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return prepare(tb, f, seed)
}

// ParityPath is the case study's own 10,000 flows, relative to this package.
func ParityPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "parity", "notebook-flows-10k.csv.gz")
}

// Parity loads the case study's own flows (see ../shared/parity/README.md)
// and prepares them, splitting with splitSeed.
func Parity(tb testing.TB, splitSeed uint64) *Data {
	tb.Helper()
	f, err := datasets.Load(ParityPath(), "csv")
	if err != nil {
		tb.Fatal(err)
	}
	return prepare(tb, f, splitSeed)
}

func prepare(tb testing.TB, f *flow.Table, seed uint64) *Data {
	tb.Helper()
	e := features.Engineer(f)
	p, err := features.Fit(f, e, []string{"notebook"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := p.Transform(f, e)
	if err != nil {
		tb.Fatal(err)
	}
	d := &Data{X: m.Data, N: m.N, D: m.D, Names: m.Names}
	d.IsAnomaly = make([]int, m.N)
	for i, a := range f.IsAnomaly {
		if a {
			d.IsAnomaly[i] = 1
		}
	}
	enc := features.FitLabelEncoder(&f.AnomalyType, nil)
	d.TypeNames = enc.Classes
	d.AnomalyType = make([]int, m.N)
	for i := range d.AnomalyType {
		c, err := enc.Encode(f.AnomalyType.Value(i))
		if err != nil {
			tb.Fatal(err)
		}
		d.AnomalyType[i] = c
	}
	split, err := features.TrainTestSplit(m.N, d.IsAnomaly, 0.3, rand.New(rand.NewPCG(seed, 0x5eed)))
	if err != nil {
		tb.Fatal(err)
	}
	for i, s := range split {
		if s == datasets.Train {
			d.Train = append(d.Train, i)
		} else {
			d.Test = append(d.Test, i)
		}
	}
	return d
}

// WriteCSV writes x, rows of d values, to path as CSV with every value
// exact ('g', -1): the matrices the reference scripts under
// scripts/reference read back.
func WriteCSV(t testing.TB, path string, x []float64, d int) {
	t.Helper()
	var b strings.Builder
	for i, v := range x {
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		if (i+1)%d == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(',')
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

var notebookCache struct {
	sync.Mutex
	bySize map[int]*Data
}

// NotebookCached is Notebook(tb, n, 42), generated once per size and
// process: the benchmarks' data. The caller must not modify it.
func NotebookCached(tb testing.TB, n int) *Data {
	tb.Helper()
	notebookCache.Lock()
	defer notebookCache.Unlock()
	if d, ok := notebookCache.bySize[n]; ok {
		return d
	}
	if notebookCache.bySize == nil {
		notebookCache.bySize = map[int]*Data{}
	}
	d := Notebook(tb, n, 42)
	notebookCache.bySize[n] = d
	return d
}
