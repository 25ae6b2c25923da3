package models

import "math"

// KindDBSCAN is scikit-learn's DBSCAN (internal/ml/cluster).
const KindDBSCAN = "dbscan"

func init() {
	Register(&Kind{
		Name: KindDBSCAN,
		Doc: "DBSCAN, scikit-learn 1.2.1's (internal/ml/cluster): core points have min_samples " +
			"neighbours within eps, clusters grow from core points in row order, the rest is noise " +
			"(-1). It clusters every flow of the trial.",
		Params: []Param{
			{Key: "eps", Type: Float, Default: "0.5", Min: 0, Max: math.MaxFloat64, MinOpen: true, Sweepable: true,
				Doc: "the neighbourhood radius, in the units of the scaled features."},
			{Key: "min_samples", Type: Int, Default: "5", Min: 1, Max: math.MaxInt32, Sweepable: true,
				Doc: "the neighbours, the point included, that make a core point."},
			SilhouetteSampleParam,
		},
		Roles: []Role{Clusterer},
	})
}
