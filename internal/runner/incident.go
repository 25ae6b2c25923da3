package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/scoring"
)

// Risk level codes of the risk_level metric.
var riskCodes = map[string]float64{scoring.RiskLow: 0, scoring.RiskMedium: 1, scoring.RiskHigh: 2}

// runIncident scores the experiment's incident flows through the pipeline
// exported into tdir/model (loaded back from disk, as harness score loads
// it), writes incident.json and returns its metric rows and notes. It
// removes an incident.json an earlier run left when the experiment has no
// incident.
func runIncident(t *experiments.Trial, tdir string, artifacts rundir.Artifacts) ([]measured, []string, error) {
	path := filepath.Join(tdir, rundir.IncidentFile)
	inc := &t.Spec.Incident
	if len(inc.Flows) == 0 {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
		return nil, nil, nil
	}
	m, err := scoring.Load(filepath.Join(tdir, rundir.ModelDir))
	if err != nil {
		return nil, nil, err
	}
	out := &rundir.Incident{Model: rundir.ModelDir, Risk: m.Risk}
	var rows []measured
	var notes []string
	prob := map[string]float64{}
	for _, spec := range inc.Flows {
		f := spec.Flow
		var res scoring.Result
		if err := m.Score(&f, &res); err != nil {
			return nil, nil, fmt.Errorf("incident flow %s: %w", spec.Name, err)
		}
		p, err := m.AttackProbabilities(&f)
		if err != nil {
			return nil, nil, fmt.Errorf("incident flow %s: %w", spec.Name, err)
		}
		r := rundir.IncidentFlow{Name: spec.Name, Flow: f, Result: res,
			Actions: policy.Actions(res.RiskLevel, f.SrcDepartment, f.SrcDeviceType)}
		isAnomaly := 0.0
		if res.IsAnomaly {
			isAnomaly = 1
		}
		rows = append(rows,
			measured{spec.Name, "anomaly_probability", res.AnomalyProbability},
			measured{spec.Name, "is_anomaly", isAnomaly},
			measured{spec.Name, "risk_level", riskCodes[res.RiskLevel]},
			measured{spec.Name, "attack_confidence", res.AttackConfidence},
		)
		for j, class := range m.AttackClasses {
			r.AttackProbabilities = append(r.AttackProbabilities, rundir.ClassProbability{Class: class, Probability: p[j]})
			rows = append(rows, measured{spec.Name, "attack_probability_" + class, p[j]})
		}
		prob[spec.Name] = res.AnomalyProbability
		out.Flows = append(out.Flows, r)
	}
	if len(inc.Compare) == 2 {
		a, b := inc.Compare[0], inc.Compare[1]
		c := &rundir.Comparison{Flow: a, Baseline: b, FlowProbability: prob[a], BaselineProbability: prob[b],
			Difference: prob[a] - prob[b]}
		if prob[b] > 0 {
			ratio := prob[a] / prob[b]
			c.Ratio = &ratio
			rows = append(rows, measured{a, "probability_ratio", ratio})
		} else {
			c.Note = fmt.Sprintf("the ratio is undefined: %s's anomaly probability is 0 (the notebook printed inf x); the difference is %s",
				b, formatProbability(c.Difference))
			notes = append(notes, fmt.Sprintf("incident: %s probability_ratio not measured: %s's anomaly probability is 0", a, b))
		}
		rows = append(rows, measured{a, "probability_difference", c.Difference})
		out.Comparison = c
	}
	if artifacts[rundir.IncidentFile], err = artifact.WriteJSON(path, out); err != nil {
		return nil, nil, err
	}
	return rows, notes, nil
}

func formatProbability(v float64) string { return fmt.Sprintf("%.3f", v) }
