package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/runner"
)

// TestEscape: Hive's and Spark's escapePathName (the characters of
// FileUtils.charToEscape below 0x80 that a path can hold).
func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"seed=1", "seed%3D1"},
		{"anomaly_rate=0.05/seed=1", "anomaly_rate%3D0.05%2Fseed%3D1"},
		{"a%b", "a%25b"},
		{"c:\\d", "c%3A%5Cd"},
		{"plain-name_1.5", "plain-name_1.5"},
		{"tab\there", "tab%09here"},
		{`q"#'*?{[]^`, "q%22%23%27%2A%3F%7B%5B%5D%5E"},
		{"", ""},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

const sweep = `name: export
seeds: [1, 2]
data: {flows: 500, anomaly_rate: [0.05, 0.1]}
split: {stratify: is_anomaly}
models:
  - {name: rf, kind: random_forest, trees: 5}
`

// TestRun exports a sweep, then the same sweep with fewer seeds: each
// trial's partitions are where their escaped path says, the same run
// exports the same bytes, and a trial gone from the run loses its
// partitions.
func TestRun(t *testing.T) {
	exp, err := experiments.Parse([]byte(sweep), "export.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runs, out := t.TempDir(), t.TempDir()
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: runs, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Run(res.Dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 8 {
		t.Errorf("%d files, want 2 tables × 4 trials", n)
	}
	part := filepath.Join(out, "metrics", "experiment=export", "trial=anomaly_rate%3D0.1%2Fseed%3D2", PartFile)
	first, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(res.Dir, out); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(part); string(again) != string(first) {
		t.Error("exporting the same run twice gave different bytes")
	}

	fewer, err := experiments.Parse([]byte(sweep[:len("name: export\n")]+"seeds: [1]\n"+sweep[len("name: export\nseeds: [1, 2]\n"):]), "export.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res, err = runner.Run(context.Background(), fewer, runner.Options{Out: runs, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(res.Dir, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Errorf("the partition of a trial no longer in the run is still there: %v", err)
	}
	for _, table := range Tables {
		entries, _ := os.ReadDir(filepath.Join(out, table, "experiment=export"))
		if len(entries) != 2 {
			t.Errorf("%s: %d partitions after the re-run, want 2", table, len(entries))
		}
	}
}
