package rundir

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/flow"
)

// testCurves returns curve points over three parameters, one named like a
// fixed column ("model"), with more rows than one read batch.
func testCurves() ([]ParamColumn, []CurvePoint) {
	params := []ParamColumn{{"anomaly_rate", ParamFloat}, {"flows", ParamInt}, {"model", ParamString}}
	var points []CurvePoint
	for i := range 1000 {
		key := Key{"sweep", fmt.Sprintf("t%d/seed=%d", i/100, i%7), int64(i % 7), []string{"0.05", strconv.Itoa(10000 + i/100), "notebook"}}
		threshold := 1 - float64(i%100)/100
		if i%100 == 0 {
			threshold = math.Inf(1)
		}
		points = append(points, CurvePoint{key, "rf", []string{"roc", "pr"}[i%2], threshold, float64(i%100) / 100, 0.5 + float64(i%50)/100})
	}
	return params, points
}

func TestCurvesRoundTrip(t *testing.T) {
	params, points := testCurves()
	var buf bytes.Buffer
	if err := WriteCurves(&buf, params, points); err != nil {
		t.Fatal(err)
	}
	gotParams, got, err := ReadCurves(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "curves.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(params, gotParams); diff != "" {
		t.Errorf("parameter columns mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(points, got); diff != "" {
		t.Errorf("points mismatch (-want +got):\n%s", diff)
	}
	var again bytes.Buffer
	if err := WriteCurves(&again, gotParams, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("WriteCurves(ReadCurves(f)) differs from f")
	}
}

func testAggregates() ([]ParamColumn, []Aggregate) {
	params := []ParamColumn{{"difficulty", ParamFloat}, {"n", ParamString}, {"model", ParamString}, {"flows", ParamInt}}
	return params, []Aggregate{
		{"e", []string{"0.5", "x", "rf", "10000"}, "rf", "detection_rate", 3, 0.97, 0.01, 0.96, 0.98, 0.945, 0.995},
		{"e", []string{"1", "y", "iso", "-3"}, "iso", "roc_auc", 1, 0.5, math.NaN(), 0.5, 0.5, math.NaN(), math.NaN()},
		{"f", []string{"1e-07", "", "", "0"}, "db", "silhouette", 0, math.NaN(), math.NaN(), math.Inf(1), math.Inf(-1), math.NaN(), math.NaN()},
	}
}

func TestAggregatesRoundTrip(t *testing.T) {
	params, rows := testAggregates()
	var buf bytes.Buffer
	if err := WriteAggregates(&buf, params, rows); err != nil {
		t.Fatal(err)
	}
	gotParams, got, err := ReadAggregates(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "aggregate.parquet")
	if err != nil {
		t.Fatal(err)
	}
	// n and model are written param_n and param_model; they read back
	// under their own names.
	if diff := cmp.Diff(params, gotParams); diff != "" {
		t.Errorf("parameter columns mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rows, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	var again bytes.Buffer
	if err := WriteAggregates(&again, gotParams, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("WriteAggregates(ReadAggregates(f)) differs from f")
	}
}

// testPredictions returns predictions over more rows than one read batch,
// with Score and Actual null on some rows and distinct on the others, so
// that rows sharing a pointer would show.
func testPredictions() []Prediction {
	var rows []Prediction
	for i := range 2*datasets.BatchRows + 10 {
		p := Prediction{Model: "rf", FlowID: int64(i), Split: "test", Predicted: flow.LabelNormal, AnomalyType: flow.Normal}
		switch i % 3 {
		case 0:
			score, actual := float64(i)/10000, fmt.Sprint("label", i)
			p.Score, p.Actual = &score, &actual
		case 1:
			score := -float64(i)
			p.Model, p.Score, p.Predicted, p.AnomalyType = "iso", &score, flow.LabelAnomaly, flow.CryptoMining
		default:
			p.Model, p.Split, p.Predicted = "kmeans", "train", strconv.Itoa(i%5-1)
		}
		rows = append(rows, p)
	}
	return rows
}

func TestReadPredictions(t *testing.T) {
	rows := testPredictions()
	var buf bytes.Buffer
	if err := WritePredictions(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPredictions(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "predictions.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("predictions mismatch (-want +got):\n%s", diff)
	}
}

func TestReadImportances(t *testing.T) {
	rows := []Importance{
		{"rf", "cpu_usage", 0.5, 1},
		{"rf", "bytes_sent", 0.25, 2},
		{"attack_type", "hour", math.Inf(1), 1},
		{"attack_type", "ports_contacted", 0, 2},
	}
	var buf bytes.Buffer
	if err := WriteImportances(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadImportances(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "importances.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("importances mismatch (-want +got):\n%s", diff)
	}
}

// TestReadTablesZeroRows: a table without rows keeps its parameter columns.
func TestReadTablesZeroRows(t *testing.T) {
	params := []ParamColumn{{"flows", ParamInt}, {"model", ParamString}}
	write := func(fn func(*bytes.Buffer) error) *bytes.Reader {
		t.Helper()
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(buf.Bytes())
	}
	check := func(table string, wantParams, gotParams []ParamColumn, n int, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", table, err)
			return
		}
		if diff := cmp.Diff(wantParams, gotParams, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: parameter columns mismatch (-want +got):\n%s", table, diff)
		}
		if n != 0 {
			t.Errorf("%s: %d rows, want 0", table, n)
		}
	}

	r := write(func(b *bytes.Buffer) error { return WriteMetrics(b, params, nil) })
	gotParams, metrics, err := ReadMetrics(r, r.Size(), "metrics.parquet")
	check("metrics", params, gotParams, len(metrics), err)
	r = write(func(b *bytes.Buffer) error { return WriteCurves(b, params, nil) })
	gotParams, points, err := ReadCurves(r, r.Size(), "curves.parquet")
	check("curves", params, gotParams, len(points), err)
	r = write(func(b *bytes.Buffer) error { return WriteAggregates(b, params, nil) })
	gotParams, aggregates, err := ReadAggregates(r, r.Size(), "aggregate.parquet")
	check("aggregate", params, gotParams, len(aggregates), err)
	r = write(func(b *bytes.Buffer) error { return WritePredictions(b, nil) })
	predictions, err := ReadPredictions(r, r.Size(), "predictions.parquet")
	check("predictions", nil, nil, len(predictions), err)
	r = write(func(b *bytes.Buffer) error { return WriteImportances(b, nil) })
	importances, err := ReadImportances(r, r.Size(), "importances.parquet")
	check("importances", nil, nil, len(importances), err)

	// And without parameters.
	r = write(func(b *bytes.Buffer) error { return WriteCurves(b, nil, nil) })
	gotParams, points, err = ReadCurves(r, r.Size(), "curves.parquet")
	if err != nil || len(gotParams) != 0 || len(points) != 0 {
		t.Errorf("ReadCurves(no parameters, no rows) = %v, %v, %v", gotParams, points, err)
	}
}

// testTables returns one valid file of each result table.
func testTables(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	write := func(table string, fn func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatal(err)
		}
		files[table] = buf.Bytes()
	}
	metricParams := []ParamColumn{{"anomaly_rate", ParamFloat}, {"generator", ParamString}}
	write("metrics", func(b *bytes.Buffer) error {
		return WriteMetrics(b, metricParams, []Metric{{"e", "t/seed=1", 1, []string{"0.05", "notebook"}, "rf", "roc_auc", 0.99}})
	})
	write("curves", func(b *bytes.Buffer) error {
		params, points := testCurves()
		return WriteCurves(b, params, points[:3])
	})
	write("aggregate", func(b *bytes.Buffer) error {
		params, rows := testAggregates()
		return WriteAggregates(b, params, rows)
	})
	write("predictions", func(b *bytes.Buffer) error { return WritePredictions(b, testPredictions()[:3]) })
	write("importances", func(b *bytes.Buffer) error {
		return WriteImportances(b, []Importance{{"rf", "cpu_usage", 0.5, 1}})
	})
	return files
}

// readers read each table, discarding the rows.
var readers = map[string]func(r *bytes.Reader, name string) error{
	"metrics": func(r *bytes.Reader, name string) error {
		_, _, err := ReadMetrics(r, r.Size(), name)
		return err
	},
	"curves": func(r *bytes.Reader, name string) error {
		_, _, err := ReadCurves(r, r.Size(), name)
		return err
	},
	"aggregate": func(r *bytes.Reader, name string) error {
		_, _, err := ReadAggregates(r, r.Size(), name)
		return err
	},
	"predictions": func(r *bytes.Reader, name string) error {
		_, err := ReadPredictions(r, r.Size(), name)
		return err
	},
	"importances": func(r *bytes.Reader, name string) error {
		_, err := ReadImportances(r, r.Size(), name)
		return err
	},
}

func TestReadTablesRejectWrongFiles(t *testing.T) {
	files := testTables(t)
	// Every reader reads its own table and refuses every other.
	for table, read := range readers {
		for other, b := range files {
			err := read(bytes.NewReader(b), other+".parquet")
			switch {
			case other == table && err != nil:
				t.Errorf("reading %s as %s: %v", other, table, err)
			case other != table && (err == nil || !strings.HasPrefix(err.Error(), other+".parquet: not ")):
				t.Errorf("reading %s as %s: %v, want a not-a-%s-table error", other, table, err, table)
			}
		}
	}
	for _, tc := range []struct {
		name, table, file, want string
	}{
		{"metrics as curves", "curves", "metrics",
			`metrics.parquet: not a curves table: column 3 is anomaly_rate DOUBLE, want model BYTE_ARRAY`},
		{"predictions as importances", "importances", "predictions",
			`predictions.parquet: not an importances table: column 1 is flow_id INT64, want feature BYTE_ARRAY`},
		{"importances as predictions", "predictions", "importances",
			`importances.parquet: not a predictions table: column 1 is feature BYTE_ARRAY, want flow_id INT64`},
		{"aggregate as metrics", "metrics", "aggregate",
			`aggregate.parquet: not a metrics table: column 1 is difficulty DOUBLE, want trial BYTE_ARRAY`},
		{"curves as aggregate", "aggregate", "curves",
			`curves.parquet: not an aggregate table: column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readers[tc.table](bytes.NewReader(files[tc.file]), tc.file+".parquet")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestReadTablesRejectTruncated(t *testing.T) {
	for table, b := range testTables(t) {
		for _, n := range []int{0, 4, 12, len(b) / 2, len(b) - 9, len(b) - 1} {
			err := readers[table](bytes.NewReader(b[:n]), "cut.parquet")
			if err == nil || !strings.HasPrefix(err.Error(), "cut.parquet: ") {
				t.Errorf("%s cut to %d of %d bytes: %v, want an error naming the file", table, n, len(b), err)
			}
		}
	}
}

// writeStructs writes rows of an arbitrary struct type, to make files close
// to but not quite a result table.
func writeStructs[T any](t *testing.T, rows []T) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func TestReadTablesRejectNearMisses(t *testing.T) {
	t.Run("score not optional", func(t *testing.T) {
		type prediction struct {
			Model       string  `parquet:"model"`
			FlowID      int64   `parquet:"flow_id"`
			Split       string  `parquet:"split"`
			Score       float64 `parquet:"score"`
			Predicted   string  `parquet:"predicted"`
			Actual      *string `parquet:"actual,optional"`
			AnomalyType string  `parquet:"anomaly_type"`
		}
		r := writeStructs(t, []prediction{{Model: "rf", Score: 0.5}})
		_, err := ReadPredictions(r, r.Size(), "p.parquet")
		want := "p.parquet: not a predictions table: column 3 is score DOUBLE, want optional score DOUBLE"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
	t.Run("extra column", func(t *testing.T) {
		type importance struct {
			Model      string  `parquet:"model"`
			Feature    string  `parquet:"feature"`
			Importance float64 `parquet:"importance"`
			Rank       int64   `parquet:"rank"`
			Extra      int64   `parquet:"extra"`
		}
		r := writeStructs(t, []importance{{Model: "rf"}})
		_, err := ReadImportances(r, r.Size(), "i.parquet")
		want := "i.parquet: not an importances table: unexpected column 4, extra INT64"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
	t.Run("missing column", func(t *testing.T) {
		type importance struct {
			Model      string  `parquet:"model"`
			Feature    string  `parquet:"feature"`
			Importance float64 `parquet:"importance"`
		}
		r := writeStructs(t, []importance{{Model: "rf"}})
		_, err := ReadImportances(r, r.Size(), "i.parquet")
		want := "i.parquet: not an importances table: missing column 3, rank"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
	// Parameter columns that WriteMetrics would not write. parquet-go
	// refuses to write two columns of the same name, so those files are
	// written with a placeholder name, then renamed in place.
	type metric struct {
		Experiment string  `parquet:"experiment"`
		Trial      string  `parquet:"trial"`
		Seed       int64   `parquet:"seed"`
		P1         string  `parquet:"flows"`
		P2         string  `parquet:"modeX"`
		Model      string  `parquet:"model"`
		Metric     string  `parquet:"metric"`
		Value      float64 `parquet:"value"`
	}
	rename := func(r *bytes.Reader, old, new string) *bytes.Reader {
		b := make([]byte, r.Size())
		if _, err := r.ReadAt(b, 0); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(bytes.ReplaceAll(b, []byte(old), []byte(new)))
	}
	for _, tc := range []struct {
		name string
		r    func(t *testing.T) *bytes.Reader
		want string
	}{
		{"unprefixed", func(t *testing.T) *bytes.Reader {
			return rename(writeStructs(t, []metric{{}}), "modeX", "model")
		}, "m.parquet: not a metrics table: column 4: parameter column model is named like a column of the table"},
		{"duplicate", func(t *testing.T) *bytes.Reader {
			return rename(writeStructs(t, []metric{{}}), "modeX", "flows")
		}, "m.parquet: not a metrics table: column 4: parameter flows appears twice"},
		{"int32", func(t *testing.T) *bytes.Reader {
			type row struct {
				Experiment string  `parquet:"experiment"`
				Trial      string  `parquet:"trial"`
				Seed       int64   `parquet:"seed"`
				Flows      int32   `parquet:"flows"`
				Model      string  `parquet:"model"`
				Metric     string  `parquet:"metric"`
				Value      float64 `parquet:"value"`
			}
			return writeStructs(t, []row{{}})
		}, "m.parquet: not a metrics table: column 3: parameter column flows has type INT32"},
		{"optional", func(t *testing.T) *bytes.Reader {
			type row struct {
				Experiment string   `parquet:"experiment"`
				Trial      string   `parquet:"trial"`
				Seed       int64    `parquet:"seed"`
				Rate       *float64 `parquet:"rate,optional"`
				Model      string   `parquet:"model"`
				Metric     string   `parquet:"metric"`
				Value      float64  `parquet:"value"`
			}
			return writeStructs(t, []row{{}})
		}, "m.parquet: not a metrics table: column 3: parameter column rate is optional rate DOUBLE"},
		{"value optional", func(t *testing.T) *bytes.Reader {
			type row struct {
				Experiment string   `parquet:"experiment"`
				Trial      string   `parquet:"trial"`
				Seed       int64    `parquet:"seed"`
				Model      string   `parquet:"model"`
				Metric     string   `parquet:"metric"`
				Value      *float64 `parquet:"value,optional"`
			}
			return writeStructs(t, []row{{}})
		}, "m.parquet: not a metrics table: column 5 is optional value DOUBLE, want value DOUBLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r(t)
			_, _, err := ReadMetrics(r, r.Size(), "m.parquet")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestReadTableFile(t *testing.T) {
	rows := testPredictions()[:5]
	var buf bytes.Buffer
	if err := WritePredictions(&buf, rows); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "predictions.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTableFile(path, ReadPredictions)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("predictions mismatch (-want +got):\n%s", diff)
	}
	// Errors name the path, whether opening or reading fails.
	if _, err := ReadTableFile(path, ReadImportances); err == nil || !strings.HasPrefix(err.Error(), path+": not an importances table") {
		t.Errorf("ReadTableFile(predictions, ReadImportances) = %v, want a not-an-importances-table error", err)
	}
	missing := filepath.Join(dir, "missing.parquet")
	if _, err := ReadTableFile(missing, ReadPredictions); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadTableFile(missing) = %v, want an error naming the path", err)
	}
}

// FuzzReadCurves: any bytes give points or an error, never a panic.
func FuzzReadCurves(f *testing.F) {
	files := testTables(f)
	f.Add(files["curves"])
	f.Add(files["metrics"])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		params, points, err := ReadCurves(bytes.NewReader(b), int64(len(b)), "fuzz.parquet")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.parquet: ") {
				t.Fatalf("error not naming the file: %v", err)
			}
			return
		}
		for _, p := range points {
			if len(p.Params) != len(params) {
				t.Fatalf("point with %d parameters, table has %d", len(p.Params), len(params))
			}
		}
	})
}

// FuzzReadAggregates: any bytes give rows or an error, never a panic.
func FuzzReadAggregates(f *testing.F) {
	files := testTables(f)
	f.Add(files["aggregate"])
	f.Add(files["metrics"])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		params, rows, err := ReadAggregates(bytes.NewReader(b), int64(len(b)), "fuzz.parquet")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.parquet: ") {
				t.Fatalf("error not naming the file: %v", err)
			}
			return
		}
		for _, r := range rows {
			if len(r.Params) != len(params) {
				t.Fatalf("row with %d parameters, table has %d", len(r.Params), len(params))
			}
		}
	})
}

// FuzzReadPredictions: any bytes give rows or an error, never a panic.
func FuzzReadPredictions(f *testing.F) {
	files := testTables(f)
	f.Add(files["predictions"])
	f.Add(files["importances"])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := ReadPredictions(bytes.NewReader(b), int64(len(b)), "fuzz.parquet")
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.parquet: ") {
			t.Fatalf("error not naming the file: %v", err)
		}
	})
}
