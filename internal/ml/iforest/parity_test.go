package iforest

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

var dumpDir = flag.String("iforest.dump", "", "TestParity writes its train/test matrices to this directory for scripts/reference/iforest_reference.py --parity")

// paritySplitSeed is the split TestParity uses (mltest.Parity's splitSeed).
const paritySplitSeed = 42

// rocAUC is the area under the ROC curve of scores for labels (1 positive),
// by the rank statistic: the probability that a random positive outscores
// a random negative, ties counting one half (equal to scikit-learn's
// roc_auc_score, trapezoids over distinct thresholds).
func rocAUC(scores []float64, labels []int) float64 {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if scores[a] < scores[b] {
			return -1
		}
		if scores[a] > scores[b] {
			return 1
		}
		return 0
	})
	var rankSum float64
	positives := 0
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && scores[order[j]] == scores[order[i]] {
			j++
		}
		rank := float64(i+j+1) / 2 // mean of ranks i+1..j
		for _, k := range order[i:j] {
			if labels[k] == 1 {
				rankSum += rank
				positives++
			}
		}
		i = j
	}
	negatives := len(scores) - positives
	return (rankSum - float64(positives)*float64(positives+1)/2) / (float64(positives) * float64(negatives))
}

func TestROCAUC(t *testing.T) {
	// want: sklearn.metrics.roc_auc_score, scikit-learn 1.2.1, by hand:
	// roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75,
	// roc_auc_score([0,1,0,1], [0.5,0.5,0.5,0.9]) = 0.75 (ties count 1/2).
	tests := []struct {
		name   string
		scores []float64
		labels []int
		want   float64
	}{
		{"docs example", []float64{0.1, 0.4, 0.35, 0.8}, []int{0, 0, 1, 1}, 0.75},
		{"ties", []float64{0.5, 0.5, 0.5, 0.9}, []int{0, 1, 0, 1}, 0.75},
		{"perfect", []float64{1, 2, 3, 4}, []int{0, 0, 1, 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rocAUC(tt.scores, tt.labels); !near(got, tt.want, 1e-12) {
				t.Errorf("rocAUC = %v, want %v", got, tt.want)
			}
		})
	}
}

type outcome struct{ detection, fpr, auc float64 }

// evaluate fits on train with contamination 0.05, as the notebook, and
// scores test.
func evaluate(train, test []float64, d int, labels []int, seed uint64, workers int) outcome {
	forest := Fit(train, d, Config{Trees: 100, Contamination: 0.05, Workers: workers}, rand.New(rand.NewPCG(seed, 0x15f0)))
	scores := forest.ScoreSamples(test, workers)
	var tp, fp, pos, neg int
	anomaly := make([]float64, len(scores))
	for i, s := range scores {
		anomaly[i] = -s
		flagged := s-forest.Offset() < 0
		if labels[i] == 1 {
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
	return outcome{float64(tp) / float64(pos), float64(fp) / float64(neg), rocAUC(anomaly, labels)}
}

func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}

// TestParity fits 20 forests (model seeds 0..19) on the case study's own
// flows and checks that the mean detection rate, false-positive rate and
// ROC AUC on the test split sit where scikit-learn's do.
//
// References, scikit-learn 1.2.1, 20 random states each:
//   - ../shared/parity/README.md, the notebook's own split (random_state=42):
//     detection 0.923 (sd 0.025), FPR 0.0062 (sd 0.0015), AUC 0.9969 (sd 0.0006);
//   - scripts/reference/iforest_reference.py --parity on this test's own
//     split (dumped with -iforest.dump; random states 0..19): detection
//     0.8643 (sd 0.0224, range 0.800-0.893), FPR 0.0050 (sd 0.0010), AUC
//     0.9970 (sd 0.0006).
//
// This split (seed 42 of mltest's stratified split, not numpy's) is a harder
// one than the notebook's: scikit-learn itself detects 0.864 on it against
// 0.923 on the notebook's, so the same-split figures are the test proper.
//
// Tolerance: our mean must lie within 2 sd (of scikit-learn's per-seed
// spread) of scikit-learn's mean on the same split, and within 2 sd plus the
// split-to-split difference of the README's figures. 2 sd of a per-seed
// spread is far wider than the standard error of a 20-seed mean (sd/4.5),
// so a biased port would still fail.
func TestParity(t *testing.T) {
	if testing.Short() {
		t.Skip("parity needs the case study's flows")
	}
	data := mltest.Parity(t, paritySplitSeed)
	train, _ := data.Rows(data.Train, nil)
	test, labels := data.Rows(data.Test, data.IsAnomaly)
	if *dumpDir != "" {
		dump(t, *dumpDir, train, test, data.D, labels)
	}

	const seeds = 20
	results := make([]outcome, seeds)
	var wg sync.WaitGroup
	for s := range seeds {
		wg.Go(func() { results[s] = evaluate(train, test, data.D, labels, uint64(s), 1) })
	}
	wg.Wait()
	var detection, fpr, auc []float64
	for _, r := range results {
		detection = append(detection, r.detection)
		fpr = append(fpr, r.fpr)
		auc = append(auc, r.auc)
	}

	tests := []struct {
		name                 string
		got                  []float64
		sklSplit, sklSplitSD float64 // scikit-learn on this split
		readme, readmeSD     float64 // scikit-learn on the notebook's split
	}{
		{"detection", detection, 0.8643, 0.0224, 0.923, 0.025},
		{"FPR", fpr, 0.0050, 0.0010, 0.0062, 0.0015},
		{"AUC", auc, 0.9970, 0.0006, 0.9969, 0.0006},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mean, sd := meanSD(tt.got)
			t.Logf("%s over %d seeds: mean %.4f sd %.4f, range %.4f-%.4f; scikit-learn on this split %.4f (sd %.4f), README %.4f (sd %.4f)",
				tt.name, seeds, mean, sd, slices.Min(tt.got), slices.Max(tt.got), tt.sklSplit, tt.sklSplitSD, tt.readme, tt.readmeSD)
			if math.Abs(mean-tt.sklSplit) > 2*tt.sklSplitSD {
				t.Errorf("%s mean %.4f, scikit-learn on the same split %.4f ± 2 × %.4f", tt.name, mean, tt.sklSplit, tt.sklSplitSD)
			}
			splitShift := math.Abs(tt.sklSplit - tt.readme)
			if math.Abs(mean-tt.readme) > 2*tt.readmeSD+splitShift {
				t.Errorf("%s mean %.4f, README %.4f ± (2 × %.4f + split shift %.4f)", tt.name, mean, tt.readme, tt.readmeSD, splitShift)
			}
		})
	}
}

// dump writes the matrices for scripts/reference/iforest_reference.py.
func dump(t *testing.T, dir string, train, test []float64, d int, labels []int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, values []float64, width int) {
		mltest.WriteCSV(t, filepath.Join(dir, name), values, width)
	}
	write("x_train.csv", train, d)
	write("x_test.csv", test, d)
	y := make([]float64, len(labels))
	for i, l := range labels {
		y[i] = float64(l)
	}
	write("y_test.csv", y, 1)
	fmt.Fprintf(os.Stderr, "iforest: wrote %s/{x_train,x_test,y_test}.csv\n", dir)
}
