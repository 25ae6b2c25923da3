package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve/servetest"
)

// inferBody builds an inference request for flows, one input tensor per
// field, as a KServe or Triton client writes it from the model's
// metadata: BYTES, FP64, INT64 and BOOL tensors of shape [N].
func inferBody(flows []flow.Flow, edit func(inputs []map[string]any) []map[string]any) string {
	cols := map[string][]any{}
	for _, f := range flows {
		b, _ := json.Marshal(f)
		var m map[string]any
		json.Unmarshal(b, &m)
		for _, in := range v2Inputs {
			if v, ok := m[in.name]; ok {
				cols[in.name] = append(cols[in.name], v)
			}
		}
	}
	var inputs []map[string]any
	for _, in := range v2Inputs {
		if c, ok := cols[in.name]; ok {
			inputs = append(inputs, map[string]any{"name": in.name, "shape": []int{len(flows)}, "datatype": in.datatype, "data": c})
		}
	}
	if edit != nil {
		inputs = edit(inputs)
	}
	b, _ := json.Marshal(map[string]any{"id": "42", "inputs": inputs})
	return string(b)
}

// TestV2HealthAndMetadata checks the health, server and model metadata
// endpoints against the specification's response objects
// (specification/protocol/inference_rest.md: $live_server_response,
// $ready_model_response, $metadata_server_response,
// $metadata_model_response).
func TestV2HealthAndMetadata(t *testing.T) {
	h := New(servetest.Model(t), Options{ModelName: "flows"})
	for _, tc := range []struct {
		path string
		want string // the body, as a regexp
	}{
		{"/v2/health/live", `^\{"live":true\}\n$`},
		{"/v2/health/ready", `^\{"ready":true\}\n$`},
		{"/v2/models/flows/ready", `^\{"name":"flows","ready":true\}\n$`},
		{"/v2", `^\{"name":"segharness","version":"[^"]+","extensions":\[\]\}\n$`},
	} {
		rec := do(h, "GET", tc.path, "", nil)
		if rec.Code != 200 || !regexp.MustCompile(tc.want).MatchString(rec.Body.String()) {
			t.Errorf("GET %s: %d %q, want 200 matching %s", tc.path, rec.Code, rec.Body.String(), tc.want)
		}
	}
	rec := do(h, "GET", "/v2/models/flows", "", nil)
	var md struct {
		Name     string           `json:"name"`
		Versions []string         `json:"versions"`
		Platform string           `json:"platform"`
		Inputs   []metadataTensor `json:"inputs"`
		Outputs  []metadataTensor `json:"outputs"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &md); err != nil || rec.Code != 200 {
		t.Fatalf("model metadata: %d %s", rec.Code, rec.Body)
	}
	// The 12 required fields of flow.Flow, in its order, with the
	// datatypes the issue names: BYTES for categories, FP64 and INT64 for
	// numbers (and BOOL for the flag).
	wantIn := []metadataTensor{
		{"src_device_type", "BYTES", []int{-1}}, {"src_department", "BYTES", []int{-1}},
		{"dst_device_type", "BYTES", []int{-1}}, {"dst_department", "BYTES", []int{-1}},
		{"protocol", "BYTES", []int{-1}}, {"bytes_sent", "FP64", []int{-1}},
		{"packets_sent", "INT64", []int{-1}}, {"duration", "FP64", []int{-1}},
		{"hour", "INT64", []int{-1}}, {"is_business_hours", "BOOL", []int{-1}},
		{"cpu_usage", "FP64", []int{-1}}, {"ports_contacted", "INT64", []int{-1}},
	}
	if diff := cmp.Diff(wantIn, md.Inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	var outNames []string
	for _, o := range md.Outputs {
		outNames = append(outNames, o.Name+" "+o.Datatype)
	}
	if diff := cmp.Diff([]string{"anomaly_probability FP64", "is_anomaly BOOL", "risk_level BYTES", "recommended_action BYTES", "attack_type BYTES", "attack_confidence FP64"}, outNames); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if md.Name != "flows" || md.Platform == "" || md.Versions == nil {
		t.Errorf("metadata %+v", md)
	}
}

// TestV2InferEqualsScore sends the same flows to /v1/score and to the V2
// infer endpoint: the outputs are the results' fields, the same numbers
// bit for bit, in the flows' order.
func TestV2InferEqualsScore(t *testing.T) {
	h := New(servetest.Model(t), Options{})
	flows := sampleFlows(t, 300)
	var objects []string
	for _, f := range flows {
		objects = append(objects, servetest.FlowJSON(t, f, nil))
	}
	rec := do(h, "POST", "/v1/score", "application/json", strings.NewReader(batchJSON(objects...)))
	var v1 batchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &v1); err != nil || rec.Code != 200 {
		t.Fatalf("/v1/score: %d %s", rec.Code, rec.Body)
	}
	for _, shape := range []string{"[N]", "[N, 1] nested"} {
		body := inferBody(flows, func(inputs []map[string]any) []map[string]any {
			if shape == "[N]" {
				return inputs
			}
			for _, in := range inputs {
				data := in["data"].([]any)
				nested := make([][]any, len(data))
				for i, v := range data {
					nested[i] = []any{v}
				}
				in["shape"], in["data"] = []int{len(data), 1}, nested
			}
			return inputs
		})
		rec = do(h, "POST", "/v2/models/segharness/infer", "application/json", strings.NewReader(body))
		var v2 inferResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &v2); err != nil || rec.Code != 200 {
			t.Fatalf("%s: infer: %d %s", shape, rec.Code, rec.Body)
		}
		if v2.ModelName != "segharness" || v2.ID == nil || *v2.ID != "42" || len(v2.Outputs) != len(v2Outputs) {
			t.Fatalf("%s: response %+v", shape, v2)
		}
		got := make([]scoring.Result, len(flows))
		for _, out := range v2.Outputs {
			data := out.Data.([]any)
			if len(data) != len(flows) || !cmp.Equal(out.Shape, []int{len(flows)}) {
				t.Fatalf("%s: output %s: shape %v, %d values", shape, out.Name, out.Shape, len(data))
			}
			for i, v := range data {
				r := &got[i]
				switch out.Name {
				case "anomaly_probability":
					r.AnomalyProbability = v.(float64)
				case "is_anomaly":
					r.IsAnomaly = v.(bool)
				case "risk_level":
					r.RiskLevel = v.(string)
				case "recommended_action":
					r.RecommendedAction = v.(string)
				case "attack_type":
					r.MostLikelyAttackType = v.(string)
				case "attack_confidence":
					r.AttackConfidence = v.(float64)
				}
			}
		}
		if diff := cmp.Diff(v1.Results, got); diff != "" {
			t.Errorf("%s: V2 outputs differ from /v1/score's results (-v1 +v2):\n%s", shape, diff)
		}
	}

	// Requested outputs: those only, in the order asked.
	body := strings.Replace(inferBody(flows[:2], nil), `"id":"42"`, `"id":"7","outputs":[{"name":"risk_level"},{"name":"anomaly_probability","parameters":{"content_type":"np"}}]`, 1)
	rec = do(h, "POST", "/v2/models/segharness/infer", "application/json", strings.NewReader(body))
	var sub inferResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &sub); err != nil || rec.Code != 200 {
		t.Fatalf("requested outputs: %d %s", rec.Code, rec.Body)
	}
	if len(sub.Outputs) != 2 || sub.Outputs[0].Name != "risk_level" || sub.Outputs[1].Name != "anomaly_probability" || *sub.ID != "7" {
		t.Errorf("requested outputs: %s", rec.Body)
	}
}

// TestV2Errors sends bad requests, each answered in the protocol's error
// form {"error": "..."} with the status the specification asks for
// (typically 400), the message naming what is wrong.
func TestV2Errors(t *testing.T) {
	h := New(servetest.Model(t), Options{MaxBatch: 5})
	flows := sampleFlows(t, 3)
	good := inferBody(flows, nil)
	edit := func(f func(inputs []map[string]any)) string {
		return inferBody(flows, func(in []map[string]any) []map[string]any { f(in); return in })
	}
	byName := func(inputs []map[string]any, name string) map[string]any {
		for _, in := range inputs {
			if in["name"] == name {
				return in
			}
		}
		panic(name)
	}
	// The specification's own example request (inference_rest.md,
	// Inference Request Examples): valid in form, for another model.
	specExample := `{
      "id" : "42",
      "inputs" : [
        {"name" : "input0", "shape" : [ 2, 2 ], "datatype" : "UINT32", "data" : [ 1, 2, 3, 4 ]},
        {"name" : "input1", "shape" : [ 3 ], "datatype" : "BOOL", "data" : [ true ]}
      ],
      "outputs" : [ {"name" : "output0"} ]
    }`
	for _, tc := range []struct {
		name, path, body string
		code             int
		err              string // a substring of the error
	}{
		{"spec example", "", specExample, 400, `inputs[0]: unknown input "input0"; the inputs are src_device_type, `},
		{"unknown model", "/v2/models/other/infer", good, 404, `unknown model "other": this server serves "segharness"`},
		{"versions", "/v2/models/segharness/versions/1/infer", good, 404, "no endpoint /v2/models/segharness/versions/1/infer"},
		{"empty", "", "", 400, "empty body"},
		{"not JSON", "", "{", 400, "not JSON"},
		{"case-sensitive keys", "", strings.Replace(good, `"inputs"`, `"Inputs"`, 1), 400, `unknown field "Inputs" in the request`},
		{"repeated key", "", strings.Replace(good, `{"id":"42",`, `{"id":"1","id":"42",`, 1), 400, `field "id" given twice`},
		{"no inputs", "", `{"id": "1"}`, 400, `missing field "inputs"`},
		{"missing input", "", inferBody(flows, func(in []map[string]any) []map[string]any {
			return slices.DeleteFunc(in, func(m map[string]any) bool { return m["name"] == "hour" })
		}), 400, "missing input tensors: hour (INT64)"},
		{"input twice", "", strings.Replace(good, `"name":"protocol"`, `"name":"src_department"`, 1), 400, `input "src_department" given twice`},
		{"wrong datatype", "", edit(func(in []map[string]any) { byName(in, "protocol")["datatype"] = "INT64" }), 400, `"protocol": datatype INT64, want BYTES`},
		{"string for a number", "", edit(func(in []map[string]any) { byName(in, "bytes_sent")["data"] = []any{"1", 2, 3} }), 400, `"bytes_sent": data[0]: want a number (FP64), got a string`},
		{"fraction for INT64", "", edit(func(in []map[string]any) { byName(in, "hour")["data"] = []any{1.5, 2, 3} }), 400, `"hour": data[0]: 1.5 is not an integer, as INT64 values are`},
		{"UINT8 range", "", edit(func(in []map[string]any) {
			byName(in, "ports_contacted")["datatype"] = "UINT8"
			byName(in, "ports_contacted")["data"] = []any{300, 2, 3}
		}), 400, "300 is outside UINT8's range"},
		{"shape and data", "", edit(func(in []map[string]any) { byName(in, "duration")["shape"] = []int{2} }), 400, `"duration": data: more values than the shape's 2`},
		{"too few values", "", edit(func(in []map[string]any) { byName(in, "duration")["shape"] = []int{4} }), 400, `"duration": shape [4] holds 4 values, data has 3`},
		{"shapes differ", "", edit(func(in []map[string]any) {
			d := byName(in, "duration")
			d["shape"], d["data"] = []int{2}, d["data"].([]any)[:2]
		}), 400, `shape [2], but src_device_type [3] has 3 flows`},
		{"bad shape", "", edit(func(in []map[string]any) { byName(in, "duration")["shape"] = []int{3, 2} }), 400, `shape [3, 2]: want [N] or [N, 1]`},
		{"deep nesting", "", edit(func(in []map[string]any) {
			d := byName(in, "duration")
			d["shape"], d["data"] = []int{3, 1}, []any{[]any{[]any{1.0}}, []any{2.0}, []any{3.0}}
		}), 400, "nested deeper than the shape"},
		{"binary data", "", strings.Replace(good, `{"id":"42",`, `{"id":"42","parameters":{"binary_data_output":true},`, 1), 400, "binary tensor data extension is not supported"},
		{"no data", "", edit(func(in []map[string]any) { delete(byName(in, "duration"), "data") }), 400, `missing field "data"`},
		{"unknown output", "", strings.Replace(good, `{"id":"42",`, `{"id":"42","outputs":[{"name":"score"}],`, 1), 400, `outputs[0]: unknown output "score"`},
		{"invalid flow", "", edit(func(in []map[string]any) { byName(in, "hour")["data"] = []any{25, 1, 2} }), 400, "1 of 3 flows are invalid; none was scored: flow 0: hour"},
		{"unknown category", "", edit(func(in []map[string]any) { byName(in, "protocol")["data"] = []any{"SCTP", "TCP", "TCP"} }), 400, "flow 0: protocol"},
		{"too many flows", "", inferBody(sampleFlows(t, 6), nil), 413, "a batch of 6 flows, more than 5"},
		{"trailing data", "", good + "{}", 400, "data after the object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/v2/models/segharness/infer"
			}
			rec := do(h, "POST", path, "application/json", strings.NewReader(tc.body))
			var eb map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil {
				t.Fatalf("%d %q: not JSON", rec.Code, rec.Body)
			}
			msg, _ := eb["error"].(string)
			if rec.Code != tc.code || !strings.Contains(msg, tc.err) || len(eb) != 1 {
				t.Errorf("%d %s, want %d and {\"error\"} saying %q", rec.Code, rec.Body, tc.code, tc.err)
			}
		})
	}
	// Methods: the metadata takes GET, infer POST.
	if rec := do(h, "POST", "/v2/models/segharness", "application/json", strings.NewReader("{}")); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST metadata: %d", rec.Code)
	}
	if rec := do(h, "GET", "/v2/models/segharness/infer", "", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET infer: %d", rec.Code)
	}
}

// TestV2Metrics: the V2 endpoints are counted under their path with
// {name}, whatever the model's name.
func TestV2Metrics(t *testing.T) {
	h := New(servetest.Model(t), Options{ModelName: "m1"})
	do(h, "POST", "/v2/models/m1/infer", "application/json", strings.NewReader(inferBody(sampleFlows(t, 4), nil)))
	do(h, "GET", "/v2/health/live", "", nil)
	do(h, "GET", "/v2/models/zzz", "", nil)
	text := metricsText(t, h)
	for _, want := range []string{
		`harness_serve_requests_total{code="200",endpoint="/v2/models/{name}/infer"} 1`,
		`harness_serve_requests_total{code="200",endpoint="/v2/health/live"} 1`,
		`harness_serve_requests_total{code="404",endpoint="other"} 1`,
		`harness_serve_request_duration_seconds_count{endpoint="/v2/models/{name}/ready"} 0`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	flows := 0
	for _, rl := range []string{"HIGH", "MEDIUM", "LOW"} {
		var n int
		line := grep(text, `harness_serve_flows_scored_total{risk_level="`+rl+`"} `)
		fmt.Sscanf(strings.TrimPrefix(line, `harness_serve_flows_scored_total{risk_level="`+rl+`"} `), "%d", &n)
		flows += n
	}
	if flows != 4 {
		t.Errorf("%d flows counted as scored, want 4", flows)
	}
}

// FuzzInfer: any body gives a parsed request or an error with a status,
// never a panic; a parsed request has one flow per value and valid
// output indexes.
func FuzzInfer(f *testing.F) {
	f.Add([]byte(`{"inputs":[{"name":"hour","shape":[1],"datatype":"INT64","data":[3]}]}`))
	f.Add([]byte(`{"id":"1","parameters":{"a":1},"inputs":[],"outputs":[{"name":"risk_level"}]}`))
	f.Add([]byte(`{"inputs":[{"name":"duration","shape":[2,1],"datatype":"FP32","data":[[1],[2]]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, code, err := parseInferRequest(body, 100)
		if err != nil {
			if code != 400 && code != 413 {
				t.Fatalf("error %v with status %d", err, code)
			}
			return
		}
		if len(req.flows) == 0 || len(req.flows) > 100 {
			t.Fatalf("%d flows", len(req.flows))
		}
		for _, k := range req.outputs {
			if k < 0 || k >= len(v2Outputs) {
				t.Fatalf("output %d", k)
			}
		}
	})
}
