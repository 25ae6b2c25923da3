package kinds

import (
	"context"
	"strings"

	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/models/external"
)

// fitExternal runs the model's program through the segharness-external/1
// protocol (internal/models/external).
func fitExternal(ctx context.Context, t *models.Task) (*models.Result, error) {
	v := t.Params
	threshold, hasThreshold := 0.0, v.Text("threshold") != "none"
	if hasThreshold {
		threshold = v.Float("threshold")
	}
	call := &external.Call{
		Command: v.Strings("command"), Dir: t.BaseDir, Work: t.Dir, Timeout: v.Duration("timeout"), Format: v.Text("format"),
		Experiment: t.Experiment, Trial: t.Trial, Model: t.Model, Role: string(t.Role),
		Seed: t.Seed, Threads: t.Workers, Columns: t.Data.Columns, Classes: t.Data.TypeNames,
		NoDecision: hasThreshold,
	}
	for _, e := range v.Entries("params") {
		call.Params = append(call.Params, external.Param{Key: e.Key, Text: e.Value.Text, Tag: e.Value.Tag})
	}
	labelled := func(r *models.Rows) *external.Part {
		if r == nil {
			return nil
		}
		p := &external.Part{X: r.X, Rows: r.Len(), IsAnomaly: make([]bool, r.Len()), Types: make([]int, r.Len())}
		for k, i := range r.Index {
			p.IsAnomaly[k], p.Types[k] = t.Data.IsAnomaly[i], t.Data.Types[i]
		}
		return p
	}
	switch t.Role {
	case models.Clusterer:
		call.Train = &external.Part{X: t.Data.X, Rows: t.Data.N()}
	default:
		call.Train, call.Validation = labelled(t.Fit), labelled(t.Validation)
		call.Test = &external.Part{X: t.Test.X, Rows: t.Test.Len()}
	}
	t.Logf("model %s: running %s", t.Model, strings.Join(call.Command, " "))
	ans, err := external.Run(ctx, call)
	if err != nil {
		return nil, err
	}
	res := &models.Result{
		Scores: ans.Scores, Decision: ans.Decision, ValidationScores: ans.ValidationScores,
		Proba: ans.Proba, Labels: ans.Labels,
	}
	if t.Role == models.Detector && res.Decision == nil {
		res.Decision = make([]bool, len(res.Scores))
		for i, s := range res.Scores {
			res.Decision[i] = s >= threshold
		}
	}
	return res, nil
}
