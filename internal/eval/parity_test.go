package eval

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestParityCurves: on the harness's own test-set scores of the case
// study's flows (testdata/parity_scores.csv, exported from
// experiments/parity.yaml's predictions.parquet), ROC, AUC, the PR curve
// and average precision equal scikit-learn 1.2.1's within 1e-9
// (testdata/parity_curves.json, scripts/reference/parity_curves_reference.py).
func TestParityCurves(t *testing.T) {
	f, err := os.Open("testdata/parity_scores.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string][]float64{}
	actual := map[string][]bool{}
	for _, r := range records[1:] {
		s, err := strconv.ParseFloat(r[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		scores[r[0]] = append(scores[r[0]], s)
		actual[r[0]] = append(actual[r[0]], r[3] == "1")
	}
	body, err := os.ReadFile("testdata/parity_curves.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Models map[string]struct {
			N                int
			RocFpr           []float64 `json:"roc_fpr"`
			RocTpr           []float64 `json:"roc_tpr"`
			RocThresholds    []float64 `json:"roc_thresholds"`
			RocAUC           float64   `json:"roc_auc"`
			Precision        []float64 `json:"pr_precision"`
			Recall           []float64 `json:"pr_recall"`
			PRThresholds     []float64 `json:"pr_thresholds"`
			AveragePrecision float64   `json:"average_precision"`
		}
	}
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatal(err)
	}
	approx := cmpopts.EquateApprox(0, 1e-9)
	for _, model := range []string{"isolation_forest", "random_forest"} {
		t.Run(model, func(t *testing.T) {
			want, ok := ref.Models[model]
			if !ok || want.N != len(scores[model]) || want.N == 0 {
				t.Fatalf("reference for %s: %d scores, file has %d", model, want.N, len(scores[model]))
			}
			roc, err := ROC(scores[model], actual[model])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.RocFpr, roc.FPR, approx); diff != "" {
				t.Errorf("ROC FPR mismatch (-sklearn +ours):\n%s", diff)
			}
			if diff := cmp.Diff(want.RocTpr, roc.TPR, approx); diff != "" {
				t.Errorf("ROC TPR mismatch (-sklearn +ours):\n%s", diff)
			}
			if !math.IsInf(roc.Thresholds[0], 1) {
				t.Errorf("first ROC threshold %v, want +Inf", roc.Thresholds[0])
			}
			if diff := cmp.Diff(want.RocThresholds, roc.Thresholds[1:], approx); diff != "" {
				t.Errorf("ROC thresholds mismatch (-sklearn +ours):\n%s", diff)
			}
			if d := math.Abs(roc.AUC() - want.RocAUC); d > 1e-9 {
				t.Errorf("AUC %v, scikit-learn %v", roc.AUC(), want.RocAUC)
			}
			pr, err := PR(scores[model], actual[model])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Precision, pr.Precision, approx); diff != "" {
				t.Errorf("PR precision mismatch (-sklearn +ours):\n%s", diff)
			}
			if diff := cmp.Diff(want.Recall, pr.Recall, approx); diff != "" {
				t.Errorf("PR recall mismatch (-sklearn +ours):\n%s", diff)
			}
			if diff := cmp.Diff(want.PRThresholds, pr.Thresholds, approx); diff != "" {
				t.Errorf("PR thresholds mismatch (-sklearn +ours):\n%s", diff)
			}
			ap, err := AveragePrecision(scores[model], actual[model])
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(ap - want.AveragePrecision); d > 1e-9 {
				t.Errorf("average precision %v, scikit-learn %v", ap, want.AveragePrecision)
			}
			t.Logf("%s: %d scores, AUC %.10f (sklearn %.10f), AP %.10f (sklearn %.10f), %d ROC points, %d PR points",
				model, want.N, roc.AUC(), want.RocAUC, ap, want.AveragePrecision, len(roc.FPR), len(pr.Precision))
		})
	}
}
