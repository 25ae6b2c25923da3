package policy

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/ml/cluster"
	"github.com/segharness/harness/internal/policy/policyconfig"
)

// Format names the layout of a policy document. Decode refuses any other.
const Format = "segharness-policy/1"

// BehaviourFeatures names the four components of a flow's behaviour vector,
// in order. Each is computed from one column of the flow.
var BehaviourFeatures = []string{"log10(bytes_sent+1)", "log10(duration+1)", "cpu_usage", "log10(ports_contacted+1)"}

// behaviourDims is len(BehaviourFeatures).
const behaviourDims = 4

// k-means settings of the behavioural clusters: scikit-learn's defaults.
const (
	kmeansNInit   = 10
	kmeansMaxIter = 300
	kmeansTol     = 1e-4
)

// Policy is a recommended segmentation policy: a declarative document
// (see the package documentation for its format) and, once made by
// Recommend or Decode, an index that Decide uses. Its exported fields
// must not be changed afterwards; to edit a policy, edit its document and
// Decode it.
type Policy struct {
	Format     string              `json:"format"`
	SegmentsBy string              `json:"segments_by"`
	Segments   []Segment           `json:"segments"`
	Allow      []Rule              `json:"allow"`
	Clusters   *Clustering         `json:"clusters"` // nil when Config.Clusters is 0
	Isolation  Isolation           `json:"isolation"`
	Config     policyconfig.Config `json:"config"`

	index *index
}

// Segment is a group of devices, with the normal training flows out of it
// and into it.
type Segment struct {
	// ID is "department/device_type", "department" or "device_type" by the
	// policy's granularity.
	ID string `json:"id"`
	// Department and DeviceType are the ID's parts; the one the
	// granularity ignores is empty (and omitted from the document).
	Department string `json:"department,omitempty"`
	DeviceType string `json:"device_type,omitempty"`
	FlowsOut   int    `json:"flows_out"`
	FlowsIn    int    `json:"flows_in"`
}

// Rule allows flows from one segment to another over some protocols.
type Rule struct {
	From string `json:"from"` // source segment ID
	To   string `json:"to"`   // destination segment ID
	// Protocols are the allowed protocols, those of at least MinFlows
	// normal training flows from From to To, in flow.Protocols order.
	Protocols []string `json:"protocols"`
	// MaxPorts bounds ports_contacted: the most seen in Flows, plus
	// PortMargin.
	MaxPorts int64 `json:"max_ports"`
	// Flows is the number of normal training flows from From to To over
	// the allowed protocols: the rule's flows.
	Flows int `json:"flows"`
}

// Clustering is the behavioural rule: clusters of the normal training flows'
// standardised behaviour vectors. A flow farther from its nearest centre
// than that cluster's radius is blocked.
type Clustering struct {
	// Features names the behaviour vector's components: BehaviourFeatures.
	Features []string `json:"features"`
	// Mean and SD standardise a behaviour vector v into z = (v - Mean) / SD:
	// the normal training flows' means and population standard deviations
	// (an SD of 0 is recorded as 1).
	Mean []float64 `json:"mean"`
	SD   []float64 `json:"sd"`
	// Clusters in the order k-means numbered them.
	Clusters []Cluster `json:"clusters"`
}

// Cluster is one behavioural cluster.
type Cluster struct {
	// Center is the k-means centre in standardised space.
	Center []float64 `json:"center"`
	// CenterUnits is Center in the features' own units, Center*SD + Mean:
	// mean log10 bytes, mean log10 seconds, mean CPU percent, mean log10
	// ports. It is for readers; Decide uses Center.
	CenterUnits []float64 `json:"center_units"`
	// Radius is the ClusterQuantile quantile (numpy's default linear
	// interpolation) of the Euclidean distances, in standardised space,
	// of the cluster's members to Center; 0 for a cluster without members.
	Radius float64 `json:"radius"`
	// Members is the number of normal training flows whose nearest centre
	// (the first on ties) is this one.
	Members int `json:"members"`
}

// Isolation is the rule acting on the detector: a flow scored above Above
// has its source isolated, with the actions of RiskLevel.
type Isolation struct {
	Above     float64 `json:"above"`
	RiskLevel string  `json:"risk_level"` // RiskHigh
	// Actions are Actions(RiskHigh, SourceDepartment, SourceDeviceType):
	// templates whose placeholders stand for the scored flow's source.
	Actions []Action `json:"actions"`
}

// Placeholders standing for the scored flow's source in Isolation.Actions.
const (
	SourceDepartment = "{src_department}"
	SourceDeviceType = "{src_device_type}"
)

// ErrNoNormalFlows is returned by Recommend when the training rows hold no
// normal flow to learn from.
var ErrNoNormalFlows = errors.New("policy: no normal flows among the training rows")

// RowError is a flow that Recommend or Evaluate cannot use.
type RowError struct {
	Row    int    // 0-based row of the flow table
	Column string // such as "bytes_sent"
	Err    error
}

func (e *RowError) Error() string {
	if p, ok := e.Err.(interface{ Problem() string }); ok {
		// A *flow.FieldError or *flow.LabelError, which names the column.
		return fmt.Sprintf("policy: row %d: %s: %s", e.Row, e.Column, p.Problem())
	}
	return fmt.Sprintf("policy: row %d: %s: %v", e.Row, e.Column, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// Recommend learns a policy from the normal flows (is_anomaly false) among
// the rows train of f; anomalous rows, and rows not in train, are ignored.
// A row listed twice counts twice.
//
//   - Segments: every segment seen as the source or destination of a
//     normal training flow, with its flows out and in, sorted by ID.
//   - Allow: for each (from, to) pair of segments, the protocols of at
//     least cfg.MinFlows of its normal training flows; a pair with none
//     has no rule. The port bound is the most ports_contacted among the
//     flows of the allowed protocols plus cfg.PortMargin. Sorted by
//     (from, to).
//   - Clusters (cfg.Clusters > 0): the behaviour vectors (BehaviourFeatures)
//     are standardised by their mean and population SD and clustered by
//     cluster.KMeans with K = min(cfg.Clusters, normal flows), NInit 10,
//     MaxIter 300, Tol 1e-4 (scikit-learn's defaults), drawing from r.
//     Members and radii are then computed with Decide's rule: a flow
//     belongs to its nearest centre, the first on ties.
//   - Isolation: above cfg.IsolateAbove, the HIGH risk actions.
//
// Recommend returns an error for an invalid cfg, a row of train outside f,
// columns of different lengths, and a used row that the flow schema
// refuses (flow.Table.CheckRow: a negative or non-finite quantity, an hour
// outside 0..23, CPU outside 0..100, labels that disagree), with a
// category code outside its levels, an empty department or device type or
// one containing "/", or a protocol not in flow.Protocols (a *RowError); ErrNoNormalFlows when
// there is nothing to learn from. It panics if f is nil, or if r is nil
// and cfg.Clusters > 0. The policy depends on f, train, cfg and r's state,
// never on cfg.Workers.
func Recommend(f *flow.Table, train []int, cfg policyconfig.Config, r *rand.Rand) (*Policy, error) {
	if f == nil {
		panic("policy: Recommend of nil flows")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Clusters > 0 && r == nil {
		panic("policy: Recommend with clusters needs a *rand.Rand")
	}
	cfg.Segments = cfg.Granularity()
	gran := cfg.Segments
	if err := checkColumns(f); err != nil {
		return nil, err
	}
	n := f.Len()
	normal := make([]int, 0, len(train))
	for k, i := range train {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("policy: train[%d] = %d outside the %d flows", k, i, n)
		}
		if f.IsAnomaly[i] {
			continue
		}
		if err := checkRow(f, i); err != nil {
			return nil, err
		}
		if err := checkTrainingRow(f, i); err != nil {
			return nil, err
		}
		normal = append(normal, i)
	}
	if len(normal) == 0 {
		return nil, ErrNoNormalFlows
	}

	p := &Policy{
		Format:     Format,
		SegmentsBy: gran,
		Config:     cfg,
		Isolation: Isolation{
			Above:     cfg.IsolateAbove,
			RiskLevel: RiskHigh,
			Actions:   Actions(RiskHigh, SourceDepartment, SourceDeviceType),
		},
	}
	p.Segments, p.Allow = learnAllowList(f, normal, cfg)
	if cfg.Clusters > 0 {
		p.Clusters = learnBehaviour(f, normal, cfg, r)
	}
	ix, err := p.buildIndex()
	if err != nil {
		// Recommend's own output always indexes; this is a bug.
		panic("policy: " + err.Error())
	}
	p.index = ix
	return p, nil
}

// segKey is a segment's department and device type, the one the
// granularity ignores left empty.
type segKey struct{ department, deviceType string }

func keyOf(gran, department, deviceType string) segKey {
	switch gran {
	case policyconfig.SegmentsDepartment:
		return segKey{department: department}
	case policyconfig.SegmentsDeviceType:
		return segKey{deviceType: deviceType}
	}
	return segKey{department, deviceType}
}

func (k segKey) id(gran string) string {
	switch gran {
	case policyconfig.SegmentsDepartment:
		return k.department
	case policyconfig.SegmentsDeviceType:
		return k.deviceType
	}
	return k.department + "/" + k.deviceType
}

// protocolIndex returns the index of protocol in flow.Protocols, or -1.
func protocolIndex(protocol string) int {
	for j, p := range flow.Protocols {
		if p == protocol {
			return j
		}
	}
	return -1
}

// pairStats accumulates the normal flows of one (from, to) pair of
// segments by protocol.
type pairStats struct {
	flows    []int
	maxPorts []int64
}

// learnAllowList returns the segments and allow rules of the normal rows.
func learnAllowList(f *flow.Table, normal []int, cfg policyconfig.Config) ([]Segment, []Rule) {
	gran := cfg.Segments
	found := map[segKey]int{}
	var keys []segKey
	var out, in []int
	segment := func(k segKey) int {
		s, ok := found[k]
		if !ok {
			s = len(keys)
			found[k] = s
			keys = append(keys, k)
			out, in = append(out, 0), append(in, 0)
		}
		return s
	}
	nProtocols := len(flow.Protocols)
	pairs := map[[2]int]*pairStats{}
	for _, i := range normal {
		from := segment(keyOf(gran, f.SrcDepartment.Value(i), f.SrcDeviceType.Value(i)))
		to := segment(keyOf(gran, f.DstDepartment.Value(i), f.DstDeviceType.Value(i)))
		out[from]++
		in[to]++
		ps := pairs[[2]int{from, to}]
		if ps == nil {
			ps = &pairStats{flows: make([]int, nProtocols), maxPorts: make([]int64, nProtocols)}
			pairs[[2]int{from, to}] = ps
		}
		j := protocolIndex(f.Protocol.Value(i))
		ps.flows[j]++
		ps.maxPorts[j] = max(ps.maxPorts[j], f.PortsContacted[i])
	}

	// Sorting segments by ID makes (from, to) index order the rules' order.
	order := make([]int, len(keys))
	for s := range order {
		order[s] = s
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a].id(gran), keys[b].id(gran)) })
	rank := make([]int, len(keys))
	segments := make([]Segment, len(keys))
	for r, s := range order {
		rank[s] = r
		segments[r] = Segment{
			ID:         keys[s].id(gran),
			Department: keys[s].department,
			DeviceType: keys[s].deviceType,
			FlowsOut:   out[s],
			FlowsIn:    in[s],
		}
	}

	type rankedRule struct {
		from, to int
		rule     Rule
	}
	var ranked []rankedRule
	for pair, ps := range pairs {
		rule := Rule{From: keys[pair[0]].id(gran), To: keys[pair[1]].id(gran), Protocols: []string{}}
		for j, flows := range ps.flows {
			if flows >= cfg.MinFlows {
				rule.Protocols = append(rule.Protocols, flow.Protocols[j])
				rule.Flows += flows
				rule.MaxPorts = max(rule.MaxPorts, ps.maxPorts[j])
			}
		}
		if rule.Flows == 0 {
			continue
		}
		rule.MaxPorts = saturatingAdd(rule.MaxPorts, cfg.PortMargin)
		ranked = append(ranked, rankedRule{rank[pair[0]], rank[pair[1]], rule})
	}
	slices.SortFunc(ranked, func(a, b rankedRule) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to))
	})
	rules := make([]Rule, len(ranked))
	for k, rr := range ranked {
		rules[k] = rr.rule
	}
	return segments, rules
}

// saturatingAdd returns a + b for b >= 0, or MaxInt64 if that overflows.
func saturatingAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// behaviourVector returns a flow's behaviour vector (BehaviourFeatures).
func behaviourVector(bytesSent, duration, cpuUsage float64, portsContacted int64) [behaviourDims]float64 {
	return [behaviourDims]float64{
		features.LogBytes(bytesSent),   // log_bytes, an engineered feature
		features.LogDuration(duration), // log_duration
		cpuUsage,
		math.Log10(float64(portsContacted) + 1),
	}
}

// learnBehaviour clusters the normal rows' standardised behaviour vectors.
func learnBehaviour(f *flow.Table, normal []int, cfg policyconfig.Config, r *rand.Rand) *Clustering {
	const d = behaviourDims
	n := len(normal)
	raw := make([]float64, n*d)
	for k, i := range normal {
		v := behaviourVector(f.BytesSent[i], f.Duration[i], f.CPUUsage[i], f.PortsContacted[i])
		copy(raw[k*d:], v[:])
	}
	mean, sd := make([]float64, d), make([]float64, d)
	for j := range d {
		sum := 0.0
		for k := range n {
			sum += raw[k*d+j]
		}
		mean[j] = sum / float64(n)
		ss := 0.0
		for k := range n {
			dev := raw[k*d+j] - mean[j]
			ss += dev * dev
		}
		sd[j] = math.Sqrt(ss / float64(n))
		if sd[j] == 0 {
			sd[j] = 1
		}
	}
	x := make([]float64, n*d)
	for k := range n {
		for j := range d {
			x[k*d+j] = (raw[k*d+j] - mean[j]) / sd[j]
		}
	}
	k := min(cfg.Clusters, n)
	res := cluster.KMeans(x, d, cluster.KMeansConfig{
		K: k, NInit: kmeansNInit, MaxIter: kmeansMaxIter, Tol: kmeansTol, Workers: cfg.Workers,
	}, r)

	b := &Clustering{Features: slices.Clone(BehaviourFeatures), Mean: mean, SD: sd, Clusters: make([]Cluster, k)}
	distances := make([][]float64, k)
	for row := range n {
		var z [d]float64
		copy(z[:], x[row*d:])
		c, dist := nearest(z, res.Centers)
		distances[c] = append(distances[c], dist)
	}
	for c := range k {
		center := slices.Clone(res.Centers[c*d : c*d+d])
		units := make([]float64, d)
		for j := range d {
			units[j] = center[j]*sd[j] + mean[j]
		}
		slices.Sort(distances[c])
		b.Clusters[c] = Cluster{
			Center:      center,
			CenterUnits: units,
			Radius:      quantile(distances[c], cfg.ClusterQuantile),
			Members:     len(distances[c]),
		}
	}
	return b
}

// nearest returns the index of the centre (row-major, behaviourDims
// columns) nearest to z, the first on ties, and the Euclidean distance to
// it. NaN distances are never nearer.
func nearest(z [behaviourDims]float64, centers []float64) (int, float64) {
	best, bestSq := 0, math.Inf(1)
	for c := 0; c+behaviourDims <= len(centers); c += behaviourDims {
		sq := 0.0
		for j := range behaviourDims {
			dev := z[j] - centers[c+j]
			sq += dev * dev
		}
		if sq < bestSq {
			best, bestSq = c/behaviourDims, sq
		}
	}
	return best, math.Sqrt(bestSq)
}

// quantile returns the q quantile of sorted values with numpy's default
// method ("linear", Hyndman and Fan's type 7): with h = (n-1) q, j =
// floor(h), g = h - j, it is v[j] + g (v[j+1] - v[j]), computed as numpy's
// _lerp does (from the nearer end when g >= 0.5), and v[n-1] when j >=
// n-1. It returns 0 for no values.
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	h := float64(n-1) * q
	j := int(math.Floor(h))
	if j >= n-1 {
		return sorted[n-1]
	}
	g := h - float64(j)
	lo, hi := sorted[j], sorted[j+1]
	diff := hi - lo
	if g >= 0.5 {
		return hi - diff*(1-g)
	}
	return lo + diff*g
}

// checkColumns reports columns of different lengths.
func checkColumns(f *flow.Table) error {
	n := f.Len()
	lengths := []struct {
		name string
		len  int
	}{
		{flow.ColSrcDeviceType, f.SrcDeviceType.Len()},
		{flow.ColSrcDepartment, f.SrcDepartment.Len()},
		{flow.ColDstDeviceType, f.DstDeviceType.Len()},
		{flow.ColDstDepartment, f.DstDepartment.Len()},
		{flow.ColProtocol, f.Protocol.Len()},
		{flow.ColDuration, len(f.Duration)},
		{flow.ColCPUUsage, len(f.CPUUsage)},
		{flow.ColPortsContacted, len(f.PortsContacted)},
		{flow.ColIsAnomaly, len(f.IsAnomaly)},
		{flow.ColAnomalyType, f.AnomalyType.Len()},
	}
	for _, c := range lengths {
		if c.len != n {
			return fmt.Errorf("policy: column %s has %d rows, %s has %d", c.name, c.len, flow.ColBytesSent, n)
		}
	}
	return nil
}

// checkRow reports a value of row i that Decide cannot use: a category
// code outside its levels, or a value the flow schema refuses
// (flow.Table.CheckRow: a negative or non-finite quantity, an hour outside
// 0..23, CPU outside 0..100, labels that disagree).
func checkRow(f *flow.Table, i int) error {
	for _, c := range []struct {
		name string
		col  *flow.Categorical
	}{
		{flow.ColSrcDeviceType, &f.SrcDeviceType},
		{flow.ColSrcDepartment, &f.SrcDepartment},
		{flow.ColDstDeviceType, &f.DstDeviceType},
		{flow.ColDstDepartment, &f.DstDepartment},
		{flow.ColProtocol, &f.Protocol},
		{flow.ColAnomalyType, &f.AnomalyType},
	} {
		if code := int(c.col.Codes[i]); code >= len(c.col.Levels) {
			return &RowError{i, c.name, fmt.Errorf("code %d outside its %d levels", code, len(c.col.Levels))}
		}
	}
	switch err := f.CheckRow(i).(type) {
	case nil:
		return nil
	case *flow.FieldError:
		return &RowError{i, err.Field, err}
	default: // a *flow.LabelError
		return &RowError{i, flow.ColIsAnomaly, err}
	}
}

// checkTrainingRow reports a value of row i that cannot enter a policy
// document: a category that cannot be part of a segment ID, or a protocol
// outside flow.Protocols.
func checkTrainingRow(f *flow.Table, i int) error {
	for _, c := range []struct {
		name string
		col  *flow.Categorical
	}{
		{flow.ColSrcDepartment, &f.SrcDepartment},
		{flow.ColSrcDeviceType, &f.SrcDeviceType},
		{flow.ColDstDepartment, &f.DstDepartment},
		{flow.ColDstDeviceType, &f.DstDeviceType},
	} {
		if err := checkComponent(c.col.Value(i)); err != nil {
			return &RowError{i, c.name, err}
		}
	}
	if protocolIndex(f.Protocol.Value(i)) < 0 {
		return &RowError{i, flow.ColProtocol, fmt.Errorf("unknown protocol %q (want one of %s)", f.Protocol.Value(i), strings.Join(flow.Protocols, ", "))}
	}
	return nil
}

// checkComponent reports a department or device type that cannot be part
// of a segment ID.
func checkComponent(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case strings.Contains(s, "/"):
		return fmt.Errorf("%q contains \"/\", the segment ID separator", s)
	}
	return nil
}
