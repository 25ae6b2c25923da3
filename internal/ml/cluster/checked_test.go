package cluster

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestChecked: what KMeans and DBSCAN panic on, KMeansChecked and
// DBSCANChecked return as errors, never panicking; a value that is NaN or
// infinite is an *InputError naming its row and column. On valid data the
// results are KMeans's and DBSCAN's.
func TestChecked(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	nan, inf := math.NaN(), math.Inf(1)
	r := func() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
	for _, tt := range []struct {
		name     string
		call     func() error
		panics   func()
		want     string
		row, col int
		input    bool
	}{
		{name: "kmeans zero columns", call: func() error { _, err := KMeansChecked(x, 0, KMeansConfig{K: 1}, r()); return err },
			panics: func() { KMeans(x, 0, KMeansConfig{K: 1}, r()) }, want: "cluster: number of columns must be positive"},
		{name: "kmeans K > n", call: func() error { _, err := KMeansChecked(x, 1, KMeansConfig{K: 5}, r()); return err },
			panics: func() { KMeans(x, 1, KMeansConfig{K: 5}, r()) }, want: "cluster: KMeans needs 1 <= K <= number of rows"},
		{name: "kmeans NaN Tol", call: func() error { _, err := KMeansChecked(x, 1, KMeansConfig{K: 1, Tol: nan}, r()); return err },
			panics: func() { KMeans(x, 1, KMeansConfig{K: 1, Tol: nan}, r()) }, want: "cluster: Tol must be >= 0"},
		{name: "kmeans nil rand", call: func() error { _, err := KMeansChecked(x, 1, KMeansConfig{K: 1}, nil); return err },
			panics: func() { KMeans(x, 1, KMeansConfig{K: 1}, nil) }, want: "cluster: nil *rand.Rand"},
		{name: "kmeans NaN in x", call: func() error { _, err := KMeansChecked([]float64{0, 1, 2, nan}, 2, KMeansConfig{K: 1}, r()); return err },
			panics: func() { KMeans([]float64{0, 1, 2, nan}, 2, KMeansConfig{K: 1}, r()) },
			want:   "cluster: x[1][1] = NaN is not a finite number", row: 1, col: 1, input: true},
		{name: "dbscan ragged", call: func() error { _, err := DBSCANChecked(x, 3, DBSCANConfig{Eps: 1, MinSamples: 1}); return err },
			panics: func() { DBSCAN(x, 3, DBSCANConfig{Eps: 1, MinSamples: 1}) }, want: "cluster: len(x) is not a multiple"},
		{name: "dbscan eps Inf", call: func() error { _, err := DBSCANChecked(x, 1, DBSCANConfig{Eps: inf, MinSamples: 1}); return err },
			panics: func() { DBSCAN(x, 1, DBSCANConfig{Eps: inf, MinSamples: 1}) }, want: "cluster: Eps must be positive and finite"},
		{name: "dbscan min_samples 0", call: func() error { _, err := DBSCANChecked(x, 1, DBSCANConfig{Eps: 1}); return err },
			panics: func() { DBSCAN(x, 1, DBSCANConfig{Eps: 1}) }, want: "cluster: MinSamples must be >= 1"},
		{name: "dbscan Inf in x", call: func() error {
			_, err := DBSCANChecked([]float64{0, -inf, 1, 2}, 1, DBSCANConfig{Eps: 1, MinSamples: 1})
			return err
		},
			panics: func() { DBSCAN([]float64{0, -inf, 1, 2}, 1, DBSCANConfig{Eps: 1, MinSamples: 1}) },
			want:   "cluster: x[1][0] = -Inf is not a finite number", row: 1, input: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want one starting %q", err, tt.want)
			}
			var ie *InputError
			if errors.As(err, &ie) != tt.input {
				t.Fatalf("error %T, want an *InputError: %v", err, tt.input)
			}
			if ie != nil && (ie.Row != tt.row || ie.Column != tt.col) {
				t.Errorf("InputError at row %d, column %d, want %d, %d", ie.Row, ie.Column, tt.row, tt.col)
			}
			defer func() {
				if recover() == nil {
					t.Error("the unchecked function does not panic")
				}
			}()
			tt.panics()
		})
	}

	data := []float64{0, 0, 0.1, 0, 5, 5, 5.1, 5, 9, 0}
	km := KMeans(data, 2, KMeansConfig{K: 2, NInit: 3}, r())
	kmc, err := KMeansChecked(data, 2, KMeansConfig{K: 2, NInit: 3}, r())
	if err != nil || !slices.Equal(km.Labels, kmc.Labels) || km.Inertia != kmc.Inertia {
		t.Errorf("KMeansChecked: %v, %v; KMeans: %v", kmc, err, km)
	}
	db := DBSCAN(data, 2, DBSCANConfig{Eps: 0.5, MinSamples: 2})
	dbc, err := DBSCANChecked(data, 2, DBSCANConfig{Eps: 0.5, MinSamples: 2})
	if err != nil || !slices.Equal(db, dbc) {
		t.Errorf("DBSCANChecked: %v, %v; DBSCAN: %v", dbc, err, db)
	}
}

// TestSilhouetteNotFinite: a value that is NaN or infinite, or distances
// beyond float64, leave the silhouette undefined, an error wrapping
// ErrNotFinite. Before, NaN gave 8.2e15 and 1e300 NaN, as if measured.
func TestSilhouetteNotFinite(t *testing.T) {
	labels := []int{0, 0, 0, 1, 1, 1}
	for _, v := range []float64{math.NaN(), math.Inf(1), 1e300} {
		x := []float64{0, 0, 1, 1, v, 2, 3, 3, 0.5, 0.2, 4, 4}
		if s, err := Silhouette(x, 2, labels, 1); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%v in x: silhouette %v, error %v; want ErrNotFinite", v, s, err)
		}
		if s, _, err := SilhouetteSample(x, 2, labels, 6, rand.New(rand.NewPCG(1, 1)), 1); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%v in x: sampled silhouette %v, error %v; want ErrNotFinite", v, s, err)
		}
	}
}
