package gbdt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

var statSeeds = flag.Int("gbdt.seeds", 5, "the seeds of the statistical comparisons")

var kddTests = flag.Bool("gbdt.kdd", false, "run the NSL-KDD comparisons with scikit-learn (TestParityNSLKDD, TestStatsNSLKDD: minutes)")

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// rocAUC is the area under the ROC curve of scores p[2i+1] for labels y
// (the Mann-Whitney statistic, ties counted half).
func rocAUC(p []float64, y []int) float64 {
	type sv struct {
		s float64
		y int
	}
	v := make([]sv, len(y))
	for i := range y {
		v[i] = sv{p[2*i+1], y[i]}
	}
	slices.SortFunc(v, func(a, b sv) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	var rankSum float64
	pos := 0
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && v[j].s == v[i].s {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if v[k].y == 1 {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := len(v) - pos
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}

type runStats struct {
	Seed  int     `json:"seed"`
	NIter int     `json:"n_iter"`
	AUC   float64 `json:"roc_auc"`
	DR    float64 `json:"detection_rate"`
	FPR   float64 `json:"false_positive_rate"`
}

func detection(p []float64, y []int) (dr, fpr float64) {
	var tp, pos, fp, neg float64
	for i, c := range y {
		flagged := p[2*i+1] > p[2*i]
		if c == 1 {
			pos++
			if flagged {
				tp++
			}
		} else {
			neg++
			if flagged {
				fp++
			}
		}
	}
	return tp / pos, fp / neg
}

type spread struct{ mean, lo, hi float64 }

func spreadOf(v []float64) spread {
	s := spread{lo: math.Inf(1), hi: math.Inf(-1)}
	for _, x := range v {
		s.mean += x / float64(len(v))
		s.lo, s.hi = min(s.lo, x), max(s.hi, x)
	}
	return s
}

// statsCase fits seeds models with early stopping, ours from PCG seeds
// and scikit-learn's from random_state 0..seeds-1, and compares the test
// ROC AUC, detection rate and false positive rate: each of our means must
// fall within scikit-learn's range widened by slack.
func statsCase(t *testing.T, name string, xTrain []float64, d int, y []int, xTest []float64, yTest []int, early string, seeds int, slack float64) {
	dir := dumpDir(t, name)
	mltest.WriteCSV(t, filepath.Join(dir, "x_train.csv"), xTrain, d)
	writeLabels(t, filepath.Join(dir, "y_train.csv"), y)
	mltest.WriteCSV(t, filepath.Join(dir, "x_test.csv"), xTest, d)
	writeLabels(t, filepath.Join(dir, "y_test.csv"), yTest)
	if out, err := exec.Command(mltest.Python, script(), "--stats", dir, "--seeds", strconv.Itoa(seeds), "--early-stopping", early).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script(), err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sklearn_stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Runs []runStats `json:"runs"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	var ours []runStats
	for s := 0; s < seeds; s++ {
		cfg := DefaultConfig()
		cfg.EarlyStopping = early
		cfg.Workers = 2
		m, err := Fit(xTrain, d, y, 2, cfg, rand.New(rand.NewPCG(uint64(s), 0)))
		if err != nil {
			t.Fatal(err)
		}
		p := m.PredictProbaAll(xTest, 2)
		r := runStats{Seed: s, NIter: m.Iterations(), AUC: rocAUC(p, yTest)}
		r.DR, r.FPR = detection(p, yTest)
		ours = append(ours, r)
	}
	for _, metric := range []struct {
		name string
		get  func(r runStats) float64
	}{
		{"n_iter", func(r runStats) float64 { return float64(r.NIter) }},
		{"roc_auc", func(r runStats) float64 { return r.AUC }},
		{"detection_rate", func(r runStats) float64 { return r.DR }},
		{"false_positive_rate", func(r runStats) float64 { return r.FPR }},
	} {
		var a, b []float64
		for i := range ours {
			a = append(a, metric.get(ours[i]))
		}
		for i := range ref.Runs {
			b = append(b, metric.get(ref.Runs[i]))
		}
		sa, sb := spreadOf(a), spreadOf(b)
		t.Logf("%s %s over %d seeds: ours mean %.4f [%.4f, %.4f], scikit-learn mean %.4f [%.4f, %.4f]",
			name, metric.name, seeds, sa.mean, sa.lo, sa.hi, sb.mean, sb.lo, sb.hi)
		if metric.name != "n_iter" && (sa.mean < sb.lo-slack || sa.mean > sb.hi+slack) {
			t.Errorf("%s %s: our mean %.4f outside scikit-learn's [%.4f, %.4f] ± %g", name, metric.name, sa.mean, sb.lo, sb.hi, slack)
		}
	}
}

// TestStatsNotebook: with early stopping on (its validation split drawn
// from another generator than numpy's), our detector on the case study's
// flows scores as scikit-learn's over five seeds.
func TestStatsNotebook(t *testing.T) {
	needPython(t)
	data := mltest.Parity(t, 42)
	x, y := data.Rows(data.Train, data.IsAnomaly)
	xt, yt := data.Rows(data.Test, data.IsAnomaly)
	statsCase(t, "notebook-stats", x, data.D, y, xt, yt, "true", *statSeeds, 0.002)
}

// TestStatsNSLKDD is TestStatsNotebook on KDDTrain+ / KDDTest+ at the
// defaults (early stopping auto: on); run with -gbdt.kdd.
func TestStatsNSLKDD(t *testing.T) {
	needPython(t)
	if !*kddTests {
		t.Skip("run with -gbdt.kdd")
	}
	k := mltest.NSLKDD(t)
	statsCase(t, "kdd-stats", k.TrainX, k.D, k.TrainY, k.TestX, k.TestY, "auto", *statSeeds, 0.01)
}
