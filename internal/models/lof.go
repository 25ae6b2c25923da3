package models

import "math"

// KindLOF is the Local Outlier Factor, scikit-learn's
// LocalOutlierFactor(novelty=True) (internal/ml/lof).
const KindLOF = "lof"

func init() {
	Register(&Kind{
		Name: KindLOF,
		Doc: "The Local Outlier Factor (Breunig et al., SIGMOD 2000), scikit-learn 1.2.1's " +
			"LocalOutlierFactor with novelty=True (internal/ml/lof): with k = min(n_neighbors, training rows - 1) " +
			"exact Euclidean neighbours among the training rows, the reachability distance " +
			"max(d(x, o), k-distance(o)), the local reachability density lrd = 1 / (mean reachability " +
			"distance + 1e-10), and a row's score_samples = -mean(lrd(o) / lrd(x)) over its neighbours o. " +
			"An unsupervised detector: it fits on the training rows without their labels; its score is " +
			"the local outlier factor -score_samples (higher is more anomalous), its decision " +
			"score_samples below the contamination offset. The neighbours are exact (among rows at equal " +
			"distance, the lower training indices) and found with a kd-tree: from O(m d log n) to O(n m d) " +
			"for n training and m scored rows, depending on how well it prunes.",
		Params: []Param{
			{Key: "n_neighbors", Type: Int, Default: "20", Min: 1, Max: math.MaxInt32, Sweepable: true,
				Doc: "the neighbours k (scikit-learn's default 20), at most the training rows - 1."},
			{Key: "contamination", Type: Float, Word: "auto", Default: "auto", Min: 0, Max: 0.5, MinOpen: true, Sweepable: true,
				Doc: "the expected fraction of anomalies: the offset is the 100·contamination-th percentile of the training rows' negative_outlier_factor_; auto uses scikit-learn's fixed offset of -1.5."},
		},
		Roles: []Role{Detector},
	})
}
