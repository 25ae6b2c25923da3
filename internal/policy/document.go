package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
)

// InvalidError is a policy document that parses as JSON but breaks a rule
// of the format.
type InvalidError struct {
	Field   string // path of the offending value, such as "allow[3].protocols[1]"
	Problem string
}

func (e *InvalidError) Error() string { return "policy: " + e.Field + ": " + e.Problem }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Encode writes p's document to w: JSON indented by two spaces, ending in
// a newline. The bytes depend only on the policy (every list is sorted or
// in a documented order; there are no maps).
func (p *Policy) Encode(w io.Writer) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// Decode parses and checks a policy document. The document must be one
// JSON object of format Format, without unknown fields (json.Decoder's
// DisallowUnknownFields; note that encoding/json matches field names
// case-insensitively) and followed by nothing but white space. Besides
// JSON errors (wrapped), it returns an *InvalidError naming the first
// field that breaks the format's rules (see the package documentation):
// unknown granularity or protocol, unsorted or duplicate segments or
// rules, a rule naming an unknown segment, counts that disagree, a
// negative count, radius or port bound, a behaviour vector of other than
// 4 numbers, an SD <= 0, non-finite numbers, or actions other than the
// format's.
func Decode(data []byte) (*Policy, error) {
	var head struct {
		Format string `json:"format"`
	}
	// A first, lenient pass names a wrong format before any other problem.
	if err := json.Unmarshal(data, &head); err == nil && head.Format != Format {
		return nil, invalid("format", "%q, want %q", head.Format, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("policy: data after the document")
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	// null lists are read as empty, so that the policy encodes as [].
	if p.Allow == nil {
		p.Allow = []Rule{}
	}
	ix, err := p.buildIndex()
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err) // validate rules this out
	}
	p.index = ix
	return &p, nil
}

// validate checks the document's rules; see the package documentation.
func (p *Policy) validate() error {
	if p.Format != Format {
		return invalid("format", "%q, want %q", p.Format, Format)
	}
	if !slices.Contains(policyconfig.Granularities, p.SegmentsBy) {
		return invalid("segments_by", "%q unknown (want one of %s)", p.SegmentsBy, strings.Join(policyconfig.Granularities, ", "))
	}
	if err := p.Config.Validate(); err != nil {
		return invalid("config", "%s", strings.TrimPrefix(err.Error(), "policy: config: "))
	}
	if p.Config.Segments != p.SegmentsBy {
		return invalid("config.segments", "%q differs from segments_by %q", p.Config.Segments, p.SegmentsBy)
	}

	if len(p.Segments) == 0 {
		return invalid("segments", "none (a policy is learned from at least one flow)")
	}
	byID := make(map[string]int, len(p.Segments))
	var totalOut, totalIn int
	for s, seg := range p.Segments {
		field := fmt.Sprintf("segments[%d]", s)
		if err := checkSegment(p.SegmentsBy, seg); err != nil {
			return invalid(field, "%v", err)
		}
		if s > 0 && seg.ID <= p.Segments[s-1].ID {
			return invalid(field+".id", "%q not after %q (segments are sorted by ID, without duplicates)", seg.ID, p.Segments[s-1].ID)
		}
		if seg.FlowsOut < 0 || seg.FlowsIn < 0 {
			return invalid(field, "negative flow count")
		}
		if seg.FlowsOut == 0 && seg.FlowsIn == 0 {
			return invalid(field, "no flows out or in (only segments seen in training are listed)")
		}
		byID[seg.ID] = s
		totalOut += seg.FlowsOut
		totalIn += seg.FlowsIn
	}
	if totalOut != totalIn {
		return invalid("segments", "%d flows out but %d in", totalOut, totalIn)
	}

	for k, rule := range p.Allow {
		field := fmt.Sprintf("allow[%d]", k)
		from, ok := byID[rule.From]
		if !ok {
			return invalid(field+".from", "unknown segment %q", rule.From)
		}
		to, ok := byID[rule.To]
		if !ok {
			return invalid(field+".to", "unknown segment %q", rule.To)
		}
		if k > 0 {
			prev := p.Allow[k-1]
			if rule.From < prev.From || rule.From == prev.From && rule.To <= prev.To {
				return invalid(field, "%s -> %s not after %s -> %s (rules are sorted by from, then to, without duplicates)", rule.From, rule.To, prev.From, prev.To)
			}
		}
		if len(rule.Protocols) == 0 {
			return invalid(field+".protocols", "empty")
		}
		last := -1
		for j, name := range rule.Protocols {
			at := protocolIndex(name)
			if at < 0 {
				return invalid(fmt.Sprintf("%s.protocols[%d]", field, j), "unknown protocol %q (want one of %s)", name, strings.Join(flow.Protocols, ", "))
			}
			if at <= last {
				return invalid(fmt.Sprintf("%s.protocols[%d]", field, j), "%q out of order or repeated (protocols are listed in the order %s)", name, strings.Join(flow.Protocols, ", "))
			}
			last = at
		}
		if rule.MaxPorts < 0 {
			return invalid(field+".max_ports", "%d is negative", rule.MaxPorts)
		}
		if rule.Flows < p.Config.MinFlows {
			return invalid(field+".flows", "%d < config.min_flows %d", rule.Flows, p.Config.MinFlows)
		}
		if rule.Flows > p.Segments[from].FlowsOut || rule.Flows > p.Segments[to].FlowsIn {
			return invalid(field+".flows", "%d exceeds the flows out of %s or into %s", rule.Flows, rule.From, rule.To)
		}
	}

	switch {
	case p.Config.Clusters == 0 && p.Clusters != nil:
		return invalid("clusters", "present but config.clusters is 0")
	case p.Config.Clusters > 0 && p.Clusters == nil:
		return invalid("clusters", "missing (config.clusters is %d)", p.Config.Clusters)
	case p.Clusters != nil:
		if err := p.Clusters.validate(p.Config.Clusters, totalOut); err != nil {
			return err
		}
	}

	iso := p.Isolation
	if iso.Above != p.Config.IsolateAbove {
		return invalid("isolation.above", "%v differs from config.isolate_above %v", iso.Above, p.Config.IsolateAbove)
	}
	if iso.RiskLevel != RiskHigh {
		return invalid("isolation.risk_level", "%q, want %q", iso.RiskLevel, RiskHigh)
	}
	want := Actions(RiskHigh, SourceDepartment, SourceDeviceType)
	if len(iso.Actions) != len(want) {
		return invalid("isolation.actions", "%d actions, want %d", len(iso.Actions), len(want))
	}
	for k, a := range iso.Actions {
		if a != want[k] {
			return invalid(fmt.Sprintf("isolation.actions[%d]", k), "%+v, want %+v", a, want[k])
		}
	}
	return nil
}

// checkSegment checks that a segment's ID is made of its parts by the
// granularity.
func checkSegment(gran string, seg Segment) error {
	check := func(name, v string) error {
		if err := checkComponent(v); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return nil
	}
	switch gran {
	case policyconfig.SegmentsDepartmentDevice:
		if err := check("department", seg.Department); err != nil {
			return err
		}
		if err := check("device_type", seg.DeviceType); err != nil {
			return err
		}
	case policyconfig.SegmentsDepartment:
		if err := check("department", seg.Department); err != nil {
			return err
		}
		if seg.DeviceType != "" {
			return fmt.Errorf("device_type %q given, but segments are by department", seg.DeviceType)
		}
	case policyconfig.SegmentsDeviceType:
		if err := check("device_type", seg.DeviceType); err != nil {
			return err
		}
		if seg.Department != "" {
			return fmt.Errorf("department %q given, but segments are by device type", seg.Department)
		}
	}
	if want := (segKey{seg.Department, seg.DeviceType}).id(gran); seg.ID != want {
		return fmt.Errorf("id %q, want %q", seg.ID, want)
	}
	return nil
}

// validate checks the behavioural rule of a policy learned with at most
// maxClusters clusters from flows normal flows.
func (b *Clustering) validate(maxClusters, flows int) error {
	if !slices.Equal(b.Features, BehaviourFeatures) {
		return invalid("clusters.features", "%q, want %q", b.Features, BehaviourFeatures)
	}
	if err := checkVector("clusters.mean", b.Mean); err != nil {
		return err
	}
	if err := checkVector("clusters.sd", b.SD); err != nil {
		return err
	}
	for j, v := range b.SD {
		if !(v > 0) {
			return invalid(fmt.Sprintf("clusters.sd[%d]", j), "%v is not positive", v)
		}
	}
	if len(b.Clusters) == 0 || len(b.Clusters) > maxClusters {
		return invalid("clusters.clusters", "%d clusters, want 1..%d (config.clusters)", len(b.Clusters), maxClusters)
	}
	members := 0
	for c, cl := range b.Clusters {
		field := fmt.Sprintf("clusters.clusters[%d]", c)
		if err := checkVector(field+".center", cl.Center); err != nil {
			return err
		}
		if err := checkVector(field+".center_units", cl.CenterUnits); err != nil {
			return err
		}
		for j, u := range cl.CenterUnits {
			want := cl.Center[j]*b.SD[j] + b.Mean[j]
			tol := 1e-9 * (1 + math.Abs(u) + math.Abs(b.Mean[j]) + math.Abs(cl.Center[j]*b.SD[j]))
			if !(math.Abs(u-want) <= tol) {
				return invalid(fmt.Sprintf("%s.center_units[%d]", field, j), "%v, but center*sd+mean is %v", u, want)
			}
		}
		if !(cl.Radius >= 0) || math.IsInf(cl.Radius, 1) {
			return invalid(field+".radius", "%v is not a finite number >= 0", cl.Radius)
		}
		if cl.Members < 0 {
			return invalid(field+".members", "%d is negative", cl.Members)
		}
		members += cl.Members
	}
	if members != flows {
		return invalid("clusters.clusters", "%d members in all, but the segments count %d flows", members, flows)
	}
	return nil
}

// checkVector checks that v is a behaviour vector: 4 finite numbers.
func checkVector(field string, v []float64) error {
	if len(v) != behaviourDims {
		return invalid(field, "%d numbers, want %d (%s)", len(v), behaviourDims, strings.Join(BehaviourFeatures, ", "))
	}
	for j, x := range v {
		if !finite(x) {
			return invalid(fmt.Sprintf("%s[%d]", field, j), "%v is not finite", x)
		}
	}
	return nil
}
