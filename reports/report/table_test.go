package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
)

// tableExperiment is a table source's experiment: a small CSV read
// through a column mapping, trained on normal, smurf (dos) and satan
// (probe) rows and tested on a separate file that adds neptune, a dos
// label value training never saw.
const tableExperiment = `name: tabular
seeds: [1, 2]
data:
  source: table
  table:
    files: [train.csv]
    test: [test.csv]
    header: true
    label: label
    normal: [normal]
    categories: {dos: [smurf, neptune], probe: [satan]}
    numeric: [duration, src_bytes, dst_bytes, count]
    categorical: [protocol]
split: {scale_on: train}
models:
  - {name: random_forest, kind: random_forest, trees: 5}
  - {name: isolation_forest, kind: isolation_forest, trees: 5, contamination: 0.1}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 5}
  - {name: kmeans, kind: kmeans, k: 3, n_init: 1}
targets:
  - {model: random_forest, metric: detection_rate, ">=": 0.5}
`

// writeTableCSV writes n rows of the table: every fifth row smurf, every
// seventh satan (or neptune in place of every other satan, when unseen),
// the rest normal, with columns loosely telling them apart.
func writeTableCSV(t *testing.T, path string, n, offset int, unseen bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString("duration,protocol,src_bytes,dst_bytes,count,label\n")
	protocols := []string{"tcp", "udp", "icmp"}
	for i := range n {
		k := i + offset
		label, duration, src, dst, count := "normal", k%13, 200+37*(k%29), 1000+53*(k%31), 1+k%5
		switch {
		case k%5 == 0:
			label, src, dst, count = "smurf", 1032+k%7, 0, 200+k%50
		case k%7 == 0 && unseen && k%2 == 0:
			label, src, dst, count, duration = "neptune", 0, 0, 120+k%40, 0
		case k%7 == 0:
			label, src, dst, count = "satan", 10+k%3, 5+k%4, 60+k%20
		}
		fmt.Fprintf(&b, "%d,%s,%d,%d,%d,%s\n", duration, protocols[k%3], src, dst, count, label)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTableSourceReport runs a table source's experiment, whose trials
// write no dataset.parquet, and checks that its report leaves out the
// figures drawn from the flow dataset and keeps the others.
func TestTableSourceReport(t *testing.T) {
	src := t.TempDir()
	writeTableCSV(t, filepath.Join(src, "train.csv"), 300, 0, false)
	writeTableCSV(t, filepath.Join(src, "test.csv"), 120, 1000, true)
	if err := os.WriteFile(filepath.Join(src, "tabular.yaml"), []byte(tableExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(filepath.Join(src, "tabular.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: t.TempDir(), Code: rundir.Code{Module: "test", Version: "test", GoVersion: "go"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range res.Manifest.Trials {
		if tr.Data.Source != experiments.SourceTable {
			t.Fatalf("trial %s: data source %q, want %q", tr.ID, tr.Data.Source, experiments.SourceTable)
		}
		if _, err := os.Stat(filepath.Join(rundir.TrialDir(res.Dir, tr.ID), "dataset.parquet")); err == nil {
			t.Fatalf("trial %s wrote dataset.parquet; the test wants a run without one", tr.ID)
		}
	}

	r, err := Generate(res.Dir, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Showcase == nil || r.Showcase.Dataset != nil || !r.Showcase.FromTable() {
		t.Fatalf("showcase %+v, want a table source's trial without a dataset", r.Showcase)
	}

	var names []string
	for _, f := range r.Figures() {
		names = append(names, f.Name)
		for _, prefix := range []string{"data-", "features-", "grouping-", "detection-cpu_duration"} {
			if strings.HasPrefix(f.Name, prefix) {
				t.Errorf("figure %s drawn from the flow dataset, which a table source has not", f.Name)
			}
		}
	}
	for _, want := range []string{
		"detection-roc", "detection-pr", "detection-confusion-random_forest", "detection-confusion-isolation_forest",
		"detection-roc-seed=2", "detection-roc_seeds-random_forest",
		"typing-confusion-attack_type", "interpretation-importance-random_forest",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("no figure %s; figures: %v", want, names)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, FiguresDir, want+".svg")); err != nil {
			t.Error(err)
		}
	}

	doc := parseHTML(t, filepath.Join(res.Dir, "report.html"))
	sections := map[string]string{}
	for _, s := range elements(doc, "section") {
		if id, ok := attr(s, "id"); ok {
			sections[id] = textOf(s)
		}
	}
	if _, ok := sections[SectionFeatures]; ok {
		t.Error("report.html has a features section, drawn from a flow dataset the run has not")
	}
	data := sections[SectionData]
	for _, want := range []string{"reads a table through a column mapping", "seed=2", "dos", "probe"} {
		if !strings.Contains(data, want) {
			t.Errorf("the data section lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(r.Spec, "train.csv") && !strings.Contains(data, "train.csv") {
		t.Errorf("the data section does not name the files the resolved spec lists:\n%s", data)
	}
	for id, wants := range map[string][]string{
		SectionDetection: {"Model comparison.", "ROC curves", "Confusion matrix of random_forest", "Detection by attack category", "dos", "probe"},
		SectionTyping: {"detection_rate_seen_attacks", "detection_rate_unseen_attacks", "Attack-type classifiers.",
			"Attack-type confusion matrix of attack_type"},
		SectionInterpret: {"Top 10 features of random_forest"},
		SectionTargets:   {"random_forest detection_rate >= 0.5"},
		SectionGrouping:  {"kmeans"},
	} {
		for _, want := range wants {
			if !strings.Contains(sections[id], want) {
				t.Errorf("section %s lacks %q", id, want)
			}
		}
	}
	// The category rates are the detection section's, with their counts.
	if strings.Contains(sections[SectionTyping], "detection_rate_dos") {
		t.Error("the typing section repeats the category table's detection_rate_dos")
	}
	checkCategoryCounts(t, r)
	page := textOf(doc)
	for _, absent := range []string{"exploratory panels of the case study", "engineered features of", "log bytes and log duration"} {
		if strings.Contains(page, absent) {
			t.Errorf("report.html says %q, of a flow dataset the run has not", absent)
		}
	}
	summary, err := os.ReadFile(filepath.Join(res.Dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(summary), "figures/data-") {
		t.Error("summary.md links a figure of the flow dataset")
	}
}

// TestTableIntro checks that the data section names the table's mapping
// and files when the resolved spec lists them, in block or flow style.
func TestTableIntro(t *testing.T) {
	for _, spec := range []string{
		"spec:\n  name: x\n  data:\n    source: table\n    table:\n      preset: nsl-kdd\n      files: [../data/KDDTrain+.txt.gz]\n      test: [../data/KDDTest+.txt.gz]\n",
		"spec:\n  data: {source: table, table: {preset: nsl-kdd, files: [../data/KDDTrain+.txt.gz], test: [../data/KDDTest+.txt.gz]}}\n",
	} {
		got := (&Run{Spec: spec}).tableIntro()
		for _, want := range []string{"column mapping", "the nsl-kdd mapping", "training data from KDDTrain+.txt.gz", "test data from KDDTest+.txt.gz"} {
			if !strings.Contains(got, want) {
				t.Errorf("intro %q lacks %q", got, want)
			}
		}
	}
	if got := (&Run{Spec: "spec:\n  data: {source: table}\n"}).tableIntro(); strings.Contains(got, "data from") {
		t.Errorf("intro %q names files the spec does not list", got)
	}
}

// TestReportWithoutForest: a run with no random forest writes no
// importances.parquet, and its report is still generated.
func TestReportWithoutForest(t *testing.T) {
	exp, err := experiments.Parse([]byte(`name: noforest
seeds: [1]
data: {flows: 400}
models:
  - {name: iso, kind: isolation_forest, trees: 20}
  - {name: km, kind: kmeans, k: 3, n_init: 1}
`), "noforest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rundir.TrialDir(res.Dir, res.Manifest.Trials[0].ID), "importances.parquet")); err == nil {
		t.Fatal("a run without a random forest wrote importances.parquet: the test proves nothing")
	}
	if _, err := Generate(res.Dir, Options{Workers: 2}); err != nil {
		t.Fatalf("report of a run without a random forest: %v", err)
	}
}
