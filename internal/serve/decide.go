package serve

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
)

// Decisions of POST /v1/decide.
const (
	DecisionAllow = "allow"
	DecisionBlock = "block"
)

// Headline rules of POST /v1/decide (Decision.Rule): the family of the
// first of the policy's rules, in the order allow-list, behaviour,
// isolation, that blocks a flow; RuleNone for a flow allowed. The names
// are those of the policy's metrics (policy_allowlist_block_rate, ...).
const (
	RuleNone      = "none"
	RuleAllowList = "allowlist" // not_allowed, protocol or ports
	RuleBehaviour = "behaviour"
	RuleIsolation = "isolation"
)

// headlines lists the headline rules by headline's index.
var headlines = [...]string{RuleNone, RuleAllowList, RuleBehaviour, RuleIsolation}

// headline returns the index in headlines of the rule that decides a flow
// blocked for the reasons r: the allow-list first, as a firewall checks
// its static rules before any other, then the behaviour clusters, then
// isolation, which alone depends on the detector.
func headline(r policy.Reason) int {
	switch {
	case r == 0:
		return 0
	case r&policy.AllowList != 0:
		return 1
	case r&policy.Behaviour != 0:
		return 2
	default:
		return 3 // policy.Isolated: Decide sets no other reason
	}
}

// reasonBits are the policy's rules, one bit each, in policy.Reason's
// order.
var reasonBits = [...]policy.Reason{policy.NotAllowed, policy.Protocol, policy.Ports, policy.Behaviour, policy.Isolated}

// ruleNames[r] names the rules of the reasons r, policy.Reason's names in
// its order: shared by every Decision, never modified.
var ruleNames = func() (names [1 << len(reasonBits)][]string) {
	for r := range names {
		names[r] = []string{} // [] rather than null when allowed
		for _, b := range reasonBits {
			if policy.Reason(r)&b != 0 {
				names[r] = append(names[r], b.String())
			}
		}
	}
	return names
}()

// Decision is POST /v1/decide's answer for one flow: what the policy
// does with it and which rules decided, the flow's score (the fields of
// POST /v1/score's answer), and the actions of its risk level.
type Decision struct {
	// Decision is DecisionBlock when any rule of the policy blocks the
	// flow, else DecisionAllow.
	Decision string `json:"decision"`
	// Rule is the headline rule: RuleNone when the flow is allowed, else
	// the first family, in the order RuleAllowList, RuleBehaviour,
	// RuleIsolation, with a rule in Rules.
	Rule string `json:"rule"`
	// Rules names every rule that blocks the flow, in the order
	// not_allowed, protocol, ports (the allow-list), behaviour, isolated
	// (policy.Reason's names); empty when the flow is allowed.
	Rules []string `json:"rules"`
	// Result is the flow's score, as POST /v1/score answers it. The
	// isolation rule reads its AnomalyProbability: the detector's
	// probability, which the runner passes to the policy's evaluation.
	scoring.Result
	// Actions are policy.Actions of the flow's risk level and source, as
	// a trial's incident.json lists them: the notebook's five for HIGH
	// (isolate the source, block its outbound connections, monitor its
	// department, alert, preserve evidence), one for MEDIUM (monitor the
	// source), none for LOW (the field is left out).
	Actions []policy.Action `json:"actions,omitempty"`

	reasons policy.Reason
}

// Reasons returns the rules that block the flow, as policy.Decide
// returned them.
func (d *Decision) Reasons() policy.Reason { return d.reasons }

// decideScored completes d, whose Result is f's score, with the policy's
// decision on f.
func (h *Handler) decideScored(f *flow.Flow, d *Decision) {
	r := h.opts.Policy.Decide(f, d.AnomalyProbability).Reasons
	d.reasons = r
	d.Decision = DecisionAllow
	if r != 0 {
		d.Decision = DecisionBlock
	}
	d.Rule = headlines[headline(r)]
	d.Rules = ruleNames[r&(1<<len(reasonBits)-1)]
	d.Actions = policy.Actions(d.RiskLevel, f.SrcDepartment, f.SrcDeviceType)
}

// decide answers POST /v1/decide, under requireJSON and limitBody. It
// reads and checks a body as score does, with the same errors.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request) {
	buf := getBuffer()
	defer putBuffer(buf)
	body, ok := h.readFlows(w, r, buf)
	if !ok {
		return
	}
	if isBatch(body) {
		h.decideBatch(w, body)
		return
	}
	var d Decision
	f, err := scoring.DecodeFlow(body)
	if err == nil {
		err = h.model.Score(&f, &d.Result)
	}
	if err != nil {
		h.metrics.invalid.Inc()
		reason := reasonBadRequest
		if _, ok := errors.AsType[*scoring.FieldError](err); ok {
			reason = reasonInvalidFlow
		}
		h.fail(w, http.StatusBadRequest, reason, err.Error())
		return
	}
	h.decideScored(&f, &d)
	h.metrics.scored(d.RiskLevel, 1)
	h.metrics.decided(d.reasons, 1)
	if !writeAnswer(w, http.StatusOK, &d) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// decideResponse is a decided batch.
type decideResponse struct {
	Decisions []Decision `json:"decisions"`
}

// decideBatch answers a batch as scoreBatch does: 200 and every flow's
// decision in order when every flow scores, otherwise 400 listing every
// invalid flow.
func (h *Handler) decideBatch(w http.ResponseWriter, body []byte) {
	raws, ok := h.splitBatch(w, body)
	if !ok {
		return
	}
	decisions := make([]Decision, len(raws))
	if !h.eachFlow(w, raws, func(i int, f *flow.Flow) error {
		if err := h.model.Score(f, &decisions[i].Result); err != nil {
			return err
		}
		h.decideScored(f, &decisions[i])
		return nil
	}) {
		return
	}
	var risk [3]int // LOW, MEDIUM, HIGH
	var byReasons [1 << len(reasonBits)]int
	for i := range decisions {
		d := &decisions[i]
		switch d.RiskLevel {
		case scoring.RiskLow:
			risk[0]++
		case scoring.RiskMedium:
			risk[1]++
		case scoring.RiskHigh:
			risk[2]++
		default:
			h.metrics.scored(d.RiskLevel, 1)
		}
		byReasons[d.reasons&(1<<len(reasonBits)-1)]++
	}
	for j, level := range []string{scoring.RiskLow, scoring.RiskMedium, scoring.RiskHigh} {
		if risk[j] > 0 {
			h.metrics.scored(level, risk[j])
		}
	}
	for r, c := range byReasons {
		if c > 0 {
			h.metrics.decided(policy.Reason(r), c)
		}
	}
	if !writeAnswer(w, http.StatusOK, decideResponse{decisions}) {
		h.metrics.error(reasonResponseTruncate)
	}
}

// LoadPolicy reads the policy document at path (policy.Decode) and checks
// that it fits m (CheckPolicy). Its errors name the file: a file that is
// missing, not a regular file or larger than fileio.RunFileBytes, a
// document Decode refuses, and a policy that does not fit the model.
func LoadPolicy(path string, m *scoring.Model) (*policy.Policy, error) {
	data, err := fileio.ReadFile(path, fileio.RunFileBytes)
	if err != nil {
		return nil, err // names the file
	}
	p, err := policy.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := CheckPolicy(p, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// CheckPolicy reports whether the policy p fits the model m, that is
// whether it was learned from flows of the data m was fitted on. The
// model's label encoders are fitted on every flow of the trial
// (features.Fit), and the policy on its normal training flows, so every
// category the policy names is one the model knows: the department and
// device type of a segment with flows out (as a source) and of one with
// flows in (as a destination), and the protocols of every allow rule,
// for each such column that the model encodes. A category the model does
// not know is an error naming the segment or rule, the column and the
// model's classes: the policy comes from other data, and flows of the
// segment, which the model refuses, could never be decided.
func CheckPolicy(p *policy.Policy, m *scoring.Model) error {
	classes := func(encoded string) []string {
		if e := m.Pipeline.Encoders[encoded]; e != nil {
			return e.Classes
		}
		return nil // a column the model does not encode takes any value
	}
	known := func(encoded, value string) error {
		cs := classes(encoded)
		if value == "" || cs == nil {
			return nil
		}
		if _, ok := slices.BinarySearch(cs, value); ok {
			return nil
		}
		return fmt.Errorf("%s %q is not a class the model was fitted on (its classes: %s); the policy and the model come from different data",
			featureset.EncodedSource[encoded], value, strings.Join(cs, ", "))
	}
	for k, seg := range p.Segments {
		checks := []struct {
			flows        int
			dept, device string
		}{
			{seg.FlowsOut, featureset.SrcDeptEncoded, featureset.SrcDeviceEncoded},
			{seg.FlowsIn, featureset.DstDeptEncoded, featureset.DstDeviceEncoded},
		}
		for _, c := range checks {
			if c.flows == 0 {
				continue
			}
			for _, err := range []error{known(c.dept, seg.Department), known(c.device, seg.DeviceType)} {
				if err != nil {
					return fmt.Errorf("policy does not fit the model: segments[%d] (%s): %w", k, seg.ID, err)
				}
			}
		}
	}
	for k, rule := range p.Allow {
		for _, proto := range rule.Protocols {
			if err := known(featureset.ProtocolEncoded, proto); err != nil {
				return fmt.Errorf("policy does not fit the model: allow[%d] (%s -> %s): %w", k, rule.From, rule.To, err)
			}
		}
	}
	return nil
}
