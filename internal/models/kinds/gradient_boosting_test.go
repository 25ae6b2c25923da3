package kinds

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/ml/gbdt"
	"github.com/segharness/harness/internal/models"
)

// TestGradientBoostingFit: the gradient_boosting kind fits internal/ml/gbdt
// on the Fit rows; as a detector it scores P(anomaly) and decides by
// argmax, as a typer it answers every class's probability; it records its
// iterations and notes early stopping.
func TestGradientBoostingFit(t *testing.T) {
	const n, d = 300, 2
	r := rand.New(rand.NewPCG(1, 2))
	data := &models.Data{Columns: []string{"a", "b"}, IsAnomaly: make([]bool, n), Types: make([]int, n), TypeNames: []string{"crypto_mining", "lateral_movement", "normal"}}
	for i := range n {
		a, b := r.NormFloat64(), r.NormFloat64()
		data.X = append(data.X, a, b)
		data.Types[i] = 2
		if a > 1 {
			data.IsAnomaly[i], data.Types[i] = true, 0
		} else if b > 1 {
			data.IsAnomaly[i], data.Types[i] = true, 1
		}
	}
	rows := func(lo, hi int) *models.Rows {
		r := &models.Rows{X: data.X[lo*d : hi*d]}
		for i := lo; i < hi; i++ {
			r.Index = append(r.Index, i)
		}
		return r
	}
	kind := models.Lookup(models.KindGradientBoosting)
	for _, target := range []string{models.TargetIsAnomaly, models.TargetAnomalyType} {
		params := kind.Defaults()
		params["target"] = models.Value{Text: target}
		params["early_stopping"] = models.Value{Text: "true"}
		params["max_iter"] = models.Value{Text: "200"}
		task := &models.Task{
			Kind: kind, Params: params, Role: kind.Role(params), Workers: 2, Rand: rand.New(rand.NewPCG(3, 4)),
			Data: data, Fit: rows(0, 200), Validation: rows(200, 250), Test: rows(250, 300),
		}
		res, err := kind.Fit(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := res.Fitted.(*gbdt.Model)
		if !ok {
			t.Fatalf("Fitted is %T, want *gbdt.Model", res.Fitted)
		}
		if len(res.Metrics) != 1 || res.Metrics[0].Metric != "iterations" || res.Metrics[0].Value != float64(m.Iterations()) {
			t.Errorf("metrics %v, want iterations %d", res.Metrics, m.Iterations())
		}
		if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "early stopping") {
			t.Errorf("notes %q", res.Notes)
		}
		p := m.PredictProbaAll(task.Test.X, 1)
		if target == models.TargetAnomalyType {
			if task.Role != models.Typer || !slices.Equal(res.Proba, p) || m.Classes() != 3 {
				t.Errorf("typer: role %v, proba of %d values", task.Role, len(res.Proba))
			}
			continue
		}
		for k := range res.Scores {
			if res.Scores[k] != p[2*k+1] || res.Decision[k] != (p[2*k+1] > p[2*k]) {
				t.Fatalf("test row %d: score %v decision %v, proba %v", k, res.Scores[k], res.Decision[k], p[2*k:2*k+2])
			}
		}
		if len(res.ValidationScores) != 50 {
			t.Errorf("%d validation scores", len(res.ValidationScores))
		}
	}
}
