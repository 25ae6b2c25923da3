package scoring

import (
	"unicode/utf8"

	"github.com/segharness/harness/internal/flow"
)

// decodeFlowFast decodes the flows that clients send, one JSON object of
// known fields, each once, with plain strings (no escape), well-formed
// numbers and booleans, in one pass over data and with no allocation
// but the strings' (and same_dept and cross_dept's). It reports false,
// leaving the judgement to decodeFlowStrict, for anything else: a
// syntax it does not take (an escape, null, a nested value, an unknown
// or repeated key), a JSON error, a value of the wrong type or out of
// range, a missing field. When it reports true, decodeFlowStrict
// decodes data to the same flow without error (FuzzDecodeFlowFast): it
// takes a subset of the JSON decodeFlowStrict takes, and reads each value
// as it does (a string's bytes are its value when it has no escape and is
// valid UTF-8; a number's bytes go to the same parseNumber and
// parseInteger).
func decodeFlowFast(data []byte) (flow.Flow, bool) {
	var f flow.Flow
	var seen [len(flowFields)]bool
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return flow.Flow{}, false
	}
	i = skipWS(data, i+1)
	for {
		// A key.
		if i >= len(data) || data[i] != '"' {
			return flow.Flow{}, false
		}
		key, next, ok := plainString(data, i)
		if !ok {
			return flow.Flow{}, false
		}
		k := fieldIndexBytes(key)
		if k < 0 || seen[k] {
			return flow.Flow{}, false
		}
		seen[k] = true
		i = skipWS(data, next)
		if i >= len(data) || data[i] != ':' {
			return flow.Flow{}, false
		}
		i = skipWS(data, i+1)
		// Its value.
		if i >= len(data) {
			return flow.Flow{}, false
		}
		switch flowFields[k].kind {
		case kindString:
			if data[i] != '"' {
				return flow.Flow{}, false
			}
			s, next, ok := plainString(data, i)
			if !ok {
				return flow.Flow{}, false
			}
			*stringField(&f, k) = string(s)
			i = next
		case kindBool:
			var b bool
			switch {
			case hasLiteral(data, i, "true"):
				b, i = true, i+4
			case hasLiteral(data, i, "false"):
				b, i = false, i+5
			default:
				return flow.Flow{}, false
			}
			setBool(&f, flowFields[k].name, b)
		default: // kindNumber, kindInteger
			end, ok := scanNumber(data, i)
			if !ok {
				return flow.Flow{}, false
			}
			v := data[i:end]
			if flowFields[k].kind == kindNumber {
				x, err := parseNumber(v)
				if err != nil {
					return flow.Flow{}, false
				}
				*floatField(&f, k) = x
			} else {
				n, err := parseInteger(v)
				if err != nil {
					return flow.Flow{}, false
				}
				*intField(&f, k) = n
			}
			i = end
		}
		// A comma and the next key, or the end of the object.
		i = skipWS(data, i)
		if i >= len(data) {
			return flow.Flow{}, false
		}
		if data[i] == ',' {
			i = skipWS(data, i+1)
			continue
		}
		if data[i] != '}' {
			return flow.Flow{}, false
		}
		break
	}
	if skipWS(data, i+1) != len(data) {
		return flow.Flow{}, false
	}
	for k, field := range flowFields {
		if !seen[k] && !field.optional {
			return flow.Flow{}, false
		}
	}
	if f.Validate() != nil {
		return flow.Flow{}, false
	}
	return f, true
}

// skipWS skips JSON whitespace from data[i].
func skipWS(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// plainString returns the contents of the JSON string that starts at
// data[i] (a quote) and the index after it, if it has no escape and no
// control character and is valid UTF-8: a string whose value is its
// bytes.
func plainString(data []byte, i int) (s []byte, next int, ok bool) {
	ascii := true
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			s = data[i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, 0, false
}

// hasLiteral reports whether data holds lit at i.
func hasLiteral(data []byte, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// scanNumber returns the end of the JSON number that starts at data[i],
// by JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func scanNumber(data []byte, i int) (int, bool) {
	digits := func(j int) int {
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
		return j
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return 0, false
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// fieldIndexBytes is fieldIndex of a key's bytes.
func fieldIndexBytes(name []byte) int {
	for k, f := range flowFields {
		if string(name) == f.name {
			return k
		}
	}
	return -1
}
