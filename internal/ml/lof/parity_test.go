package lof

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

// TestReferenceParity fits 3,000 training rows × 20 columns (normal, with
// a cluster of 300 rows, a scaled column and 60 scattered outliers) with
// the default 20 neighbours, scores them and 1,000 new rows (50 of them
// copies of training rows, 50 far away), and compares the training scores
// (negative_outlier_factor_), the new rows' score_samples and the offsets
// for contamination 0.05, 0.1 and 0.2 with scikit-learn 1.2.1
// (scripts/reference/lof_reference.py --parity, algorithm auto: brute
// force) to 1e-9 relative. It is skipped under -short and when
// /usr/bin/python3 cannot import sklearn.
func TestReferenceParity(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	mltest.NeedPython(t, "import sklearn.neighbors")
	const n, nTest, d, k = 3000, 1000, 20, DefaultNeighbors
	r := rand.New(rand.NewPCG(19, 2))
	row := func(i int) []float64 {
		v := make([]float64, d)
		for j := range v {
			v[j] = r.NormFloat64()
		}
		v[3] *= 10
		switch {
		case i%10 == 0: // a tight cluster
			for j := range v {
				v[j] = 4 + 0.05*v[j]
			}
		case i%50 == 7: // scattered outliers
			for j := range v {
				v[j] *= 4
			}
		}
		return v
	}
	var train, test []float64
	for i := range n {
		train = append(train, row(i)...)
	}
	for i := range nTest {
		switch {
		case i < 50:
			test = append(test, train[(37*i)*d:(37*i+1)*d]...)
		case i < 100:
			v := row(i)
			for j := range v {
				v[j] += 8
			}
			test = append(test, v...)
		default:
			test = append(test, row(i)...)
		}
	}
	dir := t.TempDir()
	mltest.WriteCSV(t, filepath.Join(dir, "train.csv"), train, d)
	mltest.WriteCSV(t, filepath.Join(dir, "test.csv"), test, d)
	if err := os.WriteFile(filepath.Join(dir, "k.txt"), []byte(strconv.Itoa(k)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mltest.Python, "../../../scripts/reference/lof_reference.py", "--parity", dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lof_reference.py: %v", err)
	}
	var ref struct {
		Train, Test []float64
		Offset      map[string]float64
		Neighbors   int
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Train) != n || len(ref.Test) != nTest || ref.Neighbors != k {
		t.Fatalf("the reference gave %d training, %d test scores, %d neighbours", len(ref.Train), len(ref.Test), ref.Neighbors)
	}
	m, err := Fit(train, n, d, k, 2)
	if err != nil {
		t.Fatal(err)
	}
	const rel = 1e-9
	worst := map[string]float64{}
	compare := func(what string, i int, got, want float64) {
		t.Helper()
		if !near(got, want, rel) {
			t.Errorf("%s %d: %v, scikit-learn %v", what, i, got, want)
		}
		worst[what] = max(worst[what], math.Abs(got-want)/math.Abs(want))
	}
	for i, want := range ref.Train {
		compare("training row", i, m.TrainingScores()[i], want)
	}
	for i, s := range m.ScoreSamples(test, 2) {
		compare("new row", i, s, ref.Test[i])
	}
	for c, want := range ref.Offset {
		cf, _ := strconv.ParseFloat(c, 64)
		got, err := m.Offset(cf)
		if err != nil {
			t.Fatal(err)
		}
		compare("offset ×100", int(math.Round(cf*100)), got, want)
	}
	t.Logf("largest relative differences from scikit-learn: %v", worst)
}
