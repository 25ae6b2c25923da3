package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// A column table is a flat Parquet file of numeric columns, the form in
// which a feature matrix is handed to an external program and its answers
// (scores, labels) are read back. WriteColumns writes one; ReadColumns reads
// any flat numeric Parquet file, whoever wrote it.

// plainDictionary is Parquet's PLAIN_DICTIONARY encoding, deprecated in
// favour of RLE_DICTIONARY but still written by older writers (parquet-mr
// 1.x, pyarrow with version 1.0 data pages), so read.
//
//lint:ignore SA1019 deprecated for writers; readers must still accept it
const plainDictionary = format.PlainDictionary

// columnsVersion identifies the layout WriteColumns writes. It is stored in
// the file's key-value metadata under "segharness.columns".
const columnsVersion = "1"

// Column is one column of a column table: its name and its values, in
// exactly one of Float (DOUBLE), Int (INT64) or Bool (BOOLEAN).
type Column struct {
	Name  string
	Float []float64
	Int   []int64
	Bool  []bool
}

// kind returns the column's Parquet type and length, or ok false when not
// exactly one of Float, Int and Bool is non-nil.
func (c *Column) kind() (t parquet.Type, n int, ok bool) {
	set := 0
	if c.Float != nil {
		set++
		t, n = parquet.DoubleType, len(c.Float)
	}
	if c.Int != nil {
		set++
		t, n = parquet.Int64Type, len(c.Int)
	}
	if c.Bool != nil {
		set++
		t, n = parquet.BooleanType, len(c.Bool)
	}
	return t, n, set == 1
}

// values fills batch with the column's values from row start on. A
// column writer takes values of its own column, so they carry no column
// index or levels (a required column has none).
func (c *Column) values(batch []parquet.Value, start int) []parquet.Value {
	switch {
	case c.Float != nil:
		for k, v := range c.Float[start : start+len(batch)] {
			batch[k] = parquet.DoubleValue(v)
		}
	case c.Int != nil:
		for k, v := range c.Int[start : start+len(batch)] {
			batch[k] = parquet.Int64Value(v)
		}
	default:
		for k, v := range c.Bool[start : start+len(batch)] {
			batch[k] = parquet.BooleanValue(v)
		}
	}
	return batch
}

// WriteColumns writes cols as a Parquet file: one required column each, in
// order, named Name, of type DOUBLE (Float), INT64 (Int) or BOOLEAN (Bool).
// Pages are Snappy-compressed Parquet data pages of version 1, in row groups
// of at most 131,072 rows: the layout every Parquet reader accepts (pandas,
// polars, DuckDB, Spark, Arrow). The bytes written depend only on cols: the
// created_by string and the key-value metadata ("segharness.columns" = "1")
// are fixed, and nothing records a time.
//
// WriteColumns panics if cols is empty, if a column does not have exactly
// one of Float, Int and Bool non-nil (an empty column needs an empty,
// non-nil slice to give its type), if two columns share a name or one has
// none, or if the columns differ in length. Errors are those of w.
func WriteColumns(w io.Writer, cols []Column) error {
	rows := checkWriteColumns(cols)
	fields := make(columnGroup, len(cols))
	for i := range cols {
		t, _, _ := cols[i].kind()
		fields[i] = &columnField{Node: parquet.Leaf(t), name: cols[i].Name, index: i}
	}
	pw := parquet.NewWriter(w,
		parquet.NewSchema("schema", fields),
		parquet.Compression(&parquet.Snappy),
		parquet.DataPageVersion(1),
		// The library omits the space before "(build": the version carries it.
		parquet.CreatedBy("segharness", columnsVersion+" ", "columns"),
		parquet.KeyValueMetadata("segharness.columns", columnsVersion),
	)
	// Column by column, one row group at a time: the values are already in
	// columns, so there is no row to assemble.
	values := make([]parquet.Value, BatchRows)
	writers := pw.ColumnWriters()
	for start := 0; start < rows; start += RowGroupRows {
		end := min(rows, start+RowGroupRows)
		for j := range cols {
			for b := start; b < end; b += BatchRows {
				batch := cols[j].values(values[:min(BatchRows, end-b)], b)
				if _, err := writers[j].WriteRowValues(batch); err != nil {
					return fmt.Errorf("datasets: writing columns: %w", err)
				}
			}
		}
		if err := pw.Flush(); err != nil {
			return fmt.Errorf("datasets: writing columns: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("datasets: writing columns: %w", err)
	}
	return nil
}

// checkWriteColumns panics on the misuses WriteColumns documents and
// returns the number of rows.
func checkWriteColumns(cols []Column) int {
	if len(cols) == 0 {
		panic("datasets: WriteColumns with no columns")
	}
	rows := 0
	seen := make(map[string]bool, len(cols))
	for i := range cols {
		c := &cols[i]
		_, n, ok := c.kind()
		switch {
		case !ok:
			panic(fmt.Sprintf("datasets: WriteColumns column %d (%q) must have exactly one of Float, Int and Bool non-nil", i, c.Name))
		case c.Name == "":
			panic(fmt.Sprintf("datasets: WriteColumns column %d has no name", i))
		case seen[c.Name]:
			panic(fmt.Sprintf("datasets: WriteColumns column name %q appears twice", c.Name))
		case i > 0 && n != rows:
			panic(fmt.Sprintf("datasets: WriteColumns column %q has %d values, column %q %d", c.Name, n, cols[0].Name, rows))
		}
		seen[c.Name] = true
		rows = n
	}
	return rows
}

// columnGroup is the root of a column table's schema: parquet.Group sorts
// its fields by name, and a column table keeps the caller's order.
type columnGroup []parquet.Field

func (g columnGroup) ID() int                     { return 0 }
func (g columnGroup) String() string              { return "column table" }
func (g columnGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g columnGroup) Optional() bool              { return false }
func (g columnGroup) Repeated() bool              { return false }
func (g columnGroup) Required() bool              { return true }
func (g columnGroup) Leaf() bool                  { return false }
func (g columnGroup) Fields() []parquet.Field     { return g }
func (g columnGroup) Encoding() encoding.Encoding { return nil }
func (g columnGroup) Compression() compress.Codec { return nil }
func (g columnGroup) GoType() reflect.Type {
	fields := make([]reflect.StructField, len(g))
	for i, f := range g {
		fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: f.GoType()}
	}
	return reflect.StructOf(fields)
}

// columnField is a leaf of a columnGroup.
type columnField struct {
	parquet.Node
	name  string
	index int
}

func (f *columnField) Name() string { return f.name }

// Value returns the field of a value of the group's GoType.
func (f *columnField) Value(base reflect.Value) reflect.Value { return base.Field(f.index) }

// ReadColumns reads a Parquet file's columns as float64 values (booleans 0
// and 1), in file order, with their names and the number of rows. The file
// may have any flat schema of BOOLEAN, INT32, INT64, FLOAT or DOUBLE
// columns, required or optional, written by any program; integers with a
// logical integer type (signed or not) are read as numbers, and INT64
// values beyond ±2^53 round to the nearest float64. name begins its error
// messages.
//
// A null value (the error names the column and the row, counted from 0), a
// nested or repeated column, or a column of another type (a string, a
// DECIMAL, a timestamp) is an error naming the column. So is a file of more
// than maxRows rows; this is found from the footer, before anything is
// allocated for the rows. A file whose sizes or counts claim more than its
// bytes can hold (see checkIndexes and checkPages) is refused as corrupt
// before parquet-go acts on the claim, and so is a file of more than
// maxColumns columns. What is allocated up front is at most 8 bytes per
// byte of the file; the rest grows with the values the file really holds,
// 8 bytes per row and column, which for compressible columns can be far
// more than the file's size: maxRows × maxColumns bounds it.
//
// ReadColumns panics if maxRows is negative or maxColumns below 1.
func ReadColumns(r io.ReaderAt, size int64, name string, maxRows, maxColumns int) (names []string, cols [][]float64, rows int, err error) {
	if maxRows < 0 || maxColumns < 1 {
		panic(fmt.Sprintf("datasets: ReadColumns with maxRows %d, maxColumns %d", maxRows, maxColumns))
	}
	defer ContainPanic(name, &err)
	file, err := openFile(r, size, name) // checks the indexes too
	if err != nil {
		return nil, nil, 0, err
	}
	fields := file.Schema().Fields()
	if len(fields) > maxColumns {
		return nil, nil, 0, fmt.Errorf("%s: %d columns, more than the %d accepted", name, len(fields), maxColumns)
	}
	kinds := make([]numberColumn, len(fields))
	names = make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name()
		if kinds[i], err = numberColumnOf(f); err != nil {
			return nil, nil, 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	n := file.NumRows()
	if n < 0 {
		return nil, nil, 0, fmt.Errorf("%s: corrupt Parquet file: %d rows", name, n)
	}
	if n > int64(maxRows) {
		return nil, nil, 0, fmt.Errorf("%s: %d rows, more than the %d accepted", name, n, maxRows)
	}
	var inGroups int64
	for i, rg := range file.RowGroups() {
		if k := len(rg.ColumnChunks()); k != len(fields) {
			return nil, nil, 0, fmt.Errorf("%s: corrupt Parquet file: row group %d has %d columns, the schema %d", name, i, k, len(fields))
		}
		if rg.NumRows() < 0 || rg.NumRows() > n-inGroups {
			return nil, nil, 0, fmt.Errorf("%s: corrupt Parquet file: row groups hold more rows than the footer's %d", name, n)
		}
		inGroups += rg.NumRows()
	}
	if inGroups != n {
		return nil, nil, 0, fmt.Errorf("%s: corrupt Parquet file: row groups hold %d rows, the footer says %d", name, inGroups, n)
	}
	if err := checkPages(r, size, file, fields); err != nil {
		return nil, nil, 0, fmt.Errorf("%s: corrupt Parquet file: %w", name, err)
	}
	// Every column gets its share of the file's bytes up front, so that a
	// footer claiming many rows cannot make the reader allocate more than
	// the file could hold; a column that holds more grows as it is read.
	prealloc := PreallocRows(n, size/int64(max(1, len(fields))))
	cols = make([][]float64, len(fields))
	for k := range fields {
		cols[k] = make([]float64, 0, prealloc)
		if cols[k], err = readNumberColumn(file, k, kinds[k], n, cols[k]); err != nil {
			return nil, nil, 0, fmt.Errorf("%s: column %q: %w", name, names[k], err)
		}
	}
	return names, cols, int(n), nil
}

// numberColumn is how one column's values become float64s.
type numberColumn struct {
	// convert converts a non-null value.
	convert func(parquet.Value) float64
	// signed is true for the columns whose page data (FLOAT, DOUBLE and
	// signed integers) appendData converts without going through Values.
	signed bool
}

// numberColumnOf returns the conversion of column f's values, or an error
// naming the column when f is not a flat numeric column.
func numberColumnOf(f parquet.Field) (numberColumn, error) {
	switch {
	case !f.Leaf():
		return numberColumn{}, fmt.Errorf("column %q is a group (a nested column); ReadColumns reads flat columns", f.Name())
	case f.Repeated():
		return numberColumn{}, fmt.Errorf("column %q is repeated (a list); ReadColumns reads flat columns", f.Name())
	}
	t := f.Type()
	unsigned := false
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		it, ok := lt.Value.(*format.IntType)
		if !ok {
			return numberColumn{}, fmt.Errorf("column %q has type %s; ReadColumns reads BOOLEAN, INT32, INT64, FLOAT or DOUBLE numbers", f.Name(), t)
		}
		unsigned = !it.IsSigned
	}
	switch t.Kind() {
	case parquet.Boolean:
		return numberColumn{convert: func(v parquet.Value) float64 {
			if v.Boolean() {
				return 1
			}
			return 0
		}}, nil
	case parquet.Int32:
		if unsigned {
			return numberColumn{convert: func(v parquet.Value) float64 { return float64(v.Uint32()) }}, nil
		}
		return numberColumn{convert: func(v parquet.Value) float64 { return float64(v.Int32()) }, signed: true}, nil
	case parquet.Int64:
		if unsigned {
			return numberColumn{convert: func(v parquet.Value) float64 { return float64(v.Uint64()) }}, nil
		}
		return numberColumn{convert: func(v parquet.Value) float64 { return float64(v.Int64()) }, signed: true}, nil
	case parquet.Float:
		return numberColumn{convert: func(v parquet.Value) float64 { return float64(v.Float()) }, signed: true}, nil
	case parquet.Double:
		return numberColumn{convert: parquet.Value.Double, signed: true}, nil
	}
	return numberColumn{}, fmt.Errorf("column %q has type %s; ReadColumns reads BOOLEAN, INT32, INT64, FLOAT or DOUBLE numbers", f.Name(), t)
}

// readNumberColumn appends the n values of column k of file to col, page
// by page.
func readNumberColumn(file *parquet.File, k int, c numberColumn, n int64, col []float64) ([]float64, error) {
	buf := make([]parquet.Value, BatchRows)
	for _, rg := range file.RowGroups() {
		pages := rg.ColumnChunks()[k].Pages()
		var err error
		col, err = readNumberPages(pages, c, n, col, buf)
		if cerr := pages.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(col)) != n {
		return nil, fmt.Errorf("%d values for the %d rows the footer declares", len(col), n)
	}
	return col, nil
}

// readNumberPages appends the values of a column chunk's pages to col.
func readNumberPages(pages parquet.Pages, c numberColumn, n int64, col []float64, buf []parquet.Value) ([]float64, error) {
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return col, nil
		}
		if err != nil {
			return nil, err
		}
		col, err = appendPage(page, c, n, col, buf)
		parquet.Release(page)
		if err != nil {
			return nil, err
		}
	}
}

// appendPage appends a page's values to col.
func appendPage(page parquet.Page, c numberColumn, n int64, col []float64, buf []parquet.Value) ([]float64, error) {
	if int64(len(col))+page.NumValues() > n {
		return nil, fmt.Errorf("more values than the %d rows the footer declares", n)
	}
	if c.signed && page.Dictionary() == nil && page.NumNulls() == 0 {
		if out, ok := appendData(col, page.Data(), page.NumValues()); ok {
			return out, nil
		}
	}
	values := page.Values()
	for {
		k, err := values.ReadValues(buf)
		if int64(len(col)+k) > n {
			return nil, fmt.Errorf("more values than the %d rows the footer declares", n)
		}
		for _, v := range buf[:k] {
			if v.IsNull() {
				return nil, fmt.Errorf("row %d is null", len(col))
			}
			col = append(col, c.convert(v))
		}
		if err == io.EOF || (err == nil && k == 0) {
			return col, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// appendData appends the decoded values of a page without nulls or
// dictionary, read straight from its typed data (several times faster than
// through parquet.Value). ok is false when the data is not of a type it
// reads or does not hold the page's count, and the caller reads values.
func appendData(col []float64, data encoding.Values, count int64) (out []float64, ok bool) {
	switch data.Kind() {
	case encoding.Double:
		v := data.Double()
		if int64(len(v)) != count {
			return col, false
		}
		return append(col, v...), true
	case encoding.Float:
		return appendConverted(col, data.Float(), count)
	case encoding.Int64:
		return appendConverted(col, data.Int64(), count)
	case encoding.Int32:
		return appendConverted(col, data.Int32(), count)
	}
	return col, false
}

func appendConverted[T float32 | int32 | int64](col []float64, v []T, count int64) ([]float64, bool) {
	if int64(len(v)) != count {
		return col, false
	}
	for _, x := range v {
		col = append(col, float64(x))
	}
	return col, true
}

// Hostile files. parquet-go trusts the sizes and counts it reads from a
// file and allocates them before finding that the bytes are not there: the
// page index lengths in the footer (summed over every column chunk), a page
// header's sizes, the length a Snappy or zstd stream declares, the runs of
// RLE data and the value count of a delta header, each up to 2^31 or more.
// A 762-byte file made it allocate 2.9 GB; a 30 kB one with 200 columns
// ended the process with "fatal error: out of memory", which no recover
// catches. The checks below hold each size to what the file's bytes, or
// the row group's row count, can honestly need, before parquet-go reads
// it: checkIndexes before parquet.OpenFile (which reads the page indexes
// and bloom filter headers), checkPages before the pages are read.

// pageSlack is the room a page may take beyond 16 bytes per value (8 for
// the widest value, the rest for levels and run headers): a zstd block
// counted at its largest, a delta encoding's padded miniblocks.
const pageSlack = 256 << 10

// maxPageBytes returns the most bytes an honest page of n values of a
// flat numeric column needs, compressed or not.
func maxPageBytes(n int64) int64 { return 16*n + pageSlack }

// headerWindow is the number of bytes first read to walk a Thrift header
// (a page header of a numeric column takes about a hundred); the window
// grows eightfold until the header fits or the bytes run out.
const headerWindow = 1 << 10

// footerBytes returns the footer of a file whose framing and footer
// openFile accepts, and ok false for any other, which openFile refuses
// with its own message.
func footerBytes(r io.ReaderAt, size int64) (meta []byte, ok bool) {
	var head, tail [8]byte
	if size < 12 {
		return nil, false
	}
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return nil, false
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, false
	}
	footer := int64(binary.LittleEndian.Uint32(tail[:4]))
	if string(head[:4]) != "PAR1" || string(tail[4:]) != "PAR1" || footer > size-12 {
		return nil, false
	}
	meta = make([]byte, footer)
	if _, err := r.ReadAt(meta, size-8-footer); err != nil {
		return nil, false
	}
	return meta, checkThrift(meta) == nil
}

// checkIndexes checks what parquet.OpenFile reads beyond the footer: the
// column and offset indexes (it allocates their total length, as read from
// the footer, and decodes each), and the bloom filter headers (decoded at
// offsets the footer gives, with no bound on nesting). A file whose footer
// does not decode passes, for openFile to refuse.
func checkIndexes(r io.ReaderAt, size int64) error {
	meta, ok := footerBytes(r, size)
	if !ok {
		return nil
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), meta, &md); err != nil {
		return nil
	}
	if len(md.RowGroups) == 0 || len(md.RowGroups[0].Columns) == 0 {
		return nil
	}
	first := &md.RowGroups[0].Columns[0]
	var buf []byte
	for _, index := range []struct {
		what, plural string
		start        int64 // where parquet-go reads all the indexes of the kind
		at           func(*format.ColumnChunk) (int64, int32)
	}{
		{"column index", "column indexes", first.ColumnIndexOffset,
			func(c *format.ColumnChunk) (int64, int32) { return c.ColumnIndexOffset, c.ColumnIndexLength }},
		{"offset index", "offset indexes", first.OffsetIndexOffset,
			func(c *format.ColumnChunk) (int64, int32) { return c.OffsetIndexOffset, c.OffsetIndexLength }},
	} {
		var total int64
		for i := range md.RowGroups {
			for j := range md.RowGroups[i].Columns {
				offset, length := index.at(&md.RowGroups[i].Columns[j])
				if offset < 0 || length < 0 {
					return fmt.Errorf("%s of %d bytes at offset %d", index.what, length, offset)
				}
				if total += int64(length); total > size {
					return fmt.Errorf("%s of more than %d bytes in a file of %d", index.plural, total, size)
				}
			}
		}
		if index.start <= 0 {
			continue // parquet-go reads none
		}
		if index.start > size || total > size-index.start {
			return fmt.Errorf("%s of %d bytes at offset %d in a file of %d bytes", index.plural, total, index.start, size)
		}
		for i := range md.RowGroups {
			for j := range md.RowGroups[i].Columns {
				offset, length := index.at(&md.RowGroups[i].Columns[j])
				if offset <= 0 {
					continue
				}
				if rel := offset - index.start; rel < 0 || int64(length) > total-rel {
					return fmt.Errorf("%s of row group %d, column %d lies outside the %s", index.what, i, j, index.plural)
				}
				if _, err := walkAt(r, offset, int64(length), &buf, walkStruct); err != nil {
					return fmt.Errorf("%s of row group %d, column %d: %w", index.what, i, j, err)
				}
			}
		}
	}
	for i := range md.RowGroups {
		for j := range md.RowGroups[i].Columns {
			offset := md.RowGroups[i].Columns[j].MetaData.BloomFilterOffset
			if offset <= 0 {
				continue
			}
			if offset >= size {
				return fmt.Errorf("bloom filter of row group %d, column %d at offset %d in a file of %d bytes", i, j, offset, size)
			}
			if _, err := walkAt(r, offset, size-offset, &buf, walkStruct); err != nil {
				return fmt.Errorf("bloom filter header of row group %d, column %d: %w", i, j, err)
			}
		}
	}
	return nil
}

// walkAt runs walk over the Thrift struct at offset off of r, of at most
// limit bytes, and returns its length; an error gives the offset in the
// file where the walk stopped. It reads headerWindow bytes, then eight
// times more until walk succeeds or limit is reached; buf is reused.
func walkAt(r io.ReaderAt, off, limit int64, buf *[]byte, walk func(*thriftWalker) error) (int, error) {
	window := min(limit, headerWindow)
	for {
		if int64(cap(*buf)) < window {
			*buf = make([]byte, window)
		}
		b := (*buf)[:window]
		if _, err := r.ReadAt(b, off); err != nil {
			return 0, err
		}
		w := thriftWalker{b: b}
		err := walk(&w)
		if err == nil {
			return w.i, nil
		}
		if window == limit {
			return 0, fmt.Errorf("corrupt at byte %d: %w", off+int64(w.i), err)
		}
		window = min(limit, 8*window)
	}
}

// walkStruct walks a struct, checking its sizes and nesting (see
// checkThrift).
func walkStruct(w *thriftWalker) error { return w.value(tStruct, 0) }

// i32 reads a compact-protocol i32 (a zigzag varint).
func (w *thriftWalker) i32() (int32, error) {
	u, err := w.uvarint()
	if err != nil {
		return 0, err
	}
	if u > math.MaxUint32 {
		return 0, errors.New("i32 out of range")
	}
	return int32(u>>1) ^ -int32(u&1), nil
}

// pageHeader holds the fields of a Parquet PageHeader that bound what
// decoding the page allocates.
type pageHeader struct {
	typ          format.PageType
	uncompressed int32
	compressed   int32
	hasHeader    bool // the header of the page's type is present
	numValues    int32
	encoding     format.Encoding
	levelsEnc    format.Encoding // definition levels, DATA_PAGE only
	defLength    int32           // DATA_PAGE_V2 only, as repLength
	repLength    int32
	v2Compressed bool // DATA_PAGE_V2's is_compressed, true by default
}

// parsePageHeader walks a PageHeader (parquet.thrift) and keeps the fields
// of pageHeader.
func parsePageHeader(w *thriftWalker) (h pageHeader, err error) {
	h.typ = -1
	h.v2Compressed = true
	i32 := func(p *int32) (bool, error) {
		v, err := w.i32()
		*p = v
		return true, err
	}
	err = w.fields(0, func(id int, t byte) (bool, error) {
		switch {
		case id == 1 && t == tI32:
			return i32((*int32)(&h.typ))
		case id == 2 && t == tI32:
			return i32(&h.uncompressed)
		case id == 3 && t == tI32:
			return i32(&h.compressed)
		case t != tStruct:
			return false, nil
		}
		var sub func(id int, t byte) (bool, error)
		switch {
		case id == 5 && h.typ == format.DataPage: // DataPageHeader
			sub = func(id int, t byte) (bool, error) {
				switch {
				case id == 1 && t == tI32:
					return i32(&h.numValues)
				case id == 2 && t == tI32:
					return i32((*int32)(&h.encoding))
				case id == 3 && t == tI32:
					return i32((*int32)(&h.levelsEnc))
				}
				return false, nil
			}
		case id == 7 && h.typ == format.DictionaryPage: // DictionaryPageHeader
			sub = func(id int, t byte) (bool, error) {
				switch {
				case id == 1 && t == tI32:
					return i32(&h.numValues)
				case id == 2 && t == tI32:
					return i32((*int32)(&h.encoding))
				}
				return false, nil
			}
		case id == 8 && h.typ == format.DataPageV2: // DataPageHeaderV2
			sub = func(id int, t byte) (bool, error) {
				switch {
				case id == 1 && t == tI32:
					return i32(&h.numValues)
				case id == 4 && t == tI32:
					return i32((*int32)(&h.encoding))
				case id == 5 && t == tI32:
					return i32(&h.defLength)
				case id == 6 && t == tI32:
					return i32(&h.repLength)
				case id == 7 && (t == tTrue || t == tFalse):
					h.v2Compressed = t == tTrue
					return true, nil
				}
				return false, nil
			}
		default:
			return false, nil
		}
		h.hasHeader = true
		return true, w.fields(1, sub)
	})
	return h, err
}

// pageChecker walks the pages of column chunks; its buffers are reused.
type pageChecker struct {
	r       io.ReaderAt
	size    int64
	codec   format.CompressionCodec
	header  []byte
	page    []byte
	inflate []byte
}

// checkPageSizes walks the page headers of every column chunk of file and
// refuses a page that claims more than its chunk: compressed bytes past
// the chunk's end, or more uncompressed bytes than the chunk's declared
// total. parquet-go allocates a page's declared uncompressed size before
// it decompresses; bounded by its chunk's total, which CheckParquet bounds
// for the files a user gives, a page cannot claim gigabytes from a few
// bytes.
func checkPageSizes(r io.ReaderAt, size int64, file *parquet.File) error {
	var header []byte
	for i, rg := range file.Metadata().RowGroups {
		for j := range rg.Columns {
			md := &rg.Columns[j].MetaData
			err := walkChunk(r, size, md, &header, func(h *pageHeader, at, _ int64) error {
				if h.uncompressed < 0 || int64(h.uncompressed) > md.TotalUncompressedSize {
					return fmt.Errorf("page at byte %d claims %d bytes uncompressed, its column chunk %d in all", at, h.uncompressed, md.TotalUncompressedSize)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("column %q, row group %d: %w", strings.Join(md.PathInSchema, "."), i, err)
			}
		}
	}
	return nil
}

// walkChunk walks the pages of the column chunk md describes, in a file
// of size bytes: it checks that the chunk lies in the file and that each
// page's header decodes and its stored bytes fit in the chunk, and calls
// visit with each header, the byte it begins at and the byte its data
// begins at. parquet-go reads a chunk from its dictionary page, if it has
// one.
func walkChunk(r io.ReaderAt, size int64, md *format.ColumnMetaData, header *[]byte, visit func(h *pageHeader, at, data int64) error) error {
	start, length := md.DataPageOffset, md.TotalCompressedSize
	if md.DictionaryPageOffset != 0 {
		start = md.DictionaryPageOffset
	}
	if start < 4 || length < 0 || start > size || length > size-start {
		return fmt.Errorf("column chunk of %d bytes at offset %d in a file of %d bytes", length, start, size)
	}
	end := start + length
	for pos := start; pos < end; {
		var h pageHeader
		n, err := walkAt(r, pos, end-pos, header, func(w *thriftWalker) (err error) {
			h, err = parsePageHeader(w)
			return err
		})
		if err != nil {
			return fmt.Errorf("page header at byte %d: %w", pos, err)
		}
		at := pos
		pos += int64(n)
		if h.compressed < 0 || int64(h.compressed) > end-pos {
			return fmt.Errorf("page at byte %d claims %d bytes, its column chunk has %d left", at, h.compressed, end-pos)
		}
		if err := visit(&h, at, pos); err != nil {
			return err
		}
		pos += int64(h.compressed)
	}
	return nil
}

// checkPages walks every page of every column chunk of a file of flat
// columns (ReadColumns has checked the schema) and checks that decoding
// it allocates no more than maxPageBytes for the page's values, and that
// the pages of a chunk hold one value for each of the row group's rows.
func checkPages(r io.ReaderAt, size int64, file *parquet.File, fields []parquet.Field) error {
	pc := &pageChecker{r: r, size: size}
	for i, rg := range file.Metadata().RowGroups {
		if len(rg.Columns) != len(fields) {
			return fmt.Errorf("row group %d has %d columns, the schema %d", i, len(rg.Columns), len(fields))
		}
		for j := range rg.Columns {
			md := &rg.Columns[j].MetaData
			pc.codec = md.Codec
			if err := pc.chunk(md, rg.NumRows, fields[j].Optional()); err != nil {
				return fmt.Errorf("column %q, row group %d: %w", fields[j].Name(), i, err)
			}
		}
	}
	return nil
}

// chunk checks the pages of one column chunk of a row group of rows rows.
func (pc *pageChecker) chunk(md *format.ColumnMetaData, rows int64, optional bool) error {
	var values int64
	err := walkChunk(pc.r, pc.size, md, &pc.header, func(h *pageHeader, at, data int64) error {
		if err := pc.page1(h, data, rows, &values, optional); err != nil {
			return fmt.Errorf("page at byte %d: %w", at, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if values != rows {
		return fmt.Errorf("the pages hold %d values for %d rows", values, rows)
	}
	return nil
}

// page1 checks the page whose header is h and whose data begins at byte
// pos, adding its values to *values.
func (pc *pageChecker) page1(h *pageHeader, pos, rows int64, values *int64, optional bool) error {
	if !h.hasHeader {
		return fmt.Errorf("page of type %d without the header of its type", h.typ)
	}
	nv := int64(h.numValues)
	switch h.typ {
	case format.DataPage, format.DataPageV2:
		if nv < 0 || nv > rows-*values {
			return fmt.Errorf("%d values where %d of the row group's %d rows are left", nv, rows-*values, rows)
		}
		*values += nv
	case format.DictionaryPage:
		// A dictionary holds distinct values of the chunk: no more than rows.
		if nv < 0 || nv > rows {
			return fmt.Errorf("dictionary of %d values for %d rows", nv, rows)
		}
		if h.encoding != format.Plain && h.encoding != plainDictionary {
			return fmt.Errorf("dictionary encoded with %s", h.encoding)
		}
	default:
		return fmt.Errorf("page of type %s", h.typ)
	}
	limit := maxPageBytes(nv)
	if h.uncompressed < 0 || int64(h.uncompressed) > limit {
		return fmt.Errorf("%d bytes uncompressed for %d values", h.uncompressed, nv)
	}
	switch h.encoding {
	case format.Plain, plainDictionary, format.RLE, format.DeltaBinaryPacked, format.RLEDictionary, format.ByteStreamSplit:
	default:
		return fmt.Errorf("values encoded with %s", h.encoding)
	}
	// The bytes whose decoding the checks below bound: a v1 page's levels and
	// values, compressed together, or a v2 page's values (its levels come
	// first, uncompressed).
	data, compressed := pos, int64(h.compressed)
	var levels []byte
	if h.typ == format.DataPageV2 {
		if h.defLength < 0 || h.repLength < 0 || int64(h.defLength)+int64(h.repLength) > compressed {
			return fmt.Errorf("levels of %d and %d bytes in a page of %d", h.defLength, h.repLength, compressed)
		}
		if optional && h.defLength > 0 {
			levels = make([]byte, h.defLength)
			if _, err := pc.r.ReadAt(levels, pos+int64(h.repLength)); err != nil {
				return err
			}
			if err := checkRuns(levels, 1, nv); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
		}
		skip := int64(h.defLength) + int64(h.repLength)
		data, compressed = data+skip, compressed-skip
	}
	codec := pc.codec
	if h.typ == format.DataPageV2 && !h.v2Compressed {
		codec = format.Uncompressed
	}
	v1Levels := h.typ == format.DataPage && optional
	needContent := v1Levels || h.encoding == format.RLE || h.encoding == format.RLEDictionary ||
		h.encoding == format.DeltaBinaryPacked || (h.typ != format.DictionaryPage && h.encoding == plainDictionary)
	if (codec == format.Uncompressed || compressed == 0) && !needContent {
		return nil // nothing to inflate
	}
	// A Snappy stream's length is in its first bytes; other checks need
	// the whole page.
	read := compressed
	if codec == format.Snappy && !needContent {
		read = min(compressed, binary.MaxVarintLen64)
	}
	if int64(cap(pc.page)) < read {
		pc.page = make([]byte, read)
	}
	raw := pc.page[:read]
	if _, err := pc.r.ReadAt(raw, data); err != nil {
		return err
	}
	if err := checkInflatedSize(codec, raw, limit); err != nil {
		return err
	}
	if !needContent {
		return nil
	}
	content := raw
	if codec != format.Uncompressed {
		out, err := parquet.LookupCompressionCodec(codec).Decode(pc.inflate[:0], raw)
		if err != nil {
			return fmt.Errorf("decompressing: %w", err)
		}
		pc.inflate, content = out, out
	}
	if v1Levels {
		if len(content) < 4 {
			return errors.New("definition levels: no length")
		}
		n := int64(binary.LittleEndian.Uint32(content))
		if n > int64(len(content)-4) {
			return fmt.Errorf("definition levels of %d bytes in a page of %d", n, len(content)-4)
		}
		if h.levelsEnc == format.RLE {
			if err := checkRuns(content[4:4+n], 1, nv); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
		}
		content = content[4+n:]
	}
	return checkValues(h.encoding, h.typ == format.DictionaryPage, content, nv)
}

// checkInflatedSize checks that a compressed stream decodes to at most
// limit bytes: by the length a Snappy stream declares, the sizes of a zstd
// stream's frames and blocks, or by inflating a gzip stream.
func checkInflatedSize(codec format.CompressionCodec, raw []byte, limit int64) error {
	switch codec {
	case format.Uncompressed:
		return nil
	case format.Snappy:
		n, k := binary.Uvarint(raw)
		if k <= 0 {
			return errors.New("corrupt Snappy stream")
		}
		if n > uint64(limit) {
			return fmt.Errorf("a Snappy stream of %d bytes uncompressed, more than the page's values can need (%d)", n, limit)
		}
		return nil
	case format.Zstd:
		n, err := zstdSize(raw, limit)
		if err != nil {
			return fmt.Errorf("corrupt zstd stream: %w", err)
		}
		if n > limit {
			return fmt.Errorf("zstd stream of up to %d bytes uncompressed, more than the page's values can need (%d)", n, limit)
		}
		return nil
	case format.Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("corrupt gzip stream: %w", err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
		if err != nil {
			return fmt.Errorf("corrupt gzip stream: %w", err)
		}
		if n > limit {
			return fmt.Errorf("gzip stream of more than %d bytes uncompressed, more than the page's values can need", limit)
		}
		return nil
	}
	return fmt.Errorf("compressed with %s", codec)
}

// zstdSize returns the most bytes the zstd frames in b decode to (RFC
// 8878): a frame's declared content size, or the sum of its blocks' sizes,
// a compressed block counted at the largest it may decode to. It stops
// with an error beyond limit.
func zstdSize(b []byte, limit int64) (int64, error) {
	const maxBlock = 128 << 10
	var total int64
	for len(b) > 0 {
		if len(b) < 4 {
			return 0, errors.New("truncated frame")
		}
		magic := binary.LittleEndian.Uint32(b)
		if magic&0xfffffff0 == 0x184d2a50 { // skippable frame
			if len(b) < 8 || int64(binary.LittleEndian.Uint32(b[4:])) > int64(len(b)-8) {
				return 0, errors.New("truncated skippable frame")
			}
			b = b[8+binary.LittleEndian.Uint32(b[4:]):]
			continue
		}
		if magic != 0xfd2fb528 {
			return 0, errors.New("no frame magic")
		}
		b = b[4:]
		if len(b) < 1 {
			return 0, errors.New("truncated frame header")
		}
		descriptor := b[0]
		b = b[1:]
		singleSegment := descriptor&0x20 != 0
		window := int64(-1)
		if !singleSegment {
			if len(b) < 1 {
				return 0, errors.New("truncated frame header")
			}
			base := int64(1) << (10 + b[0]>>3)
			window = base + base/8*int64(b[0]&7)
			b = b[1:]
		}
		dictID := [4]int{0, 1, 2, 4}[descriptor&3]
		fcsSize := [4]int{0, 2, 4, 8}[descriptor>>6]
		if fcsSize == 0 && singleSegment {
			fcsSize = 1
		}
		if len(b) < dictID+fcsSize {
			return 0, errors.New("truncated frame header")
		}
		b = b[dictID:]
		contentSize := int64(-1)
		if fcsSize > 0 {
			var v [8]byte
			copy(v[:], b[:fcsSize])
			u := binary.LittleEndian.Uint64(v[:])
			if fcsSize == 2 {
				u += 256
			}
			if u > uint64(limit) {
				return 0, fmt.Errorf("frame of %d bytes", u)
			}
			contentSize = int64(u)
			b = b[fcsSize:]
		}
		if singleSegment {
			window = contentSize
		}
		// A block decodes to at most the window, which decoders take to
		// be at least 1 kB, and at most 128 kB.
		blockMax := min(max(window, 1<<10), maxBlock)
		var frame int64
		for last := false; !last; {
			if len(b) < 3 {
				return 0, errors.New("truncated block")
			}
			h := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
			b = b[3:]
			last = h&1 != 0
			size := int64(h >> 3)
			if size > maxBlock {
				return 0, fmt.Errorf("block of %d bytes", size)
			}
			switch (h >> 1) & 3 {
			case 0: // raw
				if size > int64(len(b)) {
					return 0, errors.New("truncated block")
				}
				b, frame = b[size:], frame+size
			case 1: // RLE: one byte repeated size times
				if len(b) < 1 {
					return 0, errors.New("truncated block")
				}
				b, frame = b[1:], frame+size
			case 2: // compressed
				if size > int64(len(b)) {
					return 0, errors.New("truncated block")
				}
				b, frame = b[size:], frame+blockMax
			default:
				return 0, errors.New("reserved block type")
			}
			if total+frame > limit {
				return total + frame, nil
			}
		}
		if descriptor&0x04 != 0 { // content checksum
			if len(b) < 4 {
				return 0, errors.New("truncated checksum")
			}
			b = b[4:]
		}
		total += max(frame, contentSize)
		if total > limit {
			return total, nil
		}
	}
	return total, nil
}

// checkValues checks the values of a decompressed page of nv values
// encoded with enc, for the encodings whose decoder allocates what the
// data claims: RLE (booleans: a 4-byte length, then runs of bit width 1),
// dictionary indexes (a bit width byte, then runs) and DELTA_BINARY_PACKED
// (a value count in its header). The other encodings decode no more
// values than their bytes hold.
func checkValues(enc format.Encoding, dictionary bool, b []byte, nv int64) error {
	switch {
	case enc == format.RLE:
		if len(b) < 4 {
			return errors.New("RLE values: no length")
		}
		n := int64(binary.LittleEndian.Uint32(b))
		if n > int64(len(b)-4) {
			return fmt.Errorf("RLE values of %d bytes in a page of %d", n, len(b)-4)
		}
		if err := checkRuns(b[4:4+n], 1, nv); err != nil {
			return fmt.Errorf("RLE values: %w", err)
		}
	case (enc == format.RLEDictionary || enc == plainDictionary) && !dictionary:
		if len(b) < 1 {
			return errors.New("dictionary indexes: no bit width")
		}
		if b[0] > 32 {
			return fmt.Errorf("dictionary indexes of bit width %d", b[0])
		}
		if err := checkRuns(b[1:], int(b[0]), nv); err != nil {
			return fmt.Errorf("dictionary indexes: %w", err)
		}
	case enc == format.DeltaBinaryPacked:
		// Block size, miniblocks per block, then the value count.
		for range 2 {
			_, k := binary.Uvarint(b)
			if k <= 0 {
				return errors.New("corrupt DELTA_BINARY_PACKED header")
			}
			b = b[k:]
		}
		n, k := binary.Uvarint(b)
		if k <= 0 {
			return errors.New("corrupt DELTA_BINARY_PACKED header")
		}
		if n > uint64(nv) {
			return fmt.Errorf("DELTA_BINARY_PACKED header claims %d values in a page of %d", n, nv)
		}
	}
	return nil
}

// checkRuns checks that the runs of RLE/bit-packed hybrid data b, of bit
// width width, decode to no more than nv values, and at most 7 values of
// padding per run.
func checkRuns(b []byte, width int, nv int64) error {
	var total, runs int64
	for i := 0; i < len(b); {
		u, k := binary.Uvarint(b[i:])
		if k <= 0 {
			return errors.New("corrupt run header")
		}
		i += k
		runs++
		count := u >> 1
		if count > uint64(nv)+8 {
			return fmt.Errorf("run of %d values in a page of %d", count, nv)
		}
		if u&1 != 0 { // bit-packed: count groups of 8 values, width bytes each
			total += 8 * int64(count)
			i += int(count) * width
		} else { // repeated: one value of width bits
			total += int64(count)
			i += (width + 7) / 8
		}
		if total > nv+8*runs {
			return fmt.Errorf("runs of %d values in a page of %d", total, nv)
		}
	}
	return nil
}
