package scoring

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/forest"
)

// Risk levels and the actions the notebook recommends for them.
const (
	RiskHigh   = "HIGH"
	RiskMedium = "MEDIUM"
	RiskLow    = "LOW"

	ActionIsolate  = "IMMEDIATE_ISOLATION"
	ActionEnhanced = "ENHANCED_MONITORING"
	ActionContinue = "CONTINUE_MONITORING"
)

// Result is the score of one flow, score_network_flow's dictionary.
type Result struct {
	// AnomalyProbability is the detector's probability of the anomaly
	// class: the runner's score for the flow, bit for bit.
	AnomalyProbability float64 `json:"anomaly_probability"`
	// IsAnomaly is the detector's decision under the model's Decision.
	IsAnomaly bool `json:"is_anomaly"`
	// RiskLevel is RiskHigh, RiskMedium or RiskLow by the model's
	// RiskThresholds, and RecommendedAction its action.
	RiskLevel         string `json:"risk_level"`
	RecommendedAction string `json:"recommended_action"`
	// MostLikelyAttackType is the attack-type classifier's most probable
	// class ("normal" among them), the first on a tie as numpy's argmax,
	// and AttackConfidence its probability.
	MostLikelyAttackType string  `json:"most_likely_attack_type"`
	AttackConfidence     float64 `json:"attack_confidence"`
}

// scratch is Score's pooled buffers: the feature vector, the attack
// classes' probabilities and the detector's.
type scratch struct {
	x, p []float64
	dp   [2]float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Score scores one flow as the batch pipeline scores a row of its test
// split: the flow goes through the model's fitted pipeline (its label
// encoders and scaler; same_dept and cross_dept, unless given, derived
// from the departments), and both forests see the same scaled vector, so
// the anomaly probability and the attack type are the runner's for the
// same values bit for bit.
//
// It returns a *FieldError for a flow outside the schema
// (flow.Flow.Validate) or a category the model's encoders were not fitted
// on, and leaves out unchanged. m must be a model that Check accepts. Score does not
// allocate, except for an error, and is safe for concurrent use.
func (m *Model) Score(f *flow.Flow, out *Result) error {
	if err := validate(f); err != nil {
		return err
	}
	d, k := len(m.Pipeline.Columns), m.AttackType.Classes()
	// The buffers are pooled, not on the stack: the classifiers are
	// called through an interface, so what they are passed escapes.
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	if cap(s.x) < d {
		s.x = make([]float64, d)
	}
	if cap(s.p) < k {
		s.p = make([]float64, k)
	}
	x, p := s.x[:d], s.p[:k]
	if err := m.vector(f, x); err != nil {
		return err
	}
	dp := s.dp[:]
	m.Detector.PredictProba(x, dp)
	prob := dp[1]
	var anomaly bool
	if m.Decision.Rule == DecideThreshold {
		anomaly = prob >= m.Decision.Threshold
	} else {
		anomaly = dp[1] > dp[0] // argmax, ties to normal
	}
	res := Result{AnomalyProbability: prob, IsAnomaly: anomaly}
	switch {
	case prob > m.Risk.High:
		res.RiskLevel, res.RecommendedAction = RiskHigh, ActionIsolate
	case prob > m.Risk.Medium:
		res.RiskLevel, res.RecommendedAction = RiskMedium, ActionEnhanced
	default:
		res.RiskLevel, res.RecommendedAction = RiskLow, ActionContinue
	}
	m.AttackType.PredictProba(x, p)
	best := forest.Argmax(p)
	res.MostLikelyAttackType, res.AttackConfidence = m.AttackClasses[best], p[best]
	*out = res
	return nil
}

// batchChunk is the number of flows a ScoreBatch worker takes at a time.
const batchChunk = 64

// ScoreBatch scores flows[i] into out[i] with workers goroutines (<= 0
// means 1). Every result is Score's for that flow alone, whatever the
// number of workers. It returns nil when every flow scored, and otherwise
// one error per flow, nil for those that scored; a flow that failed gets
// a zero Result. It panics if len(out) != len(flows).
func (m *Model) ScoreBatch(flows []flow.Flow, out []Result, workers int) []error {
	if len(out) != len(flows) {
		panic(fmt.Sprintf("scoring: %d results for %d flows", len(out), len(flows)))
	}
	var (
		mu   sync.Mutex
		errs []error
		next atomic.Int64
		wg   sync.WaitGroup
	)
	n := len(flows)
	for range max(1, min(workers, (n+batchChunk-1)/batchChunk)) {
		wg.Go(func() {
			for {
				lo := int(next.Add(batchChunk)) - batchChunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+batchChunk, n); i++ {
					if err := m.Score(&flows[i], &out[i]); err != nil {
						out[i] = Result{}
						mu.Lock()
						if errs == nil {
							errs = make([]error, n)
						}
						errs[i] = err
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// AttackProbabilities returns the attack-type classifier's probability of
// each of m.AttackClasses for the flow, the vector whose argmax Score
// reports, with the same errors as Score. Unlike Score it allocates.
func (m *Model) AttackProbabilities(f *flow.Flow) ([]float64, error) {
	if err := validate(f); err != nil {
		return nil, err
	}
	x := make([]float64, len(m.Pipeline.Columns))
	if err := m.vector(f, x); err != nil {
		return nil, err
	}
	p := make([]float64, m.AttackType.Classes())
	m.AttackType.PredictProba(x, p)
	return p, nil
}

// vector writes the flow's scaled feature vector into x through the
// model's pipeline, an unknown category reported as a *FieldError.
func (m *Model) vector(f *flow.Flow, x []float64) error {
	if err := m.Pipeline.TransformRow(f, x); err != nil {
		var uc *features.UnknownCategoryError
		if errors.As(err, &uc) {
			return &FieldError{Field: uc.Column, Problem: fmt.Sprintf("unknown category %q (fitted classes: %s)", uc.Value, strings.Join(uc.Classes, ", "))}
		}
		return fmt.Errorf("scoring: %w", err)
	}
	return nil
}
