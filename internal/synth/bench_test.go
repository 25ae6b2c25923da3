package synth

import (
	"runtime"
	"testing"
)

// BenchmarkGenerate1M generates the notebook's recipe, 1,000,000 flows at
// a 5% anomaly rate, on one core (the goal: under 1 s). live-
// bytes/flow is the heap the generated Flows hold after a collection.
func BenchmarkGenerate1M(b *testing.B) {
	benchmarkGenerate(b, 1)
}

// BenchmarkGenerate1MParallel is the same with every core; the output is
// identical (TestGenerateDeterministic).
func BenchmarkGenerate1MParallel(b *testing.B) {
	benchmarkGenerate(b, runtime.NumCPU())
}

func benchmarkGenerate(b *testing.B, workers int) {
	const n = 1_000_000
	cfg := Config{Generator: GeneratorNotebook, Flows: n, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{"crypto_mining": 0.6, "lateral_movement": 0.4}, Workers: workers}
	if workers == 1 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	for b.Loop() {
		if _, err := Generate(cfg, 42); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, _ := Generate(cfg, 42)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "live-bytes/flow")
	runtime.KeepAlive(f)
}
