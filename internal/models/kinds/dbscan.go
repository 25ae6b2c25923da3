package kinds

import (
	"context"

	"github.com/segharness/harness/internal/ml/cluster"
	"github.com/segharness/harness/internal/models"
)

// fitDBSCAN clusters every row of the trial with DBSCAN.
func fitDBSCAN(_ context.Context, t *models.Task) (*models.Result, error) {
	labels, err := cluster.DBSCANChecked(t.Data.X, t.Data.D(), cluster.DBSCANConfig{
		Eps: t.Params.Float("eps"), MinSamples: t.Params.Int("min_samples"), Workers: t.Workers,
	})
	if err != nil {
		return nil, err
	}
	return &models.Result{Labels: labels}, nil
}
