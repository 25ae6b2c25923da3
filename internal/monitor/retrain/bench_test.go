package retrain

import (
	"math"
	"testing"
	"time"
)

// BenchmarkObserve measures one 5-minute window of healthy feedback
// (detection 0.95, no drift): the no-event path a simulation takes almost
// always. The feedback window holds 288 windows.
func BenchmarkObserve(b *testing.B) {
	cfg := testConfig()
	cfg.Schedule = 0 // so that the run never triggers
	p := mustNew(b, cfg)
	f := feedback(40, 20, 19)
	now := time.Duration(0)
	b.ReportAllocs()
	for b.Loop() {
		now += 5 * time.Minute
		if d := p.Observe(Observation{Time: now, Feedback: f, Drift: 0.05}); d.Events != nil {
			b.Fatalf("unexpected events %+v", d.Events)
		}
	}
}

// BenchmarkObserveRollingOut measures a window during a rollout stage so
// long that it never ends.
func BenchmarkObserveRollingOut(b *testing.B) {
	cfg := testConfig()
	cfg.StageDuration = math.MaxInt64
	p := evaluating(b, cfg)
	p.ABResult(hour, 0.9, 0.95)
	f := Feedback{Samples: 40, Anomalies: 20, Current: Counts{TP: 17, FN: 1}, Candidate: Counts{TP: 2}}
	now := hour
	b.ReportAllocs()
	for b.Loop() {
		now += 5 * time.Minute
		p.Observe(Observation{Time: now, Feedback: f, Drift: math.NaN()})
	}
}
