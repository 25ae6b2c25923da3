package scoring

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/flow"
)

// sampleFlowJSON is a flow as json.Marshal writes flow.Flow (the load
// test's requests, serve.SampleFlows): every field, same_dept and
// cross_dept included.
const sampleFlowJSON = `{"src_device_type":"workstation","src_department":"accounting","dst_device_type":"server","dst_department":"it","protocol":"TCP","bytes_sent":50000000,"packets_sent":35000,"duration":7200,"hour":23,"is_business_hours":false,"cpu_usage":95.25,"ports_contacted":12,"same_dept":false,"cross_dept":true}`

// The flows clients send take the fast path, and it decodes them as the
// strict decoder does.
func TestDecodeFlowFastTakes(t *testing.T) {
	for _, in := range []string{
		incidentJSON, // Python's json.dumps
		sampleFlowJSON,
		"\n\t " + incidentJSON + " \r\n",
		strings.ReplaceAll(strings.ReplaceAll(incidentJSON, ", ", ",\n  "), ": ", " : "),
		withField("packets_sent", "3.5e4"),
		withField("duration", "1E-3"),
		withField("duration", "-0"),
		withField("bytes_sent", "0.000"),
		withField("cpu_usage", "1.5e+1"),
		withField("protocol", `"é"`), // valid UTF-8
		withField("protocol", `"SCTP"`),
		withField("same_dept", "true"),
	} {
		fast, ok := decodeFlowFast([]byte(in))
		if !ok {
			t.Errorf("%s: not taken by the fast path", in)
			continue
		}
		strict, err := decodeFlowStrict([]byte(in))
		if err != nil || !reflect.DeepEqual(fast, strict) {
			t.Errorf("%s: fast %+v, strict %+v (%v)", in, fast, strict, err)
		}
	}
}

// Input the fast path does not take, valid or not, is left to the strict
// decoder: escapes, null, nested values, unknown and repeated keys,
// numbers outside JSON's grammar or the field's range, invalid UTF-8.
func TestDecodeFlowFastDefers(t *testing.T) {
	for _, in := range []string{
		"", " ", "{", "{}", "[]", "null", `"x"`,
		incidentJSON + " x",
		incidentJSON + "{}",
		incidentJSON[:len(incidentJSON)-1],
		withField("protocol", `"T\u0043P"`),
		strings.Replace(incidentJSON, `"TCP"`, "\"TC\x01P\"", 1),
		strings.Replace(incidentJSON, `"TCP"`, "\"\xff\"", 1),
		withField("protocol", "null"),
		withField("protocol", "7"),
		withField("hour", "null"),
		withField("hour", `"7"`),
		withField("hour", "24"),
		withField("hour", "7.5"),
		rawField("hour", "07"),
		rawField("hour", "+7"),
		rawField("duration", ".5"),
		rawField("duration", "5."),
		rawField("duration", "5e"),
		rawField("duration", "-"),
		withField("duration", "1e400"),
		withField("duration", "-1"),
		withField("duration", "[1]"),
		rawField("is_business_hours", "tru"),
		withField("is_business_hours", "1"),
		withField("same_dept", "null"),
		withField("cpu_usage", ""),
		withField("vlan", "7"),
		strings.Replace(incidentJSON, `"hour"`, `"Hour"`, 1),
		strings.Replace(incidentJSON, `"hour"`, `"h\u006fur"`, 1),
		strings.Replace(incidentJSON, `}`, `, "hour": 3}`, 1),
		strings.Replace(incidentJSON, `, "hour"`, `,, "hour"`, 1),
		strings.Replace(incidentJSON, `}`, `,}`, 1),
		strings.Replace(incidentJSON, `"hour": 23`, `"hour" 23`, 1),
		strings.Replace(incidentJSON, `"hour": 23`, `"hour": 23 1`, 1),
	} {
		if f, ok := decodeFlowFast([]byte(in)); ok {
			t.Errorf("%q: decoded %+v by the fast path", in, f)
		}
	}
}

// rawField returns incidentJSON with the JSON of one field's value
// replaced by value, which need not be JSON (withField's must).
func rawField(name, value string) string {
	re := regexp.MustCompile(`("` + name + `": )("[^"]*"|[^,}]*)`)
	if !re.MatchString(incidentJSON) {
		panic("no field " + name)
	}
	return re.ReplaceAllLiteralString(incidentJSON, `"`+name+`": `+value)
}

// Whatever the fast path decodes, the strict decoder decodes to the same
// flow without error: DecodeFlow is decodeFlowStrict, faster.
func FuzzDecodeFlowFast(f *testing.F) {
	for _, s := range []string{
		incidentJSON, sampleFlowJSON,
		withField("packets_sent", "35000.0"), withField("bytes_sent", "-0"), withField("bytes_sent", "1e400"),
		withField("hour", "null"), withField("protocol", `"T\u0043P"`), strings.Replace(incidentJSON, `"TCP"`, "\"\xe2\x82\"", 1),
		withField("cpu_usage", ""), `{}`, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeFlowFast(data)
		if !ok {
			if fast != (flow.Flow{}) {
				t.Fatalf("not taken, with a flow %+v", fast)
			}
			return
		}
		strict, err := decodeFlowStrict(data)
		if err != nil {
			t.Fatalf("fast path decoded %+v, the strict decoder refuses it: %v", fast, err)
		}
		if !reflect.DeepEqual(fast, strict) {
			t.Fatalf("fast %+v, strict %+v", fast, strict)
		}
	})
}

// BenchmarkDecodeFlow decodes a flow as a client sends it (json.Marshal
// of flow.Flow), by DecodeFlow (the fast path) and by the strict decoder.
func BenchmarkDecodeFlow(b *testing.B) {
	var fl flow.Flow
	if err := json.Unmarshal([]byte(sampleFlowJSON), &fl); err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(&fl)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []struct {
		name   string
		decode func([]byte) (flow.Flow, error)
	}{{"DecodeFlow", DecodeFlow}, {"strict", decodeFlowStrict}} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := d.decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
