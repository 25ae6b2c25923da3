package flow

import (
	"math"
	"strconv"
	"strings"
)

// Flow is one network flow: the generated columns of a flow table, its
// categorical columns as strings. It is the row of every path that holds
// one flow: a table's row (Table.At), a flow scored by harness score and
// harness serve (its JSON form is their wire format), an incident flow of
// an experiment, the input of the per-row feature pipeline and of a
// segmentation policy's Decide.
//
// SameDept and CrossDept are optional: nil, they are derived from the
// departments as the generators derive them (see Depts); given, they are
// used as given, as a table's columns are (the notebook generator's
// lateral movements set cross_dept without changing the departments).
// In JSON an absent field is nil, and nil is omitted.
//
// The parquet tags name the 12 required columns in file order; SameDept
// and CrossDept are left out of the Parquet schema, as a pointer would be
// an optional column where the harness's files have required ones: a
// Parquet row embeds Flow and declares the two as bool fields after it.
type Flow struct {
	SrcDeviceType   string  `json:"src_device_type" parquet:"src_device_type,dict"`
	SrcDepartment   string  `json:"src_department" parquet:"src_department,dict"`
	DstDeviceType   string  `json:"dst_device_type" parquet:"dst_device_type,dict"`
	DstDepartment   string  `json:"dst_department" parquet:"dst_department,dict"`
	Protocol        string  `json:"protocol" parquet:"protocol,dict"`
	BytesSent       float64 `json:"bytes_sent" parquet:"bytes_sent"`     // bytes, >= 0
	PacketsSent     int64   `json:"packets_sent" parquet:"packets_sent"` // packets, >= 0
	Duration        float64 `json:"duration" parquet:"duration"`         // seconds, >= 0
	Hour            int64   `json:"hour" parquet:"hour"`                 // hour of day, 0..23
	IsBusinessHours bool    `json:"is_business_hours" parquet:"is_business_hours"`
	CPUUsage        float64 `json:"cpu_usage" parquet:"cpu_usage"` // percent, 0..100
	PortsContacted  int64   `json:"ports_contacted" parquet:"ports_contacted"`
	SameDept        *bool   `json:"same_dept,omitempty" parquet:"-"`  // optional
	CrossDept       *bool   `json:"cross_dept,omitempty" parquet:"-"` // optional
}

// At returns row i of f as a Flow, SameDept and CrossDept included. They
// point at row i of f's columns, so that At does not allocate: the flow
// sees a later write to those two cells. At panics if i is outside f.
func (f *Table) At(i int) Flow {
	return Flow{
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
		SameDept:        &f.SameDept[i],
		CrossDept:       &f.CrossDept[i],
	}
}

// Depts returns the flow's same_dept and cross_dept: SameDept and
// CrossDept where given, and otherwise derived from the departments as
// the generators derive them (src == dst, src != dst).
func (f *Flow) Depts() (same, cross bool) {
	same, cross = f.SrcDepartment == f.DstDepartment, f.SrcDepartment != f.DstDepartment
	if f.SameDept != nil {
		same = *f.SameDept
	}
	if f.CrossDept != nil {
		cross = *f.CrossDept
	}
	return same, cross
}

// Validate checks the ranges of the schema: bytes, packets, duration and
// ports are not negative (and the numbers finite), hour is in 0..23 and
// CPU usage in 0..100. It returns a *FieldError for the first field out
// of range, in Flow's order; FieldErrors returns them all. Categories are
// not checked: the schema's levels are open (an imported table may hold
// others), and a model checks them against the classes it was fitted on.
func (f *Flow) Validate() error {
	q := f.bounded()
	if e := q.first(); e != nil {
		return e
	}
	return nil
}

// FieldErrors returns every field of f out of range, in Flow's order, as
// Validate judges them; nil when there is none.
func (f *Flow) FieldErrors() []*FieldError {
	q := f.bounded()
	var errs []*FieldError
	for k := range boundedFields {
		if e := q.check(k); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

func (f *Flow) bounded() bounded {
	return bounded{f.BytesSent, f.Duration, f.CPUUsage, f.PacketsSent, f.Hour, f.PortsContacted}
}

// FieldError is a value of a flow outside the schema's range for its
// field: which field, what value, what range.
type FieldError struct {
	Field string // the column, such as "hour"
	Value string // the value, as strconv formats it, such as "24", "-0.5" or "NaN"
	Range string // the values the field takes, such as "0..23" or "a finite number >= 0"
}

// Error returns the field and the problem, such as "hour: 24 is outside
// 0..23".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem() }

// Problem describes the value's fault without naming the field: NaN, and
// +Inf in a range without an upper bound, "is not a finite number"; a
// value below a range ">= 0" "is negative"; any other "is outside" the
// range.
func (e *FieldError) Problem() string {
	lowerBound := strings.HasSuffix(e.Range, ">= 0")
	switch {
	case e.Value == "NaN" || lowerBound && e.Value == "+Inf":
		return e.Value + " is not a finite number"
	case lowerBound && strings.HasPrefix(e.Value, "-"):
		return e.Value + " is negative"
	}
	return e.Value + " is outside " + e.Range
}

// The ranges of the bounded fields.
const (
	rangeQuantity = "a finite number >= 0"
	rangeCount    = ">= 0"
	rangeHour     = "0..23"
	rangePercent  = "0..100"
)

// bounded holds the fields of a flow that the schema bounds, as
// Flow.Validate and Table.CheckRow read them.
type bounded struct {
	bytesSent, duration, cpuUsage     float64
	packetsSent, hour, portsContacted int64
}

// boundedFields is the number of fields check judges.
const boundedFields = 6

// check returns the error of the k-th bounded field, in Flow's order, or
// nil when it is within its range.
func (q *bounded) check(k int) *FieldError {
	switch k {
	case 0:
		if !nonNegative(q.bytesSent) {
			return floatError(ColBytesSent, q.bytesSent, rangeQuantity)
		}
	case 1:
		if q.packetsSent < 0 {
			return intError(ColPacketsSent, q.packetsSent, rangeCount)
		}
	case 2:
		if !nonNegative(q.duration) {
			return floatError(ColDuration, q.duration, rangeQuantity)
		}
	case 3:
		if q.hour < 0 || q.hour > 23 {
			return intError(ColHour, q.hour, rangeHour)
		}
	case 4:
		if !(q.cpuUsage >= 0 && q.cpuUsage <= 100) {
			return floatError(ColCPUUsage, q.cpuUsage, rangePercent)
		}
	case 5:
		if q.portsContacted < 0 {
			return intError(ColPortsContacted, q.portsContacted, rangeCount)
		}
	}
	return nil
}

// first returns the error of the first bounded field out of range, or nil.
func (q *bounded) first() *FieldError {
	for k := range boundedFields {
		if e := q.check(k); e != nil {
			return e
		}
	}
	return nil
}

// nonNegative reports whether v is a finite number >= 0.
func nonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

func floatError(field string, v float64, want string) *FieldError {
	return &FieldError{Field: field, Value: strconv.FormatFloat(v, 'g', -1, 64), Range: want}
}

func intError(field string, v int64, want string) *FieldError {
	return &FieldError{Field: field, Value: strconv.FormatInt(v, 10), Range: want}
}

// IsBusinessHours is is_business_hours of an hour of the day, as the
// generators set it: 8 <= hour <= 17. A table without that column derives
// off_hours from its hour with it (internal/features).
func IsBusinessHours(hour float64) bool { return 8 <= hour && hour <= 17 }
