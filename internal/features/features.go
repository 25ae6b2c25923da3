// Package features turns flows into model inputs as the notebook does: the
// 9 engineered features of engineer_features, label encoding of the
// categorical columns (scikit-learn's LabelEncoder: sorted classes), standard
// scaling with the population variance (StandardScaler), and the stratified
// train/test split of train_test_split. Pipeline.TransformRow does for one
// flow what Engineer and Pipeline.Transform do for a table, bit for bit, for
// real-time scoring (internal/scoring).
package features

import (
	"math"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/flow"
)

// Engineer computes the notebook's engineered features:
//
//	bytes_per_second   = bytes_sent / (duration + 1)
//	packets_per_second = packets_sent / (duration + 1)
//	high_cpu           = cpu_usage > 70
//	long_duration      = duration > 3600            (more than an hour)
//	many_ports         = ports_contacted > 5
//	off_hours          = not is_business_hours
//	risk_score         = .3 high_cpu + .2 long_duration + .25 many_ports + .1 off_hours + .15 cross_dept
//	log_bytes          = log10(bytes_sent + 1)
//	log_duration       = log10(duration + 1)
//
// risk_score is summed left to right, as pandas does, so it equals the
// notebook's bit for bit.
func Engineer(f *flow.Table) *datasets.Engineered {
	n := f.Len()
	e := &datasets.Engineered{
		BytesPerSecond:   make([]float64, n),
		PacketsPerSecond: make([]float64, n),
		HighCPU:          make([]int64, n),
		LongDuration:     make([]int64, n),
		ManyPorts:        make([]int64, n),
		OffHours:         make([]int64, n),
		RiskScore:        make([]float64, n),
		LogBytes:         make([]float64, n),
		LogDuration:      make([]float64, n),
	}
	for i := range n {
		r := engineer(f.BytesSent[i], f.PacketsSent[i], f.Duration[i], f.CPUUsage[i],
			f.PortsContacted[i], f.IsBusinessHours[i], f.CrossDept[i])
		e.BytesPerSecond[i] = r.BytesPerSecond
		e.PacketsPerSecond[i] = r.PacketsPerSecond
		e.HighCPU[i] = r.HighCPU
		e.LongDuration[i] = r.LongDuration
		e.ManyPorts[i] = r.ManyPorts
		e.OffHours[i] = r.OffHours
		e.RiskScore[i] = r.RiskScore
		e.LogBytes[i] = r.LogBytes
		e.LogDuration[i] = r.LogDuration
	}
	return e
}

// Row is one flow's generated columns, its categorical columns as strings:
// the input of EngineerRow and Pipeline.TransformRow. SameDept and
// CrossDept are inputs, as in a flow table: the generators set them from
// the departments (src == dst and src != dst), but the notebook's anomaly
// injection overwrites cross_dept alone, so they need not agree with the
// departments.
type Row struct {
	SrcDeviceType   string
	SrcDepartment   string
	DstDeviceType   string
	DstDepartment   string
	Protocol        string
	BytesSent       float64 // bytes
	PacketsSent     int64   // packets
	Duration        float64 // seconds
	Hour            int64   // hour of day, 0..23
	IsBusinessHours bool
	CPUUsage        float64 // percent, 0..100
	PortsContacted  int64
	SameDept        bool
	CrossDept       bool
}

// FlowRow returns row i of f.
func FlowRow(f *flow.Table, i int) Row {
	return Row{
		SrcDeviceType:   f.SrcDeviceType.Value(i),
		SrcDepartment:   f.SrcDepartment.Value(i),
		DstDeviceType:   f.DstDeviceType.Value(i),
		DstDepartment:   f.DstDepartment.Value(i),
		Protocol:        f.Protocol.Value(i),
		BytesSent:       f.BytesSent[i],
		PacketsSent:     f.PacketsSent[i],
		Duration:        f.Duration[i],
		Hour:            f.Hour[i],
		IsBusinessHours: f.IsBusinessHours[i],
		CPUUsage:        f.CPUUsage[i],
		PortsContacted:  f.PortsContacted[i],
		SameDept:        f.SameDept[i],
		CrossDept:       f.CrossDept[i],
	}
}

// EngineeredRow holds one flow's engineered features (see Engineer).
type EngineeredRow struct {
	BytesPerSecond   float64
	PacketsPerSecond float64
	HighCPU          int64
	LongDuration     int64
	ManyPorts        int64
	OffHours         int64
	RiskScore        float64
	LogBytes         float64
	LogDuration      float64
}

// EngineerRow computes one flow's engineered features with the code
// Engineer runs on every row, so the two agree bit for bit.
func EngineerRow(r *Row) EngineeredRow {
	return engineer(r.BytesSent, r.PacketsSent, r.Duration, r.CPUUsage, r.PortsContacted, r.IsBusinessHours, r.CrossDept)
}

// engineer computes the engineered features of one flow. Every product is
// rounded before it is added (the explicit float64 conversions forbid the
// compiler to fuse a multiply and an add, which it may do on some
// architectures), so the sum is pandas' on every platform.
func engineer(bytesSent float64, packetsSent int64, duration, cpuUsage float64, portsContacted int64, businessHours, crossDept bool) EngineeredRow {
	var r EngineeredRow
	r.BytesPerSecond = bytesSent / (duration + 1)
	r.PacketsPerSecond = float64(packetsSent) / (duration + 1)
	r.HighCPU = b2i(cpuUsage > 70)
	r.LongDuration = b2i(duration > 3600)
	r.ManyPorts = b2i(portsContacted > 5)
	r.OffHours = b2i(!businessHours)
	r.RiskScore = float64(float64(r.HighCPU)*0.3) +
		float64(float64(r.LongDuration)*0.2) +
		float64(float64(r.ManyPorts)*0.25) +
		float64(float64(r.OffHours)*0.1) +
		float64(float64(b2i(crossDept))*0.15)
	r.LogBytes = math.Log10(bytesSent + 1)
	r.LogDuration = math.Log10(duration + 1)
	return r
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
