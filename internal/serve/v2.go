package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/scoring"
)

// The Open Inference Protocol (KServe's V2 protocol, REST), so that the
// clients of KServe, Triton and Seldon call the scorer unchanged:
// https://github.com/kserve/open-inference-protocol, specification/
// protocol/inference_rest.md. A flow's fields are named input tensors of
// shape [N] (or [N, 1]), a batch of N flows; the outputs are the fields
// of /v1/score's result, the same numbers.

// DefaultModelName names the model in the V2 paths when Options.ModelName
// is empty.
const DefaultModelName = "segharness"

// v2Platform is the model metadata's platform ("<project>_<format>").
const v2Platform = "segharness_forest"

// Datatypes of the protocol's tensors that the flow's fields take.
const (
	dtBytes = "BYTES"
	dtFP64  = "FP64"
	dtInt64 = "INT64"
	dtBool  = "BOOL"
)

// numericTypes are the datatypes a numeric field accepts, with each
// integer type's range; a float field takes any of them, an integer
// field also the floating types with integral values.
var numericTypes = map[string][2]float64{
	"FP64": {-math.MaxFloat64, math.MaxFloat64}, "FP32": {-math.MaxFloat32, math.MaxFloat32},
	"INT8": {math.MinInt8, math.MaxInt8}, "INT16": {math.MinInt16, math.MaxInt16},
	"INT32": {math.MinInt32, math.MaxInt32}, "INT64": {-(1 << 53), 1 << 53},
	"UINT8": {0, math.MaxUint8}, "UINT16": {0, math.MaxUint16}, "UINT32": {0, math.MaxUint32}, "UINT64": {0, 1 << 53},
}

// v2Outputs are the output tensors, in the order the metadata lists them.
var v2Outputs = []struct {
	name, datatype string
	get            func(r *scoring.Result) any
}{
	{"anomaly_probability", dtFP64, func(r *scoring.Result) any { return r.AnomalyProbability }},
	{"is_anomaly", dtBool, func(r *scoring.Result) any { return r.IsAnomaly }},
	{"risk_level", dtBytes, func(r *scoring.Result) any { return r.RiskLevel }},
	{"recommended_action", dtBytes, func(r *scoring.Result) any { return r.RecommendedAction }},
	{"attack_type", dtBytes, func(r *scoring.Result) any { return r.MostLikelyAttackType }},
	{"attack_confidence", dtFP64, func(r *scoring.Result) any { return r.AttackConfidence }},
}

// v2Input is how a flow field travels as an input tensor.
type v2Input struct {
	name     string
	datatype string // the metadata's
	kind     byte   // 's' string, 'f' float, 'i' integer, 'b' bool
	optional bool
}

// v2Inputs are flow.Flow's fields as input tensors, in its order.
var v2Inputs = []v2Input{
	{flow.ColSrcDeviceType, dtBytes, 's', false},
	{flow.ColSrcDepartment, dtBytes, 's', false},
	{flow.ColDstDeviceType, dtBytes, 's', false},
	{flow.ColDstDepartment, dtBytes, 's', false},
	{flow.ColProtocol, dtBytes, 's', false},
	{flow.ColBytesSent, dtFP64, 'f', false},
	{flow.ColPacketsSent, dtInt64, 'i', false},
	{flow.ColDuration, dtFP64, 'f', false},
	{flow.ColHour, dtInt64, 'i', false},
	{flow.ColIsBusinessHours, dtBool, 'b', false},
	{flow.ColCPUUsage, dtFP64, 'f', false},
	{flow.ColPortsContacted, dtInt64, 'i', false},
	{flow.ColSameDept, dtBool, 'b', true},
	{flow.ColCrossDept, dtBool, 'b', true},
}

// v2 is the handler's V2 state: the model's name and the fixed bodies.
type v2 struct {
	name           string
	serverMetadata []byte
	modelMetadata  []byte
	modelReady     []byte
}

type metadataTensor struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"`
}

func newV2(name string) *v2 {
	version := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	marshal := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("serve: encoding V2 metadata: %v", err)) // strings and ints: not reached
		}
		return append(b, '\n')
	}
	md := struct {
		Name     string           `json:"name"`
		Versions []string         `json:"versions"`
		Platform string           `json:"platform"`
		Inputs   []metadataTensor `json:"inputs"`
		Outputs  []metadataTensor `json:"outputs"`
	}{Name: name, Versions: []string{}, Platform: v2Platform}
	for _, in := range v2Inputs {
		if !in.optional {
			md.Inputs = append(md.Inputs, metadataTensor{in.name, in.datatype, []int{-1}})
		}
	}
	for _, out := range v2Outputs {
		md.Outputs = append(md.Outputs, metadataTensor{out.name, out.datatype, []int{-1}})
	}
	return &v2{
		name: name,
		serverMetadata: marshal(struct {
			Name       string   `json:"name"`
			Version    string   `json:"version"`
			Extensions []string `json:"extensions"`
		}{"segharness", version, []string{}}),
		modelMetadata: marshal(md),
		modelReady: marshal(struct {
			Name  string `json:"name"`
			Ready bool   `json:"ready"`
		}{name, true}),
	}
}

// V2 paths.
func (v *v2) modelPath() string { return "/v2/models/" + v.name }

// v2Routes are the V2 endpoints, each with its metrics label (the path
// with {name} for the model's name).
func (h *Handler) v2Routes() []route {
	v := h.v2
	fixed := func(body []byte) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeBody(w, http.StatusOK, body) })
	}
	return []route{
		{http.MethodGet, "/v2", fixed(v.serverMetadata), "use GET", "/v2"},
		{http.MethodGet, "/v2/health/live", fixed([]byte("{\"live\":true}\n")), "use GET", "/v2/health/live"},
		{http.MethodGet, "/v2/health/ready", fixed([]byte("{\"ready\":true}\n")), "use GET", "/v2/health/ready"},
		{http.MethodGet, v.modelPath(), fixed(v.modelMetadata), "use GET", "/v2/models/{name}"},
		{http.MethodGet, v.modelPath() + "/ready", fixed(v.modelReady), "use GET", "/v2/models/{name}/ready"},
		{http.MethodPost, v.modelPath() + "/infer", h.requireJSON(h.limitBody(http.HandlerFunc(h.infer))),
			"POST an inference request", "/v2/models/{name}/infer"},
	}
}

// infer answers POST /v2/models/<name>/infer, under requireJSON and
// limitBody.
func (h *Handler) infer(w http.ResponseWriter, r *http.Request) {
	buf := getBuffer()
	defer putBuffer(buf)
	if !h.readBody(w, r, buf) {
		return
	}
	req, code, err := parseInferRequest(buf.Bytes(), h.opts.MaxBatch)
	if err != nil {
		reason := reasonBadRequest
		if code == http.StatusRequestEntityTooLarge {
			reason = reasonTooLarge
		}
		h.fail(w, code, reason, err.Error())
		return
	}
	results := make([]scoring.Result, len(req.flows))
	errs := make([]error, len(req.flows))
	bad := 0
	for i := range req.flows {
		if err := req.flows[i].Validate(); err != nil {
			errs[i] = err
			bad++
		}
	}
	if bad == 0 {
		for i, err := range h.model.ScoreBatch(req.flows, results, h.opts.Workers) {
			if err != nil {
				errs[i] = err
				bad++
			}
		}
	}
	if bad > 0 {
		h.metrics.invalid.Add(float64(bad))
		var msgs []string
		for i, err := range errs {
			if err == nil {
				continue
			}
			if len(msgs) == 10 {
				msgs = append(msgs, fmt.Sprintf("and %d more", bad-10))
				break
			}
			msgs = append(msgs, fmt.Sprintf("flow %d: %v", i, err))
		}
		h.fail(w, http.StatusBadRequest, reasonInvalidFlow,
			fmt.Sprintf("%d of %d flows are invalid; none was scored: %s", bad, len(req.flows), strings.Join(msgs, "; ")))
		return
	}
	h.metrics.scoredResults(results)
	if !writeJSON(w, http.StatusOK, h.v2.response(req, results)) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// inferResponse is the protocol's inference response.
type inferResponse struct {
	ModelName string         `json:"model_name"`
	ID        *string        `json:"id,omitempty"`
	Outputs   []outputTensor `json:"outputs"`
}

type outputTensor struct {
	Name     string `json:"name"`
	Shape    []int  `json:"shape"`
	Datatype string `json:"datatype"`
	Data     any    `json:"data"`
}

// response builds the outputs requested (all of them when none were
// named), each of shape [N].
func (v *v2) response(req *inferRequest, results []scoring.Result) inferResponse {
	resp := inferResponse{ModelName: v.name, ID: req.id}
	for _, k := range req.outputs {
		out := v2Outputs[k]
		t := outputTensor{Name: out.name, Shape: []int{len(results)}, Datatype: out.datatype}
		switch out.datatype {
		case dtFP64:
			d := make([]float64, len(results))
			for i := range results {
				d[i] = out.get(&results[i]).(float64)
			}
			t.Data = d
		case dtBool:
			d := make([]bool, len(results))
			for i := range results {
				d[i] = out.get(&results[i]).(bool)
			}
			t.Data = d
		default:
			d := make([]string, len(results))
			for i := range results {
				d[i] = out.get(&results[i]).(string)
			}
			t.Data = d
		}
		resp.Outputs = append(resp.Outputs, t)
	}
	return resp
}

// inferRequest is a parsed inference request: its id, the flows of its
// input tensors, and the outputs to return (indexes into v2Outputs).
type inferRequest struct {
	id      *string
	flows   []flow.Flow
	outputs []int
}

// parseInferRequest reads an inference request strictly: keys are
// case-sensitive, none unknown or repeated; every required input present
// once with an accepted datatype, a shape of [N] or [N, 1] (one N for
// all) and N values, flat or nested; outputs among the model's. The
// binary tensor data extension is refused. Errors are 400, a batch of
// more than max flows 413.
func parseInferRequest(body []byte, max int) (*inferRequest, int, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, http.StatusBadRequest, errors.New("empty body: want an inference request {\"inputs\": [...]}")
	}
	top, err := strictObject(body, "the request")
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	req := &inferRequest{}
	for _, k := range top.keys {
		switch k {
		case "id", "parameters", "inputs", "outputs":
		default:
			return nil, http.StatusBadRequest, fmt.Errorf("unknown field %q in the request (the fields are id, parameters, inputs and outputs; names are case-sensitive)", truncate(k, 100))
		}
	}
	if raw, ok := top.values["id"]; ok {
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return nil, http.StatusBadRequest, errors.New("id: want a string")
		}
		req.id = &id
	}
	if raw, ok := top.values["parameters"]; ok {
		if err := checkParameters(raw, "parameters"); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	rawInputs, ok := top.values["inputs"]
	if !ok {
		return nil, http.StatusBadRequest, errors.New("missing field \"inputs\": one tensor per flow field")
	}
	var inputs []json.RawMessage
	if err := json.Unmarshal(rawInputs, &inputs); err != nil || inputs == nil {
		return nil, http.StatusBadRequest, errors.New("inputs: want an array of input tensors")
	}
	n := -1
	columns := make([][]any, len(v2Inputs))
	shapeOf := make([]string, len(v2Inputs))
	for i, raw := range inputs {
		k, values, shape, code, err := parseInput(raw, i, max)
		if err != nil {
			return nil, code, err
		}
		if columns[k] != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("inputs[%d]: input %q given twice", i, v2Inputs[k].name)
		}
		if n >= 0 && len(values) != n {
			return nil, http.StatusBadRequest, fmt.Errorf("inputs[%d] %q: shape %s, but %s has %d flows: every input has one value per flow", i, v2Inputs[k].name, shape, firstShaped(shapeOf), n)
		}
		n = len(values)
		columns[k], shapeOf[k] = values, v2Inputs[k].name+" "+shape
	}
	var missing []string
	for k, in := range v2Inputs {
		if columns[k] == nil && !in.optional {
			missing = append(missing, fmt.Sprintf("%s (%s)", in.name, in.datatype))
		}
	}
	if len(missing) > 0 {
		return nil, http.StatusBadRequest, fmt.Errorf("missing input tensors: %s (GET /v2/models/<name> lists the inputs)", strings.Join(missing, ", "))
	}
	req.flows = make([]flow.Flow, n)
	for i := range req.flows {
		f := &req.flows[i]
		f.SrcDeviceType, f.SrcDepartment = columns[0][i].(string), columns[1][i].(string)
		f.DstDeviceType, f.DstDepartment, f.Protocol = columns[2][i].(string), columns[3][i].(string), columns[4][i].(string)
		f.BytesSent, f.PacketsSent, f.Duration = columns[5][i].(float64), columns[6][i].(int64), columns[7][i].(float64)
		f.Hour, f.IsBusinessHours, f.CPUUsage = columns[8][i].(int64), columns[9][i].(bool), columns[10][i].(float64)
		f.PortsContacted = columns[11][i].(int64)
		if columns[12] != nil {
			b := columns[12][i].(bool)
			f.SameDept = &b
		}
		if columns[13] != nil {
			b := columns[13][i].(bool)
			f.CrossDept = &b
		}
	}

	if raw, ok := top.values["outputs"]; ok {
		var outs []json.RawMessage
		if err := json.Unmarshal(raw, &outs); err != nil || outs == nil {
			return nil, http.StatusBadRequest, errors.New("outputs: want an array of {\"name\": ...}")
		}
		for i, o := range outs {
			k, err := parseOutput(o, i)
			if err != nil {
				return nil, http.StatusBadRequest, err
			}
			if slices.Contains(req.outputs, k) {
				return nil, http.StatusBadRequest, fmt.Errorf("outputs[%d]: %q requested twice", i, v2Outputs[k].name)
			}
			req.outputs = append(req.outputs, k)
		}
	}
	if len(req.outputs) == 0 {
		for k := range v2Outputs {
			req.outputs = append(req.outputs, k)
		}
	}
	return req, 0, nil
}

func firstShaped(shapeOf []string) string {
	for _, s := range shapeOf {
		if s != "" {
			return s
		}
	}
	return "another input"
}

// parseInput reads input tensor i: its field (index into v2Inputs), its
// values converted for the field, and its shape as text.
func parseInput(raw json.RawMessage, i, max int) (k int, values []any, shape string, code int, err error) {
	bad := func(format string, args ...any) (int, []any, string, int, error) {
		return 0, nil, "", http.StatusBadRequest, fmt.Errorf("inputs[%d]: "+format, append([]any{i}, args...)...)
	}
	obj, err := strictObject(raw, fmt.Sprintf("inputs[%d]", i))
	if err != nil {
		return bad("%v", strings.TrimPrefix(err.Error(), fmt.Sprintf("inputs[%d]: ", i)))
	}
	for _, key := range obj.keys {
		switch key {
		case "name", "shape", "datatype", "parameters", "data":
		default:
			return bad("unknown field %q (an input tensor has name, shape, datatype, parameters and data)", truncate(key, 100))
		}
	}
	var name, datatype string
	if err := json.Unmarshal(obj.values["name"], &name); err != nil || obj.values["name"] == nil {
		return bad("name: want a string")
	}
	k = slices.IndexFunc(v2Inputs, func(in v2Input) bool { return in.name == name })
	if k < 0 {
		names := make([]string, len(v2Inputs))
		for j, in := range v2Inputs {
			names[j] = in.name
		}
		return bad("unknown input %q; the inputs are %s", truncate(name, 100), strings.Join(names, ", "))
	}
	in := v2Inputs[k]
	at := func(format string, args ...any) (int, []any, string, int, error) {
		return bad("%q: "+format, append([]any{name}, args...)...)
	}
	if err := json.Unmarshal(obj.values["datatype"], &datatype); err != nil || obj.values["datatype"] == nil {
		return at("datatype: want a string such as %s", in.datatype)
	}
	switch in.kind {
	case 's', 'b':
		if datatype != in.datatype {
			return at("datatype %s, want %s", truncate(datatype, 20), in.datatype)
		}
	default:
		if _, ok := numericTypes[datatype]; !ok {
			return at("datatype %s, want %s (or another numeric type)", truncate(datatype, 20), in.datatype)
		}
	}
	if raw, ok := obj.values["parameters"]; ok {
		if err := checkParameters(raw, fmt.Sprintf("inputs[%d].parameters", i)); err != nil {
			return 0, nil, "", http.StatusBadRequest, err
		}
	}
	var dims []int64
	if err := json.Unmarshal(obj.values["shape"], &dims); err != nil || obj.values["shape"] == nil {
		return at("shape: want an array of non-negative integers")
	}
	shape = strings.ReplaceAll(fmt.Sprint(dims), " ", ", ")
	if len(dims) == 0 || len(dims) > 2 || dims[0] < 1 || len(dims) == 2 && dims[1] != 1 {
		return at("shape %s: want [N] or [N, 1], N flows (N >= 1)", shape)
	}
	if dims[0] > int64(max) {
		return 0, nil, "", http.StatusRequestEntityTooLarge,
			fmt.Errorf("inputs[%d] %q: a batch of %d flows, more than %d: send at most %d per request", i, name, dims[0], max, max)
	}
	rawData, ok := obj.values["data"]
	if !ok {
		return at("missing field \"data\" (the binary tensor data extension is not supported)")
	}
	dec := json.NewDecoder(bytes.NewReader(rawData))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return at("data: %v", err)
	}
	var flat []any
	if err := flatten(data, &flat, int(dims[0]), 0); err != nil {
		return at("data: %v", err)
	}
	if int64(len(flat)) != dims[0] {
		return at("shape %s holds %d values, data has %d", shape, dims[0], len(flat))
	}
	values = make([]any, len(flat))
	for j, v := range flat {
		if values[j], err = convert(v, in, datatype); err != nil {
			return at("data[%d]: %v", j, err)
		}
	}
	return k, values, shape, 0, nil
}

// flatten appends data's scalars in row-major order: a flat array, or
// nested arrays (at most two levels, the shape's); more than limit
// values is an error.
func flatten(data any, out *[]any, limit, depth int) error {
	arr, ok := data.([]any)
	if !ok {
		if depth == 0 {
			return errors.New("want an array of values")
		}
		if len(*out) == limit {
			return fmt.Errorf("more values than the shape's %d", limit)
		}
		*out = append(*out, data)
		return nil
	}
	if depth == 2 {
		return errors.New("arrays nested deeper than the shape [N, 1]")
	}
	for _, v := range arr {
		if err := flatten(v, out, limit, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// convert turns a JSON scalar into the field's Go value: a string for
// BYTES, a bool for BOOL, a finite number for a float field, an integral
// number for an integer field, within datatype's range.
func convert(v any, in v2Input, datatype string) (any, error) {
	switch in.kind {
	case 's':
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string (BYTES), got %s", describeJSON(v))
		}
		return s, nil
	case 'b':
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false (BOOL), got %s", describeJSON(v))
		}
		return b, nil
	}
	num, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("want a number (%s), got %s", datatype, describeJSON(v))
	}
	x, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return nil, fmt.Errorf("%s is outside float64's range", truncate(string(num), 40))
	}
	r := numericTypes[datatype]
	isInt := strings.HasPrefix(datatype, "INT") || strings.HasPrefix(datatype, "UINT")
	if isInt && x != math.Trunc(x) {
		return nil, fmt.Errorf("%s is not an integer, as %s values are", num, datatype)
	}
	if x < r[0] || x > r[1] {
		return nil, fmt.Errorf("%s is outside %s's range", num, datatype)
	}
	if in.kind == 'i' {
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, fmt.Errorf("%s is not an integer", num)
		}
		return int64(x), nil
	}
	return x, nil
}

func describeJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "the number " + truncate(string(v), 40)
	}
	return "an array or object"
}

// parseOutput reads requested output i: its index into v2Outputs.
func parseOutput(raw json.RawMessage, i int) (int, error) {
	obj, err := strictObject(raw, fmt.Sprintf("outputs[%d]", i))
	if err != nil {
		return 0, err
	}
	for _, key := range obj.keys {
		if key != "name" && key != "parameters" {
			return 0, fmt.Errorf("outputs[%d]: unknown field %q (a requested output has name and parameters)", i, truncate(key, 100))
		}
	}
	if raw, ok := obj.values["parameters"]; ok {
		if err := checkParameters(raw, fmt.Sprintf("outputs[%d].parameters", i)); err != nil {
			return 0, err
		}
	}
	var name string
	if err := json.Unmarshal(obj.values["name"], &name); err != nil || obj.values["name"] == nil {
		return 0, fmt.Errorf("outputs[%d].name: want a string", i)
	}
	k := slices.IndexFunc(v2Outputs, func(o struct {
		name, datatype string
		get            func(r *scoring.Result) any
	}) bool {
		return o.name == name
	})
	if k < 0 {
		names := make([]string, len(v2Outputs))
		for j, o := range v2Outputs {
			names[j] = o.name
		}
		return 0, fmt.Errorf("outputs[%d]: unknown output %q; the outputs are %s", i, truncate(name, 100), strings.Join(names, ", "))
	}
	return k, nil
}

// checkParameters checks a parameters object: string, number or boolean
// values; the binary data extension's are refused, as it is not
// supported.
func checkParameters(raw json.RawMessage, at string) error {
	obj, err := strictObject(raw, at)
	if err != nil {
		return err
	}
	for _, key := range obj.keys {
		if strings.HasPrefix(key, "binary_data") {
			return fmt.Errorf("%s: %s: the binary tensor data extension is not supported; send the tensors as JSON", at, truncate(key, 100))
		}
		v := bytes.TrimSpace(obj.values[key])
		if len(v) == 0 || v[0] == '{' || v[0] == '[' || string(v) == "null" {
			return fmt.Errorf("%s: %s: a parameter is a string, a number or a boolean", at, truncate(key, 100))
		}
	}
	return nil
}

// object is a JSON object's keys, in order, and values.
type object struct {
	keys   []string
	values map[string]json.RawMessage
}

// strictObject reads data as exactly one JSON object whose keys are
// distinct (compared exactly), nothing after it.
func strictObject(data []byte, what string) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: not JSON: %v", what, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%s: want a JSON object", what)
	}
	obj := &object{values: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: not JSON: %v", what, err)
		}
		key := tok.(string) // an object's keys are strings
		if _, dup := obj.values[key]; dup {
			return nil, fmt.Errorf("%s: field %q given twice", what, truncate(key, 100))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %s: not JSON: %v", what, truncate(key, 100), err)
		}
		obj.keys = append(obj.keys, key)
		obj.values[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %v", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the object", what)
	}
	return obj, nil
}
