package datasets

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// TablesVersion identifies the layout of the result tables (predictions,
// metrics, importances). It is stored in each file's key-value metadata
// under "segharness.table".
const TablesVersion = "1"

// Prediction is one model's output for one flow: a row of
// predictions.parquet. Detectors and the attack-type model predict the test
// flows; clustering labels every flow.
type Prediction struct {
	Model  string `parquet:"model,dict"`
	FlowID int64  `parquet:"flow_id"` // row index in dataset.parquet
	Split  string `parquet:"split,dict"`
	// Score is the model's score for its positive decision: the probability
	// of an anomaly (random forest detector), the anomaly score 2^(-E/c) in
	// (0, 1] (isolation forest; equal to -score_samples), the probability of
	// the predicted class (attack typing). Null for clustering.
	Score *float64 `parquet:"score,optional"`
	// Predicted is the label the model gives: anomaly or normal (detectors),
	// an anomaly type (attack typing), a cluster number or -1 for noise
	// (clustering).
	Predicted string `parquet:"predicted,dict"`
	// Actual is the true label in the same vocabulary; null for clustering.
	Actual      *string `parquet:"actual,optional,dict"`
	AnomalyType string  `parquet:"anomaly_type,dict"`
}

// Labels of detector predictions.
const (
	LabelAnomaly = "anomaly"
	LabelNormal  = "normal"
)

// Importance is a feature's importance to a model: a row of
// importances.parquet.
type Importance struct {
	Model      string  `parquet:"model,dict"`
	Feature    string  `parquet:"feature,dict"`
	Importance float64 `parquet:"importance"`
	Rank       int64   `parquet:"rank"` // 1 for the most important; ties keep column order
}

// WritePredictions writes rows as predictions.parquet.
func WritePredictions(w io.Writer, rows []Prediction) error {
	return writeTable(w, "predictions", rows)
}

// WriteImportances writes rows as importances.parquet.
func WriteImportances(w io.Writer, rows []Importance) error {
	return writeTable(w, "importances", rows)
}

// writeTable writes rows of a struct type in batches.
func writeTable[T any](w io.Writer, table string, rows []T) error {
	pw := parquet.NewGenericWriter[T](w, tableOptions(table)...)
	for start := 0; start < len(rows); start += batchRows {
		if _, err := pw.Write(rows[start:min(len(rows), start+batchRows)]); err != nil {
			return fmt.Errorf("datasets: writing %s: %w", table, err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("datasets: writing %s: %w", table, err)
	}
	return nil
}

func tableOptions(table string) []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.CreatedBy("segharness", TablesVersion+" ", table),
		parquet.KeyValueMetadata("segharness.table", table+"/"+TablesVersion),
	}
}

// ParamKind is the column type of a swept parameter in the metrics table.
type ParamKind int

// Parameter column types.
const (
	ParamString ParamKind = iota
	ParamInt              // INT64
	ParamFloat            // DOUBLE
)

// ParamColumn is one swept parameter's column in the metrics table.
type ParamColumn struct {
	Name string
	Kind ParamKind
}

// InferParamKind returns the narrowest kind that holds every value: INT64
// when all parse as integers, DOUBLE when all parse as numbers, else string.
func InferParamKind(values []string) ParamKind {
	kind := ParamInt
	for _, v := range values {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			continue
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			kind = ParamFloat
			continue
		}
		return ParamString
	}
	return kind
}

// Key identifies the trial a row of a keyed table (metrics, curves)
// belongs to.
type Key struct {
	Experiment string
	Trial      string
	Seed       int64
	Params     []string // one value per parameter column, canonical text
}

// Metric is one measured figure of one model in one trial: a row of the
// tidy metrics table.
type Metric struct {
	Experiment string
	Trial      string
	Seed       int64
	Params     []string // one value per parameter column, canonical text
	Model      string
	Metric     string
	Value      float64
}

// Key returns the row's trial key.
func (m *Metric) Key() Key { return Key{m.Experiment, m.Trial, m.Seed, m.Params} }

// CurvePoint is one point of a model's curve in one trial: a row of
// curves.parquet. For curve "roc", X is the false-positive rate and Y the
// true-positive rate; for "pr", X is recall and Y precision. Threshold is
// the score at or above which flows are flagged (+Inf for the ROC curve's
// first point).
type CurvePoint struct {
	Key
	Model     string
	Curve     string
	Threshold float64
	X, Y      float64
}

// keyFixed are the key columns before the parameters.
var keyFixed = []string{"experiment", "trial", "seed"}

// metricsFixed are the metrics table's own columns; a parameter column may
// not take one of these names.
var metricsFixed = []string{"experiment", "trial", "seed", "model", "metric", "value"}

// curvesFixed are the curves table's own columns.
var curvesFixed = []string{"experiment", "trial", "seed", "model", "curve", "threshold", "x", "y"}

// paramNames returns the parameter columns' names: a parameter named like a
// fixed column of the table is prefixed "param_".
func paramNames(params []ParamColumn, fixed []string) []string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
		if slices.Contains(fixed, p.Name) {
			names[i] = "param_" + p.Name
		}
	}
	return names
}

// MetricsColumns returns the metrics table's column names for params:
// experiment, trial, seed, one column per parameter, model, metric, value.
// A parameter whose name is taken by a fixed column is prefixed "param_".
func MetricsColumns(params []ParamColumn) []string {
	return slices.Concat(keyFixed, paramNames(params, metricsFixed), metricsFixed[3:])
}

// keyedTable writes rows that start with a trial key and a column per swept
// parameter: the schema is only known at run time, so the row type is built
// with reflection.
type keyedTable struct {
	table  string
	lead   int // key columns before the parameters: 3 (experiment, trial, seed) or 1 (experiment)
	params []ParamColumn
	pw     interface {
		Write(row any) error
		Close() error
	}
	row reflect.Value
}

// newKeyedTable starts a table whose columns are the key (experiment, and
// trial and seed when perTrial), the parameters (named with fixed's rule),
// then the given trailing columns (names and Go types: string, int64 or
// float64).
func newKeyedTable(w io.Writer, table string, perTrial bool, params []ParamColumn, fixed []string, tail []string, tailTypes []reflect.Type) *keyedTable {
	var fields []reflect.StructField
	add := func(name string, t reflect.Type) {
		tag := name
		if t.Kind() == reflect.String {
			tag += ",dict"
		}
		fields = append(fields, reflect.StructField{Name: "F" + strconv.Itoa(len(fields)), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)})
	}
	str, i64, f64 := reflect.TypeFor[string](), reflect.TypeFor[int64](), reflect.TypeFor[float64]()
	add("experiment", str)
	if perTrial {
		add("trial", str)
		add("seed", i64)
	}
	lead := len(fields)
	for i, name := range paramNames(params, fixed) {
		switch params[i].Kind {
		case ParamInt:
			add(name, i64)
		case ParamFloat:
			add(name, f64)
		default:
			add(name, str)
		}
	}
	for i, name := range tail {
		add(name, tailTypes[i])
	}
	rowType := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(rowType).Interface())
	return &keyedTable{
		table:  table,
		lead:   lead,
		params: params,
		pw:     parquet.NewWriter(w, append(tableOptions(table), schema)...),
		row:    reflect.New(rowType).Elem(),
	}
}

// setKey fills the key and parameter columns of the current row; r is the
// row's index, for messages.
func (t *keyedTable) setKey(r int, k Key) error {
	if len(k.Params) != len(t.params) {
		return fmt.Errorf("datasets: %s row %d has %d parameter values, the table %d columns", t.table, r, len(k.Params), len(t.params))
	}
	t.row.Field(0).SetString(k.Experiment)
	if t.lead == 3 {
		t.row.Field(1).SetString(k.Trial)
		t.row.Field(2).SetInt(k.Seed)
	}
	for j, p := range t.params {
		v := k.Params[j]
		f := t.row.Field(t.lead + j)
		switch p.Kind {
		case ParamInt:
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("datasets: %s row %d: parameter %s: %w", t.table, r, p.Name, err)
			}
			f.SetInt(x)
		case ParamFloat:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("datasets: %s row %d: parameter %s: %w", t.table, r, p.Name, err)
			}
			f.SetFloat(x)
		default:
			f.SetString(v)
		}
	}
	return nil
}

// tail returns the i-th column after the parameters.
func (t *keyedTable) tail(i int) reflect.Value { return t.row.Field(t.lead + len(t.params) + i) }

func (t *keyedTable) write() error {
	if err := t.pw.Write(t.row.Addr().Interface()); err != nil {
		return fmt.Errorf("datasets: writing %s: %w", t.table, err)
	}
	return nil
}

func (t *keyedTable) close() error {
	if err := t.pw.Close(); err != nil {
		return fmt.Errorf("datasets: writing %s: %w", t.table, err)
	}
	return nil
}

// WriteMetrics writes rows as the tidy metrics table: one row per (trial,
// model, metric), with a column per swept parameter typed by its kind. A
// parameter value that does not parse as its column's kind is an error.
func WriteMetrics(w io.Writer, params []ParamColumn, rows []Metric) error {
	str, f64 := reflect.TypeFor[string](), reflect.TypeFor[float64]()
	t := newKeyedTable(w, "metrics", true, params, metricsFixed, metricsFixed[3:], []reflect.Type{str, str, f64})
	for r := range rows {
		m := &rows[r]
		if err := t.setKey(r, m.Key()); err != nil {
			return err
		}
		t.tail(0).SetString(m.Model)
		t.tail(1).SetString(m.Metric)
		t.tail(2).SetFloat(m.Value)
		if err := t.write(); err != nil {
			return err
		}
	}
	return t.close()
}

// WriteCurves writes points as curves.parquet: experiment, trial, seed, a
// column per swept parameter, model, curve, threshold, x, y.
func WriteCurves(w io.Writer, params []ParamColumn, points []CurvePoint) error {
	str, f64 := reflect.TypeFor[string](), reflect.TypeFor[float64]()
	t := newKeyedTable(w, "curves", true, params, curvesFixed, curvesFixed[3:], []reflect.Type{str, str, f64, f64, f64})
	for r := range points {
		p := &points[r]
		if err := t.setKey(r, p.Key); err != nil {
			return err
		}
		t.tail(0).SetString(p.Model)
		t.tail(1).SetString(p.Curve)
		t.tail(2).SetFloat(p.Threshold)
		t.tail(3).SetFloat(p.X)
		t.tail(4).SetFloat(p.Y)
		if err := t.write(); err != nil {
			return err
		}
	}
	return t.close()
}

// Aggregate summarises one metric of one model at one sweep point over the
// point's seeds: a row of aggregate.parquet. Lo and Hi bound a two-sided
// confidence interval of the mean (Student t with N-1 degrees of freedom;
// NaN with one seed).
type Aggregate struct {
	Experiment string
	Params     []string
	Model      string
	Metric     string
	N          int64
	Mean, SD   float64
	Min, Max   float64
	Lo, Hi     float64
}

// aggregateFixed are the aggregate table's own columns.
var aggregateFixed = []string{"experiment", "model", "metric", "n", "mean", "sd", "min", "max", "ci_low", "ci_high"}

// AggregateColumns returns the aggregate table's column names.
func AggregateColumns(params []ParamColumn) []string {
	return slices.Concat(aggregateFixed[:1], paramNames(params, aggregateFixed), aggregateFixed[1:])
}

// WriteAggregates writes rows as aggregate.parquet: experiment, a column
// per swept parameter, model, metric, n, mean, sd, min, max, ci_low,
// ci_high.
func WriteAggregates(w io.Writer, params []ParamColumn, rows []Aggregate) error {
	str, i64, f64 := reflect.TypeFor[string](), reflect.TypeFor[int64](), reflect.TypeFor[float64]()
	t := newKeyedTable(w, "aggregate", false, params, aggregateFixed, aggregateFixed[1:],
		[]reflect.Type{str, str, i64, f64, f64, f64, f64, f64, f64})
	for r := range rows {
		a := &rows[r]
		if err := t.setKey(r, Key{Experiment: a.Experiment, Params: a.Params}); err != nil {
			return err
		}
		t.tail(0).SetString(a.Model)
		t.tail(1).SetString(a.Metric)
		t.tail(2).SetInt(a.N)
		for i, v := range []float64{a.Mean, a.SD, a.Min, a.Max, a.Lo, a.Hi} {
			t.tail(3 + i).SetFloat(v)
		}
		if err := t.write(); err != nil {
			return err
		}
	}
	return t.close()
}

// WriteAggregatesCSV writes the same rows and columns as WriteAggregates
// as CSV with a header (NaN as "NaN").
func WriteAggregatesCSV(w io.Writer, params []ParamColumn, rows []Aggregate) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(AggregateColumns(params)); err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for r, a := range rows {
		if len(a.Params) != len(params) {
			return fmt.Errorf("datasets: aggregate row %d has %d parameter values, the table %d columns", r, len(a.Params), len(params))
		}
		record := slices.Concat([]string{a.Experiment}, a.Params, []string{a.Model, a.Metric, strconv.FormatInt(a.N, 10),
			num(a.Mean), num(a.SD), num(a.Min), num(a.Max), num(a.Lo), num(a.Hi)})
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMetricsCSV writes the same rows and columns as WriteMetrics as CSV
// with a header: numbers in Go's shortest round-trip form, NaN as "NaN".
func WriteMetricsCSV(w io.Writer, params []ParamColumn, rows []Metric) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(MetricsColumns(params)); err != nil {
		return err
	}
	record := make([]string, 0, 6+len(params))
	for r, m := range rows {
		if len(m.Params) != len(params) {
			return fmt.Errorf("datasets: metrics row %d has %d parameter values, the table %d columns", r, len(m.Params), len(params))
		}
		record = append(record[:0], m.Experiment, m.Trial, strconv.FormatInt(m.Seed, 10))
		record = append(record, m.Params...)
		record = append(record, m.Model, m.Metric, strconv.FormatFloat(m.Value, 'g', -1, 64))
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadMetrics reads a metrics table written by WriteMetrics. name is used in
// error messages.
func ReadMetrics(r io.ReaderAt, size int64, name string) (params []ParamColumn, rows []Metric, err error) {
	defer containPanic(name, &err)
	file, err := openFile(r, size, name)
	if err != nil {
		return nil, nil, err
	}
	fields := file.Schema().Fields()
	if len(fields) < len(metricsFixed) {
		return nil, nil, fmt.Errorf("%s: not a metrics table: %d columns", name, len(fields))
	}
	np := len(fields) - len(metricsFixed)
	want := func(i int, col string, kind parquet.Kind) error {
		f := fields[i]
		if f.Name() != col || f.Type().Kind() != kind || !f.Leaf() {
			return fmt.Errorf("%s: not a metrics table: column %d is %s %v, want %s %v", name, i, f.Name(), f.Type().Kind(), col, kind)
		}
		return nil
	}
	for _, c := range []struct {
		at   int
		name string
		kind parquet.Kind
	}{
		{0, "experiment", parquet.ByteArray}, {1, "trial", parquet.ByteArray}, {2, "seed", parquet.Int64},
		{3 + np, "model", parquet.ByteArray}, {4 + np, "metric", parquet.ByteArray}, {5 + np, "value", parquet.Double},
	} {
		if err := want(c.at, c.name, c.kind); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range fields[3 : 3+np] {
		p := ParamColumn{Name: f.Name()}
		switch f.Type().Kind() {
		case parquet.Int64:
			p.Kind = ParamInt
		case parquet.Double:
			p.Kind = ParamFloat
		case parquet.ByteArray:
			p.Kind = ParamString
		default:
			return nil, nil, fmt.Errorf("%s: parameter column %s has type %v", name, f.Name(), f.Type().Kind())
		}
		params = append(params, p)
	}
	n := file.NumRows()
	rows = make([]Metric, 0, preallocRows(n, size))
	reader := parquet.NewReader(file)
	defer reader.Close()
	buf := make([]parquet.Row, 256)
	for {
		k, err := reader.ReadRows(buf)
		for _, row := range buf[:k] {
			if len(row) != len(fields) {
				return nil, nil, fmt.Errorf("%s: row of %d values, want %d", name, len(row), len(fields))
			}
			m := Metric{
				Experiment: row[0].String(), Trial: row[1].String(), Seed: row[2].Int64(),
				Model: row[3+np].String(), Metric: row[4+np].String(), Value: row[5+np].Double(),
			}
			for j, p := range params {
				v := row[3+j]
				switch p.Kind {
				case ParamInt:
					m.Params = append(m.Params, strconv.FormatInt(v.Int64(), 10))
				case ParamFloat:
					m.Params = append(m.Params, strconv.FormatFloat(v.Double(), 'g', -1, 64))
				default:
					m.Params = append(m.Params, v.String())
				}
			}
			rows = append(rows, m)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if int64(len(rows)) != n {
		return nil, nil, fmt.Errorf("%s: read %d rows, the footer says %d", name, len(rows), n)
	}
	return params, rows, nil
}
