package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
)

// Flow is one network flow as the notebook's score_network_flow takes it:
// the generated columns of a flow table. same_dept and cross_dept are
// optional: absent, Score derives them from the departments as the
// generators do; given, they are used as given, as the batch pipeline uses
// a table's columns (the notebook generator's lateral movements set
// cross_dept without changing the departments).
type Flow struct {
	SrcDeviceType   string  `json:"src_device_type"`
	SrcDepartment   string  `json:"src_department"`
	DstDeviceType   string  `json:"dst_device_type"`
	DstDepartment   string  `json:"dst_department"`
	Protocol        string  `json:"protocol"`
	BytesSent       float64 `json:"bytes_sent"`   // bytes, >= 0
	PacketsSent     int64   `json:"packets_sent"` // packets, >= 0
	Duration        float64 `json:"duration"`     // seconds, >= 0
	Hour            int64   `json:"hour"`         // hour of day, 0..23
	IsBusinessHours bool    `json:"is_business_hours"`
	CPUUsage        float64 `json:"cpu_usage"` // percent, 0..100
	PortsContacted  int64   `json:"ports_contacted"`
	SameDept        *bool   `json:"same_dept,omitempty"`  // optional
	CrossDept       *bool   `json:"cross_dept,omitempty"` // optional
}

// FieldError is a problem with one field of a flow.
type FieldError struct {
	Field   string // the JSON name, such as "bytes_sent"
	Problem string // what is wrong, such as "-5 is negative"
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// fieldKind is the JSON type a field takes.
type fieldKind uint8

const (
	kindString fieldKind = iota
	kindNumber
	kindInteger
	kindBool
)

// flowFields lists Flow's fields in order: their JSON names and kinds.
var flowFields = [...]struct {
	name     string
	kind     fieldKind
	optional bool
}{
	{flow.ColSrcDeviceType, kindString, false},
	{flow.ColSrcDepartment, kindString, false},
	{flow.ColDstDeviceType, kindString, false},
	{flow.ColDstDepartment, kindString, false},
	{flow.ColProtocol, kindString, false},
	{flow.ColBytesSent, kindNumber, false},
	{flow.ColPacketsSent, kindInteger, false},
	{flow.ColDuration, kindNumber, false},
	{flow.ColHour, kindInteger, false},
	{flow.ColIsBusinessHours, kindBool, false},
	{flow.ColCPUUsage, kindNumber, false},
	{flow.ColPortsContacted, kindInteger, false},
	{flow.ColSameDept, kindBool, true},
	{flow.ColCrossDept, kindBool, true},
}

// fieldNames is the list of field names for error messages.
var fieldNames = func() string {
	names := make([]string, len(flowFields))
	for i, f := range flowFields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}()

// maxExactInteger is the largest integer below which every integer is a
// float64: an integer written as 1e3 or 12.0 is accepted up to it.
const maxExactInteger = 1 << 53

// DecodeFlow decodes one flow from a JSON object holding Flow's 12 required
// fields (and optionally same_dept and cross_dept), and checks it as
// Validate does. It is strict: a field that is
// unknown (names match exactly, case included), repeated, missing or null
// is an error, as are a value of the wrong JSON type (a number written as a
// string, "NaN" or "Infinity" included), a number outside float64's range
// (1e400), a fraction where an integer is needed (an integral value such
// as 12.0 or 1e3 is accepted), and anything after the object. The error is
// a *FieldError naming the field when one field is at fault. The whole
// input is read as JSON before any field is judged, so that input that is
// not one JSON object (truncated, or followed by more data) is reported
// as such rather than by the first odd field: only empty (or blank)
// input is "empty input"; input that ends early is "unexpected end of
// input at byte N", N its length.
//
// It reads the object with encoding/json's tokenizer rather than into a
// struct: encoding/json matches struct fields case-insensitively and keeps
// the last of repeated keys, which DisallowUnknownFields does not prevent.
func DecodeFlow(data []byte) (Flow, error) {
	// raw holds the fields' values; its last slot takes values that are
	// read only to be skipped.
	var raw [len(flowFields) + 1]json.RawMessage
	skip := &raw[len(flowFields)]
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return Flow{}, jsonError(err, data)
	}
	if tok != json.Delim('{') {
		return Flow{}, fmt.Errorf("want a JSON object, got %s", describeToken(tok))
	}
	// The first unknown or repeated field, reported once the input is
	// known to be one well-formed object.
	var fieldErr error
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Flow{}, jsonError(err, data)
		}
		key := tok.(string) // object keys are strings
		dst := skip
		switch k := fieldIndex(key); {
		case fieldErr != nil:
		case k < 0:
			fieldErr = &FieldError{Field: key, Problem: "unknown field (a flow has " + fieldNames + ")"}
		case raw[k] != nil:
			fieldErr = &FieldError{Field: key, Problem: "given twice"}
		default:
			dst = &raw[k]
		}
		if err := dec.Decode(dst); err != nil {
			return Flow{}, jsonError(err, data)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return Flow{}, jsonError(err, data)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return Flow{}, jsonError(err, data)
		}
		return Flow{}, errors.New("invalid JSON: data after the flow object")
	}
	if fieldErr != nil {
		return Flow{}, fieldErr
	}

	var f Flow
	for k, field := range flowFields {
		v := raw[k]
		if v == nil {
			if field.optional {
				continue
			}
			return Flow{}, &FieldError{Field: field.name, Problem: "missing"}
		}
		if err := f.set(k, v); err != nil {
			return Flow{}, &FieldError{Field: field.name, Problem: err.Error()}
		}
	}
	if err := f.Validate(); err != nil {
		return Flow{}, err
	}
	return f, nil
}

func fieldIndex(name string) int {
	for k, f := range flowFields {
		if f.name == name {
			return k
		}
	}
	return -1
}

// jsonError describes a syntax error in data, a flow's JSON. encoding/json
// reports the end of the input as io.EOF wherever it comes between two
// tokens, inside an object included, so only input that holds nothing but
// whitespace is empty; any other input that ends early is truncated, at
// its length.
func jsonError(err error, data []byte) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if isBlank(data) {
			return errors.New("invalid JSON: empty input")
		}
		return fmt.Errorf("invalid JSON: unexpected end of input at byte %d", len(data))
	}
	return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// isBlank reports whether data holds only JSON whitespace.
func isBlank(data []byte) bool {
	for _, c := range data {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// describeRaw names the JSON type of a value.
func describeRaw(v json.RawMessage) string {
	switch v[0] {
	case '"':
		if len(v) > 40 {
			n := 36
			for !utf8.RuneStart(v[n]) {
				n--
			}
			return "a string " + string(v[:n]) + "...\""
		}
		return "a string " + string(v)
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a number"
}

// set sets field k of f from its JSON value v, checking only its type.
func (f *Flow) set(k int, v json.RawMessage) error {
	field := flowFields[k]
	var want string
	switch field.kind {
	case kindString:
		want = "a string"
		if v[0] == '"' {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			*f.stringField(k) = s
			return nil
		}
	case kindBool:
		want = "true or false"
		switch string(v) {
		case "true", "false":
			b := string(v) == "true"
			switch flowFields[k].name {
			case flow.ColSameDept:
				f.SameDept = &b
			case flow.ColCrossDept:
				f.CrossDept = &b
			default:
				f.IsBusinessHours = b
			}
			return nil
		}
	case kindNumber, kindInteger:
		want = "a number"
		if field.kind == kindInteger {
			want = "an integer"
		}
		if c := v[0]; c == '-' || '0' <= c && c <= '9' {
			if field.kind == kindNumber {
				x, err := parseNumber(v)
				if err != nil {
					return err
				}
				*f.floatField(k) = x
				return nil
			}
			n, err := parseInteger(v)
			if err != nil {
				return err
			}
			*f.intField(k) = n
			return nil
		}
	}
	return fmt.Errorf("want %s, got %s", want, describeRaw(v))
}

func parseNumber(v json.RawMessage) (float64, error) {
	x, err := strconv.ParseFloat(string(v), 64)
	if math.IsInf(x, 0) {
		return 0, fmt.Errorf("%s is out of range (not a finite float64)", v)
	}
	if err != nil { // JSON numbers are Go floats: not reached
		return 0, fmt.Errorf("%s is not a number", v)
	}
	return x, nil
}

func parseInteger(v json.RawMessage) (int64, error) {
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return n, nil
	}
	x, err := parseNumber(v)
	switch {
	case err != nil:
		return 0, err
	case x != math.Trunc(x):
		return 0, fmt.Errorf("%s is not an integer", v)
	case math.Abs(x) > maxExactInteger:
		return 0, fmt.Errorf("%s is out of range", v)
	}
	return int64(x), nil
}

func (f *Flow) stringField(k int) *string {
	return [...]*string{&f.SrcDeviceType, &f.SrcDepartment, &f.DstDeviceType, &f.DstDepartment, &f.Protocol}[k]
}

func (f *Flow) floatField(k int) *float64 {
	switch flowFields[k].name {
	case flow.ColBytesSent:
		return &f.BytesSent
	case flow.ColDuration:
		return &f.Duration
	}
	return &f.CPUUsage
}

func (f *Flow) intField(k int) *int64 {
	switch flowFields[k].name {
	case flow.ColPacketsSent:
		return &f.PacketsSent
	case flow.ColHour:
		return &f.Hour
	}
	return &f.PortsContacted
}

// Validate checks the ranges of the schema (flow.Table.Check): bytes,
// packets, duration and ports are finite and not negative, hour is in
// 0..23 and CPU usage in 0..100. It returns a *FieldError for the first
// field out of range, in Flow's order. Categories are checked by Score,
// against the classes the model's encoders were fitted on.
func (f *Flow) Validate() error {
	switch {
	case !(f.BytesSent >= 0):
		return negative(flow.ColBytesSent, f.BytesSent)
	case math.IsInf(f.BytesSent, 1):
		return notFinite(flow.ColBytesSent, f.BytesSent)
	case f.PacketsSent < 0:
		return &FieldError{Field: flow.ColPacketsSent, Problem: strconv.FormatInt(f.PacketsSent, 10) + " is negative"}
	case !(f.Duration >= 0):
		return negative(flow.ColDuration, f.Duration)
	case math.IsInf(f.Duration, 1):
		return notFinite(flow.ColDuration, f.Duration)
	case f.Hour < 0 || f.Hour > 23:
		return &FieldError{Field: flow.ColHour, Problem: strconv.FormatInt(f.Hour, 10) + " is outside 0..23"}
	case !(f.CPUUsage >= 0 && f.CPUUsage <= 100):
		if math.IsNaN(f.CPUUsage) {
			return notFinite(flow.ColCPUUsage, f.CPUUsage)
		}
		return &FieldError{Field: flow.ColCPUUsage, Problem: formatFloat(f.CPUUsage) + " is outside 0..100"}
	case f.PortsContacted < 0:
		return &FieldError{Field: flow.ColPortsContacted, Problem: strconv.FormatInt(f.PortsContacted, 10) + " is negative"}
	}
	return nil
}

// negative reports a value that is not >= 0: negative, or NaN.
func negative(field string, v float64) error {
	if math.IsNaN(v) {
		return notFinite(field, v)
	}
	return &FieldError{Field: field, Problem: formatFloat(v) + " is negative"}
}

func notFinite(field string, v float64) error {
	return &FieldError{Field: field, Problem: formatFloat(v) + " is not a finite number"}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// row returns the flow as the feature pipeline reads it, same_dept and
// cross_dept, unless given, derived from the departments as the generators
// derive them.
func (f *Flow) row() features.Row {
	same, cross := f.SrcDepartment == f.DstDepartment, f.SrcDepartment != f.DstDepartment
	if f.SameDept != nil {
		same = *f.SameDept
	}
	if f.CrossDept != nil {
		cross = *f.CrossDept
	}
	return features.Row{
		SrcDeviceType:   f.SrcDeviceType,
		SrcDepartment:   f.SrcDepartment,
		DstDeviceType:   f.DstDeviceType,
		DstDepartment:   f.DstDepartment,
		Protocol:        f.Protocol,
		BytesSent:       f.BytesSent,
		PacketsSent:     f.PacketsSent,
		Duration:        f.Duration,
		Hour:            f.Hour,
		IsBusinessHours: f.IsBusinessHours,
		CPUUsage:        f.CPUUsage,
		PortsContacted:  f.PortsContacted,
		SameDept:        same,
		CrossDept:       cross,
	}
}

// FlowOf returns row i of a flow table as a Flow, same_dept and cross_dept
// included: scored, it gives exactly the batch pipeline's figures for the
// row.
func FlowOf(f *flow.Table, i int) Flow {
	same, cross := f.SameDept[i], f.CrossDept[i]
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
		SameDept:        &same,
		CrossDept:       &cross,
	}
}
