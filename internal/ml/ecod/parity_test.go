package ecod

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// parityMatrix returns n rows of the columns the parity test mixes: a
// normal, an exponential (skewed right), a negated exponential (skewed
// left), small integers (heavy ties), a constant, a normal rounded to
// quarters (some ties), a log-normal and a uniform.
func parityMatrix(r *rand.Rand, n int) []float64 {
	const d = 8
	x := make([]float64, 0, n*d)
	for range n {
		x = append(x,
			r.NormFloat64(),
			r.ExpFloat64(),
			-r.ExpFloat64(),
			float64(r.IntN(4)),
			2.5,
			math.Round(4*r.NormFloat64())/4,
			math.Exp(r.NormFloat64()),
			r.Float64(),
		)
	}
	return x
}

// TestReferenceParity fits 3,000 training rows of parityMatrix, scores
// them and 1,000 new rows (some beyond the training range, some equal to
// training values), and compares every score, the skewness and the
// thresholds with scripts/reference/ecod_reference.py --parity, which
// counts by comparing every pair of values: to 1e-9 relative (measured:
// scores and thresholds within 5e-16, the skewness, summed in another
// order than numpy's, within 1e-13). It is skipped when
// /usr/bin/python3 cannot import numpy and scipy.
func TestReferenceParity(t *testing.T) {
	mltest.NeedPython(t, "import numpy, scipy.stats")
	const n, nTest, d = 3000, 1000, 8
	r := rand.New(rand.NewPCG(19, 3))
	train := parityMatrix(r, n)
	test := parityMatrix(r, nTest)
	for i := range 50 { // new rows equal to training rows, and beyond them
		copy(test[i*d:(i+1)*d], train[i*d:(i+1)*d])
		test[(50+i)*d+1] = 20 + float64(i)
		test[(50+i)*d+2] = -20 - float64(i)
		test[(50+i)*d+4] = 2.5 + float64(i-25)
	}
	dir := t.TempDir()
	mltest.WriteCSV(t, filepath.Join(dir, "train.csv"), train, d)
	mltest.WriteCSV(t, filepath.Join(dir, "test.csv"), test, d)
	cmd := exec.Command(mltest.Python, "../../../scripts/reference/ecod_reference.py", "--parity", dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ecod_reference.py: %v", err)
	}
	var ref struct {
		Skew, Train, Test []float64
		Threshold         map[string]float64
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Train) != n || len(ref.Test) != nTest || len(ref.Skew) != d {
		t.Fatalf("the reference gave %d training, %d test scores, %d skewnesses", len(ref.Train), len(ref.Test), len(ref.Skew))
	}

	m, err := Fit(train, n, d)
	if err != nil {
		t.Fatal(err)
	}
	const rel = 1e-9
	worst := map[string]float64{}
	compare := func(what string, i int, got, want float64) {
		t.Helper()
		if !near(got, want, rel) {
			t.Errorf("%s %d: %v, reference %v", what, i, got, want)
		}
		if want != 0 {
			worst[what] = max(worst[what], math.Abs(got-want)/math.Abs(want))
		}
	}
	for j, want := range ref.Skew {
		if got := m.Skewness(j); (got < 0) != (want < 0) {
			t.Errorf("Skewness(%d) = %v, reference %v: another tail", j, got, want)
		}
		compare("skewness", j, m.Skewness(j), want)
	}
	for i, want := range ref.Train {
		compare("training row", i, m.TrainingScores()[i], want)
	}
	for i, s := range m.ScoreSamples(test, 2) {
		compare("new row", i, s, ref.Test[i])
	}
	for c, want := range ref.Threshold {
		cf, _ := strconv.ParseFloat(c, 64)
		got, err := m.Threshold(cf)
		if err != nil {
			t.Fatal(err)
		}
		compare("threshold ×1000", int(cf*1000), got, want)
	}
	t.Logf("largest relative differences from the reference: %v", worst)
}
