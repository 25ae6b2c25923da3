package datasets

import (
	"math/rand/v2"

	"github.com/segharness/harness/internal/seed"
)

func newTestRand(s uint64) *rand.Rand { return seed.New(s) }
