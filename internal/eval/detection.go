package eval

import (
	"fmt"
	"slices"
	"strings"
)

// normalType is the anomaly_type of a flow that is not an anomaly
// (flow.Normal; eval does not import the datasets).
const normalType = "normal"

// TypeRate is the detection rate of one anomaly type:
//
//	Rate = Detected / Total,
//
// with Total the flows of that type and Detected those flagged.
type TypeRate struct {
	Type            string
	Detected, Total int
	Rate            float64
}

// DetectionByType is the detection rate of each anomaly type, sorted by
// type name. It looks at anomalous flows only: flows of type "normal" are
// skipped, so a flagged normal flow counts nowhere here (it is a false
// positive, see Confusion). Only types present appear, so every Total is
// at least 1. It panics if the lengths differ.
func DetectionByType(types []string, flagged []bool) []TypeRate {
	if len(types) != len(flagged) {
		panic(fmt.Sprintf("eval: %d types, %d decisions", len(types), len(flagged)))
	}
	index := map[string]int{}
	var rates []TypeRate
	for i, t := range types {
		if t == normalType {
			continue
		}
		k, ok := index[t]
		if !ok {
			k = len(rates)
			index[t] = k
			rates = append(rates, TypeRate{Type: t})
		}
		rates[k].Total++
		if flagged[i] {
			rates[k].Detected++
		}
	}
	for i := range rates {
		rates[i].Rate = float64(rates[i].Detected) / float64(rates[i].Total)
	}
	slices.SortFunc(rates, func(a, b TypeRate) int { return strings.Compare(a.Type, b.Type) })
	return rates
}
