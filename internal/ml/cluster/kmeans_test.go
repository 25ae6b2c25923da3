package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// blobs2 is two separated squares of side 1: k-means must find their
// centres (0.5, 0.5) and (10.5, 10.5), every row 0.5^2 + 0.5^2 = 0.5 from
// its centre, inertia 8 * 0.5 = 4.
var blobs2 = []float64{
	0, 0, 0, 1, 1, 0, 1, 1,
	10, 10, 10, 11, 11, 10, 11, 11,
}

func TestKMeansHandComputed(t *testing.T) {
	tests := []struct {
		name        string
		x           []float64
		d, k        int
		wantCenters [][]float64 // sorted
		wantInertia float64
	}{
		{
			// scikit-learn 1.2.1 agrees: inertia 4.0, centres [[0.5, 0.5],
			// [10.5, 10.5]] (scripts/reference/cluster_reference.py).
			name: "two squares", x: blobs2, d: 2, k: 2,
			wantCenters: [][]float64{{0.5, 0.5}, {10.5, 10.5}},
			wantInertia: 4,
		},
		{
			// One cluster: the mean (2, 0), inertia sum (x - 2)^2 = 4+1+0+1+4.
			name: "one cluster", x: []float64{0, 0, 1, 0, 2, 0, 3, 0, 4, 0}, d: 2, k: 1,
			wantCenters: [][]float64{{2, 0}},
			wantInertia: 10,
		},
		{
			// Three points on a line, three clusters: every row its own centre.
			name: "k = n", x: []float64{-1, 0, 7}, d: 1, k: 3,
			wantCenters: [][]float64{{-1}, {0}, {7}},
			wantInertia: 0,
		},
		{
			// Three groups on a line at 0, 5 and 20 (two rows each, 1 apart).
			name: "three pairs", x: []float64{0, 1, 5, 6, 20, 21}, d: 1, k: 3,
			wantCenters: [][]float64{{0.5}, {5.5}, {20.5}},
			wantInertia: 6 * 0.25,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := KMeans(tt.x, tt.d, KMeansConfig{K: tt.k, NInit: 10, MaxIter: 300, Tol: 1e-4}, rand.New(rand.NewPCG(1, 2)))
			var got [][]float64
			for j := 0; j < tt.k; j++ {
				got = append(got, res.Centers[j*tt.d:(j+1)*tt.d])
			}
			slices.SortFunc(got, func(a, b []float64) int { return slices.Compare(a, b) })
			for j := range got {
				for c := range got[j] {
					if math.Abs(got[j][c]-tt.wantCenters[j][c]) > 1e-12 {
						t.Fatalf("centres = %v, want %v", got, tt.wantCenters)
					}
				}
			}
			if math.Abs(res.Inertia-tt.wantInertia) > 1e-9 {
				t.Errorf("inertia = %v, want %v", res.Inertia, tt.wantInertia)
			}
			// Labels name the nearest centre.
			for i := range res.Labels {
				l := res.Labels[i]
				row := tt.x[i*tt.d : (i+1)*tt.d]
				for j := 0; j < tt.k; j++ {
					if sqDist(row, res.Centers[j*tt.d:(j+1)*tt.d]) < sqDist(row, res.Centers[l*tt.d:(l+1)*tt.d]) {
						t.Errorf("row %d labelled %d but centre %d is nearer", i, l, j)
					}
				}
			}
		})
	}
}

// slowBlobs needs several Lloyd iterations: two overlapping clouds whose
// seeds start far from the final centres.
func slowBlobs(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 9))
	x := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		c := float64(i%2) * 2.5
		x = append(x, c+r.NormFloat64(), r.NormFloat64())
	}
	return x
}

func TestKMeansStopping(t *testing.T) {
	x := slowBlobs(400, 3)
	run := func(cfg KMeansConfig) *KMeansResult {
		return KMeans(x, 2, cfg, rand.New(rand.NewPCG(5, 5)))
	}
	strict := run(KMeansConfig{K: 2, NInit: 1, MaxIter: 300, Tol: 0})
	if strict.Iterations < 3 {
		t.Fatalf("strict convergence after %d iterations; the test needs a slower case", strict.Iterations)
	}
	tests := []struct {
		name      string
		cfg       KMeansConfig
		wantIters int
	}{
		// A tolerance larger than any shift stops after the first update.
		{"huge tolerance", KMeansConfig{K: 2, NInit: 1, MaxIter: 300, Tol: 1e6}, 1},
		{"max iterations", KMeansConfig{K: 2, NInit: 1, MaxIter: 2, Tol: 0}, 2},
		{"tolerance 0 runs to strict convergence", KMeansConfig{K: 2, NInit: 1, MaxIter: 300, Tol: 0}, strict.Iterations},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(tt.cfg)
			if res.Iterations != tt.wantIters {
				t.Errorf("Iterations = %d, want %d", res.Iterations, tt.wantIters)
			}
			// Whatever stopped the run, labels match the returned centres.
			for i, l := range res.Labels {
				row := x[i*2 : i*2+2]
				other := 1 - l
				if sqDist(row, res.Centers[other*2:other*2+2]) < sqDist(row, res.Centers[l*2:l*2+2]) {
					t.Fatalf("row %d labelled %d, nearer to %d", i, l, other)
				}
			}
		})
	}
	// A looser tolerance never needs more iterations.
	loose := run(KMeansConfig{K: 2, NInit: 1, MaxIter: 300, Tol: 1e-2})
	if loose.Iterations > strict.Iterations {
		t.Errorf("Tol 1e-2: %d iterations, more than strict convergence's %d", loose.Iterations, strict.Iterations)
	}
}

// mixedData has continuous columns and discrete ones (few levels, as
// label-encoded categoricals), so the kernel's lookup tables are exercised.
func mixedData(n int, seed uint64) (x []float64, d int) {
	r := rand.New(rand.NewPCG(seed, 77))
	d = 7
	x = make([]float64, 0, n*d)
	for i := 0; i < n; i++ {
		c := float64(r.IntN(4))
		x = append(x,
			c+r.NormFloat64(),              // continuous, clustered
			2*c+r.NormFloat64(),            // continuous, clustered
			float64(r.IntN(2)),             // flag
			float64(r.IntN(6))*0.587,       // categorical
			float64(r.IntN(3))-1,           // categorical
			float64(r.IntN(2))*3.1+c*0.001, // flag that leaks the cluster
			r.Float64()*4,                  // continuous noise
		)
	}
	return x, d
}

// lloydReference is plain k-means: the same seeding draws as KMeans (two
// r.Uint64 per run, then r.IntN and r.Float64 from a PCG per run), every
// distance computed, means summed row by row.
func lloydReference(x []float64, d int, cfg KMeansConfig, r *rand.Rand) *KMeansResult {
	n := len(x) / d
	k := cfg.K
	mean := columnMeans(x, n, d)
	tol := cfg.Tol * meanVariance(x, n, d, mean)
	var best *KMeansResult
	var bestLabels []int32
	seeds := make([][2]uint64, cfg.NInit)
	for i := range seeds {
		seeds[i] = [2]uint64{r.Uint64(), r.Uint64()}
	}
	for _, seed := range seeds {
		rr := rand.New(rand.NewPCG(seed[0], seed[1]))
		row := func(i int) []float64 { return x[i*d : i*d+d] }
		centers := make([]float64, k*d)
		first := rr.IntN(n)
		copy(centers, row(first))
		closest := make([]float64, n)
		var pot float64
		for i := range closest {
			closest[i] = sqDist(row(i), centers[:d])
			pot += closest[i]
		}
		nLocal := 2 + int(math.Log(float64(k)))
		for c := 1; c < k; c++ {
			bestPot, bestCand := math.Inf(1), -1
			var bestDist []float64
			for t := 0; t < nLocal; t++ {
				v := rr.Float64() * pot
				cand, acc := n-1, 0.0
				for i, cl := range closest {
					acc += cl
					if acc >= v {
						cand = i
						break
					}
				}
				dist := make([]float64, n)
				var p float64
				for i := range dist {
					dist[i] = min(closest[i], sqDist(row(i), row(cand)))
					p += dist[i]
				}
				if p < bestPot {
					bestPot, bestCand, bestDist = p, cand, dist
				}
			}
			copy(centers[c*d:], row(bestCand))
			closest, pot = bestDist, bestPot
		}
		labels := make([]int32, n)
		nearest := func() {
			for i := range labels {
				bestJ, bestV := 0, math.Inf(1)
				for j := 0; j < k; j++ {
					if v := sqDist(row(i), centers[j*d:j*d+d]); v < bestV {
						bestJ, bestV = j, v
					}
				}
				labels[i] = int32(bestJ)
			}
		}
		old := make([]int32, n)
		for i := range old {
			old[i] = -1
		}
		iters, strict := cfg.MaxIter, false
		for it := 0; it < cfg.MaxIter; it++ {
			nearest()
			sums := make([]float64, k*d)
			counts := make([]int, k)
			for i, l := range labels {
				counts[l]++
				for c, v := range row(i) {
					sums[int(l)*d+c] += v
				}
			}
			var shift float64
			for j := 0; j < k; j++ {
				if counts[j] == 0 {
					panic("lloydReference: empty cluster")
				}
				for c := 0; c < d; c++ {
					v := sums[j*d+c] / float64(counts[j])
					shift += (v - centers[j*d+c]) * (v - centers[j*d+c])
					centers[j*d+c] = v
				}
			}
			if slices.Equal(labels, old) {
				iters, strict = it+1, true
				break
			}
			if shift <= tol {
				iters = it + 1
				break
			}
			copy(old, labels)
		}
		if !strict {
			nearest()
		}
		var inertia float64
		for i, l := range labels {
			inertia += sqDist(row(i), centers[int(l)*d:int(l)*d+d])
		}
		if best == nil || (inertia < best.Inertia && !sameClustering(labels, bestLabels, k)) {
			res := &KMeansResult{Centers: slices.Clone(centers), Inertia: inertia, Iterations: iters, Labels: make([]int, n)}
			for i, l := range labels {
				res.Labels[i] = int(l)
			}
			best, bestLabels = res, slices.Clone(labels)
		}
	}
	return best
}

// TestKMeansMatchesPlainLloyd checks the bounds, the kernel and the block
// sums against plain Lloyd: same labels, iterations, centres and inertia.
func TestKMeansMatchesPlainLloyd(t *testing.T) {
	gauss := func(n, d int, seed uint64) []float64 {
		r := rand.New(rand.NewPCG(seed, 1))
		x := make([]float64, n*d)
		for i := range x {
			x[i] = r.NormFloat64() + float64(i/d%3)*1.5
		}
		return x
	}
	mixed, mixedD := mixedData(1500, 4)
	tests := []struct {
		name string
		x    []float64
		d    int
		cfg  KMeansConfig
	}{
		{"gaussian k=3", gauss(1000, 4, 1), 4, KMeansConfig{K: 3, NInit: 4, MaxIter: 300, Tol: 1e-4}},
		{"gaussian k=6 strict", gauss(2000, 5, 2), 5, KMeansConfig{K: 6, NInit: 3, MaxIter: 300, Tol: 0}},
		{"gaussian k=8 (a chunk of 6 and one of 3)", gauss(1200, 3, 3), 3, KMeansConfig{K: 8, NInit: 2, MaxIter: 300, Tol: 1e-4}},
		{"gaussian k=13 (four candidates)", gauss(1500, 6, 4), 6, KMeansConfig{K: 13, NInit: 2, MaxIter: 300, Tol: 1e-5}},
		{"mixed discrete columns k=4", mixed, mixedD, KMeansConfig{K: 4, NInit: 5, MaxIter: 300, Tol: 1e-4}},
		{"mixed discrete columns k=7", mixed, mixedD, KMeansConfig{K: 7, NInit: 3, MaxIter: 300, Tol: 0}},
		{"max iterations 3", gauss(800, 2, 5), 2, KMeansConfig{K: 5, NInit: 2, MaxIter: 3, Tol: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 3} {
				cfg := tt.cfg
				cfg.Workers = workers
				got := KMeans(tt.x, tt.d, cfg, rand.New(rand.NewPCG(11, 12)))
				want := lloydReference(tt.x, tt.d, tt.cfg, rand.New(rand.NewPCG(11, 12)))
				if !slices.Equal(got.Labels, want.Labels) {
					t.Fatalf("workers %d: labels differ from plain Lloyd", workers)
				}
				if got.Iterations != want.Iterations {
					t.Errorf("workers %d: Iterations = %d, plain Lloyd %d", workers, got.Iterations, want.Iterations)
				}
				if math.Abs(got.Inertia-want.Inertia) > 1e-9*want.Inertia {
					t.Errorf("workers %d: Inertia = %v, plain Lloyd %v", workers, got.Inertia, want.Inertia)
				}
				for i := range got.Centers {
					if math.Abs(got.Centers[i]-want.Centers[i]) > 1e-9 {
						t.Fatalf("workers %d: centre coordinate %d = %v, plain Lloyd %v", workers, i, got.Centers[i], want.Centers[i])
					}
				}
			}
		})
	}
}

func TestKMeansWorkersAndSeeds(t *testing.T) {
	x, d := mixedData(3000, 8)
	cfg := KMeansConfig{K: 6, NInit: 5, MaxIter: 300, Tol: 1e-4}
	run := func(workers int, seed uint64) *KMeansResult {
		c := cfg
		c.Workers = workers
		return KMeans(x, d, c, rand.New(rand.NewPCG(seed, 0)))
	}
	base := run(1, 1)
	for _, workers := range []int{0, 2, 4, 7} {
		got := run(workers, 1)
		if !slices.Equal(got.Labels, base.Labels) || got.Inertia != base.Inertia ||
			!slices.Equal(got.Centers, base.Centers) || got.Iterations != base.Iterations {
			t.Errorf("Workers %d: result differs from Workers 1", workers)
		}
	}
	if again := run(1, 1); !slices.Equal(again.Labels, base.Labels) || again.Inertia != base.Inertia {
		t.Error("same seed, different result")
	}
}

// TestKMeansFewDistinctRows: with fewer distinct rows than K, k-means++
// can only repeat a row (every D^2 is 0) and a cluster goes empty;
// scikit-learn relocates it and warns. The result must still be valid.
func TestKMeansFewDistinctRows(t *testing.T) {
	x := []float64{0, 0, 0, 1, 1, 0, 0, 1}
	for _, k := range []int{3, 4, 8} {
		res := KMeans(x, 1, KMeansConfig{K: k, NInit: 3, MaxIter: 50, Tol: 1e-4, Workers: 2}, rand.New(rand.NewPCG(1, 1)))
		for _, l := range res.Labels {
			if l < 0 || l >= k {
				t.Fatalf("K %d: label %d", k, l)
			}
		}
		if res.Inertia != 0 {
			t.Errorf("K %d: inertia %v, want 0 (two distinct values)", k, res.Inertia)
		}
	}
}

func TestMeanVariance(t *testing.T) {
	// Columns {1, 3} and {0, 0}: population variances 1 and 0, mean 0.5
	// (numpy: np.var([[1, 0], [3, 0]], axis=0).mean() == 0.5).
	x := []float64{1, 0, 3, 0}
	if got := meanVariance(x, 2, 2, columnMeans(x, 2, 2)); got != 0.5 {
		t.Errorf("meanVariance = %v, want 0.5", got)
	}
}

func TestSameClustering(t *testing.T) {
	tests := []struct {
		name string
		a, b []int32
		want bool
	}{
		{"identical", []int32{0, 1, 1, 2}, []int32{0, 1, 1, 2}, true},
		{"permuted", []int32{0, 1, 1, 2}, []int32{2, 0, 0, 1}, true},
		{"split", []int32{0, 1, 1, 2}, []int32{0, 1, 2, 2}, false},
	}
	for _, tt := range tests {
		if got := sameClustering(tt.a, tt.b, 3); got != tt.want {
			t.Errorf("%s: sameClustering = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRelocateEmpty follows scikit-learn's _relocate_empty_clusters_dense:
// an empty cluster takes the row farthest from its centre, which leaves the
// sum of its old cluster but keeps its label.
func TestRelocateEmpty(t *testing.T) {
	x := []float64{0, 1, 2, 10}
	mean := columnMeans(x, 4, 1)
	s := newKMSpace(x, 4, 1, 3, 1, mean, newLattice(x, 4, 1, 1))
	copy(s.centers, []float64{1, 5, 100})
	copy(s.labels, []int32{0, 0, 0, 1}) // cluster 2 is empty
	s.fresh = true
	s.update()
	// Cluster 1 held only row 3 (10), the farthest from its centre (5):
	// it moves to cluster 2, and cluster 1, now empty, gets the mean.
	want := []float64{1, 3.25, 10}
	for j, w := range want {
		if math.Abs(s.centers[j]-w) > 1e-12 {
			t.Errorf("centre %d = %v, want %v", j, s.centers[j], w)
		}
	}
	if !slices.Equal(s.labels, []int32{0, 0, 0, 1}) {
		t.Errorf("labels changed to %v", s.labels)
	}
}

func TestKMeansPanics(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name string
		fn   func()
	}{
		{"zero columns", func() { KMeans(x, 0, KMeansConfig{K: 1}, r) }},
		{"ragged", func() { KMeans(x, 3, KMeansConfig{K: 1}, r) }},
		{"K 0", func() { KMeans(x, 1, KMeansConfig{K: 0}, r) }},
		{"K > n", func() { KMeans(x, 1, KMeansConfig{K: 5}, r) }},
		{"negative NInit", func() { KMeans(x, 1, KMeansConfig{K: 1, NInit: -1}, r) }},
		{"negative MaxIter", func() { KMeans(x, 1, KMeansConfig{K: 1, MaxIter: -1}, r) }},
		{"negative Tol", func() { KMeans(x, 1, KMeansConfig{K: 1, Tol: -1}, r) }},
		{"NaN Tol", func() { KMeans(x, 1, KMeansConfig{K: 1, Tol: math.NaN()}, r) }},
		{"nil rand", func() { KMeans(x, 1, KMeansConfig{K: 1}, nil) }},
		{"NaN in x", func() { KMeans([]float64{0, math.NaN()}, 1, KMeansConfig{K: 1}, r) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.fn()
		})
	}
}
