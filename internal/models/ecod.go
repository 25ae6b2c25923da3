package models

// KindECOD is ECOD, outlier detection from empirical cumulative
// distribution functions (internal/ml/ecod).
const KindECOD = "ecod"

func init() {
	Register(&Kind{
		Name: KindECOD,
		Doc: "ECOD, Li et al., \"ECOD: Unsupervised Outlier Detection Using Empirical Cumulative Distribution " +
			"Functions\" (IEEE TKDE 2022), internal/ml/ecod: per feature j, the left and right tail " +
			"probabilities F_l(z) = #{x_j <= z}/n and F_r(z) = #{x_j >= z}/n of the training rows' empirical " +
			"CDF, ties included; a row's score is max(Σ_j -ln F_l, Σ_j -ln F_r, Σ_j -ln F_s), F_s being the " +
			"left tail where the training feature's skewness is negative and the right tail otherwise. A test " +
			"row is scored against the training rows with itself added ((count+1)/(n+1)), so its score does " +
			"not depend on the other test rows. Parameter-free and unsupervised: it fits on the training " +
			"rows without their labels; its score is that outlier score, its decision the score above the " +
			"contamination threshold.",
		Params: []Param{
			{Key: "contamination", Type: Float, Default: "0.1", Min: 0, Max: 0.5, MinOpen: true, Sweepable: true,
				Doc: "the expected fraction of anomalies: the threshold is the 100(1-contamination)-th percentile of the training rows' scores (PyOD's ECOD, whose default 0.1 this is)."},
		},
		Roles: []Role{Detector},
	})
}
