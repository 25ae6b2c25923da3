package experiments

import (
	"maps"
	"slices"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/synth"
)

// Spec is one experiment, or one trial of it, with every default filled in.
// doc.go describes every key, its default and its unit.
type Spec struct {
	Name        string
	Description string
	Seeds       []int64 // replicate seeds; a trial's Spec holds its own one
	Data        Data
	Features    []string // a set name (one entry) or explicit columns
	Split       Split
	Operating   OperatingPoint
	Models      []Model
	Targets     []Target
	Regressions []Regression
	// ExportModel asks each trial to save its fitted scoring pipeline
	// (encoders, scaler, the first random-forest detector and the first
	// attack-type forest) into trials/<id>/model/, for harness score and
	// harness serve.
	ExportModel bool
	// Incident is the incident simulation, scored through the exported
	// pipeline; no flows: none.
	Incident Incident
	// Policy asks for a segmentation policy per trial; Enabled false: none.
	Policy Policy
	// Monitoring asks for a monitoring simulation per trial; Enabled false:
	// none.
	Monitoring Monitoring
}

// ExportedModels returns the models an exported scoring pipeline holds:
// the first detector and the first attack typer, in the file's order, of
// the kinds that can be exported (models.Kind.Exported: the random forest
// and gradient boosting), nil when absent.
func (s *Spec) ExportedModels() (detector, typing *Model) {
	for i := range s.Models {
		m := &s.Models[i]
		if k := models.Lookup(m.Kind); k == nil || !k.Exported {
			continue
		}
		switch role := m.Role(); {
		case role == models.Typer && typing == nil:
			typing = m
		case role == models.Detector && detector == nil:
			detector = m
		}
	}
	return detector, typing
}

// Regression declares how a metric may move against a baseline run before
// the gate calls it a regression: its better direction and a tolerance.
//
// The manifest records the rules with their JSON names, so that
// harness check -baseline needs only the run directory.
type Regression struct {
	Model     string  `json:"model"`
	Metric    string  `json:"metric"`
	Better    string  `json:"better"`    // "higher" or "lower"
	Tolerance float64 `json:"tolerance"` // the largest change in the worse direction that is not a regression, in the metric's unit
	// Against names another model: the rule then judges Model's lead over
	// it (the metric's difference, trial by trial).
	Against string `json:"against,omitempty"`
}

// Data sources.
const (
	SourceGenerate = "generate"
	SourceFile     = "file"
)

// Data declares where the flows come from.
type Data struct {
	Source string // SourceGenerate, SourceFile or SourceTable

	// Generated data: the generator's own configuration (internal/synth),
	// whose Workers the runner sets.
	synth.Config

	// A file in the harness's schema. Path is as written in the experiment
	// file: relative paths are relative to the file's directory.
	Path   string
	Format string // csv, parquet, or "" to infer it from the extension

	// Any flow table through a column mapping (SourceTable).
	Table Table
}

// Stratification choices.
const (
	StratifyAnomalyType = "anomaly_type"
	StratifyIsAnomaly   = "is_anomaly"
	StratifyNone        = "none"
)

// Scaler fitting choices.
const (
	ScaleOnTrain = "train"
	ScaleOnAll   = "all"
)

// Split declares the train/test split.
type Split struct {
	// By is the method: SplitRandom (the default), SplitTime, SplitGroup
	// or SplitKFold.
	By           string
	TestFraction float64 // fraction of flows in the test set (random, time, group)
	Stratify     string  // StratifyAnomalyType, StratifyIsAnomaly or StratifyNone
	ScaleOn      string  // rows the scaler is fitted on: ScaleOnTrain or ScaleOnAll
	// Column is the table column a time split orders the rows by, or a
	// group split groups them by.
	Column string
	// Gap is the time between the training side's end and the test
	// side's start whose rows a time split drops.
	Gap time.Duration
	// TimeFormat is the Go layout of the time column's text; "" lets the
	// reader recognise numbers and ISO 8601 forms (features.ParseTimes).
	TimeFormat string
	// TimeUnit is the unit of a numeric time column: s, ms, us or ns.
	TimeUnit string
	// Folds is the number of folds of a k-fold split: each seed runs one
	// trial per fold.
	Folds int
	// Dedupe is DedupeExact to drop every row equal to an earlier one (the
	// same feature vector and label) before the split, DedupeNone to keep
	// them.
	Dedupe string
}

// Split methods (Split.By).
const (
	SplitRandom = "random"
	SplitTime   = "time"
	SplitGroup  = "group"
	SplitKFold  = "kfold"
)

// Deduplications (Split.Dedupe).
const (
	DedupeNone  = "none"
	DedupeExact = "exact"
)

// OperatingPoint asks for a second decision threshold for every detector,
// chosen on a validation slice of the training rows to meet a
// false-positive-rate budget, besides the model's own decision.
type OperatingPoint struct {
	FPRBudget          float64 // 0: none
	ValidationFraction float64 // of the training rows, held out from fitting to choose the threshold
}

// Model declares one model: its name, its kind (a kind of the registry,
// internal/models) and the kind's parameters, every default filled in.
type Model struct {
	Name   string
	Kind   string
	Params models.Values
}

// Role returns what the model does (detector, typer or clusterer), as its
// kind decides from its parameters; "" for an unknown kind.
func (m *Model) Role() models.Role {
	k := models.Lookup(m.Kind)
	if k == nil {
		return ""
	}
	return k.Role(m.Params)
}

// IsDetector reports whether the model scores flows as anomalous or not.
func (m *Model) IsDetector() bool { return m.Role() == models.Detector }

// Target is a success criterion on a metric of a model, for the gate.
// The manifest records the targets with their JSON names, so that the
// gate needs only the run directory.
type Target struct {
	Model       string              `json:"model"`
	Metric      string              `json:"metric"`
	Op          string              `json:"op"` // ">=", ">", "<=" or "<"
	Value       float64             `json:"value"`
	AnomalyType string              `json:"anomaly_type,omitempty"` // optional: the metric restricted to one anomaly type
	Where       map[string][]string `json:"where,omitempty"`        // optional: sweep parameter -> values the target applies at
	// Against names another model of the experiment: the target compares
	// Model's metric with Against's, trial by trial, within Tolerance
	// (internal/gate); Value is then unused. Tolerance is the margin of
	// such a comparison: >= and <= allow Model to fall short by
	// Tolerance, > and < ask it to win by more than Tolerance.
	Against   string  `json:"against,omitempty"`
	Tolerance float64 `json:"tolerance,omitempty"`
}

// Comparison operators of targets.
var Ops = []string{">=", ">", "<=", "<"}

// metricsFor returns the metrics a model produces.
func metricsFor(m *Model) []string {
	k := models.Lookup(m.Kind)
	if k == nil {
		return nil
	}
	return k.Produces(m.Params)
}

// defaultSpec returns a spec holding every default.
func defaultSpec() Spec {
	return Spec{
		Data: Data{
			Source: SourceGenerate,
			Config: synth.Config{
				Generator:   synth.GeneratorNotebook,
				Flows:       10000,
				AnomalyRate: 0.05,
				AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
			},
		},
		Features:   []string{"notebook"},
		Split:      Split{By: SplitRandom, TestFraction: 0.3, Stratify: StratifyAnomalyType, ScaleOn: ScaleOnTrain, Dedupe: DedupeNone, TimeUnit: "s", Folds: 5},
		Operating:  OperatingPoint{ValidationFraction: 0.25},
		Policy:     defaultPolicy(),
		Monitoring: defaultMonitoring(),
	}
}

// defaultModel returns a model of kind with the kind's defaults (nil
// parameters for an unknown kind).
func defaultModel(kind string) Model {
	m := Model{Kind: kind}
	if k := models.Lookup(kind); k != nil {
		m.Params = k.Defaults()
	}
	return m
}

// clone returns a deep copy.
func (s *Spec) clone() Spec {
	c := *s
	c.Seeds = slices.Clone(s.Seeds)
	c.Data.AnomalyMix = maps.Clone(s.Data.AnomalyMix)
	c.Data.Table = cloneTable(s.Data.Table)
	c.Features = slices.Clone(s.Features)
	c.Models = slices.Clone(s.Models)
	for i := range c.Models {
		c.Models[i].Params = s.Models[i].Params.Clone()
	}
	c.Targets = slices.Clone(s.Targets)
	c.Incident = cloneIncident(s.Incident)
	c.Monitoring = cloneMonitoring(s.Monitoring)
	for i := range c.Targets {
		if w := s.Targets[i].Where; w != nil {
			c.Targets[i].Where = make(map[string][]string, len(w))
			for k, v := range w {
				c.Targets[i].Where[k] = slices.Clone(v)
			}
		}
	}
	return c
}

// Model returns the model named name, or nil.
func (s *Spec) Model(name string) *Model {
	for i := range s.Models {
		if s.Models[i].Name == name {
			return &s.Models[i]
		}
	}
	return nil
}
