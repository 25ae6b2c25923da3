package gbdt

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// toy is n rows of d features where class 1 is x0 + x1 > 0 with 10% of
// labels flipped; with three classes, class 2 is x2 > 1.
func toy(n, d, classes int, seed uint64) ([]float64, []int) {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n*d)
	y := make([]int, n)
	for i := range y {
		for f := 0; f < d; f++ {
			x[i*d+f] = math.Round(r.NormFloat64()*100) / 100
		}
		if x[i*d]+x[i*d+1] > 0 {
			y[i] = 1
		}
		if r.Float64() < 0.1 {
			y[i] = 1 - y[i]
		}
		if classes > 2 && x[i*d+2] > 1 {
			y[i] = 2
		}
	}
	return x, y
}

var (
	smallOnce  sync.Once
	smallModel *Model
)

// small is a binary model on 2,000 toy rows, with early stopping.
func small(t testing.TB) *Model {
	smallOnce.Do(func() {
		x, y := toy(2000, 4, 2, 1)
		cfg := DefaultConfig()
		cfg.EarlyStopping = "true"
		cfg.MaxIter = 30
		m, err := Fit(x, 4, y, 2, cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			panic(err)
		}
		smallModel = m
	})
	return smallModel
}

func TestFitChecks(t *testing.T) {
	x, y := toy(100, 3, 2, 1)
	r := rand.New(rand.NewPCG(1, 1))
	bad := func(mut func(c *Config)) Config { c := DefaultConfig(); mut(&c); return c }
	for _, c := range []struct {
		name    string
		x       []float64
		d       int
		y       []int
		classes int
		cfg     Config
		r       *rand.Rand
		want    string
	}{
		{"d", x, 0, y, 2, DefaultConfig(), r, "0 features"},
		{"rows", nil, 3, nil, 2, DefaultConfig(), r, "no rows"},
		{"len", x[:10], 3, y, 2, DefaultConfig(), r, "10 values for 100 rows"},
		{"classes", x, 3, y, 1, DefaultConfig(), r, "1 classes"},
		{"label", x, 3, append([]int{5}, y[1:]...), 2, DefaultConfig(), r, "y[0] = 5"},
		{"one class", x, 3, make([]int, 100), 2, DefaultConfig(), r, "fewer than two classes"},
		{"nan", append([]float64{math.NaN()}, x[1:]...), 3, y, 2, DefaultConfig(), r, "x[0][0] = NaN"},
		{"rand", x, 3, y, 2, DefaultConfig(), nil, "nil random"},
		{"lr", x, 3, y, 2, bad(func(c *Config) { c.LearningRate = 0 }), r, "learning rate"},
		{"bins", x, 3, y, 2, bad(func(c *Config) { c.MaxBins = 256 }), r, "max_bins 256"},
		{"leaves", x, 3, y, 2, bad(func(c *Config) { c.MaxLeafNodes = 1 }), r, "max_leaf_nodes"},
		{"es", x, 3, y, 2, bad(func(c *Config) { c.EarlyStopping = "yes" }), r, "early_stopping"},
		{"vf", x, 3, y, 2, bad(func(c *Config) { c.ValidationFraction = 1 }), r, "validation_fraction"},
		{"cw", x, 3, y, 2, bad(func(c *Config) { c.ClassWeight = "auto" }), r, "class_weight"},
		{"threads", x, 3, y, 2, bad(func(c *Config) { c.SklearnThreads = -1 }), r, "scikit-learn threads -1"},
		{"threads max", x, 3, y, 2, bad(func(c *Config) { c.SklearnThreads = maxSklearnThreads + 1 }), r, "scikit-learn threads 1025"},
		{"single row class", x, 3, append([]int{2}, y[1:]...), 3, bad(func(c *Config) { c.EarlyStopping = "true" }), r, "single row"},
	} {
		_, err := Fit(c.x, c.d, c.y, c.classes, c.cfg, c.r)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "gbdt: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestRootSums: the root's sums are sum_parallel's (utils.pyx), the
// threads' static chunks each summed in order, then added in thread order.
// With 2^60 and 1 (float32 values, exact in float64), 2^60 + 1 rounds to
// 2^60, so each grouping gives its own sum, worked out by hand below.
// TestRootSumsParity checks the same against scikit-learn's function.
func TestRootSums(t *testing.T) {
	const big = 1 << 60
	gp := func(v ...float32) []gpair {
		out := make([]gpair, len(v))
		for i, x := range v {
			out[i] = gpair{x, -x} // the hessians summed as the gradients
		}
		return out
	}
	for _, c := range []struct {
		name    string
		gp      []gpair
		threads int
		want    float64
	}{
		// one chunk: ((big + 1) - big) + 1 = (big - big) + 1
		{"one thread", gp(big, 1, -big, 1), 1, 1},
		// chunks {big, 1}, {-big, 1}: big + (-big) = 0
		{"two threads", gp(big, 1, -big, 1), 2, 0},
		// an odd count: the first chunk one row longer, {1, big, -big},
		// {1, 1}: 0 + 2 (chunks {1, big}, {-big, 1, 1} would give 0)
		{"two threads, odd", gp(1, big, -big, 1, 1), 2, 2},
		// chunks {big, 1}, {-big}, {1}: (big + -big) + 1
		{"three threads", gp(big, 1, -big, 1), 3, 1},
		// more threads than rows: a row a chunk (the order of one thread),
		// the others empty
		{"eight threads", gp(big, 1, -big, 1), 8, 1},
		{"no rows", nil, 2, 0},
	} {
		g, h := rootSums(c.gp, c.threads)
		if g != c.want || h != -c.want {
			t.Errorf("%s: sums %v, %v, want %v, %v", c.name, g, h, c.want, -c.want)
		}
	}
}

// TestSklearnThreads: SklearnThreads 0 is 2, and 1 grows another model
// when the root's sums round differently, as they do for the toy's three
// classes at learning rate 1 (their probabilities soon span decades).
func TestSklearnThreads(t *testing.T) {
	x, y := toy(3000, 5, 3, 2)
	fit := func(threads int) []byte {
		cfg := DefaultConfig()
		cfg.MaxIter = 20
		cfg.LearningRate = 1
		cfg.EarlyStopping = "false"
		cfg.SklearnThreads = threads
		return fitBytes(t, x, 5, y, 3, cfg)
	}
	zero, one, two := fit(0), fit(1), fit(2)
	if !bytes.Equal(zero, two) {
		t.Error("SklearnThreads 0 and 2 grow different models")
	}
	if bytes.Equal(one, two) {
		t.Error("SklearnThreads 1 and 2 grow the same model")
	}
}

// fitBytes fits a model of x (d features) and y (classes) with cfg and
// PCG(3, 3), and returns its encoding.
func fitBytes(t *testing.T, x []float64, d int, y []int, classes int, cfg Config) []byte {
	t.Helper()
	m, err := Fit(x, d, y, classes, cfg, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWorkers: the model is the same for any number of workers.
func TestWorkers(t *testing.T) {
	x, y := toy(3000, 5, 3, 2)
	var first []byte
	for _, w := range []int{1, 2, 3, 8} {
		cfg := DefaultConfig()
		cfg.MaxIter = 20
		cfg.EarlyStopping = "true"
		cfg.ClassWeight = "balanced"
		cfg.Workers = w
		b := fitBytes(t, x, 5, y, 3, cfg)
		if first == nil {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Fatalf("%d workers grow another model", w)
		}
	}
}

// TestEarlyStopping: the kept iterations follow the validation scores by
// _should_stop.
func TestEarlyStopping(t *testing.T) {
	m := small(t)
	s := m.ValidationScores
	if len(s) != m.Iterations()+1 {
		t.Fatalf("%d scores for %d iterations", len(s), m.Iterations())
	}
	for i := 1; i < len(s)-1; i++ {
		if shouldStop(s[:i+1], 10, 1e-7) {
			t.Fatalf("should have stopped after %d iterations", i)
		}
	}
	if m.Iterations() < 30 && !shouldStop(s, 10, 1e-7) {
		t.Fatalf("stopped after %d iterations without cause", m.Iterations())
	}
	t.Logf("%d iterations", m.Iterations())
	if m.Iterations() == 30 {
		t.Error("toy data with 10% label noise should stop early")
	}
}

func TestShouldStop(t *testing.T) {
	for _, c := range []struct {
		s    []float64
		want bool
	}{
		{[]float64{1, 2}, false},
		{[]float64{1, 1, 1}, true},               // n=2: neither of the last two beats the first
		{[]float64{1, 1, 1 + 2e-7}, false},       // beats by more than tol
		{[]float64{1, 1 + 5e-8, 1 + 1e-7}, true}, // by tol at most
	} {
		if got := shouldStop(c.s, 2, 1e-7); got != c.want {
			t.Errorf("shouldStop(%v) = %v", c.s, got)
		}
	}
}

// TestThresholds checks hand-computed thresholds: midpoints of few
// distinct values, numpy's midpoint percentiles of many.
func TestThresholds(t *testing.T) {
	got := findThresholds([]float64{3, 1, 2, 2, math.NaN(), 1}, 255, nil)
	if want := []float64{1.5, 2.5}; !equal(got, want) {
		t.Errorf("midpoints %v, want %v", got, want)
	}
	// scikit-learn's _find_binning_thresholds(np.arange(10.0), 3) and
	// (np.arange(10.0)**2, 4)
	col := []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	got = findThresholds(col, 3, nil)
	if want := []float64{3.5, 6.5}; !equal(got, want) {
		t.Errorf("percentiles %v, want %v", got, want)
	}
	for i := range col {
		col[i] = float64(i * i)
	}
	if got, want := findThresholds(col, 4, nil), []float64{6.5, 20.5, 42.5}; !equal(got, want) {
		t.Errorf("percentiles %v, want %v", got, want)
	}
	if b := binIndex(2.5, []float64{2.5, 6}, 3); b != 0 {
		t.Errorf("2.5 in bin %d", b)
	}
	if b := binIndex(math.NaN(), []float64{2.5, 6}, 3); b != 3 {
		t.Errorf("NaN in bin %d", b)
	}
	if b := binIndex(7, []float64{2.5, 6}, 3); b != 2 {
		t.Errorf("7 in bin %d", b)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMissing: without missing values in training, NaN follows the
// larger child of each split (scikit-learn's missing_go_to_left); and
// PredictProba does not allocate.
func TestMissing(t *testing.T) {
	x, y := toy(2000, 4, 2, 1)
	cfg := DefaultConfig()
	cfg.MaxIter = 5
	cfg.EarlyStopping = "false"
	m, err := Fit(x, 4, y, 2, cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// each split's children's row counts, from the training rows
	left := 0
	for ti := range m.trees {
		nodes := m.trees[ti].nodes
		count := make([]int, len(nodes))
		for i := 0; i < 2000; i++ {
			j := int32(0)
			for {
				count[j]++
				nd := &nodes[j]
				if nd.feature < 0 {
					break
				}
				if x[i*4+int(nd.feature)] <= nd.threshold {
					j = nd.left
				} else {
					j = nd.right
				}
			}
		}
		for j, nd := range nodes {
			if nd.feature < 0 {
				continue
			}
			if want := count[nd.left] > count[nd.right]; nd.missingLeft != want {
				t.Fatalf("tree %d node %d: missing left %v, children of %d and %d rows", ti, j, nd.missingLeft, count[nd.left], count[nd.right])
			}
			if nd.missingLeft {
				left++
			}
		}
	}
	if left == 0 {
		t.Error("no split sends missing values left")
	}
	row := []float64{math.NaN(), math.NaN(), 0, 0}
	p := make([]float64, 2)
	m.PredictProba(row, p)
	if math.Abs(p[0]+p[1]-1) > 1e-15 {
		t.Errorf("probabilities %v", p)
	}
	if a := testing.AllocsPerRun(100, func() { m.PredictProba(row, p) }); a != 0 {
		t.Errorf("PredictProba allocates %v times", a)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	x, y := toy(1500, 4, 3, 5)
	cfg := DefaultConfig()
	cfg.MaxIter = 10
	m, err := Fit(x, 4, y, 3, cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Model{m, small(t)} {
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d Model
		if err := d.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		b2, _ := d.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Fatal("re-encoding differs")
		}
		xt, _ := toy(200, 4, 3, 9)
		if p, q := m.PredictProbaAll(xt, 2), d.PredictProbaAll(xt, 1); !equal(p, q) {
			t.Fatal("a decoded model predicts otherwise")
		}
		if d.Iterations() != m.Iterations() || d.Features() != 4 || d.Classes() != m.Classes() {
			t.Fatal("decoded sizes differ")
		}
		// every truncation and every flipped byte is an error
		for i := 0; i < len(b); i += 1 + len(b)/300 {
			if err := new(Model).UnmarshalBinary(b[:i]); err == nil {
				t.Fatalf("truncated at %d: no error", i)
			}
			c := bytes.Clone(b)
			c[i] ^= 0x40
			if err := new(Model).UnmarshalBinary(c); err == nil {
				t.Fatalf("byte %d flipped: no error", i)
			}
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	b, err := small(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:headerSize+trailer])
	f.Add([]byte{})
	f.Add([]byte(formatMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(data []byte) {
			var m Model
			if err := m.UnmarshalBinary(data); err != nil {
				if !strings.HasPrefix(err.Error(), "gbdt: ") {
					t.Fatalf("error %q without the package prefix", err)
				}
				return
			}
			enc, err := m.MarshalBinary()
			if err != nil || !bytes.Equal(enc, data) {
				t.Fatalf("a decoded model does not encode to its bytes: %v", err)
			}
			if m.Features() > 1<<10 {
				return
			}
			row := make([]float64, m.Features())
			out := make([]float64, m.Classes())
			m.PredictProba(row, out)
		}
		check(data)
		if len(data) >= headerSize+trailer { // the same bytes with a valid length and sum
			c := bytes.Clone(data[:len(data)-trailer])
			copy(c[len(formatMagic)+4:], le64(uint64(len(data))))
			s := sha256Sum(c)
			check(append(c, s...))
		}
	})
}

// TestKDDSmoke fits the default model (early stopping on) on NSL-KDD and
// checks it detects attacks on KDDTest+ about as well as scikit-learn.
func TestKDDSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("fits NSL-KDD")
	}
	k := mltest.NSLKDD(t)
	cfg := DefaultConfig()
	cfg.Workers = 2
	m, err := Fit(k.TrainX, k.D, k.TrainY, 2, cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p := m.PredictProbaAll(k.TestX, 2)
	auc := rocAUC(p, k.TestY)
	t.Logf("%d iterations, ROC AUC %.4f", m.Iterations(), auc)
	if auc < 0.9 {
		t.Errorf("ROC AUC %.4f", auc)
	}
}
