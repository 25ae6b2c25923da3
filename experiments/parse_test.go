package experiments

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/monitor/retrain"
	"github.com/segharness/harness/internal/monitor/scenario"
	"github.com/segharness/harness/internal/monitor/timing"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/bad and the key list of docs/experiment-files.md")

// approx compares floats with a tolerance, never ==.
var approx = cmpopts.EquateApprox(0, 1e-12)

// parseString parses src as the file name and fails the test on error.
func parseString(t testing.TB, name, src string) *Experiment {
	t.Helper()
	exp, err := Parse([]byte(src), name)
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", name, err)
	}
	return exp
}

// load parses the experiment file at path and checks the files it names,
// as the harness does before it runs anything.
func load(path string) (*Experiment, error) {
	exp, err := ParseFile(path)
	if err == nil {
		err = exp.CheckFiles()
	}
	if err != nil {
		return nil, err
	}
	return exp, nil
}

// TestCheckedInFiles parses every experiment file beside the package, as
// ARCHITECTURE.md asks: each must be valid and expand to at least one
// trial, with unique IDs that are usable as relative paths.
func TestCheckedInFiles(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *.yaml files in the package directory")
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			exp, err := load(file)
			if err != nil {
				t.Fatalf("ParseFile(%s) and CheckFiles:\n%v", file, err)
			}
			if len(exp.Trials) == 0 {
				t.Fatalf("ParseFile(%s): no trials", file)
			}
			if want := strings.TrimSuffix(file, ".yaml"); exp.Spec.Name != want {
				t.Errorf("name %q, want the file's base name %q (runs/<name>/ must not collide)", exp.Spec.Name, want)
			}
			checkTrials(t, exp)
		})
	}
}

// checkTrials checks what holds for every experiment: one trial per seed
// per point of the sweep, unique IDs that are valid relative paths, and
// each trial's spec holding its own seed.
func checkTrials(t *testing.T, exp *Experiment) {
	t.Helper()
	points := 1
	sizes := map[int]int{} // zip group -> length
	for _, a := range exp.Axes {
		if a.Group == 0 {
			points *= len(a.Values)
		} else if _, ok := sizes[a.Group]; !ok {
			sizes[a.Group] = len(a.Values)
			points *= len(a.Values)
		}
	}
	if want := points * len(exp.Spec.Seeds); len(exp.Trials) != want {
		t.Errorf("%d trials, want %d points x %d seeds = %d", len(exp.Trials), points, len(exp.Spec.Seeds), want)
	}
	seen := map[string]bool{}
	for _, tr := range exp.Trials {
		if seen[tr.ID] {
			t.Errorf("trial ID %s appears twice", tr.ID)
		}
		seen[tr.ID] = true
		if !fs.ValidPath(tr.ID) || len(tr.ID) > maxIDLen {
			t.Errorf("trial ID %q is not a valid relative path of at most %d bytes", tr.ID, maxIDLen)
		}
		if !slices.Equal(tr.Spec.Seeds, []int64{tr.Seed}) {
			t.Errorf("%s: spec seeds %v, want [%d]", tr.ID, tr.Spec.Seeds, tr.Seed)
		}
		if len(tr.Params) != len(exp.Axes) {
			t.Errorf("%s: %d params, want one per axis (%d)", tr.ID, len(tr.Params), len(exp.Axes))
		}
	}
}

// TestBadFiles parses each file in testdata/bad, and checks the files it
// names when it parses, and compares the formatted error list with the
// .golden file beside it. Regenerate with
//
//	go test ./experiments -run TestBadFiles -update
//
// and read the diff: every message must be clear and point at the right
// line and column.
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files in testdata/bad")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			exp, err := load(file)
			if err == nil {
				t.Fatalf("ParseFile(%s) = %d trials, nil error; want errors", file, len(exp.Trials))
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("ParseFile(%s) error is %T, want ErrorList", file, err)
			}
			src, _ := os.ReadFile(file)
			checkErrorList(t, src, file, list)
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("ParseFile(%s) errors differ from %s (-want +got):\n%s", file, golden, cmp.Diff(string(want), got))
			}
		})
	}
}

// wholeFile lists the messages an error may carry without a position: the
// problem is the file as a whole, or the YAML library could not say where
// (a UTF-16 file, which the reader decodes before reporting).
var wholeFile = []string{"empty file:", "the sweep expands to", "YAML syntax:"}

// checkErrorList checks the promises of ErrorList: not empty, every error
// names the file, carries a message and a position inside src (or is one
// of the whole-file errors), and the list is sorted by position.
func checkErrorList(t testing.TB, src []byte, file string, list ErrorList) {
	t.Helper()
	if len(list) == 0 {
		t.Fatal("empty ErrorList returned as an error")
	}
	lastLine, _ := position(src, len(src))
	for i, e := range list {
		if e.File != file || e.Msg == "" {
			t.Errorf("error %d: file %q, message %q; want file %q and a message", i, e.File, e.Msg, file)
		}
		switch {
		case e.Line == 0:
			if e.Column != 0 || e.Path != "" || !slices.ContainsFunc(wholeFile, func(p string) bool { return strings.HasPrefix(e.Msg, p) }) {
				t.Errorf("error without a position: %v", e)
			}
		case e.Line < 0 || e.Line > lastLine || e.Column < 1:
			t.Errorf("error at %d:%d, outside the file's %d lines: %v", e.Line, e.Column, lastLine, e)
		}
		if i > 0 && (list[i-1].Line > e.Line || list[i-1].Line == e.Line && list[i-1].Column > e.Column) {
			t.Errorf("errors out of order: %v before %v", list[i-1], e)
		}
	}
}

// TestDefaults checks the defaults of defaultSpec and defaultModel
// (spec.go): the notebook's data recipe (10,000 flows, 5% anomalies, 60/40
// crypto mining and lateral movement), its 20 features and 70/30 split, and
// scikit-learn's model defaults except n_init 10 (scikit-learn 1.2's, the
// notebook's version).
func TestDefaults(t *testing.T) {
	exp := parseString(t, "defaults.yaml", `
name: defaults
seeds: [7]
models:
  - {kind: random_forest}
  - {kind: isolation_forest}
  - {kind: kmeans}
  - {kind: dbscan}
targets:
  - {model: random_forest, metric: detection_rate, ">=": 0.9}
`)
	want := Spec{
		Name:  "defaults",
		Seeds: []int64{7},
		Data: Data{
			Source: "generate",
			Config: synth.Config{
				Generator:   "notebook",
				Flows:       10000,
				AnomalyRate: 0.05,
				AnomalyMix:  map[string]float64{"crypto_mining": 0.6, "lateral_movement": 0.4},
				Difficulty:  0,
			},
		},
		Features:  []string{"notebook"},
		Split:     Split{By: "random", TestFraction: 0.3, Stratify: "anomaly_type", ScaleOn: "train", Dedupe: "none", TimeUnit: "s", Folds: 5},
		Operating: OperatingPoint{ValidationFraction: 0.25},
		Models: []Model{
			// sklearn RandomForestClassifier: n_estimators=100,
			// max_features="sqrt", max_depth=None, min_samples_split=2,
			// min_samples_leaf=1, class_weight=None, bootstrap=True.
			{Name: "random_forest", Kind: "random_forest", Params: rfDefaults()},
			// sklearn IsolationForest: n_estimators=100, max_samples="auto",
			// contamination="auto".
			{Name: "isolation_forest", Kind: "isolation_forest", Params: vals("trees", "100", "max_samples", "auto", "contamination", "auto")},
			// sklearn KMeans: n_clusters=8, max_iter=300, tol=1e-4; n_init
			// 10 as in scikit-learn 1.2.
			{Name: "kmeans", Kind: "kmeans", Params: vals("k", "8", "n_init", "10", "max_iter", "300", "tol", "0.0001", "silhouette_sample", "10000")},
			// sklearn DBSCAN: eps=0.5, min_samples=5.
			{Name: "dbscan", Kind: "dbscan", Params: vals("eps", "0.5", "min_samples", "5", "silhouette_sample", "10000")},
		},
		Targets: []Target{{Model: "random_forest", Metric: "detection_rate", Op: ">=", Value: 0.9}},
		// No policy is asked for; these are the defaults a policy: key
		// starts from (doc.go).
		Policy: Policy{Config: policyconfig.Config{Segments: "department_device", MinFlows: 1, Clusters: 6, ClusterQuantile: 0.99, IsolateAbove: 0.8}},
		// Nor a monitoring simulation; these are the defaults a
		// monitoring: key starts from (doc.go).
		Monitoring: Monitoring{Scenario: scenario.Scenario{
			Period: 7 * 24 * time.Hour, Window: time.Hour, FlowsPerDay: 100000, BusinessHoursFactor: 3,
			Timing: timing.Model{ExportInterval: time.Minute, ScoringInterval: 30 * time.Second,
				Triage: timing.Dist{Kind: "lognormal", A: 3, B: 0.5}, Containment: timing.Dist{Kind: "lognormal", A: 6, B: 0.5}},
			Feedback: scenario.Feedback{Delay: 4 * time.Hour, NormalFraction: 0.01, AnomalyFraction: 0.5},
			Retraining: scenario.Retraining{Config: retrain.Config{MinDetection: 0.9, FeedbackWindow: 24 * time.Hour, MinAnomalies: 50, DriftThreshold: 0.25,
				NewPatterns: 50, Schedule: 30 * 24 * time.Hour, MinSamples: 1000, MinImprovement: 0.02, Rollout: []float64{0.1, 0.5, 1},
				StageDuration: 12 * time.Hour, RollbackTolerance: 0.05, Cooldown: 24 * time.Hour}, Holdout: 24 * time.Hour, MaxSamples: 50000},
			DriftFeatures: []string{"bytes_sent", "packets_sent", "duration", "cpu_usage", "ports_contacted"},
			DriftBins:     10,
		}},
	}
	if diff := cmp.Diff(want, exp.Spec, approx); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
	if len(exp.Axes) != 0 || len(exp.Trials) != 1 || exp.Trials[0].ID != "seed=7" {
		t.Errorf("no sweep: got %d axes and trials %v, want one trial seed=7", len(exp.Axes), trialIDs(exp))
	}
}

// TestValues checks that values reach the spec as written, in every form
// the parser accepts: integral floats for integers, auto and all, fraction
// and count max_features, a partial mix, a column list.
func TestValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string // data, features, split and models
		want func(s *Spec)
	}{
		{
			name: "integral float for an integer",
			yaml: "data: {flows: 1e6}",
			want: func(s *Spec) { s.Data.Flows = 1000000 },
		},
		{
			name: "partial mix replaces the default one",
			yaml: "data: {anomaly_mix: {lateral_movement: 1}}",
			want: func(s *Spec) { s.Data.AnomalyMix = map[string]float64{"lateral_movement": 1} },
		},
		{
			name: "file source",
			yaml: "data: {source: file, path: testdata/flows/week2.csv}",
			want: func(s *Spec) {
				s.Data = Data{Source: "file", Config: synth.Config{Generator: "notebook", Flows: 10000, AnomalyRate: 0.05,
					AnomalyMix: map[string]float64{"crypto_mining": 0.6, "lateral_movement": 0.4}},
					Path: "testdata/flows/week2.csv"}
			},
		},
		{
			name: "column list",
			yaml: "features: [cpu_usage, risk_score]",
			want: func(s *Spec) { s.Features = []string{"cpu_usage", "risk_score"} },
		},
		{
			name: "split",
			yaml: "split: {test_fraction: 0.25, stratify: none, scale_on: all}",
			want: func(s *Spec) {
				s.Split = Split{By: "random", TestFraction: 0.25, Stratify: "none", ScaleOn: "all", Dedupe: "none", TimeUnit: "s", Folds: 5}
			},
		},
		{
			name: "isolation forest words and numbers",
			yaml: "models: [{name: a, kind: isolation_forest, max_samples: auto, contamination: auto}, " +
				"{name: b, kind: isolation_forest, max_samples: 512, contamination: 0.5}]",
			want: func(s *Spec) {
				s.Models = []Model{
					{Name: "a", Kind: "isolation_forest", Params: vals("trees", "100", "max_samples", "auto", "contamination", "auto")},
					{Name: "b", Kind: "isolation_forest", Params: vals("trees", "100", "max_samples", "512", "contamination", "0.5")},
				}
			},
		},
		{
			name: "random forest max_features forms",
			yaml: "models: [{name: a, kind: random_forest, max_features: 0.5, target: anomaly_type, bootstrap: false}, " +
				"{name: b, kind: random_forest, max_features: 4, max_depth: 12, class_weight: balanced}]",
			want: func(s *Spec) {
				a := Model{Name: "a", Kind: "random_forest", Params: rfDefaults()}
				b := Model{Name: "b", Kind: "random_forest", Params: rfDefaults()}
				set(a.Params, "max_features", "0.5", "target", "anomaly_type", "bootstrap", "false")
				set(b.Params, "max_features", "4", "max_depth", "12", "class_weight", "balanced")
				s.Models = []Model{a, b}
			},
		},
		{
			name: "random forest hist splitter",
			yaml: "models: [{name: h, kind: random_forest, splitter: hist, max_bins: 64}]",
			want: func(s *Spec) {
				h := Model{Name: "h", Kind: "random_forest", Params: rfDefaults()}
				set(h.Params, "splitter", "hist", "max_bins", "64")
				s.Models = []Model{h}
			},
		},
		{
			name: "clustering",
			yaml: "models: [{name: km, kind: kmeans, k: 6, n_init: 1, max_iter: 50, tol: 0, silhouette_sample: all}, " +
				"{name: db, kind: dbscan, eps: 1.5, min_samples: 3, silhouette_sample: 500}]",
			want: func(s *Spec) {
				s.Models = []Model{
					{Name: "km", Kind: "kmeans", Params: vals("k", "6", "n_init", "1", "max_iter", "50", "tol", "0", "silhouette_sample", "all")},
					{Name: "db", Kind: "dbscan", Params: vals("eps", "1.5", "min_samples", "3", "silhouette_sample", "500")},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := parseString(t, "values.yaml", "name: values\nseeds: [1]\n"+tt.yaml+"\n")
			want := defaultSpec()
			want.Name, want.Seeds = "values", []int64{1}
			tt.want(&want)
			if diff := cmp.Diff(want, exp.Spec, approx, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("spec mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func trialIDs(exp *Experiment) []string {
	var ids []string
	for _, t := range exp.Trials {
		ids = append(ids, t.ID)
	}
	return ids
}

// TestSweep checks how axes expand (doc.go, "Sweeps"): a grid in file
// order with the last axis fastest, zip groups moving together as one
// dimension where the zip key stands, seeds innermost.
func TestSweep(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		axes []Axis
		ids  []string
	}{
		{
			name: "grid",
			yaml: `
seeds: [1, 2]
data: {flows: [1000, 2000], anomaly_rate: [0.05, 0.1, 0.2]}`,
			axes: []Axis{
				{Name: "flows", Path: "data.flows", Values: []string{"1000", "2000"}},
				{Name: "anomaly_rate", Path: "data.anomaly_rate", Values: []string{"0.05", "0.1", "0.2"}},
			},
			ids: []string{
				"flows=1000/anomaly_rate=0.05/seed=1", "flows=1000/anomaly_rate=0.05/seed=2",
				"flows=1000/anomaly_rate=0.1/seed=1", "flows=1000/anomaly_rate=0.1/seed=2",
				"flows=1000/anomaly_rate=0.2/seed=1", "flows=1000/anomaly_rate=0.2/seed=2",
				"flows=2000/anomaly_rate=0.05/seed=1", "flows=2000/anomaly_rate=0.05/seed=2",
				"flows=2000/anomaly_rate=0.1/seed=1", "flows=2000/anomaly_rate=0.1/seed=2",
				"flows=2000/anomaly_rate=0.2/seed=1", "flows=2000/anomaly_rate=0.2/seed=2",
			},
		},
		{
			// The README's example: 2 rates x 2 zipped pairs x 2 seeds.
			name: "grid times zip",
			yaml: `
seeds: [1, 2]
data:
  anomaly_rate: [0.05, 0.1]
  zip:
    generator: [notebook, consistent]
    difficulty: [0, 0.5]`,
			axes: []Axis{
				{Name: "anomaly_rate", Path: "data.anomaly_rate", Values: []string{"0.05", "0.1"}},
				{Name: "generator", Path: "data.generator", Values: []string{"notebook", "consistent"}, Group: 1},
				{Name: "difficulty", Path: "data.difficulty", Values: []string{"0", "0.5"}, Group: 1},
			},
			ids: []string{
				"anomaly_rate=0.05/generator=notebook/difficulty=0/seed=1",
				"anomaly_rate=0.05/generator=notebook/difficulty=0/seed=2",
				"anomaly_rate=0.05/generator=consistent/difficulty=0.5/seed=1",
				"anomaly_rate=0.05/generator=consistent/difficulty=0.5/seed=2",
				"anomaly_rate=0.1/generator=notebook/difficulty=0/seed=1",
				"anomaly_rate=0.1/generator=notebook/difficulty=0/seed=2",
				"anomaly_rate=0.1/generator=consistent/difficulty=0.5/seed=1",
				"anomaly_rate=0.1/generator=consistent/difficulty=0.5/seed=2",
			},
		},
		{
			// The zip dimension stands where its key does, before a later
			// axis; its axes keep their own order.
			name: "zip first, then a grid axis",
			yaml: `
seeds: [5]
split:
  zip: {stratify: [none, is_anomaly, anomaly_type], test_fraction: [0.2, 0.3, 0.4]}
  scale_on: [train, all]`,
			axes: []Axis{
				{Name: "stratify", Path: "split.stratify", Values: []string{"none", "is_anomaly", "anomaly_type"}, Group: 1},
				{Name: "test_fraction", Path: "split.test_fraction", Values: []string{"0.2", "0.3", "0.4"}, Group: 1},
				{Name: "scale_on", Path: "split.scale_on", Values: []string{"train", "all"}},
			},
			ids: []string{
				"stratify=none/test_fraction=0.2/scale_on=train/seed=5",
				"stratify=none/test_fraction=0.2/scale_on=all/seed=5",
				"stratify=is_anomaly/test_fraction=0.3/scale_on=train/seed=5",
				"stratify=is_anomaly/test_fraction=0.3/scale_on=all/seed=5",
				"stratify=anomaly_type/test_fraction=0.4/scale_on=train/seed=5",
				"stratify=anomaly_type/test_fraction=0.4/scale_on=all/seed=5",
			},
		},
		{
			// Two zip blocks are two dimensions; the same key swept in two
			// models gets a name long enough to tell them apart.
			name: "two zip groups and model axes",
			yaml: `
seeds: [-3]
models:
  - {name: rf, kind: random_forest, zip: {trees: [10, 20], max_depth: [2, 4]}}
  - {name: iso, kind: isolation_forest, zip: {trees: [50, 60]}}`,
			axes: []Axis{
				{Name: "rf.trees", Path: "models.rf.trees", Values: []string{"10", "20"}, Group: 1},
				{Name: "max_depth", Path: "models.rf.max_depth", Values: []string{"2", "4"}, Group: 1},
				{Name: "iso.trees", Path: "models.iso.trees", Values: []string{"50", "60"}, Group: 2},
			},
			ids: []string{
				"rf.trees=10/max_depth=2/iso.trees=50/seed=-3",
				"rf.trees=10/max_depth=2/iso.trees=60/seed=-3",
				"rf.trees=20/max_depth=4/iso.trees=50/seed=-3",
				"rf.trees=20/max_depth=4/iso.trees=60/seed=-3",
			},
		},
		{
			// Integer keys print as integers however written, float keys
			// in shortest form, words as themselves; a list holding a list
			// sweeps feature sets, joined with +.
			name: "canonical values",
			yaml: `
seeds: [1]
data: {anomaly_mix: {zip: {crypto_mining: [1, 0.25], lateral_movement: [0, 0.75]}}}
features: [notebook, [cpu_usage, risk_score]]
models:
  - {kind: isolation_forest, max_samples: [auto, 1e3], contamination: [auto, 0.05]}`,
			axes: []Axis{
				{Name: "crypto_mining", Path: "data.anomaly_mix.crypto_mining", Values: []string{"1", "0.25"}, Group: 1},
				{Name: "lateral_movement", Path: "data.anomaly_mix.lateral_movement", Values: []string{"0", "0.75"}, Group: 1},
				{Name: "features", Path: "features", Values: []string{"notebook", "cpu_usage+risk_score"}},
				{Name: "max_samples", Path: "models.isolation_forest.max_samples", Values: []string{"auto", "1000"}},
				{Name: "contamination", Path: "models.isolation_forest.contamination", Values: []string{"auto", "0.05"}},
			},
			ids: nil, // 16 trials: checkTrials counts them
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := parseString(t, "sweep.yaml", "name: sweep\n"+tt.yaml+"\n")
			if diff := cmp.Diff(tt.axes, exp.Axes); diff != "" {
				t.Errorf("axes mismatch (-want +got):\n%s", diff)
			}
			if tt.ids != nil {
				if diff := cmp.Diff(tt.ids, trialIDs(exp)); diff != "" {
					t.Errorf("trial IDs mismatch (-want +got):\n%s", diff)
				}
			}
			checkTrials(t, exp)
			checkTrialSpecs(t, exp)
		})
	}
}

// checkTrialSpecs checks that each trial's spec holds its params' values
// and that the experiment's spec holds every axis's first value.
func checkTrialSpecs(t *testing.T, exp *Experiment) {
	t.Helper()
	for _, a := range exp.Axes {
		if got := specValue(t, &exp.Spec, a.Path); got != a.Values[0] {
			t.Errorf("experiment spec: %s = %s, want the first value %s", a.Path, got, a.Values[0])
		}
	}
	for _, tr := range exp.Trials {
		for _, p := range tr.Params {
			if got := specValue(t, &tr.Spec, p.Path); got != p.Value {
				t.Errorf("%s: spec has %s = %s, want %s", tr.ID, p.Path, got, p.Value)
			}
		}
	}
}

// specValue reads a parameter path from a spec, through SpecNode, as the
// text an axis would give it.
func specValue(t *testing.T, s *Spec, path string) string {
	t.Helper()
	n := SpecNode(s)
	segs := strings.Split(path, ".")
	if segs[0] == "models" {
		// models.<name>.<key>; model names here hold no dots.
		m := s.Model(segs[1])
		if m == nil {
			t.Fatalf("no model %s", segs[1])
		}
		n, segs = modelNode(m), segs[2:]
	}
	for _, seg := range segs {
		if n = lookup(n, seg); n == nil {
			t.Fatalf("no %s in the spec", path)
		}
	}
	if n.Kind == yaml.SequenceNode { // a column list
		var cols []string
		for _, c := range n.Content {
			cols = append(cols, c.Value)
		}
		return strings.Join(cols, "+")
	}
	return n.Value
}

// TestSweepChecksEveryPoint: rules that tie keys together hold at every
// point of the sweep, and a violation names the value that breaks it.
func TestSweepChecksEveryPoint(t *testing.T) {
	_, err := Parse([]byte(`name: s
seeds: [1]
data: {anomaly_mix: {crypto_mining: [1, 0.25], lateral_movement: [0, 0.75]}}
`), "s.yaml")
	// Both violations, at the mix, sorted by message at equal positions.
	want := "s.yaml:3:21: data.anomaly_mix: shares sum to 0.25, not 1\n" +
		"s.yaml:3:21: data.anomaly_mix: shares sum to 1.75, not 1"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error:\n%v\nwant:\n%s", err, want)
	}
}

// TestTrialIDEscaping: values are percent-encoded into safe path segments
// (doc.go, "Trial IDs").
func TestTrialIDEscaping(t *testing.T) {
	tests := []struct{ value, want string }{
		{"notebook", "notebook"},
		{"a-b_c.d+e", "a-b_c.d+e"},
		{"0.05", "0.05"},
		{"1e-05", "1e-05"},
		{"week 1.csv", "week%201.csv"},
		{"../flows/x.csv", "..%2Fflows%2Fx.csv"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
		{"100%", "100%25"},
		{"café", "caf%C3%A9"},
		{`a\b:c*d`, "a%5Cb%3Ac%2Ad"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := escape(tt.value); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}

	// Through the parser: a swept data path.
	exp := parseString(t, "testdata/paths.yaml", `
name: paths
seeds: [1]
data:
  source: file
  path: [flows/week 1.csv, flows/week2.csv]
`)
	want := []string{"path=flows%2Fweek%201.csv/seed=1", "path=flows%2Fweek2.csv/seed=1"}
	if diff := cmp.Diff(want, trialIDs(exp)); diff != "" {
		t.Errorf("trial IDs mismatch (-want +got):\n%s", diff)
	}
	checkTrials(t, exp)
}

// TestLongTrialIDs: a segment over 64 bytes keeps 54 bytes and a hash of
// itself; an ID still over 160 bytes becomes a hash of all its params
// (doc.go, "Trial IDs"). Both are stable and distinct for distinct values,
// and the derived seed uses the full ID.
func TestLongTrialIDs(t *testing.T) {
	long := strings.Repeat("x", 80)
	param := func(name, value string) []Param { return []Param{{Name: name, Path: "p." + name, Value: value}} }

	id, full := trialID(param("v", long), 1)
	seg := "v=" + long
	wantID := seg[:54] + "~" + hash(seg)[:8] + "/seed=1"
	if id != wantID || full != seg+"/seed=1" {
		t.Errorf("trialID(80-byte value) = %q, %q; want %q, %q", id, full, wantID, seg+"/seed=1")
	}
	if id2, _ := trialID(param("v", long), 1); id2 != id {
		t.Errorf("trialID not stable: %q then %q", id, id2)
	}
	if other, _ := trialID(param("v", long[:79]+"y"), 1); other == id {
		t.Errorf("values differing in their last byte share the ID %q", id)
	}
	// Exactly 64 bytes is kept whole.
	at64 := strings.Repeat("y", 62)
	if id, _ := trialID(param("v", at64), 1); id != "v="+at64+"/seed=1" {
		t.Errorf("64-byte segment shortened: %q", id)
	}

	// Four long segments: 4 x 64 + seed > 160, so the whole ID is hashed.
	var params []Param
	var segs []string
	for i := range 4 {
		v := strings.Repeat(string(rune('a'+i)), 70)
		params = append(params, Param{Name: fmt.Sprint("k", i), Value: v})
		segs = append(segs, fmt.Sprintf("k%d=%s", i, v))
	}
	id, full = trialID(params, -2)
	wantID = "params~" + hash(strings.Join(segs, "/"))[:16] + "/seed=-2"
	if id != wantID || full != strings.Join(segs, "/")+"/seed=-2" {
		t.Errorf("trialID(4 long params) = %q, %q; want %q", id, full, wantID)
	}
	// Same params, another seed: the same hash, another seed segment.
	if id3, _ := trialID(params, 3); id3 != strings.TrimSuffix(wantID, "-2")+"3" {
		t.Errorf("trialID(4 long params, seed 3) = %q", id3)
	}

	// Through the parser: a feature-set axis whose column list is long.
	exp := parseString(t, "long.yaml", `
name: long
seeds: [1, 2]
features:
  - [bytes_sent, packets_sent, duration, cpu_usage, ports_contacted, risk_score, log_bytes]
  - [bytes_sent, packets_sent, duration, cpu_usage, ports_contacted, risk_score, log_duration]
`)
	checkTrials(t, exp)
	for _, tr := range exp.Trials {
		full := "features=" + tr.Params[0].Value + fmt.Sprintf("/seed=%d", tr.Seed)
		if len(full) <= 64+7 || !strings.Contains(tr.ID, "~") {
			t.Fatalf("%s: want a shortened ID for %s", tr.ID, full)
		}
		if want := seed.Trial(tr.Seed, full); tr.DerivedSeed != want {
			t.Errorf("%s: derived seed %d, want seed.Trial(%d, full ID) = %d", tr.ID, tr.DerivedSeed, tr.Seed, want)
		}
	}
}

// TestDerivedSeeds: each trial's seed is seed.Trial(root, ID), distinct
// across trials, and the same on every parse.
func TestDerivedSeeds(t *testing.T) {
	first, err := ParseFile("difficulty-sweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseFile("difficulty-sweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]string{}
	for i, tr := range first.Trials {
		if want := seed.Trial(tr.Seed, tr.ID); tr.DerivedSeed != want {
			t.Errorf("%s: derived seed %d, want seed.Trial = %d", tr.ID, tr.DerivedSeed, want)
		}
		if other, ok := seen[tr.DerivedSeed]; ok {
			t.Errorf("%s and %s share derived seed %d", other, tr.ID, tr.DerivedSeed)
		}
		seen[tr.DerivedSeed] = tr.ID
		if a := again.Trials[i]; a.ID != tr.ID || a.DerivedSeed != tr.DerivedSeed {
			t.Errorf("parse again: trial %d is %s/%d, was %s/%d", i, a.ID, a.DerivedSeed, tr.ID, tr.DerivedSeed)
		}
	}
	// Pinned: a change here changes the data of every recorded run. The
	// values are seed.Trial under the domain "segharness/seed/v1"
	// (internal/seed), as recorded by the first runs.
	for _, pin := range []struct {
		src  string
		id   string
		want uint64
	}{
		{"name: pin\nseeds: [42]\n", "seed=42", 17806247236703462325},
		{"name: pin\nseeds: [1]\ndata: {generator: [notebook], difficulty: [0]}\n", "generator=notebook/difficulty=0/seed=1", 11929067774785770048},
	} {
		tr := parseString(t, "pin.yaml", pin.src).Trials[0]
		if tr.ID != pin.id || tr.DerivedSeed != pin.want {
			t.Errorf("trial %s, derived seed %d; want %s, %d", tr.ID, tr.DerivedSeed, pin.id, pin.want)
		}
	}
	// Trials that differ only in seed, or only in params, differ.
	exp := parseString(t, "two.yaml", "name: two\nseeds: [1, 2]\ndata: {difficulty: [0, 1]}\n")
	ds := map[uint64]bool{}
	for _, tr := range exp.Trials {
		ds[tr.DerivedSeed] = true
	}
	if len(ds) != 4 {
		t.Errorf("4 trials have %d distinct derived seeds", len(ds))
	}
}

// TestResolved: spec.resolved.yaml is deterministic, its `spec` parses back
// to the same spec, and its trials match the experiment's.
func TestResolved(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(b)
	}
	// Values whose text must survive the round trip: tiny and huge
	// numbers, words that look like other types, quotes and newlines.
	srcs["awkward.yaml"] = `
name: awkward.name
description: "yes: \"no\"\n# not a comment\n  indented"
seeds: [-9223372036854775808, 9223372036854775807]
data:
  flows: [10, 1e8]
  anomaly_rate: 0.1
  anomaly_mix: {crypto_mining: 1}
  difficulty: [1e-300, 0.999999999999]
features: [cpu_usage, hour]
split: {test_fraction: 1e-9, stratify: none, scale_on: [all, train]}
models:
  - {name: "true", kind: kmeans, tol: [0, 1e-10, 1e300], silhouette_sample: [all, 2]}
  - {name: "1", kind: random_forest, max_features: [all, 0.5, 3], max_depth: 1000}
  - {name: null.x, kind: isolation_forest, max_samples: [auto, 2], contamination: [auto, 0.5]}
  - {name: db, kind: dbscan, eps: 1e-300}
targets:
  - {model: "true", metric: n_clusters, "<=": -1e300}
  - {model: "1", metric: detection_rate, anomaly_type: crypto_mining, ">": 0.5}
`
	// The monitoring block: durations in every form, each kind of delay,
	// campaign names that look like other types, sweeps.
	srcs["monitoring.yaml"] = `
name: monitoring
seeds: [1, 2]
models:
  - {name: "1", kind: random_forest, trees: 10}
  - {name: typ, kind: random_forest, target: anomaly_type}
monitoring:
  period: 36h
  window: 90m
  flows_per_day: [1000, 2000]
  business_hours_factor: 1e-3
  campaigns:
    - {name: "true", type: crypto_mining, start: 0.5d, duration: 5400s, every: 1d, rate: 1e-9, src_device_type: iot}
    - {name: "1e3", type: lateral_movement, variant: "null", start: 1h1m1s, src_department: hr, cpu_shift: -100}
  drifts:
    - {start: 0, ramp: 0s, cpu_shift: 1e-300}
    - {start: 1d, ramp: 2h, bytes_log_shift: -10, device_weights: {mobile: 1e9, iot: 1e-9}}
  timing:
    export_interval: 2000ms
    scoring_interval: 0
    triage: {exponential: 1e-300}
    containment: {uniform: [0, 0]}
  feedback: {delay: 1.5h, normal_fraction: [0, 1], anomaly_fraction: 0.3}
  retraining: {enabled: [false, true], schedule: 0, rollout: [0.25, 1], max_samples: 1000}
  drift_features: [ports_contacted]
  store_scores: true
targets:
  - {model: monitoring, metric: health_score, ">": 0.5}
regressions:
  - {model: monitoring, metric: max_psi, better: lower, tolerance: 0.1}
`
	// Table sources: a declared mapping whose names look like other
	// types, separate test files; and a random split, swept.
	srcs["table.yaml"] = `
name: table
seeds: [1]
data:
  source: table
  table:
    files: [testdata/table/train.csv]
    test: [testdata/table/test.csv]
    header: true
    columns: [duration, proto, bytes, port, label]
    label: label
    normal: [normal]
    categories: {dos: [flood, "1e3"], probe: [scan, sweep, "true"]}
    numeric: [duration, bytes]
    categorical: [proto]
    ignore: [port]
    roles: {duration: {column: duration, scale: 1e-3}, bytes_sent: bytes, protocol: proto}
    missing: impute
    nonfinite: clip
    missing_tokens: []
split: {scale_on: all}
models:
  - {name: rf, kind: random_forest, trees: 10}
  - {name: typ, kind: random_forest, target: anomaly_type}
targets:
  - {model: rf, metric: detection_rate_unseen_attacks, ">=": 0.5}
  - {model: rf, metric: detection_rate, anomaly_type: probe, ">=": 0.5}
regressions:
  - {model: rf, metric: detection_rate_seen_attacks, better: higher}
`
	srcs["table-split.yaml"] = `
name: table-split
seeds: [1, 2]
data:
  source: table
  table:
    files: [testdata/table/train.csv, testdata/table/test.csv]
    header: true
    label: label
    normal: [normal]
    categories: {attack: [flood, scan, sweep]}
    categorical: ["null", proto]
    missing_tokens: ["", "-"]
split: {test_fraction: [0.25, 0.5], stratify: is_anomaly}
models:
  - {name: iso, kind: isolation_forest}
`
	// A file whose name does not tell its format, declared.
	srcs["table-format.yaml"] = `
name: table-format
seeds: [1]
data:
  source: table
  table:
    files: [testdata/table/train.data]
    format: csv
    header: true
    label: label
    normal: [normal]
    categories: {attack: [flood, scan, sweep]}
    categorical: ["null", proto]
    missing_tokens: ["", "-"]
models:
  - {name: iso, kind: isolation_forest}
`
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			exp := parseString(t, name, src)
			out, err := exp.Resolved()
			if err != nil {
				t.Fatal(err)
			}
			again, err := parseString(t, name, src).Resolved()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, again) {
				t.Errorf("Resolved() differs between two parses of the same file")
			}

			var doc struct {
				File   string
				SHA256 string
				Spec   yaml.Node
				Axes   []struct{ Name, Path string }
				Trials []struct {
					ID          string
					Seed        int64
					DerivedSeed uint64 `yaml:"derived_seed"`
					Params      map[string]string
				}
			}
			if err := yaml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("Resolved() is not YAML: %v\n%s", err, out)
			}
			if doc.File != name || doc.SHA256 != exp.SHA256 || len(doc.Axes) != len(exp.Axes) || len(doc.Trials) != len(exp.Trials) {
				t.Fatalf("Resolved(): file %q sha %q, %d axes, %d trials; want %q %q %d %d",
					doc.File, doc.SHA256, len(doc.Axes), len(doc.Trials), name, exp.SHA256, len(exp.Axes), len(exp.Trials))
			}
			for i, tr := range exp.Trials {
				got := doc.Trials[i]
				if got.ID != tr.ID || got.Seed != tr.Seed || got.DerivedSeed != tr.DerivedSeed {
					t.Errorf("trial %d: resolved %s/%d/%d, want %s/%d/%d", i, got.ID, got.Seed, got.DerivedSeed, tr.ID, tr.Seed, tr.DerivedSeed)
				}
				for _, p := range tr.Params {
					if got.Params[p.Path] != p.Value {
						t.Errorf("%s: resolved %s = %q, want %q", tr.ID, p.Path, got.Params[p.Path], p.Value)
					}
				}
			}

			// `spec` is an experiment file: it parses back to the same
			// spec. Targets' where name axes that `spec` no longer sweeps
			// (see Resolved), so they are dropped on both sides.
			dropWhere(&doc.Spec)
			specSrc, err := yaml.Marshal(&doc.Spec)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(specSrc, name)
			if err != nil {
				t.Fatalf("resolved spec does not parse:\n%v\n%s", err, specSrc)
			}
			want := exp.Spec.clone()
			for i := range want.Targets {
				want.Targets[i].Where = nil
			}
			if diff := cmp.Diff(want, back.Spec, approx); diff != "" {
				t.Errorf("resolved spec parses to another spec (-want +got):\n%s", diff)
			}
			// And it is a fixed point: rendering the parsed-back spec gives
			// the same text.
			if got, want := encode(t, SpecNode(&back.Spec)), encode(t, &doc.Spec); got != want {
				t.Errorf("resolved spec is not a fixed point (-want +got):\n%s", cmp.Diff(want, got))
			}
		})
	}
}

// dropWhere removes `where` from every target of a spec node.
func dropWhere(spec *yaml.Node) {
	targets := lookup(spec, "targets")
	if targets == nil {
		return
	}
	for _, tn := range targets.Content {
		*tn = *withoutKey(tn, "where")
	}
}

func encode(t *testing.T, n *yaml.Node) string {
	t.Helper()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWhere: a target's where names an axis by its short name or its path,
// and numbers match however they are written; the stored form uses the
// axis's name and spelling.
func TestWhere(t *testing.T) {
	exp := parseString(t, "where.yaml", `
name: where
seeds: [1]
data: {flows: [1000, 1e4], difficulty: [0, 0.5]}
models: [{name: rf, kind: random_forest}]
targets:
  - {model: rf, metric: f1, ">=": 0.5, where: {data.flows: 10000.0, difficulty: [0.5, 0]}}
  - {model: rf, metric: f1, ">=": 0.5, where: {}}
`)
	want := []Target{
		{Model: "rf", Metric: "f1", Op: ">=", Value: 0.5, Where: map[string][]string{"flows": {"10000"}, "difficulty": {"0.5", "0"}}},
		{Model: "rf", Metric: "f1", Op: ">=", Value: 0.5, Where: map[string][]string{}},
	}
	if diff := cmp.Diff(want, exp.Spec.Targets, approx); diff != "" {
		t.Errorf("targets mismatch (-want +got):\n%s", diff)
	}
}

// TestSyntaxPositions: the YAML library misreports some lines (its parser
// gives the 0-based line of the construct, and line 1 not at all); the
// errors point at the right line anyway.
func TestSyntaxPositions(t *testing.T) {
	tests := []struct{ src, want string }{
		{"name: a\nseeds: [1\n", "f.yaml:2:1: YAML syntax: did not find expected ',' or ']'"},
		{"name: a\nseeds: {x: 1\n", "f.yaml:2:1: YAML syntax: did not find expected ',' or '}'"},
		{"name: a\n- b\n", "f.yaml:2:1: YAML syntax: did not find expected key"},
		{"- a\nb: c\n", "f.yaml:2:1: YAML syntax: did not find expected '-' indicator"},
		{"name: a: b\n", "f.yaml:1:1: YAML syntax: mapping values are not allowed in this context"},
		{"name: a\n b: 2\n", "f.yaml:2:1: YAML syntax: mapping values are not allowed in this context"},
		{"name: a\nseeds: [1]\nx: @\n", "f.yaml:3:1: YAML syntax: found character that cannot start any token"},
		{"name: a\r\nseeds: [1]\r\nx: \"\x01\"\r\n", "f.yaml:3:5: YAML syntax: control characters are not allowed"},
		{"\ufeffname: ca\xe9\n", "f.yaml:1:9: YAML syntax: incomplete UTF-8 octet sequence"},
		{"name: a\rseeds: \xff\n", "f.yaml:2:8: YAML syntax: invalid leading UTF-8 octet"},
		{"name: a\nseeds: [1]\ndata: {flows: *n}\n", "f.yaml:3:15: anchors and aliases are not supported (alias *n names no anchor)"},
		{"name: a\nseeds: [1]\n---\nname: b\n", "f.yaml:3:1: more than one YAML document; an experiment file holds one"},
		{"name: a\nseeds: [1]\n---\nname: [b\n", "f.yaml:4:1: more than one YAML document; an experiment file holds one"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src), "f.yaml")
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error:\n%v\nwant:\n%s", tt.src, err, tt.want)
		}
	}
}

// TestParseFileMissing: a file that cannot be read is one whole-file error.
func TestParseFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := ParseFile(path)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 0 || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("ParseFile(missing) = %v, want one error naming the file", err)
	}
}

// TestParseTouchesNoFiles: Parse accepts paths to files that do not exist
// (it does not look); CheckFiles reports each, at its position.
func TestParseTouchesNoFiles(t *testing.T) {
	src := `name: t
seeds: [1]
data:
  source: table
  table: {files: [nowhere/a.csv], test: [nowhere/b.csv], header: true, label: l, normal: [n], categories: {c: [x]}, numeric: [v]}
models:
  - {name: x, kind: external, command: [prog], files: [nowhere/module.py]}
`
	exp, err := Parse([]byte(src), filepath.Join(t.TempDir(), "t.yaml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var list ErrorList
	if !errors.As(exp.CheckFiles(), &list) {
		t.Fatalf("CheckFiles = %v, want an ErrorList", exp.CheckFiles())
	}
	var got []string
	for _, e := range list {
		got = append(got, fmt.Sprintf("%d:%d %s", e.Line, e.Column, e.Path))
		if !strings.Contains(e.Msg, "cannot read nowhere/") {
			t.Errorf("error %v: want \"cannot read nowhere/...\"", e)
		}
	}
	if want := []string{"5:19 data.table.files", "5:42 data.table.test", "7:56 models[0].files"}; !slices.Equal(got, want) {
		t.Errorf("CheckFiles errors at %v, want %v", got, want)
	}
}

// FuzzParse: Parse never panics; it returns an experiment or a non-empty
// error list whose errors all have a position inside the file (or are
// whole-file errors); a valid experiment's trials have unique, path-safe
// IDs and render with Resolved.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "testdata/bad/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	// Sweeps, zip blocks and targets' where, which the files above use
	// little.
	f.Add([]byte("name: z\nseeds: [1, 2]\ndata:\n  anomaly_rate: [0.05, 0.1]\n  zip: {generator: [notebook, consistent], difficulty: [0, 0.5]}\n" +
		"models: [{name: rf, kind: random_forest, zip: {trees: [10, 20], max_depth: [0, 3]}}]\n" +
		"targets: [{model: rf, metric: f1, \">=\": 0.5, where: {difficulty: 0.5, rf.trees: [10]}}]\n"))
	f.Add([]byte("name: f\nseeds: [-1]\nfeatures: [notebook, [cpu_usage, hour]]\nsplit: {zip: {test_fraction: [0.2, 0.3], stratify: [none, is_anomaly]}}\n"))
	// The monitoring block, durations, delays and its sweeps.
	f.Add([]byte("name: m\nseeds: [1]\nmodels: [{name: rf, kind: random_forest}]\nmonitoring:\n  period: 1d12h\n  window: 30m\n" +
		"  flows_per_day: [1000, 2000]\n  campaigns: [{name: a, type: crypto_mining, start: 1h, duration: 90m, every: 1d, rate: 50}]\n" +
		"  drifts: [{start: 6h, ramp: 1h, bytes_log_shift: 0.5, device_weights: {server: 2, iot: 1}}]\n" +
		"  timing: {export_interval: 0, triage: {uniform: [1, 2]}, containment: {exponential: 3}}\n" +
		"  feedback: {delay: 2h, zip: {normal_fraction: [0, 0.1], anomaly_fraction: [1, 0.5]}}\n" +
		"  retraining: {enabled: [true, false], rollout: [0.5, 1], max_samples: 2000}\n" +
		"targets: [{model: monitoring, metric: mttd_minutes, \"<\": 30, where: {enabled: true}}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		exp, err := Parse(src, "fuzz.yaml")
		if (exp == nil) == (err == nil) {
			t.Fatalf("Parse returned experiment %v and error %v; want exactly one", exp != nil, err)
		}
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			checkErrorList(t, src, "fuzz.yaml", list)
			return
		}
		if len(exp.Trials) == 0 || len(exp.Trials) > MaxTrials {
			t.Fatalf("%d trials", len(exp.Trials))
		}
		seen := map[string]bool{}
		for _, tr := range exp.Trials {
			if seen[tr.ID] || !fs.ValidPath(tr.ID) || len(tr.ID) > maxIDLen {
				t.Fatalf("trial ID %q repeated or not a valid relative path", tr.ID)
			}
			seen[tr.ID] = true
		}
		// (Rendering a sweep of 100,000 trials takes seconds: leave those
		// to TestResolved's kind of test.)
		if len(exp.Trials) <= 1000 {
			if _, err := exp.Resolved(); err != nil {
				t.Fatalf("Resolved: %v", err)
			}
		}
	})
}

// BenchmarkParse parses baseline.yaml: five models, three targets, no
// sweep.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("baseline.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src, "baseline.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// vals builds model parameters from key, canonical text pairs.
func vals(kv ...string) models.Values {
	v := models.Values{}
	set(v, kv...)
	return v
}

// set sets key, canonical text pairs in v.
func set(v models.Values, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = models.Value{Text: kv[i+1]}
	}
}

// rfDefaults are scikit-learn's RandomForestClassifier defaults:
// n_estimators=100, max_features="sqrt", max_depth=None,
// min_samples_split=2, min_samples_leaf=1, class_weight=None,
// bootstrap=True; and the harness's target is_anomaly.
func rfDefaults() models.Values {
	return vals("target", "is_anomaly", "trees", "100", "max_features", "sqrt", "max_depth", "0",
		"min_samples_split", "2", "min_samples_leaf", "1", "class_weight", "none", "bootstrap", "true",
		"splitter", "exact", "max_bins", "255")
}

// TestRegressionBetterDefault: a regression rule without better takes the
// metric's direction from the metric vocabulary (internal/eval).
func TestRegressionBetterDefault(t *testing.T) {
	exp := parseString(t, "better.yaml", `name: better
seeds: [1]
models: [{name: rf, kind: random_forest}, {name: km, kind: kmeans}]
regressions:
  - {model: rf, metric: false_positive_rate}
  - {model: rf, metric: roc_auc, tolerance: 0.01}
  - {model: rf, metric: detection_rate, better: lower}
  - {model: km, metric: inertia}
`)
	var got []string
	for _, r := range exp.Spec.Regressions {
		got = append(got, r.Metric+":"+r.Better)
	}
	want := []string{"false_positive_rate:lower", "roc_auc:higher", "detection_rate:lower", "inertia:lower"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("better (-want +got):\n%s", diff)
	}
}

// TestExternalModel: an external model's keys reach the spec as written:
// the command and files as lists, the timeout, the role, and its params
// with their YAML types, each entry sweepable (here zipped); every trial
// holds its own values, and spec.resolved.yaml writes them back so that
// they parse to the same model.
func TestExternalModel(t *testing.T) {
	exp := parseString(t, "testdata/external.yaml", `name: ext
seeds: [1]
models:
  - name: xgb
    kind: external
    role: typer
    command: [python3, flows/model.py, --fast, 3]
    files: [flows]
    timeout: 90s
    format: parquet
    params: {estimator: sklearn.ensemble.RandomForestClassifier, max_features: 1.0, zip: {depth: [3, 5], bootstrap: [true, false]}}
`)
	if len(exp.Trials) != 2 {
		t.Fatalf("%d trials, want 2", len(exp.Trials))
	}
	m := exp.Trials[1].Spec.Models[0]
	want := models.Values{
		"role": {Text: "typer"}, "command": {List: []string{"python3", "flows/model.py", "--fast", "3"}},
		"files": {List: []string{"flows"}}, "timeout": {Text: "1m30s"}, "format": {Text: "parquet"},
		"threshold": {Text: "none"}, "silhouette_sample": {Text: "10000"},
		"params": {Map: []models.Entry{
			{Key: "estimator", Value: models.Value{Text: "sklearn.ensemble.RandomForestClassifier", Tag: "str"}},
			{Key: "max_features", Value: models.Value{Text: "1", Tag: "float"}},
			{Key: "depth", Value: models.Value{Text: "5", Tag: "int"}},
			{Key: "bootstrap", Value: models.Value{Text: "false", Tag: "bool"}},
		}},
	}
	if diff := cmp.Diff(want, m.Params); diff != "" {
		t.Errorf("trial 2's model (-want +got):\n%s", diff)
	}
	if m.Role() != models.Typer {
		t.Errorf("role %s", m.Role())
	}
	if got := exp.Trials[0].Spec.Models[0].Params["params"].Map[2].Value.Text; got != "3" {
		t.Errorf("trial 1 holds depth %s, want 3 (trials share their params)", got)
	}
	if exp.Trials[0].ID != "depth=3/bootstrap=true/seed=1" {
		t.Errorf("trial ID %s", exp.Trials[0].ID)
	}
	// The resolved spec of a trial parses back to the same model.
	spec := exp.Trials[1].Spec
	node := SpecNode(&spec)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(node); err != nil {
		t.Fatal(err)
	}
	again := parseString(t, "testdata/again.yaml", b.String())
	if diff := cmp.Diff(m.Params, again.Spec.Models[0].Params); diff != "" {
		t.Errorf("resolved spec parses to another model (-first +again):\n%s\n%s", diff, b.String())
	}
}

// TestAgainstTargets: targets and regression rules comparing two models
// reach the spec and spec.resolved.yaml.
func TestAgainstTargets(t *testing.T) {
	src := `name: against
seeds: [1]
models: [{name: a, kind: random_forest}, {name: b, kind: isolation_forest}]
targets:
  - {model: a, metric: roc_auc, ">=": {model: b}, tolerance: 0.002}
  - {model: a, metric: detection_rate, anomaly_type: crypto_mining, "<": {model: b}}
regressions:
  - {model: a, metric: roc_auc, against: {model: b}, tolerance: 0.01}
`
	exp := parseString(t, "against.yaml", src)
	want := []Target{
		{Model: "a", Metric: "roc_auc", Op: ">=", Against: "b", Tolerance: 0.002},
		{Model: "a", Metric: "detection_rate", Op: "<", Against: "b", AnomalyType: "crypto_mining"},
	}
	if diff := cmp.Diff(want, exp.Spec.Targets); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if r := exp.Spec.Regressions[0]; r.Against != "b" || r.Better != "higher" || r.Tolerance != 0.01 {
		t.Errorf("regression %+v", r)
	}
	resolved, err := exp.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`- {model: a, metric: roc_auc, '>=': {model: b}, tolerance: 0.002}`,
		`- {model: a, metric: roc_auc, better: higher, tolerance: 0.01, against: {model: b}}`,
	} {
		if !strings.Contains(string(resolved), line) {
			t.Errorf("spec.resolved.yaml does not hold %s:\n%s", line, resolved)
		}
	}
}
