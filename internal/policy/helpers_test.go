package policy

import (
	"bytes"
	"slices"
	"testing"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

// flowRow is one hand-written flow; anomaly "" means normal.
type flowRow struct {
	src, dst string // "department/device_type"
	protocol string
	bytes    float64
	duration float64
	cpu      float64
	ports    int64
	anomaly  string
}

// table builds a flow table from hand-written rows, with the notebook's
// category levels (and any others the rows use, appended).
func table(rows ...flowRow) *flow.Table {
	cat := func(levels []string) flow.Categorical {
		return flow.Categorical{Levels: slices.Clone(levels)}
	}
	f := &flow.Table{
		SrcDeviceType: cat(flow.DeviceTypes),
		SrcDepartment: cat(flow.Departments),
		DstDeviceType: cat(flow.DeviceTypes),
		DstDepartment: cat(flow.Departments),
		Protocol:      cat(flow.Protocols),
		AnomalyType:   cat(flow.AnomalyTypes),
	}
	put := func(c *flow.Categorical, v string) {
		code := c.Code(v)
		if code < 0 {
			code = len(c.Levels)
			c.Levels = append(c.Levels, v)
		}
		c.Codes = append(c.Codes, uint16(code))
	}
	for _, r := range rows {
		srcDept, srcDev := split(r.src)
		dstDept, dstDev := split(r.dst)
		put(&f.SrcDepartment, srcDept)
		put(&f.SrcDeviceType, srcDev)
		put(&f.DstDepartment, dstDept)
		put(&f.DstDeviceType, dstDev)
		put(&f.Protocol, r.protocol)
		typ := r.anomaly
		if typ == "" {
			typ = flow.Normal
		}
		put(&f.AnomalyType, typ)
		f.BytesSent = append(f.BytesSent, r.bytes)
		f.PacketsSent = append(f.PacketsSent, 1)
		f.Duration = append(f.Duration, r.duration)
		f.Hour = append(f.Hour, 12)
		f.IsBusinessHours = append(f.IsBusinessHours, true)
		f.CPUUsage = append(f.CPUUsage, r.cpu)
		f.PortsContacted = append(f.PortsContacted, r.ports)
		f.SameDept = append(f.SameDept, srcDept == dstDept)
		f.CrossDept = append(f.CrossDept, srcDept != dstDept)
		f.IsAnomaly = append(f.IsAnomaly, r.anomaly != "")
	}
	return f
}

func split(segment string) (department, deviceType string) {
	i := bytes.IndexByte([]byte(segment), '/')
	return segment[:i], segment[i+1:]
}

// allRows returns 0..n-1.
func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// encode returns p's document.
func encode(t testing.TB, p *Policy) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// notebookFlows generates n flows with the notebook's generator, 5%
// anomalies (60% crypto mining, 40% lateral movement), and splits them
// 70/30 at random.
func notebookFlows(t testing.TB, n int, s uint64) (f *flow.Table, train, test []int) {
	t.Helper()
	f, err := synth.Generate(synth.Config{
		Generator:   synth.GeneratorNotebook,
		Flows:       n,
		AnomalyRate: 0.05,
		AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	perm := seed.New(seed.Derive(s, "split")).Perm(n)
	cut := n * 7 / 10
	train, test = perm[:cut], perm[cut:]
	slices.Sort(train)
	slices.Sort(test)
	return f, train, test
}
