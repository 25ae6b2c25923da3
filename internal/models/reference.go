package models

import (
	"fmt"
	"io"
	"strings"

	"github.com/segharness/harness/internal/eval"
)

// Reference writes the reference of every registered kind as Markdown:
// the roles and the metrics each produces, then each kind's description,
// roles, own metrics and parameters, each parameter as an entry
//
//   - `models[].KEY` (TYPE; DEFAULT; RANGE; sweepable): what it does
//
// as the experiment-file reference (experiments.KeyReference) writes its
// keys.
// docs/models.md is its output; harness models prints it.
func Reference(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`# Model kinds

<!-- Written by Reference in internal/models (go test ./internal/models -update); do not edit. -->

A model of an experiment file is a mapping with a ` + "`kind`" + ` and that kind's
parameters; a key of another kind is an error. Every model also takes
` + "`name`" + ` (the model's name in targets, metrics and parameter paths; default
the kind), described with every other key in the key reference of
docs/experiment-files.md.

` + "```yaml" + `
models:
  - {name: rf, kind: random_forest, trees: 100}
  - {name: iso, kind: isolation_forest, contamination: 0.05}
` + "```" + `

Each entry below gives, in parentheses: the type; the default, or
"required"; the valid range, ends included with [ ] and excluded with ( );
and "sweepable" when the key takes a list of values (a sweep axis,
` + "`models.<name>.<key>`" + `). ` + "`harness models`" + ` prints this page.

## Roles

A kind fits and scores; its role says what its answers mean, and every
model of a role is measured the same way on the test split.

`)
	for _, r := range Roles {
		fmt.Fprintf(&b, "- **%s** (%s): %s Metrics: %s.\n", r, r.Describe(), roleDoc[r], metricList(r.Metrics()))
	}
	b.WriteString("\nWith `data.source: table` and separate test files, detectors also produce " +
		"`detection_rate_seen_attacks` and `detection_rate_unseen_attacks`; every detector produces " +
		"`detection_rate_<type>` for each anomaly type in the test split.\n")
	for _, k := range Kinds() {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", k.Name, wrapText(k.Doc))
		roles := make([]string, len(k.Roles))
		for i, r := range k.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(&b, "Roles: %s.", strings.Join(roles, ", "))
		if len(k.Metrics) > 0 {
			fmt.Fprintf(&b, " Its own metrics, besides its role's: %s.", metricList(k.Metrics))
		}
		if k.Exported {
			b.WriteString(" Exported for scoring: with `export_model: true` its detector and attack typer are saved into each trial's model directory, which `harness score` and `harness serve` load.")
		}
		b.WriteString("\n\n")
		for i := range k.Params {
			p := &k.Params[i]
			doc := p.Doc
			if p.Unit != "" {
				doc += " In " + p.Unit + "."
			}
			fmt.Fprintf(&b, "- `models[].%s` (%s): %s\n", p.Key, strings.Join(p.Facts(), "; "), doc)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var roleDoc = map[Role]string{
	Detector: "scores every test flow (higher is more anomalous) and decides normal or anomaly; " +
		"its decisions give the confusion counts and rates, its scores the ROC and precision-recall " +
		"curves, and with an operating_point its scores on the validation slice choose the threshold " +
		"for the false-positive budget.",
	Typer: "gives every test flow a probability per attack type (the classes of anomaly_type, normal " +
		"included); the most likely class is its prediction.",
	Clusterer: "labels every flow of the trial with a cluster (-1 for noise); the silhouette is computed " +
		"on silhouette_sample rows.",
}

// metricList writes metrics as `name` (range, better direction).
func metricList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "`" + n + "`"
		m, ok := eval.Metric(n)
		if !ok {
			continue
		}
		var facts []string
		if m.Bounded {
			facts = append(facts, fmt.Sprintf("in [%g, %g]", m.Lo, m.Hi))
		}
		if m.Better != eval.NoDirection {
			facts = append(facts, m.Better.String()+" is better")
		}
		if len(facts) > 0 {
			parts[i] += " (" + strings.Join(facts, ", ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// wrapText breaks text into lines of at most 78 characters.
func wrapText(text string) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > 78 {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
