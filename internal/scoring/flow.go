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

	"github.com/segharness/harness/internal/flow"
)

// FieldError is a problem with one field of a flow: its JSON (unknown,
// repeated, missing, of the wrong type), its value outside the schema's
// range (Err is then the *flow.FieldError of flow.Flow.Validate), or a
// category the model was not fitted on.
type FieldError struct {
	Field   string // the JSON name, such as "bytes_sent"
	Problem string // what is wrong, such as "-5 is negative"
	Err     error  // the *flow.FieldError of a value out of range, else nil
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

func (e *FieldError) Unwrap() error { return e.Err }

// validate checks f with flow.Flow.Validate, its error a *FieldError.
func validate(f *flow.Flow) error {
	if err := f.Validate(); err != nil {
		fe := err.(*flow.FieldError)
		return &FieldError{Field: fe.Field, Problem: fe.Problem(), Err: fe}
	}
	return nil
}

// fieldKind is the JSON type a field takes.
type fieldKind uint8

const (
	kindString fieldKind = iota
	kindNumber
	kindInteger
	kindBool
)

// flowFields lists flow.Flow's fields in order: their JSON names and kinds.
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

// DecodeFlow decodes one flow from a JSON object holding flow.Flow's 12
// required fields (and optionally same_dept and cross_dept), and checks it
// as flow.Flow.Validate does. It is strict: a field that is
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
// The flows clients send, plain JSON objects, are decoded in one pass
// without encoding/json (decodeFlowFast); any other input, and every
// error, is judged by decodeFlowStrict, which decodes the same flows
// (FuzzDecodeFlowFast).
func DecodeFlow(data []byte) (flow.Flow, error) {
	if f, ok := decodeFlowFast(data); ok {
		return f, nil
	}
	return decodeFlowStrict(data)
}

// decodeFlowStrict is DecodeFlow with encoding/json's tokenizer, for any
// input. It reads the object with the tokenizer rather than into a
// struct: encoding/json matches struct fields case-insensitively and keeps
// the last of repeated keys, which DisallowUnknownFields does not prevent.
func decodeFlowStrict(data []byte) (flow.Flow, error) {
	// raw holds the fields' values; its last slot takes values that are
	// read only to be skipped.
	var raw [len(flowFields) + 1]json.RawMessage
	skip := &raw[len(flowFields)]
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return flow.Flow{}, jsonError(err, data)
	}
	if tok != json.Delim('{') {
		return flow.Flow{}, fmt.Errorf("want a JSON object, got %s", describeToken(tok))
	}
	// The first unknown or repeated field, reported once the input is
	// known to be one well-formed object.
	var fieldErr error
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return flow.Flow{}, jsonError(err, data)
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
			return flow.Flow{}, jsonError(err, data)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return flow.Flow{}, jsonError(err, data)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return flow.Flow{}, jsonError(err, data)
		}
		return flow.Flow{}, errors.New("invalid JSON: data after the flow object")
	}
	if fieldErr != nil {
		return flow.Flow{}, fieldErr
	}

	var f flow.Flow
	for k, field := range flowFields {
		v := raw[k]
		if v == nil {
			if field.optional {
				continue
			}
			return flow.Flow{}, &FieldError{Field: field.name, Problem: "missing"}
		}
		if err := set(&f, k, v); err != nil {
			return flow.Flow{}, &FieldError{Field: field.name, Problem: err.Error()}
		}
	}
	if err := validate(&f); err != nil {
		return flow.Flow{}, err
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
func set(f *flow.Flow, k int, v json.RawMessage) error {
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
			*stringField(f, k) = s
			return nil
		}
	case kindBool:
		want = "true or false"
		switch string(v) {
		case "true", "false":
			setBool(f, flowFields[k].name, string(v) == "true")
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
				*floatField(f, k) = x
				return nil
			}
			n, err := parseInteger(v)
			if err != nil {
				return err
			}
			*intField(f, k) = n
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

func stringField(f *flow.Flow, k int) *string {
	return [...]*string{&f.SrcDeviceType, &f.SrcDepartment, &f.DstDeviceType, &f.DstDepartment, &f.Protocol}[k]
}

func floatField(f *flow.Flow, k int) *float64 {
	switch flowFields[k].name {
	case flow.ColBytesSent:
		return &f.BytesSent
	case flow.ColDuration:
		return &f.Duration
	}
	return &f.CPUUsage
}

func intField(f *flow.Flow, k int) *int64 {
	switch flowFields[k].name {
	case flow.ColPacketsSent:
		return &f.PacketsSent
	case flow.ColHour:
		return &f.Hour
	}
	return &f.PortsContacted
}

// setBool sets the flow's boolean field named name (a kindBool field of
// flowFields) to b: both decoders, the fast and encoding/json's, set them
// here.
func setBool(f *flow.Flow, name string, b bool) {
	switch name {
	case flow.ColSameDept:
		f.SameDept = &b
	case flow.ColCrossDept:
		f.CrossDept = &b
	default:
		f.IsBusinessHours = b
	}
}
