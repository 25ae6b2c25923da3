// Package flow is the flow schema of the harness, at the bottom of its
// import graph: the notebook's column names and category levels, a table of
// flows held column by column, and the range checks every flow passes.
//
// A flow table is held column by column (struct of slices): categorical
// columns as small integer codes into a list of levels, numeric columns as
// float64 or int64 slices. Column names are exactly the notebook's.
package flow

import (
	"fmt"
	"math"
	"slices"
)

// Column names of the generated flow table, in the notebook's order.
const (
	ColSrcDeviceType   = "src_device_type"
	ColSrcDepartment   = "src_department"
	ColDstDeviceType   = "dst_device_type"
	ColDstDepartment   = "dst_department"
	ColProtocol        = "protocol"
	ColBytesSent       = "bytes_sent"
	ColPacketsSent     = "packets_sent"
	ColDuration        = "duration"
	ColHour            = "hour"
	ColIsBusinessHours = "is_business_hours"
	ColCPUUsage        = "cpu_usage"
	ColPortsContacted  = "ports_contacted"
	ColSameDept        = "same_dept"
	ColCrossDept       = "cross_dept"
	ColIsAnomaly       = "is_anomaly"
	ColAnomalyType     = "anomaly_type"

	ColBytesPerSecond   = "bytes_per_second"
	ColPacketsPerSecond = "packets_per_second"
	ColHighCPU          = "high_cpu"
	ColLongDuration     = "long_duration"
	ColManyPorts        = "many_ports"
	ColOffHours         = "off_hours"
	ColRiskScore        = "risk_score"
	ColLogBytes         = "log_bytes"
	ColLogDuration      = "log_duration"

	ColFlowID = "flow_id"
	ColSplit  = "split"
)

// FlowColumns are the 14 generated columns and the 2 labels, in file order.
var FlowColumns = []string{
	ColSrcDeviceType, ColSrcDepartment, ColDstDeviceType, ColDstDepartment,
	ColProtocol, ColBytesSent, ColPacketsSent, ColDuration, ColHour,
	ColIsBusinessHours, ColCPUUsage, ColPortsContacted, ColSameDept, ColCrossDept,
	ColIsAnomaly, ColAnomalyType,
}

// CategoricalColumns are the six categorical columns, in the order
// (*Table).Categoricals returns them.
var CategoricalColumns = [6]string{ColSrcDeviceType, ColSrcDepartment, ColDstDeviceType, ColDstDepartment, ColProtocol, ColAnomalyType}

// EngineeredColumns are the notebook's 9 engineered features, in the order
// engineer_features adds them.
var EngineeredColumns = []string{
	ColBytesPerSecond, ColPacketsPerSecond, ColHighCPU, ColLongDuration,
	ColManyPorts, ColOffHours, ColRiskScore, ColLogBytes, ColLogDuration,
}

// Category levels in the notebook's own order (the order its generator lists
// them). Label encoding sorts them separately; see internal/features.
var (
	DeviceTypes  = []string{"workstation", "server", "database", "web_server", "mobile", "iot"}
	Departments  = []string{"accounting", "hr", "engineering", "sales", "it", "executive"}
	Protocols    = []string{"TCP", "UDP", "ICMP"}
	AnomalyTypes = []string{Normal, CryptoMining, LateralMovement}
)

// Labels of detector predictions.
const (
	LabelAnomaly = "anomaly"
	LabelNormal  = "normal"
)

// Anomaly types.
const (
	Normal          = "normal"
	CryptoMining    = "crypto_mining"
	LateralMovement = "lateral_movement"
)

// Categorical is a column of strings held as codes into Levels.
type Categorical struct {
	Levels []string
	Codes  []uint16
}

// MaxLevels is the most distinct values a categorical column may hold.
const MaxLevels = math.MaxUint16 + 1

// Value returns the string of row i.
func (c *Categorical) Value(i int) string { return c.Levels[c.Codes[i]] }

// Len returns the number of rows.
func (c *Categorical) Len() int { return len(c.Codes) }

// Code returns the code of level s, or -1 when s is not a level.
func (c *Categorical) Code(s string) int {
	for i, l := range c.Levels {
		if l == s {
			return i
		}
	}
	return -1
}

// Table is a table of network flows: the notebook's 14 generated columns and
// its two labels. All slices have the same length.
type Table struct {
	SrcDeviceType   Categorical
	SrcDepartment   Categorical
	DstDeviceType   Categorical
	DstDepartment   Categorical
	Protocol        Categorical
	BytesSent       []float64 // bytes
	PacketsSent     []int64   // packets
	Duration        []float64 // seconds
	Hour            []int64   // hour of day, 0..23
	IsBusinessHours []bool
	CPUUsage        []float64 // percent, 0..100
	PortsContacted  []int64
	SameDept        []bool
	CrossDept       []bool
	IsAnomaly       []bool
	AnomalyType     Categorical
}

// Len returns the number of flows.
func (f *Table) Len() int { return len(f.BytesSent) }

// New allocates a table of n flows with the notebook's category levels.
func New(n int) *Table { return Make(n, n) }

// Make allocates a table of length n and capacity c.
func Make(n, c int) *Table {
	cat := func(levels []string) Categorical {
		return Categorical{Levels: slices.Clone(levels), Codes: make([]uint16, n, c)}
	}
	return &Table{
		SrcDeviceType:   cat(DeviceTypes),
		SrcDepartment:   cat(Departments),
		DstDeviceType:   cat(DeviceTypes),
		DstDepartment:   cat(Departments),
		Protocol:        cat(Protocols),
		BytesSent:       make([]float64, n, c),
		PacketsSent:     make([]int64, n, c),
		Duration:        make([]float64, n, c),
		Hour:            make([]int64, n, c),
		IsBusinessHours: make([]bool, n, c),
		CPUUsage:        make([]float64, n, c),
		PortsContacted:  make([]int64, n, c),
		SameDept:        make([]bool, n, c),
		CrossDept:       make([]bool, n, c),
		IsAnomaly:       make([]bool, n, c),
		AnomalyType:     cat(AnomalyTypes),
	}
}

// Check reports the first row whose values fall outside the schema: a
// negative or non-finite quantity, an hour outside 0..23, CPU outside
// 0..100 (each a *FieldError, as Flow.Validate reports it), or labels
// that disagree (a *LabelError). The error names the row (0-based) and
// the column.
func (f *Table) Check() error {
	n := f.Len()
	for _, c := range []*Categorical{&f.SrcDeviceType, &f.SrcDepartment, &f.DstDeviceType, &f.DstDepartment, &f.Protocol, &f.AnomalyType} {
		if c.Len() != n {
			return fmt.Errorf("flow: column lengths differ (%d and %d)", n, c.Len())
		}
	}
	for i := range n {
		if err := f.CheckRow(i); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return nil
}

// CheckRow returns the first problem of row i: a field out of range, as
// a *FieldError (the checks of Flow.Validate), or labels that disagree,
// as a *LabelError.
func (f *Table) CheckRow(i int) error {
	q := bounded{f.BytesSent[i], f.Duration[i], f.CPUUsage[i], f.PacketsSent[i], f.Hour[i], f.PortsContacted[i]}
	if e := q.first(); e != nil {
		return e
	}
	if isNormal := f.AnomalyType.Value(i) == Normal; isNormal == f.IsAnomaly[i] {
		return &LabelError{IsAnomaly: f.IsAnomaly[i], AnomalyType: f.AnomalyType.Value(i)}
	}
	return nil
}

// LabelError is a row whose labels disagree: is_anomaly is false exactly
// when anomaly_type is "normal".
type LabelError struct {
	IsAnomaly   bool
	AnomalyType string
}

// Error returns the column and the problem.
func (e *LabelError) Error() string { return ColIsAnomaly + ": " + e.Problem() }

// Problem describes the disagreement without naming the column.
func (e *LabelError) Problem() string {
	return fmt.Sprintf("%v disagrees with %s %q (%s is false exactly for %q)",
		e.IsAnomaly, ColAnomalyType, e.AnomalyType, ColIsAnomaly, Normal)
}
