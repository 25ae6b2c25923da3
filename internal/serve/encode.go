package serve

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
)

// The answers of /v1/score and /v1/decide are encoded by hand: the bytes
// encoding/json writes for them (a json.Encoder with SetEscapeHTML(false),
// as writeJSON uses), without its reflection and allocations, which took
// a third of the handler's time for a single flow. Each append function
// reports false, leaving the answer to writeJSON, for a value it does not
// write as encoding/json would: a string with a byte that encoding/json
// escapes or that is not ASCII, or a NaN or infinite float (an error of
// encoding/json's). TestEncodeAsJSON and FuzzEncodeAsJSON hold them to
// encoding/json's bytes.

// answerPool holds the buffers of encoded answers.
var answerPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeAnswer writes v, a *scoring.Result, *Decision, batchResponse or
// decideResponse, as writeJSON does, and reports whether the client took
// all of it.
func writeAnswer(w http.ResponseWriter, code int, v any) bool {
	p := answerPool.Get().(*[]byte)
	b, ok := appendAnswer((*p)[:0], v)
	if !ok {
		answerPool.Put(p)
		return writeJSON(w, code, v)
	}
	b = append(b, '\n') // as json.Encoder ends every value
	taken := writeBody(w, code, b)
	if cap(b) <= maxPooledBuffer {
		*p = b
		answerPool.Put(p)
	}
	return taken
}

// appendAnswer appends v, a *scoring.Result, *Decision, batchResponse or
// decideResponse, as encoding/json encodes it.
func appendAnswer(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case *scoring.Result:
		return appendResult(b, v)
	case *Decision:
		return appendDecision(b, v)
	case batchResponse:
		return appendList(b, `{"results":`, v.Results, appendResult)
	case decideResponse:
		return appendList(b, `{"decisions":`, v.Decisions, appendDecision)
	}
	return b, false
}

// appendList appends {"key":[v, ...]} (prefix is {"key":), or
// {"key":null} for a nil list.
func appendList[T any](b []byte, prefix string, list []T, appendOne func([]byte, *T) ([]byte, bool)) ([]byte, bool) {
	b = append(b, prefix...)
	if list == nil {
		return append(b, "null}"...), true
	}
	b = append(b, '[')
	for i := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendOne(b, &list[i]); !ok {
			return b, false
		}
	}
	return append(b, "]}"...), true
}

// appendResult appends a scoring.Result.
func appendResult(b []byte, r *scoring.Result) ([]byte, bool) {
	b = append(b, '{')
	b, ok := appendResultFields(b, r)
	return append(b, '}'), ok
}

// appendResultFields appends a scoring.Result's fields, in its order.
func appendResultFields(b []byte, r *scoring.Result) ([]byte, bool) {
	ok := true
	b = append(b, `"anomaly_probability":`...)
	b, ok = appendFloat(b, r.AnomalyProbability, ok)
	b = append(b, `,"is_anomaly":`...)
	b = strconv.AppendBool(b, r.IsAnomaly)
	b = append(b, `,"risk_level":`...)
	b, ok = appendString(b, r.RiskLevel, ok)
	b = append(b, `,"recommended_action":`...)
	b, ok = appendString(b, r.RecommendedAction, ok)
	b = append(b, `,"most_likely_attack_type":`...)
	b, ok = appendString(b, r.MostLikelyAttackType, ok)
	b = append(b, `,"attack_confidence":`...)
	b, ok = appendFloat(b, r.AttackConfidence, ok)
	return b, ok
}

// appendDecision appends a Decision: its own fields, its Result's
// (embedded), then its actions, left out when there are none.
func appendDecision(b []byte, d *Decision) ([]byte, bool) {
	ok := true
	b = append(b, `{"decision":`...)
	b, ok = appendString(b, d.Decision, ok)
	b = append(b, `,"rule":`...)
	b, ok = appendString(b, d.Rule, ok)
	b = append(b, `,"rules":`...)
	if d.Rules == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range d.Rules {
			if i > 0 {
				b = append(b, ',')
			}
			b, ok = appendString(b, r, ok)
		}
		b = append(b, ']')
	}
	b = append(b, ',')
	b, ok2 := appendResultFields(b, &d.Result)
	ok = ok && ok2
	if len(d.Actions) > 0 {
		b = append(b, `,"actions":[`...)
		for i := range d.Actions {
			if i > 0 {
				b = append(b, ',')
			}
			b, ok = appendAction(b, &d.Actions[i], ok)
		}
		b = append(b, ']')
	}
	return append(b, '}'), ok
}

// appendAction appends a policy.Action.
func appendAction(b []byte, a *policy.Action, ok bool) ([]byte, bool) {
	b = append(b, `{"step":`...)
	b = strconv.AppendInt(b, int64(a.Step), 10)
	b = append(b, `,"kind":`...)
	b, ok = appendString(b, a.Kind, ok)
	b = append(b, `,"target":`...)
	b, ok = appendString(b, a.Target, ok)
	b = append(b, `,"text":`...)
	b, ok = appendString(b, a.Text, ok)
	return append(b, '}'), ok
}

// appendFloat appends f as encoding/json encodes a float64 (its
// floatEncoder: ES6's number to string conversion), and ok, or false for
// a NaN or infinity, which encoding/json refuses.
func appendFloat(b []byte, f float64, ok bool) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, ok
}

// appendString appends s quoted and ok, or false if s has a byte that
// encoding/json escapes (a quote, a backslash, a control character) or
// that is not ASCII (which it may replace or escape).
func appendString(b []byte, s string, ok bool) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), ok
}
