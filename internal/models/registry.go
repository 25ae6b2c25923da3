// Package models is the registry of model kinds. Each kind is declared
// once, in a file of its own that calls Register from init: its
// parameters (type, default, range, unit, a line of documentation), the
// roles it can take (detector, attack typer, clusterer) and the metrics it
// produces beyond its role's. How a kind fits and scores is its Fit, which
// internal/models/kinds attaches to the built-in kinds (SetFit).
//
// The registry is declarative and light: it imports no model code and no
// Parquet, so the experiment parser links it alone. Every consumer reads
// it: the experiment parser (the keys a model takes, their types and
// ranges, their defaults), the experiment reference (docs/models.md,
// written by Reference), spec.resolved.yaml (the keys in the kind's
// order), the runner (Fit, linked through internal/models/kinds), the
// report (a model's role) and the gate (a regression rule's default
// direction, through the metric vocabulary of internal/eval). Adding a
// kind is its declaration here, its fit in internal/models/kinds, and
// their tests.
//
// A kind fits and scores; what a model's answers mean is its role's, and
// the runner measures every model of a role the same way: a detector's
// scores and decisions give its detection metrics, curves and operating
// point, a typer's class probabilities its accuracy and F1 scores, a
// clusterer's labels its clusters, noise and silhouette.
package models

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/segharness/harness/internal/eval"
)

// Role is what a model does with flows.
type Role string

// Roles.
const (
	// Detector scores each test flow, higher for more anomalous, and
	// decides normal or anomaly.
	Detector Role = "detector"
	// Typer gives each test flow a probability per attack type (the
	// classes of anomaly_type, normal included).
	Typer Role = "typer"
	// Clusterer labels every flow with a cluster, -1 for noise.
	Clusterer Role = "clusterer"
)

// Roles lists the roles in the order the reference gives them.
var Roles = []Role{Detector, Typer, Clusterer}

// Describe names the role for messages: "a detector".
func (r Role) Describe() string {
	switch r {
	case Detector:
		return "a detector"
	case Typer:
		return "an attack-type classifier"
	case Clusterer:
		return "a clustering"
	}
	return "a model of role " + string(r)
}

// Metrics returns the metrics every model of the role produces, in the
// order the reference lists them: the names a target may use. They are
// the metric vocabulary's (internal/eval), where a role is a producer.
func (r Role) Metrics() []string { return eval.Produced(eval.Producer(r)) }

// Kind is one kind of model.
type Kind struct {
	// Name is the value of a model's kind key.
	Name string
	// Doc describes the kind for the reference: what it is and where its
	// algorithm comes from.
	Doc string
	// Params are the kind's keys besides name and kind, in the order
	// spec.resolved.yaml writes them.
	Params []Param
	// Roles are the roles the kind can take; RoleOf picks one from a
	// model's parameters (nil: the kind has the one role Roles[0]).
	Roles  []Role
	RoleOf func(v Values) Role
	// Metrics are figures the kind measures itself, beyond its role's
	// (k-means' inertia), in the order it records them.
	Metrics []string
	// Exported says that a fitted detector or typer of the kind can be
	// exported for scoring (export_model; harness score and serve): its
	// Result.Fitted is a classifier internal/scoring holds.
	Exported bool
	// Fit fits the model on the task's rows and scores them (see Task and
	// Result for what each role receives and answers). The built-in
	// kinds' are set by internal/models/kinds (SetFit); nil until a
	// program links it.
	Fit FitFunc
	// Check reports problems of a model's parameters taken together (the
	// parser has checked each alone); nil: none.
	Check func(v Values) []Problem
	// Inputs lists files, besides the data, whose content the model's
	// results depend on (an external program's scripts): their digests
	// join the trial's key, so that an edited file reruns the trial. dir is
	// the experiment file's directory, where relative paths start. Nil:
	// none.
	Inputs func(v Values, dir string) []string
}

// FitFunc fits a model on a task's rows and scores them.
type FitFunc func(ctx context.Context, t *Task) (*Result, error)

// Problem is a parameter's problem found by a kind's Check: the key it
// concerns and the message.
type Problem struct {
	Key, Msg string
}

// Role returns the role of a model of this kind with parameters v.
func (k *Kind) Role(v Values) Role {
	if k.RoleOf != nil {
		return k.RoleOf(v)
	}
	return k.Roles[0]
}

// Param returns the kind's parameter key, or nil.
func (k *Kind) Param(key string) *Param {
	for i := range k.Params {
		if k.Params[i].Key == key {
			return &k.Params[i]
		}
	}
	return nil
}

// Defaults returns a model's parameters with every default filled in.
func (k *Kind) Defaults() Values {
	v := Values{}
	for _, p := range k.Params {
		if !p.Required {
			v[p.Key] = p.DefaultValue()
		}
	}
	return v
}

// Produces returns the metrics a model of this kind produces with
// parameters v: its role's, then its own.
func (k *Kind) Produces(v Values) []string {
	return append(k.Role(v).Metrics(), k.Metrics...)
}

var (
	mu    sync.RWMutex
	kinds = map[string]*Kind{}
)

// Register adds a kind to the registry; each kind's file calls it from
// init. Its Fit may be left nil and set later with SetFit. It panics on a
// kind without a name or roles, a name registered twice, or a parameter
// declared wrongly.
func Register(k *Kind) {
	switch {
	case k.Name == "":
		panic("models: a kind without a name")
	case len(k.Roles) == 0:
		panic("models: kind " + k.Name + " has no role")
	case len(k.Roles) > 1 && k.RoleOf == nil:
		panic("models: kind " + k.Name + " has several roles and no RoleOf")
	}
	seen := map[string]bool{"name": true, "kind": true}
	for i := range k.Params {
		p := &k.Params[i]
		if seen[p.Key] {
			panic(fmt.Sprintf("models: kind %s declares key %q twice (name and kind are every model's)", k.Name, p.Key))
		}
		seen[p.Key] = true
		if err := p.check(); err != nil {
			panic(fmt.Sprintf("models: kind %s: %v", k.Name, err))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if kinds[k.Name] != nil {
		panic("models: kind " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// SetFit sets the Fit of the registered kind name; internal/models/kinds
// calls it from init for each built-in kind. It panics when no kind has
// the name, fit is nil, or the kind already has a Fit.
func SetFit(name string, fit FitFunc) {
	mu.Lock()
	defer mu.Unlock()
	k := kinds[name]
	switch {
	case k == nil:
		panic("models: SetFit of kind " + name + ", which is not registered")
	case fit == nil:
		panic("models: SetFit of kind " + name + " with a nil Fit")
	case k.Fit != nil:
		panic("models: kind " + name + " has a Fit already")
	}
	k.Fit = fit
}

// Lookup returns the kind named name, or nil.
func Lookup(name string) *Kind {
	mu.RLock()
	defer mu.RUnlock()
	return kinds[name]
}

// Kinds returns every registered kind, sorted by name.
func Kinds() []*Kind {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *Kind) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// ExportedNames returns the names of the kinds that can be exported for
// scoring (Kind.Exported), sorted.
func ExportedNames() []string {
	var names []string
	for _, k := range Kinds() {
		if k.Exported {
			names = append(names, k.Name)
		}
	}
	return names
}

// Names returns the registered kinds' names, sorted.
func Names() []string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	return names
}

// KindsWithKey returns the names of the kinds that take key, sorted.
func KindsWithKey(key string) []string {
	var names []string
	for _, k := range Kinds() {
		if k.Param(key) != nil {
			names = append(names, k.Name)
		}
	}
	return names
}

// Data is a trial's prepared data, as every model of the trial sees it:
// the scaled feature matrix of every row and the labels.
type Data struct {
	// X is every row, row-major: n × len(Columns), for a clusterer; nil
	// for a detector or a typer, which read their Fit, Validation and
	// Test rows (the runner holds the matrix once, with those rows as
	// views of it).
	X       []float64
	Columns []string // the features' names
	// IsAnomaly is each row's label.
	IsAnomaly []bool
	// Types is each row's anomaly type as an index into TypeNames, the
	// classes of anomaly_type sorted (normal among them), as scikit-learn's
	// LabelEncoder orders them.
	Types     []int
	TypeNames []string
}

// N returns the number of rows.
func (d *Data) N() int { return len(d.IsAnomaly) }

// D returns the number of features.
func (d *Data) D() int { return len(d.Columns) }

// Rows is a subset of a trial's rows, gathered.
type Rows struct {
	Index []int     // row numbers in Data
	X     []float64 // their features, row-major
}

// Len returns the number of rows.
func (r *Rows) Len() int { return len(r.Index) }

// Task is the work of fitting one model in one trial.
//
// A detector fits on Fit (the training rows, less the validation slice
// with an operating point) and scores Test and, with an operating point,
// Validation. A typer fits on Fit (every training row) and scores Test.
// A clusterer labels every row of Data; Fit, Validation and Test are nil.
// Labels of the test rows are never a model's to read: a kind reads
// Data.IsAnomaly and Data.Types at its Fit rows only.
type Task struct {
	Experiment, Trial string // names, for programs outside Go
	Model             string // the model's name
	Kind              *Kind
	Params            Values
	Role              Role
	Data              *Data
	Fit               *Rows
	// Validation is nil without an operating point.
	Validation *Rows
	Test       *Rows
	// Workers bounds the goroutines (or threads) the fit may use; results
	// must not depend on it.
	Workers int
	// Rand is the model's own random stream; Seed is the seed it was
	// started from, for programs outside Go.
	Rand *rand.Rand
	Seed uint64
	// Dir is a directory of the trial's where the model may keep working
	// files; BaseDir is the experiment file's directory, where relative
	// paths in the parameters start.
	Dir, BaseDir string
	// Log receives progress lines; nil discards them.
	Log func(format string, args ...any)
}

// Logf writes a progress line when the task has a log.
func (t *Task) Logf(format string, args ...any) {
	if t.Log != nil {
		t.Log(format, args...)
	}
}

// Result is a fitted model's answers for its task.
type Result struct {
	// Detector: a score per Test row (higher is more anomalous) and, when
	// the model decides, its decision per Test row (nil when it does not:
	// the metrics of a decision are then not measured). With a
	// Validation set, a score per Validation row.
	Scores           []float64
	Decision         []bool
	ValidationScores []float64
	// Typer: the probability of each class of Data.TypeNames per Test row,
	// row-major.
	Proba []float64
	// Clusterer: a cluster per row of Data, -1 for noise.
	Labels []int

	// Metrics are the kind's own figures (Kind.Metrics), recorded before
	// those of its role.
	Metrics []Figure
	// Notes are caveats for the trial's record; the runner prefixes the
	// model's name.
	Notes []string
	// Rules is the model's section of rules.txt (a forest's first tree);
	// "" for none.
	Rules string
	// Importances is the importance of each feature, when the kind
	// measures it (a forest's Gini importance); nil otherwise.
	Importances []float64
	// Fitted is the fitted model, for the stages that reuse it: export_model
	// and monitoring take a random forest's *forest.Forest.
	Fitted any
}

// Figure is one metric value.
type Figure struct {
	Metric string
	Value  float64
}
