package policy

import (
	"bytes"
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

// smallFlows is the hand-built table of the allow-list tests. Rows 0..4
// are the training rows; row 4 is an anomaly and row 5 a test row, both
// of which Recommend must ignore.
func smallFlows() *flow.Table {
	return table(
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "TCP", bytes: 1000, duration: 10, cpu: 15, ports: 2},
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "TCP", bytes: 2000, duration: 20, cpu: 12, ports: 3},
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "UDP", bytes: 500, duration: 5, cpu: 10, ports: 1},
		flowRow{src: "hr/mobile", dst: "it/server", protocol: "TCP", bytes: 800, duration: 30, cpu: 20, ports: 4},
		flowRow{src: "accounting/workstation", dst: "it/server", protocol: "ICMP", bytes: 1e6, duration: 7200, cpu: 95, ports: 9, anomaly: flow.CryptoMining},
		flowRow{src: "hr/mobile", dst: "hr/mobile", protocol: "TCP", bytes: 100, duration: 1, cpu: 5, ports: 1},
	)
}

var smallTrain = []int{0, 1, 2, 3, 4}

func noClusters() policyconfig.Config {
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters = 0
	return cfg
}

// TestAllowList checks segments and rules computed by hand from
// smallFlows' normal training rows 0..3:
//
//	0  accounting/workstation -> it/server  TCP  2 ports
//	1  accounting/workstation -> it/server  TCP  3 ports
//	2  accounting/workstation -> it/server  UDP  1 port
//	3  hr/mobile              -> it/server  TCP  4 ports
func TestAllowList(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*policyconfig.Config)
		segments []Segment
		allow    []Rule
	}{
		{
			name: "default",
			edit: func(*policyconfig.Config) {},
			segments: []Segment{
				{ID: "accounting/workstation", Department: "accounting", DeviceType: "workstation", FlowsOut: 3},
				{ID: "hr/mobile", Department: "hr", DeviceType: "mobile", FlowsOut: 1},
				{ID: "it/server", Department: "it", DeviceType: "server", FlowsIn: 4},
			},
			allow: []Rule{
				// Rows 0-2: TCP twice, UDP once; max ports 3.
				{From: "accounting/workstation", To: "it/server", Protocols: []string{"TCP", "UDP"}, MaxPorts: 3, Flows: 3},
				{From: "hr/mobile", To: "it/server", Protocols: []string{"TCP"}, MaxPorts: 4, Flows: 1},
			},
		},
		{
			name: "min flows 2",
			edit: func(c *policyconfig.Config) { c.MinFlows = 2 },
			segments: []Segment{
				{ID: "accounting/workstation", Department: "accounting", DeviceType: "workstation", FlowsOut: 3},
				{ID: "hr/mobile", Department: "hr", DeviceType: "mobile", FlowsOut: 1},
				{ID: "it/server", Department: "it", DeviceType: "server", FlowsIn: 4},
			},
			allow: []Rule{
				// UDP (1 flow) drops out, and with it row 2's ports; hr/mobile
				// (1 flow) gets no rule.
				{From: "accounting/workstation", To: "it/server", Protocols: []string{"TCP"}, MaxPorts: 3, Flows: 2},
			},
		},
		{
			name: "port margin 2",
			edit: func(c *policyconfig.Config) { c.PortMargin = 2 },
			segments: []Segment{
				{ID: "accounting/workstation", Department: "accounting", DeviceType: "workstation", FlowsOut: 3},
				{ID: "hr/mobile", Department: "hr", DeviceType: "mobile", FlowsOut: 1},
				{ID: "it/server", Department: "it", DeviceType: "server", FlowsIn: 4},
			},
			allow: []Rule{
				{From: "accounting/workstation", To: "it/server", Protocols: []string{"TCP", "UDP"}, MaxPorts: 3 + 2, Flows: 3},
				{From: "hr/mobile", To: "it/server", Protocols: []string{"TCP"}, MaxPorts: 4 + 2, Flows: 1},
			},
		},
		{
			name: "by department",
			edit: func(c *policyconfig.Config) { c.Segments = policyconfig.SegmentsDepartment },
			segments: []Segment{
				{ID: "accounting", Department: "accounting", FlowsOut: 3},
				{ID: "hr", Department: "hr", FlowsOut: 1},
				{ID: "it", Department: "it", FlowsIn: 4},
			},
			allow: []Rule{
				{From: "accounting", To: "it", Protocols: []string{"TCP", "UDP"}, MaxPorts: 3, Flows: 3},
				{From: "hr", To: "it", Protocols: []string{"TCP"}, MaxPorts: 4, Flows: 1},
			},
		},
		{
			name: "by device type",
			edit: func(c *policyconfig.Config) { c.Segments = policyconfig.SegmentsDeviceType },
			segments: []Segment{
				{ID: "mobile", DeviceType: "mobile", FlowsOut: 1},
				{ID: "server", DeviceType: "server", FlowsIn: 4},
				{ID: "workstation", DeviceType: "workstation", FlowsOut: 3},
			},
			allow: []Rule{
				{From: "mobile", To: "server", Protocols: []string{"TCP"}, MaxPorts: 4, Flows: 1},
				{From: "workstation", To: "server", Protocols: []string{"TCP", "UDP"}, MaxPorts: 3, Flows: 3},
			},
		},
		{
			name: "empty granularity means department_device",
			edit: func(c *policyconfig.Config) { c.Segments = "" },
			segments: []Segment{
				{ID: "accounting/workstation", Department: "accounting", DeviceType: "workstation", FlowsOut: 3},
				{ID: "hr/mobile", Department: "hr", DeviceType: "mobile", FlowsOut: 1},
				{ID: "it/server", Department: "it", DeviceType: "server", FlowsIn: 4},
			},
			allow: []Rule{
				{From: "accounting/workstation", To: "it/server", Protocols: []string{"TCP", "UDP"}, MaxPorts: 3, Flows: 3},
				{From: "hr/mobile", To: "it/server", Protocols: []string{"TCP"}, MaxPorts: 4, Flows: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := noClusters()
			tt.edit(&cfg)
			p, err := Recommend(smallFlows(), smallTrain, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.segments, p.Segments); diff != "" {
				t.Errorf("segments mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.allow, p.Allow, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("allow mismatch (-want +got):\n%s", diff)
			}
			if p.Clusters != nil {
				t.Errorf("clusters = %+v, want none", p.Clusters)
			}
			want := cfg.Segments
			if want == "" {
				want = policyconfig.SegmentsDepartmentDevice
			}
			if p.SegmentsBy != want || p.Config.Segments != want {
				t.Errorf("segments_by %q, config.segments %q, want %q", p.SegmentsBy, p.Config.Segments, want)
			}
			// Every policy Recommend makes is a valid document.
			if _, err := Decode(encode(t, p)); err != nil {
				t.Errorf("Decode(Encode(policy)): %v", err)
			}
		})
	}
}

// TestDecideReasons checks the allow-list's reasons and isolation on
// smallFlows' policy without clusters, whose rules TestAllowList's
// "default" case derives by hand: accounting/workstation -> it/server
// over TCP and UDP with at most 3 ports, hr/mobile -> it/server over TCP
// with at most 4; isolation above 0.8. TestBehaviour covers Behaviour.
func TestDecideReasons(t *testing.T) {
	p, err := Recommend(smallFlows(), smallTrain, noClusters(), nil)
	if err != nil {
		t.Fatal(err)
	}
	flowOf := func(src, dst, protocol string, ports int64) flow.Flow {
		srcDept, srcDev := split(src)
		dstDept, dstDev := split(dst)
		return flow.Flow{SrcDepartment: srcDept, SrcDeviceType: srcDev, DstDepartment: dstDept, DstDeviceType: dstDev,
			Protocol: protocol, BytesSent: 1000, Duration: 10, CPUUsage: 15, PortsContacted: ports}
	}
	tests := []struct {
		name        string
		flow        flow.Flow
		probability float64
		want        Reason
	}{
		{"allowed", flowOf("accounting/workstation", "it/server", "TCP", 3), math.NaN(), 0},
		{"allowed UDP", flowOf("accounting/workstation", "it/server", "UDP", 1), 0.5, 0},
		{"ports above the bound 3", flowOf("accounting/workstation", "it/server", "TCP", 4), math.NaN(), Ports},
		{"ICMP not allowed", flowOf("accounting/workstation", "it/server", "ICMP", 1), math.NaN(), Protocol},
		{"unknown protocol", flowOf("accounting/workstation", "it/server", "SCTP", 1), math.NaN(), Protocol},
		{"protocol and ports", flowOf("accounting/workstation", "it/server", "ICMP", 5), math.NaN(), Protocol | Ports},
		{"UDP on the hr rule (TCP only)", flowOf("hr/mobile", "it/server", "UDP", 4), math.NaN(), Protocol},
		{"no rule between known segments", flowOf("hr/mobile", "accounting/workstation", "TCP", 1), math.NaN(), NotAllowed},
		{"reverse direction", flowOf("it/server", "accounting/workstation", "TCP", 1), math.NaN(), NotAllowed},
		{"unknown source segment", flowOf("sales/iot", "it/server", "TCP", 1), math.NaN(), NotAllowed},
		{"not allowed ignores ports and protocol", flowOf("sales/iot", "it/server", "ICMP", 99), math.NaN(), NotAllowed},
		{"isolated above 0.8", flowOf("accounting/workstation", "it/server", "TCP", 1), 0.81, Isolated},
		{"0.8 is not above 0.8", flowOf("accounting/workstation", "it/server", "TCP", 1), 0.8, 0},
		{"isolation adds to other reasons", flowOf("sales/iot", "it/server", "TCP", 1), 1, NotAllowed | Isolated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Decide(&tt.flow, tt.probability)
			if got.Reasons != tt.want || got.Blocked != (tt.want != 0) {
				t.Errorf("Decide = %+v (%v), want reasons %v", got, got.Reasons, tt.want)
			}
		})
	}
}

// TestBehaviour checks the behavioural rule against a case computed by
// hand. Two normal flows differ only in CPU (10 and 20; bytes, duration and
// ports 0, so the other features are log10(1) = 0 with SD 0, recorded as
// 1): mean [0 0 15 0], SD [1 1 5 1], standardised CPU -1 and +1. With one
// cluster the centre is their mean, the origin; both members lie at
// distance 1, so the radius (any quantile) is 1.
func TestBehaviour(t *testing.T) {
	f := table(
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 10},
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 20},
	)
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters = 1
	p, err := Recommend(f, []int{0, 1}, cfg, seed.New(1))
	if err != nil {
		t.Fatal(err)
	}
	want := &Clustering{
		Features: BehaviourFeatures,
		Mean:     []float64{0, 0, 15, 0},
		SD:       []float64{1, 1, 5, 1},
		Clusters: []Cluster{{Center: []float64{0, 0, 0, 0}, CenterUnits: []float64{0, 0, 15, 0}, Radius: 1, Members: 2}},
	}
	if diff := cmp.Diff(want, p.Clusters, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Fatalf("clusters mismatch (-want +got):\n%s", diff)
	}
	tests := []struct {
		name  string
		bytes float64
		cpu   float64
		want  Reason
	}{
		{"at the centre", 0, 15, 0},
		{"on the radius: cpu 20 is z = 1", 0, 20, 0},
		{"beyond: cpu 21 is z = 1.2", 0, 21, Behaviour},
		{"beyond: cpu 8 is z = -1.4", 0, 8, Behaviour},
		{"beyond: 99 bytes is log10(100) = 2 SDs", 99, 15, Behaviour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := flow.Flow{SrcDepartment: "it", SrcDeviceType: "server", DstDepartment: "it", DstDeviceType: "server",
				Protocol: "TCP", BytesSent: tt.bytes, CPUUsage: tt.cpu}
			if got := p.Decide(&fl, math.NaN()).Reasons; got != tt.want {
				t.Errorf("reasons %v, want %v", got, tt.want)
			}
		})
	}
}

// TestClusterMembers checks members and radii on two separated groups
// with two clusters: k-means must find the groups, whatever its numbering.
// Group A (3 flows) has CPU 10, 11, 12 and group B (2 flows) CPU 90, 92.
// CPU mean 43, population SD sqrt(sum (x-43)^2 / 5) = sqrt(6340/5); each
// group's centre is its mean and the radius (quantile 1: the maximum) is
// its largest |x - mean| / SD: 1/SD for A, 1/SD for B.
func TestClusterMembers(t *testing.T) {
	f := table(
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 10},
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 90},
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 11},
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 92},
		flowRow{src: "it/server", dst: "it/server", protocol: "TCP", cpu: 12},
	)
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters = 2
	cfg.ClusterQuantile = 1
	p, err := Recommend(f, allRows(5), cfg, seed.New(7))
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt((33*33 + 32*32 + 31*31 + 47*47 + 49*49) / 5.0)
	got := map[int]Cluster{}
	for _, c := range p.Clusters.Clusters {
		got[c.Members] = c
	}
	for _, want := range []struct {
		members int
		cpu     float64
		radius  float64
	}{{3, 11, 1 / sd}, {2, 91, 1 / sd}} {
		c, ok := got[want.members]
		if !ok {
			t.Fatalf("no cluster of %d members in %+v", want.members, p.Clusters.Clusters)
		}
		if math.Abs(c.CenterUnits[2]-want.cpu) > 1e-9 || math.Abs(c.Radius-want.radius) > 1e-12 {
			t.Errorf("cluster of %d: centre CPU %v, radius %v; want %v, %v", want.members, c.CenterUnits[2], c.Radius, want.cpu, want.radius)
		}
	}
}

// TestQuantile checks numpy's default quantile: the expected values are
// np.quantile(values, q) (numpy 1.24, method "linear").
func TestQuantile(t *testing.T) {
	tests := []struct {
		values []float64
		q      float64
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, 0.99, 3.97},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4, 5}, 0.25, 2},
		{[]float64{0, 10}, 0.3, 3},
		{[]float64{0, 10}, 1, 10},
		{[]float64{7}, 0.99, 7},
		{nil, 0.5, 0},
	}
	for _, tt := range tests {
		if got := quantile(tt.values, tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("quantile(%v, %v) = %v, want %v", tt.values, tt.q, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*policyconfig.Config)
		want string // substring of the error; "" for none
	}{
		{"default", func(*policyconfig.Config) {}, ""},
		{"empty segments", func(c *policyconfig.Config) { c.Segments = "" }, ""},
		{"no clusters", func(c *policyconfig.Config) { c.Clusters = 0 }, ""},
		{"quantile 1", func(c *policyconfig.Config) { c.ClusterQuantile = 1 }, ""},
		{"isolate above 0", func(c *policyconfig.Config) { c.IsolateAbove = 0 }, ""},
		{"unknown segments", func(c *policyconfig.Config) { c.Segments = "vlan" }, "Segments"},
		{"min flows 0", func(c *policyconfig.Config) { c.MinFlows = 0 }, "MinFlows"},
		{"negative port margin", func(c *policyconfig.Config) { c.PortMargin = -1 }, "PortMargin"},
		{"negative clusters", func(c *policyconfig.Config) { c.Clusters = -1 }, "Clusters"},
		{"quantile 0", func(c *policyconfig.Config) { c.ClusterQuantile = 0 }, "ClusterQuantile"},
		{"quantile above 1", func(c *policyconfig.Config) { c.ClusterQuantile = 1.01 }, "ClusterQuantile"},
		{"quantile NaN", func(c *policyconfig.Config) { c.ClusterQuantile = math.NaN() }, "ClusterQuantile"},
		{"isolate above 1", func(c *policyconfig.Config) { c.IsolateAbove = 1.5 }, "IsolateAbove"},
		{"isolate NaN", func(c *policyconfig.Config) { c.IsolateAbove = math.NaN() }, "IsolateAbove"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := policyconfig.DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestRecommendErrors(t *testing.T) {
	good := flowRow{src: "it/server", dst: "hr/mobile", protocol: "TCP", bytes: 10, duration: 1, cpu: 10, ports: 1}
	with := func(edit func(*flowRow)) *flow.Table {
		r := good
		edit(&r)
		return table(good, r)
	}
	tests := []struct {
		name   string
		flows  *flow.Table
		train  []int
		cfg    func(*policyconfig.Config)
		column string // the *RowError's column, or "" for another error
		want   string // substring of the error
	}{
		{"invalid config", table(good), []int{0}, func(c *policyconfig.Config) { c.MinFlows = 0 }, "", "MinFlows"},
		{"row out of range", table(good), []int{0, 1}, nil, "", "train[1] = 1"},
		{"negative row", table(good), []int{-1}, nil, "", "train[0] = -1"},
		{"no rows", table(good), nil, nil, "", "no normal flows"},
		{"only anomalies", table(flowRow{src: "it/server", dst: "hr/mobile", protocol: "TCP", anomaly: flow.CryptoMining}), []int{0}, nil, "", "no normal flows"},
		{"negative bytes", with(func(r *flowRow) { r.bytes = -1 }), []int{0, 1}, nil, flow.ColBytesSent, "-1"},
		{"NaN bytes", with(func(r *flowRow) { r.bytes = math.NaN() }), []int{0, 1}, nil, flow.ColBytesSent, "NaN"},
		{"infinite duration", with(func(r *flowRow) { r.duration = math.Inf(1) }), []int{0, 1}, nil, flow.ColDuration, "+Inf"},
		{"CPU above 100", with(func(r *flowRow) { r.cpu = 101 }), []int{0, 1}, nil, flow.ColCPUUsage, "101"},
		{"negative ports", with(func(r *flowRow) { r.ports = -2 }), []int{0, 1}, nil, flow.ColPortsContacted, "-2"},
		{"unknown protocol", with(func(r *flowRow) { r.protocol = "SCTP" }), []int{0, 1}, nil, flow.ColProtocol, "SCTP"},
		{"slash in a device type", with(func(r *flowRow) { r.dst = "hr/mobile/2" }), []int{0, 1}, nil, flow.ColDstDeviceType, `"/"`},
		{"empty device type", with(func(r *flowRow) { r.src = "it/" }), []int{0, 1}, nil, flow.ColSrcDeviceType, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := policyconfig.DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			_, err := Recommend(tt.flows, tt.train, cfg, seed.New(1))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Recommend error %v, want one containing %q", err, tt.want)
			}
			var re *RowError
			switch {
			case tt.column != "" && !errors.As(err, &re):
				t.Errorf("error %v is not a *RowError", err)
			case tt.column != "" && (re.Column != tt.column || re.Row != 1):
				t.Errorf("RowError at row %d column %s, want row 1 column %s", re.Row, re.Column, tt.column)
			}
			if tt.want == "no normal flows" && !errors.Is(err, ErrNoNormalFlows) {
				t.Errorf("error %v is not ErrNoNormalFlows", err)
			}
		})
	}
}

func TestRecommendBadColumns(t *testing.T) {
	f := smallFlows()
	f.CPUUsage = f.CPUUsage[:2]
	if _, err := Recommend(f, smallTrain, noClusters(), nil); err == nil || !strings.Contains(err.Error(), flow.ColCPUUsage) {
		t.Errorf("Recommend with a short column: %v, want an error naming %s", err, flow.ColCPUUsage)
	}
	f = smallFlows()
	f.Protocol.Codes[0] = 7
	var re *RowError
	if _, err := Recommend(f, smallTrain, noClusters(), nil); !errors.As(err, &re) || re.Column != flow.ColProtocol {
		t.Errorf("Recommend with a code outside its levels: %v, want a *RowError for %s", err, flow.ColProtocol)
	}
}

// Rows are checked by the flow schema's validator (flow.Table.CheckRow):
// every range and the labels, the message naming the column once.
func TestRowErrorsOfTheSchema(t *testing.T) {
	good := flowRow{src: "it/server", dst: "hr/mobile", protocol: "TCP", bytes: 10, duration: 1, cpu: 10, ports: 1}
	p, err := Recommend(table(good), []int{0}, noClusters(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := table(good, good)
	f.Hour[1] = 24
	_, err = Recommend(f, []int{0, 1}, noClusters(), nil)
	var re *RowError
	if !errors.As(err, &re) || re.Row != 1 || re.Column != flow.ColHour || err.Error() != "policy: row 1: hour: 24 is outside 0..23" {
		t.Errorf("Recommend with hour 24: %v", err)
	}
	f = table(good, good)
	f.IsAnomaly[1] = true
	_, err = Evaluate(p, f, []int{0, 1}, nil)
	const want = `policy: row 1: is_anomaly: true disagrees with anomaly_type "normal" (is_anomaly is false exactly for "normal")`
	if !errors.As(err, &re) || re.Row != 1 || re.Column != flow.ColIsAnomaly || err.Error() != want {
		t.Errorf("Evaluate with labels that disagree: %v, want %s", err, want)
	}
}

// TestRecommendIgnoresAnomaliesAndTestRows: anomalous training rows and
// rows outside train, however odd, leave the policy unchanged, clusters
// included.
func TestRecommendIgnoresAnomaliesAndTestRows(t *testing.T) {
	f := smallFlows()
	cfg := policyconfig.DefaultConfig()
	cfg.Clusters = 2
	want, err := Recommend(f, []int{0, 1, 2, 3}, cfg, seed.New(3))
	if err != nil {
		t.Fatal(err)
	}
	// Row 4 (a training anomaly) and row 5 (a test row) are each
	// different from every normal training flow; they would add an ICMP
	// protocol, a port bound of 9 and a segment hr/mobile -> hr/mobile.
	// Corrupting the unused rows' values does not matter either.
	f.BytesSent[5] = -1
	got, err := Recommend(f, []int{0, 1, 2, 3, 4}, cfg, seed.New(3))
	if err != nil {
		t.Fatal(err)
	}
	if w, g := encode(t, want), encode(t, got); !bytes.Equal(w, g) {
		t.Errorf("policy changed by an anomaly or a test row:\nwant %s\ngot  %s", w, g)
	}
}

func TestActions(t *testing.T) {
	high := Actions(RiskHigh, "accounting", "workstation")
	want := []Action{
		{1, ActionIsolateSource, "accounting/workstation", "Isolate source device (accounting workstation)"},
		{2, ActionBlockOutbound, "accounting/workstation", "Block all outbound connections from the source"},
		{3, ActionMonitorSegment, "accounting", "Monitor all devices in the accounting segment"},
		{4, ActionAlert, TargetSecurityTeam, "Alert the security team for incident response"},
		{5, ActionForensic, "accounting/workstation", "Preserve logs and network flows"},
	}
	if diff := cmp.Diff(want, high); diff != "" {
		t.Errorf("Actions(HIGH) mismatch (-want +got):\n%s", diff)
	}
	medium := Actions(RiskMedium, "hr", "mobile")
	if len(medium) != 1 || medium[0].Kind != ActionMonitorSource || medium[0].Target != "hr/mobile" {
		t.Errorf("Actions(MEDIUM) = %+v, want one monitor_source of hr/mobile", medium)
	}
	if low := Actions(RiskLow, "hr", "mobile"); low != nil {
		t.Errorf("Actions(LOW) = %+v, want nil", low)
	}
	defer func() {
		if recover() == nil {
			t.Error("Actions of an unknown risk level did not panic")
		}
	}()
	Actions("CRITICAL", "hr", "mobile")
}

func TestReasonString(t *testing.T) {
	tests := []struct {
		r    Reason
		want string
	}{
		{0, "none"},
		{NotAllowed, "not_allowed"},
		{Protocol | Ports, "protocol|ports"},
		{Behaviour | Isolated, "behaviour|isolated"},
		{AllowList, "not_allowed|protocol|ports"},
		{1 << 7, "0x80"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Reason(%d).String() = %q, want %q", uint8(tt.r), got, tt.want)
		}
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	f, train, test := notebookFlows(t, 2000, 11)
	p, err := Recommend(f, train, policyconfig.DefaultConfig(), seed.New(1))
	if err != nil {
		t.Fatal(err)
	}
	fl := f.At(test[0])
	if allocs := testing.AllocsPerRun(100, func() { p.Decide(&fl, 0.9) }); allocs != 0 {
		t.Errorf("Decide allocates %v times per call", allocs)
	}
}

func TestDecidePanicsWithoutIndex(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Decide on a hand-made Policy did not panic")
		}
	}()
	(&Policy{}).Decide(&flow.Flow{}, 0)
}
