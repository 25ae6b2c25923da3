package retrain

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const hour = time.Hour

// scored returns the counts of a model that detected tp of anomalies
// labelled anomalies among samples labelled flows (no false positives).
func scored(samples, anomalies, tp int) Counts {
	return Counts{TP: tp, FN: anomalies - tp, TN: samples - anomalies}
}

// feedback returns a window's feedback scored by the deployed model only.
func feedback(samples, anomalies, tp int) Feedback {
	return Feedback{Samples: samples, Anomalies: anomalies, Current: scored(samples, anomalies, tp)}
}

// obs returns the observation of the window ending at hour h, with no
// drift measured.
func obs(h int, f Feedback) Observation {
	return Observation{Time: time.Duration(h) * hour, Feedback: f, Drift: math.NaN()}
}

func mustNew(t testing.TB, cfg Config) *Policy {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// evaluating returns a policy with cfg that a drift trigger at hour 1,
// with enough samples, put in the Evaluating phase.
func evaluating(t testing.TB, cfg Config) *Policy {
	t.Helper()
	p := mustNew(t, cfg)
	o := obs(1, Feedback{Samples: cfg.MinSamples})
	o.Drift = 1
	if d := p.Observe(o); d.Action != Retrain {
		t.Fatalf("setup: Observe = %v, want retrain; events %+v", d.Action, d.Events)
	}
	return p
}

// kinds returns the events' kinds.
func kinds(events []Event) []Kind {
	var ks []Kind
	for _, e := range events {
		ks = append(ks, e.Kind)
	}
	return ks
}

// ofKind returns the events of kind k.
func ofKind(events []Event, k Kind) []Event {
	var out []Event
	for _, e := range events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

var (
	approx       = cmpopts.EquateApprox(0, 1e-12)
	ignoreReason = cmpopts.IgnoreFields(Event{}, "Reason")
)

func diffEvents(want, got []Event, opts ...cmp.Option) string {
	return cmp.Diff(want, got, append([]cmp.Option{approx, cmpopts.EquateEmpty()}, opts...)...)
}

// testConfig is the configuration the tests' figures are worked out for:
// DefaultConfig with a new-pattern trigger at 5 anomalies, day-long
// rollout stages and a rollback tolerance equal to the promotion margin
// (0.02), so that each rule's boundary falls on round numbers.
func testConfig() Config {
	c := DefaultConfig()
	c.NewPatterns = 5
	c.StageDuration = 24 * time.Hour
	c.RollbackTolerance = 0.02
	return c
}
