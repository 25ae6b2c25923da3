package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
	"github.com/segharness/harness/internal/rundir"
	"gonum.org/v1/gonum/mat"
)

// fakeModel is an external detector (the test binary with
// HARNESS_FAKE_MODEL=1): it scores each test row by its first feature and
// flags the rows scoring above 1, appends the trial's ID to the file
// $FAKE_CALLS, and fails (exit status 4, after some standard error) for
// the trial $FAKE_FAIL_TRIAL while the file $FAKE_FAIL_MARKER exists.
func fakeModel(reqPath string) int {
	var req struct {
		Trial  string            `json:"trial"`
		Test   map[string]any    `json:"test"`
		Answer map[string]string `json:"answer"`
	}
	body, err := os.ReadFile(reqPath)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 9
	}
	if f, err := os.OpenFile(os.Getenv("FAKE_CALLS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, req.Trial)
		f.Close()
	}
	if _, err := os.Stat(os.Getenv("FAKE_FAIL_MARKER")); err == nil && req.Trial == os.Getenv("FAKE_FAIL_TRIAL") {
		fmt.Fprintln(os.Stderr, "fake: loading the training rows")
		fmt.Fprintf(os.Stderr, "fake: cannot fit trial %s: out of patience\n", req.Trial)
		return 4
	}
	f, err := os.Open(req.Test["x"].(string))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 9
	}
	defer f.Close()
	var x mat.Dense
	if err := npyio.Read(f, &x); err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 9
	}
	rows, _ := x.Dims()
	scores, decision := make([]float64, rows), make([]bool, rows)
	for i := range rows {
		scores[i] = x.At(i, 0)
		decision[i] = scores[i] > 1
	}
	for key, v := range map[string]any{"score": scores, "decision": decision} {
		if req.Answer[key] == "" {
			continue // a model with a threshold is asked for scores only
		}
		out, err := os.Create(req.Answer[key])
		if err == nil {
			err = npyio.Write(out, v)
			out.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake:", err)
			return 9
		}
	}
	return 0
}

// fakeEnv sets up the fake model's environment and returns the file its
// calls are logged to and the marker that makes $FAKE_FAIL_TRIAL fail.
func fakeEnv(t *testing.T, failTrial string) (calls, marker string) {
	t.Helper()
	dir := t.TempDir()
	calls, marker = filepath.Join(dir, "calls"), filepath.Join(dir, "fail")
	t.Setenv("HARNESS_FAKE_MODEL", "1")
	t.Setenv("FAKE_CALLS", calls)
	t.Setenv("FAKE_FAIL_MARKER", marker)
	t.Setenv("FAKE_FAIL_TRIAL", failTrial)
	return calls, marker
}

// readCalls returns the trials the fake model answered since the last
// call, and forgets them.
func readCalls(t *testing.T, calls string) []string {
	t.Helper()
	body, _ := os.ReadFile(calls)
	os.Remove(calls)
	trials := strings.Fields(string(body))
	slices.Sort(trials)
	return trials
}

// TestExternalFailure: an external model that fails in one trial fails
// that trial only, with the model's name, its exit status and the last
// lines of its standard error; the experiment's other trials and the
// other experiments of the command still run; the command exits 1; and
// running it again runs only the failed trial. Editing a file the model
// declares reruns every trial.
func TestExternalFailure(t *testing.T) {
	skipRaceShort(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	calls, marker := fakeEnv(t, "seed=2")
	dir := t.TempDir()
	dep := filepath.Join(dir, "weights.txt")
	os.WriteFile(dep, []byte("v1"), 0o644)
	a := filepath.Join(dir, "a.yaml")
	os.WriteFile(a, []byte(fmt.Sprintf(`name: a
seeds: [1, 2, 3]
data: {flows: 400}
models:
  - {name: rf, kind: random_forest, trees: 5}
  - {name: fake, kind: external, command: [%q, "-test.run=^$"], files: [weights.txt], timeout: 1m}
`, exe)), 0o644)
	b := filepath.Join(dir, "b.yaml")
	os.WriteFile(b, []byte("name: b\nseeds: [1]\ndata: {flows: 300}\nmodels: [{name: rf, kind: random_forest, trees: 5}]\n"), 0o644)
	os.WriteFile(marker, nil, 0o644)
	out := filepath.Join(dir, "runs")
	ctx := context.Background()

	code, _, stderr := runCommand(t, ctx, out, "run", "-out", out, "-workers", "2", a, b)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"a: trial 2/3 seed=2: FAILED", // the progress line, as it happens (seed=2 may finish in any order)
		"a: 1 of 3 trials failed; the other 2 are complete on disk, and running the same command again runs only the failed ones",
		"a: trial seed=2: model fake: external model fake",
		"exited with status 4",
		"the last lines of its standard error:\n    fake: loading the training rows\n    fake: cannot fit trial seed=2: out of patience",
	} {
		if want == "a: trial 2/3 seed=2: FAILED" {
			if !regexp.MustCompile(`a: trial [123]/3 seed=2: FAILED: `).MatchString(stderr) {
				t.Errorf("no progress line for the failed trial in:\n%s", stderr)
			}
			continue
		}
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if got := readCalls(t, calls); !slices.Equal(got, []string{"seed=1", "seed=2", "seed=3"}) {
		t.Errorf("the model ran for %v", got)
	}
	if _, err := os.Stat(filepath.Join(out, "b", "manifest.json")); err != nil {
		t.Errorf("experiment b did not run after a's failure: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "a", "manifest.json")); err == nil {
		t.Error("experiment a has a manifest though a trial failed")
	}
	for _, id := range []string{"seed=1", "seed=3"} {
		if _, err := os.Stat(filepath.Join(out, "a", "trials", id, "trial.json")); err != nil {
			t.Errorf("trial %s is not complete on disk: %v", id, err)
		}
	}
	assertNoWork(t, filepath.Join(out, "a"))

	// Fixed: only the failed trial runs.
	os.Remove(marker)
	code, _, stderr = runCommand(t, ctx, out, "run", "-out", out, "-workers", "2", a)
	if code != 0 {
		t.Fatalf("rerun: exit %d; stderr:\n%s", code, stderr)
	}
	if got := readCalls(t, calls); !slices.Equal(got, []string{"seed=2"}) {
		t.Errorf("the rerun ran the model for %v, want only the failed trial seed=2", got)
	}
	if !strings.Contains(stderr, "a: 2 of 3 trials up to date on disk, reused") {
		t.Errorf("rerun stderr:\n%s", stderr)
	}
	var m struct {
		Trials []struct {
			ModelInputs []struct {
				Model, Path, SHA256 string
			} `json:"model_inputs"`
		} `json:"trials"`
	}
	body, _ := os.ReadFile(filepath.Join(out, "a", "manifest.json"))
	// The inputs: the command, a path, and the declared file.
	if err := json.Unmarshal(body, &m); err != nil || len(m.Trials) != 3 || len(m.Trials[0].ModelInputs) != 2 ||
		m.Trials[0].ModelInputs[0].Path != exe || m.Trials[0].ModelInputs[1].Path != "weights.txt" || m.Trials[0].ModelInputs[1].Model != "fake" {
		t.Errorf("the manifest does not record the model's inputs: %v %+v", err, m)
	}

	// Unchanged: nothing runs. The declared file edited: every trial runs.
	runCommand(t, ctx, out, "run", "-out", out, a)
	if got := readCalls(t, calls); len(got) != 0 {
		t.Errorf("an unchanged experiment ran the model for %v", got)
	}
	os.WriteFile(dep, []byte("v2"), 0o644)
	runCommand(t, ctx, out, "run", "-out", out, a)
	if got := readCalls(t, calls); len(got) != 3 {
		t.Errorf("after its file changed the model ran for %v, want every trial", got)
	}
}

func assertNoWork(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".work-") {
			t.Errorf("a working directory is left: %s", path)
		}
		return nil
	})
}

// pythonWithNumpy returns a directory holding a python3 that imports
// numpy (Debian's /usr/bin first: a pyenv python3 earlier on PATH may lack
// it), or skips the test; with $EXTERNAL_REQUIRED set (CI) it fails
// instead.
func pythonWithNumpy(t *testing.T, modules ...string) string {
	t.Helper()
	dirs := append([]string{"/usr/bin"}, filepath.SplitList(os.Getenv("PATH"))...)
	imports := strings.Join(append([]string{"numpy"}, modules...), ", ")
	for _, d := range dirs {
		py := filepath.Join(d, "python3")
		if exec.Command(py, "-c", "import "+imports).Run() == nil {
			return d
		}
	}
	msg := "no python3 that imports " + imports + " (on Debian: apt-get install python3-sklearn python3-xgboost python3-torch)"
	if os.Getenv("EXTERNAL_REQUIRED") != "" {
		t.Fatal(msg + "; $EXTERNAL_REQUIRED is set, so the test may not skip")
	}
	t.Skip(msg)
	return ""
}

// TestWorkedExample runs the worked example of docs/external-models.md
// verbatim: its script and experiment, as the page gives them, run and
// pass the gate; run again, every trial is reused.
func TestWorkedExample(t *testing.T) {
	skipRaceShort(t)
	py := pythonWithNumpy(t)
	t.Setenv("PATH", py+string(os.PathListSeparator)+os.Getenv("PATH"))
	doc, err := os.ReadFile("../docs/external-models.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```(python|yaml)\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 2 || blocks[0][1] != "python" || blocks[1][1] != "yaml" {
		t.Fatalf("the worked example's blocks are not a python script then a YAML experiment: %d blocks", len(blocks))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "zscore.py"), []byte(blocks[0][2]), 0o644)
	file := filepath.Join(dir, "zscore.yaml")
	os.WriteFile(file, []byte(blocks[1][2]), 0o644)
	out := filepath.Join(dir, "runs")
	ctx := context.Background()
	code, _, stderr := runCommand(t, ctx, out, "run", "-out", out, file)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runCommand(t, ctx, out, "check", filepath.Join(out, "zscore"))
	if code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "PASS         zscore roc_auc >= 0.9") {
		t.Errorf("check:\n%s", stdout)
	}
	_, _, stderr = runCommand(t, ctx, out, "run", "-out", out, file)
	if !strings.Contains(stderr, "3 of 3 trials up to date on disk, reused") {
		t.Errorf("a second run did not reuse the trials:\n%s", stderr)
	}
}

// TestAdapters runs the reference adapters (adapters/) through the harness
// in every role they take, on a small sweep: each trial completes, and
// each model has its role's metrics.
func TestAdapters(t *testing.T) {
	skipRaceShort(t)
	if testing.Short() {
		t.Skip("runs Python programs; make test runs it without -short")
	}
	py := pythonWithNumpy(t, "sklearn", "xgboost", "torch")
	t.Setenv("PATH", py+string(os.PathListSeparator)+os.Getenv("PATH"))
	adapters, err := filepath.Abs("../adapters")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "adapters.yaml")
	os.WriteFile(file, []byte(strings.ReplaceAll(`name: adapters
seeds: [1, 2]
data: {flows: 3000, difficulty: 0.5}
operating_point: {fpr_budget: 0.05}
models:
  - {name: hgb, kind: external, command: [python3, ADAPTERS/sklearn_model.py], params: {estimator: sklearn.ensemble.HistGradientBoostingClassifier}}
  - {name: lof, kind: external, command: [python3, ADAPTERS/sklearn_model.py], params: {estimator: sklearn.neighbors.LocalOutlierFactor, n_neighbors: 150}}
  - {name: xgb, kind: external, command: [python3, ADAPTERS/xgboost_model.py], params: {n_estimators: 50}}
  - {name: ae, kind: external, command: [python3, ADAPTERS/torch_autoencoder.py], params: {epochs: 5}}
  - {name: xgb_types, kind: external, role: typer, command: [python3, ADAPTERS/xgboost_model.py], params: {n_estimators: 20}}
  - {name: km, kind: external, role: clusterer, command: [python3, ADAPTERS/sklearn_model.py], params: {estimator: sklearn.cluster.KMeans, n_clusters: 4, n_init: 2}}
targets:
  - {model: xgb, metric: roc_auc, ">=": {model: hgb}, tolerance: 0.05}
`, "ADAPTERS", adapters)), 0o644)
	out := filepath.Join(dir, "runs")
	code, _, stderr := runCommand(t, context.Background(), out, "run", "-out", out, file)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	rows, err := rundir.ReadMetricsFile(filepath.Join(out, "adapters", "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, r := range rows {
		has[r.Model+" "+r.Metric] = true
	}
	for _, want := range []string{"hgb roc_auc", "hgb budget_detection_rate", "lof detection_rate", "xgb f1", "ae roc_auc",
		"xgb_types macro_f1", "km silhouette", "km n_clusters"} {
		if !has[want] {
			t.Errorf("no %s in the metrics table", want)
		}
	}
}

// TestExternalThreshold: a detector with a threshold is asked for scores
// only, and the harness flags the flows scoring at least the threshold.
func TestExternalThreshold(t *testing.T) {
	skipRaceShort(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fakeEnv(t, "")
	dir := t.TempDir()
	file := filepath.Join(dir, "threshold.yaml")
	os.WriteFile(file, []byte(fmt.Sprintf(`name: threshold
seeds: [1]
data: {flows: 400}
models:
  - {name: none, kind: external, command: [%[1]q, "-test.run=^$"], threshold: 1e9}
  - {name: all, kind: external, command: [%[1]q, "-test.run=^$"], threshold: -1e9}
`, exe)), 0o644)
	out := filepath.Join(dir, "runs")
	if code, _, stderr := runCommand(t, context.Background(), out, "run", "-out", out, file); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rows, err := rundir.ReadMetricsFile(filepath.Join(out, "threshold", "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"none detection_rate": 0, "none false_positive_rate": 0, "all detection_rate": 1, "all false_positive_rate": 1}
	for _, r := range rows {
		if w, ok := want[r.Model+" "+r.Metric]; ok {
			if r.Value != w {
				t.Errorf("%s %s = %v, want %v", r.Model, r.Metric, r.Value, w)
			}
			delete(want, r.Model+" "+r.Metric)
		}
	}
	if len(want) > 0 {
		t.Errorf("not measured: %v", want)
	}
}
