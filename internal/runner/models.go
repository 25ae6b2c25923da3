package runner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/ml/cluster"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/ml/iforest"
	"github.com/segharness/harness/internal/seed"
)

// measured is one figure of one model.
type measured struct {
	Model, Metric string
	Value         float64
}

// modelOutput is what the model stage of a trial produces.
type modelOutput struct {
	predictions []datasets.Prediction
	metrics     []measured
	importances []datasets.Importance
	curves      []datasets.CurvePoint     // without the trial key, which the runner fills
	rules       strings.Builder           // rules.txt: each forest's first tree, as the notebook's explain_decision_process
	reports     strings.Builder           // classification_report.txt: each supervised model's, as the notebook prints them
	notes       []string                  // caveats for the log, e.g. a silhouette left undefined
	forests     map[string]*forest.Forest // the fitted random forests by model name, for export
}

// trialData is a trial's prepared data: the scaled matrix of every flow and
// the rows of each side of the split.
type trialData struct {
	ds          *datasets.Dataset
	pipeline    *features.Pipeline // fitted encoders and scaler, for the exported scoring pipeline
	x           *features.Matrix
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

// anomalyType returns row i's anomaly type (normal for normal rows).
func (td *trialData) anomalyType(i int) string { return td.typeNames[td.typeCodes[i]] }

// part is a set of rows and their features, row-major.
type part struct {
	rows []int
	x    []float64
}

func (td *trialData) part(rows []int) *part { return &part{rows, td.rows(rows)} }

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

// rows gathers the listed rows of the matrix, row-major.
func (td *trialData) rows(idx []int) []float64 {
	d := td.x.D
	out := make([]float64, 0, len(idx)*d)
	for _, i := range idx {
		out = append(out, td.x.Row(i)...)
	}
	return out
}

// runModels fits and scores every model of the trial in the order of the
// experiment file. Each model's randomness comes from its own stream,
// derived from the trial's seed and the model's name, so adding a model
// does not change the others' results.
func runModels(t *experiments.Trial, td *trialData, workers int) (*modelOutput, error) {
	out := &modelOutput{}
	// Row sets, gathered once and shared by the supervised models. With an
	// operating point, detectors fit on the training rows minus a
	// validation slice, which chooses their budget threshold.
	var train, fit, val, test *part
	op := t.Spec.Operating
	for _, m := range t.Spec.Models {
		r := seed.New(seed.Derive(t.DerivedSeed, "model/"+m.Name))
		var err error
		switch m.Kind {
		case experiments.KindRandomForest, experiments.KindIsolationForest:
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
			switch {
			case m.Kind == experiments.KindIsolationForest:
				err = out.isolationForest(m, td, fit, val, test, op.FPRBudget, workers, r)
			case m.Target == experiments.TargetAnomalyType:
				// Attack typing has no operating point: it trains on every
				// training row.
				if train == nil {
					train = fit
					if val != nil {
						train = td.part(td.train)
					}
				}
				err = out.randomForest(m, td, train, nil, test, 0, workers, r)
			default:
				err = out.randomForest(m, td, fit, val, test, op.FPRBudget, workers, r)
			}
		case experiments.KindKMeans, experiments.KindDBSCAN:
			err = out.clustering(m, td, workers, r, seed.New(seed.Derive(t.DerivedSeed, "silhouette/"+m.Name)))
		default:
			err = fmt.Errorf("unknown model kind %q", m.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
	}
	return out, nil
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
	for k, i := range td.test {
		actual[k] = td.isAnomaly[i]
		o.predictions = append(o.predictions, datasets.Prediction{
			Model: name, FlowID: int64(i), Split: datasets.Test.String(),
			Score: &scores[k], Predicted: detectorLabel(flagged[k]), Actual: labelPtr(detectorLabel(actual[k])),
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
	for i := range roc.FPR {
		o.curves = append(o.curves, datasets.CurvePoint{
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
	for i := range pr.Precision {
		// scikit-learn's last point (precision 1, recall 0) has no threshold.
		t := math.Inf(1)
		if i < len(pr.Thresholds) {
			t = pr.Thresholds[i]
		}
		o.curves = append(o.curves, datasets.CurvePoint{
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

// rulesDepth is the depth of the exported rules: explain_decision_process
// prints export_text(estimators_[0], max_depth=3).
const rulesDepth = 3

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

var detectorLabels = [2]string{datasets.LabelNormal, datasets.LabelAnomaly}

func detectorLabel(anomaly bool) string {
	if anomaly {
		return detectorLabels[1]
	}
	return detectorLabels[0]
}

// labelPtr returns a pointer to a copy of s (Prediction.Actual is nullable).
func labelPtr(s string) *string { return &s }

func forestConfig(m experiments.Model, d, workers int) (forest.Config, error) {
	k, err := forest.MaxFeaturesFor(m.MaxFeatures, d)
	if err != nil {
		return forest.Config{}, err
	}
	return forest.Config{
		Trees:           m.Trees,
		MaxFeatures:     k,
		MaxDepth:        m.MaxDepth,
		MinSamplesSplit: m.MinSamplesSplit,
		MinSamplesLeaf:  m.MinSamplesLeaf,
		ClassWeight:     m.ClassWeight,
		Bootstrap:       m.Bootstrap,
		Workers:         workers,
	}, nil
}

// randomForest fits a forest on the training rows: a detector on
// is_anomaly, or an attack-type classifier on anomaly_type.
func (o *modelOutput) randomForest(m experiments.Model, td *trialData, fit, val, test *part, budget float64, workers int, r *rand.Rand) error {
	cfg, err := forestConfig(m, td.x.D, workers)
	if err != nil {
		return err
	}
	typing := m.Target == experiments.TargetAnomalyType
	classes := 2
	label := func(i int) int {
		if td.isAnomaly[i] {
			return 1
		}
		return 0
	}
	if typing {
		classes = len(td.typeNames)
		label = func(i int) int { return td.typeCodes[i] }
		if classes < 2 {
			return fmt.Errorf("typing attacks needs at least two anomaly types in the data, found %s", strings.Join(td.typeNames, ", "))
		}
	}
	y := make([]int, len(fit.rows))
	for k, i := range fit.rows {
		y[k] = label(i)
	}
	f := forest.Fit(fit.x, td.x.D, y, classes, cfg, r)
	if o.forests == nil {
		o.forests = map[string]*forest.Forest{}
	}
	o.forests[m.Name] = f
	proba := f.PredictProbaAll(test.x, workers)
	classNames := detectorLabels[:]
	if typing {
		classNames = td.typeNames
	}
	fmt.Fprintf(&o.rules, "# %s: tree 1 of %d, to depth %d (scikit-learn's export_text); thresholds are on standardised features\n%s\n",
		m.Name, cfg.Trees, rulesDepth, forest.ExportText(f.Trees()[0], td.x.Names, classNames, rulesDepth))
	importances := f.Importances()
	for rank, j := range eval.TopK(importances, td.x.D) {
		o.importances = append(o.importances, datasets.Importance{
			Model: m.Name, Feature: td.x.Names[j], Importance: importances[j], Rank: int64(rank + 1),
		})
	}
	if !typing {
		scores := make([]float64, len(td.test))
		flagged := make([]bool, len(td.test))
		for k := range scores {
			scores[k] = proba[2*k+1]
			flagged[k] = forest.Argmax(proba[2*k:2*k+2]) == 1
		}
		var valScores []float64
		if val != nil {
			p := f.PredictProbaAll(val.x, workers)
			valScores = make([]float64, len(val.rows))
			for k := range valScores {
				valScores[k] = p[2*k+1]
			}
		}
		return o.detector(m.Name, td, scores, flagged, val, valScores, budget)
	}
	actual := make([]int, len(td.test))
	predicted := make([]int, len(td.test))
	for k, i := range td.test {
		p := proba[classes*k : classes*(k+1)]
		predicted[k], actual[k] = forest.Argmax(p), td.typeCodes[i]
		o.predictions = append(o.predictions, datasets.Prediction{
			Model: m.Name, FlowID: int64(i), Split: datasets.Test.String(),
			Score: &p[predicted[k]], Predicted: td.typeNames[predicted[k]], Actual: labelPtr(td.typeNames[actual[k]]),
			AnomalyType: td.anomalyType(i),
		})
	}
	o.add(m.Name, "accuracy", eval.Accuracy(actual, predicted))
	cm := eval.ConfusionMatrix(actual, predicted, td.typeNames)
	o.report(m.Name, "attack type on the test split", cm)
	o.add(m.Name, "macro_f1", cm.MacroF1())
	o.add(m.Name, "weighted_f1", cm.WeightedF1())
	return nil
}

// isolationForest fits on the training rows without labels, as the
// notebook does, and flags test flows where the decision function is
// negative.
func (o *modelOutput) isolationForest(m experiments.Model, td *trialData, fit, val, test *part, budget float64, workers int, r *rand.Rand) error {
	f := iforest.Fit(fit.x, td.x.D, iforest.Config{
		Trees: m.Trees, MaxSamples: m.MaxSamples, Contamination: m.Contamination, Workers: workers,
	}, r)
	for _, w := range f.Warnings() {
		o.notes = append(o.notes, fmt.Sprintf("%s: %v", m.Name, w))
	}
	samples := f.ScoreSamples(test.x, workers)
	scores := make([]float64, len(samples))
	flagged := make([]bool, len(samples))
	for k, s := range samples {
		scores[k] = -s // the anomaly score 2^(-E/c): higher is more anomalous
		flagged[k] = s-f.Offset() < 0
	}
	var valScores []float64
	if val != nil {
		valScores = f.ScoreSamples(val.x, workers)
		for k, v := range valScores {
			valScores[k] = -v
		}
	}
	return o.detector(m.Name, td, scores, flagged, val, valScores, budget)
}

// clustering groups every flow (the notebook clusters the whole scaled
// matrix) and measures the grouping.
func (o *modelOutput) clustering(m experiments.Model, td *trialData, workers int, r, sampling *rand.Rand) error {
	x, d := td.x.Data, td.x.D
	var labels []int
	switch m.Kind {
	case experiments.KindKMeans:
		if m.K > td.x.N {
			return fmt.Errorf("k = %d clusters for %d flows", m.K, td.x.N)
		}
		res := cluster.KMeans(x, d, cluster.KMeansConfig{
			K: m.K, NInit: m.NInit, MaxIter: m.MaxIter, Tol: m.Tol, Workers: workers,
		}, r)
		labels = res.Labels
		o.add(m.Name, "inertia", res.Inertia)
	case experiments.KindDBSCAN:
		labels = cluster.DBSCAN(x, d, cluster.DBSCANConfig{Eps: m.Eps, MinSamples: m.MinSamples, Workers: workers})
	}
	clusters, noise := cluster.Count(labels)
	o.add(m.Name, "n_clusters", float64(clusters))
	o.add(m.Name, "noise_fraction", float64(noise)/float64(len(labels)))
	sample := m.SilhouetteSample
	if sample == 0 {
		sample = len(labels)
	}
	score, used, err := cluster.SilhouetteSample(x, d, labels, sample, sampling, workers)
	switch {
	case err != nil && clusters == 0:
		// Undefined with one label: not measured rather than faked (the
		// notebook printed -1).
		o.notes = append(o.notes, fmt.Sprintf("%s: silhouette not measured: every flow is noise", m.Name))
	case err != nil:
		o.notes = append(o.notes, fmt.Sprintf("%s: silhouette not measured: %v", m.Name, err))
	default:
		o.add(m.Name, "silhouette", score)
		o.add(m.Name, "silhouette_sample_size", float64(used))
	}
	for i, l := range labels {
		o.predictions = append(o.predictions, datasets.Prediction{
			Model: m.Name, FlowID: int64(i), Split: td.split[i].String(),
			Predicted: strconv.Itoa(l), AnomalyType: td.anomalyType(i),
		})
	}
	return nil
}
