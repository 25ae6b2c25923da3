package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
)

// TestHeldTablesAsRead: the showcase trial's tables that harness run hands
// its report in memory (runner.Options.Report) equal what the report
// reads back from the trial's files, and the report made from them is
// byte for byte the one harness report makes from the files alone. For a
// generated, a file and a table source.
func TestHeldTablesAsRead(t *testing.T) {
	shared, err := filepath.Abs("../../../shared")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile(filepath.Join("testdata", "fixture.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"generated": string(fixture),
		"file": fmt.Sprintf(`name: held-file
seeds: [3]
data: {source: file, path: %s/parity/notebook-flows-10k.csv.gz, format: csv}
split: {test_fraction: 0.3, stratify: is_anomaly}
models:
  - {name: random_forest, kind: random_forest, trees: 5}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 5}
  - {name: kmeans, kind: kmeans, k: 3, n_init: 1}
`, shared),
		"table": fmt.Sprintf(`name: held-table
seeds: [1]
data:
  source: table
  table: {preset: nsl-kdd, files: [%s/datasets/nsl-kdd/KDDTest+.txt.gz]}
split: {test_fraction: 0.3, stratify: is_anomaly}
models:
  - {name: random_forest, kind: random_forest, trees: 5}
  - {name: isolation_forest, kind: isolation_forest, trees: 20, contamination: 0.05}
`, shared),
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			if testing.Short() && name != "generated" {
				t.Skip("-short: the generated source only")
			}
			file := filepath.Join(t.TempDir(), name+".yaml")
			if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
				t.Fatal(err)
			}
			exp, err := experiments.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var held *rundir.TrialTables
			out := t.TempDir()
			res, err := runner.Run(context.Background(), exp, runner.Options{
				Out: out, Workers: 2, Code: rundir.Code{Module: "test", Version: "test", GoVersion: "go"},
				Report: func(dir string, showcase *rundir.TrialTables) error {
					held = showcase
					_, err := Generate(dir, Options{Workers: 2, Showcase: showcase})
					return err
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if held == nil {
				t.Fatal("runner.Run handed the report no tables for its first trial")
			}
			read, err := Load(res.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if held.Trial != read.Showcase.Record.ID {
				t.Fatalf("held trial %q, the report's showcase is %q", held.Trial, read.Showcase.Record.ID)
			}
			if (held.Dataset == nil) != read.Showcase.FromTable() {
				t.Errorf("held dataset %v for a trial with FromTable %v", held.Dataset != nil, read.Showcase.FromTable())
			}
			if d := cmp.Diff(read.Showcase.Dataset, held.Dataset, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("dataset: read back (-) against held (+):\n%s", d)
			}
			if d := cmp.Diff(read.Showcase.Predictions, held.Predictions, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("predictions: read back (-) against held (+):\n%s", d)
			}

			// The report as harness run wrote it, then as harness report
			// writes it from the files (with the manifest that records it).
			before := reportFiles(t, res.Dir)
			if _, err := Generate(res.Dir, Options{Workers: 2}); err != nil {
				t.Fatal(err)
			}
			after := reportFiles(t, res.Dir)
			if len(before) == 0 {
				t.Fatal("no report files")
			}
			for name, b := range before {
				if b != after[name] {
					t.Errorf("%s differs between the report from held tables and the one read back", name)
				}
			}
			if len(after) != len(before) {
				t.Errorf("%d report files from held tables, %d read back", len(before), len(after))
			}
		})
	}
}
