package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/internal/synth"
)

// TestConstantColumn is the hostile tester's reproduction: 2,000 notebook
// flows whose cpu_usage is all 0. A constant column is a normal case: the
// run and its report succeed, the correlation matrix draws the cells of
// cpu_usage as n/a in grey (its correlation is 0/0) and its caption says
// why. Before, drawing the NaN correlations panicked.
func TestConstantColumn(t *testing.T) {
	dir := t.TempDir()
	flows, err := synth.Generate(synth.Config{Generator: "notebook", Flows: 2000, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range flows.CPUUsage {
		flows.CPUUsage[i] = 0
	}
	ds := &datasets.Dataset{Flows: flows, Engineered: features.Engineer(flows), Split: make([]datasets.Split, flows.Len())}
	for i := range ds.Split {
		ds.Split[i] = datasets.Train
	}
	f, err := os.Create(filepath.Join(dir, "flows.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := datasets.WriteDataset(f, ds); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	spec := `name: constant
seeds: [1]
data: {source: file, path: flows.parquet}
split: {test_fraction: 0.3, stratify: is_anomaly}
models:
  - {name: rf, kind: random_forest, trees: 5}
  - {name: km, kind: kmeans, k: 3, n_init: 1}
`
	file := filepath.Join(dir, "constant.yaml")
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: filepath.Join(dir, "runs"), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Generate(res.Dir, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var corr *Figure
	for _, fig := range r.Figures() {
		if fig.Name == "data-correlation" {
			corr = fig
		}
	}
	if corr == nil {
		t.Fatal("no correlation figure")
	}
	if want := "cpu_usage is constant, so its correlations are undefined: n/a, in grey."; !strings.Contains(corr.Caption, want) {
		t.Errorf("caption %q lacks %q", corr.Caption, want)
	}
	svg, err := os.ReadFile(filepath.Join(res.Dir, FiguresDir, "data-correlation.svg"))
	if err != nil {
		t.Fatal(err)
	}
	// The cpu_usage row and column, diagonal included: 9 cells.
	if n := strings.Count(string(svg), ">n/a<"); n != 9 {
		t.Errorf("%d cells print n/a, want 9", n)
	}
}

// TestUndefinedCorrelations: the caption names the constant columns, and
// counts apart the other cells that are not numbers.
func TestUndefinedCorrelations(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	cols := [][]float64{{1, 2, 3}, {5, 5, 5}, {0, 0, 0}, {1e308, -1e308, 1e308}}
	got := undefinedCorrelations(names, cols, correlationMatrix(cols))
	// a with d: sums of squares beyond float64 (NaN), in both triangles,
	// and d with itself.
	want := " b, c are constant, so their correlations are undefined: n/a, in grey." +
		" 3 other cells could not be computed (values too large for float64's sums): n/a, in grey."
	if got != want {
		t.Errorf("caption %q,\nwant    %q", got, want)
	}
	if got := undefinedCorrelations(names[:1], cols[:1], correlationMatrix(cols[:1])); got != "" {
		t.Errorf("caption %q for a defined matrix, want none", got)
	}
}
