package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteDBSCAN is scikit-learn's algorithm written out: every neighbourhood
// by brute force (sqDist <= eps^2, the row itself included), then
// dbscan_inner's depth-first expansion from core points in index order.
func bruteDBSCAN(x []float64, d int, eps float64, minSamples int) []int {
	n := len(x) / d
	eps2 := eps * eps
	neighbours := make([][]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if sqDist(x[i*d:i*d+d], x[j*d:j*d+d]) <= eps2 {
				neighbours[i] = append(neighbours[i], j)
			}
		}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	label := 0
	for start := 0; start < n; start++ {
		if labels[start] != -1 || len(neighbours[start]) < minSamples {
			continue
		}
		stack := []int{}
		i := start
		for {
			if labels[i] == -1 {
				labels[i] = label
				if len(neighbours[i]) >= minSamples {
					for _, v := range neighbours[i] {
						if labels[v] == -1 {
							stack = append(stack, v)
						}
					}
				}
			}
			if len(stack) == 0 {
				break
			}
			i = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		}
		label++
	}
	return labels
}

func TestDBSCANHandComputed(t *testing.T) {
	// Two dense squares of 7 points around (0, 0) and (1, 0), coordinates
	// in eighths so that distances are exact, and b = (0.5, 0) between
	// them: b is exactly 0.5 from (0, 0) and (1, 0) and 0.375 from
	// (0.125, 0) and (0.875, 0), so it has 5 neighbours with itself. With
	// min_samples 6 the squares' points are core (7 neighbours each), b is
	// a border point of both, and the first cluster in index order gets it.
	left := []float64{0, 0, 0.125, 0, 0, 0.125, 0, -0.125, -0.125, 0, -0.125, 0.125, -0.125, -0.125}
	right := make([]float64, len(left))
	for i := 0; i < len(left); i += 2 {
		right[i], right[i+1] = 1-left[i], left[i+1]
	}
	b := []float64{0.5, 0}
	concat := func(parts ...[]float64) []float64 { return slices.Concat(parts...) }
	rep := func(v, n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = v
		}
		return s
	}

	tests := []struct {
		name string
		x    []float64
		d    int
		cfg  DBSCANConfig
		want []int
	}{
		{
			// Distance exactly eps counts: 0 - 0.5 - 1 - 1.5 chain up.
			name: "line, eps inclusive",
			x:    []float64{0, 0.5, 1, 1.5, 3}, d: 1,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 2},
			want: []int{0, 0, 0, 0, -1},
		},
		{
			name: "line, eps just below the spacing",
			x:    []float64{0, 0.5, 1, 1.5, 3}, d: 1,
			cfg:  DBSCANConfig{Eps: 0.4999999, MinSamples: 2},
			want: []int{-1, -1, -1, -1, -1},
		},
		{
			// The ends of the line have 2 neighbours (themselves included),
			// the middle 3: with min_samples 3 the ends are border points.
			name: "line, ends are border points",
			x:    []float64{0, 0.5, 1, 1.5, 3}, d: 1,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 3},
			want: []int{0, 0, 0, 0, -1},
		},
		{
			// min_samples 1: a row is its own neighbour, so every row is
			// core and isolated rows are clusters of one, numbered in order.
			name: "min_samples 1",
			x:    []float64{5, 0, 0.25, 9, 5.5}, d: 1,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 1},
			want: []int{0, 1, 1, 2, 0},
		},
		{
			name: "min_samples 2, isolated rows are noise",
			x:    []float64{5, 0, 0.25, 9, 5.5}, d: 1,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 2},
			want: []int{0, 1, 1, -1, 0},
		},
		{
			name: "border point joins the first cluster (left first)",
			x:    concat(left, right, b), d: 2,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 6},
			want: append(append(rep(0, 7), rep(1, 7)...), 0),
		},
		{
			name: "border point joins the first cluster (right first)",
			x:    concat(right, b, left), d: 2,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 6},
			want: append(append(rep(0, 7), 0), rep(1, 7)...),
		},
		{
			// With min_samples 5, b is core and joins both squares.
			name: "bridge point merges the clusters",
			x:    concat(left, right, b), d: 2,
			cfg:  DBSCANConfig{Eps: 0.5, MinSamples: 5},
			want: rep(0, 15),
		},
		{
			name: "all noise",
			x:    []float64{0, 10, 20}, d: 1,
			cfg:  DBSCANConfig{Eps: 1, MinSamples: 2},
			want: []int{-1, -1, -1},
		},
		{
			name: "no rows",
			x:    nil, d: 3,
			cfg:  DBSCANConfig{Eps: 1, MinSamples: 2},
			want: []int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DBSCAN(tt.x, tt.d, tt.cfg)
			if !slices.Equal(got, tt.want) {
				t.Errorf("DBSCAN = %v, want %v", got, tt.want)
			}
			if brute := bruteDBSCAN(tt.x, tt.d, tt.cfg.Eps, tt.cfg.MinSamples); !slices.Equal(brute, tt.want) {
				t.Errorf("brute force = %v, want %v (the table is wrong)", brute, tt.want)
			}
		})
	}
}

// latticeData mimics the notebook's flows: discrete columns whose levels
// are sometimes exactly eps apart, sometimes closer, plus continuous ones.
func latticeData(n int, eps float64, seed uint64) (x []float64, d int) {
	r := rand.New(rand.NewPCG(seed, 3))
	d = 8
	x = make([]float64, 0, n*d)
	for i := 0; i < n; i++ {
		x = append(x,
			float64(r.IntN(3))*eps,           // levels exactly eps apart
			float64(r.IntN(4))*eps*1.2,       // levels farther apart
			float64(r.IntN(5))*eps*0.6,       // levels closer than eps
			float64(r.IntN(2))*4,             // a flag
			math.Round(r.NormFloat64()*8)/16, // continuous on a grid of 1/16
			r.NormFloat64()*0.4,
			r.ExpFloat64()*0.3,
			float64(r.IntN(3))*eps*0.5,
		)
	}
	return x, d
}

func TestDBSCANMatchesBruteForce(t *testing.T) {
	gauss := func(n, d int, scale float64, seed uint64) []float64 {
		r := rand.New(rand.NewPCG(seed, 1))
		x := make([]float64, n*d)
		for i := range x {
			x[i] = r.NormFloat64() * scale
		}
		return x
	}
	lat, latD := latticeData(1500, 0.5, 1)
	lat2, lat2D := latticeData(1200, 0.25, 2)
	grid := make([]float64, 0, 2*400)
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			grid = append(grid, float64(i)*0.5, float64(j)*0.5) // a grid of spacing exactly eps
		}
	}
	tests := []struct {
		name string
		x    []float64
		d    int
		cfg  DBSCANConfig
	}{
		{"gaussian 2-D", gauss(1000, 2, 1, 1), 2, DBSCANConfig{Eps: 0.15, MinSamples: 4}},
		{"gaussian 5-D", gauss(1000, 5, 1, 2), 5, DBSCANConfig{Eps: 0.6, MinSamples: 3}},
		{"gaussian 20-D", gauss(600, 20, 0.3, 3), 20, DBSCANConfig{Eps: 1.2, MinSamples: 5}},
		{"lattice eps 0.5", lat, latD, DBSCANConfig{Eps: 0.5, MinSamples: 5}},
		{"lattice eps 0.5, min_samples 2", lat, latD, DBSCANConfig{Eps: 0.5, MinSamples: 2}},
		{"lattice eps 0.25", lat2, lat2D, DBSCANConfig{Eps: 0.25, MinSamples: 3}},
		{"lattice, min_samples 30 (neighbours not kept)", lat, latD, DBSCANConfig{Eps: 0.9, MinSamples: 30}},
		{"lattice, min_samples 1", lat2, lat2D, DBSCANConfig{Eps: 0.25, MinSamples: 1}},
		{"grid at spacing eps, 4 neighbours", grid, 2, DBSCANConfig{Eps: 0.5, MinSamples: 5}},
		{"grid at spacing eps, corners excluded", grid, 2, DBSCANConfig{Eps: 0.5, MinSamples: 6}},
		{"duplicates", slices.Repeat([]float64{1, 2, 1, 2.5, 7, 7}, 5), 2, DBSCANConfig{Eps: 0.5, MinSamples: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := bruteDBSCAN(tt.x, tt.d, tt.cfg.Eps, tt.cfg.MinSamples)
			clusters, noise := Count(want)
			t.Logf("%d clusters, %d noise of %d rows", clusters, noise, len(want))
			for _, workers := range []int{1, 4} {
				cfg := tt.cfg
				cfg.Workers = workers
				if got := DBSCAN(tt.x, tt.d, cfg); !slices.Equal(got, want) {
					t.Errorf("workers %d: labels differ from brute force", workers)
				}
			}
		})
	}
}

func TestEpsIndexGroups(t *testing.T) {
	const eps, eps2 = 0.5, 0.25
	tests := []struct {
		name       string
		values     []float64
		discrete   bool
		wantGroups int
	}{
		// 0 and 0.5 are exactly eps apart: one group; 1.5 is farther.
		{"discrete, gap exactly eps", []float64{0, 0.5, 1.5, 0, 0.5}, true, 2},
		{"discrete, gaps 0.3 0.8 0.8 0.3", []float64{0.1, 0.4, 1.2, 2.0, 2.3}, true, 3},
		{"discrete, one value", []float64{3, 3, 3}, true, 1},
		// 200 values: 0, 0.01, ..., 0.99 and 2, 2.01, ..., 2.99 (gap 1.01).
		{"continuous, one wide gap", func() []float64 {
			var v []float64
			for i := 0; i < 100; i++ {
				v = append(v, float64(i)/100, 2+float64(i)/100)
			}
			return v
		}(), false, 2},
		// 0, 0.5, 1, ...: gaps exactly eps never cut.
		{"continuous, gaps exactly eps", func() []float64 {
			var v []float64
			for i := 0; i < 100; i++ {
				v = append(v, float64(i)*0.5)
			}
			return v
		}(), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.values)
			cols := scanColumns(tt.values, n, 1, 1)
			c := &cols[0]
			if c.discrete != tt.discrete {
				t.Fatalf("discrete = %v, want %v", c.discrete, tt.discrete)
			}
			c.cut(tt.values, n, 1, 0, eps, eps2)
			if c.groups != tt.wantGroups {
				t.Errorf("%d groups, want %d", c.groups, tt.wantGroups)
			}
			// Values in different groups are more than eps apart.
			for _, u := range tt.values {
				for _, v := range tt.values {
					if c.groupOf(u) != c.groupOf(v) {
						if diff := u - v; diff*diff <= eps2 {
							t.Errorf("%v and %v are within eps but in groups %d and %d", u, v, c.groupOf(u), c.groupOf(v))
						}
					}
				}
			}
		})
	}

	// Every pair of rows is found by a scan exactly when it is within eps.
	x := []float64{0, 0.1, 0.5, 0.4, 1.5, 1.2, 0, 2.0, 0.5, 2.3, 0.5, 0.1}
	n := len(x) / 2
	ix := newEpsIndex(x, n, 2, eps, 1)
	for s := 0; s < n; s++ {
		found := map[int]bool{}
		ix.scan(s, false, func(t int) bool {
			if ix.near(s, t) {
				found[int(ix.order[t])] = true
			}
			return true
		})
		i := int(ix.order[s])
		for j := 0; j < n; j++ {
			want := j != i && sqDist(x[i*2:i*2+2], x[j*2:j*2+2]) <= eps2
			if found[j] != want {
				t.Errorf("rows %d, %d: found %v, within eps %v", i, j, found[j], want)
			}
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		labels          []int
		clusters, noise int
	}{
		{nil, 0, 0},
		{[]int{-1, -1}, 0, 2},
		{[]int{0, 1, 1, -1, 2, 0}, 3, 1},
	}
	for _, tt := range tests {
		if c, n := Count(tt.labels); c != tt.clusters || n != tt.noise {
			t.Errorf("Count(%v) = %d, %d, want %d, %d", tt.labels, c, n, tt.clusters, tt.noise)
		}
	}
}

func TestDBSCANPanics(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	tests := []struct {
		name string
		fn   func()
	}{
		{"zero columns", func() { DBSCAN(x, 0, DBSCANConfig{Eps: 1, MinSamples: 1}) }},
		{"ragged", func() { DBSCAN(x, 3, DBSCANConfig{Eps: 1, MinSamples: 1}) }},
		{"eps 0", func() { DBSCAN(x, 1, DBSCANConfig{Eps: 0, MinSamples: 1}) }},
		{"eps NaN", func() { DBSCAN(x, 1, DBSCANConfig{Eps: math.NaN(), MinSamples: 1}) }},
		{"eps Inf", func() { DBSCAN(x, 1, DBSCANConfig{Eps: math.Inf(1), MinSamples: 1}) }},
		{"min_samples 0", func() { DBSCAN(x, 1, DBSCANConfig{Eps: 1, MinSamples: 0}) }},
		{"NaN in x", func() { DBSCAN([]float64{0, math.NaN()}, 1, DBSCANConfig{Eps: 1, MinSamples: 1}) }},
		{"Inf in x", func() { DBSCAN([]float64{0, math.Inf(-1)}, 1, DBSCANConfig{Eps: 1, MinSamples: 1, Workers: 2}) }},
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
