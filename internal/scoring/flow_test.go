package scoring

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/flow"
)

// incidentJSON is the notebook's suspicious flow as Python's json.dumps
// writes the dictionary.
const incidentJSON = `{"src_device_type": "workstation", "src_department": "accounting", "dst_device_type": "server", "dst_department": "it", "protocol": "TCP", "bytes_sent": 50000000, "packets_sent": 35000, "duration": 7200, "hour": 23, "is_business_hours": false, "cpu_usage": 95, "ports_contacted": 12}`

var incidentFlow = flow.Flow{
	SrcDeviceType: "workstation", SrcDepartment: "accounting",
	DstDeviceType: "server", DstDepartment: "it", Protocol: "TCP",
	BytesSent: 50000000, PacketsSent: 35000, Duration: 7200, Hour: 23,
	IsBusinessHours: false, CPUUsage: 95, PortsContacted: 12,
}

// withField returns incidentJSON with one field's JSON value replaced, or
// the field removed when value is "".
func withField(name, value string) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(incidentJSON), &fields); err != nil {
		panic(err)
	}
	if value == "" {
		delete(fields, name)
	} else {
		fields[name] = json.RawMessage(value)
	}
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestDecodeFlow(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     func(*flow.Flow)
	}{
		{"notebook incident", incidentJSON, nil},
		{"floats where integers are written", withField("packets_sent", "35000.0"), nil},
		{"exponent integer", withField("packets_sent", "3.5e4"), nil},
		{"fraction", withField("duration", "7200.5"), func(f *flow.Flow) { f.Duration = 7200.5 }},
		{"exponent", withField("bytes_sent", "5e7"), nil},
		{"underflow to zero", withField("duration", "1e-400"), func(f *flow.Flow) { f.Duration = 0 }},
		{"zero", withField("cpu_usage", "0"), func(f *flow.Flow) { f.CPUUsage = 0 }},
		{"bounds", withField("hour", "0"), func(f *flow.Flow) { f.Hour = 0 }},
		{"cpu 100", withField("cpu_usage", "100"), func(f *flow.Flow) { f.CPUUsage = 100 }},
		{"unicode category", withField("protocol", `"T\u0043P"`), nil},
		{"whitespace around", "\n\t " + incidentJSON + " \n", nil},
		{"true", withField("is_business_hours", "true"), func(f *flow.Flow) { f.IsBusinessHours = true }},
		{"unknown category decodes (Score refuses it)", withField("protocol", `"SCTP"`), func(f *flow.Flow) { f.Protocol = "SCTP" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeFlow([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			want := incidentFlow
			if tc.want != nil {
				tc.want(&want)
			}
			if got != want {
				t.Errorf("decoded %+v, want %+v", got, want)
			}
		})
	}
}

func TestDecodeFlowErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the error
		field    string // the *FieldError's field, if any
	}{
		{"empty", "", "invalid JSON: empty input", ""},
		{"not JSON", "bytes_sent=5", "invalid JSON: invalid character 'b' looking for beginning of value", ""},
		{"array", "[1, 2]", "want a JSON object, got an array", ""},
		{"null", "null", "want a JSON object, got null", ""},
		{"string", `"flow"`, "want a JSON object, got a string", ""},
		{"blank", " \t\r\n", "invalid JSON: empty input", ""},
		{"truncated", incidentJSON[:60], "invalid JSON: unexpected end of input at byte 60", ""},
		// Input that ends inside the object is truncated, not empty,
		// wherever it ends.
		{"only an opening brace", "{", "invalid JSON: unexpected end of input at byte 1", ""},
		{"truncated after a colon", `{"duration":`, "invalid JSON: unexpected end of input at byte 12", ""},
		{"truncated unknown key", `{"a":`, "invalid JSON: unexpected end of input at byte 5", ""},
		{"truncated in a key", `{"duration": 1.0, "bytes_se`, "invalid JSON: unexpected end of input at byte 27", ""},
		{"truncated after a value", `{"duration": 1.0`, "invalid JSON: unexpected end of input at byte 16", ""},
		{"truncated after a comma", `{"src_device_type": "workstation", `, "invalid JSON: unexpected end of input at byte 35", ""},
		{"truncated in a string", `{"protocol": "TC`, "invalid JSON: unexpected end of input at byte 16", ""},
		{"truncated literal", `{"is_business_hours": tru`, "invalid JSON: unexpected end of input at byte 25", ""},
		{"truncated after a repeated key", `{"hour": 1, "hour": 2`, "invalid JSON: unexpected end of input at byte 21", ""},
		// The whole input is checked as JSON before its fields are judged.
		{"unknown field then garbage", `{"a": 1} x`, "invalid JSON: invalid character 'x' looking for beginning of value", ""},
		{"unknown field then a second value", `{"a": 1} {}`, "invalid JSON: data after the flow object", ""},
		{"unknown field then bad syntax", `{"a": 1, "b" 2}`, "invalid JSON: expected colon after object key", ""},
		{"two objects", incidentJSON + incidentJSON, "invalid JSON: data after the flow object", ""},
		{"trailing garbage", incidentJSON + " x", "invalid JSON: invalid character 'x' looking for beginning of value", ""},
		{"unknown field", withField("vlan", "7"), "vlan: unknown field (a flow has src_device_type, src_department, dst_device_type, dst_department, protocol, bytes_sent, packets_sent, duration, hour, is_business_hours, cpu_usage, ports_contacted, same_dept, cross_dept)", "vlan"},
		{"field name case", strings.Replace(incidentJSON, `"hour"`, `"Hour"`, 1), "Hour: unknown field", "Hour"},
		{"repeated field", strings.Replace(incidentJSON, `}`, `, "hour": 3}`, 1), "hour: given twice", "hour"},
		{"missing field", withField("cpu_usage", ""), "cpu_usage: missing", "cpu_usage"},
		{"missing string", withField("src_department", ""), "src_department: missing", "src_department"},
		{"null number", withField("bytes_sent", "null"), "bytes_sent: want a number, got null", "bytes_sent"},
		{"null string", withField("protocol", "null"), "protocol: want a string, got null", "protocol"},
		{"null bool", withField("is_business_hours", "null"), "is_business_hours: want true or false, got null", "is_business_hours"},
		{"number as string", withField("bytes_sent", `"5000"`), `bytes_sent: want a number, got a string "5000"`, "bytes_sent"},
		{"NaN as string", withField("duration", `"NaN"`), `duration: want a number, got a string "NaN"`, "duration"},
		{"Infinity as string", withField("cpu_usage", `"Infinity"`), `cpu_usage: want a number, got a string "Infinity"`, "cpu_usage"},
		{"long string", withField("hour", `"`+strings.Repeat("é", 40)+`"`), `hour: want an integer, got a string "` + strings.Repeat("é", 17) + `..."`, "hour"},
		{"huge exponent", withField("bytes_sent", "1e400"), "bytes_sent: 1e400 is out of range (not a finite float64)", "bytes_sent"},
		{"huge negative exponent", withField("duration", "-1e999"), "duration: -1e999 is out of range (not a finite float64)", "duration"},
		{"huge integer", withField("ports_contacted", "1e400"), "ports_contacted: 1e400 is out of range (not a finite float64)", "ports_contacted"},
		{"integer beyond int64", withField("packets_sent", "99999999999999999999"), "packets_sent: 99999999999999999999 is out of range", "packets_sent"},
		{"integer beyond 2^53 as a float", withField("packets_sent", "1e17"), "packets_sent: 1e17 is out of range", "packets_sent"},
		{"fractional integer", withField("packets_sent", "12.5"), "packets_sent: 12.5 is not an integer", "packets_sent"},
		{"fractional hour", withField("hour", "23.0001"), "hour: 23.0001 is not an integer", "hour"},
		{"bool as number", withField("is_business_hours", "1"), "is_business_hours: want true or false, got a number", "is_business_hours"},
		{"bool as string", withField("is_business_hours", `"false"`), `is_business_hours: want true or false, got a string "false"`, "is_business_hours"},
		{"number for string", withField("src_device_type", "3"), "src_device_type: want a string, got a number", "src_device_type"},
		{"object", withField("dst_department", `{"name": "it"}`), "dst_department: want a string, got an object", "dst_department"},
		{"array value", withField("ports_contacted", "[12]"), "ports_contacted: want an integer, got an array", "ports_contacted"},
		{"negative bytes", withField("bytes_sent", "-5"), "bytes_sent: -5 is negative", "bytes_sent"},
		{"negative packets", withField("packets_sent", "-1"), "packets_sent: -1 is negative", "packets_sent"},
		{"negative duration", withField("duration", "-0.5"), "duration: -0.5 is negative", "duration"},
		{"negative ports", withField("ports_contacted", "-2"), "ports_contacted: -2 is negative", "ports_contacted"},
		{"hour 24", withField("hour", "24"), "hour: 24 is outside 0..23", "hour"},
		{"negative hour", withField("hour", "-1"), "hour: -1 is outside 0..23", "hour"},
		{"cpu above 100", withField("cpu_usage", "100.01"), "cpu_usage: 100.01 is outside 0..100", "cpu_usage"},
		{"negative cpu", withField("cpu_usage", "-3"), "cpu_usage: -3 is outside 0..100", "cpu_usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DecodeFlow([]byte(tc.in))
			if err == nil {
				t.Fatalf("decoded %+v", f)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			var fe *FieldError
			switch {
			case tc.field == "" && errors.As(err, &fe):
				t.Errorf("error %q is a *FieldError", err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Errorf("error %#v is not a *FieldError for %s", err, tc.field)
			}
		})
	}
}

// A decoded flow is valid and survives encoding and decoding again.
func FuzzDecodeFlow(f *testing.F) {
	f.Add([]byte(incidentJSON))
	f.Add([]byte(withField("packets_sent", "35000.0")))
	f.Add([]byte(withField("bytes_sent", "-0")))
	f.Add([]byte(withField("bytes_sent", "1e400")))
	f.Add([]byte(withField("hour", "null")))
	f.Add([]byte(withField("hour", "24")))
	f.Add([]byte(withField("cpu_usage", "")))
	f.Add([]byte(`{"src_device_type": "\ud800", "x": [1, {"y": null}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := DecodeFlow(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			if fl != (flow.Flow{}) {
				t.Fatalf("error %v with a flow %+v", err, fl)
			}
			return
		}
		if err := fl.Validate(); err != nil {
			t.Fatalf("decoded an invalid flow: %v", err)
		}
		b, err := json.Marshal(fl)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeFlow(b)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if !reflect.DeepEqual(again, fl) {
			t.Fatalf("round trip %+v -> %s -> %+v", fl, b, again)
		}
	})
}
