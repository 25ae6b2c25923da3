package cluster

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// silhouetteReference is the definition written out in floats, every pair
// summed in row order.
func silhouetteReference(x []float64, d int, labels []int) float64 {
	n := len(labels)
	size := map[int]float64{}
	for _, l := range labels {
		size[l]++
	}
	var total float64
	for i := 0; i < n; i++ {
		sums := map[int]float64{}
		for j := 0; j < n; j++ {
			if j != i {
				sums[labels[j]] += math.Sqrt(sqDist(x[i*d:i*d+d], x[j*d:j*d+d]))
			}
		}
		own := labels[i]
		if size[own] == 1 {
			continue
		}
		a := sums[own] / (size[own] - 1)
		b := math.Inf(1)
		for l, sz := range size {
			if l != own {
				b = min(b, sums[l]/sz)
			}
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(n)
}

// sklearnRandom is scripts/reference/cluster_reference.py's seeded random
// case (numpy RandomState(7), 3 blobs in 3-D, labels -1 twice and one
// singleton 5).
var (
	sklearnRandomPoints = []float64{
		1.691, -0.466, 0.033, 0.408, -0.789, 0.002, -0.001, -1.755, 1.018, 0.6, -0.625, -0.172,
		0.505, -0.261, -0.243, -1.453, 0.555, 0.124, 0.274, -1.527, 1.651, 0.154, -0.387, 2.029,
		2.955, 1.549, 2.595, 0.712, 4.049, 2.584, 2.257, 4.072, 1.349, 3.535, 0.936, 2.338,
		1.796, 4.462, 4.766, 2.671, 3.841, 2.82, 3.568, 2.247, 1.292, 1.197, 3.383, 5.248,
		6.269, 5.475, 7.912, 6.237, 6.101, 6.253, 5.868, 5.691, 4.565, 6.502, 5.905, 7.193,
		5.631, 4.094, 5.9, 7.7, 5.617, 5.11, 4.806, 4.95, 5.7, 4.82, 7.498, 5.717,
	}
	sklearnRandomLabels = []int{0, 0, 0, 0, 0, -1, 0, 0, 1, 1, 1, 1, -1, 1, 1, 1, 2, 2, 2, 2, 5, 2, 2, 2}
)

func TestSilhouette(t *testing.T) {
	tests := []struct {
		name   string
		x      []float64
		d      int
		labels []int
		want   float64
	}{
		{
			// By hand: s = 0.8, 0.75, 1.5/3.5, 3.5/5.5; their mean.
			// scikit-learn 1.2.1: 0.6537337662337662.
			name: "tiny", x: []float64{0, 1, 4, 6}, d: 1, labels: []int{0, 0, 1, 1},
			want: (0.8 + 0.75 + 1.5/3.5 + 3.5/5.5) / 4,
		},
		{
			// The singleton scores 0: (0.9 + 8/9 + 0) / 3.
			// scikit-learn 1.2.1: 0.5962962962962962.
			name: "singleton", x: []float64{0, 1, 10}, d: 1, labels: []int{0, 0, 1},
			want: (0.9 + 8.0/9 + 0) / 3,
		},
		{
			// Noise (-1) is a cluster of its own; scikit-learn 1.2.1.
			name: "noise is a cluster", d: 2,
			x:      []float64{0, 0, 0, 1, 5, 5, 5, 6, 2, 9, 9, 1},
			labels: []int{0, 0, 1, 1, -1, -1},
			want:   0.39060358915136884,
		},
		{
			// scikit-learn 1.2.1 on scripts/reference/cluster_reference.py's
			// random case.
			name: "scikit-learn random case", x: sklearnRandomPoints, d: 3, labels: sklearnRandomLabels,
			want: 0.22791580448134452,
		},
		{
			// Identical rows in two clusters: a = b = 0, 0/0 scores 0
			// (scikit-learn's nan_to_num).
			name: "all rows equal", x: []float64{1, 1, 1, 1}, d: 1, labels: []int{0, 0, 1, 1},
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 3} {
				got, err := Silhouette(tt.x, tt.d, tt.labels, workers)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-tt.want) > 1e-12 {
					t.Errorf("workers %d: Silhouette = %.17g, want %.17g", workers, got, tt.want)
				}
			}
		})
	}
}

func TestSilhouetteLabelCount(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	tests := []struct {
		name   string
		labels []int
	}{
		{"one label", []int{0, 0, 0, 0}},
		{"all noise", []int{-1, -1, -1, -1}},
		{"n labels", []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Silhouette(x, 1, tt.labels, 1); !errors.Is(err, ErrLabelCount) {
				t.Errorf("err = %v, want ErrLabelCount", err)
			}
		})
	}
}

// TestSilhouetteProperties: in [-1, 1]; the definition to 1e-12; the same
// bits whatever the workers and whichever way the sums are taken.
func TestSilhouetteProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 6; trial++ {
		n, d, k := 50+r.IntN(400), 1+r.IntN(6), 2+r.IntN(12)
		x := make([]float64, n*d)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(4)-1))
		}
		labels := make([]int, n)
		for i := range labels {
			labels[i] = r.IntN(k) - 1
		}
		want := silhouetteReference(x, d, labels)
		base, err := silhouette(x, n, d, labels, 1, silTileEntries)
		if err != nil {
			t.Fatal(err)
		}
		if base < -1 || base > 1 {
			t.Errorf("trial %d: %v outside [-1, 1]", trial, base)
		}
		if math.Abs(base-want) > 1e-12 {
			t.Errorf("trial %d: %.17g, definition %.17g", trial, base, want)
		}
		for _, workers := range []int{2, 5} {
			for _, entries := range []int64{silTileEntries, 0} {
				got, err := silhouette(x, n, d, labels, workers, entries)
				if err != nil {
					t.Fatal(err)
				}
				if got != base {
					t.Errorf("trial %d, workers %d, tile entries %d: %.17g, workers 1 gave %.17g", trial, workers, entries, got, base)
				}
			}
		}
	}
}

func TestSilhouetteSample(t *testing.T) {
	x, d := mixedData(600, 2)
	n := len(x) / d
	labels := make([]int, n)
	for i := range labels {
		labels[i] = int(x[i*d+2]) + 2*int(x[i*d+4]+1) // flag and categorical: 6 labels
	}
	full, err := Silhouette(x, d, labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sample of n or more is the full score", func(t *testing.T) {
		for _, size := range []int{n, n + 10} {
			got, used, err := SilhouetteSample(x, d, labels, size, nil, 2)
			if err != nil || got != full || used != n {
				t.Errorf("size %d: %v, %d, %v; want %v, %d, nil", size, got, used, err, full, n)
			}
		}
	})
	t.Run("sample", func(t *testing.T) {
		got, used, err := SilhouetteSample(x, d, labels, 200, rand.New(rand.NewPCG(1, 2)), 2)
		if err != nil || used != 200 {
			t.Fatalf("used %d, err %v", used, err)
		}
		again, _, _ := SilhouetteSample(x, d, labels, 200, rand.New(rand.NewPCG(1, 2)), 1)
		if again != got {
			t.Errorf("same seed: %v then %v", got, again)
		}
		if math.Abs(got-full) > 0.05 {
			t.Errorf("sample score %v far from full %v", got, full)
		}
	})
	t.Run("one label in the sample", func(t *testing.T) {
		one := make([]int, n)
		one[0] = 1
		if _, _, err := SilhouetteSample(x, d, one, 1, rand.New(rand.NewPCG(1, 2)), 1); !errors.Is(err, ErrLabelCount) {
			t.Errorf("err = %v, want ErrLabelCount", err)
		}
	})
}

func TestSilhouettePanics(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	tests := []struct {
		name string
		fn   func()
	}{
		{"labels length", func() { Silhouette(x, 1, []int{0, 1}, 1) }},
		{"ragged", func() { Silhouette(x, 3, []int{0}, 1) }},
		{"sample size 0", func() { SilhouetteSample(x, 1, []int{0, 0, 1, 1}, 0, rand.New(rand.NewPCG(1, 1)), 1) }},
		{"nil rand", func() { SilhouetteSample(x, 1, []int{0, 0, 1, 1}, 2, nil, 1) }},
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

// TestSilhouetteOverflow: rows whose squared distances overflow float64
// (finite values near ±1e154) get ErrNotFinite, not a score computed from
// quantize(+Inf); rows a little closer are scored.
func TestSilhouetteOverflow(t *testing.T) {
	for _, c := range []struct {
		v    float64
		fail bool
	}{
		{1e154, true},   // distance 2e154: its square is beyond MaxFloat64 (1.8e308)
		{4e153, true},   // distance 8e153, square 6.4e307: within float64, but beyond the bound's margin (sqrt(MaxFloat64)/2, 6.7e153)
		{1e153, false},  // distance 2e153, square 4e306
		{1e-154, false}, // tiny distances still get a score
	} {
		x := []float64{-c.v, -c.v, 0.5 * -c.v, c.v, c.v, 0.5 * c.v}
		labels := []int{0, 0, 0, 1, 1, 1}
		s, err := Silhouette(x, 1, labels, 1)
		if c.fail != (err != nil) || (err != nil && !errors.Is(err, ErrNotFinite)) {
			t.Errorf("values ±%g: score %v, error %v; want error %v (ErrNotFinite)", c.v, s, err, c.fail)
		}
		if err == nil && !(s > 0.7 && s <= 1) {
			t.Errorf("values ±%g: score %v, want the well-separated score near 0.83", c.v, s)
		}
	}
}
