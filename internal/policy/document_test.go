package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/seed"
)

// smallPolicy is smallFlows' policy with two behavioural clusters.
func smallPolicy(t testing.TB) *Policy {
	t.Helper()
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters = 2
	p, err := Recommend(smallFlows(), smallTrain, cfg, seed.New(5))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*policyconfig.Config)
	}{
		{"clusters", func(c *policyconfig.Config) { c.Clusters = 2 }},
		{"no clusters", func(c *policyconfig.Config) { c.Clusters = 0 }},
		{"by department", func(c *policyconfig.Config) { c.Segments = policyconfig.SegmentsDepartment }},
		{"no rules", func(c *policyconfig.Config) { c.MinFlows = 10 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := policyconfig.DefaultConfig()
			tt.edit(&cfg)
			p, err := Recommend(smallFlows(), smallTrain, cfg, seed.New(5))
			if err != nil {
				t.Fatal(err)
			}
			doc := encode(t, p)
			got, err := Decode(doc)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, doc)
			}
			if diff := cmp.Diff(p, got, cmpopts.IgnoreUnexported(Policy{})); diff != "" {
				t.Errorf("Decode(Encode(p)) mismatch (-want +got):\n%s", diff)
			}
			if again := encode(t, got); !bytes.Equal(doc, again) {
				t.Errorf("re-encoded document differs:\n%s\n%s", doc, again)
			}
			// The decoded policy decides as the original.
			for i := range smallFlows().Len() {
				fl := smallFlows().At(i)
				if a, b := p.Decide(&fl, 0.9), got.Decide(&fl, 0.9); a != b {
					t.Errorf("row %d: Decide %v before encoding, %v after", i, a, b)
				}
			}
		})
	}
}

// TestDocumentShape pins the top-level layout and a few values of the
// document (the order of fields is the Policy struct's).
func TestDocumentShape(t *testing.T) {
	doc := encode(t, smallPolicy(t))
	var fields []string
	dec := json.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		fields = append(fields, key.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"format", "segments_by", "segments", "allow", "clusters", "isolation", "config"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("top-level fields mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		`"format": "segharness-policy/1"`,
		`"protocols": [` + "\n" + `        "TCP",` + "\n" + `        "UDP"`,
		`"kind": "isolate_source"`,
		`"target": "{src_department}/{src_device_type}"`,
		`"features": [` + "\n" + `      "log10(bytes_sent+1)"`,
	} {
		if !bytes.Contains(doc, []byte(s)) {
			t.Errorf("document lacks %s:\n%s", s, doc)
		}
	}
	if bytes.Contains(doc, []byte("workers")) || bytes.Contains(doc, []byte("Workers")) {
		t.Errorf("document records workers:\n%s", doc)
	}
	if !bytes.HasSuffix(doc, []byte("}\n")) {
		t.Error("document does not end in a newline")
	}
}

func TestDecodeErrors(t *testing.T) {
	good := encode(t, smallPolicy(t))
	// edit returns good's document with the policy changed by f, bypassing
	// Recommend's guarantees.
	edit := func(f func(p *Policy)) []byte {
		p := smallPolicy(t)
		f(p)
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("document lacks %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name  string
		data  []byte
		field string // the *InvalidError's field, or "" for another error
		want  string // substring of the error
	}{
		{"empty", nil, "", "EOF"},
		{"truncated", good[:len(good)/2], "", "unexpected EOF"},
		{"null", []byte("null"), "format", `"", want`},
		{"array", []byte("[]"), "", "cannot unmarshal array"},
		{"wrong format", replace(`"segharness-policy/1"`, `"segharness-policy/2"`), "format", "segharness-policy/2"},
		{"model document", []byte(`{"format": "segharness-model/1", "columns": []}`), "format", "segharness-model/1"},
		{"unknown field", replace(`"allow": [`, `"deny": [], "allow": [`), "", `unknown field "deny"`},
		{"unknown nested field", replace(`"max_ports"`, `"min_ports": 0, "max_ports"`), "", `unknown field "min_ports"`},
		{"trailing data", append(append([]byte{}, good...), "{}"...), "", "data after the document"},
		{"wrong type", replace(`"max_ports": 3`, `"max_ports": "3"`), "", "max_ports"},
		{"fractional count", replace(`"max_ports": 3`, `"max_ports": 3.5`), "", "max_ports"},
		{"number out of range", replace(`"radius": `, `"radius": 1e999, "radius": `), "", "1e999"},
		{"unknown granularity", edit(func(p *Policy) { p.SegmentsBy, p.Config.Segments = "vlan", "vlan" }), "segments_by", "vlan"},
		{"config disagrees", edit(func(p *Policy) { p.Config.Segments = policyconfig.SegmentsDepartment }), "config.segments", "differs"},
		{"invalid config", edit(func(p *Policy) { p.Config.MinFlows = 0 }), "config", "MinFlows"},
		{"no segments", edit(func(p *Policy) { p.Segments = nil }), "segments", "none"},
		{"unsorted segments", edit(func(p *Policy) { p.Segments[0], p.Segments[1] = p.Segments[1], p.Segments[0] }), "segments[1].id", "not after"},
		{"id not its parts", edit(func(p *Policy) { p.Segments[0].ID = "accounting/server" }), "segments[0]", `want "accounting/workstation"`},
		{"device type when by department", edit(func(p *Policy) {
			p.SegmentsBy, p.Config.Segments = policyconfig.SegmentsDepartment, policyconfig.SegmentsDepartment
		}), "segments[0]", "by department"},
		{"negative count", edit(func(p *Policy) { p.Segments[0].FlowsOut = -3 }), "segments[0]", "negative"},
		{"counts disagree", edit(func(p *Policy) { p.Segments[0].FlowsOut++ }), "segments", "flows out"},
		{"unknown segment in a rule", edit(func(p *Policy) { p.Allow[0].To = "it/database" }), "allow[0].to", `unknown segment "it/database"`},
		{"unsorted rules", edit(func(p *Policy) { p.Allow[0], p.Allow[1] = p.Allow[1], p.Allow[0] }), "allow[1]", "not after"},
		{"duplicate rule", edit(func(p *Policy) { p.Allow[1] = p.Allow[0] }), "allow[1]", "not after"},
		{"unknown protocol", edit(func(p *Policy) { p.Allow[0].Protocols = []string{"TCP", "SCTP"} }), "allow[0].protocols[1]", "SCTP"},
		{"protocols out of order", edit(func(p *Policy) { p.Allow[0].Protocols = []string{"UDP", "TCP"} }), "allow[0].protocols[1]", "order"},
		{"no protocols", edit(func(p *Policy) { p.Allow[0].Protocols = nil }), "allow[0].protocols", "empty"},
		{"negative port bound", edit(func(p *Policy) { p.Allow[0].MaxPorts = -1 }), "allow[0].max_ports", "negative"},
		{"rule of too many flows", edit(func(p *Policy) { p.Allow[0].Flows = 100 }), "allow[0].flows", "exceeds"},
		{"rule of no flows", edit(func(p *Policy) { p.Allow[0].Flows = 0 }), "allow[0].flows", "min_flows"},
		{"clusters without config", edit(func(p *Policy) { p.Config.Clusters = 0 }), "clusters", "config.clusters is 0"},
		{"config without clusters", edit(func(p *Policy) { p.Clusters = nil }), "clusters", "missing"},
		{"too many clusters", edit(func(p *Policy) { p.Config.Clusters = 1 }), "clusters.clusters", "want 1..1"},
		{"wrong features", edit(func(p *Policy) { p.Clusters.Features[2] = "hour" }), "clusters.features", "hour"},
		{"short mean", edit(func(p *Policy) { p.Clusters.Mean = p.Clusters.Mean[:3] }), "clusters.mean", "3 numbers, want 4"},
		{"zero SD", edit(func(p *Policy) { p.Clusters.SD[1] = 0 }), "clusters.sd[1]", "not positive"},
		{"centre of 5", edit(func(p *Policy) { p.Clusters.Clusters[0].Center = append(p.Clusters.Clusters[0].Center, 0) }), "clusters.clusters[0].center", "5 numbers"},
		{"centre units disagree", edit(func(p *Policy) { p.Clusters.Clusters[0].CenterUnits[2] += 1 }), "clusters.clusters[0].center_units[2]", "center*sd+mean"},
		{"negative radius", edit(func(p *Policy) { p.Clusters.Clusters[1].Radius = -0.5 }), "clusters.clusters[1].radius", "-0.5"},
		{"negative members", edit(func(p *Policy) { p.Clusters.Clusters[0].Members = -1 }), "clusters.clusters[0].members", "negative"},
		{"members disagree", edit(func(p *Policy) { p.Clusters.Clusters[0].Members++ }), "clusters.clusters", "members in all"},
		{"isolation disagrees", edit(func(p *Policy) { p.Isolation.Above = 0.5 }), "isolation.above", "differs"},
		{"risk level", edit(func(p *Policy) { p.Isolation.RiskLevel = RiskMedium }), "isolation.risk_level", "MEDIUM"},
		{"actions", edit(func(p *Policy) { p.Isolation.Actions = p.Isolation.Actions[:4] }), "isolation.actions", "4 actions"},
		{"action text", edit(func(p *Policy) { p.Isolation.Actions[3].Text = "Do nothing" }), "isolation.actions[3]", "Do nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Decode(tt.data)
			if err == nil {
				t.Fatalf("Decode succeeded: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode error %q, want one containing %q", err, tt.want)
			}
			var ie *InvalidError
			switch {
			case tt.field != "" && !errors.As(err, &ie):
				t.Errorf("error %v is not an *InvalidError", err)
			case tt.field != "" && ie.Field != tt.field:
				t.Errorf("InvalidError field %q, want %q (%v)", ie.Field, tt.field, err)
			}
		})
	}
	if _, err := Decode(good); err != nil {
		t.Fatalf("Decode of the unedited document: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, edit := range []func(*policyconfig.Config){
		func(c *policyconfig.Config) { c.Clusters = 2 },
		func(c *policyconfig.Config) { c.Clusters = 0 },
		func(c *policyconfig.Config) { c.Segments = policyconfig.SegmentsDeviceType; c.PortMargin = 3 },
	} {
		cfg := policyconfig.DefaultConfig()
		edit(&cfg)
		p, err := Recommend(smallFlows(), smallTrain, cfg, seed.New(5))
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.Encode(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		compact, _ := json.Marshal(p)
		f.Add(compact)
	}
	f.Add([]byte(`{"format": "segharness-policy/1"}`))
	f.Add([]byte(`null`))
	fl := smallFlows().At(0)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		p.Decide(&fl, 0.9)
		p.Decide(&flow.Flow{BytesSent: math.NaN()}, math.NaN())
		var buf bytes.Buffer
		if err := p.Encode(&buf); err != nil {
			t.Fatalf("Encode of a decoded policy: %v", err)
		}
		again, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(data))): %v\n%s", err, buf.Bytes())
		}
		if diff := cmp.Diff(p, again, cmpopts.IgnoreUnexported(Policy{})); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}
