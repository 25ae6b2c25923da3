// Package report regenerates a run's human-readable artifacts from the
// files the run wrote (manifest.json, the Parquet tables, each trial's
// dataset, predictions and importances): the figures in figures/ (SVG, or
// PNG for scatter plots), the self-contained report.html, the compact summary.md, and the
// index.html of the directory that holds the runs.
//
// Nothing here refits a model or reruns a trial: a report says what the
// files say. `harness run` calls Generate at its end, `harness check` after
// it writes the verdict, and `harness report RUNDIR` on demand.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
)

// Kind is what a model does, as the metrics it has measured tell.
type Kind int

// Model kinds.
const (
	Other      Kind = iota
	Detector        // normal against anomaly: detection_rate, roc_auc, ...
	Typing          // attack type: accuracy, macro_f1, ...
	Clustering      // behavioural grouping: n_clusters, silhouette, ...
	Monitor         // the monitoring simulation's rows (experiments.MonitoringModel)
)

// A Model is one entry of the experiment's models: list.
type Model struct {
	Name string
	Kind Kind
}

// Run is what a run directory holds, read back.
type Run struct {
	Dir        string
	Manifest   *rundir.Manifest
	Spec       string // spec.resolved.yaml
	Params     []rundir.ParamColumn
	Metrics    []rundir.Metric
	Aggregates []rundir.Aggregate
	Curves     []rundir.CurvePoint
	Models     []Model    // in the order the metrics table first names them
	Points     [][]string // the sweep points (parameter values), in trial order
	// Verdict is harness check's, from verdict.json, when Gated; otherwise
	// the targets judged as check would judge them without a baseline.
	Verdict gate.Verdict
	Gated   bool
	// Showcase is the trial whose dataset, predictions and importances the
	// per-trial figures show: the run's first.
	Showcase *Trial
	// Monitored is the monitoring simulation of the first trial of each
	// sweep point, the showcase's first, when the run has one.
	Monitored []MonitoredTrial

	trialMetrics map[trialKey]float64 // Metrics by trial, model and metric
	curves       map[trialKey]*points // Curves by trial, model and curve
}

// Trial is one trial's files.
type Trial struct {
	Record               rundir.TrialRecord
	Dataset              *datasets.Dataset // nil when FromTable
	Predictions          []rundir.Prediction
	Importances          []rundir.Importance
	Rules                string           // rules.txt
	ClassificationReport string           // classification_report.txt
	Incident             *rundir.Incident // incident.json, when the experiment has an incident
	Policy               *policy.Policy   // policy.json, when the experiment asks for a policy
	Monitoring           *Monitoring      // monitoring.parquet and the rest, when the experiment has a monitoring block
}

// Confidence is the level of the intervals the report draws and of the
// targets it judges when the run has not been through harness check.
const Confidence = 0.95

// Load reads the run in dir. The run must be complete (have its
// manifest); files a run writes only for some experiments (verdict.json,
// rules.txt, ...) may be absent.
func Load(dir string) (*Run, error) { return load(dir, nil) }

// load is Load with the showcase trial's tables taken from held, when it
// holds that trial's, instead of read back from its files.
func load(dir string, held *rundir.TrialTables) (*Run, error) {
	r, err := loadSummary(dir)
	if err != nil {
		return nil, err
	}
	m := r.Manifest
	// The showcase trial's tables are read while the run's are; its error
	// is reported where it was when it was read last.
	var (
		showcase    *Trial
		showcaseErr error
		wg          sync.WaitGroup
	)
	defer wg.Wait()
	if len(m.Trials) > 0 {
		wg.Go(func() { showcase, showcaseErr = loadTrial(dir, m.Trials[0], held) })
	}
	spec, err := os.ReadFile(filepath.Join(dir, rundir.SpecFile))
	if err != nil {
		return nil, err
	}
	r.Spec = string(spec)

	var aggregateParams, curveParams []rundir.ParamColumn
	if err := readTable(dir, rundir.AggregatesFile, func(p []rundir.ParamColumn, rows []rundir.Aggregate) {
		aggregateParams, r.Aggregates = p, rows
	}, rundir.ReadAggregates); err != nil {
		return nil, err
	}
	if err := readTable(dir, rundir.CurvesFile, func(p []rundir.ParamColumn, rows []rundir.CurvePoint) {
		curveParams, r.Curves = p, rows
	}, rundir.ReadCurves); err != nil {
		return nil, err
	}
	axes := m.AxisNames()
	for name, p := range map[string][]rundir.ParamColumn{
		rundir.MetricsFile: r.Params, rundir.AggregatesFile: aggregateParams, rundir.CurvesFile: curveParams,
	} {
		if got := paramNames(p); !slices.Equal(got, axes) {
			return nil, fmt.Errorf("%s: parameter columns %v, the manifest's sweep axes %v", filepath.Join(dir, name), got, axes)
		}
	}
	specModels, err := experiments.ResolvedModels(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, rundir.SpecFile), err)
	}
	r.Models = modelsOf(r.Metrics, specModels)
	r.index()
	for _, t := range m.Trials {
		p := trialPoint(t, m)
		if !slices.ContainsFunc(r.Points, func(q []string) bool { return slices.Equal(p, q) }) {
			r.Points = append(r.Points, p)
		}
	}

	wg.Wait()
	if showcaseErr != nil {
		return nil, showcaseErr
	}
	r.Showcase = showcase
	if err := r.loadMonitored(); err != nil {
		return nil, err
	}
	return r, nil
}

// readTable reads dir/name with read and hands the result to set.
func readTable[T any](dir, name string, set func([]rundir.ParamColumn, []T), read func(f io.ReaderAt, size int64, name string) ([]rundir.ParamColumn, []T, error)) error {
	type table struct {
		params []rundir.ParamColumn
		rows   []T
	}
	t, err := rundir.ReadTableFile(filepath.Join(dir, name), func(f io.ReaderAt, size int64, name string) (table, error) {
		p, rows, err := read(f, size, name)
		return table{p, rows}, err
	})
	if err != nil {
		return err
	}
	set(t.params, t.rows)
	return nil
}

func paramNames(p []rundir.ParamColumn) []string {
	names := make([]string, len(p))
	for i, c := range p {
		names[i] = c.Name
	}
	return names
}

// trialPoint returns the trial's sweep point: its value on each axis, in
// the manifest's axis order.
func trialPoint(t rundir.TrialRecord, m *rundir.Manifest) []string {
	p := make([]string, len(m.Axes))
	for i, a := range m.Axes {
		p[i] = t.Params[a.Path]
	}
	return p
}

// modelsOf lists the models of the metrics table, each with the kind of
// work its role in the experiment says it does (the model registry,
// internal/models): the rows of an incident flow, the policy and the
// monitoring simulation are not a model's.
func modelsOf(rows []rundir.Metric, spec []experiments.Model) []Model {
	var out []Model
	index := map[string]int{}
	for _, row := range rows {
		if _, ok := index[row.Model]; ok {
			continue
		}
		index[row.Model] = len(out)
		m := Model{Name: row.Model}
		if row.Model == experiments.MonitoringModel {
			m.Kind = Monitor
		}
		for i := range spec {
			if spec[i].Name != row.Model {
				continue
			}
			switch spec[i].Role() {
			case models.Detector:
				m.Kind = Detector
			case models.Typer:
				m.Kind = Typing
			case models.Clusterer:
				m.Kind = Clustering
			}
		}
		out = append(out, m)
	}
	return out
}

// ModelsOf returns the names of the run's models of kind k.
func (r *Run) ModelsOf(k Kind) []string {
	var names []string
	for _, m := range r.Models {
		if m.Kind == k {
			names = append(names, m.Name)
		}
	}
	return names
}

// loadVerdict reads verdict.json, or judges the targets itself.
func (r *Run) loadVerdict() error {
	path := filepath.Join(r.Dir, rundir.VerdictFile)
	body, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(body, &r.Verdict); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r.Gated = true
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	results := gate.Evaluate(r.Manifest.Targets, r.Manifest.AxisNames(), r.Metrics, gate.Options{Confidence: Confidence})
	r.Verdict = gate.NewVerdict(r.Manifest.Experiment, Confidence, results)
	return nil
}

// FromTable says whether the trial read a table through a column mapping
// (data.source: table): it then has no flow dataset (Dataset is nil), and
// the figures drawn from one are left out.
func (t *Trial) FromTable() bool { return t.Record.Data.Source == experiments.SourceTable }

// loadTrial reads a trial's files; the text files are optional, and so is
// dataset.parquet for a table source's trial, which writes none. The
// dataset and the predictions are held's when held is the trial's.
func loadTrial(dir string, rec rundir.TrialRecord, held *rundir.TrialTables) (*Trial, error) {
	tdir := rundir.TrialDir(dir, rec.ID)
	t := &Trial{Record: rec}
	// The dataset and the predictions, the two large tables, are read at
	// once; an error in the dataset is reported first, as it would be
	// read first.
	var err, dsErr error
	var wg sync.WaitGroup
	switch {
	case held != nil && held.Trial == rec.ID && (held.Dataset != nil) != t.FromTable():
		t.Dataset, t.Predictions = held.Dataset, held.Predictions
	case !t.FromTable():
		// A table source's trial writes no dataset.parquet: the flow
		// schema (departments, devices, hours) does not apply to it.
		wg.Go(func() {
			t.Dataset, dsErr = rundir.ReadTableFile(filepath.Join(tdir, rundir.DatasetFile), datasets.ReadDataset)
		})
		fallthrough
	default:
		t.Predictions, err = rundir.ReadTableFile(filepath.Join(tdir, rundir.PredictionsFile), rundir.ReadPredictions)
	}
	wg.Wait()
	if dsErr != nil {
		return nil, dsErr
	}
	if err != nil {
		return nil, err
	}
	if t.Dataset != nil {
		n := int64(t.Dataset.Flows.Len())
		for _, p := range t.Predictions {
			if p.FlowID < 0 || p.FlowID >= n {
				return nil, fmt.Errorf("%s: %s predicts flow_id %d, but the trial's dataset has %d flows",
					filepath.Join(tdir, rundir.PredictionsFile), p.Model, p.FlowID, n)
			}
		}
	}
	// importances.parquet exists when a random forest ran; the manifest
	// says whether the trial wrote it.
	if _, ok := rec.Artifacts[rundir.ImportancesFile]; ok {
		if t.Importances, err = rundir.ReadTableFile(filepath.Join(tdir, rundir.ImportancesFile), rundir.ReadImportances); err != nil {
			return nil, err
		}
	}
	for name, text := range map[string]*string{rundir.RulesFile: &t.Rules, rundir.ClassReportFile: &t.ClassificationReport} {
		body, err := os.ReadFile(filepath.Join(tdir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		*text = strings.TrimRight(string(body), "\n")
	}
	if err := t.loadDeployment(tdir); err != nil {
		return nil, err
	}
	if t.Monitoring, err = loadMonitoring(tdir); err != nil {
		return nil, err
	}
	return t, nil
}

// PredictionsOf returns the trial's predictions of model.
func (t *Trial) PredictionsOf(model string) []rundir.Prediction {
	var out []rundir.Prediction
	for _, p := range t.Predictions {
		if p.Model == model {
			out = append(out, p)
		}
	}
	return out
}
