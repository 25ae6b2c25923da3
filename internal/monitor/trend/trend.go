// Package trend fits a straight line to a monitored rate over time, such as
// a detector's detection rate per window, and says when the line reaches a
// threshold: "at this pace the detection rate falls below 0.90 in 14 days".
//
// Linear is ordinary least squares by github.com/sajari/regression (QR
// decomposition), the project's one package for trend fits; its types stay
// inside this package. Crossing extrapolates the fitted line. A straight
// line is a statement about the recent past, not a forecast with an
// uncertainty: read R2 and the number of points with it.
//
// Errors: bad data (too few points, NaN or infinite values, every x equal)
// returns an error wrapping one of the sentinels below; x and y of
// different lengths is caller misuse and panics.
package trend

import (
	"errors"
	"fmt"
	"math"

	"github.com/sajari/regression"
)

// Sentinels for errors.Is.
var (
	// ErrTooFew: fewer than 3 points, so no residual is left to judge the
	// line by.
	ErrTooFew = errors.New("trend: fewer than 3 points")
	// ErrNotFinite: an x or y is NaN or infinite; the caller filters.
	ErrNotFinite = errors.New("trend: NaN or infinite value")
	// ErrConstantX: every x is the same, so the slope is undefined.
	ErrConstantX = errors.New("trend: every x is the same")
)

// A PointError is a point that Linear cannot use: a NaN or infinite x or
// y. It wraps ErrNotFinite.
type PointError struct {
	Index int     // 0-based position in x and y
	Axis  string  // "x" or "y"
	Value float64 // the offending value
}

func (e *PointError) Error() string {
	return fmt.Sprintf("trend: point %d: %s is %v", e.Index, e.Axis, e.Value)
}

func (e *PointError) Unwrap() error { return ErrNotFinite }

// A Fit is the least-squares line y = Intercept + Slope·x.
type Fit struct {
	// Slope is the change in y per unit of x (per window, per day: the
	// caller's unit), and Intercept the value of the line at x = 0.
	Slope, Intercept float64
	// R2 is the coefficient of determination, the share of the variance
	// of y that the line explains, in [0, 1] up to rounding.
	R2 float64
	// N is the number of points fitted.
	N int
}

// Linear returns the ordinary least-squares line through the points
// (x[i], y[i]), minimising Σ (y_i − a − b·x_i)², with
//
//	Slope = Σ (x_i − x̄)(y_i − ȳ) / Σ (x_i − x̄)²,  Intercept = ȳ − Slope·x̄,
//	R2 = Σ (ŷ_i − ȳ)² / Σ (y_i − ȳ)²,
//
// solved by sajari/regression's QR decomposition on x − x̄ (centred, so
// that large x such as Unix times keep full precision) and shifted back.
//
// When every y is equal the fit is the flat line through them, Slope 0
// exactly and R2 1 (scikit-learn's r2_score convention for a perfect fit),
// without calling the solver, so that a steady rate cannot show a rounding
// slope and a spurious Crossing.
//
// Cost: sajari/regression forms the full n×n Q factor and formats every
// point into one growing string, so time and memory grow as n²: 0.3 ms
// and 0.6 MB for 100 points, 10 ms and 15 MB for 500, 150 ms and 230 MB
// for 2,000 (BenchmarkLinear). Fit per-window rates, not raw events.
//
// It returns an error wrapping ErrTooFew for fewer than 3 points, a
// *PointError (wrapping ErrNotFinite) for the first NaN or infinite value,
// and ErrConstantX when every x is equal. It panics if x and y have
// different lengths. The inputs are not modified.
func Linear(x, y []float64) (Fit, error) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("trend: %d x values but %d y values", len(x), len(y)))
	}
	n := len(x)
	if n < 3 {
		return Fit{}, fmt.Errorf("%w (got %d)", ErrTooFew, n)
	}
	for i := range n {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return Fit{}, &PointError{Index: i, Axis: "x", Value: x[i]}
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return Fit{}, &PointError{Index: i, Axis: "y", Value: y[i]}
		}
	}
	constantX, constantY := true, true
	for i := 1; i < n; i++ {
		constantX = constantX && x[i] == x[0]
		constantY = constantY && y[i] == y[0]
	}
	if constantX {
		return Fit{}, ErrConstantX
	}
	if constantY {
		return Fit{Slope: 0, Intercept: y[0], R2: 1, N: n}, nil
	}

	meanX := 0.0
	for _, v := range x {
		meanX += v
	}
	meanX /= float64(n)

	// One backing array for every point's single variable.
	centred := make([]float64, n)
	points := make(regression.DataPoints, n)
	for i := range n {
		centred[i] = x[i] - meanX
		points[i] = regression.DataPoint(y[i], centred[i:i+1:i+1])
	}
	var r regression.Regression
	r.Train(points...)
	if err := r.Run(); err != nil {
		return Fit{}, fmt.Errorf("trend: %w", err)
	}
	slope := r.Coeff(1)
	return Fit{
		Slope:     slope,
		Intercept: r.Coeff(0) - slope*meanX,
		R2:        r.R2,
		N:         n,
	}, nil
}

// At returns the value of the line at x, Intercept + Slope·x.
func (f Fit) At(x float64) float64 { return f.Intercept + f.Slope*x }

// Crossing returns where the fitted line, followed beyond x = after,
// reaches threshold: x = (threshold − Intercept) / Slope, whether the line
// falls to it (a detection rate sinking to a floor) or rises to it (a false
// positive rate climbing to a ceiling), with ok true when that x is
// strictly greater than after.
//
// ok is false, and x NaN, when the line never gets there after `after`:
//
//   - Slope is 0 (or not finite): the line never reaches threshold, or
//     lies on it everywhere;
//   - the crossing is at or before after: the line is moving away from
//     threshold, or was already past it at after (compare At(after) with
//     threshold to tell which);
//   - the crossing is too far to represent (the slope is tiny).
//
// after is usually the last x fitted, so that x is when the trend, if it
// holds, reaches threshold.
func (f Fit) Crossing(threshold, after float64) (x float64, ok bool) {
	if f.Slope == 0 || math.IsNaN(f.Slope) || math.IsInf(f.Slope, 0) {
		return math.NaN(), false
	}
	x = (threshold - f.Intercept) / f.Slope
	if !(x > after) || math.IsInf(x, 0) {
		return math.NaN(), false
	}
	return x, true
}
