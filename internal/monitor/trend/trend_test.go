package trend

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// near reports whether got is within tol of want, relative to |want| when
// |want| > 1.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// relNear reports whether got is within tol·|want| of want.
func relNear(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Abs(want)
}

// line returns n points (i, intercept + slope·i).
func line(n int, intercept, slope float64) (x, y []float64) {
	x, y = make([]float64, n), make([]float64, n)
	for i := range n {
		x[i] = float64(i)
		y[i] = intercept + float64(slope*x[i]) // the conversion forbids a fused multiply-add
	}
	return x, y
}

func TestExactLines(t *testing.T) {
	for _, tc := range []struct {
		name             string
		n                int
		intercept, slope float64
	}{
		{name: "falling detection rate", n: 50, intercept: 0.99, slope: -0.001},
		{name: "rising false positive rate", n: 30, intercept: 0.002, slope: 0.0005},
		{name: "three points", n: 3, intercept: 1, slope: 2},
		{name: "long", n: 2000, intercept: 0.95, slope: -1e-5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := line(tc.n, tc.intercept, tc.slope)
			fit, err := Linear(x, y)
			if err != nil {
				t.Fatal(err)
			}
			if !relNear(fit.Slope, tc.slope, 1e-12) || !near(fit.Intercept, tc.intercept, 1e-12) || !near(fit.R2, 1, 1e-12) || fit.N != tc.n {
				t.Errorf("Linear = %+v, want slope %v, intercept %v, R2 1, N %d", fit, tc.slope, tc.intercept, tc.n)
			}
		})
	}
}

// y = 0.99 − 0.001x reaches 0.90 at x = 90, by hand.
func TestCrossingOfFittedLine(t *testing.T) {
	x, y := line(50, 0.99, -0.001)
	fit, err := Linear(x, y)
	if err != nil {
		t.Fatal(err)
	}
	at, ok := fit.Crossing(0.90, 49)
	if !ok || !near(at, 90, 1e-9) {
		t.Errorf("Crossing(0.90, 49) = %v, %v; want 90, true", at, ok)
	}
	if got := fit.At(at); !near(got, 0.90, 1e-12) {
		t.Errorf("At(%v) = %v, want 0.90", at, got)
	}
}

// Crossing on lines given by hand: x = (threshold − Intercept) / Slope when
// that is after `after`.
func TestCrossing(t *testing.T) {
	falling := Fit{Slope: -0.001, Intercept: 0.99}
	rising := Fit{Slope: 0.0005, Intercept: 0.002}
	for _, tc := range []struct {
		name             string
		fit              Fit
		threshold, after float64
		want             float64
		ok               bool
	}{
		{name: "falling to a floor", fit: falling, threshold: 0.90, after: 49, want: 90, ok: true},
		{name: "falling, from before the data", fit: falling, threshold: 0.90, after: -10, want: 90, ok: true},
		{name: "rising to a ceiling", fit: rising, threshold: 0.02, after: 29, want: 36, ok: true},
		{name: "falling away from a ceiling", fit: falling, threshold: 1.0, after: 49},
		{name: "rising away from a floor", fit: rising, threshold: 0.001, after: 29},
		{name: "already past the floor", fit: falling, threshold: 0.90, after: 100},
		{name: "crossing exactly at after", fit: Fit{Slope: -1, Intercept: 10}, threshold: 5, after: 5},
		{name: "flat", fit: Fit{Slope: 0, Intercept: 0.95}, threshold: 0.90, after: 0},
		{name: "flat on the threshold", fit: Fit{Slope: 0, Intercept: 0.90}, threshold: 0.90, after: 0},
		{name: "too far to represent", fit: Fit{Slope: -1e-320, Intercept: 0.99}, threshold: 0.90, after: 0},
		{name: "NaN slope", fit: Fit{Slope: math.NaN(), Intercept: 0.99}, threshold: 0.90, after: 0},
		{name: "NaN threshold", fit: falling, threshold: math.NaN(), after: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.fit.Crossing(tc.threshold, tc.after)
			if ok != tc.ok {
				t.Fatalf("Crossing(%v, %v) = %v, %v; want ok %v", tc.threshold, tc.after, got, ok, tc.ok)
			}
			if !ok && !math.IsNaN(got) {
				t.Errorf("Crossing(%v, %v) = %v, false; want NaN", tc.threshold, tc.after, got)
			}
			if ok && !near(got, tc.want, 1e-9) {
				t.Errorf("Crossing(%v, %v) = %v, want %v", tc.threshold, tc.after, got, tc.want)
			}
		})
	}
}

// Expected values calculated by numpy 1.24.2, numpy.polyfit(x, y, 1), R²
// as 1 − SS_res/SS_tot of that line (testdata/trend_reference.py). "three
// points" is also by hand: slope 3/2, intercept 5/6, R² = 4.5 / (14/3) =
// 27/28.
func TestLinearNumpy(t *testing.T) {
	hourlyX, hourlyY := make([]float64, 500), make([]float64, 500)
	for i := range 500 {
		hourlyX[i] = 1.7e9 + float64(3600*i)
		hourlyY[i] = float64(i*37%101)/1000 + 0.9 - float64(float64(i)*1e-4)
	}
	dailyX, dailyY := make([]float64, 60), make([]float64, 60)
	for i := range 60 {
		dailyX[i] = float64(i)
		dailyY[i] = 0.01 + float64(float64(i)*2.5e-4) + float64(float64(i*7%5-2)*1e-3)
	}
	for _, tc := range []struct {
		name                 string
		x, y                 []float64
		slope, intercept, r2 float64
	}{
		{name: "three points", x: []float64{0, 1, 2}, y: []float64{1, 2, 4}, slope: 1.5000000000000004, intercept: 0.8333333333333334, r2: 0.9642857142857143},
		{name: "uneven", x: []float64{0.5, 1.5, 2.0, 4.0, 7.5, 8.0}, y: []float64{0.98, 0.97, 0.975, 0.95, 0.93, 0.91}, slope: -0.008553820870994235, intercept: 0.9860024650780608, r2: 0.9543973769244388},
		{name: "hourly", x: hourlyX, y: hourlyY, slope: -2.734189603425263e-08, intercept: 47.43082574924744, r2: 0.19163667816499252},
		{name: "daily", x: dailyX, y: dailyY, slope: 0.0002533342595165323, intercept: 0.009901639344262298, r2: 0.9060162240321583},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fit, err := Linear(tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if !relNear(fit.Slope, tc.slope, 1e-10) || !relNear(fit.Intercept, tc.intercept, 1e-10) || !relNear(fit.R2, tc.r2, 1e-10) || fit.N != len(tc.x) {
				t.Errorf("Linear = %+v, want slope %v, intercept %v, R2 %v", fit, tc.slope, tc.intercept, tc.r2)
			}
		})
	}
}

// 200 windows of a detection rate falling by 5e-4 a window, with N(0, 0.01)
// noise from a seeded PCG. The slope's standard error is
// σ/√Σ(x−x̄)² = 0.01/√666,650 = 1.2e-5; the tolerance is 4 of those.
func TestNoisySlope(t *testing.T) {
	const (
		n         = 200
		intercept = 0.97
		slope     = -5e-4
		sigma     = 0.01
	)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := line(n, intercept, slope)
	for i := range y {
		y[i] += sigma * rng.NormFloat64()
	}
	fit, err := Linear(x, y)
	if err != nil {
		t.Fatal(err)
	}
	sumSquares := 0.0
	for _, v := range x {
		sumSquares += (v - 99.5) * (v - 99.5)
	}
	standardError := sigma / math.Sqrt(sumSquares)
	if math.Abs(fit.Slope-slope) > 4*standardError {
		t.Errorf("Slope = %v, want %v ± %v", fit.Slope, slope, 4*standardError)
	}
	// The intercept's standard error is σ·√(1/n + x̄²/Σ(x−x̄)²) = 1.4e-3.
	if math.Abs(fit.Intercept-intercept) > 4*sigma*math.Sqrt(1.0/n+99.5*99.5/sumSquares) {
		t.Errorf("Intercept = %v, want %v", fit.Intercept, intercept)
	}
	// The line explains most of the variance: Var(slope·x) = 8.3e-4 against
	// σ² = 1e-4, so R² is near 8.3/9.3 = 0.89.
	if fit.R2 < 0.8 || fit.R2 > 1 {
		t.Errorf("R2 = %v, want in [0.8, 1]", fit.R2)
	}
	t.Logf("%+v (slope error %.2g standard errors)", fit, (fit.Slope-slope)/standardError)
}

// A steady rate gives a flat line and no crossing, whatever the rounding.
func TestConstantY(t *testing.T) {
	x := []float64{1.7e9, 1.7e9 + 3600, 1.7e9 + 7200, 1.7e9 + 10800}
	y := []float64{1, 1, 1, 1}
	fit, err := Linear(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Fit{Slope: 0, Intercept: 1, R2: 1, N: 4}); fit != want {
		t.Errorf("Linear = %+v, want %+v", fit, want)
	}
	if at, ok := fit.Crossing(0.9, x[3]); ok {
		t.Errorf("Crossing(0.9, …) = %v, true; want false", at)
	}
}

func TestInputsUnmodified(t *testing.T) {
	x := []float64{3, 1, 2, 5}
	y := []float64{0.9, 0.95, 0.93, 0.85}
	if _, err := Linear(x, y); err != nil {
		t.Fatal(err)
	}
	if x[0] != 3 || x[1] != 1 || x[2] != 2 || x[3] != 5 || y[0] != 0.9 || y[3] != 0.85 {
		t.Errorf("inputs modified: %v, %v", x, y)
	}
}

func TestErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name  string
		x, y  []float64
		want  error
		point *PointError // nil: not a *PointError
	}{
		{name: "no points", want: ErrTooFew},
		{name: "two points", x: []float64{0, 1}, y: []float64{1, 2}, want: ErrTooFew},
		{name: "NaN y", x: []float64{0, 1, 2}, y: []float64{1, nan, 3}, want: ErrNotFinite, point: &PointError{Index: 1, Axis: "y"}},
		{name: "NaN x", x: []float64{0, 1, nan}, y: []float64{1, 2, 3}, want: ErrNotFinite, point: &PointError{Index: 2, Axis: "x"}},
		{name: "infinite y", x: []float64{0, 1, 2, 3}, y: []float64{-inf, 1, 2, 3}, want: ErrNotFinite, point: &PointError{Index: 0, Axis: "y"}},
		{name: "infinite x", x: []float64{0, inf, 2}, y: []float64{1, 2, 3}, want: ErrNotFinite, point: &PointError{Index: 1, Axis: "x"}},
		{name: "constant x", x: []float64{4, 4, 4}, y: []float64{1, 2, 3}, want: ErrConstantX},
		{name: "constant x and y", x: []float64{4, 4, 4}, y: []float64{1, 1, 1}, want: ErrConstantX},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Linear(tc.x, tc.y)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			var pointErr *PointError
			if got := errors.As(err, &pointErr); got != (tc.point != nil) {
				t.Fatalf("error %v: is a *PointError = %v, want %v", err, got, tc.point != nil)
			}
			if tc.point != nil && (pointErr.Index != tc.point.Index || pointErr.Axis != tc.point.Axis) {
				t.Errorf("Index, Axis = %d, %q; want %d, %q", pointErr.Index, pointErr.Axis, tc.point.Index, tc.point.Axis)
			}
		})
	}
	if got, want := (&PointError{Index: 1, Axis: "y", Value: nan}).Error(), "trend: point 1: y is NaN"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Linear with 3 x and 2 y values did not panic")
		}
	}()
	Linear([]float64{1, 2, 3}, []float64{1, 2}) //nolint:errcheck // panics
}

// BenchmarkLinear fits noisy lines of 100, 500 and 2,000 points; the cost
// is sajari/regression's, quadratic in the number of points.
func BenchmarkLinear(b *testing.B) {
	for _, n := range []int{100, 500, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			x, y := line(n, 0.97, -1e-5)
			for i := range y {
				y[i] += 0.01 * rng.NormFloat64()
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Linear(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
