// Package linear is scikit-learn 1.2.1's LogisticRegression with the lbfgs
// solver (sklearn/linear_model/_logistic.py, _logistic_regression_path, and
// _linear_loss.py, LinearModelLoss), for two classes.
//
// # The model
//
// For rows x_i (d features) with labels y_i in {0, 1}, coefficients w and an
// intercept b, the probability of class 1 is
//
//	p_i = sigmoid(z_i) = 1 / (1 + exp(-z_i)),  z_i = w·x_i + b.
//
// Fit minimises scikit-learn 1.2's objective (LinearModelLoss.loss_gradient
// with HalfBinomialLoss and l2_reg_strength = 1/C):
//
//	f(w, b) = sum_i s_i (log(1 + exp(z_i)) - y_i z_i) + ||w||² / (2C)
//
// a sum, not a mean, over the rows; the intercept is not penalised. The
// sample weights s_i are 1, or with class weight "balanced" n / (2 n_c) for
// a row of class c, where n_c counts the rows of class c
// (compute_class_weight). Its gradient is
//
//	∂f/∂w = sum_i s_i (p_i - y_i) x_i + w / C,  ∂f/∂b = sum_i s_i (p_i - y_i).
//
// # The solver
//
// scikit-learn calls scipy's L-BFGS-B from w = 0, b = 0 with gtol = tol and
// maxiter = max_iter, its other options at their defaults (10 corrections,
// factr 1e7, a Moré–Thuente line search with ftol 1e-3, gtol 0.9, xtol 0.1).
// Fit runs gonum's L-BFGS with the same memory and the same line search
// constants, and stops as L-BFGS-B does: when the largest gradient component
// is at most tol, when an iteration lowers f by no more than
// 2.2e-9·max(|f_old|, |f|, 1) (factr times the float64 epsilon), or after
// MaxIter iterations. The last is scikit-learn's ConvergenceWarning; Fit
// records it as Logistic.Note. Without bounds L-BFGS-B's direction is the
// two-loop L-BFGS direction, so both follow the same path up to rounding;
// the minimum they reach agrees to the stopping tolerances (see the tests
// for the measured differences).
//
// # What is not ported
//
// The multinomial loss (three or more classes), penalties other than L2,
// sample weights other than the class weights, fit_intercept=false, warm
// starts and the other solvers.
package linear

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/optimize"
)

// Class weights.
const (
	ClassWeightNone     = "none"
	ClassWeightBalanced = "balanced"
)

// factrEps is L-BFGS-B's relative reduction tolerance, factr = 1e7 times
// the float64 machine epsilon (scipy's default ftol 2.220446049250313e-09).
const factrEps = 1e7 * 2.220446049250313e-16

// blockRows is the rows one goroutine sums at a time. Partial sums are added
// in block order, so results do not depend on Config.Workers.
const blockRows = 2048

// Config is a fit's settings, scikit-learn's names in parentheses.
type Config struct {
	C           float64 // inverse regularisation strength (C), > 0
	ClassWeight string  // "", "none" or "balanced" (class_weight)
	MaxIter     int     // L-BFGS iterations (max_iter), >= 1
	Tol         float64 // largest gradient component at convergence (tol), >= 0
	Workers     int     // goroutines summing the loss; results do not depend on it
}

// DefaultConfig is scikit-learn's LogisticRegression(): C 1, no class
// weight, max_iter 100, tol 1e-4.
func DefaultConfig() Config {
	return Config{C: 1, ClassWeight: ClassWeightNone, MaxIter: 100, Tol: 1e-4, Workers: 1}
}

// Logistic is a fitted binary logistic regression.
type Logistic struct {
	coef      []float64
	intercept float64
	iters     int
	converged bool
	note      string
	loss      float64
}

// Coef returns the coefficients w (scikit-learn's coef_[0]); the slice is
// the model's own.
func (m *Logistic) Coef() []float64 { return m.coef }

// Intercept returns b (intercept_[0]).
func (m *Logistic) Intercept() float64 { return m.intercept }

// Iterations returns the L-BFGS iterations run (n_iter_[0]).
func (m *Logistic) Iterations() int { return m.iters }

// Converged reports whether the solver stopped on its tolerances rather than
// on MaxIter or a failed line search.
func (m *Logistic) Converged() bool { return m.converged }

// Note is "" when the fit converged, else why it did not, as scikit-learn's
// ConvergenceWarning.
func (m *Logistic) Note() string { return m.note }

// Loss returns the objective f at the fitted coefficients.
func (m *Logistic) Loss() float64 { return m.loss }

// D returns the number of features.
func (m *Logistic) D() int { return len(m.coef) }

// Sigmoid is 1 / (1 + exp(-z)), computed without overflow.
func Sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// log1pexp is log(1 + exp(z)) without overflow or loss of precision
// (scikit-learn's _loss.pyx log1pexp uses the same thresholds).
func log1pexp(z float64) float64 {
	switch {
	case z <= -37:
		return math.Exp(z)
	case z <= -2:
		return math.Log1p(math.Exp(z))
	case z <= 18:
		return math.Log(1 + math.Exp(z))
	case z <= 33.3:
		return z + math.Exp(-z)
	}
	return z
}

// PredictProba returns P(class 1) for each row of the row-major matrix x.
func (m *Logistic) PredictProba(x []float64) []float64 {
	d := len(m.coef)
	if d == 0 {
		return nil
	}
	p := make([]float64, len(x)/d)
	for i := range p {
		p[i] = Sigmoid(m.decision(x[i*d : (i+1)*d]))
	}
	return p
}

// DecisionFunction returns z = w·x + b for each row of x.
func (m *Logistic) DecisionFunction(x []float64) []float64 {
	d := len(m.coef)
	if d == 0 {
		return nil
	}
	z := make([]float64, len(x)/d)
	for i := range z {
		z[i] = m.decision(x[i*d : (i+1)*d])
	}
	return z
}

func (m *Logistic) decision(row []float64) float64 {
	z := m.intercept
	for j, w := range m.coef {
		z += w * row[j]
	}
	return z
}

// CheckInput returns an error when x is not n rows of d finite values or y
// is not n labels in {0, 1} with both classes present.
func CheckInput(x []float64, n, d int, y []int) error {
	if n < 1 || d < 1 {
		return fmt.Errorf("linear: %d rows of %d features", n, d)
	}
	if len(x) != n*d {
		return fmt.Errorf("linear: len(x) = %d, want %d rows × %d features", len(x), n, d)
	}
	if len(y) != n {
		return fmt.Errorf("linear: %d labels for %d rows", len(y), n)
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("linear: row %d, feature %d is %v", k/d, k%d, v)
		}
	}
	var count [2]int
	for i, c := range y {
		if c != 0 && c != 1 {
			return fmt.Errorf("linear: label %d of row %d; only classes 0 and 1 are supported", c, i)
		}
		count[c]++
	}
	if count[0] == 0 || count[1] == 0 {
		return fmt.Errorf("linear: one class only (%d rows of class 0, %d of class 1); scikit-learn needs samples of at least 2 classes", count[0], count[1])
	}
	return nil
}

// FitLogistic fits a binary logistic regression on the n×d row-major matrix
// x with labels y in {0, 1}.
func FitLogistic(x []float64, n, d int, y []int, cfg Config) (*Logistic, error) {
	if !(cfg.C > 0) || math.IsInf(cfg.C, 0) {
		return nil, fmt.Errorf("linear: C = %v, need a finite value > 0", cfg.C)
	}
	if cfg.MaxIter < 1 {
		return nil, fmt.Errorf("linear: MaxIter = %d, need >= 1", cfg.MaxIter)
	}
	if !(cfg.Tol >= 0) || math.IsInf(cfg.Tol, 0) {
		return nil, fmt.Errorf("linear: Tol = %v, need a finite value >= 0", cfg.Tol)
	}
	if err := CheckInput(x, n, d, y); err != nil {
		return nil, err
	}
	var cw [2]float64
	switch cfg.ClassWeight {
	case "", ClassWeightNone:
		cw = [2]float64{1, 1}
	case ClassWeightBalanced:
		var count [2]int
		for _, c := range y {
			count[c]++
		}
		for c := range cw {
			cw[c] = float64(n) / (2 * float64(count[c]))
		}
	default:
		return nil, fmt.Errorf("linear: class weight %q, want none or balanced", cfg.ClassWeight)
	}

	obj := &objective{x: x, n: n, d: d, y: y, cw: cw, alpha: 1 / cfg.C, workers: max(cfg.Workers, 1)}
	// Func and Grad at the same point are evaluated once: gonum asks for
	// both at every trial step.
	fn, grad := obj.cached()
	prob := optimize.Problem{Func: fn, Grad: grad}
	settings := &optimize.Settings{
		GradientThreshold: cfg.Tol,
		Converger:         &factrConverger{},
		// gonum counts the initial point as a major iteration.
		MajorIterations: cfg.MaxIter + 1,
		FuncEvaluations: 15000, // L-BFGS-B's maxfun
	}
	if cfg.Tol == 0 {
		settings.GradientThreshold = math.SmallestNonzeroFloat64
	}
	method := &optimize.LBFGS{
		Store: 10,
		Linesearcher: &optimize.MoreThuente{
			DecreaseFactor:  1e-3,
			CurvatureFactor: 0.9,
			StepTolerance:   0.1,
		},
		GradStopThreshold: math.NaN(),
	}
	res, err := optimize.Minimize(prob, make([]float64, d+1), settings, method)
	if res == nil {
		return nil, fmt.Errorf("linear: %w", err)
	}
	m := &Logistic{
		coef:      append([]float64(nil), res.X[:d]...),
		intercept: res.X[d],
		iters:     max(res.MajorIterations-1, 0),
		loss:      res.F,
	}
	switch {
	case err != nil:
		m.note = fmt.Sprintf("lbfgs failed to converge after %d iterations (%v); increase max_iter or scale the data", m.iters, err)
	case res.Status == optimize.IterationLimit:
		m.note = fmt.Sprintf("lbfgs failed to converge: the iteration limit (max_iter %d) was reached; increase max_iter or scale the data", cfg.MaxIter)
	case res.Status == optimize.FunctionEvaluationLimit:
		m.note = fmt.Sprintf("lbfgs failed to converge: %d function evaluations; increase max_iter or scale the data", res.FuncEvaluations)
	case res.Status == optimize.GradientThreshold, res.Status == optimize.FunctionConvergence:
		m.converged = true
	default:
		m.note = fmt.Sprintf("lbfgs stopped with status %v after %d iterations", res.Status, m.iters)
	}
	if math.IsNaN(m.loss) || math.IsInf(m.loss, 0) {
		return nil, errors.New("linear: the objective is not finite")
	}
	return m, nil
}

// factrConverger is L-BFGS-B's factr test: it reports convergence when an
// iteration lowers f by no more than factrEps·max(|f_old|, |f|, 1).
type factrConverger struct {
	prev  float64
	first bool
}

func (c *factrConverger) Init(int) { c.first = true }

func (c *factrConverger) Converged(loc *optimize.Location) optimize.Status {
	if c.first {
		c.first, c.prev = false, loc.F
		return optimize.NotTerminated
	}
	prev := c.prev
	c.prev = loc.F
	if prev-loc.F <= factrEps*max(math.Abs(prev), math.Abs(loc.F), 1) {
		return optimize.FunctionConvergence
	}
	return optimize.NotTerminated
}

// objective is f and its gradient over the packed parameters (w, b).
type objective struct {
	x       []float64
	n, d    int
	y       []int
	cw      [2]float64
	alpha   float64 // 1/C
	workers int

	mu    sync.Mutex
	lastW []float64
	lastF float64
	lastG []float64
}

// cached returns Func and Grad that share one evaluation per point.
func (o *objective) cached() (func([]float64) float64, func(grad, w []float64)) {
	get := func(w []float64) {
		if o.lastW != nil && equal(o.lastW, w) {
			return
		}
		if o.lastG == nil {
			o.lastG = make([]float64, len(w))
		}
		o.lastF = o.eval(w, o.lastG)
		o.lastW = append(o.lastW[:0], w...)
	}
	f := func(w []float64) float64 {
		o.mu.Lock()
		defer o.mu.Unlock()
		get(w)
		return o.lastF
	}
	g := func(grad, w []float64) {
		o.mu.Lock()
		defer o.mu.Unlock()
		get(w)
		copy(grad, o.lastG)
	}
	return f, g
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// eval returns f at w and, when grad is not nil, writes its gradient.
func (o *objective) eval(w, grad []float64) float64 {
	d := o.d
	blocks := (o.n + blockRows - 1) / blockRows
	// partial[k] holds block k's loss then its d+1 gradient sums.
	partial := make([]float64, blocks*(d+2))
	work := func(k int) {
		out := partial[k*(d+2) : (k+1)*(d+2)]
		g := out[1:]
		var loss float64
		for i := k * blockRows; i < min((k+1)*blockRows, o.n); i++ {
			row := o.x[i*d : (i+1)*d]
			z := w[d]
			for j, v := range row {
				z += w[j] * v
			}
			s := o.cw[o.y[i]]
			yi := float64(o.y[i])
			loss += s * (log1pexp(z) - yi*z)
			r := s * (Sigmoid(z) - yi)
			for j, v := range row {
				g[j] += r * v
			}
			g[d] += r
		}
		out[0] = loss
	}
	if o.workers <= 1 || blocks == 1 {
		for k := range blocks {
			work(k)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(o.workers, blocks) {
			wg.Go(func() {
				for k := range next {
					work(k)
				}
			})
		}
		for k := range blocks {
			next <- k
		}
		close(next)
		wg.Wait()
	}
	var loss float64
	if grad != nil {
		clear(grad)
	}
	for k := range blocks {
		out := partial[k*(d+2) : (k+1)*(d+2)]
		loss += out[0]
		if grad != nil {
			for j, v := range out[1:] {
				grad[j] += v
			}
		}
	}
	var norm2 float64
	for j := range d {
		norm2 += w[j] * w[j]
		if grad != nil {
			grad[j] += o.alpha * w[j]
		}
	}
	return loss + 0.5*o.alpha*norm2
}
