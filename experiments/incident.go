package experiments

import (
	"math"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"go.yaml.in/yaml/v3"
)

// Incident is the notebook's incident simulation: named raw flows scored
// through each trial's exported scoring pipeline, and optionally two of
// them compared.
type Incident struct {
	Flows []IncidentFlow
	// Compare names two flows: the first's anomaly probability is divided
	// by, and has subtracted, the second's. Empty: no comparison.
	Compare []string
}

// IncidentFlow is one flow of the incident simulation: its name and the
// flow, in the schema harness score reads.
type IncidentFlow struct {
	Name string
	flow.Flow
}

// Policy is the policy: block: whether the trial recommends and evaluates
// a segmentation policy (internal/policy), and how (the domain package's
// own configuration, whose Workers the runner sets).
type Policy struct {
	Enabled bool
	policyconfig.Config
}

// LeakageModel is the model name of the leakage report's rows in the
// metrics table, which every trial writes: the duplicates of the feature
// vectors within and across the split's sides and the vectors with
// conflicting labels (eval.Leakage). Targets and regression rules may
// name it.
const LeakageModel = "leakage"

// PolicyModel is the model name of a policy's rows in the metrics table,
// which targets name.
const PolicyModel = "policy"

// describeMetrics lists names for messages, prefixes as prefix<...>.
func describeMetrics(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if strings.HasSuffix(n, "_") {
			n += "<class>"
		}
		out[i] = n
	}
	return strings.Join(out, ", ")
}

// IncidentFlow returns the incident flow named name, or nil.
func (s *Spec) IncidentFlow(name string) *IncidentFlow {
	for i := range s.Incident.Flows {
		if s.Incident.Flows[i].Name == name {
			return &s.Incident.Flows[i]
		}
	}
	return nil
}

func defaultPolicy() Policy {
	return Policy{Config: policyconfig.DefaultConfig()}
}

// incident decodes the incident: key.
func (p *parser) incident(n *yaml.Node, path string) {
	if p.zip != 0 {
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
		return
	}
	inc := &p.spec.Incident
	p.pos[path] = n
	p.mapping(n, path, []field{
		{"flows", func(n *yaml.Node, path string) {
			names := map[string]*yaml.Node{}
			p.mappingList(n, path, "flows", "{name: crypto_mining, src_device_type: workstation, ...}", func(fn *yaml.Node, fp string) {
				f := p.incidentFlow(fn, fp)
				if f.Name == "" {
					return
				}
				nn := lookup(fn, "name")
				if first := names[f.Name]; first != nil {
					p.errorf(nn, fp+".name", "flow name %q used twice (first at %s)", f.Name, at(first))
					return
				}
				names[f.Name] = nn
				inc.Flows = append(inc.Flows, f)
				p.incidentNames = append(p.incidentNames, nn)
				p.incidentPaths = append(p.incidentPaths, fp+".name")
			})
			if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
				p.errorf(n, path, "empty: want at least one flow")
			}
		}},
		{"compare", func(n *yaml.Node, path string) {
			switch {
			case n.Kind != yaml.SequenceNode:
				p.errorf(n, path, "want a list of two flow names, like [crypto_mining, normal], got %s", describe(n))
				return
			case len(n.Content) != 2:
				p.errorf(n, path, "want a list of two flow names, like [crypto_mining, normal], got %d", len(n.Content))
				return
			}
			for _, item := range n.Content {
				if v, ok := text(p, item, path); ok {
					inc.Compare = append(inc.Compare, v)
				}
			}
			p.pos[path] = n
		}},
	}, "flows")
}

// incidentFlow decodes one flow of incident.flows. Each field is read
// with its YAML type (a finite number, an integer, a boolean), and the
// flow's ranges are then checked as harness score checks them
// (flow.Flow.Validate), every field out of range reported at its value.
func (p *parser) incidentFlow(n *yaml.Node, path string) IncidentFlow {
	var f IncidentFlow
	textField := func(set *string) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) { value(p, n, path, text, func(v string) { *set = v }) }
	}
	num := func(set *float64) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, number(-math.MaxFloat64, math.MaxFloat64, true, true), func(v float64) { *set = v })
		}
	}
	integ := func(set *int64) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, integer(math.MinInt64, math.MaxInt64), func(v int) { *set = int64(v) })
		}
	}
	optBool := func(set **bool) func(n *yaml.Node, path string) {
		return func(n *yaml.Node, path string) {
			value(p, n, path, boolean, func(v bool) { *set = &v })
		}
	}
	required := []string{"name",
		flow.ColSrcDeviceType, flow.ColSrcDepartment, flow.ColDstDeviceType, flow.ColDstDepartment,
		flow.ColProtocol, flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration, flow.ColHour,
		flow.ColIsBusinessHours, flow.ColCPUUsage, flow.ColPortsContacted}
	p.mapping(n, path, []field{
		{"name", func(n *yaml.Node, path string) { value(p, n, path, identifier, func(v string) { f.Name = v }) }},
		{flow.ColSrcDeviceType, textField(&f.SrcDeviceType)},
		{flow.ColSrcDepartment, textField(&f.SrcDepartment)},
		{flow.ColDstDeviceType, textField(&f.DstDeviceType)},
		{flow.ColDstDepartment, textField(&f.DstDepartment)},
		{flow.ColProtocol, textField(&f.Protocol)},
		{flow.ColBytesSent, num(&f.BytesSent)},
		{flow.ColPacketsSent, integ(&f.PacketsSent)},
		{flow.ColDuration, num(&f.Duration)},
		{flow.ColHour, integ(&f.Hour)},
		{flow.ColIsBusinessHours, func(n *yaml.Node, path string) {
			value(p, n, path, boolean, func(v bool) { f.IsBusinessHours = v })
		}},
		{flow.ColCPUUsage, num(&f.CPUUsage)},
		{flow.ColPortsContacted, integ(&f.PortsContacted)},
		{flow.ColSameDept, optBool(&f.SameDept)},
		{flow.ColCrossDept, optBool(&f.CrossDept)},
	}, required...)
	if n.Kind == yaml.MappingNode {
		for _, e := range f.FieldErrors() {
			p.errorf(lookup(n, e.Field), path+"."+e.Field, "%s", e.Problem())
		}
	}
	return f
}

// policy decodes the policy: key.
func (p *parser) policy(n *yaml.Node, path string) {
	pol := &p.spec.Policy
	pol.Enabled = true
	p.pos[path] = n
	p.mapping(n, path, []field{
		{"segments", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(policyconfig.Granularities...), formatString, func(v string) { pol.Segments = v })
		}},
		{"min_flows", func(n *yaml.Node, path string) {
			sweepable(p, n, path, integer(1, math.MaxInt32), formatInt, func(v int) { pol.MinFlows = v })
		}},
		{"port_margin", func(n *yaml.Node, path string) {
			sweepable(p, n, path, integer(0, math.MaxInt32), formatInt, func(v int) { pol.PortMargin = int64(v) })
		}},
		{"clusters", func(n *yaml.Node, path string) {
			sweepable(p, n, path, integer(0, 1000), formatInt, func(v int) { pol.Clusters = v })
		}},
		{"cluster_quantile", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, false, true), formatFloat, func(v float64) { pol.ClusterQuantile = v })
		}},
		{"isolate_above", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, true, true), formatFloat, func(v float64) { pol.IsolateAbove = v })
		}},
	})
}

// checkIncidentPolicy checks what the incident and the policy need of the
// rest of the file: the exported pipeline, the flows compared, a
// random-forest detector, and names that do not collide with models.
func (p *parser) checkIncidentPolicy() {
	if n := p.pos["incident"]; n != nil {
		if !p.spec.ExportModel && !p.bad["export_model"] {
			p.errorf(n, "incident", "the incident is scored through the exported pipeline: add export_model: true")
		}
		for i, f := range p.spec.Incident.Flows {
			nn, np := p.incidentNames[i], p.incidentPaths[i]
			switch {
			case p.spec.Model(f.Name) != nil:
				p.errorf(nn, np, "%q is also a model's name: name incident flows apart from models", f.Name)
			case f.Name == PolicyModel:
				p.errorf(nn, np, "%q names the policy's rows in the metrics table: choose another name", f.Name)
			case f.Name == MonitoringModel:
				p.errorf(nn, np, "%q names the monitoring simulation's rows in the metrics table: choose another name", f.Name)
			}
		}
		if c := p.spec.Incident.Compare; len(c) == 2 {
			cn := p.pos["incident.compare"]
			for _, name := range c {
				if p.spec.IncidentFlow(name) == nil && !p.bad["incident.flows"] {
					p.errorf(cn, "incident.compare", "no incident flow named %q (flows: %s)", name, strings.Join(p.spec.incidentFlowNames(), ", "))
				}
			}
			if c[0] == c[1] {
				p.errorf(cn, "incident.compare", "compares %q with itself: name two different flows", c[0])
			}
		}
	}
	if n := p.pos["policy"]; n != nil && p.spec.Policy.Enabled {
		detector, _ := p.spec.ExportedModels()
		if detector == nil {
			p.errorf(n, "policy", "the policy's isolation rule needs a random_forest detector (target: is_anomaly) in models:")
		}
		if p.spec.Model(PolicyModel) != nil {
			p.errorf(n, "policy", "a model is named %q, the name of the policy's rows in the metrics table: rename the model", PolicyModel)
		}
	}
}

func (s *Spec) incidentFlowNames() []string {
	var names []string
	for _, f := range s.Incident.Flows {
		names = append(names, f.Name)
	}
	return names
}

// checkSpecialMetric checks a target or regression rule naming an
// incident flow, the policy or the monitoring simulation rather than a
// model. It reports whether the
// name was one of those.
func (p *parser) checkSpecialMetric(rec *targetNode, model, metric string) bool {
	var names []string
	var what string
	switch {
	case model == PolicyModel && p.spec.Policy.Enabled:
		names, what = eval.Produced(eval.Policy), "the policy"
	case model == MonitoringModel && p.spec.Monitoring.Enabled:
		names, what = eval.Produced(eval.Monitoring), "the monitoring simulation"
	case model == LeakageModel:
		names, what = eval.Produced(eval.LeakageReport), "the leakage report"
	case p.spec.IncidentFlow(model) != nil:
		names, what = eval.Produced(eval.Incident), "incident flow "+model
	default:
		return false
	}
	if metric != "" && !eval.In(metric, names) {
		p.errorf(rec.metric, rec.path+".metric", "%s does not produce metric %q; it produces %s", what, metric, describeMetrics(names))
	}
	return true
}

// incidentNode renders the incident for spec.resolved.yaml.
func incidentNode(inc *Incident) *yaml.Node {
	flows := seq(false)
	for _, f := range inc.Flows {
		fn := mapping(
			"name", str(f.Name),
			flow.ColSrcDeviceType, str(f.SrcDeviceType),
			flow.ColSrcDepartment, str(f.SrcDepartment),
			flow.ColDstDeviceType, str(f.DstDeviceType),
			flow.ColDstDepartment, str(f.DstDepartment),
			flow.ColProtocol, str(f.Protocol),
			flow.ColBytesSent, floatNode(f.BytesSent),
			flow.ColPacketsSent, integerNode(f.PacketsSent),
			flow.ColDuration, floatNode(f.Duration),
			flow.ColHour, integerNode(f.Hour),
			flow.ColIsBusinessHours, boolNode(f.IsBusinessHours),
			flow.ColCPUUsage, floatNode(f.CPUUsage),
			flow.ColPortsContacted, integerNode(f.PortsContacted),
		)
		if f.SameDept != nil {
			fn.Content = append(fn.Content, str(flow.ColSameDept), boolNode(*f.SameDept))
		}
		if f.CrossDept != nil {
			fn.Content = append(fn.Content, str(flow.ColCrossDept), boolNode(*f.CrossDept))
		}
		flows.Content = append(flows.Content, flowStyled(fn))
	}
	n := mapping("flows", flows)
	if len(inc.Compare) == 2 {
		n.Content = append(n.Content, str("compare"), strs(inc.Compare))
	}
	return n
}

// policyNode renders the policy for spec.resolved.yaml.
func policyNode(pol *Policy) *yaml.Node {
	return flowStyled(mapping(
		"segments", str(pol.Segments),
		"min_flows", integerNode(int64(pol.MinFlows)),
		"port_margin", integerNode(pol.PortMargin),
		"clusters", integerNode(int64(pol.Clusters)),
		"cluster_quantile", floatNode(pol.ClusterQuantile),
		"isolate_above", floatNode(pol.IsolateAbove),
	))
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: formatBool(b)}
}

// cloneIncident deep-copies the parts of an incident a trial may not share.
func cloneIncident(inc Incident) Incident {
	inc.Flows = slices.Clone(inc.Flows)
	inc.Compare = slices.Clone(inc.Compare)
	return inc
}
