package experiments

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/synth"
)

// Resolved returns the text of spec.resolved.yaml: the experiment with every
// default filled in (swept keys at their first value), the axes, and each
// trial's ID, seeds and parameter values. A trial's spec is `spec` with the
// trial's params applied. `spec` is itself a valid experiment file, except
// that a target's where names axes that `spec` alone no longer sweeps.
func (e *Experiment) Resolved() ([]byte, error) {
	doc := mapping(
		"file", str(e.File),
		"sha256", str(e.SHA256),
		"spec", SpecNode(&e.Spec),
	)
	if len(e.Axes) > 0 {
		axes := seq(false)
		for _, a := range e.Axes {
			an := mapping("name", str(a.Name), "path", str(a.Path), "values", strs(a.Values))
			if a.Group != 0 {
				an.Content = append(an.Content, str("zip_group"), integerNode(int64(a.Group)))
			}
			an.Style = yaml.FlowStyle
			axes.Content = append(axes.Content, an)
		}
		doc.Content = append(doc.Content, str("axes"), axes)
	}
	trials := seq(false)
	for _, t := range e.Trials {
		tn := mapping("id", str(t.ID), "seed", integerNode(t.Seed),
			"derived_seed", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(t.DerivedSeed, 10)})
		if t.Fold > 0 {
			tn.Content = append(tn.Content, str("fold"), integerNode(int64(t.Fold)))
		}
		if len(t.Params) > 0 {
			params := mapping()
			for _, p := range t.Params {
				params.Content = append(params.Content, str(p.Path), scalarText(p.Value))
			}
			tn.Content = append(tn.Content, str("params"), params)
		}
		tn.Style = yaml.FlowStyle
		trials.Content = append(trials.Content, tn)
	}
	doc.Content = append(doc.Content, str("trials"), trials)
	doc.HeadComment = "Written by harness: the experiment with every default filled in.\n" +
		"A trial's spec is `spec` with the trial's params applied."

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("experiments: encoding resolved spec: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SpecNode renders a spec as an experiment file's YAML node.
func SpecNode(s *Spec) *yaml.Node {
	seeds := seq(true)
	for _, v := range s.Seeds {
		seeds.Content = append(seeds.Content, integerNode(v))
	}
	doc := mapping("name", str(s.Name))
	if s.Description != "" {
		doc.Content = append(doc.Content, str("description"), str(s.Description))
	}
	doc.Content = append(doc.Content, str("seeds"), seeds, str("data"), dataNode(&s.Data))
	// A table source's features are its columns; its test files, when
	// given, are the test set.
	table := s.Data.Source == SourceTable
	if !table {
		doc.Content = append(doc.Content, str("features"), featuresNode(s.Features))
	}
	split := splitNode(&s.Split, table && len(s.Data.Table.Test) > 0)
	doc.Content = append(doc.Content, str("split"), flowStyled(split))
	if s.Operating.FPRBudget > 0 {
		doc.Content = append(doc.Content, str("operating_point"), flowStyled(mapping(
			"fpr_budget", floatNode(s.Operating.FPRBudget),
			"validation_fraction", floatNode(s.Operating.ValidationFraction))))
	}
	models := seq(false)
	for i := range s.Models {
		models.Content = append(models.Content, modelNode(&s.Models[i]))
	}
	doc.Content = append(doc.Content, str("models"), models)
	targets := seq(false)
	for _, t := range s.Targets {
		tn := mapping("model", str(t.Model), "metric", str(t.Metric), t.Op, floatNode(t.Value))
		if t.Against != "" {
			tn = mapping("model", str(t.Model), "metric", str(t.Metric), t.Op, flowStyled(mapping("model", str(t.Against))),
				"tolerance", floatNode(t.Tolerance))
		}
		if t.AnomalyType != "" {
			tn.Content = append(tn.Content, str("anomaly_type"), str(t.AnomalyType))
		}
		if len(t.Where) > 0 {
			where := mapping()
			keys := make([]string, 0, len(t.Where))
			for k := range t.Where {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				where.Content = append(where.Content, str(k), strs(t.Where[k]))
			}
			tn.Content = append(tn.Content, str("where"), where)
		}
		targets.Content = append(targets.Content, flowStyled(tn))
	}
	doc.Content = append(doc.Content, str("targets"), targets)
	if len(s.Regressions) > 0 {
		rules := seq(false)
		for _, r := range s.Regressions {
			rn := mapping("model", str(r.Model), "metric", str(r.Metric), "better", str(r.Better), "tolerance", floatNode(r.Tolerance))
			if r.Against != "" {
				rn.Content = append(rn.Content, str("against"), flowStyled(mapping("model", str(r.Against))))
			}
			rules.Content = append(rules.Content, flowStyled(rn))
		}
		doc.Content = append(doc.Content, str("regressions"), rules)
	}
	if s.ExportModel {
		doc.Content = append(doc.Content, str("export_model"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if len(s.Incident.Flows) > 0 {
		doc.Content = append(doc.Content, str("incident"), incidentNode(&s.Incident))
	}
	if s.Policy.Enabled {
		doc.Content = append(doc.Content, str("policy"), policyNode(&s.Policy))
	}
	if s.Monitoring.Enabled {
		doc.Content = append(doc.Content, str("monitoring"), monitoringNode(&s.Monitoring))
	}
	return doc
}

func dataNode(d *Data) *yaml.Node {
	if d.Source == SourceTable {
		return mapping("source", str(d.Source), "table", tableNode(&d.Table))
	}
	if d.Source == SourceFile {
		n := mapping("source", str(d.Source), "path", str(d.Path))
		if d.Format != "" {
			n.Content = append(n.Content, str("format"), str(d.Format))
		}
		return n
	}
	mix := mapping()
	for _, t := range synth.InjectableTypes {
		if v, ok := d.AnomalyMix[t]; ok {
			mix.Content = append(mix.Content, str(t), floatNode(v))
		}
	}
	return mapping(
		"source", str(d.Source),
		"generator", str(d.Generator),
		"flows", integerNode(int64(d.Flows)),
		"anomaly_rate", floatNode(d.AnomalyRate),
		"anomaly_mix", flowStyled(mix),
		"difficulty", floatNode(d.Difficulty),
	)
}

func featuresNode(f []string) *yaml.Node {
	if len(f) == 1 {
		if _, ok := featureset.Sets[f[0]]; ok {
			return str(f[0])
		}
	}
	return strs(f)
}

// paramNode renders a model parameter's value as its type writes it.
func paramNode(prm *models.Param, v models.Value) *yaml.Node {
	switch prm.Type {
	case models.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.Text}
	case models.Strings:
		n := seq(true)
		for _, s := range v.List {
			n.Content = append(n.Content, str(s))
		}
		return n
	case models.Mapping:
		n := mapping()
		for _, e := range v.Map {
			n.Content = append(n.Content, str(e.Key), taggedNode(e.Value))
		}
		return flowStyled(n)
	case models.Enum, models.Duration:
		return str(v.Text)
	}
	return scalarText(v.Text)
}

// taggedNode renders a pass-through value with its type: a float keeps a
// decimal point, so that 1.0 reads back as a float.
func taggedNode(v models.Value) *yaml.Node {
	switch v.Tag {
	case "int":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v.Text}
	case "float":
		text := v.Text
		if !strings.ContainsAny(text, ".eEnN") {
			text += ".0"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: text}
	case "bool":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.Text}
	}
	return str(v.Text)
}

// String renders m as one line of an experiment file, every key filled
// in: "{name: rf, kind: random_forest, target: is_anomaly, trees: 100, ...}".
func (m *Model) String() string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(flowStyled(modelNode(m))); err != nil {
		return fmt.Sprintf("{name: %s, kind: %s}", m.Name, m.Kind) // a mapping of scalars always encodes
	}
	enc.Close()
	return strings.TrimSpace(b.String())
}

func modelNode(m *Model) *yaml.Node {
	n := mapping("name", str(m.Name), "kind", str(m.Kind))
	if k := models.Lookup(m.Kind); k != nil {
		for i := range k.Params {
			prm := &k.Params[i]
			if v, ok := m.Params[prm.Key]; ok {
				n.Content = append(n.Content, str(prm.Key), paramNode(prm, v))
			}
		}
	}
	return flowStyled(n)
}

// Node constructors.

func mapping(pairs ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		n.Content = append(n.Content, str(pairs[i].(string)), pairs[i+1].(*yaml.Node))
	}
	return n
}

func seq(flowStyle bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flowStyle {
		n.Style = yaml.FlowStyle
	}
	return n
}

func flowStyled(n *yaml.Node) *yaml.Node { n.Style = yaml.FlowStyle; return n }

func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func strs(values []string) *yaml.Node {
	n := seq(true)
	for _, v := range values {
		n.Content = append(n.Content, scalarText(v))
	}
	return n
}

// scalarText renders text that may be a number (a canonical sweep value)
// with the tag YAML would resolve it to, so numbers stay numbers.
func scalarText(v string) *yaml.Node {
	var probe yaml.Node
	if err := yaml.Unmarshal([]byte(v), &probe); err == nil && len(probe.Content) == 1 {
		if c := probe.Content[0]; c.Kind == yaml.ScalarNode && c.Value == v && (c.ShortTag() == "!!int" || c.ShortTag() == "!!float") {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: c.ShortTag(), Value: v}
		}
	}
	return str(v)
}

func integerNode(v int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
}

func floatNode(v float64) *yaml.Node { return scalarText(formatFloat(v)) }

// ResolvedModels reads the models of a spec.resolved.yaml (Resolved's
// text): each model's name, kind and scalar parameters as written, over
// the kind's defaults. It does not check the values again: it is for
// readers of a run (the report asks each model's role).
func ResolvedModels(resolved []byte) ([]Model, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(resolved, &doc); err != nil {
		return nil, fmt.Errorf("spec.resolved.yaml: %w", err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	spec := lookup(root, "spec")
	if spec == nil {
		return nil, fmt.Errorf("spec.resolved.yaml: no spec")
	}
	list := lookup(spec, "models")
	if list == nil {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("spec.resolved.yaml:%d: spec.models is not a list", list.Line)
	}
	var out []Model
	for _, mn := range list.Content {
		if mn.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("spec.resolved.yaml:%d: a model is not a mapping", mn.Line)
		}
		var m Model
		if n := lookup(mn, "kind"); n != nil {
			m = defaultModel(n.Value)
		}
		if n := lookup(mn, "name"); n != nil {
			m.Name = n.Value
		}
		for i := 0; i+1 < len(mn.Content); i += 2 {
			k, v := mn.Content[i].Value, mn.Content[i+1]
			if _, known := m.Params[k]; known && v.Kind == yaml.ScalarNode {
				m.Params[k] = models.Value{Text: v.Value}
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// splitNode renders split: by unless random, the test fraction and
// stratification unless the test files fix the split (or kfold's folds
// do), the method's keys when they are set (a swept split.by may use
// keys its first value does not), scale_on and dedupe.
func splitNode(s *Split, testFiles bool) *yaml.Node {
	n := mapping()
	add := func(key string, v *yaml.Node) { n.Content = append(n.Content, str(key), v) }
	if s.By != SplitRandom || s.Column != "" || s.Gap > 0 || s.TimeFormat != "" || s.TimeUnit != "s" || s.Folds != 5 {
		add("by", str(s.By))
	}
	if s.Column != "" {
		add("column", str(s.Column))
	}
	if !testFiles {
		if s.By != SplitKFold {
			add("test_fraction", floatNode(s.TestFraction))
		}
		if s.By != SplitTime {
			add("stratify", str(s.Stratify))
		}
	}
	if s.Gap > 0 {
		add("gap", durationNode(s.Gap))
	}
	if s.TimeFormat != "" {
		add("time_format", str(s.TimeFormat))
	}
	if s.By == SplitTime && s.TimeFormat == "" || s.TimeUnit != "s" {
		add("time_unit", str(s.TimeUnit))
	}
	if s.By == SplitKFold || s.Folds != 5 {
		add("folds", integerNode(int64(s.Folds)))
	}
	add("scale_on", str(s.ScaleOn))
	if s.Dedupe != DedupeNone {
		add("dedupe", str(s.Dedupe))
	}
	return n
}
