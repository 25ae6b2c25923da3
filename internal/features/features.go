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

// Engineer computes the notebook's engineered features, each row with
// the formulas below (see EngineerRow):
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
// Engineer runs on every row, so the two agree bit for bit. cross_dept is
// the flow's CrossDept, or derived from the departments when not given
// (flow.Flow.Depts).
func EngineerRow(r *flow.Flow) EngineeredRow {
	_, cross := r.Depts()
	return engineer(r.BytesSent, r.PacketsSent, r.Duration, r.CPUUsage, r.PortsContacted, r.IsBusinessHours, cross)
}

// engineer computes the engineered features of one flow.
func engineer(bytesSent float64, packetsSent int64, duration, cpuUsage float64, portsContacted int64, businessHours, crossDept bool) EngineeredRow {
	var r EngineeredRow
	high, long, many, off := HighCPU(cpuUsage), LongDuration(duration), ManyPorts(float64(portsContacted)), OffHours(businessHours)
	r.BytesPerSecond = BytesPerSecond(bytesSent, duration)
	r.PacketsPerSecond = PacketsPerSecond(float64(packetsSent), duration)
	r.HighCPU = b2i(high)
	r.LongDuration = b2i(long)
	r.ManyPorts = b2i(many)
	r.OffHours = b2i(off)
	r.RiskScore = RiskScore(high, long, many, off, crossDept)
	r.LogBytes = LogBytes(bytesSent)
	r.LogDuration = LogDuration(duration)
	return r
}

// The formulas of the engineered features, one value at a time: Engineer
// and EngineerRow compute every flow's with them, and the table source
// (internal/runner) the features its roles allow, so each is written once.
// Counts (packets_sent, ports_contacted) are taken as float64, as a
// table's numeric columns hold them; the conversion of an int64 keeps
// every comparison and quotient below.

// BytesPerSecond is bytes_per_second: bytes_sent / (duration + 1).
func BytesPerSecond(bytesSent, duration float64) float64 { return bytesSent / (duration + 1) }

// PacketsPerSecond is packets_per_second: packets_sent / (duration + 1).
func PacketsPerSecond(packetsSent, duration float64) float64 { return packetsSent / (duration + 1) }

// HighCPU is high_cpu: cpu_usage > 70.
func HighCPU(cpuUsage float64) bool { return cpuUsage > 70 }

// LongDuration is long_duration: more than an hour.
func LongDuration(duration float64) bool { return duration > 3600 }

// ManyPorts is many_ports: ports_contacted > 5.
func ManyPorts(portsContacted float64) bool { return portsContacted > 5 }

// OffHours is off_hours: not is_business_hours.
func OffHours(isBusinessHours bool) bool { return !isBusinessHours }

// RiskScore is risk_score: .3 high_cpu + .2 long_duration + .25
// many_ports + .1 off_hours + .15 cross_dept, summed left to right as
// pandas does. Every product is rounded before it is added (the explicit
// float64 conversions forbid the compiler to fuse a multiply and an add,
// which it may do on some architectures), so the sum is pandas' on every
// platform.
func RiskScore(highCPU, longDuration, manyPorts, offHours, crossDept bool) float64 {
	return float64(float64(b2i(highCPU))*0.3) +
		float64(float64(b2i(longDuration))*0.2) +
		float64(float64(b2i(manyPorts))*0.25) +
		float64(float64(b2i(offHours))*0.1) +
		float64(float64(b2i(crossDept))*0.15)
}

// LogBytes is log_bytes: log10(bytes_sent + 1).
func LogBytes(bytesSent float64) float64 { return math.Log10(bytesSent + 1) }

// LogDuration is log_duration: log10(duration + 1).
func LogDuration(duration float64) float64 { return math.Log10(duration + 1) }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
