package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
)

// WindowConfig declares the flows of one monitoring window: normal traffic
// at one hour of day, possibly drifted, followed by the flows of attack
// campaigns. GenerateWindow draws them.
type WindowConfig struct {
	// Generator is GeneratorNotebook or GeneratorConsistent; it decides how
	// the attacks' injection treats the columns it does not set (see the
	// constants).
	Generator string
	// Flows is the number of normal flows (>= 0).
	Flows int
	// Hour is the hour of day of every flow, 0..23; is_business_hours is
	// 8 <= Hour <= 17. Injection may change either on attack flows, as
	// Generate's does: the notebook generator keeps the hour of a crypto
	// mining flow but sets is_business_hours false, the consistent generator
	// moves it to an off-hour.
	Hour int
	// Drift changes the normal traffic of the window; the zero value is the
	// notebook's traffic.
	Drift Drift
	// Attacks are emitted after the normal flows, in order.
	Attacks []WindowAttack
	// Workers draws chunks of flows in parallel. The output does not depend
	// on it. Values below 1 mean 1.
	Workers int
}

// Drift declares how a window's normal traffic departs from the notebook's.
// It applies to every flow drawn as normal traffic, including the flows an
// attack is injected into, so that an attack at difficulty 1 stays
// indistinguishable from the window's traffic.
type Drift struct {
	// BytesLogShift is added to log(bytes_sent) (natural log), in
	// [-100, 100]; 0 is no drift. packets_sent follows, derived from the
	// shifted bytes as the generator derives it: int(bytes / U(lo, hi)).
	BytesLogShift float64
	// DeviceWeights are the relative weights of the source device types, in
	// flow.DeviceTypes order: non-negative, not all zero. nil is uniform, drawn
	// exactly as the notebook draws it; explicit weights, even equal ones,
	// are drawn by inverting their cumulative shares, which consumes the
	// random stream differently.
	DeviceWeights []float64
	// CPUShift (percentage points) is added to cpu_usage as generated, and
	// the sum clipped to [0, 100]: clip(clip(cpu) + shift).
	CPUShift float64
}

// Attack declares an attack as injected into flows: its type, the source
// segment of its flows, and how far its values move toward normal traffic.
// A monitoring campaign (internal/monitor/scenario) embeds it.
type Attack struct {
	// Type is flow.CryptoMining or flow.LateralMovement.
	Type string
	// SrcDepartment is the source department of every flow, one of
	// flow.Departments; "" draws it as for normal traffic.
	SrcDepartment string
	// SrcDeviceType is the source device type of every flow, one of
	// flow.DeviceTypes; "" draws it as for normal traffic (Drift.DeviceWeights).
	SrcDeviceType string
	// Difficulty in [0, 1] moves the injected values toward the flow's own,
	// as Config.Difficulty does.
	Difficulty float64
	// CPUShift (percentage points) is added to cpu_usage after injection and
	// the sum clipped to [0, 100]: a variant of the attack, e.g. -40 for
	// mining throttled to stay under the radar.
	CPUShift float64
}

// WindowAttack is the flows of one attack within a window.
type WindowAttack struct {
	Attack
	// Flows is the number of anomalous flows to emit (>= 0).
	Flows int
}

// maxBytesLogShift bounds Drift.BytesLogShift so that bytes_sent stays a
// finite, positive float64 (log bytes are below 40 before the shift).
const maxBytesLogShift = 100

// windowChunkSize is the number of flows drawn from one random stream.
// Smaller than Generate's chunkSize so that an hour's traffic (tens of
// thousands of flows) spreads over workers. Part of the output's definition.
const windowChunkSize = 1 << 13

// Check returns an error describing the first invalid field.
func (c *WindowConfig) Check() error {
	if !slices.Contains(Generators, c.Generator) {
		return fmt.Errorf("synth: window: unknown generator %q (want one of %v)", c.Generator, Generators)
	}
	if c.Flows < 0 {
		return fmt.Errorf("synth: window: flows %d < 0", c.Flows)
	}
	if c.Hour < 0 || c.Hour > 23 {
		return fmt.Errorf("synth: window: hour %d outside 0..23", c.Hour)
	}
	if err := c.Drift.check(); err != nil {
		return err
	}
	for k, a := range c.Attacks {
		if err := a.check(); err != nil {
			return fmt.Errorf("synth: window: attack %d: %w", k, err)
		}
	}
	return nil
}

func (d *Drift) check() error {
	if !(math.Abs(d.BytesLogShift) <= maxBytesLogShift) {
		return fmt.Errorf("synth: window: drift bytes log shift %v outside [-%d, %d]", d.BytesLogShift, maxBytesLogShift, maxBytesLogShift)
	}
	if !finite(d.CPUShift) {
		return fmt.Errorf("synth: window: drift cpu shift %v not finite", d.CPUShift)
	}
	if d.DeviceWeights == nil {
		return nil
	}
	if len(d.DeviceWeights) != len(flow.DeviceTypes) {
		return fmt.Errorf("synth: window: %d device weights, want %d (one per device type %v)", len(d.DeviceWeights), len(flow.DeviceTypes), flow.DeviceTypes)
	}
	sum := 0.0
	for i, w := range d.DeviceWeights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("synth: window: device weight %s=%v not a finite number >= 0", flow.DeviceTypes[i], w)
		}
		sum += w
	}
	if !(sum > 0) || math.IsInf(sum, 1) {
		return fmt.Errorf("synth: window: device weights sum to %v, want a finite number > 0", sum)
	}
	return nil
}

func (a *WindowAttack) check() error {
	if !slices.Contains(InjectableTypes, a.Type) {
		return fmt.Errorf("unknown type %q (want one of %v)", a.Type, InjectableTypes)
	}
	if a.Flows < 0 {
		return fmt.Errorf("%s: flows %d < 0", a.Type, a.Flows)
	}
	if a.SrcDepartment != "" && !slices.Contains(flow.Departments, a.SrcDepartment) {
		return fmt.Errorf("%s: unknown source department %q (want \"\" or one of %v)", a.Type, a.SrcDepartment, flow.Departments)
	}
	if a.SrcDeviceType != "" && !slices.Contains(flow.DeviceTypes, a.SrcDeviceType) {
		return fmt.Errorf("%s: unknown source device type %q (want \"\" or one of %v)", a.Type, a.SrcDeviceType, flow.DeviceTypes)
	}
	if !(a.Difficulty >= 0 && a.Difficulty <= 1) {
		return fmt.Errorf("%s: difficulty %v outside [0, 1]", a.Type, a.Difficulty)
	}
	if !finite(a.CPUShift) {
		return fmt.Errorf("%s: cpu shift %v not finite", a.Type, a.CPUShift)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// GenerateWindow draws the flows of one monitoring window from streams
// derived from s: cfg.Flows normal flows at cfg.Hour, drifted by cfg.Drift,
// then each attack's flows in order. An attack flow is a flow drawn as the
// window's normal traffic (from the attack's source segment when it names
// one), overwritten by Generate's injection for the attack's type at the
// attack's difficulty (so the notebook generator's quirks hold), its
// cpu_usage then shifted by Attack.CPUShift. Attack flows are labelled
// is_anomaly and their type; normal flows are labelled normal.
//
// Each normal flow consumes the draws of Generate's flows, less the hour's,
// so a window without drift is a slice of the notebook's traffic at that
// hour. The drift's shifts change no draw: the same seed with and without
// them gives the same flows but for the shifted columns.
func GenerateWindow(cfg WindowConfig, s uint64) (*flow.Table, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	drawer := newWindowDrawer(cfg.Hour, &cfg.Drift)

	// One job per chunk of a segment (the normal flows, then each attack),
	// each with its own stream.
	type job struct {
		start, end int
		seed       uint64
		attack     int // index into cfg.Attacks; -1 for normal flows
	}
	var jobs []job
	addSegment := func(start, n int, parent uint64, label string, attack int) {
		for c := 0; c*windowChunkSize < n; c++ {
			jobs = append(jobs, job{
				start:  start + c*windowChunkSize,
				end:    start + min(n, (c+1)*windowChunkSize),
				seed:   seed.Chunk(parent, label, c),
				attack: attack,
			})
		}
	}
	addSegment(0, cfg.Flows, s, "window/normal", -1)
	total := cfg.Flows
	for k, a := range cfg.Attacks {
		addSegment(total, a.Flows, seed.Derive(s, "window/attack/"+strconv.Itoa(k)), "flows", k)
		total += a.Flows
	}

	f := flow.New(total)
	// The consistent injection needs each flow's bytes per packet, indexed
	// by row; only attack rows read it.
	bytesPerPacket := make([]float64, total)
	consistent := cfg.Generator == GeneratorConsistent
	run := func(j job) {
		r := seed.New(j.seed)
		if j.attack < 0 {
			for i := j.start; i < j.end; i++ {
				drawer.draw(f, bytesPerPacket, i, r, -1, -1)
			}
			return
		}
		a := &cfg.Attacks[j.attack]
		srcDevice, srcDept := slices.Index(flow.DeviceTypes, a.SrcDeviceType), slices.Index(flow.Departments, a.SrcDepartment)
		inj := injector{f: f, bytesPerPacket: bytesPerPacket, difficulty: a.Difficulty, consistent: consistent, r: r}
		for i := j.start; i < j.end; i++ {
			drawer.draw(f, bytesPerPacket, i, r, srcDevice, srcDept)
			switch a.Type {
			case flow.CryptoMining:
				inj.cryptoMining(i)
			case flow.LateralMovement:
				inj.lateralMovement(i)
			}
			if a.CPUShift != 0 {
				f.CPUUsage[i] = clipPercent(f.CPUUsage[i] + a.CPUShift)
			}
		}
	}

	workers := max(1, min(cfg.Workers, len(jobs)))
	if workers == 1 {
		for _, j := range jobs {
			run(j)
		}
		return f, nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(jobs) {
					return
				}
				run(jobs[k])
			}
		})
	}
	wg.Wait()
	return f, nil
}

// windowDrawer draws flows as generateFlow does, at a fixed hour, with the
// source device drawn by weight and a window's drift applied.
type windowDrawer struct {
	hour          int
	businessHours bool
	deviceCDF     []float64 // nil: uniform, drawn as generateFlow draws it
	bytesScale    float64   // exp(Drift.BytesLogShift)
	cpuShift      float64
}

func newWindowDrawer(hour int, d *Drift) *windowDrawer {
	w := &windowDrawer{
		hour:          hour,
		businessHours: flow.IsBusinessHours(float64(hour)),
		bytesScale:    math.Exp(d.BytesLogShift),
		cpuShift:      d.CPUShift,
	}
	if d.DeviceWeights != nil {
		sum := 0.0
		for _, x := range d.DeviceWeights {
			sum += x
		}
		w.deviceCDF = make([]float64, len(d.DeviceWeights))
		acc := 0.0
		for i, x := range d.DeviceWeights {
			acc += x
			w.deviceCDF[i] = acc / sum
		}
		// drawIndex keeps u = 1-ε inside the table, but a device of weight 0
		// must never be drawn: end the table at the last weighted device.
		last := len(d.DeviceWeights) - 1
		for d.DeviceWeights[last] == 0 {
			last--
		}
		w.deviceCDF = w.deviceCDF[:last+1]
		w.deviceCDF[last] = 1
	}
	return w
}

// draw draws flow i: generateFlow's draws in generateFlow's order, less the
// hour's (fillFlow is shared; TestWindowDrawMatchesGenerateFlow checks the
// order of the draws).
// srcDevice and srcDept name a fixed source (a code; no draw is made), or
// are negative to draw it.
func (w *windowDrawer) draw(f *flow.Table, bytesPerPacket []float64, i int, r *rand.Rand, srcDevice, srcDept int) {
	if srcDevice < 0 {
		if w.deviceCDF == nil {
			srcDevice = r.IntN(len(flow.DeviceTypes))
		} else {
			srcDevice = drawIndex(w.deviceCDF, r.Float64())
		}
	}
	if srcDept < 0 {
		srcDept = r.IntN(len(flow.Departments))
	}
	dstDevice := r.IntN(len(flow.DeviceTypes))
	dstDept := r.IntN(len(flow.Departments))
	fillFlow(f, bytesPerPacket, i, r, srcDevice, srcDept, dstDevice, dstDept, w.hour)
	if w.bytesScale != 1 {
		f.BytesSent[i] *= w.bytesScale
		f.PacketsSent[i] = int64(f.BytesSent[i] / bytesPerPacket[i])
	}
	if w.cpuShift != 0 {
		f.CPUUsage[i] = clipPercent(f.CPUUsage[i] + w.cpuShift)
	}
}

// clipPercent clips v to [0, 100].
func clipPercent(v float64) float64 { return max(0, min(100, v)) }
