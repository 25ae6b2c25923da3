package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
)

// benchFlows returns the notebook experiment's model and its test flows.
func benchFlows(b *testing.B) (*Model, []flow.Flow) {
	tr := trainLikeRunner(b, notebookExperiment)
	flows := make([]flow.Flow, len(tr.test))
	for j, i := range tr.test {
		flows[j] = tr.flows.At(i)
	}
	return tr.model, flows
}

// BenchmarkScore scores one flow at a time (the test flows in turn) and
// reports the median and 99th percentile of the per-call latency, timed
// call by call (time.Now's own cost, tens of nanoseconds, included).
func BenchmarkScore(b *testing.B) {
	m, flows := benchFlows(b)
	samples := make([]time.Duration, b.N)
	var res Result
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := m.Score(&flows[i%len(flows)], &res); err != nil {
			b.Fatal(err)
		}
		samples[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(samples[min(len(samples)-1, len(samples)*99/100)].Nanoseconds()), "p99-ns")
}

// BenchmarkScoreBatch scores the 3,000 test flows with two workers and
// reports flows per second.
func BenchmarkScoreBatch(b *testing.B) {
	m, flows := benchFlows(b)
	out := make([]Result, len(flows))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if errs := m.ScoreBatch(flows, out, 2); errs != nil {
			b.Fatal(errs)
		}
	}
	b.ReportMetric(float64(b.N*len(flows))/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkScoreStream scores the 3,000 test flows as a JSON Lines stream
// (decode, score, encode, in order) with 1 and 2 workers and reports
// flows per second: ScoreBatch's work plus the JSON at both ends.
func BenchmarkScoreStream(b *testing.B) {
	m, flows := benchFlows(b)
	var in bytes.Buffer
	for i := range flows {
		line, err := json.Marshal(&flows[i])
		if err != nil {
			b.Fatal(err)
		}
		in.Write(append(line, '\n'))
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(in.Len()))
			for b.Loop() {
				n, err := m.ScoreStream(b.Context(), bytes.NewReader(in.Bytes()), io.Discard, StreamOptions{Workers: workers})
				if err != nil || n.Scored != len(flows) {
					b.Fatalf("%+v, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.N*len(flows))/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

// BenchmarkScoreParts times Score's steps on their own: where the time
// goes.
func BenchmarkScoreParts(b *testing.B) {
	m, flows := benchFlows(b)
	d := len(m.Pipeline.Columns)
	x := make([]float64, d*len(flows))
	for j := range flows {
		if err := m.Pipeline.TransformRow(&flows[j], x[j*d:(j+1)*d]); err != nil {
			b.Fatal(err)
		}
	}
	nodes := func(trees int, count func(i int) int) float64 {
		total := 0
		for i := range trees {
			total += count(i)
		}
		return float64(total) / float64(trees)
	}
	b.Logf("detector: %d trees, %.0f nodes each on average; attack type: %d trees, %.0f nodes each",
		len(m.Detector.(*forest.Forest).Trees()), nodes(len(m.Detector.(*forest.Forest).Trees()), func(i int) int { return m.Detector.(*forest.Forest).Trees()[i].NodeCount() }),
		len(m.AttackType.(*forest.Forest).Trees()), nodes(len(m.AttackType.(*forest.Forest).Trees()), func(i int) int { return m.AttackType.(*forest.Forest).Trees()[i].NodeCount() }))
	b.Run("validate+transform", func(b *testing.B) {
		out := make([]float64, d)
		for i := range b.N {
			f := &flows[i%len(flows)]
			if err := f.Validate(); err != nil {
				b.Fatal(err)
			}
			if err := m.Pipeline.TransformRow(f, out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("detector", func(b *testing.B) {
		var p [2]float64
		for i := range b.N {
			j := i % len(flows)
			m.Detector.PredictProba(x[j*d:(j+1)*d], p[:])
		}
	})
	b.Run("attack_type", func(b *testing.B) {
		p := make([]float64, m.AttackType.Classes())
		for i := range b.N {
			j := i % len(flows)
			m.AttackType.PredictProba(x[j*d:(j+1)*d], p)
		}
	})
}
