package runner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/cluster"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/models"
	_ "github.com/segharness/harness/internal/models/kinds" // the built-in kinds' Fit
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/stage"
)

// measured is one figure of one model.
type measured struct {
	Model, Metric string
	Value         float64
}

// modelOutput is what the model stage of a trial produces.
type modelOutput struct {
	predictions []rundir.Prediction
	metrics     []measured
	importances []rundir.Importance
	curves      []rundir.CurvePoint           // without the trial key, which the runner fills
	rules       strings.Builder               // rules.txt: each forest's first tree, as the notebook's explain_decision_process
	reports     strings.Builder               // classification_report.txt: each supervised model's, as the notebook prints them
	notes       []string                      // caveats for the log, e.g. a silhouette left undefined
	forests     map[string]*forest.Forest     // the fitted random forests by model name, for monitoring
	classifiers map[string]scoring.Classifier // the fitted classifiers an exported model can hold, by model name
}

// trialData is a trial's prepared data: the scaled matrix of every flow and
// the rows of each side of the split.
type trialData struct {
	ds       *datasets.Dataset
	pipeline *features.Pipeline // fitted encoders and scaler, for the exported scoring pipeline
	// x is every flow's features: row i is flow i until partition, which
	// reorders the rows in place into the training rows (in train's order)
	// then the test rows (in test's order), so that the models' training
	// and test rows are views of x rather than copies (parted says which).
	x           *features.Matrix
	parted      bool
	original    []float64 // x in flow order once parted, made for a clusterer
	train, test []int
	split       []datasets.Split // every row's side
	isAnomaly   []bool
	typeCodes   []int    // anomaly_type as LabelEncoder codes
	typeNames   []string // the encoder's classes, sorted
	// unseen marks the test rows whose label never occurs in training
	// (a table source with separate test files); nil otherwise.
	unseen []bool
}

// prepare fits the feature pipeline (scaler on the rows spec asks for) and
// builds the matrix the models see.
func prepare(t *experiments.Trial, ds *datasets.Dataset) (*trialData, error) {
	td := &trialData{ds: ds, isAnomaly: ds.Flows.IsAnomaly, split: ds.Split}
	td.divide()
	p, err := features.Fit(ds.Flows, ds.Engineered, t.Spec.Features, td.scaleRows(t))
	if err != nil {
		return nil, err
	}
	td.pipeline = p
	if td.x, err = p.Transform(ds.Flows, ds.Engineered); err != nil {
		return nil, err
	}
	enc := features.FitLabelEncoder(&ds.Flows.AnomalyType, nil)
	td.typeNames = enc.Classes
	codes := make([]int, len(ds.Flows.AnomalyType.Levels))
	for l, level := range ds.Flows.AnomalyType.Levels {
		codes[l], _ = enc.Encode(level) // a level absent from every flow is never looked up
	}
	td.typeCodes = make([]int, ds.Flows.Len())
	for i, l := range ds.Flows.AnomalyType.Codes {
		td.typeCodes[i] = codes[l]
	}
	return td, nil
}

// divide lists the rows of each side of the split.
func (td *trialData) divide() {
	nTest := 0
	for _, s := range td.split {
		if s != datasets.Train {
			nTest++
		}
	}
	td.train = make([]int, 0, len(td.split)-nTest)
	td.test = make([]int, 0, nTest)
	for i, s := range td.split {
		if s == datasets.Train {
			td.train = append(td.train, i)
		} else {
			td.test = append(td.test, i)
		}
	}
}

// scaleRows returns the rows the scaler is fitted on: the training rows,
// or nil (every row) as split.scale_on says.
func (td *trialData) scaleRows(t *experiments.Trial) []int {
	if t.Spec.Split.ScaleOn == experiments.ScaleOnTrain {
		return td.train
	}
	return nil
}

// testByType counts the test split's anomalies of each anomaly type, as
// detectionByType counts its denominators (types without one left out).
func (td *trialData) testByType() map[string]int {
	counts := map[string]int{}
	for _, i := range td.test {
		if td.isAnomaly[i] {
			counts[td.anomalyType(i)]++
		}
	}
	return counts
}

// anomalyType returns row i's anomaly type (normal for normal rows).
func (td *trialData) anomalyType(i int) string { return td.typeNames[td.typeCodes[i]] }

// part is a set of rows and their features, row-major.
type part struct {
	rows []int
	x    []float64
}

// part returns the rows' features: for the training or the test rows a
// view of the partitioned matrix, for other rows (an operating point's
// fit and validation slices) a copy.
func (td *trialData) part(rows []int) *part {
	td.partition()
	d, nTrain := td.x.D, len(td.train)
	switch {
	case sameRows(rows, td.train):
		return &part{rows, td.x.Data[: nTrain*d : nTrain*d]}
	case sameRows(rows, td.test):
		return &part{rows, td.x.Data[nTrain*d:]}
	}
	return &part{rows, td.rows(rows)}
}

// sameRows says whether a and b are the same list (the same backing array
// and length): the trial's own train or test list.
func sameRows(a, b []int) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// partition reorders x's rows in place into the training rows then the
// test rows (split.divide's lists, each in order), following each cycle of
// the permutation with one row of scratch: no second matrix. It does
// nothing once done.
func (td *trialData) partition() {
	if td.parted {
		return
	}
	td.parted = true
	d := td.x.D
	src := slices.Concat(td.train, td.test) // src[p]: the flow whose row goes to position p
	done := make([]bool, len(src))
	tmp := make([]float64, d)
	row := func(i int) []float64 { return td.x.Data[i*d : (i+1)*d] }
	for p := range src {
		if done[p] || src[p] == p {
			continue
		}
		copy(tmp, row(p))
		q := p
		for {
			done[q] = true
			s := src[q]
			if s == p {
				copy(row(q), tmp)
				break
			}
			copy(row(q), row(s))
			q = s
		}
	}
}

// position returns each flow's row in x (the identity until partition).
func (td *trialData) position() []int {
	pos := make([]int, td.x.N)
	if !td.parted {
		for i := range pos {
			pos[i] = i
		}
		return pos
	}
	for k, i := range td.train {
		pos[i] = k
	}
	for k, i := range td.test {
		pos[i] = len(td.train) + k
	}
	return pos
}

// flowOrder returns every flow's features in flow order: x itself until
// partition, then a copy made once.
func (td *trialData) flowOrder() []float64 {
	if !td.parted {
		return td.x.Data
	}
	if td.original == nil {
		td.original = td.rows(nil)
	}
	return td.original
}

// models returns the part as a model's task takes it (nil for nil).
func (p *part) models() *models.Rows {
	if p == nil {
		return nil
	}
	return &models.Rows{Index: p.rows, X: p.x}
}

// modelData returns the trial's data as a model of role sees it: every
// flow's features for a clusterer, none for the others (they read their
// Fit, Validation and Test rows).
func (td *trialData) modelData(role models.Role) *models.Data {
	data := &models.Data{Columns: td.x.Names, IsAnomaly: td.isAnomaly, Types: td.typeCodes, TypeNames: td.typeNames}
	if role == models.Clusterer {
		data.X = td.flowOrder()
	}
	return data
}

// actual returns whether each row of p is an anomaly.
func (td *trialData) actual(p *part) []bool {
	a := make([]bool, len(p.rows))
	for k, i := range p.rows {
		a[k] = td.isAnomaly[i]
	}
	return a
}

// validationSplit holds out fraction of the training rows, stratified on
// is_anomaly as the test split is (scikit-learn's algorithm).
func (td *trialData) validationSplit(fraction float64, r *rand.Rand) (fitRows, valRows []int, err error) {
	labels := make([]int, len(td.train))
	for k, i := range td.train {
		if td.isAnomaly[i] {
			labels[k] = 1
		}
	}
	sides, err := features.TrainTestSplit(len(td.train), labels, fraction, r)
	if err != nil {
		return nil, nil, err
	}
	for k, side := range sides {
		if side == datasets.Test {
			valRows = append(valRows, td.train[k])
		} else {
			fitRows = append(fitRows, td.train[k])
		}
	}
	return fitRows, valRows, nil
}

// rows gathers the listed flows' rows of the matrix (every flow for nil),
// row-major.
func (td *trialData) rows(idx []int) []float64 {
	pos := td.position()
	if idx == nil {
		idx = make([]int, td.x.N)
		for i := range idx {
			idx[i] = i
		}
	}
	out := make([]float64, 0, len(idx)*td.x.D)
	for _, i := range idx {
		out = append(out, td.x.Row(pos[i])...)
	}
	return out
}

// modelEnv is what the model stage needs beyond the trial and its data.
type modelEnv struct {
	ctx        context.Context
	experiment string
	workers    int
	dir        string // the trial's directory, for a model's working files
	baseDir    string // the experiment file's directory
	logf       func(format string, args ...any)
}

// runModels fits and scores every model of the trial in the order of the
// experiment file, each through its kind in the registry
// (internal/models), and measures it as its role says. Each model's
// randomness comes from its own stream, derived from the trial's seed and
// the model's name, so adding a model does not change the others' results.
func runModels(t *experiments.Trial, td *trialData, env modelEnv) (*modelOutput, error) {
	if env.ctx == nil {
		env.ctx = context.Background()
	}
	out := &modelOutput{}
	// The predictions table, made after the first fit (not beside it): a
	// row per test row of each detector and typer, per row of each
	// clusterer.
	rows := 0
	for _, m := range t.Spec.Models {
		if kind := models.Lookup(m.Kind); kind != nil {
			if kind.Role(m.Params) == models.Clusterer {
				rows += td.x.N
			} else {
				rows += len(td.test)
			}
		}
	}
	// Row sets, gathered once and shared by the supervised models. With an
	// operating point, detectors fit on the training rows minus a
	// validation slice, which chooses their budget threshold.
	var train, fit, val, test *part
	op := t.Spec.Operating
	for _, m := range t.Spec.Models {
		kind := models.Lookup(m.Kind)
		if kind == nil {
			return nil, fmt.Errorf("model %s: unknown model kind %q", m.Name, m.Kind)
		}
		if kind.Fit == nil {
			return nil, fmt.Errorf("model %s: kind %s has no fit linked into this program", m.Name, m.Kind)
		}
		modelSeed := seed.Derive(t.DerivedSeed, "model/"+m.Name)
		task := &models.Task{
			Experiment: env.experiment, Trial: t.ID, Model: m.Name, Kind: kind, Params: m.Params, Role: kind.Role(m.Params),
			Workers: env.workers, Rand: seed.New(modelSeed), Seed: modelSeed,
			Dir: env.dir, BaseDir: env.baseDir, Log: env.logf,
		}
		task.Data = td.modelData(task.Role)
		if task.Role == models.Detector || task.Role == models.Typer {
			if test == nil {
				test = td.part(td.test)
				if op.FPRBudget > 0 {
					fitRows, valRows, err := td.validationSplit(op.ValidationFraction, seed.New(seed.Derive(t.DerivedSeed, "validation")))
					if err != nil {
						return nil, fmt.Errorf("operating point: %w", err)
					}
					fit, val = td.part(fitRows), td.part(valRows)
				} else {
					fit = td.part(td.train)
				}
			}
			task.Test = test.models()
			if task.Role == models.Detector {
				task.Fit, task.Validation = fit.models(), val.models()
			} else {
				// Attack typing has no operating point: it trains on every
				// training row.
				if train == nil {
					train = fit
					if val != nil {
						train = td.part(td.train)
					}
				}
				task.Fit = train.models()
				if len(td.typeNames) < 2 {
					return nil, fmt.Errorf("model %s: typing attacks needs at least two anomaly types in the data, found %s", m.Name, strings.Join(td.typeNames, ", "))
				}
			}
		}
		var (
			res *models.Result
			err error
		)
		stage.Do("model "+m.Name, func() { res, err = kind.Fit(env.ctx, task) })
		collect(td.bytes()) // the fit's working data
		if err == nil {
			err = checkResult(task, res)
		}
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
		if out.predictions == nil {
			out.predictions = make([]rundir.Prediction, 0, rows)
		}
		stage.Do("metrics", func() { err = out.record(t, td, task, res, val, op.FPRBudget, env.workers) })
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
	}
	return out, nil
}

// checkResult checks that a kind answered what its role asks, for each row
// it was given: a broken kind is an error here, not a panic or a wrong
// figure later.
func checkResult(t *models.Task, res *models.Result) error {
	if res == nil {
		return fmt.Errorf("kind %s answered nothing", t.Kind.Name)
	}
	check := func(what string, got, want int) error {
		if got != want {
			return fmt.Errorf("kind %s answered %d %s for %d rows", t.Kind.Name, got, what, want)
		}
		return nil
	}
	if res.Importances != nil && len(res.Importances) != t.Data.D() {
		return fmt.Errorf("kind %s answered %d importances for %d features", t.Kind.Name, len(res.Importances), t.Data.D())
	}
	// A score that is NaN has no rank: the metrics (internal/eval) cannot
	// order it.
	notANumber := func(what string, values []float64) error {
		for k, v := range values {
			if math.IsNaN(v) {
				return fmt.Errorf("kind %s answered NaN as the %s of row %d", t.Kind.Name, what, k+1)
			}
		}
		return nil
	}
	switch t.Role {
	case models.Detector:
		if err := check("scores", len(res.Scores), t.Test.Len()); err != nil {
			return err
		}
		if err := check("decisions", len(res.Decision), t.Test.Len()); err != nil {
			return err
		}
		if err := notANumber("score", res.Scores); err != nil {
			return err
		}
		if t.Validation != nil {
			if err := check("validation scores", len(res.ValidationScores), t.Validation.Len()); err != nil {
				return err
			}
			return notANumber("validation score", res.ValidationScores)
		}
	case models.Typer:
		if err := check("class probabilities", len(res.Proba), t.Test.Len()*len(t.Data.TypeNames)); err != nil {
			return err
		}
		return notANumber("class probability", res.Proba)
	case models.Clusterer:
		if err := check("cluster labels", len(res.Labels), t.Data.N()); err != nil {
			return err
		}
		for k, l := range res.Labels {
			if l < cluster.Noise {
				return fmt.Errorf("kind %s answered the cluster label %d for row %d (want %d for noise or a cluster 0, 1, ...)", t.Kind.Name, l, k+1, cluster.Noise)
			}
		}
	}
	return nil
}

// record measures a fitted model's answers as its role says: a detector's
// detection metrics, curves and operating point, a typer's accuracy and F1
// scores, a clusterer's clusters and silhouette; and keeps what its kind
// made besides (notes, rules, importances, its own figures, the fitted
// forest).
func (o *modelOutput) record(t *experiments.Trial, td *trialData, task *models.Task, res *models.Result, val *part, budget float64, workers int) error {
	name := task.Model
	for _, n := range res.Notes {
		o.notes = append(o.notes, name+": "+n)
	}
	if f, ok := res.Fitted.(*forest.Forest); ok {
		if o.forests == nil {
			o.forests = map[string]*forest.Forest{}
		}
		o.forests[name] = f
	}
	if c, ok := res.Fitted.(scoring.Classifier); ok {
		if o.classifiers == nil {
			o.classifiers = map[string]scoring.Classifier{}
		}
		o.classifiers[name] = c
	}
	o.rules.WriteString(res.Rules)
	if res.Importances != nil {
		for rank, j := range eval.TopK(res.Importances, td.x.D) {
			o.importances = append(o.importances, rundir.Importance{
				Model: name, Feature: td.x.Names[j], Importance: res.Importances[j], Rank: int64(rank + 1),
			})
		}
	}
	for _, f := range res.Metrics {
		o.add(name, f.Metric, f.Value)
	}
	switch task.Role {
	case models.Detector:
		return o.detector(name, td, res.Scores, res.Decision, val, res.ValidationScores, budget)
	case models.Typer:
		o.typer(name, td, res.Proba)
	case models.Clusterer:
		sample := 0
		if task.Kind.Param(models.SilhouetteSampleParam.Key) != nil {
			sample = task.Params.Int(models.SilhouetteSampleParam.Key)
		}
		o.clusters(name, td, res.Labels, sample, workers, seed.New(seed.Derive(t.DerivedSeed, "silhouette/"+name)))
	}
	return nil
}

func (o *modelOutput) add(model, metric string, v float64) {
	o.metrics = append(o.metrics, measured{model, metric, v})
}

// detector records a detector's predictions and its detection metrics.
// scores are higher for more anomalous flows; flagged is its decision.
// With validation scores and a budget, it also measures the operating
// point: the threshold chosen on the validation rows, applied to the test
// rows.
func (o *modelOutput) detector(name string, td *trialData, scores []float64, flagged []bool, val *part, valScores []float64, budget float64) error {
	actual := make([]bool, len(td.test))
	actualLabels := [2]*string{labelPtr(detectorLabels[0]), labelPtr(detectorLabels[1])} // shared by the rows
	for k, i := range td.test {
		actual[k] = td.isAnomaly[i]
		a := 0
		if actual[k] {
			a = 1
		}
		o.predictions = append(o.predictions, rundir.Prediction{
			Model: name, FlowID: int64(i), Split: datasets.Test.String(),
			Score: &scores[k], Predicted: detectorLabel(flagged[k]), Actual: actualLabels[a],
			AnomalyType: td.anomalyType(i),
		})
	}
	c := eval.Confusion(actual, flagged)
	o.report(name, "normal (0) / anomaly (1) on the test split, at the model's own decision",
		eval.Matrix{Classes: []string{"0", "1"}, Counts: [][]int{{c.TN, c.FP}, {c.FN, c.TP}}})
	o.add(name, "detection_rate", c.DetectionRate())
	o.add(name, "false_positive_rate", c.FalsePositiveRate())
	o.add(name, "precision", c.Precision())
	o.add(name, "recall", c.DetectionRate()) // the same figure under scikit-learn's name
	o.add(name, "f1", c.F1())
	o.add(name, "accuracy", c.Accuracy())
	o.detectionByType(name, td, flagged)
	if val != nil {
		threshold, err := eval.ThresholdForFPR(valScores, td.actual(val), budget)
		if err != nil {
			o.notes = append(o.notes, fmt.Sprintf("%s: operating point not measured: %v", name, err))
		} else {
			c := eval.AtThreshold(scores, actual, threshold)
			o.add(name, "budget_detection_rate", c.DetectionRate())
			o.add(name, "budget_false_positive_rate", c.FalsePositiveRate())
			o.add(name, "budget_threshold", threshold)
		}
	}
	roc, err := eval.ROC(scores, actual)
	if err != nil {
		o.notes = append(o.notes, fmt.Sprintf("%s: roc_auc not measured: the test split holds one class", name))
		return nil
	}
	o.add(name, "roc_auc", roc.AUC())
	o.curves = slices.Grow(o.curves, 2*len(roc.FPR)) // the PR curve has about as many points
	for i := range roc.FPR {
		o.curves = append(o.curves, rundir.CurvePoint{
			Model: name, Curve: "roc", Threshold: roc.Thresholds[i], X: roc.FPR[i], Y: roc.TPR[i],
		})
	}
	// ROC needs both classes, so the PR curve and AP are defined here.
	pr, err := eval.PR(scores, actual)
	if err != nil {
		return err
	}
	ap, err := eval.AveragePrecision(scores, actual)
	if err != nil {
		return err
	}
	o.add(name, "pr_auc", ap)
	o.curves = slices.Grow(o.curves, len(pr.Precision))
	for i := range pr.Precision {
		// scikit-learn's last point (precision 1, recall 0) has no threshold.
		t := math.Inf(1)
		if i < len(pr.Thresholds) {
			t = pr.Thresholds[i]
		}
		o.curves = append(o.curves, rundir.CurvePoint{
			Model: name, Curve: "pr", Threshold: t, X: pr.Recall[i], Y: pr.Precision[i],
		})
	}
	return nil
}

// report adds a model's confusion matrix and classification report (the
// notebook prints both) to classification_report.txt.
func (o *modelOutput) report(model, what string, cm eval.Matrix) {
	fmt.Fprintf(&o.reports, "# %s: %s\n\nconfusion matrix (rows true, columns predicted; %s):\n",
		model, what, strings.Join(cm.Classes, ", "))
	for _, row := range cm.Counts {
		for j, n := range row {
			if j > 0 {
				o.reports.WriteByte(' ')
			}
			fmt.Fprintf(&o.reports, "%6d", n)
		}
		o.reports.WriteByte('\n')
	}
	fmt.Fprintf(&o.reports, "\n%s\n", cm.ClassificationReport())
}

// detectionByType records detection_rate_<type>: the share of the test
// split's flows of each anomaly type that the detector flagged, for every
// type present in the test split (types in the encoder's sorted order).
func (o *modelOutput) detectionByType(name string, td *trialData, flagged []bool) {
	detected := make([]int, len(td.typeNames))
	total := make([]int, len(td.typeNames))
	for k, i := range td.test {
		if !td.isAnomaly[i] {
			continue
		}
		c := td.typeCodes[i]
		total[c]++
		if flagged[k] {
			detected[c]++
		}
	}
	for c, typ := range td.typeNames {
		if total[c] > 0 {
			o.add(name, "detection_rate_"+typ, float64(detected[c])/float64(total[c]))
		}
	}
	if td.unseen == nil {
		return
	}
	// Attacks of labels seen in training against those never seen.
	var hit, all [2]int
	for k, i := range td.test {
		if !td.isAnomaly[i] {
			continue
		}
		g := 0
		if td.unseen[i] {
			g = 1
		}
		all[g]++
		if flagged[k] {
			hit[g]++
		}
	}
	for g, metric := range []string{"detection_rate_seen_attacks", "detection_rate_unseen_attacks"} {
		if all[g] > 0 {
			o.add(name, metric, float64(hit[g])/float64(all[g]))
		}
	}
}

var detectorLabels = [2]string{flow.LabelNormal, flow.LabelAnomaly}

func detectorLabel(anomaly bool) string {
	if anomaly {
		return detectorLabels[1]
	}
	return detectorLabels[0]
}

// labelPtr returns a pointer to a copy of s (Prediction.Actual is nullable).
func labelPtr(s string) *string { return &s }

// typer records an attack-type classifier's predictions (the most
// likely class, first on ties) and its accuracy, F1 scores and
// classification report.
func (o *modelOutput) typer(name string, td *trialData, proba []float64) {
	classes := len(td.typeNames)
	actual := make([]int, len(td.test))
	predicted := make([]int, len(td.test))
	actualLabels := make([]*string, classes) // shared by the rows
	for c, n := range td.typeNames {
		actualLabels[c] = labelPtr(n)
	}
	for k, i := range td.test {
		p := proba[classes*k : classes*(k+1)]
		predicted[k], actual[k] = forest.Argmax(p), td.typeCodes[i]
		o.predictions = append(o.predictions, rundir.Prediction{
			Model: name, FlowID: int64(i), Split: datasets.Test.String(),
			Score: &p[predicted[k]], Predicted: td.typeNames[predicted[k]], Actual: actualLabels[actual[k]],
			AnomalyType: td.anomalyType(i),
		})
	}
	o.add(name, "accuracy", eval.Accuracy(actual, predicted))
	cm := eval.ConfusionMatrix(actual, predicted, td.typeNames)
	o.report(name, "attack type on the test split", cm)
	o.add(name, "macro_f1", cm.MacroF1())
	o.add(name, "weighted_f1", cm.WeightedF1())
}

// clusters measures a grouping of every flow (the notebook clusters the
// whole scaled matrix): its clusters, noise and silhouette on sample rows
// (0: all of them).
func (o *modelOutput) clusters(name string, td *trialData, labels []int, sample, workers int, sampling *rand.Rand) {
	x, d := td.flowOrder(), td.x.D
	clusters, noise := cluster.Count(labels)
	o.add(name, "n_clusters", float64(clusters))
	o.add(name, "noise_fraction", float64(noise)/float64(len(labels)))
	if sample == 0 {
		sample = len(labels)
	}
	var (
		score float64
		used  int
		err   error
	)
	stage.Do("silhouette", func() { score, used, err = cluster.SilhouetteSample(x, d, labels, sample, sampling, workers) })
	switch {
	case err != nil && clusters == 0:
		// Undefined with one label: not measured rather than faked (the
		// notebook printed -1).
		o.notes = append(o.notes, fmt.Sprintf("%s: silhouette not measured: every flow is noise", name))
	case err != nil:
		o.notes = append(o.notes, fmt.Sprintf("%s: silhouette not measured: %v", name, err))
	default:
		o.add(name, "silhouette", score)
		o.add(name, "silhouette_sample_size", float64(used))
	}
	for i, l := range labels {
		o.predictions = append(o.predictions, rundir.Prediction{
			Model: name, FlowID: int64(i), Split: td.split[i].String(),
			Predicted: strconv.Itoa(l), AnomalyType: td.anomalyType(i),
		})
	}
}
