// Package datasets loads flows (internal/flow's schema) from CSV or
// Parquet files and writes the Parquet files a run writes. The synthetic
// generator is internal/synth.
//
// This package is the only importer of parquet-go.
package datasets

import "github.com/segharness/harness/internal/flow"

// Engineered holds the notebook's 9 engineered features (engineer_features),
// computed by internal/features. All slices have the flows' length.
type Engineered struct {
	BytesPerSecond   []float64
	PacketsPerSecond []float64
	HighCPU          []int64
	LongDuration     []int64
	ManyPorts        []int64
	OffHours         []int64
	RiskScore        []float64
	LogBytes         []float64
	LogDuration      []float64
}

// Split says which side of the train/test split a flow is on.
type Split uint8

// Split values. The zero value means the flow has not been assigned.
const (
	Unassigned Split = iota
	Train
	Test
)

func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return "unassigned"
}

// Dataset is what one trial writes to dataset.parquet: the flows, their
// engineered features and the split.
type Dataset struct {
	Flows      *flow.Table
	Engineered *Engineered
	Split      []Split
}
