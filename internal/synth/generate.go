package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
)

// Generator names.
const (
	// GeneratorNotebook is a faithful port of the notebook's
	// generate_network_flows and inject_anomalies, quirks included:
	// injection overwrites is_business_hours but not hour, cross_dept but not
	// same_dept, and bytes_sent (crypto mining) or packets_sent (lateral
	// movement) without the other.
	GeneratorNotebook = "notebook"
	// GeneratorConsistent draws the same flows and anomalies but keeps the
	// columns coherent after injection: hour moves off business hours with
	// is_business_hours, the destination department changes with cross_dept
	// (and same_dept follows), and packets_sent = int(bytes_sent / bytes per
	// packet) holds on every row.
	GeneratorConsistent = "consistent"
)

// Generators lists the generator names.
var Generators = []string{GeneratorNotebook, GeneratorConsistent}

// InjectableTypes lists the anomaly types the generators can inject, in
// the canonical order used to draw them (the notebook's order).
var InjectableTypes = []string{flow.CryptoMining, flow.LateralMovement}

// Config declares a synthetic dataset.
type Config struct {
	// Generator is GeneratorNotebook or GeneratorConsistent.
	Generator string
	// Flows is the number of flows (rows).
	Flows int
	// AnomalyRate is the fraction of flows turned into anomalies:
	// int(Flows*AnomalyRate) rows, as the notebook computes it.
	AnomalyRate float64
	// AnomalyMix gives each injected anomaly type's probability; the shares
	// sum to 1. Types are drawn independently per anomalous flow, as the
	// notebook does, so realised counts vary around the shares.
	AnomalyMix map[string]float64
	// Difficulty in [0, 1] moves every injected value toward the flow's own
	// normal value: 0 is the notebook's anomalies, 1 leaves every column as
	// generated (anomalies indistinguishable from normal traffic). Numeric
	// columns interpolate linearly (cpu_usage, ports_contacted) or in
	// log(1+x) (bytes_sent, packets_sent, duration); a boolean keeps its
	// normal value with probability Difficulty.
	Difficulty float64
	// Workers generates chunks of flows in parallel. The output does not
	// depend on it. Values below 1 mean 1.
	Workers int
}

// chunkSize is the number of flows drawn from one random stream. Part of the
// output's definition: changing it changes the flows of a seed.
const chunkSize = 1 << 16

// Check returns an error describing the first invalid field.
func (c *Config) Check() error {
	if !slices.Contains(Generators, c.Generator) {
		return fmt.Errorf("synth: unknown generator %q (want one of %v)", c.Generator, Generators)
	}
	if c.Flows < 1 {
		return fmt.Errorf("synth: flows %d < 1", c.Flows)
	}
	if !(c.AnomalyRate >= 0 && c.AnomalyRate <= 1) {
		return fmt.Errorf("synth: anomaly rate %v outside [0, 1]", c.AnomalyRate)
	}
	if !(c.Difficulty >= 0 && c.Difficulty <= 1) {
		return fmt.Errorf("synth: difficulty %v outside [0, 1]", c.Difficulty)
	}
	if _, err := mixCDF(c.AnomalyMix); err != nil {
		return err
	}
	return nil
}

// mixCDF returns the cumulative shares of InjectableTypes under mix.
func mixCDF(mix map[string]float64) ([]float64, error) {
	if len(mix) == 0 {
		return nil, errors.New("synth: empty anomaly mix")
	}
	for k, v := range mix {
		if !slices.Contains(InjectableTypes, k) {
			return nil, fmt.Errorf("synth: unknown anomaly type %q in mix (want %v)", k, InjectableTypes)
		}
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("synth: anomaly mix share %s=%v outside [0, 1]", k, v)
		}
	}
	cdf := make([]float64, len(InjectableTypes))
	sum := 0.0
	for i, t := range InjectableTypes {
		sum += mix[t]
		cdf[i] = sum
	}
	if math.Abs(sum-1) > 1e-9 {
		return nil, fmt.Errorf("synth: anomaly mix shares sum to %v, not 1", sum)
	}
	return cdf, nil
}

// Generate draws cfg.Flows flows and injects int(Flows*AnomalyRate)
// anomalies, all from streams derived from s.
func Generate(cfg Config, s uint64) (*flow.Table, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	f := flow.New(cfg.Flows)
	// bytesPerPacket keeps each flow's draw of U(lo, hi) in
	// packets = int(bytes / U): the consistent generator needs it to keep
	// packets and bytes coherent after injection.
	bytesPerPacket := make([]float64, cfg.Flows)
	nChunks := (cfg.Flows + chunkSize - 1) / chunkSize
	workers := max(1, min(cfg.Workers, nChunks))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for c := range next {
				r := seed.New(seed.Chunk(s, "flows", c))
				end := min(cfg.Flows, (c+1)*chunkSize)
				for i := c * chunkSize; i < end; i++ {
					generateFlow(f, bytesPerPacket, i, r)
				}
			}
		})
	}
	for c := range nChunks {
		next <- c
	}
	close(next)
	wg.Wait()

	cdf, _ := mixCDF(cfg.AnomalyMix)
	inj := injector{
		f:              f,
		bytesPerPacket: bytesPerPacket,
		difficulty:     cfg.Difficulty,
		consistent:     cfg.Generator == GeneratorConsistent,
		r:              seed.New(seed.Derive(s, "inject")),
	}
	k := int(float64(cfg.Flows) * cfg.AnomalyRate) // truncation, as Python's int()
	for _, i := range sampleIndices(cfg.Flows, k, inj.r) {
		switch InjectableTypes[drawIndex(cdf, inj.r.Float64())] {
		case flow.CryptoMining:
			inj.cryptoMining(i)
		case flow.LateralMovement:
			inj.lateralMovement(i)
		}
	}
	return f, nil
}

// Level codes in the notebook's order (flow.DeviceTypes, flow.Departments).
const (
	workstation = 0
	server      = 1
)

// generateFlow draws flow i as generate_network_flows does.
func generateFlow(f *flow.Table, bytesPerPacket []float64, i int, r *rand.Rand) {
	srcDevice := r.IntN(len(flow.DeviceTypes))
	srcDept := r.IntN(len(flow.Departments))
	dstDevice := r.IntN(len(flow.DeviceTypes))
	dstDept := r.IntN(len(flow.Departments))
	hour := r.IntN(24)
	fillFlow(f, bytesPerPacket, i, r, srcDevice, srcDept, dstDevice, dstDept, hour)
}

// fillFlow draws the rest of flow i, whose endpoints and hour are drawn,
// as generate_network_flows does: the protocol, then the volumes of the
// flow's regime and its CPU usage.
func fillFlow(f *flow.Table, bytesPerPacket []float64, i int, r *rand.Rand, srcDevice, srcDept, dstDevice, dstDept, hour int) {
	businessHours := flow.IsBusinessHours(float64(hour))
	protocol := drawIndex([]float64{0.7, 0.95, 1}, r.Float64())

	var bytes, bpp, duration float64
	var ports int
	switch {
	case srcDevice == workstation && businessHours: // web browsing
		bytes = math.Exp(8 + 1.5*r.NormFloat64())
		bpp = uniform(r, 500, 1500)
		duration = 30 * r.ExpFloat64()
		ports = 1 + r.IntN(4)
	case srcDevice == server: // larger, longer transfers
		bytes = math.Exp(10 + 2*r.NormFloat64())
		bpp = uniform(r, 1000, 1500)
		duration = 120 * r.ExpFloat64()
		ports = 1 + r.IntN(2)
	default:
		bytes = math.Exp(7 + r.NormFloat64())
		bpp = uniform(r, 600, 1400)
		duration = 60 * r.ExpFloat64()
		ports = 1 + r.IntN(3)
	}
	var cpu float64
	if businessHours {
		cpu = 15 + 5*r.NormFloat64()
	} else {
		cpu = 5 + 2*r.NormFloat64()
	}

	f.SrcDeviceType.Codes[i] = uint16(srcDevice)
	f.SrcDepartment.Codes[i] = uint16(srcDept)
	f.DstDeviceType.Codes[i] = uint16(dstDevice)
	f.DstDepartment.Codes[i] = uint16(dstDept)
	f.Protocol.Codes[i] = uint16(protocol)
	f.BytesSent[i] = bytes
	f.PacketsSent[i] = int64(bytes / bpp)
	bytesPerPacket[i] = bpp
	f.Duration[i] = duration
	f.Hour[i] = int64(hour)
	f.IsBusinessHours[i] = businessHours
	f.CPUUsage[i] = max(0, min(100, cpu))
	f.PortsContacted[i] = int64(ports)
	f.SameDept[i] = srcDept == dstDept
	f.CrossDept[i] = srcDept != dstDept
}

// drawIndex returns the index numpy's choice(p=...) picks for the uniform
// draw u: the number of cumulative shares <= u (searchsorted, side right),
// kept inside the table against rounding.
func drawIndex(cdf []float64, u float64) int {
	for i, c := range cdf {
		if u < c {
			return i
		}
	}
	return len(cdf) - 1
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// sampleIndices returns k distinct indices in [0, n), sorted, by a partial
// Fisher-Yates shuffle over a sparse view of 0..n-1 (O(k) memory).
func sampleIndices(n, k int, r *rand.Rand) []int {
	moved := make(map[int]int, k)
	at := func(i int) int {
		if v, ok := moved[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for j := range k {
		t := j + r.IntN(n-j)
		out[j] = at(t)
		moved[t] = at(j)
	}
	slices.Sort(out)
	return out
}

// injector overwrites flows as inject_anomalies does, moved toward the
// flow's own values by the difficulty.
type injector struct {
	f              *flow.Table
	bytesPerPacket []float64
	difficulty     float64
	consistent     bool
	r              *rand.Rand
}

// offHours lists the hours outside 8..17.
var offHours = []int64{0, 1, 2, 3, 4, 5, 6, 7, 18, 19, 20, 21, 22, 23}

// cryptoMining: high CPU U(80,100), large transfers lognormal(12,1), long
// connections U(3600,28800) s, after hours, 8..14 ports.
//
// Every draw is made whatever the difficulty and generator, so the two
// generators inject the same values into the same rows for a seed.
func (j *injector) cryptoMining(i int) {
	f, r, d := j.f, j.r, j.difficulty
	cpu := uniform(r, 80, 100)
	bytes := math.Exp(12 + r.NormFloat64())
	duration := uniform(r, 3600, 28800)
	anomalousHours := r.Float64() >= d
	ports := int64(8 + r.IntN(7))
	hour := offHours[r.IntN(len(offHours))]

	f.CPUUsage[i] = mixLinear(cpu, f.CPUUsage[i], d)
	f.BytesSent[i] = mixLog1p(bytes, f.BytesSent[i], d)
	f.Duration[i] = mixLog1p(duration, f.Duration[i], d)
	if anomalousHours {
		if j.consistent && f.IsBusinessHours[i] {
			f.Hour[i] = hour
		}
		f.IsBusinessHours[i] = false
	}
	f.PortsContacted[i] = int64(math.Round(mixLinear(float64(ports), float64(f.PortsContacted[i]), d)))
	if j.consistent {
		f.PacketsSent[i] = int64(f.BytesSent[i] / j.bytesPerPacket[i])
	}
	f.IsAnomaly[i] = true
	f.AnomalyType.Codes[i] = uint16(slices.Index(flow.AnomalyTypes, flow.CryptoMining))
}

// lateralMovement: cross-department, port scanning over 10..24 ports,
// 1000..4999 reconnaissance packets, quick probes U(5,30) s. The consistent
// generator sends the probes as small packets (U(40,120) bytes each) and moves
// the destination to another department.
func (j *injector) lateralMovement(i int) {
	f, r, d := j.f, j.r, j.difficulty
	crossDept := r.Float64() >= d
	ports := int64(10 + r.IntN(15))
	packets := int64(1000 + r.IntN(4000))
	duration := uniform(r, 5, 30)
	probeBytesPerPacket := uniform(r, 40, 120)
	otherDept := r.IntN(len(flow.Departments) - 1)

	if crossDept {
		if j.consistent && f.SameDept[i] {
			src := int(f.SrcDepartment.Codes[i])
			if otherDept >= src {
				otherDept++
			}
			f.DstDepartment.Codes[i] = uint16(otherDept)
			f.SameDept[i] = false
		}
		f.CrossDept[i] = true
	}
	f.PortsContacted[i] = int64(math.Round(mixLinear(float64(ports), float64(f.PortsContacted[i]), d)))
	switch {
	case !j.consistent:
		f.PacketsSent[i] = int64(math.Round(mixLog1p(float64(packets), float64(f.PacketsSent[i]), d)))
	case d == 0:
		f.PacketsSent[i] = packets
		f.BytesSent[i] = float64(packets) * probeBytesPerPacket
	case d < 1:
		f.BytesSent[i] = mixLog1p(float64(packets)*probeBytesPerPacket, f.BytesSent[i], d)
		f.PacketsSent[i] = int64(f.BytesSent[i] / mixLog1p(probeBytesPerPacket, j.bytesPerPacket[i], d))
	}
	f.Duration[i] = mixLog1p(duration, f.Duration[i], d)
	f.IsAnomaly[i] = true
	f.AnomalyType.Codes[i] = uint16(slices.Index(flow.AnomalyTypes, flow.LateralMovement))
}

// mixLinear moves the anomalous value a toward the normal value b:
// (1-d)a + db, exactly a at d=0 and b at d=1.
func mixLinear(a, b, d float64) float64 {
	switch d {
	case 0:
		return a
	case 1:
		return b
	}
	return (1-d)*a + d*b
}

// mixLog1p interpolates in log(1+x), the scale of the notebook's log
// features: exactly a at d=0 and b at d=1.
func mixLog1p(a, b, d float64) float64 {
	switch d {
	case 0:
		return a
	case 1:
		return b
	}
	return math.Expm1((1-d)*math.Log1p(a) + d*math.Log1p(b))
}
