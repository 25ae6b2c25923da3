package charts

import (
	"math"
)

// This file makes fixed, notebook-like data for the tests: flows shaped as
// in the case study's generate_network_flows and inject_anomalies (normal
// traffic, crypto mining, lateral movement), drawn from a small generator
// written here so that the golden files do not depend on math/rand's
// algorithms.

// rng is SplitMix64.
type rng struct{ state uint64 }

func (r *rng) uint64() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// float64 is uniform on [0, 1).
func (r *rng) float64() float64 { return float64(r.uint64()>>11) / (1 << 53) }

func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.float64() }

// intn is uniform on 0..n-1.
func (r *rng) intn(n int) int { return int(r.uint64() % uint64(n)) }

// normal uses the Box-Muller transform.
func (r *rng) normal(mean, sd float64) float64 {
	u := 1 - r.float64() // (0, 1]
	v := r.float64()
	return mean + sd*math.Sqrt(-2*math.Log(u))*math.Cos(2*math.Pi*v)
}

func (r *rng) lognormal(mu, sigma float64) float64 { return math.Exp(r.normal(mu, sigma)) }

func (r *rng) exponential(mean float64) float64 { return -mean * math.Log(1-r.float64()) }

// flow is one synthetic network flow.
type flow struct {
	kind                   string // normal, crypto_mining or lateral_movement
	hour                   int
	bytes, duration, cpu   float64
	ports                  int
	businessHours, crossDp bool
}

// flows returns n flows, 5% of them anomalous (60% crypto mining, 40%
// lateral movement), as in the notebook.
func flows(n int, seed uint64) []flow {
	r := &rng{state: seed}
	out := make([]flow, n)
	for i := range out {
		f := flow{kind: "normal", hour: r.intn(24)}
		f.businessHours = 8 <= f.hour && f.hour <= 17
		switch device := r.intn(6); {
		case device == 0 && f.businessHours: // workstation
			f.bytes, f.duration, f.ports = r.lognormal(8, 1.5), r.exponential(30), 1+r.intn(4)
		case device == 1: // server
			f.bytes, f.duration, f.ports = r.lognormal(10, 2), r.exponential(120), 1+r.intn(2)
		default:
			f.bytes, f.duration, f.ports = r.lognormal(7, 1), r.exponential(60), 1+r.intn(3)
		}
		if f.businessHours {
			f.cpu = r.normal(15, 5)
		} else {
			f.cpu = r.normal(5, 2)
		}
		f.cpu = min(max(f.cpu, 0), 100)
		srcDept, dstDept := r.intn(6), r.intn(6)
		f.crossDp = srcDept != dstDept
		out[i] = f
	}
	for k := range n / 20 {
		f := &out[k*20+r.intn(20)]
		if r.float64() < 0.6 {
			f.kind = "crypto_mining"
			f.cpu, f.bytes, f.duration = r.uniform(80, 100), r.lognormal(12, 1), r.uniform(3600, 28800)
			f.businessHours, f.ports = false, 8+r.intn(7)
		} else {
			f.kind = "lateral_movement"
			f.crossDp, f.ports, f.duration = true, 10+r.intn(15), r.uniform(5, 30)
		}
	}
	return out
}

var kinds = []string{"normal", "crypto_mining", "lateral_movement"}

// byKind groups a feature of the flows by kind, in the order of kinds.
func byKind(fs []flow, feature func(flow) float64) []Group {
	groups := make([]Group, len(kinds))
	for k, kind := range kinds {
		groups[k].Label = kind
		for _, f := range fs {
			if f.kind == kind {
				groups[k].Values = append(groups[k].Values, feature(f))
			}
		}
	}
	return groups
}

// pointsByKind pairs two features of the flows, grouped by kind.
func pointsByKind(fs []flow, x, y func(flow) float64) []Points {
	pts := make([]Points, len(kinds))
	for k, kind := range kinds {
		pts[k].Label = kind
		for _, f := range fs {
			if f.kind == kind {
				pts[k].X = append(pts[k].X, x(f))
				pts[k].Y = append(pts[k].Y, y(f))
			}
		}
	}
	return pts
}

// blobs returns n points around k centres spread over a square, labelled by
// centre, and a share of noise labelled -1 spread uniformly over it, as
// from a clustering of log bytes against log duration.
func blobs(n, k int, spread, noise float64, seed uint64) (x, y []float64, labels []int) {
	r := &rng{state: seed}
	cx, cy := make([]float64, k), make([]float64, k)
	for c := range k {
		cx[c], cy[c] = r.uniform(1.5, 5.5), r.uniform(0.3, 3.7)
	}
	for range n {
		if r.float64() < noise {
			x, y, labels = append(x, r.uniform(1, 6)), append(y, r.uniform(0, 4)), append(labels, -1)
			continue
		}
		c := r.intn(k)
		x, y, labels = append(x, r.normal(cx[c], spread)), append(y, r.normal(cy[c], spread)), append(labels, c)
	}
	return x, y, labels
}
