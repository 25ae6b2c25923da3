package charts

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// drawn writes c as SVG and PNG and returns the SVG, failing when the SVG
// holds a coordinate or text that is NaN or infinite.
func drawn(t *testing.T, c *Chart) string {
	t.Helper()
	svg := string(c.SVG())
	if len(c.PNG()) == 0 {
		t.Error("no PNG")
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if i := strings.Index(svg, bad); i >= 0 {
			t.Errorf("the SVG holds %s: …%s…", bad, svg[max(0, i-80):min(len(svg), i+40)])
		}
	}
	return svg
}

// TestNotFiniteData: data values that are NaN or infinite, and ranges
// that are empty, zero wide, beyond float64's resolution or wider than
// the largest float64, are drawn (or left out, as each constructor
// documents) rather than panicking or hanging. Each case panicked or hung
// before.
func TestNotFiniteData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name  string
		chart func() *Chart
		want  []string // texts the SVG must hold
	}{
		{"histogram NaN and Inf", func() *Chart {
			return Histogram("", "", "", []Group{{Label: "cpu", Values: []float64{1, nan, 2, inf, 3}}, {Label: "none", Values: []float64{nan}}}, 5)
		}, []string{"cpu (n=3; 2 not drawable)", "none (n=0; 1 not drawable)"}},
		{"histogram all NaN", func() *Chart { return Histogram("", "", "", []Group{{Label: "cpu", Values: []float64{nan, nan}}}, 5) }, nil},
		// One bar at a value where ±0.5 is lost.
		{"histogram zero range at 1e20", func() *Chart {
			return Histogram("", "", "", []Group{{Label: "a", Values: []float64{1e20, 1e20}}}, 5)
		}, []string{"a (n=2)"}},
		// Whole numbers a few units apart at 9e18: a tick step below the
		// values' resolution.
		{"histogram huge whole numbers", func() *Chart {
			return Histogram("", "", "", []Group{{Label: "ports", Values: []float64{9e18, 9e18 + 1024, 9e18 + 4096}}}, 15)
		}, nil},
		{"histogram range wider than float64", func() *Chart {
			return Histogram("", "", "", []Group{{Label: "a", Values: []float64{-1.7e308, 0, 1.7e308}}}, 10)
		}, nil},
		{"scatter one point", func() *Chart {
			return Scatter("", "", "", []Points{{Label: "a", X: []float64{3}, Y: []float64{4}}}, false, false)
		}, nil},
		{"scatter one point at 1e300", func() *Chart {
			return Scatter("", "", "", []Points{{Label: "a", X: []float64{1e300}, Y: []float64{1e300}}}, false, false)
		}, nil},
		{"scatter not drawable", func() *Chart {
			return Scatter("", "", "", []Points{
				{Label: "a", X: []float64{1, nan, 2, 3}, Y: []float64{1, 2, inf, 0}},
				{Label: "b", X: []float64{nan}, Y: []float64{1}},
			}, false, true)
		}, []string{"a (n=1; 3 not drawable)", "b (n=0; 1 not drawable)"}},
		{"scatter range wider than float64", func() *Chart {
			return Scatter("", "", "", []Points{{Label: "a", X: []float64{-1.79e308, 1.79e308}, Y: []float64{1, 2}}}, false, false)
		}, nil},
		{"cluster scatter not drawable", func() *Chart {
			return ClusterScatter("", "", "", []float64{1, inf, 2}, []float64{1, 1, nan}, []int{0, 1, -1})
		}, []string{"2 points not drawable", "cluster 0 (n=1)"}},
		{"columns NaN", func() *Chart {
			return Columns("", "", "", []string{"a", "b"}, []float64{nan, 2}, func(v float64) string { return "x" })
		}, []string{"n/a"}},
		{"columns all NaN", func() *Chart { return Columns("", "", "", []string{"a"}, []float64{inf}, nil) }, nil},
		{"bars NaN", func() *Chart { return Bars("", "", []string{"a", "b", "c"}, []float64{nan, 0.3, inf}) }, []string{" n/a", " 0.3"}},
		{"bars all zero", func() *Chart { return Bars("", "", []string{"a"}, []float64{0}) }, nil},
		{"heatmap all NaN", func() *Chart {
			return Heatmap("", "", "", []string{"a"}, []string{"x", "y"}, [][]float64{{nan, inf}}, HeatmapOptions{Diverging: true})
		}, []string{"n/a"}},
		{"heatmap log NaN", func() *Chart {
			return Heatmap("", "", "", []string{"a"}, []string{"x", "y"}, [][]float64{{nan, 4}}, HeatmapOptions{Log: true})
		}, []string{"n/a", ">4<"}},
		{"ROC not drawable", func() *Chart {
			return ROC([]Curve{
				{Label: "rf", FPR: []float64{0, nan, 1}, TPR: []float64{0, 1, 1}, AUC: nan},
				{Label: "bad", FPR: []float64{nan}, TPR: []float64{0}, AUC: 0.5},
			}, "")
		}, []string{"rf (AUC n/a)", "bad (no drawable point)"}},
		{"ROC across seeds not drawable", func() *Chart {
			return ROCAcrossSeeds("rf", []Curve{{FPR: []float64{0, 1}, TPR: []float64{nan, 1}, AUC: nan}, {FPR: []float64{nan}, TPR: []float64{1}, AUC: 1}})
		}, []string{"mean of 2 seeds (AUC n/a ± n/a)"}},
		{"ROC across seeds none drawable", func() *Chart {
			return ROCAcrossSeeds("rf", []Curve{{FPR: []float64{nan}, TPR: []float64{1}, AUC: 1}})
		}, []string{"no drawable point"}},
		{"PR not drawable", func() *Chart {
			return PR([]PRCurve{
				{Label: "rf", Recall: []float64{1, nan, 0}, Precision: []float64{0.5, 0.7, 1}, AP: 0.8},
				{Label: "bad", Recall: []float64{inf}, Precision: []float64{1}, AP: nan},
			}, nan, "")
		}, []string{"rf (AP 0.800)", "bad (no drawable point)"}},
		{"metric all NaN", func() *Chart {
			return MetricVsParam("", "", "", []Series{{Label: "rf", X: []float64{1, 2}, Mean: []float64{nan, nan}}},
				&Target{Value: nan, Label: "target"}, true)
		}, []string{"rf (no drawable value)"}},
		{"metric gaps", func() *Chart {
			return MetricVsParam("", "", "", []Series{{Label: "rf", X: []float64{0, 1, 2, 3, 4, 5},
				Mean: []float64{0.5, 0.6, inf, 0.7, 0.8, nan}, Lo: []float64{0.4, nan, 0.5, 0.6, 0.7, 0.8}, Hi: []float64{0.6, 0.7, 0.8, 0.9, 0.9, 0.9}}},
				&Target{Value: 0.9, Label: "target"}, true)
		}, []string{"rf", "target"}},
		{"metric one point", func() *Chart {
			return MetricVsParam("", "", "", []Series{{Label: "rf", X: []float64{3}, Mean: []float64{0.5}}}, nil, false)
		}, nil},
		{"dashboard not finite", func() *Chart {
			return MonitoringDashboard(Dashboard{
				Windows: []MonitorWindow{
					{Start: 0, End: 1, Threats: nan, CandidateShare: nan, DetectionRate: inf},
					{Start: nan, End: 2, Threats: 3, DetectionRate: 0.5},
					{Start: 2, End: 3, Threats: inf, CandidateShare: inf, DetectionRate: 0.5, ResponseTime: inf},
				},
				Events:          []Event{{Day: nan, Kind: EventDrift}, {Day: 1, Kind: EventRetrain}},
				Trend:           &TrendLine{From: 0, To: 3, Intercept: nan, Slope: 1, Threshold: 0.5},
				DetectionTarget: inf, FPRThreshold: inf, ResponseSLA: nan,
			})
		}, nil},
		{"drift not finite", func() *Chart {
			return DriftChart(Drift{Windows: []MonitorWindow{{Start: 0, End: 1}, {Start: 1, End: nan}}, MaxPSI: []float64{inf, 0.1},
				Features: []DriftFeature{{Label: "x", PSI: []float64{0.1, nan}}}, Threshold: inf})
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			svg := drawn(t, c.chart())
			for _, w := range c.want {
				if !strings.Contains(svg, w) {
					t.Errorf("the SVG lacks %q", w)
				}
			}
		})
	}
}

// TestCorrelationOfConstantColumn draws the report's correlation matrix of
// flows whose cpu_usage is constant: that row and column (diagonal
// included) are undefined, 0/0, so their nine cells print "n/a" on the
// neutral grey, and the other cells are shaded as before.
// testdata/heatmap_correlation_constant.svg is the golden file.
func TestCorrelationOfConstantColumn(t *testing.T) {
	names := []string{"bytes_sent", "packets_sent", "duration", "cpu_usage", "ports_contacted"}
	cols := [][]float64{
		{100, 250, 4000, 90, 120, 70000},
		{3, 5, 40, 2, 3, 300},
		{1.5, 0.2, 3, 0.1, 2, 9},
		{0, 0, 0, 0, 0, 0}, // constant
		{1, 2, 1, 1, 3, 25},
	}
	values := make([][]float64, len(cols))
	for i := range cols {
		values[i] = make([]float64, len(cols))
		for j := range cols {
			values[i][j] = stat.Correlation(cols[i], cols[j], nil)
		}
	}
	c := Heatmap("Feature correlation matrix", "", "", names, names, values,
		HeatmapOptions{Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }, Diverging: true})
	svg := drawn(t, c)
	if n := strings.Count(svg, ">n/a<"); n != 9 {
		t.Errorf("%d cells print n/a, want 9 (the cpu_usage row and column)", n)
	}
	if n := strings.Count(svg, "fill:#BDBDBD"); n != 9 {
		t.Errorf("%d cells are neutral grey, want 9", n)
	}
	path := filepath.Join("testdata", "heatmap_correlation_constant.svg")
	if *update {
		if err := os.WriteFile(path, []byte(svg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/charts -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(svg)) {
		t.Errorf("the figure differs from %s; view both, and if the change is intended run go test ./reports/charts -update", path)
	}
}

// TestTicksTerminate: the tick markers return a bounded list for any
// range, and none for one that is not finite. Before, a step below the
// values' resolution (9e18 to 9e18+1000, step 200) looped for ever, and
// an infinite range did on the logarithmic and day axes.
func TestTicksTerminate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name   string
		ticks  func(lo, hi float64) int
		lo, hi float64
		most   int
	}{
		{"nice, step below resolution", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, 9e18, 9e18 + 1000, 2},
		{"nice, NaN", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, nan, 1, 0},
		{"nice, infinite", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, -inf, inf, 0},
		{"nice, wider than float64", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, -1.7e308, 1.7e308, 30},
		{"nice, subnormal width", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, 1, math.Nextafter(1, 2), 30},
		{"nice, zero width", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, 5, 5, 1},
		{"nice, empty", func(lo, hi float64) int { return len(niceTicks{}.Ticks(lo, hi)) }, 1, 0, 1},
		{"log, infinite", func(lo, hi float64) int { return len(logTicks{}.Ticks(lo, hi)) }, -inf, 3, 0},
		{"log, wider than float64's decades", func(lo, hi float64) int { return len(logTicks{}.Ticks(lo, hi)) }, -1e300, 1e300, 0},
		{"day, huge", func(lo, hi float64) int { return len(dayTicks{}.Ticks(lo, hi)) }, 1e17, 1e17 + 8, 30},
		{"day, infinite", func(lo, hi float64) int { return len(dayTicks{}.Ticks(lo, hi)) }, 0, inf, 0},
	} {
		if n := c.ticks(c.lo, c.hi); n > c.most {
			t.Errorf("%s: %d ticks on [%v, %v], want at most %d", c.name, n, c.lo, c.hi, c.most)
		}
	}
}
