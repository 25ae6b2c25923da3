package rundir

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/fileio"
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
	return writeTable(w, "predictions", "Prediction", rows)
}

// WriteImportances writes rows as importances.parquet.
func WriteImportances(w io.Writer, rows []Importance) error {
	return writeTable(w, "importances", "Importance", rows)
}

// writeTable writes rows of a struct type in batches. schema names the
// file's root schema element, part of the table's format: the Go row
// type's name when the format was fixed, given here so that renaming or
// moving the type does not change the files.
func writeTable[T any](w io.Writer, table, schema string, rows []T) error {
	opts := append(tableOptions(table), parquet.NewSchema(schema, parquet.SchemaOf(new(T))))
	pw := parquet.NewGenericWriter[T](w, opts...)
	for start := 0; start < len(rows); start += datasets.BatchRows {
		if _, err := pw.Write(rows[start:min(len(rows), start+datasets.BatchRows)]); err != nil {
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
		parquet.MaxRowsPerRowGroup(datasets.RowGroupRows),
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

// keyedLayout is the shape of a keyed table (metrics, curves, aggregate):
// the key columns, a column per swept parameter, then the table's own
// trailing columns. The writer and the reader share it.
type keyedLayout struct {
	table     string
	perTrial  bool     // key is experiment, trial, seed; else experiment alone
	seedOnly  bool     // key is seed alone: a partition of a hive-style export, whose path holds the rest
	fixed     []string // key then trailing column names; a parameter named like one is prefixed "param_"
	tailTypes []reflect.Type
}

var (
	typeString  = reflect.TypeFor[string]()
	typeInt64   = reflect.TypeFor[int64]()
	typeFloat64 = reflect.TypeFor[float64]()

	// keyTypes are the Go types of keyFixed's columns.
	keyTypes = []reflect.Type{typeString, typeString, typeInt64}

	metricsLayout = keyedLayout{"metrics", true, false, metricsFixed,
		[]reflect.Type{typeString, typeString, typeFloat64}}
	// metricsPartitionLayout is the metrics table less experiment and
	// trial, for a hive-style partition.
	metricsPartitionLayout = keyedLayout{"metrics", false, true, metricsFixed[2:],
		[]reflect.Type{typeString, typeString, typeFloat64}}
	curvesLayout = keyedLayout{"curves", true, false, curvesFixed,
		[]reflect.Type{typeString, typeString, typeFloat64, typeFloat64, typeFloat64}}
	aggregateLayout = keyedLayout{"aggregate", false, false, aggregateFixed,
		[]reflect.Type{typeString, typeString, typeInt64, typeFloat64, typeFloat64, typeFloat64, typeFloat64, typeFloat64, typeFloat64}}
)

// lead returns the number of key columns before the parameters: 3
// (experiment, trial, seed) or 1 (experiment).
func (l *keyedLayout) lead() int {
	if l.perTrial {
		return 3
	}
	return 1
}

// keyType returns the Go type of the i-th key column.
func (l *keyedLayout) keyType(i int) reflect.Type {
	if l.seedOnly {
		return typeInt64
	}
	return keyTypes[i]
}

// fixedType returns the Go type of the i-th column of l.fixed.
func (l *keyedLayout) fixedType(i int) reflect.Type {
	if i < l.lead() {
		return l.keyType(i)
	}
	return l.tailTypes[i-l.lead()]
}

// keyedTable writes rows that start with a trial key and a column per swept
// parameter: the schema is only known at run time, so the row type is built
// with reflection.
type keyedTable struct {
	*keyedLayout
	params []ParamColumn
	pw     interface {
		Write(row any) error
		Close() error
	}
	row reflect.Value
}

// newKeyedTable starts a table with l's columns: the key, the parameters
// (named with l.fixed's rule), then the trailing columns (Go types string,
// int64 or float64).
func newKeyedTable(w io.Writer, l *keyedLayout, params []ParamColumn) *keyedTable {
	var fields []reflect.StructField
	add := func(name string, t reflect.Type) {
		tag := name
		if t.Kind() == reflect.String {
			tag += ",dict"
		}
		fields = append(fields, reflect.StructField{Name: "F" + strconv.Itoa(len(fields)), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)})
	}
	lead := l.lead()
	for i := range lead {
		add(l.fixed[i], l.keyType(i))
	}
	reserved := l.fixed
	if l.seedOnly {
		// experiment and trial are the partition's path columns.
		reserved = slices.Concat(keyFixed[:2], l.fixed)
	}
	for i, name := range paramNames(params, reserved) {
		add(name, paramType(params[i].Kind))
	}
	for i, t := range l.tailTypes {
		add(l.fixed[lead+i], t)
	}
	rowType := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(rowType).Interface())
	return &keyedTable{
		keyedLayout: l,
		params:      params,
		pw:          parquet.NewWriter(w, append(tableOptions(l.table), schema)...),
		row:         reflect.New(rowType).Elem(),
	}
}

// paramType returns the Go type of a parameter column of kind k.
func paramType(k ParamKind) reflect.Type {
	switch k {
	case ParamInt:
		return typeInt64
	case ParamFloat:
		return typeFloat64
	default:
		return typeString
	}
}

// setKey fills the key and parameter columns of the current row; r is the
// row's index, for messages.
func (t *keyedTable) setKey(r int, k Key) error {
	if len(k.Params) != len(t.params) {
		return fmt.Errorf("datasets: %s row %d has %d parameter values, the table %d columns", t.table, r, len(k.Params), len(t.params))
	}
	if t.seedOnly {
		t.row.Field(0).SetInt(k.Seed)
	} else {
		t.row.Field(0).SetString(k.Experiment)
	}
	if t.perTrial {
		t.row.Field(1).SetString(k.Trial)
		t.row.Field(2).SetInt(k.Seed)
	}
	for j, p := range t.params {
		v := k.Params[j]
		f := t.row.Field(t.lead() + j)
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
func (t *keyedTable) tail(i int) reflect.Value { return t.row.Field(t.lead() + len(t.params) + i) }

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

// WriteMetricsPartition writes one trial's rows of the metrics table as a
// partition of a hive-style export (.../experiment=E/trial=T/part.parquet):
// the metrics table's columns less experiment and trial, which the
// partition's path gives.
func WriteMetricsPartition(w io.Writer, params []ParamColumn, rows []Metric) error {
	return writeMetrics(w, &metricsPartitionLayout, params, rows)
}

// WriteMetrics writes rows as the tidy metrics table: one row per (trial,
// model, metric), with a column per swept parameter typed by its kind. A
// parameter value that does not parse as its column's kind is an error.
func WriteMetrics(w io.Writer, params []ParamColumn, rows []Metric) error {
	return writeMetrics(w, &metricsLayout, params, rows)
}

func writeMetrics(w io.Writer, l *keyedLayout, params []ParamColumn, rows []Metric) error {
	t := newKeyedTable(w, l, params)
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
	t := newKeyedTable(w, &curvesLayout, params)
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
	t := newKeyedTable(w, &aggregateLayout, params)
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
// error messages. A parameter column renamed "param_X" because X is a
// column of the table reads back as parameter X, so params writes the same
// columns again.
func ReadMetrics(r io.ReaderAt, size int64, name string) (params []ParamColumn, rows []Metric, err error) {
	return readKeyed(r, size, name, &metricsLayout, func(k Key, v []parquet.Value) Metric {
		return Metric{k.Experiment, k.Trial, k.Seed, k.Params, v[0].String(), v[1].String(), v[2].Double()}
	})
}

// ReadCurves reads curves.parquet as written by WriteCurves. name is used in
// error messages; parameters read back as in ReadMetrics.
func ReadCurves(r io.ReaderAt, size int64, name string) (params []ParamColumn, points []CurvePoint, err error) {
	return readKeyed(r, size, name, &curvesLayout, func(k Key, v []parquet.Value) CurvePoint {
		return CurvePoint{k, v[0].String(), v[1].String(), v[2].Double(), v[3].Double(), v[4].Double()}
	})
}

// ReadAggregates reads aggregate.parquet as written by WriteAggregates.
// name is used in error messages; parameters read back as in ReadMetrics.
func ReadAggregates(r io.ReaderAt, size int64, name string) (params []ParamColumn, rows []Aggregate, err error) {
	return readKeyed(r, size, name, &aggregateLayout, func(k Key, v []parquet.Value) Aggregate {
		return Aggregate{k.Experiment, k.Params, v[0].String(), v[1].String(), v[2].Int64(),
			v[3].Double(), v[4].Double(), v[5].Double(), v[6].Double(), v[7].Double(), v[8].Double()}
	})
}

// readKeyed reads a table of layout l: it checks the key and trailing
// columns by name and type, takes the columns between them as the
// parameters, and calls row for each row with its key (parameter values as
// canonical text) and its trailing values.
func readKeyed[T any](r io.ReaderAt, size int64, name string, l *keyedLayout, row func(k Key, tail []parquet.Value) T) (params []ParamColumn, rows []T, err error) {
	defer datasets.ContainPanic(name, &err)
	file, err := datasets.OpenParquet(r, size, name)
	if err != nil {
		return nil, nil, err
	}
	fields := file.Schema().Fields()
	lead := l.lead()
	for i := range min(lead, len(fields)) {
		if err := checkColumn(name, l.table, i, fields[i], l.fixed[i], kindOf(l.fixedType(i)), false); err != nil {
			return nil, nil, err
		}
	}
	if len(fields) < len(l.fixed) {
		return nil, nil, fmt.Errorf("%s: not %s table: %d columns, want at least %d (%s)",
			name, tableArticle(l.table), len(fields), len(l.fixed), strings.Join(l.fixed, ", "))
	}
	np := len(fields) - len(l.fixed)
	for i := lead; i < len(l.fixed); i++ {
		if err := checkColumn(name, l.table, np+i, fields[np+i], l.fixed[i], kindOf(l.fixedType(i)), false); err != nil {
			return nil, nil, err
		}
	}
	params = make([]ParamColumn, 0, np)
	for j, f := range fields[lead : lead+np] {
		p, err := paramColumn(f, l.fixed)
		if err == nil && slices.ContainsFunc(params, func(q ParamColumn) bool { return q.Name == p.Name }) {
			err = fmt.Errorf("parameter %s appears twice", p.Name)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: not %s table: column %d: %w", name, tableArticle(l.table), lead+j, err)
		}
		params = append(params, p)
	}

	n := file.NumRows()
	rows = make([]T, 0, datasets.PreallocRows(n, size))
	reader := parquet.NewReader(file)
	defer reader.Close()
	buf := make([]parquet.Row, 256)
	for {
		k, err := reader.ReadRows(buf)
		for _, values := range buf[:k] {
			if len(values) != len(fields) {
				return nil, nil, fmt.Errorf("%s: row %d has %d values, want %d", name, len(rows), len(values), len(fields))
			}
			key := Key{Experiment: values[0].String()}
			if l.perTrial {
				key.Trial, key.Seed = values[1].String(), values[2].Int64()
			}
			if np > 0 {
				key.Params = make([]string, np)
				for j, p := range params {
					key.Params[j] = paramText(p.Kind, values[lead+j])
				}
			}
			rows = append(rows, row(key, values[lead+np:]))
		}
		if int64(len(rows)) > n {
			return nil, nil, fmt.Errorf("%s: more rows than the footer's %d", name, n)
		}
		if err == io.EOF || (err == nil && k == 0) {
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

// paramColumn returns the parameter of column f of a keyed table with the
// given fixed columns, undoing paramNames's "param_" prefix.
func paramColumn(f parquet.Field, fixed []string) (ParamColumn, error) {
	if !f.Leaf() || f.Optional() || f.Repeated() {
		return ParamColumn{}, fmt.Errorf("parameter column %s is %s, want a required string, INT64 or DOUBLE column", f.Name(), describeColumn(f))
	}
	p := ParamColumn{Name: f.Name()}
	if x, ok := strings.CutPrefix(p.Name, "param_"); ok && slices.Contains(fixed, x) {
		p.Name = x
	} else if slices.Contains(fixed, p.Name) {
		return ParamColumn{}, fmt.Errorf("parameter column %s is named like a column of the table (it would be written param_%s)", p.Name, p.Name)
	}
	switch f.Type().Kind() {
	case parquet.Int64:
		p.Kind = ParamInt
	case parquet.Double:
		p.Kind = ParamFloat
	case parquet.ByteArray:
		p.Kind = ParamString
	default:
		return ParamColumn{}, fmt.Errorf("parameter column %s has type %v, want a string, INT64 or DOUBLE", f.Name(), f.Type().Kind())
	}
	return p, nil
}

// paramText returns a parameter value as canonical text: integers in
// decimal, floats in Go's shortest round-trip form.
func paramText(k ParamKind, v parquet.Value) string {
	switch k {
	case ParamInt:
		return strconv.FormatInt(v.Int64(), 10)
	case ParamFloat:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	default:
		return v.String()
	}
}

// kindOf returns the physical type of a column of Go type t (string, int64
// or float64).
func kindOf(t reflect.Type) parquet.Kind {
	switch t.Kind() {
	case reflect.Int64:
		return parquet.Int64
	case reflect.Float64:
		return parquet.Double
	default:
		return parquet.ByteArray
	}
}

// checkColumn reports a column f, the i-th of file name, that is not a leaf
// named col of the given type, optional or required as asked.
func checkColumn(name, table string, i int, f parquet.Field, col string, kind parquet.Kind, optional bool) error {
	if f.Name() == col && f.Leaf() && f.Type().Kind() == kind && f.Optional() == optional && !f.Repeated() {
		return nil
	}
	want := col + " " + kind.String()
	if optional {
		want = "optional " + want
	}
	return fmt.Errorf("%s: not %s table: column %d is %s, want %s", name, tableArticle(table), i, describeColumn(f), want)
}

// describeColumn returns a column's name and type for messages, e.g.
// "score DOUBLE" or "optional score DOUBLE".
func describeColumn(f parquet.Field) string {
	switch {
	case !f.Leaf():
		return f.Name() + " (a group)"
	case f.Repeated():
		return "repeated " + f.Name() + " " + f.Type().Kind().String()
	case f.Optional():
		return "optional " + f.Name() + " " + f.Type().Kind().String()
	}
	return f.Name() + " " + f.Type().Kind().String()
}

// tableArticle returns the table's name with its article, "a metrics" or
// "an aggregate", for "not a metrics table".
func tableArticle(table string) string {
	if strings.ContainsRune("aeiou", rune(table[0])) {
		return "an " + table
	}
	return "a " + table
}

// ReadPredictions reads predictions.parquet as written by WritePredictions.
// name is used in error messages. A file whose columns are not those of
// Prediction (names, types, and which may be null) is an error naming the
// first column that differs.
func ReadPredictions(r io.ReaderAt, size int64, name string) ([]Prediction, error) {
	return readFixed[Prediction](r, size, name, "predictions")
}

// ReadImportances reads importances.parquet as written by
// WriteImportances. name is used in error messages; the columns are checked
// as in ReadPredictions.
func ReadImportances(r io.ReaderAt, size int64, name string) ([]Importance, error) {
	return readFixed[Importance](r, size, name, "importances")
}

// readFixed reads a table whose rows are T, after checking that the file's
// columns are T's, in order.
func readFixed[T any](r io.ReaderAt, size int64, name, table string) (rows []T, err error) {
	defer datasets.ContainPanic(name, &err)
	file, err := datasets.OpenParquet(r, size, name)
	if err != nil {
		return nil, err
	}
	got, want := file.Schema().Fields(), parquet.SchemaOf(new(T)).Fields()
	for i := range min(len(got), len(want)) {
		w := want[i]
		if err := checkColumn(name, table, i, got[i], w.Name(), w.Type().Kind(), w.Optional()); err != nil {
			return nil, err
		}
	}
	if len(got) > len(want) {
		return nil, fmt.Errorf("%s: not %s table: unexpected column %d, %s", name, tableArticle(table), len(want), describeColumn(got[len(want)]))
	}
	if len(got) < len(want) {
		return nil, fmt.Errorf("%s: not %s table: missing column %d, %s", name, tableArticle(table), len(got), want[len(got)].Name())
	}
	n := file.NumRows()
	rows = make([]T, 0, datasets.PreallocRows(n, size))
	err = datasets.ReadRows(file, n, name, func(_ int, rec *T) error {
		rows = append(rows, *rec)
		var zero T
		*rec = zero // the next batch must not write through this row's pointers
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// ReadTableFile opens path and calls read with the file, its size and path
// as name; a convenience for callers, e.g. ReadTableFile(path,
// ReadPredictions).
func ReadTableFile[T any](path string, read func(io.ReaderAt, int64, string) (T, error)) (T, error) {
	var zero T
	// A FIFO or device in place of the file is refused, not waited on.
	f, st, err := fileio.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return read(f, st.Size(), path)
}

// ReadMetricsFile reads the rows of the metrics table at path.
func ReadMetricsFile(path string) ([]Metric, error) {
	return ReadTableFile(path, func(r io.ReaderAt, size int64, name string) ([]Metric, error) {
		_, rows, err := ReadMetrics(r, size, name)
		return rows, err
	})
}

// TrialTables are a trial's two large tables as the process that ran it
// wrote them to dataset.parquet and predictions.parquet, handed to the
// run's report in memory so that it does not read back what was just
// written. Holders must not change them.
type TrialTables struct {
	Trial       string            // the trial's ID
	Dataset     *datasets.Dataset // nil for a table source's trial, which writes no dataset.parquet
	Predictions []Prediction
}
