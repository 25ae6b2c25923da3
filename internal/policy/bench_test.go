package policy

import (
	"testing"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/seed"
)

func BenchmarkRecommend(b *testing.B) {
	f, _, _ := notebookFlows(b, 10000, 1)
	train := allRows(f.Len())
	cfg := policyconfig.DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Recommend(f, train, cfg, seed.New(1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	f, train, test := notebookFlows(b, 10000, 1)
	p, err := Recommend(f, train, policyconfig.DefaultConfig(), seed.New(1))
	if err != nil {
		b.Fatal(err)
	}
	flows := make([]flow.Flow, len(test))
	for k, i := range test {
		flows[k] = f.At(i)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		p.Decide(&flows[k], 0.5)
		if k++; k == len(flows) {
			k = 0
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	f, train, test := notebookFlows(b, 10000, 1)
	p, err := Recommend(f, train, policyconfig.DefaultConfig(), seed.New(1))
	if err != nil {
		b.Fatal(err)
	}
	probability := make([]float64, len(test))
	for k := range probability {
		probability[k] = float64(k%10) / 10
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(p, f, test, probability); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(test)), "flows/op")
}
