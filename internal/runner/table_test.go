package runner

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/segharness/harness/datasets/tabular"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
)

// writeTableCSV writes a small flow table: normal rows of modest bytes,
// attacks of large bytes; labels cycle through those given.
func writeTableCSV(t *testing.T, path string, rows int, attacks []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("dur,bytes,proto,label\n")
	for i := range rows {
		label, bytes := "normal", 100+i%50
		if i%4 == 0 {
			label, bytes = attacks[(i/4)%len(attacks)], 50000+i
		}
		fmt.Fprintf(&b, "%d,%d,%s,%s\n", i%7, bytes, []string{"tcp", "udp"}[i%2], label)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTableSource runs a trial on a table source with separate test
// files: the mapping's features, the engineered features its roles allow
// (and a note for the others), detection per attack category, and on the
// label never seen in training.
func TestTableSource(t *testing.T) {
	dir := t.TempDir()
	writeTableCSV(t, filepath.Join(dir, "train.csv"), 400, []string{"scan", "flood"})
	writeTableCSV(t, filepath.Join(dir, "test.csv"), 200, []string{"scan", "storm"})
	src := `name: table
seeds: [1]
data:
  source: table
  table:
    files: [train.csv]
    test: [test.csv]
    header: true
    label: label
    normal: [normal]
    categories: {probe: [scan], dos: [flood, storm]}
    numeric: [dur, bytes]
    categorical: [proto]
    roles: {duration: dur, bytes_sent: bytes}
models:
  - {name: rf, kind: random_forest, trees: 10}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 10}
`
	file := filepath.Join(dir, "table.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Manifest.Trials[0]
	if rec.Data.Source != experiments.SourceTable || rec.Data.Flows != 600 || rec.Data.Train != 400 || rec.Data.Test != 200 || rec.Data.Anomalies != 150 {
		t.Errorf("data record %+v: want 600 flows, 400 train, 200 test, 150 anomalies", rec.Data)
	}
	if want := map[string]int{"dos": 75, "probe": 75}; fmt.Sprint(rec.Data.ByType) != fmt.Sprint(want) {
		t.Errorf("by type %v, want %v", rec.Data.ByType, want)
	}
	// The test file's 50 attacks (every fourth of 200 rows) alternate
	// scan (probe) and storm (dos).
	if want := map[string]int{"dos": 25, "probe": 25}; fmt.Sprint(rec.Data.TestByType) != fmt.Sprint(want) {
		t.Errorf("test by type %v, want %v", rec.Data.TestByType, want)
	}
	checkTestByType(t, res.Dir, rec, "rf")
	notes := strings.Join(rec.Notes, "\n")
	for _, want := range []string{"1 label values in the test files never occur in training: storm", "packets_per_second (needs packets_sent)", "risk_score"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	metrics := map[string]float64{}
	for _, m := range trialMetrics(t, res.Dir, rec) {
		if m.Model == "rf" {
			metrics[m.Metric] = m.Value
		}
	}
	for _, name := range []string{"detection_rate", "false_positive_rate", "roc_auc", "detection_rate_dos", "detection_rate_probe", "detection_rate_seen_attacks", "detection_rate_unseen_attacks"} {
		if _, ok := metrics[name]; !ok {
			t.Errorf("rf has no %s (has %v)", name, metrics)
		}
	}
	// Large bytes mark every attack, seen or not: the forest finds them.
	if metrics["detection_rate_unseen_attacks"] != 1 || metrics["detection_rate"] != 1 {
		t.Errorf("detection %v, on unseen attacks %v: want 1", metrics["detection_rate"], metrics["detection_rate_unseen_attacks"])
	}
	imps, err := rundir.ReadTableFile(filepath.Join(rundir.TrialDir(res.Dir, rec.ID), "importances.parquet"), rundir.ReadImportances)
	if err != nil {
		t.Fatal(err)
	}
	var features []string
	for _, im := range imps {
		if im.Model == "rf" {
			features = append(features, im.Feature)
		}
	}
	slices.Sort(features)
	want := []string{"bytes", "bytes_per_second", "dur", "log_bytes", "log_duration", "long_duration", "proto"}
	if !slices.Equal(features, want) {
		t.Errorf("the forest's features %v, want %v", features, want)
	}
	if _, err := os.Stat(filepath.Join(rundir.TrialDir(res.Dir, rec.ID), "dataset.parquet")); err == nil {
		t.Error("a table trial wrote dataset.parquet, the synthetic flow schema")
	}
}

// TestTableFormat reads a gzip-compressed CSV whose name does not tell its
// format, as KDD Cup 99's kddcup.data_10_percent.gz: refused without
// format (naming the key to set), read with format: csv.gz.
func TestTableFormat(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.csv")
	writeTableCSV(t, plain, 200, []string{"scan"})
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(data)
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "kddcup.data_10_percent.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `name: format
seeds: [1]
data:
  source: table
  table:
    files: [kddcup.data_10_percent.gz]
    %s
    header: true
    label: label
    normal: [normal]
    categories: {probe: [scan]}
    numeric: [dur, bytes]
    categorical: [proto]
models:
  - {name: iso, kind: isolation_forest}
`
	file := filepath.Join(dir, "format.yaml")
	os.WriteFile(file, []byte(fmt.Sprintf(src, "")), 0o644)
	if _, err := experiments.ParseFile(file); err == nil || !strings.Contains(err.Error(), "format.yaml:6:13: data.table.files: cannot tell the format of kddcup.data_10_percent.gz from its extension") ||
		!strings.Contains(err.Error(), "declare it with format: csv, csv.gz, parquet") {
		t.Errorf("without format: %v", err)
	}
	os.WriteFile(file, []byte(fmt.Sprintf(src, "format: csv.gz")), 0o644)
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Manifest.Trials[0].Data; rec.Flows != 200 || rec.Anomalies != 50 {
		t.Errorf("data record %+v: want 200 flows, 50 anomalies", rec)
	}
}

// TestTableNonFinite runs a CICFlowMeter-like table whose rate column
// holds Infinity tokens under nonfinite: clip, and checks the trial's
// notes count the values clipped; nonfinite: drop counts the rows.
func TestTableNonFinite(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Flow Duration,Flow Bytes/s,Protocol,Label\n")
	for i := range 300 {
		label, rate := "BENIGN", fmt.Sprint(100+i%50)
		if i%5 == 0 {
			label, rate = "PortScan", fmt.Sprint(90000+i)
		}
		if i%37 == 0 {
			rate = "Infinity"
		}
		fmt.Fprintf(&b, "%d,%s,%d,%s\n", i%11, rate, []int{6, 17}[i%2], label)
	}
	os.WriteFile(filepath.Join(dir, "cic.csv"), []byte(b.String()), 0o644)
	for _, tc := range []struct{ policy, note string }{
		{"clip", "data: 9 +Inf values of Flow Bytes/s clipped to 90295"},
		{"drop", "data: 9 rows dropped: non-finite value in Flow Bytes/s (first at"},
	} {
		src := `name: cic
seeds: [1]
data:
  source: table
  table:
    files: [cic.csv]
    header: true
    label: Label
    normal: [BENIGN]
    categories: {probe: [PortScan]}
    numeric: [Flow Duration, Flow Bytes/s]
    categorical: [Protocol]
    nonfinite: ` + tc.policy + `
models:
  - {name: iso, kind: isolation_forest}
`
		res := runTableFile(t, filepath.Join(dir, tc.policy+".yaml"), src)
		if notes := strings.Join(res.Manifest.Trials[0].Notes, "\n"); !strings.Contains(notes, tc.note) {
			t.Errorf("nonfinite %s: notes %q, want %q", tc.policy, notes, tc.note)
		}
	}
}

// TestRoleScales: a duration in microseconds (CICFlowMeter's Flow
// Duration) scaled to seconds feeds the engineered features in seconds
// (internal/features): 4,000,000,000 µs is 4,000 s, a long duration (over
// 3,600 s), and bytes per second is bytes / (seconds + 1); the column
// itself is unchanged.
func TestRoleScales(t *testing.T) {
	tab := &tabular.Table{
		Rows: 2, NumericNames: []string{"Flow Duration", "Bytes"},
		Numeric:    [][]float64{{4000e6, 5e5}, {1e6, 1e6}},
		Roles:      map[string]string{"duration": "Flow Duration", "bytes_sent": "Bytes"},
		RoleScales: map[string]float64{"duration": 1e-6},
	}
	r := rolesOf(tab)
	if diff := cmp.Diff([]float64{4000, 0.5}, r["duration"]); diff != "" {
		t.Errorf("duration in seconds (-want +got):\n%s", diff)
	}
	if tab.Numeric[0][0] != 4000e6 {
		t.Errorf("the column changed: %v", tab.Numeric[0])
	}
	have, _ := engineeredFor(tab)
	got := map[string][]float64{}
	for _, e := range have {
		got[e.name] = []float64{e.value(r, 0), e.value(r, 1)}
	}
	want := map[string][]float64{
		flow.ColBytesPerSecond: {1e6 / 4001, 1e6 / 1.5},
		flow.ColLongDuration:   {1, 0},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, got[name], cmpopts.EquateApprox(1e-12, 0)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestDedupe runs a table whose rows repeat within and across its
// training and test files (the generator of make interop's leakage
// check), without and with split.dedupe: exact. Without, the leakage
// report counts the copies; with, every copy is dropped before the split
// (the notes count them), and what the report finds left are the vectors
// with conflicting labels, which are not copies of one row.
func TestDedupe(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows, bytesMod, labelMod int, attack string) {
		var b strings.Builder
		b.WriteString("Flow Duration,Flow Bytes/s,Protocol,Label\n")
		for i := range rows {
			label := "BENIGN"
			if i%labelMod == 0 {
				label = attack
			}
			fmt.Fprintf(&b, "%d,%d.5,%d,%s\n", i%5, 100+i%bytesMod, []int{6, 17}[i%2], label)
		}
		os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644)
	}
	write("train.csv", 60, 3, 4, "PortScan")
	write("test.csv", 30, 4, 3, "DDoS")
	leak := map[string]map[string]float64{}
	var notes []string
	var kept int
	for _, dedupe := range []string{"none", "exact"} {
		src := `name: dedupe
seeds: [1]
data:
  source: table
  table:
    files: [train.csv]
    test: [test.csv]
    header: true
    label: Label
    normal: [BENIGN]
    categories: {probe: [PortScan], dos: [DDoS]}
    numeric: [Flow Duration, Flow Bytes/s]
    categorical: [Protocol]
split: {dedupe: ` + dedupe + `}
models:
  - {name: iso, kind: isolation_forest}
`
		res := runTableFile(t, filepath.Join(dir, dedupe+".yaml"), src)
		leak[dedupe] = map[string]float64{}
		metrics, err := rundir.ReadMetricsFile(filepath.Join(res.Dir, rundir.MetricsFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range metrics {
			if m.Model == experiments.LeakageModel {
				leak[dedupe][m.Metric] = m.Value
			}
		}
		if dedupe == "exact" {
			notes = res.Manifest.Trials[0].Notes
			d := res.Manifest.Trials[0].Data
			if d.Train+d.Test != d.Flows {
				t.Errorf("data record %+v: the sides do not add up", d)
			}
			kept = d.Flows
		}
	}
	// Counted by DuckDB in make interop (scripts/interop.sh) on the same
	// files: 30 copies within train, 10 within test, 23 test rows equal
	// to a training row, 19 vectors of two labels.
	if want := map[string]float64{"train_duplicates": 30, "test_duplicates": 10, "cross_split_duplicates": 23, "conflicting_vectors": 19}; !subset(want, leak["none"]) {
		t.Errorf("without dedupe: leakage %v, want %v", leak["none"], want)
	}
	// Deduplicated, the rows left are the distinct (features, category)
	// rows of the two files, counted here from their text; the copies
	// left are of the 19 vectors with two labels, one row per label.
	distinct := map[string]bool{}
	for _, name := range []string{"train.csv", "test.csv"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
			distinct[line] = true
		}
	}
	if kept != len(distinct) {
		t.Errorf("with dedupe: %d rows kept, want the %d distinct rows", kept, len(distinct))
	}
	if got := leak["exact"]; got["conflicting_vectors"] != 19 || got["train_duplicates"] >= 30 || got["test_duplicates"] >= 10 {
		t.Errorf("with dedupe: leakage %v, want fewer copies and the same 19 conflicting vectors", got)
	}
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "split.dedupe exact dropped") }) {
		t.Errorf("notes %q do not count the rows dropped", notes)
	}
}

// subset says whether every entry of want is in got.
func subset(want, got map[string]float64) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// runTableFile writes the experiment src to file, parses it and runs it
// into a temporary directory, failing the test on any error.
func runTableFile(t *testing.T, file, src string) *Result {
	t.Helper()
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
