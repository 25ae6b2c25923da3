// Package kinds holds the fit of every built-in model kind: the random
// forest, gradient boosting, the isolation forest, ECOD, the Local
// Outlier Factor, the logistic regression, k-means, DBSCAN (internal/ml)
// and the external protocol (internal/models/external, which writes and
// reads Parquet). The kinds themselves, their parameters, roles and
// metrics, are declared in internal/models, which the experiment parser
// reads without linking any of this; importing this package attaches each
// kind's Fit
// (models.SetFit). The runner imports it.
package kinds

import "github.com/segharness/harness/internal/models"

func init() {
	models.SetFit(models.KindRandomForest, fitRandomForest)
	models.SetFit(models.KindIsolationForest, fitIsolationForest)
	models.SetFit(models.KindECOD, fitECOD)
	models.SetFit(models.KindLOF, fitLOF)
	models.SetFit(models.KindLogisticRegression, fitLogisticRegression)
	models.SetFit(models.KindGradientBoosting, fitGradientBoosting)
	models.SetFit(models.KindKMeans, fitKMeans)
	models.SetFit(models.KindDBSCAN, fitDBSCAN)
	models.SetFit(models.KindExternal, fitExternal)
}
