package kinds

import (
	"context"
	"fmt"

	"github.com/segharness/harness/internal/ml/cluster"
	"github.com/segharness/harness/internal/models"
)

// fitKMeans clusters every row of the trial with k-means and records its
// inertia.
func fitKMeans(_ context.Context, t *models.Task) (*models.Result, error) {
	k, n := t.Params.Int("k"), t.Data.N()
	if k > n {
		return nil, fmt.Errorf("k = %d clusters for %d flows", k, n)
	}
	res, err := cluster.KMeansChecked(t.Data.X, t.Data.D(), cluster.KMeansConfig{
		K: k, NInit: t.Params.Int("n_init"), MaxIter: t.Params.Int("max_iter"), Tol: t.Params.Float("tol"), Workers: t.Workers,
	}, t.Rand)
	if err != nil {
		return nil, err
	}
	return &models.Result{Labels: res.Labels, Metrics: []models.Figure{{Metric: "inertia", Value: res.Inertia}}}, nil
}
