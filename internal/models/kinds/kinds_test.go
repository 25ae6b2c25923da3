package kinds

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/ml/ecod"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/ml/lof"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/models/external"
)

// TestEveryKindFits: with this package linked, every kind the registry
// declares has a Fit.
func TestEveryKindFits(t *testing.T) {
	for _, k := range models.Kinds() {
		if k.Fit == nil {
			t.Errorf("kind %s has no Fit", k.Name)
		}
	}
}

// TestExternalFormats: the external kind's format key offers the formats
// the protocol package writes, its default first.
func TestExternalFormats(t *testing.T) {
	p := models.Lookup(models.KindExternal).Param("format")
	if want := []string{external.FormatNPY, external.FormatParquet}; !slices.Equal(p.Values, want) || p.Default != want[0] {
		t.Errorf("external format values %v, default %s; the protocol's formats are %v", p.Values, p.Default, want)
	}
}

// TestECODFit: the ecod kind scores the test and validation rows with
// internal/ml/ecod, decides score > the contamination threshold, keeps
// the fitted *ecod.Model, and rejects a NaN among the test rows.
func TestECODFit(t *testing.T) {
	const d = 2
	var x []float64
	for i := range 40 {
		x = append(x, float64(i%7), float64(i*i%11))
	}
	rows := func(lo, hi int) *models.Rows {
		r := &models.Rows{X: x[lo*d : hi*d]}
		for i := lo; i < hi; i++ {
			r.Index = append(r.Index, i)
		}
		return r
	}
	kind := models.Lookup(models.KindECOD)
	params := kind.Defaults()
	params["contamination"] = models.Value{Text: "0.2"}
	task := &models.Task{
		Kind: kind, Params: params, Role: models.Detector, Workers: 2,
		Data:       &models.Data{X: x, Columns: []string{"a", "b"}, IsAnomaly: make([]bool, 40)},
		Fit:        rows(0, 30),
		Validation: rows(30, 35),
		Test:       rows(35, 40),
	}
	res, err := kind.Fit(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := res.Fitted.(*ecod.Model)
	if !ok {
		t.Fatalf("Fitted is %T, want *ecod.Model", res.Fitted)
	}
	threshold, _ := m.Threshold(0.2)
	if want := m.ScoreSamples(task.Test.X, 1); !slices.Equal(res.Scores, want) {
		t.Errorf("Scores %v, want %v", res.Scores, want)
	}
	if want := m.ScoreSamples(task.Validation.X, 1); !slices.Equal(res.ValidationScores, want) {
		t.Errorf("ValidationScores %v, want %v", res.ValidationScores, want)
	}
	for k, s := range res.Scores {
		if res.Decision[k] != (s > threshold) {
			t.Errorf("test row %d: score %v, threshold %v, decision %v", k, s, threshold, res.Decision[k])
		}
	}
	task.Test = &models.Rows{Index: []int{0}, X: []float64{1, math.NaN()}}
	if _, err := kind.Fit(context.Background(), task); err == nil || !strings.Contains(err.Error(), "test rows") {
		t.Errorf("a NaN among the test rows: %v, want an error naming the test rows", err)
	}
}

// TestForestConfigSplitter: splitter and max_bins reach the forest's
// Config; the exact splitter (the default) gets no bins, whatever
// max_bins says, and parameters without the keys (written before they
// existed) give the exact splitter.
func TestForestConfigSplitter(t *testing.T) {
	kind := models.Lookup(models.KindRandomForest)
	for _, tt := range []struct {
		name     string
		edit     func(models.Values)
		splitter string
		maxBins  int
	}{
		{"defaults", func(models.Values) {}, "", 0},
		{"hist", func(v models.Values) { v["splitter"] = models.Value{Text: "hist"} }, forest.SplitterHist, 255},
		{"hist 64 bins", func(v models.Values) {
			v["splitter"], v["max_bins"] = models.Value{Text: "hist"}, models.Value{Text: "64"}
		}, forest.SplitterHist, 64},
		{"exact ignores max_bins", func(v models.Values) { v["max_bins"] = models.Value{Text: "64"} }, "", 0},
		{"keys absent", func(v models.Values) { delete(v, "splitter"); delete(v, "max_bins") }, "", 0},
	} {
		v := kind.Defaults()
		tt.edit(v)
		cfg, err := ForestConfig(v, 20, 2)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if cfg.Splitter != tt.splitter || cfg.MaxBins != tt.maxBins {
			t.Errorf("%s: Splitter %q MaxBins %d, want %q %d", tt.name, cfg.Splitter, cfg.MaxBins, tt.splitter, tt.maxBins)
		}
	}
}

// TestLOFFit: the lof kind scores the test and validation rows with
// internal/ml/lof as -score_samples, decides score_samples < the offset,
// keeps the fitted *lof.Model, notes an n_neighbors clamped to the
// training rows, and rejects a NaN among the validation rows.
func TestLOFFit(t *testing.T) {
	const d = 2
	var x []float64
	for i := range 40 {
		x = append(x, float64(i%7), float64(i*i%11))
	}
	x = append(x, 30, -20) // row 40: far from the rest
	rows := func(idx ...int) *models.Rows {
		r := &models.Rows{Index: idx}
		for _, i := range idx {
			r.X = append(r.X, x[i*d:(i+1)*d]...)
		}
		return r
	}
	fit := make([]int, 30)
	for i := range fit {
		fit[i] = i
	}
	kind := models.Lookup(models.KindLOF)
	params := kind.Defaults()
	params["n_neighbors"] = models.Value{Text: "5"}
	params["contamination"] = models.Value{Text: "0.1"}
	task := &models.Task{
		Kind: kind, Params: params, Role: models.Detector, Workers: 2,
		Data:       &models.Data{X: x, Columns: []string{"a", "b"}, IsAnomaly: make([]bool, 41)},
		Fit:        rows(fit...),
		Validation: rows(30, 31, 32, 33, 34),
		Test:       rows(35, 36, 37, 38, 39, 40),
	}
	res, err := kind.Fit(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := res.Fitted.(*lof.Model)
	if !ok {
		t.Fatalf("Fitted is %T, want *lof.Model", res.Fitted)
	}
	offset, _ := m.Offset(0.1)
	samples := m.ScoreSamples(task.Test.X, 1)
	for k, s := range samples {
		if res.Scores[k] != -s || res.Decision[k] != (s < offset) {
			t.Errorf("test row %d: score %v decision %v; score_samples %v, offset %v", k, res.Scores[k], res.Decision[k], s, offset)
		}
	}
	if !res.Decision[5] {
		t.Errorf("the far row (score %v, offset %v) is not flagged", res.Scores[5], offset)
	}
	for k, s := range m.ScoreSamples(task.Validation.X, 1) {
		if res.ValidationScores[k] != -s {
			t.Errorf("validation row %d: %v, want %v", k, res.ValidationScores[k], -s)
		}
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes %v", res.Notes)
	}

	params["n_neighbors"] = models.Value{Text: "50"}
	if res, err = kind.Fit(context.Background(), task); err != nil || len(res.Notes) != 1 || res.Fitted.(*lof.Model).Neighbors() != 29 {
		t.Errorf("n_neighbors 50 on 30 rows: %v, notes %v", err, res.Notes)
	}
	task.Validation = &models.Rows{Index: []int{0}, X: []float64{1, math.NaN()}}
	if _, err := kind.Fit(context.Background(), task); err == nil || !strings.Contains(err.Error(), "validation rows") {
		t.Errorf("a NaN among the validation rows: %v, want an error naming the validation rows", err)
	}
}
