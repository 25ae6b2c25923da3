package linear

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

var (
	parityRows = flag.Int("linear.rows", 10000, "notebook flows TestParity generates (70% train, 30% test)")
	parityDir  = flag.String("linear.dump", "", "TestParity keeps its matrices and scikit-learn's answers (sklearn.json) in this directory")
)

// sklearnFit is one setting of scripts/reference/linear_reference.py --parity.
type sklearnFit struct {
	C           float64   `json:"c"`
	ClassWeight string    `json:"class_weight"`
	Coef        []float64 `json:"coef"`
	Intercept   float64   `json:"intercept"`
	NIter       int       `json:"n_iter"`
	Converged   bool      `json:"converged"`
	Proba       []float64 `json:"proba"`
	Seconds     float64   `json:"seconds"`
}

// TestParity fits scikit-learn and Fit on the notebook's 20 scaled features
// (-linear.rows flows, seed 42, the 70/30 stratified split) for C in
// {0.1, 1, 10} and class weight none or balanced, at default max_iter and
// tol: coefficients and intercept agree within 1e-4 and test-row
// probabilities within 1e-6. It runs the reference script with /usr/bin/python3
// and skips when that cannot import scikit-learn.
//
// Measured at 10,000 flows (7,000 training rows): both stop after the same
// iterations in every setting; coefficients agree within 2e-10 except
// C=10 balanced, 1.5e-5 (probabilities 7e-8). At -linear.rows=100000 the
// two paths part through rounding (numpy's BLAS sums in another order) and
// the stopping rules leave each short of the optimum along the near-singular
// directions of the notebook's correlated columns: differences reach
// 2e-4 (C=10) and 8.7e-4 (C=10 balanced), while scikit-learn's own answer
// is 2.5e-4 and 5.8e-4 from the optimum scipy reaches with gtol 1e-12 and
// ftol 0, so 1e-4 is out of reach there at the default tol.
func TestParity(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scikit-learn")
	}
	mltest.NeedPython(t, "import sklearn")
	data := mltest.Notebook(t, *parityRows, 42)
	train, y := data.Rows(data.Train, data.IsAnomaly)
	test, _ := data.Rows(data.Test, nil)
	dir := *parityDir
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mltest.WriteCSV(t, filepath.Join(dir, "x_train.csv"), train, data.D)
	yf := make([]float64, len(y))
	for i, v := range y {
		yf[i] = float64(v)
	}
	mltest.WriteCSV(t, filepath.Join(dir, "y_train.csv"), yf, 1)
	mltest.WriteCSV(t, filepath.Join(dir, "x_test.csv"), test, data.D)

	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "reference", "linear_reference.py")
	if out, err := exec.Command(mltest.Python, script, "--parity", dir).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "sklearn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Fits []sklearnFit `json:"fits"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Fits) != 6 {
		t.Fatalf("%d fits in sklearn.json, want 6", len(ref.Fits))
	}
	for _, r := range ref.Fits {
		cfg := DefaultConfig()
		cfg.C, cfg.ClassWeight, cfg.Workers = r.C, r.ClassWeight, 2
		m, err := FitLogistic(train, len(y), data.D, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		coefDiff := math.Abs(m.Intercept() - r.Intercept)
		for j, w := range r.Coef {
			coefDiff = max(coefDiff, math.Abs(m.Coef()[j]-w))
		}
		var probaDiff float64
		for i, p := range m.PredictProba(test) {
			probaDiff = max(probaDiff, math.Abs(p-r.Proba[i]))
		}
		t.Logf("C=%v %s: coef max diff %.2g, proba max diff %.2g; iterations %d (scikit-learn %d), converged %v (%v)",
			r.C, r.ClassWeight, coefDiff, probaDiff, m.Iterations(), r.NIter, m.Converged(), r.Converged)
		if coefDiff > 1e-4 || probaDiff > 1e-6 {
			t.Errorf("C=%v %s: coef %v intercept %v, scikit-learn %v %v (coef diff %.2g, proba diff %.2g)",
				r.C, r.ClassWeight, m.Coef(), m.Intercept(), r.Coef, r.Intercept, coefDiff, probaDiff)
		}
		if m.Converged() != r.Converged {
			t.Errorf("C=%v %s: converged %v, scikit-learn %v", r.C, r.ClassWeight, m.Converged(), r.Converged)
		}
	}
}
