package charts

import (
	"bytes"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Fixed data: hand-made curves shaped like the harness's models on the
// synthetic flows (a strong forest, a weaker isolation forest).
var (
	forest = Curve{Label: "random_forest",
		FPR: []float64{0, 0, 0.002, 0.01, 0.05, 0.2, 1},
		TPR: []float64{0, 0.91, 0.95, 0.985, 0.995, 1, 1}, AUC: 0.998}
	isolation = Curve{Label: "isolation_forest",
		FPR: []float64{0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.7, 1},
		TPR: []float64{0, 0.35, 0.6, 0.72, 0.84, 0.93, 0.98, 1}, AUC: 0.874}
	logistic = Curve{Label: "logistic",
		FPR: []float64{0, 0.02, 0.1, 0.3, 0.6, 1},
		TPR: []float64{0, 0.55, 0.8, 0.92, 0.97, 1}, AUC: 0.912}

	seeds = []Curve{
		{FPR: []float64{0, 0, 0.05, 0.2, 1}, TPR: []float64{0, 0.80, 0.93, 0.99, 1}, AUC: 0.985},
		{FPR: []float64{0, 0, 0.03, 0.15, 1}, TPR: []float64{0, 0.70, 0.90, 0.97, 1}, AUC: 0.976},
		{FPR: []float64{0, 0.01, 0.08, 0.3, 1}, TPR: []float64{0, 0.75, 0.95, 1, 1}, AUC: 0.981},
	}

	trees = Series{Label: "random_forest",
		X:    []float64{10, 30, 100, 300, 1000},
		Mean: []float64{0.90, 0.935, 0.952, 0.958, 0.96},
		Lo:   []float64{0.87, 0.92, 0.945, 0.952, 0.955},
		Hi:   []float64{0.93, 0.95, 0.96, 0.964, 0.966}}
	isolationTrees = Series{Label: "isolation_forest",
		X:    []float64{10, 30, 100, 300, 1000},
		Mean: []float64{0.62, 0.70, 0.74, 0.75, 0.752},
		Lo:   []float64{0.55, 0.66, 0.72, 0.735, 0.74},
		Hi:   []float64{0.68, 0.74, 0.76, 0.765, 0.764}}
)

// charts are the figures checked against testdata/NAME.svg.
func charts() map[string]*Chart {
	m := map[string]*Chart{
		"roc":              ROC([]Curve{forest, logistic, isolation}, "ROC on the test split (trial t1)"),
		"roc_across_seeds": ROCAcrossSeeds("random_forest", seeds),
		"metric_vs_param": MetricVsParam("Detection rate against forest size", "Trees (count)",
			"Detection rate at 1% FPR", []Series{trees, isolationTrees},
			&Target{Value: 0.95, Label: "target 0.95"}, true),
		"confusion": ConfusionHeatmap("Confusion matrix (random_forest, trial t1)",
			[]string{"normal", "port_scan", "ddos", "exfiltration"},
			[][]int{{9412, 31, 4, 12}, {6, 388, 0, 1}, {0, 2, 1204, 0}, {9, 0, 0, 47}}),
		"bars": Bars("Feature importance (random_forest, top 10)", "Mean decrease in impurity",
			[]string{"dst_port_entropy", "bytes_out", "packets", "duration_s", "syn_ratio",
				"bytes_in", "src_port_entropy", "flows_per_src", "mean_iat_ms", "ttl_mean"},
			[]float64{0.18, 0.21, 0.09, 0.07, 0.15, 0.05, 0.04, 0.11, 0.03, 0.02}),
	}
	for name, c := range exploratoryCharts() {
		m[name] = c
	}
	for name, c := range monitoringCharts() {
		m[name] = c
	}
	return m
}

func TestGolden(t *testing.T) {
	for name, chart := range charts() {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := chart.Write(&got, "svg"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reports/charts -update to create it)", err)
			}
			if !bytes.Equal(want, got.Bytes()) {
				t.Errorf("%s differs from %s; view both, and if the change is intended run go test ./reports/charts -update", name, path)
			}
			if os.Getenv("CHARTS_PNG_DIR") != "" { // for looking at the figures
				var img bytes.Buffer
				if err := chart.Write(&img, "png"); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(os.Getenv("CHARTS_PNG_DIR"), name+".png"), img.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestMeanROC(t *testing.T) {
	// Expected values worked by hand from MeanROC's documented reading of
	// each seed: the largest TPR at a tied FPR, linear in between.
	seed1At := []float64{0.80, 0.93, 0.93 + 0.06*0.05/0.15, 1}
	seed2At := []float64{0.70, 0.90 + 0.07*0.02/0.12, 0.90 + 0.07*0.07/0.12, 1}
	seed3At := []float64{0, 0.75 + 0.20*0.04/0.07, 0.95 + 0.05*0.02/0.22, 1}
	grid := []float64{0, 0.05, 0.1, 1}
	var wantMean, wantLo, wantHi []float64
	for j := range grid {
		a, b, c := seed1At[j], seed2At[j], seed3At[j]
		wantMean = append(wantMean, (a+b+c)/3)
		wantLo = append(wantLo, min(a, b, c))
		wantHi = append(wantHi, max(a, b, c))
	}
	mean, lo, hi := MeanROC(seeds, grid)
	approx := cmpopts.EquateApprox(0, 1e-12)
	for _, c := range []struct {
		name      string
		want, got []float64
	}{{"mean", wantMean, mean}, {"lo", wantLo, lo}, {"hi", wantHi, hi}} {
		if diff := cmp.Diff(c.want, c.got, approx); diff != "" {
			t.Errorf("MeanROC() %s mismatch (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestTPRAt(t *testing.T) {
	curve := Curve{FPR: []float64{0.1, 0.2, 0.2, 0.6}, TPR: []float64{0.3, 0.5, 0.7, 0.9}}
	for _, c := range []struct {
		name   string
		fpr    float64
		want   float64
		reason string
	}{
		{"before first point", 0.05, 0.3, "first point's TPR"},
		{"at first point", 0.1, 0.3, "its TPR"},
		{"between points", 0.15, 0.4, "halfway from 0.3 to 0.5"},
		{"tied FPR", 0.2, 0.7, "largest TPR at FPR 0.2"},
		{"after tie", 0.4, 0.8, "halfway from 0.7 to 0.9"},
		{"after last point", 0.9, 0.9, "last point's TPR"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := tprAt(curve, c.fpr); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("tprAt(%v) = %v, want %v (%s)", c.fpr, got, c.want, c.reason)
			}
		})
	}
}

func TestMisusePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		call func()
	}{
		{"ROC length mismatch", func() { ROC([]Curve{{FPR: []float64{0, 1}, TPR: []float64{0}}}, "") }},
		{"ROC decreasing FPR", func() { ROC([]Curve{{FPR: []float64{0.5, 0}, TPR: []float64{0, 1}}}, "") }},
		{"MeanROC no seeds", func() { MeanROC(nil, ROCGrid()) }},
		{"series length mismatch", func() { MetricVsParam("", "", "", []Series{{X: []float64{1}, Mean: nil}}, nil, false) }},
		{"ragged confusion", func() { ConfusionHeatmap("", []string{"a", "b"}, [][]int{{1, 2}, {3}}) }},
		{"negative count", func() { ConfusionHeatmap("", []string{"a"}, [][]int{{-1}}) }},
		{"bars length mismatch", func() { Bars("", "", []string{"a"}, nil) }},
		{"unknown format", func() { _ = ROC(nil, "").Write(&bytes.Buffer{}, "pdf") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", c.name)
				}
			}()
			c.call()
		})
	}
}

// TestWriteDeterministic writes each chart twice in each format from fresh
// constructors, and checks the PNG is 640 × 420 pixels (the dashboard
// 640 × 880), as Pixels says.
func TestWriteDeterministic(t *testing.T) {
	first, second := charts(), charts()
	for name := range first {
		for _, format := range []string{"svg", "png"} {
			var a, b bytes.Buffer
			if err := first[name].Write(&a, format); err != nil {
				t.Fatal(err)
			}
			if err := second[name].Write(&b, format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s.%s: two writes of the same data differ", name, format)
			}
			if format == "png" {
				cfg, err := png.DecodeConfig(&a)
				if err != nil {
					t.Fatalf("%s.png: %v", name, err)
				}
				wantW, wantH := 640, 420
				if name == "monitoring_dashboard" {
					wantH = 880
				}
				if w, h := first[name].Pixels(); cfg.Width != wantW || cfg.Height != wantH || w != wantW || h != wantH {
					t.Errorf("%s.png is %d × %d px, Pixels says %d × %d, want %d × %d", name, cfg.Width, cfg.Height, w, h, wantW, wantH)
				}
			}
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	for name, chart := range charts() {
		for _, format := range []string{"svg", "png"} {
			b.Run(name+"/"+format, func(b *testing.B) {
				var buf bytes.Buffer
				for b.Loop() {
					buf.Reset()
					if err := chart.Write(&buf, format); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
