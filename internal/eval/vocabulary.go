package eval

import (
	"slices"
	"strings"

	"github.com/segharness/harness/internal/eval/stats"
)

// Direction says which way a metric improves.
type Direction int

// Directions.
const (
	NoDirection    Direction = iota // neither: a count, a threshold, a size
	HigherIsBetter                  // a rate of detection, an area under a curve
	LowerIsBetter                   // a false-positive rate, a response time
)

// String returns "higher", "lower" or "" (the words of a regression rule's
// better key).
func (d Direction) String() string {
	switch d {
	case HigherIsBetter:
		return "higher"
	case LowerIsBetter:
		return "lower"
	}
	return ""
}

// MetricInfo describes one metric of the tidy metrics table: what it
// measures, the range of its values when bounded, and its direction of
// improvement. The report reads the range (bands stop at its ends) and the
// label; the gate reads the direction as a regression rule's default
// better.
type MetricInfo struct {
	Name    string
	Doc     string
	Label   string // axis label; "" means the name
	Lo, Hi  float64
	Bounded bool // Lo and Hi are the metric's range
	Better  Direction
}

// AxisLabel returns the label of the metric's axis in figures.
func (m MetricInfo) AxisLabel() string {
	if m.Label != "" {
		return m.Label
	}
	return m.Name
}

// vocabulary lists the metrics the harness measures. A name ending in "_"
// is a family: detection_rate_ matches detection_rate_crypto_mining. The
// prefix budget_ (a detector's figures at its operating point) is handled
// by Metric.
var vocabulary = []MetricInfo{
	// Detectors, on the test split, at the model's own decision.
	{Name: "detection_rate", Doc: "the recall of the anomaly class", Label: "Detection rate (fraction of anomalies)", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "detection_rate_", Doc: "the detection rate among the flows of one anomaly type, or among attacks seen or unseen in training", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "false_positive_rate", Doc: "the share of normal flows flagged", Label: "False positive rate (fraction of normal)", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "false_positive_rate_", Doc: "the false-positive rate of a subset", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "precision", Doc: "the share of flagged flows that are anomalies", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "recall", Doc: "the detection rate under scikit-learn's name", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "f1", Doc: "the harmonic mean of precision and recall", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "accuracy", Doc: "the share of flows classified correctly", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "roc_auc", Doc: "the area under the ROC curve of the scores", Label: "Area under the ROC curve", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "pr_auc", Doc: "the average precision of the scores", Label: "Average precision", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "threshold", Doc: "the score threshold of the operating point", Better: NoDirection},
	// Attack typing.
	{Name: "macro_f1", Doc: "the unweighted mean of the per-class F1 scores", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "weighted_f1", Doc: "the per-class F1 scores weighted by support", Lo: 0, Hi: 1, Bounded: true, Better: HigherIsBetter},
	// Clustering.
	{Name: "silhouette", Doc: "the mean silhouette coefficient (noise counted as a cluster of its own)", Lo: -1, Hi: 1, Bounded: true, Better: HigherIsBetter},
	{Name: "n_clusters", Doc: "the number of clusters, noise not counted", Better: NoDirection},
	{Name: "noise_fraction", Doc: "the share of flows labelled noise", Lo: 0, Hi: 1, Bounded: true, Better: NoDirection},
	{Name: "silhouette_sample_size", Doc: "the rows the silhouette was computed on", Better: NoDirection},
	{Name: "inertia", Doc: "the sum of squared distances of the rows to their centres", Better: LowerIsBetter},
	// Gradient boosting.
	{Name: "iterations", Doc: "the boosting iterations kept after early stopping", Better: NoDirection},
	// The monitoring simulation.
	{Name: "mttd_minutes", Doc: "the mean time to detect a campaign, in minutes", Better: LowerIsBetter},
	{Name: "mean_time_to_contain_minutes", Doc: "the mean time to contain a campaign, in minutes", Better: LowerIsBetter},
	{Name: "response_time_minutes", Doc: "the mean response time, in minutes", Better: LowerIsBetter},
	{Name: "campaigns", Doc: "the attack campaigns run", Better: NoDirection},
	{Name: "campaigns_detected", Doc: "the campaigns detected", Better: HigherIsBetter},
	{Name: "campaigns_missed", Doc: "the campaigns missed", Better: LowerIsBetter},
	{Name: "last_day_detection_rate", Doc: "the detection rate of the last simulated day", Better: HigherIsBetter},
	{Name: "alerts_per_hour", Doc: "alerts raised per hour", Better: LowerIsBetter},
	{Name: "health_score", Doc: "the notebook's health score", Better: HigherIsBetter},
	{Name: "max_psi", Doc: "the largest population stability index of a window", Better: LowerIsBetter},
	{Name: "max_ks", Doc: "the largest Kolmogorov-Smirnov statistic of a window", Better: LowerIsBetter},
	{Name: "retrains", Doc: "candidates fitted", Better: NoDirection},
	{Name: "promotions", Doc: "candidates promoted", Better: NoDirection},
	{Name: "rejections", Doc: "candidates rejected", Better: NoDirection},
	{Name: "rollbacks", Doc: "rollouts rolled back", Better: LowerIsBetter},
	{Name: "detection_trend_slope_per_day", Doc: "the fitted trend of the detection rate, per day", Better: HigherIsBetter},
	{Name: "detection_trend_r2", Doc: "the trend fit's coefficient of determination", Better: NoDirection},
	{Name: "detection_forecast_days", Doc: "days until the trend crosses the target", Better: HigherIsBetter},
	// The segmentation policy.
	{Name: "policy_block_rate", Doc: "the share of anomalous test flows blocked", Better: HigherIsBetter},
	{Name: "policy_block_rate_", Doc: "the share of one anomaly type's test flows blocked", Better: HigherIsBetter},
	{Name: "policy_false_block_rate", Doc: "the share of normal test flows blocked", Better: LowerIsBetter},
	{Name: "policy_allowlist_block_rate", Doc: "anomalous flows blocked by the allow rules", Better: HigherIsBetter},
	{Name: "policy_allowlist_false_block_rate", Doc: "normal flows blocked by the allow rules", Better: LowerIsBetter},
	{Name: "policy_behaviour_block_rate", Doc: "anomalous flows blocked by the behavioural clusters", Better: HigherIsBetter},
	{Name: "policy_behaviour_false_block_rate", Doc: "normal flows blocked by the behavioural clusters", Better: LowerIsBetter},
	{Name: "policy_isolation_block_rate", Doc: "anomalous flows whose source the detector isolates", Better: HigherIsBetter},
	{Name: "policy_isolation_false_block_rate", Doc: "normal flows whose source the detector isolates", Better: LowerIsBetter},
	{Name: "policy_rules", Doc: "the allow rules", Better: NoDirection},
	{Name: "policy_segments", Doc: "the segments", Better: NoDirection},
	// The leakage report: duplicates of the feature vectors across and
	// within the split's sides, and vectors with conflicting labels.
	{Name: "train_duplicate_share", Doc: "the share of training rows equal to an earlier training row", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "test_duplicate_share", Doc: "the share of test rows equal to an earlier test row", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "cross_split_duplicate_share", Doc: "the share of test rows equal to a training row", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "conflicting_label_share", Doc: "the share of rows whose feature vector carries more than one label", Lo: 0, Hi: 1, Bounded: true, Better: LowerIsBetter},
	{Name: "train_duplicates", Doc: "training rows equal to an earlier training row", Better: LowerIsBetter},
	{Name: "test_duplicates", Doc: "test rows equal to an earlier test row", Better: LowerIsBetter},
	{Name: "cross_split_duplicates", Doc: "test rows equal to a training row", Better: LowerIsBetter},
	{Name: "conflicting_vectors", Doc: "distinct feature vectors that carry more than one label", Better: LowerIsBetter},
	// An incident flow, scored through the exported pipeline.
	{Name: "anomaly_probability", Doc: "the detector's probability that the flow is an anomaly", Lo: 0, Hi: 1, Bounded: true, Better: NoDirection},
	{Name: "is_anomaly", Doc: "1 when the detector flags the flow, else 0", Lo: 0, Hi: 1, Bounded: true, Better: NoDirection},
	{Name: "risk_level", Doc: "the flow's risk level: 0 LOW, 1 MEDIUM, 2 HIGH", Lo: 0, Hi: 2, Bounded: true, Better: NoDirection},
	{Name: "attack_confidence", Doc: "the attack-type classifier's probability of its most likely class", Lo: 0, Hi: 1, Bounded: true, Better: NoDirection},
	{Name: "attack_probability_", Doc: "the attack-type classifier's probability of one class", Lo: 0, Hi: 1, Bounded: true, Better: NoDirection},
	{Name: "probability_ratio", Doc: "the first compared flow's anomaly probability over the second's", Better: NoDirection},
	{Name: "probability_difference", Doc: "the first compared flow's anomaly probability minus the second's", Lo: -1, Hi: 1, Bounded: true, Better: NoDirection},
}

// Producer is what writes a metric's rows into the metrics table: a model
// of one role, an incident flow, the segmentation policy or the
// monitoring simulation.
type Producer string

// Producers. The first three are the model registry's roles
// (internal/models.Role), which name them.
const (
	Detector      Producer = "detector"
	Typer         Producer = "typer"
	Clusterer     Producer = "clusterer"
	Incident      Producer = "incident"
	Policy        Producer = "policy"
	Monitoring    Producer = "monitoring"
	LeakageReport Producer = "leakage"
)

// produced lists the metrics each producer writes, in the order the
// references give them: the names a target or regression rule may use
// for it. A name ending in "_" is a family (the rest is an anomaly type
// or class). A model kind may add its own (k-means' inertia).
var produced = map[Producer][]string{
	Detector: {
		"detection_rate", "false_positive_rate", "precision", "recall", "f1", "accuracy",
		"roc_auc", "pr_auc",
		"budget_detection_rate", "budget_false_positive_rate", "budget_threshold",
	},
	Typer:     {"accuracy", "macro_f1", "weighted_f1"},
	Clusterer: {"silhouette", "n_clusters", "noise_fraction", "silhouette_sample_size"},
	Incident: {
		"anomaly_probability", "is_anomaly", "risk_level", "attack_confidence", "attack_probability_",
		"probability_ratio", "probability_difference",
	},
	Policy: {
		"policy_block_rate", "policy_false_block_rate", "policy_block_rate_",
		"policy_allowlist_block_rate", "policy_allowlist_false_block_rate",
		"policy_behaviour_block_rate", "policy_behaviour_false_block_rate",
		"policy_isolation_block_rate", "policy_isolation_false_block_rate",
		"policy_rules", "policy_segments",
	},
	LeakageReport: {
		"train_duplicate_share", "test_duplicate_share", "cross_split_duplicate_share", "conflicting_label_share",
		"train_duplicates", "test_duplicates", "cross_split_duplicates", "conflicting_vectors",
	},
	Monitoring: {
		"mttd_minutes", "mean_time_to_contain_minutes", "response_time_minutes",
		"campaigns", "campaigns_detected", "campaigns_missed",
		"detection_rate", "last_day_detection_rate", "false_positive_rate", "alerts_per_hour",
		"health_score", "max_psi", "max_ks",
		"retrains", "promotions", "rejections", "rollbacks",
		"detection_trend_slope_per_day", "detection_trend_r2", "detection_forecast_days",
	},
}

// Produced returns the metrics p writes (a copy), in reference order.
func Produced(p Producer) []string { return slices.Clone(produced[p]) }

// In reports whether metric is one of names, a name ending in "_"
// matching any longer metric it prefixes.
func In(metric string, names []string) bool {
	for _, n := range names {
		if metric == n || (strings.HasSuffix(n, "_") && strings.HasPrefix(metric, n) && len(metric) > len(n)) {
			return true
		}
	}
	return false
}

// Metric returns what the vocabulary says of a metric, and false for a
// name it does not know. A name with the
// prefix budget_ is the figure at a detector's operating point: it has the
// range and direction of the name without the prefix (budget_threshold is
// the threshold itself).
func Metric(name string) (MetricInfo, bool) {
	base, budget := strings.CutPrefix(name, "budget_")
	i := slices.IndexFunc(vocabulary, func(m MetricInfo) bool { return m.Name == base })
	if i < 0 {
		// The longest family that prefixes the name.
		best := -1
		for j, m := range vocabulary {
			if strings.HasSuffix(m.Name, "_") && strings.HasPrefix(base, m.Name) && len(base) > len(m.Name) &&
				(best < 0 || len(m.Name) > len(vocabulary[best].Name)) {
				best = j
			}
		}
		i = best
	}
	if i < 0 {
		return MetricInfo{}, false
	}
	info := vocabulary[i]
	info.Name = name
	if budget {
		info.Label = budgetLabels[base]
		info.Doc += ", at the operating point chosen for the false-positive budget"
	}
	return info, true
}

// budgetLabels are the axis labels of the operating point's figures.
var budgetLabels = map[string]string{
	"detection_rate":      "Detection rate at the FPR budget",
	"false_positive_rate": "False positive rate at the FPR budget",
}

// Better returns the direction in which metric improves: NoDirection for
// a metric without one or unknown to the vocabulary.
func Better(metric string) Direction {
	m, _ := Metric(metric)
	return m.Better
}

// Summarize is stats.Summarize for a metric's values over seeds, its
// interval intersected with the metric's range when the vocabulary bounds
// it (stats.Summary.Within): a rate's interval never leaves [0, 1].
func Summarize(metric string, values []float64, confidence float64) stats.Summary {
	s := stats.Summarize(values, confidence)
	if m, ok := Metric(metric); ok && m.Bounded {
		s = s.Within(m.Lo, m.Hi)
	}
	return s
}
