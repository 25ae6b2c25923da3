package models

import "math"

// KindKMeans is scikit-learn's KMeans (internal/ml/cluster).
const KindKMeans = "kmeans"

func init() {
	Register(&Kind{
		Name: KindKMeans,
		Doc: "k-means, scikit-learn 1.2.1's KMeans (internal/ml/cluster): greedy k-means++ seeding, " +
			"Lloyd iterations, the best of n_init runs by inertia. It clusters every flow of the trial " +
			"(the notebook clusters the whole scaled matrix) and records its inertia.",
		Params: []Param{
			{Key: "k", Type: Int, Default: "8", Min: 2, Max: 10000, Sweepable: true,
				Doc: "the number of clusters."},
			{Key: "n_init", Type: Int, Default: "10", Min: 1, Max: 1000, Sweepable: true,
				Doc: "k-means++ restarts; the best inertia wins (scikit-learn 1.2's default, the notebook's version)."},
			{Key: "max_iter", Type: Int, Default: "300", Min: 1, Max: 1000000, Sweepable: true,
				Doc: "iterations per restart."},
			{Key: "tol", Type: Float, Default: "0.0001", Min: 0, Max: math.MaxFloat64, Sweepable: true,
				Doc: "the convergence tolerance (scikit-learn's tol)."},
			SilhouetteSampleParam,
		},
		Roles:   []Role{Clusterer},
		Metrics: []string{"inertia"},
	})
}

// SilhouetteSampleParam is the rows a clustering's silhouette is computed
// on; every clusterer kind declares it.
var SilhouetteSampleParam = Param{Key: "silhouette_sample", Type: Int, Word: "all", Default: "10000", Min: 2, Max: math.MaxInt32, Sweepable: true,
	Doc: "the rows sampled to compute the silhouette; all uses every row."}
