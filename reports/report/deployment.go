package report

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
)

// The report sections of the incident simulation and of the segmentation
// policy, present when the run has them.
const (
	SectionIncident = "incident"
	SectionPolicy   = "policy"
)

// loadDeployment reads the trial's incident.json and policy.json, either
// of which may be absent.
func (t *Trial) loadDeployment(tdir string) error {
	inc, err := rundir.ReadIncident(filepath.Join(tdir, rundir.IncidentFile))
	switch {
	case err == nil:
		t.Incident = inc
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	path := filepath.Join(tdir, rundir.PolicyFile)
	body, err := os.ReadFile(path)
	switch {
	case err == nil:
		if t.Policy, err = decodePolicy(body); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	return nil
}

// IncidentTable is the showcase trial's incident flows: each flow's
// values and its score through the exported pipeline.
func (r *Run) IncidentTable() Table {
	t := Table{
		Header:  []string{"flow", "route", "protocol", "bytes", "duration (s)", "hour", "CPU %", "ports", "anomaly probability", "risk level", "action", "most likely attack", "confidence"},
		Numeric: []bool{false, false, false, true, true, true, true, true, true, false, false, false, true},
	}
	for _, f := range r.Showcase.Incident.Flows {
		fl := f.Flow
		t.Rows = append(t.Rows, []string{
			f.Name,
			fmt.Sprintf("%s %s → %s %s", fl.SrcDepartment, fl.SrcDeviceType, fl.DstDepartment, fl.DstDeviceType),
			fl.Protocol,
			thousands(int(fl.BytesSent)),
			fmtValue(fl.Duration),
			strconv.FormatInt(fl.Hour, 10),
			fmtValue(fl.CPUUsage),
			strconv.FormatInt(fl.PortsContacted, 10),
			fmt.Sprintf("%.3f", f.AnomalyProbability),
			f.RiskLevel,
			f.RecommendedAction,
			f.MostLikelyAttackType,
			fmt.Sprintf("%.3f", f.AttackConfidence),
		})
	}
	return t
}

// incidentActions lists the segmentation actions of each flow that has
// any, as the notebook prints them.
func incidentActions(inc *rundir.Incident) string {
	var b strings.Builder
	for _, f := range inc.Flows {
		if len(f.Actions) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s, %s\n", f.Name, f.RiskLevel, f.RecommendedAction)
		for _, a := range f.Actions {
			fmt.Fprintf(&b, "  %d. %s\n", a.Step, a.Text)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// comparisonText states the incident's comparison.
func comparisonText(c *rundir.Comparison) string {
	if c.Ratio == nil {
		return fmt.Sprintf("Comparison: %s scores %.3f and %s %.3f. %s.", c.Flow, c.FlowProbability, c.Baseline, c.BaselineProbability, upperFirst(c.Note))
	}
	return fmt.Sprintf("Comparison: %s scores %.3f and %s %.3f, %s times its anomaly probability (difference %.3f).",
		c.Flow, c.FlowProbability, c.Baseline, c.BaselineProbability, fmtValue(*c.Ratio), c.Difference)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// incidentFlowNames lists the incident's flow names.
func incidentFlowNames(inc *rundir.Incident) []string {
	names := make([]string, len(inc.Flows))
	for i, f := range inc.Flows {
		names[i] = f.Name
	}
	return names
}

// deploymentSections lays out the incident simulation, the policy and the
// monitoring simulation, each when the showcase trial has it.
func (r *Run) deploymentSections() []section {
	t := r.Showcase
	if t == nil {
		return nil
	}
	on := "trial " + t.Record.ID
	var out []section
	if inc := t.Incident; inc != nil {
		s := section{ID: SectionIncident, Title: "Incident simulation"}
		s.Intro = append(s.Intro, fmt.Sprintf("The incident simulation of the case study: each flow scored through the exported pipeline of %s (its %s/ directory, the one harness score and harness serve load), with the risk thresholds HIGH above %s and MEDIUM above %s.",
			on, inc.Model, fmtValue(inc.Risk.High), fmtValue(inc.Risk.Medium)))
		if inc.Comparison != nil {
			s.Intro = append(s.Intro, comparisonText(inc.Comparison))
		}
		s.Tables = append(s.Tables, newTable(r.IncidentTable(), "incident.json of "+on+"."))
		names := incidentFlowNames(inc)
		metrics := r.MetricsOf(names, func(m string) bool { return !strings.HasPrefix(m, "attack_probability_") })
		metrics = append(metrics, r.MetricsOf(names, func(m string) bool { return strings.HasPrefix(m, "attack_probability_") })...)
		if tab := r.AggregateTable(names, metrics); len(tab.Rows) > 0 {
			s.Tables = append(s.Tables, newTable(tab, "Every trial's pipeline: mean over seeds with its 95% confidence interval. risk_level is 2 for HIGH, 1 for MEDIUM and 0 for LOW."))
		}
		if actions := incidentActions(inc); actions != "" {
			s.Texts = append(s.Texts, text{Title: "Segmentation actions", Body: actions, Open: true})
		}
		out = append(out, s)
	}
	if t.Policy != nil {
		out = append(out, r.policySection(t, on))
	}
	if len(r.Monitored) > 0 {
		out = append(out, r.monitoringSection())
	}
	return out
}

// decodePolicy reads a policy.json.
func decodePolicy(body []byte) (*policy.Policy, error) { return policy.Decode(body) }

// policyFamilies are the rule families of the policy table: a label and
// the metrics of its block and false-block rates.
var policyFamilies = [][3]string{
	{"any rule", "policy_block_rate", "policy_false_block_rate"},
	{"allow-list (segments, protocol, ports)", "policy_allowlist_block_rate", "policy_allowlist_false_block_rate"},
	{"behaviour (outside every cluster of normal traffic)", "policy_behaviour_block_rate", "policy_behaviour_false_block_rate"},
	{"isolation (detector above the threshold)", "policy_isolation_block_rate", "policy_isolation_false_block_rate"},
}

// PolicyTable is the policy's block rate (anomalous test flows blocked)
// and false-block rate (normal test flows blocked) by rule family, at each
// sweep point: the mean over seeds with its confidence interval.
func (r *Run) PolicyTable() Table {
	index := r.aggregateIndex()
	t := Table{}
	swept := len(r.Manifest.Axes) > 0
	if swept {
		t.Header, t.Numeric = append(t.Header, "sweep point"), append(t.Numeric, false)
	}
	t.Header = append(t.Header, "rules", "anomalous flows blocked", "normal flows blocked")
	t.Numeric = append(t.Numeric, false, true, true)
	for _, p := range r.Points {
		for _, fam := range policyFamilies {
			block := index[aggregateKey{pointKey(p), experiments.PolicyModel, fam[1]}]
			falseBlock := index[aggregateKey{pointKey(p), experiments.PolicyModel, fam[2]}]
			if block == nil && falseBlock == nil {
				continue
			}
			var row []string
			if swept {
				row = append(row, r.PointText(p))
			}
			t.Rows = append(t.Rows, append(row, fam[0], meanCell(block), meanCell(falseBlock)))
		}
	}
	return t
}

// ClusterTable is a policy's behavioural clusters, their centres in the
// flows' own units.
func ClusterTable(c *policy.Clustering) Table {
	t := Table{
		Header:  []string{"cluster", "members", "bytes", "duration (s)", "CPU %", "ports", "radius"},
		Numeric: []bool{false, true, true, true, true, true, true},
	}
	unlog := func(v float64) string { return fmtValue(math.Pow(10, v) - 1) }
	for i, cl := range c.Clusters {
		u := cl.CenterUnits
		t.Rows = append(t.Rows, []string{strconv.Itoa(i), thousands(cl.Members),
			unlog(u[0]), unlog(u[1]), fmtValue(u[2]), unlog(u[3]), fmtValue(cl.Radius)})
	}
	return t
}

// maxRuleRows bounds the allow-list table; policy.json holds every rule.
const maxRuleRows = 200

// RuleTable is a policy's allow-list, at most maxRuleRows rules.
func RuleTable(p *policy.Policy) Table {
	t := Table{
		Header:  []string{"from", "to", "protocols", "max ports", "normal flows"},
		Numeric: []bool{false, false, false, true, true},
	}
	for _, rule := range p.Allow[:min(len(p.Allow), maxRuleRows)] {
		t.Rows = append(t.Rows, []string{rule.From, rule.To, strings.Join(rule.Protocols, ", "),
			strconv.FormatInt(rule.MaxPorts, 10), thousands(rule.Flows)})
	}
	return t
}

// policySection lays out the segmentation policy.
func (r *Run) policySection(t *Trial, on string) section {
	s := section{ID: SectionPolicy, Title: "Segmentation policy"}
	p := t.Policy
	clusters := 0
	if p.Clusters != nil {
		clusters = len(p.Clusters.Clusters)
	}
	s.Intro = append(s.Intro, fmt.Sprintf("The segmentation policy recommended from the normal flows of each trial's training split and evaluated on its test split. The policy of %s (its policy.json): %d segments by %s, %d allow rules, %d behavioural clusters, and isolation of sources the detector scores above %s.",
		on, len(p.Segments), strings.ReplaceAll(p.SegmentsBy, "_", " × "), len(p.Allow), clusters, fmtValue(p.Isolation.Above)))
	if tab := r.PolicyTable(); len(tab.Rows) > 0 {
		s.Tables = append(s.Tables, newTable(tab, "Share of the test split's anomalous and normal flows each rule family blocks (a flow may be blocked by several): mean over seeds with its 95% confidence interval."))
	}
	byType := r.MetricsOf([]string{experiments.PolicyModel}, func(m string) bool { return strings.HasPrefix(m, "policy_block_rate_") })
	if len(byType) > 0 {
		s.Tables = append(s.Tables, newTable(r.AggregateTable([]string{experiments.PolicyModel}, byType), "Anomalous flows blocked, by anomaly type."))
	}
	if p.Clusters != nil {
		s.Tables = append(s.Tables, newTable(ClusterTable(p.Clusters), "Behavioural clusters of "+on+": centres in the flows' units; radius in standard deviations of the standardised behaviour (log bytes, log duration, CPU, log ports)."))
	}
	caption := fmt.Sprintf("Allow rules of %s.", on)
	if len(p.Allow) > maxRuleRows {
		caption = fmt.Sprintf("The first %d of the %d allow rules of %s; policy.json holds them all.", maxRuleRows, len(p.Allow), on)
	}
	s.Tables = append(s.Tables, newTable(RuleTable(p), caption))
	return s
}
