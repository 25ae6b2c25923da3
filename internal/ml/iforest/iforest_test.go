package iforest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// near reports whether got is within tol of want, absolutely or relatively.
func near(got, want, tol float64) bool {
	if got == want {
		return true
	}
	diff := math.Abs(got - want)
	return diff <= tol || diff <= tol*math.Abs(want)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x1f0e57)) }

func TestAveragePathLength(t *testing.T) {
	// want: sklearn.ensemble._iforest._average_path_length, scikit-learn
	// 1.2.1 (scripts/reference/iforest_reference.py).
	tests := []struct {
		n    int
		want float64
	}{
		{-1, 0},
		{0, 0},
		{1, 0},
		{2, 1},
		{3, 1.207392357589623},
		{4, 1.8516559071392846},
		{5, 2.327020052042847},
		{10, 3.748880484475504},
		{100, 8.364671030072245},
		{256, 10.244770920119917},
		{1000, 12.969940887100172},
		{100000, 22.180282259643523},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := AveragePathLength(tt.n); !near(got, tt.want, 1e-14) {
				t.Errorf("AveragePathLength(%d) = %v, want %v", tt.n, got, tt.want)
			}
			// The formula by hand, for n > 2.
			if tt.n > 2 {
				m := float64(tt.n)
				hand := 2*(math.Log(m-1)+0.5772156649) - 2*(m-1)/m
				if got := AveragePathLength(tt.n); !near(got, hand, 1e-9) {
					t.Errorf("AveragePathLength(%d) = %v, formula gives %v", tt.n, got, hand)
				}
			}
		})
	}
}

func mod1000() []float64 {
	v := make([]float64, 1000)
	for i := range v {
		v[i] = float64((i*7919)%1000) / 7
	}
	return v
}

func TestPercentile(t *testing.T) {
	// want: np.percentile(values, q), numpy 1.24.2
	// (scripts/reference/iforest_reference.py).
	qs := []float64{0, 5, 25, 50, 62.5, 95, 99.9, 100}
	tests := []struct {
		name   string
		values []float64
		want   []float64 // per q in qs
	}{
		{"1..4", []float64{1, 2, 3, 4}, []float64{1.0, 1.15, 1.75, 2.5, 2.875, 3.8499999999999996, 3.9970000000000003, 4.0}},
		{"seven", []float64{3.5, -1.0, 2.0, 2.0, 10.0, 0.25, -7.5}, []float64{-7.5, -5.55, -0.375, 2.0, 2.0, 8.049999999999995, 9.961000000000004, 10.0}},
		{"one", []float64{42}, []float64{42, 42, 42, 42, 42, 42, 42, 42}},
		{"mod1000", mod1000(), []float64{0.0, 7.135714285714286, 35.67857142857143, 71.35714285714286, 89.19642857142857, 135.57857142857142, 142.57157142857145, 142.71428571428572}},
	}
	for _, tt := range tests {
		for i, q := range qs {
			t.Run(fmt.Sprintf("%s/q=%v", tt.name, q), func(t *testing.T) {
				orig := slices.Clone(tt.values)
				if got := Percentile(tt.values, q); !near(got, tt.want[i], 1e-15) {
					t.Errorf("Percentile(%s, %v) = %v, want %v", tt.name, q, got, tt.want[i])
				}
				if !slices.Equal(orig, tt.values) {
					t.Errorf("Percentile modified its input")
				}
			})
		}
	}
	if got := Percentile([]float64{1, math.NaN(), 3}, 50); !math.IsNaN(got) {
		t.Errorf("Percentile with a NaN = %v, want NaN (numpy)", got)
	}
}

// TestPercentileSelection checks the selection against a sort on many
// arrays with ties, where numpy's definition can be read off directly.
func TestPercentileSelection(t *testing.T) {
	r := newRand(1)
	for trial := range 300 {
		n := 1 + r.IntN(400)
		v := make([]float64, n)
		levels := 1 + r.IntN(50) // few levels: many ties
		for i := range v {
			v[i] = float64(r.IntN(levels)) - float64(levels)/3
		}
		s := slices.Clone(v)
		slices.Sort(s)
		q := r.Float64() * 100
		i := float64(n-1) * (q / 100)
		j := int(math.Floor(i))
		want := s[n-1]
		if j < n-1 {
			g := i - float64(j)
			want = s[j] + g*(s[j+1]-s[j])
		}
		if got := Percentile(v, q); !near(got, want, 1e-12) {
			t.Fatalf("trial %d: Percentile(n=%d, q=%v) = %v, sorted gives %v", trial, n, q, got, want)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5}
	forest := Fit(x, 2, Config{Trees: 5}, newRand(1))
	tests := []struct {
		name string
		f    func()
	}{
		{"d=0", func() { Fit(x, 0, Config{Trees: 1}, newRand(1)) }},
		{"ragged", func() { Fit(x[:5], 2, Config{Trees: 1}, newRand(1)) }},
		{"empty", func() { Fit(nil, 2, Config{Trees: 1}, newRand(1)) }},
		{"trees=0", func() { Fit(x, 2, Config{}, newRand(1)) }},
		{"max samples<0", func() { Fit(x, 2, Config{Trees: 1, MaxSamples: -1}, newRand(1)) }},
		{"contamination<0", func() { Fit(x, 2, Config{Trees: 1, Contamination: -0.1}, newRand(1)) }},
		{"contamination>0.5", func() { Fit(x, 2, Config{Trees: 1, Contamination: 0.6}, newRand(1)) }},
		{"contamination NaN", func() { Fit(x, 2, Config{Trees: 1, Contamination: math.NaN()}, newRand(1)) }},
		{"nil rand", func() { Fit(x, 2, Config{Trees: 1}, nil) }},
		{"NaN in x", func() { Fit([]float64{0, math.NaN()}, 1, Config{Trees: 1}, newRand(1)) }},
		{"Inf in x", func() { Fit([]float64{0, math.Inf(1)}, 1, Config{Trees: 1}, newRand(1)) }},
		{"float32 overflow in x", func() { Fit([]float64{0, 1e39}, 1, Config{Trees: 1}, newRand(1)) }},
		{"Score width", func() { forest.Score([]float64{1}) }},
		{"ScoreSamples ragged", func() { forest.ScoreSamples([]float64{1, 2, 3}, 1) }},
		{"Percentile empty", func() { Percentile(nil, 50) }},
		{"Percentile q<0", func() { Percentile([]float64{1}, -1) }},
		{"Percentile q>100", func() { Percentile([]float64{1}, 100.5) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg := fmt.Sprint(r); !strings.HasPrefix(msg, "iforest: ") {
					t.Errorf("panic %q does not start with \"iforest: \"", msg)
				}
			}()
			tt.f()
		})
	}
}

// column turns values into one-feature rows.
func column(values ...float64) []float64 { return values }

// TestHandComputed checks cases whose scores follow from the definition.
func TestHandComputed(t *testing.T) {
	tests := []struct {
		name  string
		x     []float64 // training rows
		d     int
		cfg   Config
		query []float64
		want  []float64 // ScoreSamples of query
		tol   float64
		why   string
	}{
		{
			// scikit-learn 1.2.1 gives [-0.5, -0.5, -0.5, -0.5]
			// (scripts/reference/iforest_reference.py).
			name: "max_samples=2", x: column(0, 1, 10), d: 1, cfg: Config{Trees: 100, MaxSamples: 2},
			query: column(0, 1, 10, 5), want: []float64{-0.5, -0.5, -0.5, -0.5}, tol: 1e-15,
			why: "depth limit ceil(log2 2) = 1: two rows split into singletons (1 + c(1) = 1) or, " +
				"if equal, stay a leaf (0 + c(2) = 1); s = 2^(-1/c(2)) = 1/2 for every row",
		},
		{
			name: "all rows equal", x: column(3, 3, 3, 3, 3, 3, 3, 3), d: 1, cfg: Config{Trees: 10},
			query: column(3, -100, 100), want: []float64{-0.5, -0.5, -0.5}, tol: 1e-15,
			why: "every tree is one leaf of max_samples rows: E/T = c(8), s = 2^-1",
		},
		{
			name: "constant within 1e-7", x: []float64{1, 5, 1 + 5e-8, 5, 1, 5 - 5e-8, 1, 5}, d: 2, cfg: Config{Trees: 10},
			query: []float64{1, 5, 0, 0}, want: []float64{-0.5, -0.5}, tol: 1e-15,
			why: "features spanning <= 1e-7 in float32 are constant (FEATURE_THRESHOLD): no split at all",
		},
		{
			name: "one row", x: column(7), d: 1, cfg: Config{Trees: 3},
			query: column(7, 8), want: []float64{-0.5, -0.5}, tol: 1e-15,
			why: "max_samples = 1: c(1) = 0 and scikit-learn sets the exponent to -1",
		},
		{
			// Expected path lengths 1.9, 2, 1.1, 1.6 by hand: the root
			// threshold is U(0, 10); with probability 0.1 it isolates 0,
			// else 10; 5 follows 0 and 1 when the threshold is >= 5.
			// scikit-learn 1.2.1 with 20,000 trees: -0.33550, -0.31722,
			// -0.53253, -0.39937 (path lengths 1.9024, 2, 1.0976, 1.5988).
			name: "three points", x: column(0, 1, 10), d: 1, cfg: Config{Trees: 20000},
			query: column(0, 1, 10, 5),
			want: []float64{
				-math.Exp2(-1.9 / AveragePathLength(3)),
				-math.Exp2(-2 / AveragePathLength(3)),
				-math.Exp2(-1.1 / AveragePathLength(3)),
				-math.Exp2(-1.6 / AveragePathLength(3)),
			},
			// sd of a mean path length over 20,000 trees <= 0.5/141; 5 sd
			// moves s by at most ~0.01.
			tol: 0.01,
			why: "E[depth] from the uniform root threshold",
		},
		{
			// scikit-learn 1.2.1, IsolationForest(n_estimators=20000,
			// random_state=0) (scripts/reference/iforest_reference.py);
			// random_state=1 differs by up to 0.0016.
			name: "four 2-D points", x: []float64{0, 0, 1, 0, 1, 5, 3, 1}, d: 2, cfg: Config{Trees: 20000},
			query: []float64{0, 0, 1, 0, 1, 5, 3, 1, 2, 2.5, 10, 10},
			want:  []float64{-0.416956118558082, -0.33969530435368916, -0.49828210378384385, -0.506320255983384, -0.4748719081176162, -0.6194809826748179},
			tol:   0.005,
			why:   "the node {(1,0), (1,5)} must split on feature 1, feature 0 being constant there",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forest := Fit(tt.x, tt.d, tt.cfg, newRand(7))
			got := forest.ScoreSamples(tt.query, 1)
			for i := range got {
				if !near(got[i], tt.want[i], tt.tol) {
					t.Errorf("ScoreSamples row %d = %v, want %v (%s)", i, got[i], tt.want[i], tt.why)
				}
			}
		})
	}
}

// TestDocstringExample is scikit-learn's IsolationForest docstring example:
// X = [[-1.1], [0.3], [0.5], [100]], predict([[0.1], [0], [90]]) = [1, 1, -1].
func TestDocstringExample(t *testing.T) {
	for seed := range uint64(20) {
		forest := Fit(column(-1.1, 0.3, 0.5, 100), 1, Config{Trees: 100}, newRand(seed))
		got := forest.Predict(column(0.1, 0, 90), 1)
		if want := []bool{false, false, true}; !slices.Equal(got, want) {
			t.Errorf("seed %d: Predict = %v, want %v (scikit-learn: [1, 1, -1])", seed, got, want)
		}
	}
}

// gaussian returns n rows of d standard normal values.
func gaussian(r *rand.Rand, n, d int) []float64 {
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func TestObviousOutlierScoresHighest(t *testing.T) {
	r := newRand(3)
	const n, d = 1000, 5
	x := gaussian(r, n, d)
	outlier := 517
	for j := range d {
		x[outlier*d+j] = 8
	}
	forest := Fit(x, d, Config{Trees: 100, Contamination: 0.01}, r)
	scores := forest.ScoreSamples(x, 2)
	if best := slices.Index(scores, slices.Min(scores)); best != outlier {
		t.Errorf("lowest score_samples at row %d (%v), want row %d (%v)", best, scores[best], outlier, scores[outlier])
	}
	if !forest.Predict(x[outlier*d:(outlier+1)*d], 1)[0] {
		t.Errorf("outlier not predicted anomalous")
	}
}

// TestProperties checks relations that hold for any forest.
func TestProperties(t *testing.T) {
	r := newRand(11)
	const n, d = 600, 4
	x := gaussian(r, n, d)
	query := gaussian(r, 300, d)
	query[0] = math.NaN()
	for _, cfg := range []Config{
		{Trees: 50},
		{Trees: 37, MaxSamples: 64, Contamination: 0.1},
		{Trees: 20, MaxSamples: n, Contamination: 0.5},
		{Trees: 5, MaxSamples: 3, Contamination: 0.02},
	} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			forest := Fit(x, d, cfg, newRand(5))
			ss := forest.ScoreSamples(query, 3)
			dec := forest.DecisionFunction(query, 2)
			pred := forest.Predict(query, 1)
			for i := range ss {
				s := forest.Score(query[i*d : (i+1)*d])
				if !(s > 0 && s <= 1) {
					t.Fatalf("row %d: Score = %v, want in (0, 1]", i, s)
				}
				if ss[i] != -s {
					t.Fatalf("row %d: ScoreSamples = %v, -Score = %v; want equal", i, ss[i], -s)
				}
				if !near(dec[i], ss[i]-forest.Offset(), 1e-15) {
					t.Fatalf("row %d: DecisionFunction = %v, ScoreSamples - Offset = %v", i, dec[i], ss[i]-forest.Offset())
				}
				if pred[i] != (dec[i] < 0) {
					t.Fatalf("row %d: Predict = %v, decision %v", i, pred[i], dec[i])
				}
			}
			if cfg.Contamination == 0 && forest.Offset() != -0.5 {
				t.Errorf("Offset = %v, want -0.5 for auto", forest.Offset())
			}
			if want := bitsLen(forest.MaxSamples()); forest.MaxDepth() != want {
				t.Errorf("MaxDepth = %d, want ceil(log2(%d)) = %d", forest.MaxDepth(), forest.MaxSamples(), want)
			}
			if cfg.Contamination > 0 {
				// A fraction c of the training rows falls below the offset:
				// at most c n (+1 for the interpolation) strictly below, at
				// least c n at or below, ties included.
				train := forest.DecisionFunction(x, 2)
				below, atOrBelow := 0, 0
				for _, v := range train {
					if v < 0 {
						below++
					}
					if v <= 0 {
						atOrBelow++
					}
				}
				if want := cfg.Contamination * n; float64(below) > want+1 || float64(atOrBelow) < want-1 {
					t.Errorf("%d of %d training rows below the offset, %d at or below; want about %v", below, n, atOrBelow, want)
				}
			}
			checkTrees(t, forest)
		})
	}
}

// bitsLen is ceil(log2(max(m, 2))) by floating point, as scikit-learn.
func bitsLen(m int) int { return int(math.Ceil(math.Log2(float64(max(m, 2))))) }

// checkTrees checks the node arrays' invariants: children inside the tree,
// leaves pointing to themselves, heights within the depth limit.
func checkTrees(t *testing.T, f *Forest) {
	t.Helper()
	for tree, root := range f.roots {
		end := int32(len(f.nodes))
		if tree+1 < len(f.roots) {
			end = f.roots[tree+1]
		}
		if h := int(f.height[tree]); h > f.maxDepth {
			t.Fatalf("tree %d height %d > depth limit %d", tree, h, f.maxDepth)
		}
		for i := root; i < end; i++ {
			nd := f.nodes[i]
			for _, c := range nd.child {
				if c < root || c >= end {
					t.Fatalf("tree %d node %d: child %d outside [%d, %d)", tree, i, c, root, end)
				}
			}
			if (nd.child[0] == i) != (nd.child[1] == i) {
				t.Fatalf("tree %d node %d: half a leaf %v", tree, i, nd.child)
			}
			if nd.child[0] != i && (nd.child[0] <= i || nd.child[1] <= i) {
				t.Fatalf("tree %d node %d: children %v not after it (preorder)", tree, i, nd.child)
			}
		}
	}
}

func TestConstantFeaturesNeverSplit(t *testing.T) {
	r := newRand(2)
	const n, d = 400, 6
	x := gaussian(r, n, d)
	for i := range n {
		x[i*d+1] = 4.25           // constant everywhere
		x[i*d+4] = float64(i % 2) // constant within many small nodes
	}
	forest := Fit(x, d, Config{Trees: 200}, r)
	used := make([]int, d)
	for i, nd := range forest.nodes {
		if nd.child[0] == int32(i) {
			continue
		}
		used[nd.feature]++
		if nd.feature == 1 {
			t.Fatalf("node %d splits on the constant feature 1", i)
		}
	}
	t.Logf("splits per feature: %v", used)
	// The others are drawn uniformly among non-constant features, so each
	// Gaussian feature carries a similar share.
	for _, j := range []int{0, 2, 3, 5} {
		if used[j] < used[0]/2 || used[j] > used[0]*2 {
			t.Errorf("feature %d used %d times, feature 0 %d: not uniform", j, used[j], used[0])
		}
	}
}

func TestDeterministicAndWorkerIndependent(t *testing.T) {
	r := newRand(4)
	const n, d = 3000, 7
	x := gaussian(r, n, d)
	query := gaussian(r, 1001, d) // not a multiple of the block size
	base := Fit(x, d, Config{Trees: 60, Contamination: 0.05, Workers: 1}, newRand(99))
	want := base.ScoreSamples(query, 1)
	for _, workers := range []int{0, 1, 2, 4, 16} {
		forest := Fit(x, d, Config{Trees: 60, Contamination: 0.05, Workers: workers}, newRand(99))
		if forest.Offset() != base.Offset() {
			t.Errorf("Workers=%d: Offset %v, want %v", workers, forest.Offset(), base.Offset())
		}
		if !slices.Equal(forest.nodes, base.nodes) || !slices.Equal(forest.values, base.values) {
			t.Errorf("Workers=%d: different trees", workers)
		}
		for _, scoreWorkers := range []int{-1, 1, 3, 4} {
			if got := forest.ScoreSamples(query, scoreWorkers); !slices.Equal(got, want) {
				t.Errorf("Workers=%d, scored with %d: scores differ", workers, scoreWorkers)
			}
		}
	}
	other := Fit(x, d, Config{Trees: 60, Contamination: 0.05}, newRand(100))
	if slices.Equal(other.ScoreSamples(query, 1), want) {
		t.Errorf("a different seed gave identical scores")
	}
}

func TestMaxSamplesClipped(t *testing.T) {
	x := gaussian(newRand(1), 50, 2)
	forest := Fit(x, 2, Config{Trees: 4, MaxSamples: 80}, newRand(1))
	if forest.MaxSamples() != 50 {
		t.Errorf("MaxSamples = %d, want 50 (n)", forest.MaxSamples())
	}
	if w := forest.Warnings(); len(w) != 1 || !errors.Is(w[0], ErrMaxSamplesTooLarge) {
		t.Errorf("Warnings = %v, want one wrapping ErrMaxSamplesTooLarge", w)
	}
	auto := Fit(x, 2, Config{Trees: 4}, newRand(1))
	if auto.MaxSamples() != 50 || len(auto.Warnings()) != 0 {
		t.Errorf("auto: MaxSamples = %d, Warnings %v; want 50 (min(256, n)) and none", auto.MaxSamples(), auto.Warnings())
	}
	big := Fit(gaussian(newRand(1), 300, 2), 2, Config{Trees: 4}, newRand(1))
	if big.MaxSamples() != 256 || big.MaxDepth() != 8 {
		t.Errorf("auto on 300 rows: MaxSamples %d, MaxDepth %d; want 256, 8", big.MaxSamples(), big.MaxDepth())
	}
}

// TestFloat32Comparison checks that comparing float32 values against the
// rounded-down float32 threshold, by goesRight or <=, is scikit-learn's
// float64(float32(x)) <= threshold.
func TestFloat32Comparison(t *testing.T) {
	r := newRand(8)
	for range 200000 {
		lo := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
		hi := math.Nextafter32(lo, 1e30)
		for range r.IntN(3) {
			hi = math.Nextafter32(hi, 1e30)
		}
		threshold := (float64(hi)-float64(lo))*r.Float64() + float64(lo)
		t32 := roundDown32(threshold)
		for _, v := range []float32{lo, hi, t32, math.Nextafter32(t32, 1e30), math.Nextafter32(t32, -1e30), 0, float32(math.Copysign(0, -1))} {
			want := float64(v) <= threshold
			if got := v <= t32; got != want {
				t.Fatalf("%v <= roundDown32(%v) = %v, float64 comparison %v", v, threshold, got, want)
			}
			if got := goesRight(v, t32) == 1; got != !want {
				t.Fatalf("goesRight(%v, %v) = %v, want %v", v, t32, got, !want)
			}
		}
	}
	for _, tt := range []struct{ v, t float32 }{{0, 0}, {float32(math.Copysign(0, -1)), 0}, {float32(math.Inf(1)), 1}, {float32(math.Inf(-1)), 1}} {
		if got, want := goesRight(tt.v, tt.t) == 1, !(tt.v <= tt.t); got != want {
			t.Errorf("goesRight(%v, %v) = %v, want %v", tt.v, tt.t, got, want)
		}
	}
	if roundDown32(math.Copysign(0, -1)) != 0 || math.Signbit(float64(roundDown32(math.Copysign(0, -1)))) {
		t.Errorf("roundDown32(-0) is not +0")
	}
}

// TestFloat32AtScoring checks that rows are rounded to float32 before the
// comparison, as scikit-learn's tree.apply does: a value just above a
// threshold in float64 that rounds onto it goes left.
func TestFloat32AtScoring(t *testing.T) {
	forest := Fit(column(0, 1), 1, Config{Trees: 1}, newRand(1))
	root := forest.nodes[forest.roots[0]]
	threshold := float64(root.threshold)
	above := threshold + 1e-12 // same float32
	if float32(above) != root.threshold {
		t.Skip("threshold too small for the test")
	}
	if got, want := forest.Score(column(above)), forest.Score(column(threshold)); got != want {
		t.Errorf("Score(threshold + 1e-12) = %v, Score(threshold) = %v; want equal after float32 rounding", got, want)
	}
}

func ExampleFit() {
	// scikit-learn's IsolationForest docstring example.
	x := []float64{-1.1, 0.3, 0.5, 100} // four rows of one feature
	forest := Fit(x, 1, Config{Trees: 100}, rand.New(rand.NewPCG(0, 0)))
	fmt.Println(forest.Predict([]float64{0.1, 0, 90}, 1))
	// Output: [false false true]
}
