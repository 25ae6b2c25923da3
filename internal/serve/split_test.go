package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// topLevelKeys returns the keys of a valid JSON object, repeats included.
func topLevelKeys(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return keys
}

// FuzzSplitBatch checks splitBatch against encoding/json: it never
// panics; it accepts every valid {"flows": [...]} of 1 to max values with
// the values encoding/json finds; and when it accepts a body whose values
// are valid JSON, the body is valid JSON.
func FuzzSplitBatch(f *testing.F) {
	for _, s := range []string{
		`{"flows": [{"a": 1}, {"b": [1, {"c": "}]"}]}]}`,
		`{"flows": []}`,
		` {"flows":[1,"x",null,true,[],{}]} `,
		`{"flows": [{"a": "\"}"}], "x": 1}`,
		`{"flows": [{"a": 1},]}`,
		`{"flows": [{"a": 1}`,
		`{"flows": {"a": 1}}`,
		`{"\u0066lows": [{}]}`,
		`{"flows": [{}] } x`,
		`{"flows": [1 2]}`,
		`{"flows": [{}, {}, {}, {}, {}]}`,
		`{"flows": ["\\", "\\\""]}`,
	} {
		f.Add([]byte(s))
	}
	const max = 4
	f.Fuzz(func(t *testing.T, body []byte) {
		if !isBatch(body) {
			return
		}
		raws, code, err := splitBatch(body, max)
		if (err == nil) != (code == http.StatusOK) || err != nil && code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
			t.Fatalf("code %d with error %v", code, err)
		}
		var batch struct{ Flows []json.RawMessage }
		if json.Valid(body) && json.Unmarshal(body, &batch) == nil && len(topLevelKeys(body)) == 1 {
			n := len(batch.Flows)
			switch {
			case n == 0 || n > max:
				if err == nil {
					t.Fatalf("accepted %d flows", n)
				}
			case err != nil:
				t.Fatalf("refused a valid batch of %d flows: %v", n, err)
			case len(raws) != n:
				t.Fatalf("%d values, encoding/json finds %d", len(raws), n)
			default:
				for i, raw := range raws {
					var a, b bytes.Buffer
					json.Compact(&a, raw)
					json.Compact(&b, batch.Flows[i])
					if a.String() != b.String() {
						t.Fatalf("value %d is %s, encoding/json finds %s", i, raw, batch.Flows[i])
					}
				}
			}
		}
		if err != nil {
			return
		}
		for _, raw := range raws {
			if !json.Valid(raw) {
				return
			}
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON whose values are valid: %q", body)
		}
	})
}
