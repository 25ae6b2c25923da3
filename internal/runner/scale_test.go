package runner

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/monitor/trend"
)

// The scale benchmarks (make bench-scale, one process each so that the
// peak resident set is the benchmark's own). Each runs whole trials as
// harness run does, with two workers: generation, features, the notebook's
// five models (random forest, isolation forest, attack-type forest,
// k-means, DBSCAN, sampled silhouettes), metrics and every artifact.

// peakRSS returns the process's peak resident set size in bytes (Linux's
// VmHWM), or NaN where /proc is not available.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return math.NaN()
}

// scaleRun runs exp into a fresh directory with two workers, forcing every
// trial, and returns the wall time.
func scaleRun(b *testing.B, exp *experiments.Experiment) time.Duration {
	b.Helper()
	start := time.Now()
	if _, err := Run(context.Background(), exp, Options{Out: b.TempDir(), Workers: 2, Force: true}); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkScaleTrial1M: one trial of 1,000,000 notebook flows. Goal:
// under 60 s and 4 GiB on 2 cores.
func BenchmarkScaleTrial1M(b *testing.B) {
	exp := benchExperiment(b, 1_000_000, notebookModels)
	for b.Loop() {
		scaleRun(b, exp)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/trial")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MiB")
}

// BenchmarkScaleSweep100: a sweep of 100 trials (seeds) of 10,000 flows.
// Goal: under 60 s on 2 cores.
func BenchmarkScaleSweep100(b *testing.B) {
	seeds := make([]string, 100)
	for i := range seeds {
		seeds[i] = strconv.Itoa(i + 1)
	}
	src := fmt.Sprintf("name: sweep100\nseeds: [%s]\ndata: {flows: 10000, anomaly_rate: 0.05}\nsplit: {test_fraction: 0.3, stratify: is_anomaly, scale_on: all}\n%s",
		strings.Join(seeds, ", "), notebookModels)
	exp, err := experiments.Parse([]byte(src), "sweep100.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		scaleRun(b, exp)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/sweep")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MiB")
}

// BenchmarkScaleGrowth times one trial at 10,000 to 1,000,000 flows and
// fits log(time) against log(flows): the slope is how time grows with n
// (1 is linear).
func BenchmarkScaleGrowth(b *testing.B) {
	sizes := []int{10_000, 30_000, 100_000, 300_000, 1_000_000}
	var x, y []float64
	for b.Loop() {
		x, y = x[:0], y[:0]
		for _, n := range sizes {
			d := scaleRun(b, benchExperiment(b, n, notebookModels))
			b.Logf("%8d flows: %6.2f s", n, d.Seconds())
			x, y = append(x, math.Log(float64(n))), append(y, math.Log(d.Seconds()))
		}
	}
	fit, err := trend.Linear(x, y)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(fit.Slope, "loglog-slope")
	b.ReportMetric(fit.R2, "loglog-R2")
}
