package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
)

// ParseError is a problem at a position in an input file.
type ParseError struct {
	File   string // name given by the caller
	Line   int    // 1-based line
	Column int    // 1-based byte column; 0 when the whole line is meant
	Field  string // column name, when the problem is in one column
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	fmt.Fprintf(&b, ":%d", e.Line)
	if e.Column > 0 {
		fmt.Fprintf(&b, ":%d", e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "column %q: ", e.Field)
	}
	if p, ok := e.Err.(fieldProblem); ok && e.Field != "" {
		b.WriteString(p.Problem()) // the column is named above
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// fieldProblem is an error of the flow schema's checks (*flow.FieldError,
// *flow.LabelError), which names its column: Problem is its message
// without the column.
type fieldProblem interface {
	error
	Problem() string
}

// columnError names col in err, unless err names it already.
func columnError(col string, err error) error {
	if _, ok := err.(fieldProblem); ok {
		return err
	}
	return fmt.Errorf("%s: %w", col, err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrMissingValue is wrapped by a ParseError for an empty field.
var ErrMissingValue = errors.New("missing value")

// InferFormat returns the format named by path's extension (.csv, .parquet
// or .pq, optionally followed by .gz), or "" when the extension names none.
func InferFormat(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gz" {
		ext = strings.ToLower(filepath.Ext(strings.TrimSuffix(path, filepath.Ext(path))))
	}
	switch ext {
	case ".csv":
		return flow.FormatCSV
	case ".parquet", ".pq":
		return flow.FormatParquet
	}
	return ""
}

// Load reads flows in the harness's schema from the file at path. format is
// flow.FormatCSV, flow.FormatParquet, or "" to infer it from the file name.
// Gzip input is recognised by its magic bytes and decompressed
// transparently.
//
// The 14 flow columns and the labels is_anomaly and anomaly_type are
// required. The engineered columns, flow_id and split may be present (as in
// a dataset.parquet the harness wrote, or the notebook's CSV export) and are
// ignored: features are recomputed and the split redrawn from the
// experiment. Any other column is an error.
//
// The file must be a regular file (a FIFO, device or socket is refused
// with a *fileio.NotRegularError before it is read) and is bounded before
// it is read into memory: its size by fileio.InputBytes, what it
// decompresses to by fileio.DecompressedBytes, its rows by fileio.Rows,
// its columns by fileio.Columns and one CSV record by fileio.LineBytes,
// each a *fileio.TooLargeError naming path. CSV is read as a stream.
func Load(path, format string) (*flow.Table, error) {
	if format == "" {
		format = InferFormat(path)
		if format == "" {
			return nil, fmt.Errorf("%s: cannot tell the format from the file name; declare format: csv or parquet", path)
		}
	}
	file, info, err := fileio.OpenLimited(path, fileio.InputBytes)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	// The file may grow while it is read: the limit holds for what is read.
	br := bufio.NewReaderSize(&fileio.LimitedReader{R: file, Path: path, What: "file", Limit: fileio.InputBytes}, 1<<16)
	magic, _ := br.Peek(2)
	gz := fileio.IsGzip(magic)
	var src io.Reader = br
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		src = &fileio.LimitedReader{R: decompressErrors{zr}, Path: path, What: "decompressed data", Limit: fileio.DecompressedBytes}
	}
	var f *flow.Table
	switch format {
	case flow.FormatCSV:
		f, err = ReadCSV(src, path)
	case flow.FormatParquet:
		// Parquet is read at offsets: from the file itself, or from its
		// decompressed bytes, bounded above.
		var r io.ReaderAt = file
		size := info.Size()
		if gz {
			raw, err := io.ReadAll(src)
			if err != nil {
				return nil, fileError(path, err)
			}
			r, size = bytes.NewReader(raw), int64(len(raw))
		}
		if err := checkParquetFile(r, size, path); err != nil {
			return nil, err
		}
		f, err = readFlowsParquet(r, size, path)
	default:
		return nil, fmt.Errorf("%s: unknown format %q (want csv or parquet)", path, format)
	}
	if err != nil {
		return nil, err
	}
	if f.Len() == 0 {
		return nil, fmt.Errorf("%s: no flows", path)
	}
	return f, nil
}

// decompressErrors marks the errors of a gzip stream as such.
type decompressErrors struct{ r io.Reader }

func (d decompressErrors) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("decompressing: %w", err)
	}
	return n, err
}

// fileError names path in err, unless err names it already (a limit).
func fileError(path string, err error) error {
	var tl *fileio.TooLargeError
	if errors.As(err, &tl) {
		return tl
	}
	return fmt.Errorf("%s: %w", path, err)
}

// CheckParquet checks what a Parquet file's footer declares against the
// limits before any of its data is read: its rows (fileio.Rows), its
// columns (fileio.Columns) and the bytes its column chunks expand to
// (fileio.DecompressedBytes). The error is a *fileio.TooLargeError
// naming name.
func CheckParquet(file *parquet.File, name string) error {
	if n := file.NumRows(); n > fileio.Rows.Get() {
		return &fileio.TooLargeError{Path: name, What: "rows", Limit: fileio.Rows, Size: n}
	}
	if n := int64(len(file.Schema().Columns())); n > fileio.Columns.Get() {
		return &fileio.TooLargeError{Path: name, What: "columns", Limit: fileio.Columns, Size: n}
	}
	var total int64
	for _, rg := range file.Metadata().RowGroups {
		for _, c := range rg.Columns {
			// Each size is at most 2^63-1; stop adding before overflow.
			total += max(0, c.MetaData.TotalUncompressedSize)
			if total < 0 || total > fileio.DecompressedBytes.Get() {
				return &fileio.TooLargeError{Path: name, What: "decompressed data", Limit: fileio.DecompressedBytes, Size: -1}
			}
		}
	}
	return nil
}

// checkParquetFile opens the Parquet file in r to check it with
// CheckParquet.
func checkParquetFile(r io.ReaderAt, size int64, name string) (err error) {
	defer ContainPanic(name, &err)
	file, err := openFile(r, size, name)
	if err != nil {
		return err
	}
	return CheckParquet(file, name)
}

// ignoredColumns may appear in an input file and are not read.
var ignoredColumns = append([]string{flow.ColFlowID, flow.ColSplit}, flow.EngineeredColumns...)

func knownColumn(name string) bool {
	return slices.Contains(flow.FlowColumns, name) || slices.Contains(ignoredColumns, name)
}

// ReadCSV reads flows in the harness's schema from CSV with a header row
// (pandas' to_csv layout: True/False for booleans). name is used in errors,
// which are *ParseError values carrying line and column. A UTF-8 byte-order
// mark and CRLF line endings are accepted. A record of more than
// fileio.LineBytes, a header of more than fileio.Columns columns or more
// than fileio.Rows rows is a *fileio.TooLargeError.
func ReadCSV(r io.Reader, name string) (*flow.Table, error) {
	// Bounded: one record's bytes, the columns, the rows.
	cr := fileio.NewCSVReader(r, name)
	cr.ReuseRecord = true
	wrap := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			perr := pe.Err
			if pe.StartLine != pe.Line {
				// A quoted field ran on past its line: say where its record began.
				perr = fmt.Errorf("%w (in the record that starts on line %d)", pe.Err, pe.StartLine)
			}
			return &ParseError{File: name, Line: pe.Line, Column: pe.Column, Err: perr}
		}
		return fileError(name, err)
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Line: 1, Err: errors.New("empty file: want a header row")}
	}
	if err != nil {
		return nil, wrap(err)
	}
	// The header is on line 1 unless blank lines precede it.
	headerLine, _ := cr.FieldPos(0)
	if n := int64(len(header)); n > fileio.Columns.Get() {
		return nil, &fileio.TooLargeError{Path: name, Line: headerLine, What: "columns", Limit: fileio.Columns, Size: n}
	}
	index := map[string]int{}
	var unknown []string
	for i, h := range header {
		if _, dup := index[h]; dup {
			line, col := cr.FieldPos(i)
			return nil, &ParseError{File: name, Line: line, Column: col, Err: fmt.Errorf("column %q appears twice", h)}
		}
		index[h] = i
		if !knownColumn(h) {
			unknown = append(unknown, strconv.Quote(h))
		}
	}
	if len(unknown) > 0 {
		hint := ""
		if slices.Contains(unknown, `""`) {
			hint = `; a column without a name is usually the index pandas writes unless to_csv(..., index=False)`
		}
		return nil, &ParseError{File: name, Line: headerLine, Err: fmt.Errorf("unknown columns %s (the harness's schema has %s; %s, %s and the engineered columns are accepted and ignored)%s",
			strings.Join(unknown, ", "), strings.Join(flow.FlowColumns, ", "), flow.ColFlowID, flow.ColSplit, hint)}
	}
	var missing []string
	cols := make([]int, len(flow.FlowColumns))
	for j, c := range flow.FlowColumns {
		i, ok := index[c]
		if !ok {
			missing = append(missing, c)
		}
		cols[j] = i
	}
	if len(missing) > 0 {
		return nil, &ParseError{File: name, Line: headerLine, Err: fmt.Errorf("missing columns %s", strings.Join(missing, ", "))}
	}

	b := newBuilder(0)
	maxRows := fileio.Rows.Get()
	for rows := int64(1); ; rows++ {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			// Read returns the record with this error: say what is wrong.
			line, _ := cr.FieldPos(0)
			return nil, &ParseError{File: name, Line: line, Column: 1, Err: fmt.Errorf("%w: the row has %d fields, the header %d", csv.ErrFieldCount, len(row), len(header))}
		}
		if err != nil {
			return nil, wrap(err)
		}
		if rows > maxRows {
			line, _ := cr.FieldPos(0)
			return nil, &fileio.TooLargeError{Path: name, Line: line, What: "rows", Limit: fileio.Rows, Size: -1}
		}
		p := rowParser{row: row, cols: cols}
		r := flowRow{
			Flow: flow.Flow{
				SrcDeviceType:   p.str(0),
				SrcDepartment:   p.str(1),
				DstDeviceType:   p.str(2),
				DstDepartment:   p.str(3),
				Protocol:        p.str(4),
				BytesSent:       p.float(5),
				PacketsSent:     p.int(6),
				Duration:        p.float(7),
				Hour:            p.int(8),
				IsBusinessHours: p.bool(9),
				CPUUsage:        p.float(10),
				PortsContacted:  p.int(11),
			},
			SameDept:    p.bool(12),
			CrossDept:   p.bool(13),
			IsAnomaly:   p.bool(14),
			AnomalyType: p.str(15),
		}
		if p.err != nil {
			line, col := cr.FieldPos(cols[p.errAt])
			return nil, &ParseError{File: name, Line: line, Column: col, Field: flow.FlowColumns[p.errAt], Err: p.err}
		}
		if colName, err := b.add(&r); err != nil {
			line, col := cr.FieldPos(index[colName])
			return nil, &ParseError{File: name, Line: line, Column: col, Field: colName, Err: err}
		}
	}
	return b.f, nil
}

// rowParser converts the fields of one CSV row, keeping the first error.
type rowParser struct {
	row   []string
	cols  []int // flow.FlowColumns index -> field index
	err   error
	errAt int // flow.FlowColumns index of err
}

func (p *rowParser) field(j int) (string, bool) {
	if p.err != nil {
		return "", false
	}
	s := p.row[p.cols[j]]
	if s == "" {
		p.err, p.errAt = ErrMissingValue, j
		return "", false
	}
	return s, true
}

func (p *rowParser) fail(j int, err error) { p.err, p.errAt = err, j }

func (p *rowParser) str(j int) string {
	s, _ := p.field(j)
	return s
}

func (p *rowParser) float(j int) float64 {
	s, ok := p.field(j)
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		p.fail(j, fmt.Errorf("%q is out of the range of a 64-bit float", s))
	case err != nil:
		p.fail(j, fmt.Errorf("%q is not a number", s))
	}
	return v
}

func (p *rowParser) int(j int) int64 {
	s, ok := p.field(j)
	if !ok {
		return 0
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v
	}
	// pandas writes an integer column holding NaN as floats ("12.0").
	if v, err := strconv.ParseFloat(s, 64); err == nil && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return int64(v)
	}
	p.fail(j, fmt.Errorf("%q is not an integer", s))
	return 0
}

func (p *rowParser) bool(j int) bool {
	s, ok := p.field(j)
	if !ok {
		return false
	}
	switch s {
	case "True", "true", "TRUE", "1":
		return true
	case "False", "false", "FALSE", "0":
		return false
	}
	p.fail(j, fmt.Errorf("%q is not a boolean (want True or False)", s))
	return false
}

// builder appends flows row by row, encoding categories as it goes.
type builder struct {
	f     *flow.Table
	codes [6]map[string]uint16
}

func newBuilder(capacity int) *builder {
	b := &builder{f: flow.Make(0, capacity)}
	for k, c := range b.f.Categoricals() {
		b.codes[k] = make(map[string]uint16, len(c.Levels))
		for i, l := range c.Levels {
			b.codes[k][l] = uint16(i)
		}
	}
	return b
}

// add appends r. On error it returns the offending column's name, and the
// table is left unchanged. An error of the schema's checks (Table.CheckRow)
// names its column itself, as a fieldProblem.
func (b *builder) add(r *flowRow) (string, error) {
	values := [6]string{r.SrcDeviceType, r.SrcDepartment, r.DstDeviceType, r.DstDepartment, r.Protocol, r.AnomalyType}
	var codes [6]uint16
	cats := b.f.Categoricals()
	for k, v := range values {
		code, ok := b.codes[k][v]
		if !ok {
			if v == "" {
				return flow.CategoricalColumns[k], ErrMissingValue
			}
			if len(cats[k].Levels) == flow.MaxLevels {
				return flow.CategoricalColumns[k], fmt.Errorf("more than %d distinct values", flow.MaxLevels)
			}
			code = uint16(len(cats[k].Levels))
			cats[k].Levels = append(cats[k].Levels, v)
			b.codes[k][v] = code
		}
		codes[k] = code
	}
	f := b.f
	for k, c := range cats {
		c.Codes = append(c.Codes, codes[k])
	}
	f.BytesSent = append(f.BytesSent, r.BytesSent)
	f.PacketsSent = append(f.PacketsSent, r.PacketsSent)
	f.Duration = append(f.Duration, r.Duration)
	f.Hour = append(f.Hour, r.Hour)
	f.IsBusinessHours = append(f.IsBusinessHours, r.IsBusinessHours)
	f.CPUUsage = append(f.CPUUsage, r.CPUUsage)
	f.PortsContacted = append(f.PortsContacted, r.PortsContacted)
	f.SameDept = append(f.SameDept, r.SameDept)
	f.CrossDept = append(f.CrossDept, r.CrossDept)
	f.IsAnomaly = append(f.IsAnomaly, r.IsAnomaly)
	if err := f.CheckRow(f.Len() - 1); err != nil {
		b.truncate(f.Len() - 1)
		col := flow.ColIsAnomaly // a *flow.LabelError
		if fe, ok := err.(*flow.FieldError); ok {
			col = fe.Field
		}
		return col, err
	}
	return "", nil
}

// truncate shortens every column to n rows.
func (b *builder) truncate(n int) {
	f := b.f
	for _, c := range b.f.Categoricals() {
		c.Codes = c.Codes[:n]
	}
	f.BytesSent, f.PacketsSent, f.Duration, f.Hour = f.BytesSent[:n], f.PacketsSent[:n], f.Duration[:n], f.Hour[:n]
	f.IsBusinessHours, f.CPUUsage, f.PortsContacted = f.IsBusinessHours[:n], f.CPUUsage[:n], f.PortsContacted[:n]
	f.SameDept, f.CrossDept, f.IsAnomaly = f.SameDept[:n], f.CrossDept[:n], f.IsAnomaly[:n]
}

func joinProblems(p []string) string { return strings.Join(p, "; ") }
