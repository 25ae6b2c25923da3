package mltest_test

import (
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

func TestNSLKDD(t *testing.T) {
	k := mltest.NSLKDD(t)
	if k.D != 41 || len(k.TrainY) != 125973 || len(k.TestY) != 22544 {
		t.Fatalf("D %d, train %d, test %d rows; want 41, 125973, 22544 (../shared/datasets/nsl-kdd/README.md)", k.D, len(k.TrainY), len(k.TestY))
	}
	attacks := 0
	for _, y := range k.TrainY {
		attacks += y
	}
	// KDDTrain+: 67,343 normal connections, 58,630 attacks (../shared/datasets/nsl-kdd/README.md).
	if attacks != 58630 {
		t.Errorf("%d attacks in KDDTrain+, want 58630", attacks)
	}
	t.Log(k.Categories, k.Names[38:])
}
