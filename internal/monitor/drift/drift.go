// Package drift measures how far a monitoring window of one numeric column
// (a detector's anomaly score, a flow feature) has moved from a reference
// sample of the same column, such as the scores on the training split.
//
// Two statistics are offered, as free functions for a one-off comparison
// and as methods of a Reference for scoring many windows against one
// reference sample:
//
//   - PSI, the population stability index over equal-frequency bins of the
//     reference: Σ (a_i − e_i) ln(a_i / e_i), where e_i and a_i are the
//     shares of the reference and of the window in bin i. It is 0 for
//     identical binned shares and grows with the shift; a common reading is
//     < 0.1 stable, 0.1–0.25 moderate, > 0.25 large.
//   - KS, the two-sample Kolmogorov–Smirnov statistic D = sup |F_a − F_b|
//     of the two empirical distribution functions, with the asymptotic
//     two-sided p-value of Kolmogorov's limiting distribution.
//
// Values are ordered as float64s, so ±Inf are ordinary values at the ends;
// NaN has no order and is an error (the caller filters).
//
// Errors: the free functions and NewReference return a *SampleError wrapping
// ErrEmpty or ErrNaN for bad data, and an error wrapping ErrBins for fewer
// than 2 bins. The Reference methods, which score windows in a hot loop,
// return NaN instead for an empty window or one holding NaN.
//
// The functions are pure: no state, no randomness, inputs are not modified.
package drift

import (
	"errors"
	"fmt"
)

// Sentinels for errors.Is.
var (
	// ErrEmpty: a sample has no values.
	ErrEmpty = errors.New("drift: empty sample")
	// ErrNaN: a sample holds a NaN value.
	ErrNaN = errors.New("drift: NaN value")
	// ErrBins: fewer than 2 bins were asked for.
	ErrBins = errors.New("drift: fewer than 2 bins")
)

// A SampleError is a sample that cannot be used: empty, or holding NaN.
type SampleError struct {
	// Sample names the argument: "expected", "actual", "a", "b" or
	// "reference".
	Sample string
	// Index is the 0-based position of the offending value, or -1 when the
	// sample is empty.
	Index int
	// Err is ErrEmpty or ErrNaN.
	Err error
}

func (e *SampleError) Error() string {
	switch {
	case e.Err == ErrEmpty:
		return fmt.Sprintf("drift: %s sample is empty", e.Sample)
	case e.Err == ErrNaN:
		return fmt.Sprintf("drift: %s sample: value %d is NaN", e.Sample, e.Index)
	}
	return fmt.Sprintf("drift: %s sample: value %d: %v", e.Sample, e.Index, e.Err)
}

func (e *SampleError) Unwrap() error { return e.Err }

// check returns a *SampleError if values is empty or holds a NaN.
func check(name string, values []float64) error {
	if len(values) == 0 {
		return &SampleError{Sample: name, Index: -1, Err: ErrEmpty}
	}
	for i, v := range values {
		if v != v {
			return &SampleError{Sample: name, Index: i, Err: ErrNaN}
		}
	}
	return nil
}
