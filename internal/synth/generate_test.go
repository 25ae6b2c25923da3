package synth

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
	"gonum.org/v1/gonum/stat"
)

var notebookMix = map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4}

func generate(t testing.TB, generator string, n int, rate, difficulty float64, s uint64) *flow.Table {
	t.Helper()
	f, err := Generate(Config{Generator: generator, Flows: n, AnomalyRate: rate, AnomalyMix: notebookMix, Difficulty: difficulty, Workers: 2}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	return f
}

// near fails unless got is within k standard errors of want.
func near(t *testing.T, what string, got, want, se float64) {
	t.Helper()
	const k = 5
	if math.Abs(got-want) > k*se {
		t.Errorf("%s = %.5g, want %.5g ± %.3g (%d standard errors)", what, got, want, k*se, k)
	}
}

// meanSD returns the mean and population standard deviation.
func meanSD(x []float64) (float64, float64) {
	m, v := stat.PopMeanVariance(x, nil)
	return m, math.Sqrt(v)
}

// share checks the share of rows where pred holds among rows, against p.
func share(t *testing.T, what string, rows []int, pred func(int) bool, p float64) {
	t.Helper()
	k := 0
	for _, i := range rows {
		if pred(i) {
			k++
		}
	}
	n := float64(len(rows))
	near(t, what, float64(k)/n, p, math.Sqrt(p*(1-p)/n))
}

func rowsWhere(f *flow.Table, pred func(int) bool) []int {
	var rows []int
	for i := range f.Len() {
		if pred(i) {
			rows = append(rows, i)
		}
	}
	return rows
}

func is(f *flow.Table, typ string) func(int) bool {
	return func(i int) bool { return f.AnomalyType.Value(i) == typ }
}

// regime names the branch of generate_network_flows a flow came from.
func regime(f *flow.Table, i int) string {
	switch {
	case f.SrcDeviceType.Value(i) == "workstation" && f.IsBusinessHours[i]:
		return "workstation_business_hours"
	case f.SrcDeviceType.Value(i) == "server":
		return "server"
	}
	return "default"
}

// The generator against the notebook's specification
// (generate_network_flows, ../shared/reference/case-study-notebook.txt),
// on normal flows, which injection leaves as generated.
func TestGenerateMatchesNotebookSpecification(t *testing.T) {
	f := generate(t, GeneratorNotebook, 200_000, 0.05, 0, 1)
	normal := rowsWhere(f, is(f, flow.Normal))
	all := rowsWhere(f, func(int) bool { return true })

	t.Run("categories", func(t *testing.T) {
		for _, c := range []struct {
			name string
			col  *flow.Categorical
		}{{"src_device_type", &f.SrcDeviceType}, {"dst_device_type", &f.DstDeviceType}, {"src_department", &f.SrcDepartment}, {"dst_department", &f.DstDepartment}} {
			for code, level := range c.col.Levels {
				share(t, c.name+"="+level, all, func(i int) bool { return int(c.col.Codes[i]) == code }, 1.0/6)
			}
		}
		// np.random.choice(protocols, p=[0.7, 0.25, 0.05])
		for code, p := range []float64{0.7, 0.25, 0.05} {
			share(t, "protocol="+flow.Protocols[code], all, func(i int) bool { return int(f.Protocol.Codes[i]) == code }, p)
		}
	})
	t.Run("hours", func(t *testing.T) {
		// hour = randint(0, 24); business hours 8 <= hour <= 17: 10 of 24.
		share(t, "business hours", normal, func(i int) bool { return f.IsBusinessHours[i] }, 10.0/24)
		for h := range int64(24) {
			share(t, fmt.Sprintf("hour=%d", h), normal, func(i int) bool { return f.Hour[i] == h }, 1.0/24)
		}
		for _, i := range normal {
			if f.IsBusinessHours[i] != (8 <= f.Hour[i] && f.Hour[i] <= 17) {
				t.Fatalf("flow %d: hour %d, is_business_hours %v", i, f.Hour[i], f.IsBusinessHours[i])
			}
		}
	})
	// Per regime: bytes ~ lognormal(mu, sigma), packets = int(bytes/U(lo,hi)),
	// duration ~ exponential(scale), ports = randint(1, ports).
	for _, r := range []struct {
		name      string
		mu, sigma float64
		lo, hi    float64
		scale     float64
		ports     int64
	}{
		{"workstation_business_hours", 8, 1.5, 500, 1500, 30, 5},
		{"server", 10, 2, 1000, 1500, 120, 3},
		{"default", 7, 1, 600, 1400, 60, 4},
	} {
		t.Run(r.name, func(t *testing.T) {
			rows := rowsWhere(f, func(i int) bool { return is(f, flow.Normal)(i) && regime(f, i) == r.name })
			n := float64(len(rows))
			logBytes, durations := make([]float64, len(rows)), make([]float64, len(rows))
			for k, i := range rows {
				logBytes[k], durations[k] = math.Log(f.BytesSent[i]), f.Duration[i]
				b, p := f.BytesSent[i], float64(f.PacketsSent[i])
				if !(b/(p+1) < r.hi && (p == 0 || b/p >= r.lo)) {
					t.Fatalf("flow %d: %v bytes in %v packets: not int(bytes / U(%v, %v))", i, b, p, r.lo, r.hi)
				}
			}
			mean, sd := meanSD(logBytes)
			near(t, "mean log bytes", mean, r.mu, r.sigma/math.Sqrt(n))
			near(t, "sd log bytes", sd, r.sigma, r.sigma/math.Sqrt(2*n))
			dm, _ := meanSD(durations)
			near(t, "mean duration", dm, r.scale, r.scale/math.Sqrt(n))
			for v := int64(1); v < r.ports; v++ {
				share(t, fmt.Sprintf("ports=%d", v), rows, func(i int) bool { return f.PortsContacted[i] == v }, 1/float64(r.ports-1))
			}
		})
	}
	t.Run("cpu", func(t *testing.T) {
		// N(15, 5) in business hours, N(5, 2) off hours, clipped to [0, 100]:
		// the mean of max(0, N(mu, s)) is mu Phi(mu/s) + s phi(mu/s).
		clippedMean := func(mu, s float64) float64 {
			z := mu / s
			return mu*0.5*(1+math.Erf(z/math.Sqrt2)) + s*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
		}
		for _, c := range []struct {
			business bool
			mu, s    float64
		}{{true, 15, 5}, {false, 5, 2}} {
			var cpu []float64
			for _, i := range normal {
				if f.IsBusinessHours[i] == c.business {
					cpu = append(cpu, f.CPUUsage[i])
				}
			}
			m, _ := meanSD(cpu)
			near(t, fmt.Sprintf("mean cpu (business hours %v)", c.business), m, clippedMean(c.mu, c.s), c.s/math.Sqrt(float64(len(cpu))))
			if slices.Min(cpu) < 0 {
				t.Errorf("cpu below 0")
			}
		}
	})
	t.Run("departments", func(t *testing.T) {
		for _, i := range normal {
			same := f.SrcDepartment.Codes[i] == f.DstDepartment.Codes[i]
			if f.SameDept[i] != same || f.CrossDept[i] == same {
				t.Fatalf("flow %d: same_dept %v, cross_dept %v, departments equal %v", i, f.SameDept[i], f.CrossDept[i], same)
			}
		}
	})
}

func TestInjectedCount(t *testing.T) {
	for _, tc := range []struct {
		flows int
		rate  float64
		want  int // Python: int(flows * rate)
	}{
		{10000, 0.05, 500},
		{1000, 0.07, 70}, // 1000*0.07 = 70.00000000000001
		{100, 0.29, 28},  // 100*0.29 = 28.999999999999996
		{10, 0.5, 5},
		{999, 0.001, 0},
		{12345, 0.2, 2469},
	} {
		f := generate(t, GeneratorNotebook, tc.flows, tc.rate, 0, 3)
		got := 0
		for _, a := range f.IsAnomaly {
			if a {
				got++
			}
		}
		if got != tc.want {
			t.Errorf("%d flows at rate %v: %d anomalies, want int(%v) = %d", tc.flows, tc.rate, got, float64(tc.flows)*tc.rate, tc.want)
		}
	}
}

// The injected values against inject_anomalies, for both generators at
// difficulty 0.
func TestInjectedValues(t *testing.T) {
	for _, gen := range Generators {
		t.Run(gen, func(t *testing.T) {
			f := generate(t, gen, 200_000, 0.1, 0, 2)
			anomalies := rowsWhere(f, func(i int) bool { return f.IsAnomaly[i] })
			share(t, "crypto_mining share", anomalies, is(f, flow.CryptoMining), 0.6)

			crypto := rowsWhere(f, is(f, flow.CryptoMining))
			var logBytes []float64
			ports := map[int64]bool{}
			for _, i := range crypto {
				if c := f.CPUUsage[i]; c < 80 || c > 100 {
					t.Fatalf("crypto flow %d: cpu %v outside U(80, 100)", i, c)
				}
				if d := f.Duration[i]; d < 3600 || d > 28800 {
					t.Fatalf("crypto flow %d: duration %v outside U(3600, 28800)", i, d)
				}
				if p := f.PortsContacted[i]; p < 8 || p > 14 {
					t.Fatalf("crypto flow %d: %d ports outside randint(8, 15)", i, p)
				}
				if f.IsBusinessHours[i] {
					t.Fatalf("crypto flow %d in business hours", i)
				}
				ports[f.PortsContacted[i]] = true
				logBytes = append(logBytes, math.Log(f.BytesSent[i]))
			}
			if len(ports) != 7 {
				t.Errorf("crypto ports take %d values, want the 7 of randint(8, 15)", len(ports))
			}
			m, sd := meanSD(logBytes)
			n := float64(len(logBytes))
			near(t, "crypto mean log bytes", m, 12, 1/math.Sqrt(n))
			near(t, "crypto sd log bytes", sd, 1, 1/math.Sqrt(2*n))

			for _, i := range rowsWhere(f, is(f, flow.LateralMovement)) {
				if p := f.PortsContacted[i]; p < 10 || p > 24 {
					t.Fatalf("lateral flow %d: %d ports outside randint(10, 25)", i, p)
				}
				if p := f.PacketsSent[i]; gen == GeneratorNotebook && (p < 1000 || p > 4999) {
					t.Fatalf("lateral flow %d: %d packets outside randint(1000, 5000)", i, p)
				}
				if d := f.Duration[i]; d < 5 || d > 30 {
					t.Fatalf("lateral flow %d: duration %v outside U(5, 30)", i, d)
				}
				if !f.CrossDept[i] {
					t.Fatalf("lateral flow %d not cross-department", i)
				}
			}
		})
	}
}

// quirks counts the rows where injection left the notebook's
// inconsistencies (NOTEBOOK.md, "Quirks of the generator").
type quirks struct {
	hourDisagrees    int // is_business_hours != (8 <= hour <= 17)
	deptDisagrees    int // same_dept and cross_dept both true, or same_dept wrong
	packetsDisagree  int // packets_sent not int(bytes_sent / U(40, 1500))
	smallPacketShare float64
}

func countQuirks(f *flow.Table) quirks {
	var q quirks
	small := 0
	for i := range f.Len() {
		if f.IsBusinessHours[i] != (8 <= f.Hour[i] && f.Hour[i] <= 17) {
			q.hourDisagrees++
		}
		same := f.SrcDepartment.Codes[i] == f.DstDepartment.Codes[i]
		if f.SameDept[i] != same || f.CrossDept[i] == f.SameDept[i] {
			q.deptDisagrees++
		}
		b, p := f.BytesSent[i], float64(f.PacketsSent[i])
		if !(b/(p+1) < 1500 && (p == 0 || b/p >= 40)) {
			q.packetsDisagree++
		}
		if f.PacketsSent[i] <= 1 {
			small++
		}
	}
	q.smallPacketShare = float64(small) / float64(f.Len())
	return q
}

func TestQuirks(t *testing.T) {
	const n, rate = 100_000, 0.05
	nb := countQuirks(generate(t, GeneratorNotebook, n, rate, 0, 4))
	// Expected counts: crypto rows (60% of 5,000) keep their hour, 10/24 of
	// which are business hours; lateral rows (40%) keep same_dept, true for
	// 1/6; every crypto row gets lognormal(12,1) bytes over its old packets
	// and every lateral row 1000+ packets over its old bytes.
	crypto, lateral := 0.6*n*rate, 0.4*n*rate
	for _, c := range []struct {
		what      string
		got       int
		wantAbout float64
	}{
		{"hour disagrees with is_business_hours", nb.hourDisagrees, crypto * 10 / 24},
		{"same_dept and cross_dept disagree", nb.deptDisagrees, lateral / 6},
		{"packets disagree with bytes", nb.packetsDisagree, crypto + lateral},
	} {
		if math.Abs(float64(c.got)-c.wantAbout) > 0.15*c.wantAbout {
			t.Errorf("notebook: %s in %d rows, want about %.0f", c.what, c.got, c.wantAbout)
		}
	}
	// packets_sent = int(bytes / U(500, 1500)) is often 0 or 1: most flows
	// send ~1 KB (lognormal(7, 1) in the default regime).
	if nb.smallPacketShare < 0.5 {
		t.Errorf("notebook: %.2f of flows send 0 or 1 packets, want most", nb.smallPacketShare)
	}
	for _, d := range []float64{0, 0.5, 0.9} {
		q := countQuirks(generate(t, GeneratorConsistent, n, rate, d, 4))
		if q.hourDisagrees+q.deptDisagrees+q.packetsDisagree != 0 {
			t.Errorf("consistent, difficulty %v: %+v, want no inconsistent rows", d, q)
		}
	}
}

// columns returns each column of the given rows as numbers.
func columns(f *flow.Table, rows []int) map[string][]float64 {
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	out := map[string][]float64{}
	for _, i := range rows {
		add := func(k string, v float64) { out[k] = append(out[k], v) }
		add(flow.ColBytesSent, f.BytesSent[i])
		add(flow.ColPacketsSent, float64(f.PacketsSent[i]))
		add(flow.ColDuration, f.Duration[i])
		add(flow.ColHour, float64(f.Hour[i]))
		add(flow.ColCPUUsage, f.CPUUsage[i])
		add(flow.ColPortsContacted, float64(f.PortsContacted[i]))
		add(flow.ColIsBusinessHours, b2f(f.IsBusinessHours[i]))
		add(flow.ColSameDept, b2f(f.SameDept[i]))
		add(flow.ColCrossDept, b2f(f.CrossDept[i]))
		add(flow.ColDstDepartment, float64(f.DstDepartment.Codes[i]))
		add(flow.ColSrcDeviceType, float64(f.SrcDeviceType.Codes[i]))
		add(flow.ColProtocol, float64(f.Protocol.Codes[i]))
	}
	return out
}

// ksRejects reports whether the two-sample Kolmogorov-Smirnov test rejects
// equal distributions at level 1e-4: D > c(alpha) sqrt((n+m)/(nm)) with
// c = sqrt(-ln(alpha/2)/2). Ties make the test conservative.
func ksRejects(a, b []float64) (bool, float64) {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Float64s(a)
	sort.Float64s(b)
	d := stat.KolmogorovSmirnov(a, nil, b, nil)
	n, m := float64(len(a)), float64(len(b))
	c := math.Sqrt(-math.Log(1e-4/2) / 2)
	return d > c*math.Sqrt((n+m)/(n*m)), d
}

// Difficulty 1 leaves anomalies distributed as normal traffic in every
// column; difficulty 0 does not (the same test has the power to see it).
func TestDifficulty(t *testing.T) {
	touched := []string{flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration, flow.ColCPUUsage, flow.ColPortsContacted, flow.ColIsBusinessHours, flow.ColCrossDept}
	for _, gen := range Generators {
		for _, d := range []float64{0, 1} {
			f := generate(t, gen, 150_000, 0.1, d, 5)
			normal := columns(f, rowsWhere(f, is(f, flow.Normal)))
			for _, typ := range InjectableTypes {
				anomalous := columns(f, rowsWhere(f, is(f, typ)))
				for col, values := range anomalous {
					rejects, stat := ksRejects(values, normal[col])
					if d == 1 && rejects {
						t.Errorf("%s, difficulty 1: %s %s differs from normal (KS D = %.4f)", gen, typ, col, stat)
					}
				}
				if d == 0 {
					// Each type changes some of the touched columns.
					changed := 0
					for _, col := range touched {
						if r, _ := ksRejects(anomalous[col], normal[col]); r {
							changed++
						}
					}
					if changed < 3 {
						t.Errorf("%s, difficulty 0: %s differs from normal in %d columns, want at least 3", gen, typ, changed)
					}
				}
			}
		}
	}
}

// Difficulty moves anomalies toward normal traffic monotonically.
func TestDifficultyMonotone(t *testing.T) {
	prevCPU, prevPorts := math.Inf(1), math.Inf(1)
	for _, d := range []float64{0, 0.25, 0.5, 0.75, 0.9, 1} {
		f := generate(t, GeneratorNotebook, 50_000, 0.1, d, 6)
		cols := columns(f, rowsWhere(f, is(f, flow.CryptoMining)))
		lat := columns(f, rowsWhere(f, is(f, flow.LateralMovement)))
		cpu, _ := meanSD(cols[flow.ColCPUUsage])
		ports, _ := meanSD(lat[flow.ColPortsContacted])
		if cpu >= prevCPU || ports >= prevPorts {
			t.Errorf("difficulty %v: crypto cpu mean %.2f (previous %.2f), lateral ports mean %.2f (previous %.2f): want both to fall", d, cpu, prevCPU, ports, prevPorts)
		}
		prevCPU, prevPorts = cpu, ports
	}
}

func TestGenerateDeterministic(t *testing.T) {
	n := 3*chunkSize + 123
	cfg := Config{Generator: GeneratorConsistent, Flows: n, AnomalyRate: 0.05, AnomalyMix: notebookMix, Difficulty: 0.3}
	var runs []*flow.Table
	for _, workers := range []int{1, 3, 8} {
		cfg.Workers = workers
		f, err := Generate(cfg, 99)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, f)
	}
	for i := 1; i < len(runs); i++ {
		if diff := cmp.Diff(runs[0], runs[i]); diff != "" {
			t.Errorf("different output for different worker counts:\n%.2000s", diff)
		}
	}
	other, _ := Generate(cfg, 100)
	if cmp.Equal(runs[0], other) {
		t.Error("seeds 99 and 100 gave the same flows")
	}
}

func TestGenerateConfigErrors(t *testing.T) {
	ok := Config{Generator: GeneratorNotebook, Flows: 100, AnomalyRate: 0.05, AnomalyMix: notebookMix}
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"unknown generator", func(c *Config) { c.Generator = "nope" }},
		{"no flows", func(c *Config) { c.Flows = 0 }},
		{"rate above 1", func(c *Config) { c.AnomalyRate = 1.5 }},
		{"rate NaN", func(c *Config) { c.AnomalyRate = math.NaN() }},
		{"difficulty above 1", func(c *Config) { c.Difficulty = 1.01 }},
		{"mix sum", func(c *Config) { c.AnomalyMix = map[string]float64{flow.CryptoMining: 0.5} }},
		{"mix unknown type", func(c *Config) { c.AnomalyMix = map[string]float64{"ddos": 1} }},
		{"mix empty", func(c *Config) { c.AnomalyMix = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			if _, err := Generate(c, 1); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := Generate(ok, 1); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestSampleIndices(t *testing.T) {
	r := seed.New(1)
	for _, tc := range []struct{ n, k int }{{10, 10}, {10, 0}, {1000, 37}, {5, 1}} {
		got := sampleIndices(tc.n, tc.k, r)
		if len(got) != tc.k || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != tc.k {
			t.Errorf("sampleIndices(%d, %d) = %v: want %d distinct sorted indices", tc.n, tc.k, got, tc.k)
		}
		for _, i := range got {
			if i < 0 || i >= tc.n {
				t.Errorf("index %d outside [0, %d)", i, tc.n)
			}
		}
	}
	// Every index is equally likely: each of 10 drawn 3 at a time.
	counts := make([]float64, 10)
	const draws = 20000
	for range draws {
		for _, i := range sampleIndices(10, 3, r) {
			counts[i]++
		}
	}
	for i, c := range counts {
		p := 0.3
		if math.Abs(c/draws-p) > 5*math.Sqrt(p*(1-p)/draws) {
			t.Errorf("index %d drawn with frequency %.4f, want 0.3", i, c/draws)
		}
	}
}

// Flows are drawn before injection from their own streams, so the same seed
// without anomalies gives the flows as generated: at difficulty 1 injection
// must change nothing but the labels.
func TestDifficultyOneChangesOnlyLabels(t *testing.T) {
	for _, gen := range Generators {
		clean := generate(t, gen, 20_000, 0, 1, 8)
		f := generate(t, gen, 20_000, 0.2, 1, 8)
		if got := len(rowsWhere(f, func(i int) bool { return f.IsAnomaly[i] })); got != 4000 {
			t.Fatalf("%s: %d anomalies, want 4000", gen, got)
		}
		f.IsAnomaly, f.AnomalyType = clean.IsAnomaly, clean.AnomalyType
		if diff := cmp.Diff(clean, f); diff != "" {
			t.Errorf("%s: difficulty 1 changed flows beyond their labels:\n%.3000s", gen, diff)
		}
	}
}
