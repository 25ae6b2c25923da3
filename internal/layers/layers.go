// Package layers writes down the harness's import graph as data: its
// packages in layers, from the bottom of the graph to the top, so that
// data flows one way: the flow schema and the leaves, the domain
// configs, the experiment spec, data and features, models, the run
// directory, then reports, the gate and the orchestrator, then the
// command. A package imports packages of lower layers; an import within a
// layer is allowed only where Sideways lists it. TestLayers checks the
// graph go list reports against this table, so that a new import that
// runs the wrong way, or a package no layer holds, fails the tests.
package layers

import "strings"

// Module is the harness's module path.
const Module = "github.com/segharness/harness"

// A Layer is a named set of packages (paths relative to Module).
type Layer struct {
	Name     string
	Packages []string
}

// Layers, from the bottom of the import graph up.
var Layers = []Layer{
	{"leaves: the flow schema, file limits, seeds, numerics, models' algorithms, charts", []string{
		"internal/flow", "internal/fileio", "internal/seed", "internal/suggest",
		"internal/eval", "internal/eval/stats",
		"internal/ml/cluster", "internal/ml/ecod", "internal/ml/forest", "internal/ml/gbdt", "internal/ml/iforest", "internal/ml/linear", "internal/ml/lof",
		"internal/monitor/drift", "internal/monitor/retrain", "internal/monitor/timing", "internal/monitor/trend",
		"reports", "reports/charts",
		"datasets/tabular/tabspec", "internal/layers", "internal/stage", "internal/tableinit", "internal/timestamps",
	}},
	{"domain configs and declarations: generator, feature sets, model registry, monitoring scenario, policy config, atomic files", []string{
		"internal/artifact", "internal/fileio/fileiotest",
		"internal/synth", "internal/features/featureset", "internal/models", "internal/monitor/scenario",
		"internal/policy/policyconfig",
	}},
	{"spec", []string{"experiments"}},
	{"data and features", []string{"datasets", "datasets/tabular", "internal/features"}},
	{"models: fits, the scoring pipeline, the policy, the monitoring simulation", []string{
		"internal/models/external", "internal/models/kinds",
		"internal/scoring", "internal/policy", "internal/monitor",
		"internal/ml/mltest", "internal/ml/mlbench",
	}},
	{"run directory", []string{"internal/rundir"}},
	{"reports, gate, export, serving, and the orchestrator", []string{
		"internal/gate", "reports/report", "internal/export",
		"internal/serve", "internal/serve/servetest",
		"internal/runner",
	}},
	{"command", []string{"harness", "scripts/driftflows"}},
}

// Sideways lists the imports allowed within a layer: importer -> imported.
var Sideways = map[string][]string{
	"internal/monitor/scenario": {"internal/synth"},
	"internal/eval":             {"internal/eval/stats"},
	"datasets/tabular":          {"datasets"},
	"internal/features":         {"datasets"},
	"internal/tableinit":        {"internal/timestamps"},
	"internal/models/kinds":     {"internal/models/external"},
	"reports/report":            {"internal/gate"},
}

// Unlinked lists, per package, packages its build must not link at all
// (in its whole dependency tree, not only its imports); an entry ending in
// "/" stands for every package under it. The
// experiment-file parser is a pure specification, and links no Parquet
// library, models' algorithms or plotting.
var Unlinked = map[string][]string{
	"experiments": {
		"github.com/parquet-go/", "gonum.org/v1/plot",
		Module + "/datasets/tabular\"", Module + "/internal/ml/", Module + "/internal/models/kinds", Module + "/internal/policy", Module + "/internal/monitor", Module + "/internal/rundir",
	},
}

// Order names the layers bottom to top, for messages.
func Order() string {
	names := make([]string, len(Layers))
	for i, l := range Layers {
		names[i] = l.Name
	}
	return strings.Join(names, " -> ")
}
