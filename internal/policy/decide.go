package policy

import (
	"fmt"
	"math"
	"strings"

	"github.com/segharness/harness/internal/flow"
)

// Reason is a set of the rules that block a flow.
type Reason uint8

// The rules of a policy. NotAllowed, Protocol and Ports make up the
// allow-list (AllowList).
const (
	// NotAllowed: no rule allows flows from the source segment to the
	// destination segment (either segment may be unknown to the policy).
	NotAllowed Reason = 1 << iota
	// Protocol: a rule exists but does not allow the flow's protocol.
	Protocol
	// Ports: a rule exists and the flow contacted more ports than its
	// MaxPorts.
	Ports
	// Behaviour: the flow's standardised behaviour vector is farther from
	// its nearest cluster centre than that cluster's radius.
	Behaviour
	// Isolated: the detector's probability exceeds Isolation.Above.
	Isolated

	// AllowList is the allow-list's reasons.
	AllowList = NotAllowed | Protocol | Ports
)

var reasonNames = [...]string{"not_allowed", "protocol", "ports", "behaviour", "isolated"}

// String returns the reasons' names joined by "|", such as
// "protocol|ports", or "none".
func (r Reason) String() string {
	if r == 0 {
		return "none"
	}
	var names []string
	for b, name := range reasonNames {
		if r&(1<<b) != 0 {
			names = append(names, name)
		}
	}
	if rest := r &^ (1<<len(reasonNames) - 1); rest != 0 {
		names = append(names, fmt.Sprintf("0x%x", uint8(rest)))
	}
	return strings.Join(names, "|")
}

// Decision is what a policy does with a flow: it is blocked when any
// rule blocks it.
type Decision struct {
	Blocked bool // Reasons != 0
	Reasons Reason
}

// index is what Decide looks up, built from the document.
type index struct {
	granularity string
	segments    map[segKey]int32
	rules       map[uint64]int32 // from<<32 | to, segment indices, to index into Allow
	protocols   []uint8          // per rule, bit j for flow.Protocols[j]
	centers     []float64        // row-major, behaviourDims columns; nil without clusters
	radii       []float64
	mean, sd    [behaviourDims]float64
}

// Decide applies the policy to one flow. probability is the detector's
// anomaly probability of the flow; a NaN probability never isolates (pass
// math.NaN() to leave the detector out). The reasons are:
//
//	NotAllowed  no rule from the source's segment to the destination's
//	Protocol    a rule, but fl.Protocol is not among its Protocols
//	Ports       a rule, and fl.PortsContacted > its MaxPorts
//	Behaviour   with z = (behaviour vector - Mean) / SD, the Euclidean
//	            distance from z to the nearest centre (the first on ties)
//	            is not <= that cluster's Radius (a NaN distance blocks)
//	Isolated    probability > Isolation.Above
//
// Decide assumes a flow within the schema; it does not allocate and is safe
// for concurrent use. It panics if p was not made by Recommend or Decode.
func (p *Policy) Decide(fl *flow.Flow, probability float64) Decision {
	ix := p.index
	if ix == nil {
		panic("policy: Decide on a Policy not made by Recommend or Decode")
	}
	var why Reason
	rule := int32(-1)
	from, okFrom := ix.segments[keyOf(ix.granularity, fl.SrcDepartment, fl.SrcDeviceType)]
	to, okTo := ix.segments[keyOf(ix.granularity, fl.DstDepartment, fl.DstDeviceType)]
	if okFrom && okTo {
		if r, ok := ix.rules[uint64(from)<<32|uint64(to)]; ok {
			rule = r
		}
	}
	if rule < 0 {
		why |= NotAllowed
	} else {
		if j := protocolIndex(fl.Protocol); j < 0 || ix.protocols[rule]&(1<<j) == 0 {
			why |= Protocol
		}
		if fl.PortsContacted > p.Allow[rule].MaxPorts {
			why |= Ports
		}
	}
	if ix.centers != nil {
		v := behaviourVector(fl.BytesSent, fl.Duration, fl.CPUUsage, fl.PortsContacted)
		for j := range v {
			v[j] = (v[j] - ix.mean[j]) / ix.sd[j]
		}
		c, dist := nearest(v, ix.centers)
		if !(dist <= ix.radii[c]) {
			why |= Behaviour
		}
	}
	if probability > p.Isolation.Above {
		why |= Isolated
	}
	return Decision{Blocked: why != 0, Reasons: why}
}

// buildIndex indexes a policy whose document has been checked (Recommend's
// own, or one Decode validated).
func (p *Policy) buildIndex() (*index, error) {
	ix := &index{
		granularity: p.SegmentsBy,
		segments:    make(map[segKey]int32, len(p.Segments)),
		rules:       make(map[uint64]int32, len(p.Allow)),
		protocols:   make([]uint8, len(p.Allow)),
	}
	byID := make(map[string]int32, len(p.Segments))
	for s, seg := range p.Segments {
		ix.segments[segKey{seg.Department, seg.DeviceType}] = int32(s)
		byID[seg.ID] = int32(s)
	}
	for k, rule := range p.Allow {
		from, okFrom := byID[rule.From]
		to, okTo := byID[rule.To]
		if !okFrom || !okTo {
			return nil, fmt.Errorf("allow[%d] refers to an unknown segment", k)
		}
		ix.rules[uint64(from)<<32|uint64(to)] = int32(k)
		for _, name := range rule.Protocols {
			j := protocolIndex(name)
			if j < 0 {
				return nil, fmt.Errorf("allow[%d]: unknown protocol %q", k, name)
			}
			ix.protocols[k] |= 1 << j
		}
	}
	if b := p.Clusters; b != nil {
		if len(b.Mean) != behaviourDims || len(b.SD) != behaviourDims || len(b.Clusters) == 0 {
			return nil, fmt.Errorf("clusters: malformed")
		}
		copy(ix.mean[:], b.Mean)
		copy(ix.sd[:], b.SD)
		ix.centers = make([]float64, 0, len(b.Clusters)*behaviourDims)
		ix.radii = make([]float64, len(b.Clusters))
		for c, cl := range b.Clusters {
			if len(cl.Center) != behaviourDims {
				return nil, fmt.Errorf("clusters.clusters[%d]: malformed", c)
			}
			ix.centers = append(ix.centers, cl.Center...)
			ix.radii[c] = cl.Radius
		}
	}
	return ix, nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
