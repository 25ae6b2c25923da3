package charts

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// niceTicks marks a linear axis at round values, 1, 2, 2.5 or 5 times a
// power of ten apart, about six of them, with an unlabelled minor tick halfway
// between; steps are at least minStep (1 for an axis of counts, 0 for no
// limit). Labels have as many decimals as the step needs, and thousands
// separators: "0", "2,500", "5,000"; "0.2", "0.4".
type niceTicks struct{ minStep float64 }

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) {
		return nil
	}
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: tickLabel(lo, 0)}}
	}
	raw := (hi - lo) / 6
	if math.IsInf(raw, 0) { // a range wider than the largest float64
		raw = hi/6 - lo/6
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = max(step, t.minStep)
	decimals := 0
	for p := step; math.Abs(p-math.Round(p)) > 1e-9*p && decimals < 12; p *= 10 {
		decimals++
	}
	var ticks []plot.Tick
	half := step / 2
	first := math.Ceil(lo/half - 1e-9)
	if first+1 == first || first-1 == first {
		// The step is below the resolution of the values (a range of a
		// few units at 1e17): counting steps would never move. Mark the
		// ends.
		return []plot.Tick{{Value: lo, Label: tickLabel(lo, decimals)}, {Value: hi, Label: tickLabel(hi, decimals)}}
	}
	slack := 1e-9 * (hi - lo)
	if math.IsInf(slack, 0) {
		slack = 1e-9*hi - 1e-9*lo
	}
	for k := first; k*half <= hi+slack && len(ticks) < maxTicks; k++ {
		v := k * half
		if math.Mod(k, 2) == 0 {
			ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, decimals)})
		} else if half >= t.minStep {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// maxTicks bounds the ticks of an axis, whatever rounding does to the
// steps: about 13 are marked.
const maxTicks = 100

// tickLabel formats v with decimals decimals and thousands separators.
func tickLabel(v float64, decimals int) string {
	if v == 0 {
		v = 0 // no "-0"
	}
	if math.Abs(v) >= 1e15 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.Atoi(whole)
	if err != nil || whole == "-0" {
		return s
	}
	if frac != "" {
		return thousands(n) + "." + frac
	}
	return thousands(n)
}

// logAxis is a logarithmic axis drawn on a linear one: data are plotted at
// log10 of their values, and logTicks labels the axis with the values.
// (gonum's plot.LogScale places the axis label's glyph box at the
// arithmetic mean of the axis range, which on a log axis is near its top
// or right end, so that a long label shrinks the plot.)
//
// logTicks marks powers of ten, labelled "0.1", "1", "10", ..., "1k",
// "10k", ..., "1M", ..., with unlabelled minor ticks at their multiples 2 to
// 9. Over less than a decade or two, multiples 2 and 5 are labelled too.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) || hi-lo > 1000 { // log10 of float64s spans 632 decades
		return nil
	}
	labelled := map[int]bool{1: true}
	if hi-lo < 1.5 {
		labelled[2], labelled[5] = true, true
	}
	var ticks []plot.Tick
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			pos := math.Log10(v)
			if pos < lo-1e-9 || pos > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: pos}
			if labelled[m] {
				t.Label = siLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// siLabel formats a tick value compactly: 0.05, 1, 200, 5k, 10M, 1G, 1e+15.
func siLabel(v float64) string {
	for _, p := range []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= p.scale && v < 1000*p.scale {
			return strconv.FormatFloat(v/p.scale, 'g', 3, 64) + p.suffix
		}
	}
	if v >= 1e15 || v < 1e-4 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// logs returns log10 of each value.
func logs(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = math.Log10(v)
	}
	return out
}

// addMargins widens axis a by a fraction f of its range on each side, so
// that data do not touch the frame.
//
// The margins stay within float64: where a range of 0 has no room for
// 0.5 on either side (at magnitudes beyond 2^53), they are proportional
// to the value, and where the range or its margins would overflow they
// stop at the largest float64.
func addMargins(a *plot.Axis, f float64) {
	d := f * (a.Max - a.Min)
	if math.IsInf(d, 0) {
		d = f*a.Max - f*a.Min
	}
	if d == 0 {
		d = 0.5
		if a.Min-d == a.Min || a.Max+d == a.Max {
			d = max(math.Abs(a.Min), math.Abs(a.Max)) * 0x1p-40
		}
	}
	a.Min = max(a.Min-d, -math.MaxFloat64)
	a.Max = min(a.Max+d, math.MaxFloat64)
}
