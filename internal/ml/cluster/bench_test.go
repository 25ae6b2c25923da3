package cluster

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Benchmarks on the notebook's flows (mltest.Notebook, 20 scaled features)
// with 2 workers, the machine class scikit-learn 1.2.1 was timed on. The
// scikit-learn figures (2 cores) are in each comment.

var benchData = struct {
	sync.Mutex
	flows map[int]*mltest.Data
}{flows: map[int]*mltest.Data{}}

// notebookFlows generates n flows once per test binary.
func notebookFlows(b *testing.B, n int) *mltest.Data {
	b.Helper()
	benchData.Lock()
	defer benchData.Unlock()
	if d, ok := benchData.flows[n]; ok {
		return d
	}
	d := mltest.Notebook(b, n, 42)
	benchData.flows[n] = d
	return d
}

func benchKMeans(b *testing.B, n int) {
	data := notebookFlows(b, n)
	cfg := KMeansConfig{K: 6, NInit: 10, MaxIter: 300, Tol: 1e-4, Workers: 2}
	b.ReportAllocs()
	for b.Loop() {
		KMeans(data.X, data.D, cfg, rand.New(rand.NewPCG(42, 0)))
	}
}

// scikit-learn KMeans(n_clusters=6, n_init=10): 0.10 s.
func BenchmarkKMeans10k(b *testing.B) { benchKMeans(b, 10_000) }

// scikit-learn: 0.61 s.
func BenchmarkKMeans100k(b *testing.B) { benchKMeans(b, 100_000) }

func benchDBSCAN(b *testing.B, n int) {
	data := notebookFlows(b, n)
	cfg := DBSCANConfig{Eps: 0.5, MinSamples: 5, Workers: 2}
	b.ReportAllocs()
	var labels []int
	for b.Loop() {
		labels = DBSCAN(data.X, data.D, cfg)
	}
	clusters, noise := Count(labels)
	b.ReportMetric(float64(clusters), "clusters")
	b.ReportMetric(float64(noise), "noise")
}

// scikit-learn DBSCAN(eps=0.5, min_samples=5): 0.08 s.
func BenchmarkDBSCAN10k(b *testing.B) { benchDBSCAN(b, 10_000) }

// scikit-learn: 7.5 s.
func BenchmarkDBSCAN100k(b *testing.B) { benchDBSCAN(b, 100_000) }

// The harness's budget is 60 s for a whole trial at 1,000,000 flows; run
// with -bench DBSCAN1M -benchtime 1x (generating the flows takes a while).
func BenchmarkDBSCAN1M(b *testing.B) { benchDBSCAN(b, 1_000_000) }

// kmeansLabels clusters the flows as the notebook did, for the silhouette
// benchmarks.
func kmeansLabels(b *testing.B, data *mltest.Data) []int {
	b.Helper()
	cfg := KMeansConfig{K: 6, NInit: 10, MaxIter: 300, Tol: 1e-4, Workers: 2}
	return KMeans(data.X, data.D, cfg, rand.New(rand.NewPCG(42, 0))).Labels
}

// scikit-learn silhouette_score on all 10,000 rows: 1.3 s.
func BenchmarkSilhouette10k(b *testing.B) {
	data := notebookFlows(b, 10_000)
	labels := kmeansLabels(b, data)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Silhouette(data.X, data.D, labels, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// scikit-learn silhouette_score(sample_size=10000) at 100,000 rows: 1.79 s.
func BenchmarkSilhouetteSample100k(b *testing.B) {
	data := notebookFlows(b, 100_000)
	labels := kmeansLabels(b, data)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := SilhouetteSample(data.X, data.D, labels, 10_000, rand.New(rand.NewPCG(42, 1)), 2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSilhouettePairs times the pair loop of Silhouette10k on one
// goroutine, with the assembly kernel (where the CPU has it) and in Go, per
// pair: the physical limit is about 2d+10 four-lane additions (and d+2
// multiplications and a square root) per four pairs.
func BenchmarkSilhouettePairs(b *testing.B) {
	data := notebookFlows(b, 10_000)
	labels := kmeansLabels(b, data)
	n, d := len(labels), data.D
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return labels[i] - labels[j] })
	xs := make([]float64, n*d)
	lab := make([]int32, n)
	var start []int
	for s, i := range order {
		copy(xs[s*d:s*d+d], data.X[i*d:i*d+d])
		if s == 0 || labels[i] != labels[order[s-1]] {
			start = append(start, s)
		}
		lab[s] = int32(len(start) - 1)
	}
	start = append(start, n)
	k := len(start) - 1
	maxDist, scale := silScale(xs, n, d)
	for _, kernel := range []bool{true, false} {
		p := newSilPairs(xs, n, d, maxDist, scale, kernel)
		name := "go"
		if p.xt != nil {
			name = "asm"
		} else if kernel {
			continue
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				silhouetteTiles(p, k, lab, start, 1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(n)*float64(n-1)/2), "ns/pair")
		})
	}
}
