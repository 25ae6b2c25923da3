package rundir

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/internal/flow"
)

func TestInferParamKind(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   ParamKind
	}{
		{"integers", []string{"10000", "100000"}, ParamInt},
		{"rates", []string{"0.01", "0.05", "1"}, ParamFloat},
		{"names", []string{"notebook", "consistent"}, ParamString},
		{"mixed", []string{"1", "sqrt"}, ParamString},
		{"booleans are text", []string{"true", "false"}, ParamString},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := InferParamKind(tc.values); got != tc.want {
				t.Errorf("InferParamKind(%q) = %v, want %v", tc.values, got, tc.want)
			}
		})
	}
}

func TestMetricsRoundTrip(t *testing.T) {
	params := []ParamColumn{{"anomaly_rate", ParamFloat}, {"flows", ParamInt}, {"generator", ParamString}, {"model", ParamString}}
	rows := []Metric{
		{"sweep", "a/seed=1", 1, []string{"0.05", "10000", "notebook", "x"}, "rf", "detection_rate", 0.97},
		{"sweep", "a/seed=1", 1, []string{"0.05", "10000", "notebook", "x"}, "rf", "roc_auc", 1},
		{"sweep", "b/seed=2", 2, []string{"0.2", "100000", "consistent", "y"}, "iso", "false_positive_rate", 0.0046},
	}
	var buf bytes.Buffer
	if err := WriteMetrics(&buf, params, rows); err != nil {
		t.Fatal(err)
	}
	gotParams, got, err := ReadMetrics(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "metrics.parquet")
	if err != nil {
		t.Fatal(err)
	}
	// A parameter named like a fixed column is written param_model and
	// reads back under its own name.
	if diff := cmp.Diff(params, gotParams); diff != "" {
		t.Errorf("parameter columns mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	// Writing what was read gives the same bytes: the writer is
	// deterministic and the reader loses nothing.
	var again bytes.Buffer
	if err := WriteMetrics(&again, gotParams, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("WriteMetrics(ReadMetrics(f)) differs from f")
	}
}

func TestWriteMetricsErrors(t *testing.T) {
	params := []ParamColumn{{"flows", ParamInt}}
	for _, tc := range []struct {
		name string
		rows []Metric
		want string
	}{
		{"value not an integer", []Metric{{Params: []string{"1e4x"}}}, "metrics row 0: parameter flows"},
		{"missing parameter", []Metric{{}}, "has 0 parameter values, the table 1 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteMetrics(&bytes.Buffer{}, params, tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WriteMetrics: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestReadMetricsRejectsOtherTables(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteImportances(&buf, []Importance{{"rf", "cpu_usage", 0.5, 1}}); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadMetrics(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "importances.parquet")
	if err == nil || !strings.Contains(err.Error(), "importances.parquet: not a metrics table") {
		t.Errorf("ReadMetrics(importances) = %v, want a not-a-metrics-table error", err)
	}
}

func TestPredictionsRoundTrip(t *testing.T) {
	score, actual := 0.93, flow.LabelAnomaly
	rows := []Prediction{
		{Model: "rf", FlowID: 7, Split: "test", Score: &score, Predicted: flow.LabelAnomaly, Actual: &actual, AnomalyType: flow.CryptoMining},
		{Model: "kmeans", FlowID: 0, Split: "train", Predicted: "3", AnomalyType: flow.Normal},
	}
	var buf bytes.Buffer
	if err := WritePredictions(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.Read[Prediction](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("predictions mismatch (-want +got):\n%s", diff)
	}
}

// FuzzReadMetrics: any bytes give rows or an error, never a panic or an
// unbounded allocation (the reader shares openFile's guards).
func FuzzReadMetrics(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteMetrics(&buf, []ParamColumn{{"anomaly_rate", ParamFloat}, {"generator", ParamString}},
		[]Metric{{"e", "t/seed=1", 1, []string{"0.05", "notebook"}, "rf", "roc_auc", 0.99}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		params, rows, err := ReadMetrics(bytes.NewReader(b), int64(len(b)), "fuzz.parquet")
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r.Params) != len(params) {
				t.Fatalf("row with %d parameters, table has %d", len(r.Params), len(params))
			}
		}
	})
}

func BenchmarkWriteMetrics10k(b *testing.B) {
	params := []ParamColumn{{"anomaly_rate", ParamFloat}, {"flows", ParamInt}}
	rows := make([]Metric, 10_000)
	for i := range rows {
		rows[i] = Metric{"e", "t", int64(i), []string{"0.05", "10000"}, "rf", "roc_auc", float64(i)}
	}
	for b.Loop() {
		if err := WriteMetrics(io.Discard, params, rows); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWriteCurves(t *testing.T) {
	params := []ParamColumn{{"anomaly_rate", ParamFloat}}
	key := Key{"sweep", "anomaly_rate=0.05/seed=1", 1, []string{"0.05"}}
	points := []CurvePoint{
		{key, "rf", "roc", math.Inf(1), 0, 0},
		{key, "rf", "roc", 0.9, 0.01, 0.97},
		{key, "rf", "pr", 0.9, 0.97, 0.99},
	}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, params, points); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Experiment  string  `parquet:"experiment"`
		Trial       string  `parquet:"trial"`
		Seed        int64   `parquet:"seed"`
		AnomalyRate float64 `parquet:"anomaly_rate"`
		Model       string  `parquet:"model"`
		Curve       string  `parquet:"curve"`
		Threshold   float64 `parquet:"threshold"`
		X           float64 `parquet:"x"`
		Y           float64 `parquet:"y"`
	}
	got, err := parquet.Read[row](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var want []row
	for _, p := range points {
		want = append(want, row{p.Experiment, p.Trial, p.Seed, 0.05, p.Model, p.Curve, p.Threshold, p.X, p.Y})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("curves mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteMetricsCSV(t *testing.T) {
	params := []ParamColumn{{"flows", ParamInt}, {"seed", ParamString}}
	tenth := 0.1
	rows := []Metric{
		{"e", "flows=10/seed=1", 1, []string{"10", "x"}, "rf", "roc_auc", tenth + 0.2}, // not a constant: 0.30000000000000004
		{"e", "flows=10/seed=1", 1, []string{"10", "x"}, "db", "silhouette", math.NaN()},
	}
	var buf bytes.Buffer
	if err := WriteMetricsCSV(&buf, params, rows); err != nil {
		t.Fatal(err)
	}
	// The same columns as metrics.parquet (the clashing parameter renamed),
	// floats that round-trip exactly.
	want := "experiment,trial,seed,flows,param_seed,model,metric,value\n" +
		"e,flows=10/seed=1,1,10,x,rf,roc_auc,0.30000000000000004\n" +
		"e,flows=10/seed=1,1,10,x,db,silhouette,NaN\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("metrics.csv mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteAggregates(t *testing.T) {
	params := []ParamColumn{{"difficulty", ParamFloat}, {"n", ParamString}}
	rows := []Aggregate{
		{"e", []string{"0.5", "x"}, "rf", "detection_rate", 3, 0.97, 0.01, 0.96, 0.98, 0.945, 0.995},
		{"e", []string{"1", "y"}, "rf", "detection_rate", 1, 0.5, math.NaN(), 0.5, 0.5, math.NaN(), math.NaN()},
	}
	var buf bytes.Buffer
	if err := WriteAggregates(&buf, params, rows); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Experiment string  `parquet:"experiment"`
		Difficulty float64 `parquet:"difficulty"`
		N          string  `parquet:"param_n"` // renamed: n is a fixed column
		Model      string  `parquet:"model"`
		Metric     string  `parquet:"metric"`
		Count      int64   `parquet:"n"`
		Mean       float64 `parquet:"mean"`
		SD         float64 `parquet:"sd"`
		Min        float64 `parquet:"min"`
		Max        float64 `parquet:"max"`
		Lo         float64 `parquet:"ci_low"`
		Hi         float64 `parquet:"ci_high"`
	}
	got, err := parquet.Read[row](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"e", 0.5, "x", "rf", "detection_rate", 3, 0.97, 0.01, 0.96, 0.98, 0.945, 0.995},
		{"e", 1, "y", "rf", "detection_rate", 1, 0.5, math.NaN(), 0.5, 0.5, math.NaN(), math.NaN()},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("aggregate mismatch (-want +got):\n%s", diff)
	}
	var csvBuf bytes.Buffer
	if err := WriteAggregatesCSV(&csvBuf, params, rows); err != nil {
		t.Fatal(err)
	}
	wantCSV := "experiment,difficulty,param_n,model,metric,n,mean,sd,min,max,ci_low,ci_high\n" +
		"e,0.5,x,rf,detection_rate,3,0.97,0.01,0.96,0.98,0.945,0.995\n" +
		"e,1,y,rf,detection_rate,1,0.5,NaN,0.5,0.5,NaN,NaN\n"
	if diff := cmp.Diff(wantCSV, csvBuf.String()); diff != "" {
		t.Errorf("aggregate.csv mismatch (-want +got):\n%s", diff)
	}
}
