package forest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/ml/mltest"
)

// TestRankedAgrees grows the same unweighted trees with the ranked
// builder (rankFeature: histograms, packed or not, or sorts of ranks,
// stable partitions)
// and with the sorting and scanning builder that reproduces scikit-learn's
// splitter row by row (sortFeature, scanFeature): the trees must be
// identical, node for node and bit for bit. The data sets exercise both of
// rankFeature's ways (few distinct values, histogram; many, sort), ranks
// of 1, 2 and 4 bytes, ties, signed zeros, values within 1e-7 of each
// other and 2 to 5 classes.
func TestRankedAgrees(t *testing.T) {
	data := parity(t)
	xParity, yParity := data.Rows(data.Train, data.IsAnomaly)
	_, yTypes := data.Rows(data.Train, data.AnomalyType)

	// Synthetic: 3,000 rows of 6 features of different cardinalities.
	r := rand.New(rand.NewPCG(9, 9))
	const n, d = 3000, 6
	x := make([]float64, n*d)
	y2, y5 := make([]int, n), make([]int, n)
	close := []float64{0.5, float64(math.Nextafter32(0.5, 1)), float64(math.Nextafter32(math.Nextafter32(0.5, 1), 1)), 0.5000002, 1}
	for i := range n {
		row := x[i*d : (i+1)*d]
		row[0] = r.NormFloat64()                                  // continuous: sorted
		row[1] = float64(r.IntN(4))                               // four values: histogram
		row[2] = []float64{math.Copysign(0, -1), 0, 1}[r.IntN(3)] // signed zeros
		row[3] = close[r.IntN(len(close))]                        // within 1e-7 of each other
		row[4] = math.Round(r.NormFloat64()*300) / 7              // a few hundred values
		row[5] = float64(r.IntN(2)) * r.ExpFloat64() * 1e6        // sparse and wide
		score := row[0] + row[1] - 2*row[2] + row[4]/50 + r.NormFloat64()
		if score > 1 {
			y2[i] = 1
		}
		y5[i] = min(max(int(score+2), 0), 4)
	}

	// Wide: 70,000 rows of distinct values, so 4-byte ranks.
	const nWide = 70000
	xWide := make([]float64, 2*nWide)
	yWide := make([]int, nWide)
	for i := range nWide {
		xWide[2*i] = r.NormFloat64()
		xWide[2*i+1] = float64(i%50) + r.Float64()
		if xWide[2*i]+xWide[2*i+1]/25+r.NormFloat64() > 1 {
			yWide[i] = 1
		}
	}

	cases := []struct {
		name    string
		x       []float64
		d       int
		y       []int
		classes int
		cfg     Config
	}{
		{"notebook flows, RF defaults", xParity, data.D, yParity, 2, DefaultConfig(data.D)},
		{"notebook flows, 3 types, min leaf 3", xParity, data.D, yTypes, 3, Config{Trees: 1, MaxFeatures: 4, MinSamplesSplit: 2, MinSamplesLeaf: 3, Bootstrap: true}},
		{"synthetic, 2 classes", x, d, y2, 2, Config{Trees: 1, MaxFeatures: 2, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}},
		{"synthetic, 2 classes, all features, no bootstrap", x, d, y2, 2, Config{Trees: 1, MaxFeatures: d, MinSamplesSplit: 5, MinSamplesLeaf: 2}},
		{"synthetic, 5 classes", x, d, y5, 5, Config{Trees: 1, MaxFeatures: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}},
		{"synthetic, 5 classes, depth 6", x, d, y5, 5, Config{Trees: 1, MaxFeatures: 1, MaxDepth: 6, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}},
		{"wide, 4-byte ranks, depth 8", xWide, 2, yWide, 2, Config{Trees: 1, MaxFeatures: 1, MaxDepth: 8, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}},
	}
	same := cmp.AllowUnexported(Tree{}, predictNode{})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			p := validate(tt.cfg, tt.d)
			prepared := prepare(tt.x, len(tt.y), tt.d, tt.y, tt.classes)
			sorted := newBuilder(prepared, p)
			sorted.ranked = false
			ranked := newBuilder(prepared, p)
			if !ranked.ranked {
				t.Fatal("an unweighted builder is not ranked")
			}
			unpacked := newBuilder(prepared, p)
			unpacked.noPack = true
			nodes := 0
			for seed := range uint64(8) {
				want := sorted.grow(rand.NewPCG(seed, 3), nil)
				got := ranked.grow(rand.NewPCG(seed, 3), nil)
				if diff := cmp.Diff(want, got, same); diff != "" {
					t.Fatalf("seed %d: ranked and sorted trees differ (-sorted +ranked):\n%s", seed, diff)
				}
				if tt.classes == 2 && !ranked.packed {
					t.Fatal("two classes, but the histograms are not packed")
				}
				if diff := cmp.Diff(want, unpacked.grow(rand.NewPCG(seed, 3), nil), same); diff != "" {
					t.Fatalf("seed %d: ranked (unpacked) and sorted trees differ (-sorted +ranked):\n%s", seed, diff)
				}
				nodes += got.NodeCount()
			}
			if nodes < 8*3 {
				t.Errorf("%d nodes in 8 trees; the test exercises little", nodes)
			}
		})
	}
}

// TestRankedAgreesKDD is TestRankedAgrees on KDDTrain+ (41 features of 2
// to 9,326 distinct values), three trees.
func TestRankedAgreesKDD(t *testing.T) {
	if testing.Short() {
		t.Skip("reads NSL-KDD")
	}
	k := mltest.NSLKDD(t)
	p := validate(DefaultConfig(k.D), k.D)
	prepared := prepare(k.TrainX, len(k.TrainY), k.D, k.TrainY, 2)
	sorted := newBuilder(prepared, p)
	sorted.ranked = false
	ranked := newBuilder(prepared, p)
	same := cmp.AllowUnexported(Tree{}, predictNode{})
	for seed := range uint64(3) {
		want := sorted.grow(rand.NewPCG(seed, 4), nil)
		got := ranked.grow(rand.NewPCG(seed, 4), nil)
		if diff := cmp.Diff(want, got, same); diff != "" {
			t.Fatalf("seed %d: ranked and sorted trees differ (-sorted +ranked):\n%s", seed, diff)
		}
	}
}

// TestRankValues checks the ranks of columns of 1, 2 and 4-byte
// cardinality: every row's value is its rank's level bit for bit, the
// levels ascend strictly in sortKey order (-0 below +0, two levels), and
// the width is the narrowest that holds the ranks.
func TestRankValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	negZero := float32(math.Copysign(0, -1))
	tests := []struct {
		name   string
		values func(i int) float32
		levels int // distinct values, where known
		width  int // bytes per rank
	}{
		{"signed zeros", func(i int) float32 { return []float32{negZero, 0, 1}[i%3] }, 3, 1},
		{"256 values", func(i int) float32 { return float32(i%256) - 100 }, 256, 1},
		{"257 values", func(i int) float32 { return float32(i % 257) }, 257, 2},
		{"65536 values", func(i int) float32 { return float32(i%65536) / 7 }, 65536, 2},
		{"continuous", func(int) float32 { return float32(r.NormFloat64()) }, -1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 70000
			col := make([]float32, n)
			keys := make([]uint64, n)
			for i := range col {
				col[i] = tt.values(i)
				keys[i] = sortKey(col[i], int32(i))
			}
			levels, ranks := rankValues(radixSort(keys, make([]uint64, n), 0))
			if tt.levels >= 0 && len(levels) != tt.levels {
				t.Errorf("%d levels, want %d", len(levels), tt.levels)
			}
			width := 4
			switch {
			case ranks.r8 != nil:
				width = 1
			case ranks.r16 != nil:
				width = 2
			}
			if width != tt.width {
				t.Errorf("%d-byte ranks, want %d", width, tt.width)
			}
			for i := 1; i < len(levels); i++ {
				if sortKey(levels[i-1], 0) >= sortKey(levels[i], 0) {
					t.Fatalf("levels %d and %d out of order: %v, %v", i-1, i, levels[i-1], levels[i])
				}
			}
			for i, v := range col {
				if got := levels[ranks.at(i)]; math.Float32bits(got) != math.Float32bits(v) {
					t.Fatalf("row %d: level of rank %d is %v, value %v", i, ranks.at(i), got, v)
				}
			}
		})
	}
}
