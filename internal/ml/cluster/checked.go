package cluster

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// InputError is a value of x that the clusterings cannot take: NaN or
// infinite.
type InputError struct {
	Row, Column int // 0-based
	Value       float64
}

func (e *InputError) Error() string {
	return fmt.Sprintf("cluster: x[%d][%d] = %v is not a finite number", e.Row, e.Column, e.Value)
}

// CheckInput returns an *InputError for the first value of x (row-major,
// rows of d values) that is NaN or infinite, or nil.
func CheckInput(x []float64, d int) error {
	d = max(d, 1)
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &InputError{Row: k / d, Column: k % d, Value: v}
		}
	}
	return nil
}

// checkShape is checkMatrix as an error.
func checkShape(x []float64, d int) (int, error) {
	switch {
	case d < 1:
		return 0, errors.New("cluster: number of columns must be positive")
	case len(x)%d != 0:
		return 0, errors.New("cluster: len(x) is not a multiple of the number of columns")
	case len(x)/d > math.MaxInt32:
		return 0, errors.New("cluster: too many rows")
	}
	return len(x) / d, nil
}

// KMeansChecked is [KMeans] for data from outside the program: what KMeans
// panics on, it returns as an error, a value of x that is NaN or infinite
// as an *InputError (see [CheckInput]). The result is KMeans's.
func KMeansChecked(x []float64, d int, cfg KMeansConfig, r *rand.Rand) (*KMeansResult, error) {
	n, err := checkShape(x, d)
	switch {
	case err != nil:
		return nil, err
	case cfg.K < 1 || cfg.K > n:
		return nil, fmt.Errorf("cluster: KMeans needs 1 <= K <= number of rows (K = %d, %d rows)", cfg.K, n)
	case cfg.NInit < 0:
		return nil, errors.New("cluster: negative NInit")
	case cfg.MaxIter < 0:
		return nil, errors.New("cluster: negative MaxIter")
	case !(cfg.Tol >= 0):
		return nil, errors.New("cluster: Tol must be >= 0")
	case r == nil:
		return nil, errors.New("cluster: nil *rand.Rand")
	}
	if err := CheckInput(x, d); err != nil {
		return nil, err
	}
	return KMeans(x, d, cfg, r), nil
}

// DBSCANChecked is [DBSCAN] for data from outside the program: what DBSCAN
// panics on, it returns as an error, a value of x that is NaN or infinite
// as an *InputError (see [CheckInput]). The labels are DBSCAN's.
func DBSCANChecked(x []float64, d int, cfg DBSCANConfig) ([]int, error) {
	_, err := checkShape(x, d)
	switch {
	case err != nil:
		return nil, err
	case !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 1):
		return nil, errors.New("cluster: Eps must be positive and finite")
	case cfg.MinSamples < 1:
		return nil, errors.New("cluster: MinSamples must be >= 1")
	}
	if err := CheckInput(x, d); err != nil {
		return nil, err
	}
	return DBSCAN(x, d, cfg), nil
}
