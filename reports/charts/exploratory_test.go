package charts

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// exploratoryCharts are the figures of the case study's exploratory
// analysis, clustering and evaluation, on fixed notebook-like data; charts
// adds them to the golden files.
func exploratoryCharts() map[string]*Chart {
	fs := flows(10000, 42)
	few := flows(1000, 7) // scatter plots: a golden file per dot

	hourly := make([]float64, 24)
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = strconv.Itoa(h)
	}
	cross := 0.0
	for _, f := range fs {
		hourly[f.hour]++
		if f.crossDp {
			cross++
		}
	}
	crossShare := 100 * cross / float64(len(fs))

	cpu := func(f flow) float64 { return f.cpu }
	logBytes := func(f flow) float64 { return math.Log10(f.bytes) }
	ports := func(f flow) float64 { return float64(f.ports) }
	duration := func(f flow) float64 { return f.duration }
	bytesSent := func(f flow) float64 { return f.bytes }

	// Predicted normal against predicted anomaly, as coloured in the
	// notebook's "CPU vs Duration (by Prediction)".
	predicted := make([]Points, 2)
	predicted[0].Label, predicted[1].Label = "predicted normal", "predicted anomaly"
	for _, f := range few {
		k := 0
		if f.kind != "normal" {
			k = 1
		}
		predicted[k].X = append(predicted[k].X, f.cpu)
		predicted[k].Y = append(predicted[k].Y, f.duration)
	}

	kx, ky, klabels := blobs(900, 3, 0.35, 0.05, 1)
	dx, dy, dlabels := blobs(1500, 40, 0.07, 0.12, 2)

	percent := func(v float64) string { return fmt.Sprintf("%.1f%%", v) }
	count := func(v float64) string { return thousands(int(v)) }
	devices := []string{"workstation", "server", "database", "web_server", "mobile", "iot"}
	features := []string{"bytes_sent", "packets_sent", "duration", "cpu_usage", "ports_contacted"}

	return map[string]*Chart{
		"hist_cpu": Histogram("CPU usage distribution", "CPU usage (%)", "Flows",
			byKind(fs, cpu), 20),
		"hist_bytes": Histogram("Bytes sent distribution (log10)", "log10(bytes sent)", "Flows",
			byKind(fs, logBytes)[:2], 30),
		"hist_ports": Histogram("Ports contacted distribution", "Ports contacted (count)", "Flows",
			byKind(fs, ports), 15),

		"scatter_duration_bytes": Scatter("Duration against bytes sent", "Duration (s)", "Bytes sent",
			pointsByKind(few, duration, bytesSent), false, true),
		"scatter_cpu_duration": Scatter("CPU usage against duration (by prediction)", "CPU usage (%)",
			"Duration (s)", predicted, false, true),
		"cluster_kmeans": ClusterScatter("K-means clusters", "log10(bytes sent)", "log10(duration in s)",
			kx, ky, klabels),
		"cluster_dbscan": ClusterScatter("DBSCAN clusters", "log10(bytes sent)", "log10(duration in s)",
			dx, dy, dlabels),

		"columns_hours": Columns("Traffic by hour", "Hour of day", "Flows", hours, hourly, nil),
		"columns_protocol": Columns("Protocol distribution", "Protocol", "Flows",
			[]string{"TCP", "UDP", "ICMP"}, []float64{7012, 2493, 495}, count),
		"columns_departments": Columns("Anomalies by source department", "", "Anomalous flows",
			[]string{"accounting", "hr", "engineering", "sales", "it", "executive"},
			[]float64{91, 78, 88, 80, 84, 79}, nil),
		"columns_cross_dept": Columns("Cross-department communication", "", "Share of flows (%)",
			[]string{"same department", "cross department"},
			[]float64{100 - crossShare, crossShare}, percent),
		"columns_rotated": Columns("Correlation of each feature with is_anomaly", "",
			"|Pearson r|",
			[]string{"bytes_sent", "packets_sent", "duration", "cpu_usage", "ports_contacted",
				"bytes_per_second", "packets_per_second", "risk_score", "log_bytes", "log_duration"},
			[]float64{0.21, 0.38, 0.52, 0.71, 0.83, 0.04, 0.31, 0.77, 0.33, 0.49},
			func(v float64) string { return fmt.Sprintf("%.2f", v) }),

		"heatmap_devices": Heatmap("Device communication matrix", "Destination device",
			"Source device", devices, devices, [][]float64{
				{290, 271, 262, 284, 270, 276},
				{265, 288, 279, 263, 281, 270},
				{284, 266, 277, 258, 272, 291},
				{271, 282, 269, 295, 264, 260},
				{258, 276, 283, 270, 287, 268},
				{279, 262, 271, 284, 266, 293},
			}, HeatmapOptions{Format: func(v float64) string { return strconv.Itoa(int(v)) }}),
		"heatmap_correlation": Heatmap("Feature correlation matrix", "", "", features, features,
			[][]float64{
				{1, 0.82, 0.31, 0.27, -0.05},
				{0.82, 1, -0.12, 0.08, 0.35},
				{0.31, -0.12, 1, 0.58, -0.21},
				{0.27, 0.08, 0.58, 1, 0.44},
				{-0.05, 0.35, -0.21, 0.44, 1},
			}, HeatmapOptions{Format: func(v float64) string { return fmt.Sprintf("%.2f", v) }, Diverging: true}),
		"heatmap_business_hours": Heatmap("Business hours against anomalies", "Anomalous",
			"Business hours", []string{"no", "yes"}, []string{"no", "yes"},
			[][]float64{{5602, 397}, {3898, 103}},
			HeatmapOptions{Format: func(v float64) string { return thousands(int(v)) }}),

		"pr": PR([]PRCurve{
			{Label: "random_forest", // scikit-learn's order: decreasing recall
				Recall:    []float64{1, 1, 0.99, 0.97, 0.95, 0.93, 0.9, 0.8, 0.6, 0.3, 0},
				Precision: []float64{0.05, 0.42, 0.71, 0.86, 0.92, 0.95, 0.97, 0.985, 0.99, 1, 1},
				AP:        0.953},
			{Label: "isolation_forest",
				Recall:    []float64{0, 0.1, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
				Precision: []float64{1, 0.82, 0.7, 0.55, 0.44, 0.36, 0.27, 0.19, 0.12, 0.05},
				AP:        0.412},
		}, 0.05, "Precision-recall on the test split (trial t1)"),
	}
}

func TestHistBins(t *testing.T) {
	r := &rng{state: 3}
	for trial := range 200 {
		bins := 1 + r.intn(40)
		groups := make([]Group, 1+r.intn(4))
		total := make([]int, len(groups))
		for g := range groups {
			n := r.intn(300)
			if trial%10 == 0 {
				n = 0
			}
			for range n {
				var v float64
				switch trial % 4 {
				case 0:
					v = r.normal(0, 1e-9) // tiny range
				case 1:
					v = float64(r.intn(5)) // integers: values on edges
				case 2:
					v = r.lognormal(8, 3)
				default:
					v = r.uniform(-1e6, 1e6)
				}
				groups[g].Values = append(groups[g].Values, v)
			}
			total[g] = n
		}
		edges, counts := histBins(groups, bins)
		if !slices.IsSorted(edges) || len(edges) < 2 {
			t.Fatalf("trial %d: edges %v not increasing", trial, edges)
		}
		for g, group := range groups {
			sum := 0.0
			for _, n := range counts[g] {
				sum += n
			}
			if int(sum) != total[g] {
				t.Errorf("trial %d group %d: bin counts sum to %v, want %d values", trial, g, sum, total[g])
			}
			for _, v := range group.Values {
				if v < edges[0] || v > edges[len(edges)-1] {
					t.Errorf("trial %d: value %v outside edges %v..%v", trial, v, edges[0], edges[len(edges)-1])
				}
			}
		}
	}
}

func TestHistBinsEdges(t *testing.T) {
	edges, counts := histBins([]Group{{Values: []float64{0, 0.5, 1, 2.5, 3, 4}}, {Values: []float64{4, 4}}}, 4)
	if want := []float64{0, 1, 2, 3, 4}; !slices.Equal(edges, want) {
		t.Errorf("edges = %v, want %v", edges, want)
	}
	// Bins are [0,1), [1,2), [2,3), [3,4]: the largest value falls in the last.
	if want := []float64{2, 1, 1, 2}; !slices.Equal(counts[0], want) {
		t.Errorf("counts[0] = %v, want %v", counts[0], want)
	}
	if want := []float64{0, 0, 0, 2}; !slices.Equal(counts[1], want) {
		t.Errorf("counts[1] = %v, want %v (the shared edges)", counts[1], want)
	}

	edges, counts = histBins([]Group{{Values: []float64{7, 7, 7}}}, 30)
	if want := []float64{6.5, 7.5}; !slices.Equal(edges, want) || !slices.Equal(counts[0], []float64{3}) {
		t.Errorf("all equal: edges %v counts %v, want one bin %v holding 3", edges, counts[0], want)
	}

	// Whole numbers: whole bins centred on them.
	for _, c := range []struct {
		values []float64
		bins   int
		edges  []float64
		counts []float64
	}{
		{[]float64{1, 2, 2, 5}, 10, []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, []float64{1, 2, 0, 0, 1}},
		{[]float64{1, 2, 3, 4, 24}, 15, []float64{0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5, 20.5, 22.5, 24.5},
			[]float64{2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{[]float64{0, 10}, 3, []float64{-0.5, 3.5, 7.5, 11.5}, []float64{1, 0, 1}},
	} {
		edges, counts := histBins([]Group{{Values: c.values}}, c.bins)
		if !slices.Equal(edges, c.edges) || !slices.Equal(counts[0], c.counts) {
			t.Errorf("histBins(%v, %d) = edges %v counts %v, want %v and %v", c.values, c.bins, edges, counts[0], c.edges, c.counts)
		}
	}
}

func TestHistogramLegend(t *testing.T) {
	c := Histogram("", "", "", []Group{{Label: "normal", Values: []float64{1, 2}}, {Label: "empty"},
		{Label: "crypto_mining", Values: []float64{3}}}, 10)
	if c.legendEntries != 2 {
		t.Errorf("Histogram with an empty group has %d legend entries, want 2", c.legendEntries)
	}
	// A degenerate range, and no values at all, still draw.
	for _, groups := range [][]Group{{{Label: "one", Values: []float64{5, 5}}}, nil, {{Label: "none"}}} {
		if len(Histogram("", "", "", groups, 10).SVG()) == 0 {
			t.Errorf("Histogram of %v drew nothing", groups)
		}
	}
}

// TestEmpty checks that charts of no data draw, and that groups without
// points have no legend entry.
func TestEmpty(t *testing.T) {
	for name, c := range map[string]*Chart{
		"Histogram":      Histogram("", "", "", nil, 10),
		"Scatter":        Scatter("", "", "", nil, true, true),
		"ClusterScatter": ClusterScatter("", "", "", nil, nil, nil),
		"Columns":        Columns("", "", "", nil, nil, nil),
		"Heatmap":        Heatmap("", "", "", nil, nil, nil, HeatmapOptions{}),
		"PR":             PR(nil, 0.05, ""),
	} {
		if len(c.SVG()) == 0 || len(c.PNG()) == 0 {
			t.Errorf("%s of no data drew nothing", name)
		}
	}
	c := Scatter("", "", "", []Points{{Label: "none"}, {Label: "one", X: []float64{1}, Y: []float64{2}}}, false, false)
	if c.legendEntries != 1 {
		t.Errorf("Scatter with an empty group has %d legend entries, want 1", c.legendEntries)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 9500: "9,500",
		123456: "123,456", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got, want := withN("normal", 9500), "normal (n=9,500)"; got != want {
		t.Errorf("withN = %q, want %q", got, want)
	}
}

func TestPRPoints(t *testing.T) {
	recall := []float64{1, 0.8, 0.8, 0.5, 0}
	precision := []float64{0.1, 0.5, 0.6, 0.9, 1}
	curve := PRCurve{Label: "sk", Recall: slices.Clone(recall), Precision: slices.Clone(precision)}
	pts := prPoints(curve)
	if !slices.Equal(curve.Recall, recall) || !slices.Equal(curve.Precision, precision) {
		t.Errorf("prPoints changed the caller's slices")
	}
	// Reversed, then stably sorted: at recall 0.8 precision falls, as the
	// threshold decreases.
	var gotX, gotY []float64
	for _, p := range pts {
		gotX, gotY = append(gotX, p.X), append(gotY, p.Y)
	}
	if want := []float64{0, 0.5, 0.8, 0.8, 1}; !slices.Equal(gotX, want) {
		t.Errorf("recall order %v, want %v", gotX, want)
	}
	if want := []float64{1, 0.9, 0.6, 0.5, 0.1}; !slices.Equal(gotY, want) {
		t.Errorf("precision order %v, want %v", gotY, want)
	}
	// Increasing recall, with one point out of order: sorted, ties kept.
	pts = prPoints(PRCurve{Recall: []float64{0, 0.4, 0.2, 0.4}, Precision: []float64{1, 0.7, 0.8, 0.6}})
	for i, want := range []float64{1, 0.8, 0.7, 0.6} {
		if pts[i].Y != want {
			t.Errorf("point %d has precision %v, want %v", i, pts[i].Y, want)
		}
	}
}

func TestClusterLegend(t *testing.T) {
	x, y, labels := blobs(300, 3, 0.3, 0.1, 5)
	if got := ClusterScatter("", "", "", x, y, labels).legendEntries; got != 4 {
		t.Errorf("3 clusters and noise: %d legend entries, want 4", got)
	}
	x, y, labels = blobs(300, 6, 0.3, 0, 5)
	if got := ClusterScatter("", "", "", x, y, labels).legendEntries; got != 6 {
		t.Errorf("6 clusters: %d legend entries, want 6", got)
	}
	x, y, labels = blobs(600, 40, 0.1, 0.1, 5)
	if got := ClusterScatter("", "", "", x, y, labels).legendEntries; got != 2 {
		t.Errorf("40 clusters and noise: %d legend entries, want 2 (noise, the colour ramp)", got)
	}
	// Labels need not be contiguous, and a lone cluster of many still draws.
	if len(ClusterScatter("", "", "", []float64{1, 2}, []float64{1, 2}, []int{7, 7}).SVG()) == 0 {
		t.Errorf("ClusterScatter with one cluster drew nothing")
	}
}

func TestCellTextColour(t *testing.T) {
	for _, c := range []struct {
		name  string
		shade float64
		white bool
	}{{"lightest", 0, false}, {"middle", 0.5, false}, {"dark", 0.65, true}, {"darkest", 1, true}} {
		if got := luminance(mix(cellLow, cellHigh, c.shade)) < darkCell; got != c.white {
			t.Errorf("Blues at %v (%s): white text %v, want %v", c.shade, c.name, got, c.white)
		}
	}
	if got := luminance(rgb(0xFFFFFF)); math.Abs(got-1) > 1e-12 {
		t.Errorf("luminance(white) = %v, want 1", got)
	}
}

func TestViridis(t *testing.T) {
	if got := viridis(0); got != viridisStops[0] {
		t.Errorf("viridis(0) = %v, want %v", got, viridisStops[0])
	}
	if got := viridis(math.NaN()); got != viridisStops[0] {
		t.Errorf("viridis(NaN) = %v, want the first stop", got)
	}
	// Darkest first: luminance rises along the ramp.
	prev := -1.0
	for i := range 11 {
		l := luminance(viridis(float64(i) / 10))
		if l < prev {
			t.Errorf("viridis luminance falls at %v", float64(i)/10)
		}
		prev = l
	}
}

func TestSVGAndPNG(t *testing.T) {
	c := Columns("t", "x", "y", []string{"a", "b"}, []float64{1, 2}, nil)
	var buf bytes.Buffer
	if err := c.Write(&buf, "svg"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.SVG(), buf.Bytes()) {
		t.Errorf("SVG() differs from Write(w, \"svg\")")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(c.PNG()))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 640 || cfg.Height != 420 {
		t.Errorf("PNG() is %d × %d px, want 640 × 420", cfg.Width, cfg.Height)
	}
}

// TestPanicMessages checks that misuse panics with a message naming the
// problem. (Data values that are NaN or infinite are not misuse: see
// TestNotFiniteData.)
func TestPanicMessages(t *testing.T) {
	for _, c := range []struct {
		name string
		call func()
		want string
	}{
		{"histogram no bins", func() { Histogram("", "", "", nil, 0) }, "Histogram with 0 bins"},
		{"scatter length mismatch", func() { Scatter("", "", "", []Points{{Label: "a", X: []float64{1}}}, false, false) },
			`Scatter group "a" has 1 X and 0 Y values`},
		{"cluster length mismatch", func() { ClusterScatter("", "", "", []float64{1}, []float64{1}, nil) },
			"ClusterScatter with 1 x, 1 y and 0 labels"},
		{"cluster label", func() { ClusterScatter("", "", "", []float64{1}, []float64{1}, []int{-2}) },
			"ClusterScatter label -2 at point 0 (want -1 for noise"},
		{"columns length mismatch", func() { Columns("", "", "", []string{"a"}, nil, nil) },
			"Columns with 1 labels but 0 values"},
		{"columns negative", func() { Columns("", "", "", []string{"a"}, []float64{-1}, nil) },
			`Columns value 0 ("a") is negative`},
		{"heatmap rows", func() { Heatmap("", "", "", []string{"a"}, []string{"x"}, nil, HeatmapOptions{}) },
			"Heatmap with 1 rows but 0 rows of values"},
		{"heatmap ragged", func() {
			Heatmap("", "", "", []string{"a"}, []string{"x", "y"}, [][]float64{{1}}, HeatmapOptions{})
		}, `Heatmap with 2 columns but row 0 ("a") has 1 values`},
		{"heatmap log negative", func() {
			Heatmap("", "", "", []string{"a"}, []string{"x"}, [][]float64{{-3}}, HeatmapOptions{Log: true})
		}, "is negative, but Log shading needs values >= 0"},
		{"PR length mismatch", func() { PR([]PRCurve{{Label: "rf", Recall: []float64{0, 1}, Precision: []float64{1}}}, 0.05, "") },
			`PR curve "rf" has 2 recall and 1 precision values`},
		{"PR empty", func() { PR([]PRCurve{{Label: "rf"}}, 0.05, "") }, `PR curve "rf" has no points`},
		{"PR prevalence", func() { PR(nil, 5, "") }, "PR prevalence 5 is not a fraction between 0 and 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("did not panic")
				}
				msg := fmt.Sprint(r)
				if !strings.HasPrefix(msg, "charts: ") || !strings.Contains(msg, c.want) {
					t.Errorf("panic %q, want it to start with \"charts: \" and contain %q", msg, c.want)
				}
			}()
			c.call()
		})
	}
}

// tenK is 10,000 flows: 9,500 normal, 300 crypto mining, 200 lateral
// movement, as in the notebook.
var tenK = flows(10000, 42)

func BenchmarkScatter10k(b *testing.B) {
	groups := pointsByKind(tenK, func(f flow) float64 { return f.duration }, func(f flow) float64 { return f.bytes })
	for _, format := range []string{"svg", "png"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				c := Scatter("Duration against bytes sent", "Duration (s)", "Bytes sent", groups, false, true)
				if err := c.Write(io.Discard, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClusterScatter10k(b *testing.B) {
	for _, k := range []int{3, 40} {
		x, y, labels := blobs(10000, k, 0.1, 0.1, 9)
		for _, format := range []string{"svg", "png"} {
			b.Run(fmt.Sprintf("%d_clusters/%s", k, format), func(b *testing.B) {
				for b.Loop() {
					c := ClusterScatter("DBSCAN clusters", "log10(bytes sent)", "log10(duration in s)", x, y, labels)
					if err := c.Write(io.Discard, format); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi  float64
		minStep float64
		labels  string
	}{
		{0, 25, 0, "0 5 10 15 20 25"},
		{0.02, 24.98, 0, "5 10 15 20"},
		{0, 1392, 1, "0 250 500 750 1,000 1,250"},
		{0, 7000, 1, "0 2,000 4,000 6,000"},
		{0, 3.1, 1, "0 1 2 3"},
		{-1.2, 3.3, 0, "-1 0 1 2 3"},
		{0, 0.93, 0, "0.0 0.2 0.4 0.6 0.8"},
		{0.0012, 0.0031, 0, "0.0015 0.0020 0.0025 0.0030"},
		{-27000, 0, 0, "-25,000 -20,000 -15,000 -10,000 -5,000 0"},
		{5, 5, 0, "5"},
	} {
		var labels []string
		for _, tick := range (niceTicks{minStep: c.minStep}).Ticks(c.lo, c.hi) {
			if tick.Value < c.lo-1e-9 || tick.Value > c.hi+1e-9 {
				t.Errorf("niceTicks(%v, %v) has tick %v outside the range", c.lo, c.hi, tick.Value)
			}
			if tick.Label != "" {
				labels = append(labels, tick.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.labels {
			t.Errorf("niceTicks{%v}(%v, %v) labels %q, want %q", c.minStep, c.lo, c.hi, got, c.labels)
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64 // log10 of the range
		labels string
	}{
		{math.Log10(0.02), math.Log10(28800), "0.1 1 10 100 1k 10k"},
		{math.Log10(60), math.Log10(2e7), "100 1k 10k 100k 1M 10M"},
		{math.Log10(15), math.Log10(300), "20 50 100 200"},
	} {
		var labels []string
		for _, tick := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tick.Label != "" {
				labels = append(labels, tick.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.labels {
			t.Errorf("logTicks over %v..%v: labels %q, want %q", math.Pow(10, c.lo), math.Pow(10, c.hi), got, c.labels)
		}
	}
	for v, want := range map[float64]string{1e-5: "1e-05", 0.001: "0.001", 0.5: "0.5", 1: "1", 200: "200",
		1000: "1k", 2500: "2.5k", 1e6: "1M", 5e7: "50M", 1e9: "1G", 1e12: "1T", 1e15: "1e+15"} {
		if got := siLabel(v); got != want {
			t.Errorf("siLabel(%v) = %q, want %q", v, got, want)
		}
	}
}
