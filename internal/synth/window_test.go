package synth

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/internal/flow"
)

func generateWindow(t testing.TB, cfg WindowConfig, s uint64) *flow.Table {
	t.Helper()
	f, err := GenerateWindow(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	want := cfg.Flows
	for _, a := range cfg.Attacks {
		want += a.Flows
	}
	if f.Len() != want {
		t.Fatalf("%d flows, want %d", f.Len(), want)
	}
	return f
}

// recordingSource is a PCG that records its outputs; replaySource plays
// recorded outputs back.
type recordingSource struct {
	src rand.Source
	out []uint64
}

func (s *recordingSource) Uint64() uint64 {
	v := s.src.Uint64()
	s.out = append(s.out, v)
	return v
}

type replaySource struct {
	values []uint64
	next   int
}

func (s *replaySource) Uint64() uint64 {
	v := s.values[s.next]
	s.next++
	return v
}

// windowRow returns every column of row i, and its bytes per packet.
func windowRow(f *flow.Table, bpp []float64, i int) []any {
	return []any{
		f.SrcDeviceType.Value(i), f.SrcDepartment.Value(i), f.DstDeviceType.Value(i), f.DstDepartment.Value(i),
		f.Protocol.Value(i), f.BytesSent[i], f.PacketsSent[i], f.Duration[i], f.Hour[i], f.IsBusinessHours[i],
		f.CPUUsage[i], f.PortsContacted[i], f.SameDept[i], f.CrossDept[i], f.IsAnomaly[i], f.AnomalyType.Value(i), bpp[i],
	}
}

// The window's drawing code duplicates generateFlow's (so that Generate's
// output stays as it was) but must draw the same flows: fed generateFlow's
// random values less the hour's, it reproduces generateFlow's flow at the
// hour generateFlow drew. generateFlow's fifth value is the hour's: four
// IntN(6) and one IntN(24) each consume exactly one value (math/rand/v2
// rejects and redraws with probability below n/2^64).
func TestWindowDrawMatchesGenerateFlow(t *testing.T) {
	rec := &recordingSource{src: rand.NewPCG(1, 2)}
	want, got := flow.New(1), flow.New(1)
	wantBPP, gotBPP := make([]float64, 1), make([]float64, 1)
	regimes := map[string]int{}
	for n := range 20_000 {
		rec.out = rec.out[:0]
		generateFlow(want, wantBPP, 0, rand.New(rec))
		replay := &replaySource{values: slices.Concat(rec.out[:4], rec.out[5:])}
		newWindowDrawer(int(want.Hour[0]), &Drift{}).draw(got, gotBPP, 0, rand.New(replay), -1, -1)
		if diff := cmp.Diff(windowRow(want, wantBPP, 0), windowRow(got, gotBPP, 0)); diff != "" {
			t.Fatalf("flow %d: window draw differs from generateFlow (-generateFlow +window):\n%s", n, diff)
		}
		if replay.next != len(replay.values) {
			t.Fatalf("flow %d: window draw used %d of generateFlow's %d values less the hour", n, replay.next, len(replay.values))
		}
		regimes[regime(want, 0)]++
	}
	if len(regimes) != 3 {
		t.Errorf("flows covered regimes %v, want all 3", regimes)
	}
}

// Generate's output is pinned: the window code shares generateFlow's
// helpers and must not change it. Digests of the flows (every column, row
// by row, little-endian 8-byte values, float64 bits) computed before
// window.go was added, from a program calling Generate outside this
// package. Floating-point results may differ in the last bit on
// architectures that fuse multiply-adds, hence amd64 only.
func TestGenerateUnchangedByWindow(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("digests were computed on amd64")
	}
	for _, tc := range []struct {
		generator string
		seed      uint64
		want      string
	}{
		{GeneratorNotebook, 42, "185a99b9335d7a692eab8bcba83eb6ad12667efcb5f0ca19f2c778e00945a9d0"},
		{GeneratorConsistent, 1, "3cf1ce86cc2f1640aaeb6df11bdd6a0be24e08338d267847e47c4050db7aec87"},
	} {
		f, err := Generate(Config{Generator: tc.generator, Flows: 150_000, AnomalyRate: 0.05,
			AnomalyMix: notebookMix, Difficulty: 0.3, Workers: 3}, tc.seed)
		if err != nil {
			t.Fatal(err)
		}
		if got := flowsDigest(f); got != tc.want {
			t.Errorf("Generate(%s, seed %d) digest %s, want %s", tc.generator, tc.seed, got, tc.want)
		}
	}
}

func flowsDigest(f *flow.Table) string {
	h := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	bit := func(b bool) uint64 {
		if b {
			return 1
		}
		return 0
	}
	for i := range f.Len() {
		for _, c := range []*flow.Categorical{&f.SrcDeviceType, &f.SrcDepartment, &f.DstDeviceType, &f.DstDepartment, &f.Protocol, &f.AnomalyType} {
			put(uint64(c.Codes[i]))
		}
		put(math.Float64bits(f.BytesSent[i]))
		put(uint64(f.PacketsSent[i]))
		put(math.Float64bits(f.Duration[i]))
		put(uint64(f.Hour[i]))
		put(bit(f.IsBusinessHours[i]))
		put(math.Float64bits(f.CPUUsage[i]))
		put(uint64(f.PortsContacted[i]))
		put(bit(f.SameDept[i]))
		put(bit(f.CrossDept[i]))
		put(bit(f.IsAnomaly[i]))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// Every flow is at the window's hour, is_business_hours following it,
// but where injection changes them as Generate's does (the notebook keeps a
// crypto mining flow's hour and sets is_business_hours false; the
// consistent generator moves the hour off business hours).
func TestGenerateWindowHours(t *testing.T) {
	for _, gen := range Generators {
		for hour := range 24 {
			cfg := WindowConfig{Generator: gen, Flows: 300, Hour: hour, Attacks: []WindowAttack{
				{Attack: Attack{Type: flow.CryptoMining}, Flows: 100}, {Attack: Attack{Type: flow.LateralMovement}, Flows: 100},
			}}
			f := generateWindow(t, cfg, uint64(hour))
			business := 8 <= hour && hour <= 17
			for i := range f.Len() {
				typ := f.AnomalyType.Value(i)
				wantHour, wantBusiness := int64(hour), business
				if typ == flow.CryptoMining {
					wantBusiness = false
					if gen == GeneratorConsistent && business {
						wantHour = -1 // some off-hour
					}
				}
				if wantHour >= 0 && f.Hour[i] != wantHour || f.IsBusinessHours[i] != wantBusiness {
					t.Fatalf("%s, hour %d: %s flow %d at hour %d, business hours %v; want hour %d, business hours %v",
						gen, hour, typ, i, f.Hour[i], f.IsBusinessHours[i], wantHour, wantBusiness)
				}
				if gen == GeneratorConsistent && f.IsBusinessHours[i] != (8 <= f.Hour[i] && f.Hour[i] <= 17) {
					t.Fatalf("%s, hour %d: flow %d at hour %d with business hours %v", gen, hour, i, f.Hour[i], f.IsBusinessHours[i])
				}
			}
		}
	}
}

func TestGenerateWindowDeviceWeights(t *testing.T) {
	const n = 60_000
	for _, tc := range []struct {
		name    string
		weights []float64
		want    []float64 // shares in flow.DeviceTypes order
	}{
		{"nil is uniform", nil, []float64{1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6}},
		{"relative weights", []float64{4, 1, 0, 2, 0, 3}, []float64{0.4, 0.1, 0, 0.2, 0, 0.3}},
		{"one device", []float64{0, 0, 0, 0, 0, 7}, []float64{0, 0, 0, 0, 0, 1}},
		{"trailing zeros", []float64{1, 1, 0, 0, 0, 0}, []float64{0.5, 0.5, 0, 0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := generateWindow(t, WindowConfig{Generator: GeneratorNotebook, Flows: n, Hour: 10,
				Drift: Drift{DeviceWeights: tc.weights}, Workers: 2}, 5)
			all := rowsWhere(f, func(int) bool { return true })
			for code, p := range tc.want {
				isDevice := func(i int) bool { return int(f.SrcDeviceType.Codes[i]) == code }
				if p == 0 || p == 1 {
					// Exact: a device of weight 0 never appears.
					if got := len(rowsWhere(f, isDevice)); got != int(p)*n {
						t.Errorf("%s: %d flows, want %d", flow.DeviceTypes[code], got, int(p)*n)
					}
					continue
				}
				share(t, "src_device_type="+flow.DeviceTypes[code], all, isDevice, p)
			}
			// The destination device stays uniform.
			share(t, "dst_device_type=workstation", all, func(i int) bool { return f.DstDeviceType.Codes[i] == workstation }, 1./6)
		})
	}
}

// The drift's shifts change no draw, so the same seed with and without them
// pairs the flows row by row.
func TestGenerateWindowDriftShifts(t *testing.T) {
	for _, gen := range Generators {
		t.Run(gen, func(t *testing.T) {
			attacks := []WindowAttack{{Attack: Attack{Type: flow.LateralMovement, Difficulty: 0.5}, Flows: 2000}}
			base := WindowConfig{Generator: gen, Flows: 50_000, Hour: 14, Attacks: attacks, Workers: 2}
			drifted := base
			drifted.Drift = Drift{BytesLogShift: 1.5, CPUShift: 30}
			f0, f1 := generateWindow(t, base, 7), generateWindow(t, drifted, 7)

			normal := rowsWhere(f0, is(f0, flow.Normal))
			logBytes0, logBytes1 := make([]float64, len(normal)), make([]float64, len(normal))
			for k, i := range normal {
				logBytes0[k], logBytes1[k] = math.Log(f0.BytesSent[i]), math.Log(f1.BytesSent[i])
				if d := logBytes1[k] - logBytes0[k]; math.Abs(d-1.5) > 1e-9 {
					t.Fatalf("flow %d: log bytes moved by %v, want 1.5", i, d)
				}
				if got, want := f1.CPUUsage[i], clipPercent(f0.CPUUsage[i]+30); got != want {
					t.Fatalf("flow %d: cpu %v, want clip(%v + 30) = %v", i, got, f0.CPUUsage[i], want)
				}
				// packets = int(bytes / U(lo, hi)) with the same U: they grow
				// with the bytes.
				if f1.PacketsSent[i] < f0.PacketsSent[i] {
					t.Fatalf("flow %d: packets fell from %d to %d with 4.5x the bytes", i, f0.PacketsSent[i], f1.PacketsSent[i])
				}
			}
			m0, _ := meanSD(logBytes0)
			m1, _ := meanSD(logBytes1)
			if math.Abs(m1-m0-1.5) > 1e-9 {
				t.Errorf("mean log bytes moved from %.4f to %.4f, want by 1.5", m0, m1)
			}
			// Against the notebook: workstations in business hours draw
			// log bytes ~ N(8, 1.5), shifted to N(9.5, 1.5).
			web := rowsWhere(f1, func(i int) bool { return is(f1, flow.Normal)(i) && regime(f1, i) == "workstation_business_hours" })
			var lb []float64
			for _, i := range web {
				lb = append(lb, math.Log(f1.BytesSent[i]))
			}
			m, _ := meanSD(lb)
			near(t, "mean log bytes, workstation", m, 9.5, 1.5/math.Sqrt(float64(len(lb))))
			if gen == GeneratorConsistent {
				if q := countQuirks(f1); q.packetsDisagree+q.hourDisagrees+q.deptDisagrees != 0 {
					t.Errorf("drifted consistent window: %+v, want no inconsistent rows", q)
				}
			}

			// Only the shifted columns differ.
			g0, g1 := *f0, *f1
			g1.BytesSent, g1.PacketsSent, g1.CPUUsage = g0.BytesSent, g0.PacketsSent, g0.CPUUsage
			sameFlows(t, "without drift", "with drift but for the shifted columns", &g0, &g1)
		})
	}
}

func TestGenerateWindowAttacks(t *testing.T) {
	for _, gen := range Generators {
		t.Run(gen, func(t *testing.T) {
			attacks := []WindowAttack{
				{Attack: Attack{Type: flow.CryptoMining, SrcDepartment: "engineering", SrcDeviceType: "server", CPUShift: -40}, Flows: 3000},
				{Attack: Attack{Type: flow.LateralMovement, SrcDepartment: "hr"}, Flows: 2000},
				{Attack: Attack{Type: flow.CryptoMining, SrcDeviceType: "iot"}, Flows: 0},
				{Attack: Attack{Type: flow.CryptoMining, SrcDeviceType: "iot", Difficulty: 0.5}, Flows: 12_000},
			}
			cfg := WindowConfig{Generator: gen, Flows: 20_000, Hour: 3, Attacks: attacks, Workers: 3}
			f := generateWindow(t, cfg, 11)
			for i := range cfg.Flows {
				if f.IsAnomaly[i] || f.AnomalyType.Value(i) != flow.Normal {
					t.Fatalf("normal flow %d labelled %v %s", i, f.IsAnomaly[i], f.AnomalyType.Value(i))
				}
			}
			start := cfg.Flows
			rowsOf := make([][]int, len(attacks))
			for k, a := range attacks {
				for i := start; i < start+a.Flows; i++ {
					if !f.IsAnomaly[i] || f.AnomalyType.Value(i) != a.Type {
						t.Fatalf("attack %d flow %d labelled %v %s, want %s", k, i, f.IsAnomaly[i], f.AnomalyType.Value(i), a.Type)
					}
					if a.SrcDepartment != "" && f.SrcDepartment.Value(i) != a.SrcDepartment ||
						a.SrcDeviceType != "" && f.SrcDeviceType.Value(i) != a.SrcDeviceType {
						t.Fatalf("attack %d flow %d from %s/%s, want %q/%q", k, i,
							f.SrcDepartment.Value(i), f.SrcDeviceType.Value(i), a.SrcDepartment, a.SrcDeviceType)
					}
					rowsOf[k] = append(rowsOf[k], i)
				}
				start += a.Flows
			}
			// Unnamed parts of the segment are drawn as normal traffic.
			share(t, "lateral movement from a workstation", rowsOf[1], func(i int) bool { return f.SrcDeviceType.Codes[i] == workstation }, 1./6)
			share(t, "iot mining from engineering", rowsOf[3], func(i int) bool { return f.SrcDepartment.Value(i) == "engineering" }, 1./6)

			// Mining at difficulty 0 draws cpu U(80, 100); shifted by -40,
			// U(40, 60).
			for _, i := range rowsOf[0] {
				if c := f.CPUUsage[i]; c < 40 || c > 60 {
					t.Fatalf("mining flow %d: cpu %v outside U(80, 100) - 40", i, c)
				}
			}
			for _, i := range rowsOf[1] {
				if !f.CrossDept[i] || f.PortsContacted[i] < 10 || f.PortsContacted[i] > 24 {
					t.Fatalf("lateral flow %d: cross_dept %v, %d ports: not injected", i, f.CrossDept[i], f.PortsContacted[i])
				}
			}
			// The shift changes no draw: without it the same seed gives
			// cpu + 40 on the first attack's rows and the same flows elsewhere.
			unshifted := cfg
			unshifted.Attacks = slices.Clone(attacks)
			unshifted.Attacks[0].CPUShift = 0
			g := generateWindow(t, unshifted, 11)
			for _, i := range rowsOf[0] {
				if got, want := f.CPUUsage[i], clipPercent(g.CPUUsage[i]-40); got != want {
					t.Fatalf("mining flow %d: cpu %v, want clip(%v - 40) = %v", i, got, g.CPUUsage[i], want)
				}
			}
			g.CPUUsage = f.CPUUsage
			sameFlows(t, "with the attack's cpu shift", "without it but for cpu_usage", f, g)
		})
	}
}

// An attack at difficulty 1 is the window's drifted traffic but for its
// labels and its source segment.
func TestGenerateWindowAttackDifficultyOne(t *testing.T) {
	for _, gen := range Generators {
		drift := Drift{BytesLogShift: -1, DeviceWeights: []float64{1, 2, 3, 0, 0, 1}, CPUShift: 10}
		f := generateWindow(t, WindowConfig{Generator: gen, Flows: 40_000, Hour: 20, Drift: drift,
			Attacks: []WindowAttack{{Attack: Attack{Type: flow.CryptoMining, Difficulty: 1}, Flows: 20_000}, {Attack: Attack{Type: flow.LateralMovement, Difficulty: 1}, Flows: 20_000}}}, 3)
		normal := columns(f, rowsWhere(f, is(f, flow.Normal)))
		for _, typ := range InjectableTypes {
			for col, values := range columns(f, rowsWhere(f, is(f, typ))) {
				if rejects, d := ksRejects(values, normal[col]); rejects {
					t.Errorf("%s: %s %s differs from the window's traffic (KS D = %.4f)", gen, typ, col, d)
				}
			}
		}
	}
}

func TestGenerateWindowDeterministic(t *testing.T) {
	cfg := WindowConfig{Generator: GeneratorConsistent, Flows: 3*windowChunkSize + 17, Hour: 9,
		Drift: Drift{BytesLogShift: 0.3, DeviceWeights: []float64{1, 2, 3, 4, 5, 6}},
		Attacks: []WindowAttack{
			{Attack: Attack{Type: flow.LateralMovement, SrcDepartment: "sales", Difficulty: 0.2}, Flows: windowChunkSize + 1},
			{Attack: Attack{Type: flow.CryptoMining, CPUShift: -20}, Flows: 5},
		}}
	type run struct {
		workers int
		flows   *flow.Table
	}
	var runs []run
	for _, workers := range []int{0, 1, 3, 8} {
		cfg.Workers = workers
		runs = append(runs, run{workers, generateWindow(t, cfg, 99)})
	}
	for i := 1; i < len(runs); i++ {
		sameFlows(t, "workers=0", fmt.Sprintf("workers=%d", runs[i].workers), runs[0].flows, runs[i].flows)
	}
	if flowsDigest(runs[0].flows) == flowsDigest(generateWindow(t, cfg, 100)) {
		t.Error("seeds 99 and 100 gave the same flows")
	}
	// Adding an attack leaves the normal flows and earlier attacks alone.
	more := cfg
	more.Attacks = append(slices.Clone(cfg.Attacks), WindowAttack{Attack: Attack{Type: flow.CryptoMining}, Flows: 10})
	g := generateWindow(t, more, 99)
	sameFlows(t, "the window", "the first flows of the window with one more attack", runs[0].flows, sliceFlows(g, runs[0].flows.Len()))
}

// sameFlows fails unless a and b hold the same flows, compared by digest
// (cmp.Diff over tens of thousands of rows takes seconds) and diffed when
// they differ.
func sameFlows(t *testing.T, aName, bName string, a, b *flow.Table) {
	t.Helper()
	if flowsDigest(a) != flowsDigest(b) {
		t.Errorf("flows %s differ from flows %s (-%[1]s +%[2]s):\n%.2000[3]s", aName, bName, cmp.Diff(a, b))
	}
}

// sliceFlows returns the first n flows of f.
func sliceFlows(f *flow.Table, n int) *flow.Table {
	cat := func(c flow.Categorical) flow.Categorical {
		return flow.Categorical{Levels: c.Levels, Codes: c.Codes[:n]}
	}
	return &flow.Table{
		SrcDeviceType: cat(f.SrcDeviceType), SrcDepartment: cat(f.SrcDepartment),
		DstDeviceType: cat(f.DstDeviceType), DstDepartment: cat(f.DstDepartment), Protocol: cat(f.Protocol),
		BytesSent: f.BytesSent[:n], PacketsSent: f.PacketsSent[:n], Duration: f.Duration[:n], Hour: f.Hour[:n],
		IsBusinessHours: f.IsBusinessHours[:n], CPUUsage: f.CPUUsage[:n], PortsContacted: f.PortsContacted[:n],
		SameDept: f.SameDept[:n], CrossDept: f.CrossDept[:n], IsAnomaly: f.IsAnomaly[:n], AnomalyType: cat(f.AnomalyType),
	}
}

func TestGenerateWindowEmpty(t *testing.T) {
	f := generateWindow(t, WindowConfig{Generator: GeneratorNotebook, Attacks: []WindowAttack{{Attack: Attack{Type: flow.CryptoMining}}}}, 1)
	if f.Len() != 0 {
		t.Errorf("%d flows, want 0", f.Len())
	}
}

func TestGenerateWindowConfigErrors(t *testing.T) {
	ok := WindowConfig{Generator: GeneratorNotebook, Flows: 10, Hour: 23,
		Drift:   Drift{DeviceWeights: []float64{0, 0, 0, 0, 0, 1}},
		Attacks: []WindowAttack{{Attack: Attack{Type: flow.CryptoMining, SrcDepartment: "it", SrcDeviceType: "iot", Difficulty: 1}, Flows: 1}}}
	for _, tc := range []struct {
		name string
		edit func(*WindowConfig)
	}{
		{"unknown generator", func(c *WindowConfig) { c.Generator = "nope" }},
		{"negative flows", func(c *WindowConfig) { c.Flows = -1 }},
		{"hour below 0", func(c *WindowConfig) { c.Hour = -1 }},
		{"hour 24", func(c *WindowConfig) { c.Hour = 24 }},
		{"bytes shift NaN", func(c *WindowConfig) { c.Drift.BytesLogShift = math.NaN() }},
		{"bytes shift too large", func(c *WindowConfig) { c.Drift.BytesLogShift = 101 }},
		{"cpu shift infinite", func(c *WindowConfig) { c.Drift.CPUShift = math.Inf(-1) }},
		{"weights too few", func(c *WindowConfig) { c.Drift.DeviceWeights = []float64{1, 1} }},
		{"weights empty", func(c *WindowConfig) { c.Drift.DeviceWeights = []float64{} }},
		{"weight negative", func(c *WindowConfig) { c.Drift.DeviceWeights = []float64{1, -1, 1, 1, 1, 1} }},
		{"weight NaN", func(c *WindowConfig) { c.Drift.DeviceWeights = []float64{1, math.NaN(), 1, 1, 1, 1} }},
		{"weight infinite", func(c *WindowConfig) { c.Drift.DeviceWeights = []float64{1, math.Inf(1), 1, 1, 1, 1} }},
		{"weights all zero", func(c *WindowConfig) { c.Drift.DeviceWeights = make([]float64, 6) }},
		{"weights sum overflows", func(c *WindowConfig) { c.Drift.DeviceWeights = slices.Repeat([]float64{math.MaxFloat64}, 6) }},
		{"attack unknown type", func(c *WindowConfig) { c.Attacks[0].Type = "ddos" }},
		{"attack type normal", func(c *WindowConfig) { c.Attacks[0].Type = flow.Normal }},
		{"attack negative flows", func(c *WindowConfig) { c.Attacks[0].Flows = -5 }},
		{"attack unknown department", func(c *WindowConfig) { c.Attacks[0].SrcDepartment = "Engineering" }},
		{"attack unknown device", func(c *WindowConfig) { c.Attacks[0].SrcDeviceType = "laptop" }},
		{"attack difficulty above 1", func(c *WindowConfig) { c.Attacks[0].Difficulty = 1.5 }},
		{"attack difficulty NaN", func(c *WindowConfig) { c.Attacks[0].Difficulty = math.NaN() }},
		{"attack cpu shift NaN", func(c *WindowConfig) { c.Attacks[0].CPUShift = math.NaN() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Drift.DeviceWeights = slices.Clone(ok.Drift.DeviceWeights)
			c.Attacks = slices.Clone(ok.Attacks)
			tc.edit(&c)
			if _, err := GenerateWindow(c, 1); err == nil {
				t.Error("no error")
			} else {
				t.Log(err)
			}
		})
	}
	if _, err := GenerateWindow(ok, 1); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// BenchmarkGenerateWindow draws one hour of a day of 1,000,000 flows (about
// 40,000) with a drift and two attacks, on one core and on every core.
func BenchmarkGenerateWindow(b *testing.B) {
	for _, workers := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			const normal = 39_800
			cfg := WindowConfig{Generator: GeneratorConsistent, Flows: normal, Hour: 14, Workers: workers,
				Drift: Drift{BytesLogShift: 0.2, DeviceWeights: []float64{3, 1, 1, 1, 1, 1}, CPUShift: 5},
				Attacks: []WindowAttack{
					{Attack: Attack{Type: flow.CryptoMining, SrcDepartment: "engineering", SrcDeviceType: "server", CPUShift: -40}, Flows: 100},
					{Attack: Attack{Type: flow.LateralMovement, SrcDepartment: "hr", Difficulty: 0.3}, Flows: 100},
				}}
			if workers == 1 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			}
			for b.Loop() {
				if _, err := GenerateWindow(cfg, 42); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*40_000/b.Elapsed().Seconds(), "flows/s")
		})
	}
}
