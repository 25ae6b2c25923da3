package datasets

import (
	"math/rand/v2"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
)

func newTestRand(s uint64) *rand.Rand { return seed.New(s) }

// notebookMix is the notebook's anomaly mix.
var notebookMix = map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4}
