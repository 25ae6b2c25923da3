package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/segharness/harness/internal/flow"
)

// FormatVersion identifies the layout of dataset.parquet. It is stored in
// the file's key-value metadata under "segharness.dataset".
const FormatVersion = "1"

// flowRow is one row of a flow table: the flow's 12 columns
// (flow.Flow's, flattened in its field order: parquet-go flattens an
// embedded struct in place), same_dept and cross_dept as the required
// booleans a table holds (shadowing Flow's optional pointers, which its
// tags leave out of the schema), and the two labels. Field order is file
// column order.
type flowRow struct {
	flow.Flow
	SameDept    bool   `parquet:"same_dept"`
	CrossDept   bool   `parquet:"cross_dept"`
	IsAnomaly   bool   `parquet:"is_anomaly"`
	AnomalyType string `parquet:"anomaly_type,dict"`
}

// record is one row of dataset.parquet: flow_id, a flow table's row, the
// engineered features and the split. Field order is file column order;
// tags give the notebook's column names.
type record struct {
	FlowID int64 `parquet:"flow_id"`
	flowRow
	BytesPerSecond   float64 `parquet:"bytes_per_second"`
	PacketsPerSecond float64 `parquet:"packets_per_second"`
	HighCPU          int64   `parquet:"high_cpu"`
	LongDuration     int64   `parquet:"long_duration"`
	ManyPorts        int64   `parquet:"many_ports"`
	OffHours         int64   `parquet:"off_hours"`
	RiskScore        float64 `parquet:"risk_score"`
	LogBytes         float64 `parquet:"log_bytes"`
	LogDuration      float64 `parquet:"log_duration"`
	Split            string  `parquet:"split,dict"`
}

// rowAt returns row i of f.
func rowAt(f *flow.Table, i int) flowRow {
	fl := f.At(i)
	fl.SameDept, fl.CrossDept = nil, nil // the row's own fields hold them
	return flowRow{Flow: fl, SameDept: f.SameDept[i], CrossDept: f.CrossDept[i], IsAnomaly: f.IsAnomaly[i], AnomalyType: f.AnomalyType.Value(i)}
}

// BatchRows is the number of rows converted and written at a time.
const BatchRows = 4096

// RowGroupRows bounds a row group, so that readers (DuckDB, Spark) can split
// a large file across threads.
const RowGroupRows = 1 << 17

// WriteDataset writes ds as Parquet to w: one row per flow with flow_id (the
// row's index), the flow columns, the engineered features and the split.
// String columns are dictionary-encoded, pages Zstandard-compressed. The
// bytes written depend only on ds.
func WriteDataset(w io.Writer, ds *Dataset) error {
	if err := ds.check(); err != nil {
		return err
	}
	f, e := ds.Flows, ds.Engineered
	pw := parquet.NewGenericWriter[record](w,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		// The library omits the space before "(build": the version carries it.
		parquet.CreatedBy("segharness", FormatVersion+" ", "dataset"),
		parquet.KeyValueMetadata("segharness.dataset", FormatVersion),
	)
	rows := make([]record, BatchRows)
	n := f.Len()
	for start := 0; start < n; start += BatchRows {
		batch := rows[:min(BatchRows, n-start)]
		for j := range batch {
			i := start + j
			batch[j] = record{
				FlowID:           int64(i),
				flowRow:          rowAt(f, i),
				BytesPerSecond:   e.BytesPerSecond[i],
				PacketsPerSecond: e.PacketsPerSecond[i],
				HighCPU:          e.HighCPU[i],
				LongDuration:     e.LongDuration[i],
				ManyPorts:        e.ManyPorts[i],
				OffHours:         e.OffHours[i],
				RiskScore:        e.RiskScore[i],
				LogBytes:         e.LogBytes[i],
				LogDuration:      e.LogDuration[i],
				Split:            ds.Split[i].String(),
			}
		}
		if _, err := pw.Write(batch); err != nil {
			return fmt.Errorf("datasets: writing parquet: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("datasets: writing parquet: %w", err)
	}
	return nil
}

// check reports a dataset whose parts are missing or of different lengths.
func (ds *Dataset) check() error {
	if ds.Flows == nil || ds.Engineered == nil {
		return errors.New("datasets: dataset without flows or engineered features")
	}
	n := ds.Flows.Len()
	e := ds.Engineered
	for _, l := range []int{
		len(e.BytesPerSecond), len(e.PacketsPerSecond), len(e.HighCPU), len(e.LongDuration),
		len(e.ManyPorts), len(e.OffHours), len(e.RiskScore), len(e.LogBytes), len(e.LogDuration),
		len(ds.Split),
	} {
		if l != n {
			return fmt.Errorf("datasets: dataset columns of length %d and %d", n, l)
		}
	}
	for i, s := range ds.Split {
		if s != Train && s != Test {
			return fmt.Errorf("datasets: flow %d has no split", i)
		}
	}
	return nil
}

// openFile opens a Parquet file after checking its framing: the magic
// bytes at both ends, and a footer no longer than the file. (parquet-go
// allocates the footer's declared length before comparing it with the file
// size, so a 12-byte file could make it allocate 4 GiB.)
func openFile(r io.ReaderAt, size int64, name string) (*parquet.File, error) {
	var head, tail [8]byte
	if size < 12 {
		return nil, fmt.Errorf("%s: not a Parquet file: %d bytes", name, size)
	}
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if string(head[:4]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return nil, fmt.Errorf("%s: not a Parquet file: no PAR1 magic bytes at both ends", name)
	}
	footer := int64(binary.LittleEndian.Uint32(tail[:4]))
	if footer > size-12 {
		return nil, fmt.Errorf("%s: not a Parquet file: footer of %d bytes in a file of %d", name, footer, size)
	}
	meta := make([]byte, footer)
	if _, err := r.ReadAt(meta, size-8-footer); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkThrift(meta); err != nil {
		return nil, fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	if err := checkIndexes(r, size); err != nil {
		return nil, fmt.Errorf("%s: corrupt Parquet file: %w", name, err)
	}
	file, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	for _, rg := range file.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if !slices.Contains(safeCodecs, c.MetaData.Codec) {
				return nil, fmt.Errorf("%s: column %s is compressed with %s; the harness reads uncompressed, Snappy, gzip or zstd Parquet (parquet-go's decoder for the others does not bound its memory on corrupt input)",
					name, strings.Join(c.MetaData.PathInSchema, "."), c.MetaData.Codec)
			}
		}
	}
	if err := checkPageSizes(r, size, file); err != nil {
		return nil, fmt.Errorf("%s: corrupt Parquet file: %w", name, err)
	}
	return file, nil
}

// OpenParquet opens a Parquet file of any schema after the checks every
// reader of the package makes (see openFile): the magic bytes at both ends,
// a footer no longer than the file and free of impossible Thrift sizes,
// and only compression codecs whose decoders bound their memory. name
// begins its error messages.
func OpenParquet(r io.ReaderAt, size int64, name string) (*parquet.File, error) {
	return openFile(r, size, name)
}

// safeCodecs are the compression codecs openFile accepts. FuzzReadDataset
// found that parquet-go's LZ4 decoder doubles its buffer forever on a
// corrupt page; Brotli and LZO are refused with it, as neither is a
// common choice for this data.
var safeCodecs = []format.CompressionCodec{format.Uncompressed, format.Snappy, format.Gzip, format.Zstd}

// ReadDataset reads a file written by WriteDataset. name is used in errors.
func ReadDataset(r io.ReaderAt, size int64, name string) (ds *Dataset, err error) {
	defer ContainPanic(name, &err)
	file, err := openFile(r, size, name)
	if err != nil {
		return nil, err
	}
	if err := requireColumns(file.Schema(), parquet.SchemaOf(record{}), name); err != nil {
		return nil, err
	}
	n := file.NumRows()
	b := newBuilder(PreallocRows(n, size))
	e := &Engineered{}
	var split []Split
	err = ReadRows(file, n, name, func(i int, rec *record) error {
		if rec.FlowID != int64(i) {
			return fmt.Errorf("flow_id %d, want %d", rec.FlowID, i)
		}
		if col, err := b.add(&rec.flowRow); err != nil {
			return columnError(col, err)
		}
		e.BytesPerSecond = append(e.BytesPerSecond, rec.BytesPerSecond)
		e.PacketsPerSecond = append(e.PacketsPerSecond, rec.PacketsPerSecond)
		e.HighCPU = append(e.HighCPU, rec.HighCPU)
		e.LongDuration = append(e.LongDuration, rec.LongDuration)
		e.ManyPorts = append(e.ManyPorts, rec.ManyPorts)
		e.OffHours = append(e.OffHours, rec.OffHours)
		e.RiskScore = append(e.RiskScore, rec.RiskScore)
		e.LogBytes = append(e.LogBytes, rec.LogBytes)
		e.LogDuration = append(e.LogDuration, rec.LogDuration)
		switch rec.Split {
		case "train":
			split = append(split, Train)
		case "test":
			split = append(split, Test)
		default:
			return fmt.Errorf("split %q, want train or test", rec.Split)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Dataset{Flows: b.f, Engineered: e, Split: split}, nil
}

// readFlowsParquet reads the flow columns of a Parquet file in the harness's
// schema; the engineered columns, flow_id and split are ignored.
func readFlowsParquet(r io.ReaderAt, size int64, name string) (f *flow.Table, err error) {
	defer ContainPanic(name, &err)
	file, err := openFile(r, size, name)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, field := range file.Schema().Fields() {
		if !knownColumn(field.Name()) {
			unknown = append(unknown, strconv.Quote(field.Name()))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s: unknown columns %s (the harness's schema has %s)",
			name, strings.Join(unknown, ", "), strings.Join(flow.FlowColumns, ", "))
	}
	if err := requireColumns(file.Schema(), parquet.SchemaOf(flowRow{}), name); err != nil {
		return nil, err
	}
	n := file.NumRows()
	b := newBuilder(PreallocRows(n, size))
	err = ReadRows(file, n, name, func(_ int, r *flowRow) error {
		if col, err := b.add(r); err != nil {
			return columnError(col, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.f, nil
}

// ReadRows reads the n rows of file in batches, calling fn for each with
// its index. An error from fn is reported with the row's index.
func ReadRows[T any](file *parquet.File, n int64, name string, fn func(i int, rec *T) error) error {
	pr := parquet.NewGenericReader[T](file)
	defer pr.Close()
	rows := make([]T, BatchRows)
	i := 0
	for int64(i) < n {
		k, err := pr.Read(rows)
		for j := range rows[:k] {
			if err := fn(i, &rows[j]); err != nil {
				return fmt.Errorf("%s: row %d: %w", name, i, err)
			}
			i++
		}
		if err == io.EOF || k == 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if int64(i) != n {
		return fmt.Errorf("%s: read %d rows, the footer says %d", name, i, n)
	}
	return nil
}

// PreallocRows bounds the rows allocated up front: a file's footer may claim
// more rows than its bytes could hold, so at most one row per byte.
func PreallocRows(claimed, size int64) int {
	return int(max(0, min(claimed, size, 1<<26)))
}

// ContainPanic turns a panic inside the Parquet library (seen on corrupt
// files) into an error naming the file.
func ContainPanic(name string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: corrupt Parquet file: %v", name, r)
	}
}

// requireColumns checks that every column of want is a required (non-null)
// column of got with the same physical type, and names those that are not.
func requireColumns(got, want *parquet.Schema, name string) error {
	var problems []string
	for _, field := range want.Fields() {
		col := field.Name()
		gf, ok := fieldByName(got, col)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing column %q", col))
		case !gf.Leaf():
			problems = append(problems, fmt.Sprintf("column %q is a group, want %s", col, field.Type()))
		case gf.Optional() || gf.Repeated():
			problems = append(problems, fmt.Sprintf("column %q may hold nulls or lists; want required %s", col, field.Type()))
		case gf.Type().Kind() != field.Type().Kind():
			problems = append(problems, fmt.Sprintf("column %q has type %s, want %s", col, gf.Type(), field.Type()))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", name, joinProblems(problems))
	}
	return nil
}

func fieldByName(s *parquet.Schema, name string) (parquet.Field, bool) {
	i := slices.IndexFunc(s.Fields(), func(f parquet.Field) bool { return f.Name() == name })
	if i < 0 {
		return nil, false
	}
	return s.Fields()[i], true
}
