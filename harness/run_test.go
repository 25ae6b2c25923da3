package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/rundir"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// timing matches the per-trial durations in progress lines, the only
// part of the command's output that varies from run to run.
var timing = regexp.MustCompile(`\(\d+\.\d\ds\)`)

// testStdin is what runCommand passes as standard input (withStdin sets
// it).
var testStdin io.Reader = strings.NewReader("")

// runCommand calls run as main would and returns its exit code and output,
// with durations and the output directory replaced by fixed text.
func runCommand(t *testing.T, ctx context.Context, out string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	err := run(ctx, args, testStdin, &o, &e)
	if err != nil {
		var silent *exitError
		if !errors.As(err, &silent) || silent.err != nil {
			e.WriteString("harness: " + err.Error() + "\n")
		}
	}
	clean := func(s string) string {
		s = timing.ReplaceAllString(s, "(TIME)")
		if out != "" {
			s = strings.ReplaceAll(s, filepath.ToSlash(out), "OUT")
			s = strings.ReplaceAll(s, out, "OUT")
		}
		return s
	}
	return exitCode(err), clean(o.String()), clean(e.String())
}

// skipRaceShort skips a test that runs whole experiments only to check
// the command's files and messages when the race detector is on in -short
// mode: make test runs it again without -race, and the concurrency it
// drives is raced by TestRunDeterministic and the runner's and report's
// own tests.
func skipRaceShort(t *testing.T) {
	t.Helper()
	if raceEnabled && testing.Short() {
		t.Skip("runs experiments 10x slower under -race; make test runs it without -race")
	}
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestCommandLine checks usage errors, validate, and exit codes against
// golden output. Progress lines are sorted away by golden's caller where
// the order depends on scheduling; here nothing runs trials.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no-args", nil, exitUsage},
		{"help", []string{"help"}, exitOK},
		{"unknown-command", []string{"frobnicate"}, exitUsage},
		{"validate-no-files", []string{"validate"}, exitUsage},
		{"validate-good", []string{"validate", "testdata/sweep.yaml", "testdata/parity.yaml", "../experiments/baseline.yaml"}, exitOK},
		// Every error of every file, not only the first; good files still
		// reported as ok.
		{"validate-bad", []string{"validate", "testdata/bad.yaml", "testdata/sweep.yaml"}, exitUsage},
		{"validate-missing-file", []string{"validate", "testdata/no-such-file.yaml"}, exitUsage},
		{"run-no-files", []string{"run"}, exitUsage},
		{"run-bad-flag", []string{"run", "-wrokers", "2", "testdata/sweep.yaml"}, exitUsage},
		{"run-negative-workers", []string{"run", "-workers", "-1", "testdata/sweep.yaml"}, exitUsage},
		{"run-invalid-file", []string{"run", "-out", "OUT", "testdata/bad.yaml"}, exitUsage},
		{"run-duplicate-names", []string{"run", "-out", "OUT", "testdata/sweep.yaml", "testdata/sweep-copy.yaml"}, exitUsage},
		{"run-bad-shard", []string{"run", "-out", "OUT", "-shard", "3/3", "testdata/sweep.yaml"}, exitUsage},
		{"run-shard-syntax", []string{"run", "-out", "OUT", "-shard", "1of3", "testdata/sweep.yaml"}, exitUsage},
		{"merge-no-dirs", []string{"merge"}, exitUsage},
		{"export-no-dirs", []string{"export"}, exitUsage},
		{"export-not-a-run", []string{"export", "-out", "OUT/x", "OUT"}, exitFailure},
		{"merge-not-shards", []string{"merge", "-out", "OUT", "testdata"}, exitFailure},
		{"report-no-dirs", []string{"report"}, exitUsage},
		{"report-not-a-run", []string{"report", "OUT"}, exitFailure},
		// A directory that is not a completed run is exit 1 from every
		// reader of runs, as a damaged run file is.
		{"check-not-a-run", []string{"check", "OUT"}, exitFailure},
		{"diff-not-a-run", []string{"diff", "OUT", "OUT"}, exitFailure},
		{"verify-not-a-run", []string{"verify", "OUT"}, exitFailure},
		{"verify-no-dirs", []string{"verify"}, exitUsage},
		{"run-shard-zero", []string{"run", "-out", "OUT", "-shard", "0/0", "testdata/sweep.yaml"}, exitUsage},
		{"report-negative-workers", []string{"report", "-workers", "-2", "OUT"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			code, stdout, stderr := runCommand(t, t.Context(), out, args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			golden(t, "cmd/"+tt.name+".golden", "exit "+strconv.Itoa(code)+"\n-- stdout --\n"+stdout+"-- stderr --\n"+stderr)
			// Nothing may be written when the command refuses to run.
			if tt.code != exitOK {
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Errorf("a refused command wrote %d entries into -out", len(entries))
				}
			}
		})
	}
}

// TestRunSweep runs a small sweep and checks the run directory: the trial
// layout, the manifest against a golden file (the code version aside), the
// resolved spec, and every trial's dataset read back.
func TestRunSweep(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/sweep.yaml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	golden(t, "run/sweep.stdout.golden", stdout)
	// Progress: one line per trial, in completion order; then each
	// trial's notes (DBSCAN finds only noise here, so no silhouette).
	if n := regexp.MustCompile(`(?m)^sweep: trial \d/8 `).FindAllStringIndex(stderr, -1); len(n) != 8 {
		t.Errorf("%d progress lines, want 8:\n%s", len(n), stderr)
	}
	if n := strings.Count(stderr, ": note: dbscan: silhouette not measured: every flow is noise"); n != 8 {
		t.Errorf("%d notes on DBSCAN's silhouette, want 8:\n%s", n, stderr)
	}

	dir := filepath.Join(out, "sweep")
	m := readManifest(t, dir)
	m.Code = rundir.Code{}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run/sweep.manifest.golden", string(body)+"\n")
	resolved, err := os.ReadFile(filepath.Join(dir, "spec.resolved.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run/sweep.resolved.golden", string(resolved))
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run/sweep.summary.golden", string(summary))

	// Every artifact the manifest lists exists with the recorded digest,
	// and every trial's dataset agrees with the manifest's counts.
	for name, d := range m.Artifacts {
		checkDigest(t, filepath.Join(dir, name), d)
	}
	for _, tr := range m.Trials {
		tdir := rundir.TrialDir(dir, tr.ID)
		for name, d := range tr.Artifacts {
			checkDigest(t, filepath.Join(tdir, name), d)
		}
		ds := readDataset(t, filepath.Join(tdir, "dataset.parquet"))
		if ds.Flows.Len() != tr.Data.Flows || ds.Flows.Len() != 2000 {
			t.Errorf("%s: %d flows, manifest says %d", tr.ID, ds.Flows.Len(), tr.Data.Flows)
		}
		anomalies := 0
		for _, a := range ds.Flows.IsAnomaly {
			if a {
				anomalies++
			}
		}
		// int(n*rate) anomalies, the notebook's count.
		want := map[string]int{"0.05": 100, "0.1": 200}[tr.Params["data.anomaly_rate"]]
		if anomalies != want || tr.Data.Anomalies != want {
			t.Errorf("%s: %d anomalies in the file, %d in the manifest, want %d", tr.ID, anomalies, tr.Data.Anomalies, want)
		}
	}
}

// TestReportCommand regenerates a run's report from its files: the same
// bytes as the run wrote, files deleted since restored, and the index.
func TestReportCommand(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/sweep.yaml"); code != exitOK {
		t.Fatalf("run: exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "sweep")
	read := func(name string) string {
		t.Helper()
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	before := map[string]string{}
	for _, name := range []string{"report.html", "summary.md", "manifest.json", "figures/detection-roc.svg"} {
		before[name] = read(name)
	}
	for _, name := range []string{"report.html", "summary.md", "figures", "../index.html"} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runCommand(t, t.Context(), out, "report", "-workers", "1", dir)
	if code != exitOK {
		t.Fatalf("report: exit %d; stderr:\n%s", code, stderr)
	}
	if stdout != "OUT/sweep/report.html\n" {
		t.Errorf("stdout %q", stdout)
	}
	if !regexp.MustCompile(`^sweep: report with \d+ figures -> OUT/sweep/report.html \(TIME\)\n$`).MatchString(stderr) {
		t.Errorf("stderr %q", stderr)
	}
	for name, body := range before {
		if read(name) != body {
			t.Errorf("%s differs from the one harness run wrote", name)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		t.Errorf("no index of the runs: %v", err)
	}
}

// TestRunDeterministic is the reproducibility promise: the same file
// gives byte-identical artifacts on a second run, and with one worker
// versus several.
func TestRunDeterministic(t *testing.T) {
	var trees []map[string]string
	for _, workers := range []string{"4", "1", "4"} {
		out := t.TempDir()
		code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "-workers", workers, "testdata/sweep.yaml")
		if code != exitOK {
			t.Fatalf("-workers %s: exit %d; stderr:\n%s", workers, code, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if len(trees[0]) < 8+3 {
		t.Fatalf("only %d files written", len(trees[0]))
	}
	for i, name := range []string{"-workers 1", "a second run"} {
		if diff := cmp.Diff(trees[0], trees[i+1]); diff != "" {
			t.Errorf("%s differs from the first run (-first +other):\n%s", name, diff)
		}
	}
}

// TestRunDeterministicWithinTrial: a single trial gets every worker for its
// models (trees, row blocks, k-means runs, DBSCAN's index), and its
// artifacts must not depend on how many.
func TestRunDeterministicWithinTrial(t *testing.T) {
	skipRaceShort(t)
	var trees []map[string]string
	for _, workers := range []string{"1", "3"} {
		out := t.TempDir()
		code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "-workers", workers, "testdata/parity.yaml")
		if code != exitOK {
			t.Fatalf("-workers %s: exit %d; stderr:\n%s", workers, code, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Errorf("-workers 3 differs from -workers 1 (-1 +3):\n%s", diff)
	}
}

// TestRunImportsParityFlows runs the notebook's own 10,000 flows (from
// ../shared/parity) through the pipeline: counts from parity/README.md.
func TestRunImportsParityFlows(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/parity.yaml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	m := readManifest(t, filepath.Join(out, "parity"))
	if len(m.Trials) != 1 {
		t.Fatalf("%d trials, want 1", len(m.Trials))
	}
	d := m.Trials[0].Data
	want := rundir.DataRecord{
		Source: "file", Flows: 10000, Anomalies: 500,
		ByType: map[string]int{"crypto_mining": 314, "lateral_movement": 186},
		// sklearn's StratifiedShuffleSplit on 9500/500 with test_size=0.3.
		Train: 7000, Test: 3000,
		// Its 150 test anomalies (500 × 0.3) by type: stratified on
		// is_anomaly, the types fall as the split draws them.
		TestByType: map[string]int{"crypto_mining": 90, "lateral_movement": 60},
	}
	if diff := cmp.Diff(want, d, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Input" }, cmp.Ignore()),
		cmp.AllowUnexported(rundir.DataRecord{}), cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "typesInRank" }, cmp.Ignore())); diff != "" {
		t.Errorf("data record (-want +got):\n%s", diff)
	}
	in := d.Input
	if in == nil || in.Path != "../../../shared/parity/notebook-flows-10k.csv.gz" {
		t.Fatalf("input record %+v", in)
	}
	digest, err := artifact.HashFile(filepath.Join("testdata", in.Path))
	if err != nil {
		t.Fatal(err)
	}
	if in.Digest != digest {
		t.Errorf("input digest %+v, file has %+v", in.Digest, digest)
	}
}

// TestRunReplacesEarlierRun checks a second run into the same directory:
// trials no longer in the sweep and stray temporary files disappear, and
// a run that fails leaves no manifest vouching for the directory.
func TestRunReplacesEarlierRun(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/sweep.yaml"); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "sweep")
	stray := filepath.Join(dir, "trials", ".dataset.parquet.123.tmp")
	if err := os.WriteFile(stray, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same experiment with one seed: the seed=2 trials must go.
	spec, err := os.ReadFile("testdata/sweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	smaller := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(smaller, bytes.Replace(spec, []byte("seeds: [1, 2]"), []byte("seeds: [1]"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, smaller); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var datasets []string
	for name := range readTree(t, out) {
		if strings.HasSuffix(name, "dataset.parquet") {
			datasets = append(datasets, name)
		}
		if artifact.IsTemporary(name) {
			t.Errorf("temporary file %s survived", name)
		}
	}
	if len(datasets) != 4 {
		t.Errorf("%d datasets after the smaller run, want 4: %v", len(datasets), datasets)
	}
	for _, name := range datasets {
		if !strings.HasSuffix(name, "seed=1/dataset.parquet") {
			t.Errorf("stale trial %s kept", name)
		}
	}

	// A cancelled run: exit 1, and no manifest.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	code, _, stderr := runCommand(t, ctx, out, "run", "-out", out, "testdata/sweep.yaml")
	if code != exitFailure || !strings.Contains(stderr, "interrupted") {
		t.Errorf("cancelled run: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manifest.json after a cancelled run: %v", err)
	}
}

// TestRunFailingTrial checks that a trial that cannot read its data fails
// the run with exit 1 and a message naming the experiment, trial and file.
func TestRunFailingTrial(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "flows.csv")
	if err := os.WriteFile(csv, []byte("flow_id,bytes\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := "name: broken\nseeds: [1]\ndata: {source: file, path: flows.csv, format: csv}\nmodels: [{name: rf, kind: random_forest}]\n"
	file := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, file)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	for _, want := range []string{"broken: trial seed=1:", "flows.csv"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "broken", "manifest.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manifest.json written by a failed run: %v", err)
	}
}

func readManifest(t *testing.T, dir string) rundir.Manifest {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m rundir.Manifest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}

func readDataset(t *testing.T, path string) *datasets.Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := datasets.ReadDataset(f, st.Size(), path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ds
}

func checkDigest(t *testing.T, path string, want artifact.Digest) {
	t.Helper()
	got, err := artifact.HashFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got != want {
		t.Errorf("%s: digest %+v, manifest says %+v", path, got, want)
	}
}

// readTree maps every file under root (slash-separated relative path) to
// the SHA-256 of its content.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		d2, err := artifact.HashFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = d2.SHA256
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestModelsCommand: harness models prints the registry's reference, the
// text of docs/models.md.
func TestModelsCommand(t *testing.T) {
	code, stdout, stderr := runCommand(t, context.Background(), "", "models")
	want, err := os.ReadFile("../docs/models.md")
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || stdout != string(want) {
		t.Errorf("exit %d, stderr %q; stdout differs from docs/models.md", code, stderr)
	}
	if code, _, _ := runCommand(t, context.Background(), "", "models", "extra"); code != 2 {
		t.Errorf("models with an argument: exit %d, want 2", code)
	}
}
