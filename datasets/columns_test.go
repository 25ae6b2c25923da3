package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// testColumns returns n rows of float columns, then an INT64 and a BOOLEAN
// column. The first rows hold the values a round trip could bend: -0, the
// infinities, NaN, the extreme and subnormal doubles, and the INT64 values
// at the ends of float64's exact range.
func testColumns(n, floats int) []Column {
	special := []float64{math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.MaxFloat64, -math.SmallestNonzeroFloat64, 1e-310, 0.1}
	specialInt := []int64{1 << 53, -(1 << 53), math.MinInt64, 0, -1}
	cols := make([]Column, 0, floats+2)
	for j := range floats {
		v := make([]float64, n)
		for i := range v {
			if i < len(special) {
				v[i] = special[(i+j)%len(special)]
			} else {
				v[i] = float64(i*(j+1))/7 - float64(j)
			}
		}
		cols = append(cols, Column{Name: fmt.Sprintf("f%02d", j), Float: v})
	}
	ints := make([]int64, n)
	bools := make([]bool, n)
	for i := range n {
		ints[i] = int64(i)*3 - 1000
		if i < len(specialInt) {
			ints[i] = specialInt[i]
		}
		bools[i] = i%3 == 1
	}
	return append(cols, Column{Name: "count", Int: ints}, Column{Name: "is_anomaly", Bool: bools})
}

func writeColumns(t testing.TB, cols []Column) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteColumns(&buf, cols); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readColumns(data []byte, maxRows int) ([]string, [][]float64, int, error) {
	return ReadColumns(bytes.NewReader(data), int64(len(data)), "x.parquet", maxRows, 1000)
}

// asFloats returns a column's values as ReadColumns gives them: ints
// converted, booleans 0 and 1.
func asFloats(c Column) []float64 {
	switch {
	case c.Float != nil:
		return c.Float
	case c.Int != nil:
		v := make([]float64, len(c.Int))
		for i, x := range c.Int {
			v[i] = float64(x)
		}
		return v
	}
	v := make([]float64, len(c.Bool))
	for i, b := range c.Bool {
		if b {
			v[i] = 1
		}
	}
	return v
}

// sameBits reports whether a and b hold the same float64s bit for bit. A
// round trip through a file must not change a value at all (not even the
// sign of a zero or a NaN), so this is exact equality, not a tolerance.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestColumnsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows int
	}{
		{"empty", 0},
		{"one row", 1},
		{"one row group", 1000},
		// More rows than a row group and a batch, and not a multiple of either.
		{"three row groups", 2*RowGroupRows + BatchRows + 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols := testColumns(tc.rows, 3)
			names, got, rows, err := readColumns(writeColumns(t, cols), tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if rows != tc.rows {
				t.Errorf("%d rows, want %d", rows, tc.rows)
			}
			want := make([]string, len(cols))
			for j, c := range cols {
				want[j] = c.Name
			}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("names mismatch (-want +got):\n%s", diff)
			}
			if len(got) != len(cols) {
				t.Fatalf("%d columns, want %d", len(got), len(cols))
			}
			for j, c := range cols {
				if !sameBits(asFloats(c), got[j]) {
					t.Errorf("column %s: values differ after the round trip:\n%.1000s", c.Name, cmp.Diff(asFloats(c), got[j]))
				}
			}
		})
	}
}

func ExampleWriteColumns() {
	var file bytes.Buffer
	err := WriteColumns(&file, []Column{
		{Name: "score", Float: []float64{0.25, 0.5, 0.75}},
		{Name: "label", Int: []int64{0, 1, 2}},
		{Name: "flagged", Bool: []bool{false, true, true}},
	})
	if err != nil {
		panic(err)
	}
	names, cols, rows, err := ReadColumns(bytes.NewReader(file.Bytes()), int64(file.Len()), "answer.parquet", 1000, 1000)
	if err != nil {
		panic(err)
	}
	fmt.Println(rows, "rows")
	for j, name := range names {
		fmt.Println(name, cols[j])
	}
	// Output:
	// 3 rows
	// score [0.25 0.5 0.75]
	// label [0 1 2]
	// flagged [0 1 1]
}

// The written file is the documented one: columns in the caller's order
// (not sorted by name), required, of the column's type, Snappy-compressed
// in version 1 data pages, with fixed metadata.
func TestWriteColumnsLayout(t *testing.T) {
	cols := []Column{
		{Name: "zeta", Float: []float64{1, 2}},
		{Name: "alpha", Int: []int64{3, 4}},
		{Name: "Mid dle, \"quoted\"", Bool: []bool{true, false}},
	}
	data := writeColumns(t, cols)
	file, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range file.Schema().Fields() {
		got = append(got, fmt.Sprintf("%s %s required=%t", f.Name(), f.Type().Kind(), f.Required()))
	}
	want := []string{"zeta DOUBLE required=true", "alpha INT64 required=true", "Mid dle, \"quoted\" BOOLEAN required=true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema mismatch (-want +got):\n%s", diff)
	}
	meta := file.Metadata()
	if want := "segharness version 1 (build columns)"; meta.CreatedBy != want {
		t.Errorf("created_by %q, want %q", meta.CreatedBy, want)
	}
	if v, ok := file.Lookup("segharness.columns"); !ok || v != columnsVersion {
		t.Errorf("segharness.columns = %q, %t; want %q", v, ok, columnsVersion)
	}
	for _, rg := range meta.RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Snappy {
				t.Errorf("column %s compressed with %s, want SNAPPY", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
			if len(c.MetaData.EncodingStats) == 0 {
				t.Errorf("column %s: no encoding stats to tell the page version", c.MetaData.PathInSchema)
			}
			for _, s := range c.MetaData.EncodingStats {
				if s.PageType != format.DataPage {
					t.Errorf("column %s has %s pages, want DATA_PAGE (version 1)", c.MetaData.PathInSchema, s.PageType)
				}
			}
		}
	}
}

func TestWriteColumnsDeterministic(t *testing.T) {
	a := writeColumns(t, testColumns(RowGroupRows+5, 4))
	b := writeColumns(t, testColumns(RowGroupRows+5, 4))
	if !bytes.Equal(a, b) {
		t.Error("the same columns written twice give different bytes")
	}
}

func TestWriteColumnsMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		cols []Column
		want string
	}{
		{"no columns", nil, "datasets: WriteColumns with no columns"},
		{"no values", []Column{{Name: "a"}}, `datasets: WriteColumns column 0 ("a") must have exactly one of Float, Int and Bool non-nil`},
		{"two types", []Column{{Name: "a", Float: []float64{1}, Int: []int64{1}}}, `datasets: WriteColumns column 0 ("a") must have exactly one of Float, Int and Bool non-nil`},
		{"no name", []Column{{Float: []float64{1}}}, "datasets: WriteColumns column 0 has no name"},
		{"same name", []Column{{Name: "a", Float: []float64{1}}, {Name: "a", Int: []int64{1}}}, `datasets: WriteColumns column name "a" appears twice`},
		{"lengths", []Column{{Name: "a", Float: []float64{1, 2}}, {Name: "b", Bool: []bool{true}}}, `datasets: WriteColumns column "b" has 1 values, column "a" 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if got := fmt.Sprint(recover()); got != tc.want {
					t.Errorf("panic %q, want %q", got, tc.want)
				}
			}()
			WriteColumns(&bytes.Buffer{}, tc.cols)
		})
	}
}

// TestReadColumnsMaxColumns: a file of more columns than the caller
// accepts is refused before its values are read.
func TestReadColumnsMaxColumns(t *testing.T) {
	data := writeColumns(t, testColumns(10, 1))
	_, _, _, err := ReadColumns(bytes.NewReader(data), int64(len(data)), "x.parquet", 10, 1)
	if err == nil || !strings.Contains(err.Error(), "columns, more than the 1 accepted") {
		t.Errorf("error %v", err)
	}
}

func TestReadColumnsMisuse(t *testing.T) {
	defer func() {
		if got, want := fmt.Sprint(recover()), "datasets: ReadColumns with maxRows -1, maxColumns 1000"; got != want {
			t.Errorf("panic %q, want %q", got, want)
		}
	}()
	readColumns(writeColumns(t, testColumns(1, 1)), -1)
}

// writeParquet writes rows with parquet-go's own writer: files as another
// program would write them.
func writeParquet[T any](t testing.TB, rows []T, options ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, options...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// otherRow has every column type ReadColumns accepts, optional columns, a
// dictionary-encoded one, and the DELTA_BINARY_PACKED and
// BYTE_STREAM_SPLIT encodings.
type otherRow struct {
	Score  *float64 `parquet:"score,optional"`
	Small  float32  `parquet:"small"`
	Label  int32    `parquet:"label"`
	Big    uint64   `parquet:"big"`
	Flag   bool     `parquet:"flag"`
	Count  *int64   `parquet:"count,optional"`
	Repeat float64  `parquet:"repeat,dict"`
	Delta  int64    `parquet:"delta,delta"`
	Split  float64  `parquet:"split,split"`
}

func otherRows(n int) []otherRow {
	rows := make([]otherRow, n)
	for i := range rows {
		score, count := float64(i)/8, int64(-i)
		rows[i] = otherRow{&score, float32(i) / 4, int32(i % 5), math.MaxUint64 - uint64(i%2)*(1<<11), i%2 == 0, &count,
			float64(i % 3), int64(i) * 1000, -float64(i) / 16}
	}
	return rows
}

// wantOtherRows is otherRows(n) as ReadColumns reads it, column by column;
// the values are exact in float64 (eighths, quarters, sixteenths, small
// integers, and 2^64-1 and 2^64-2^11-1, which round to 2^64 and
// 2^64-2^11).
func wantOtherRows(n int) [][]float64 {
	cols := make([][]float64, 9)
	for i := range n {
		flag := 0.0
		if i%2 == 0 {
			flag = 1
		}
		row := []float64{float64(i) / 8, float64(i) / 4, float64(i % 5), 0x1p64 - float64(i%2)*0x1p11, flag, float64(-i),
			float64(i % 3), float64(i) * 1000, -float64(i) / 16}
		for j, v := range row {
			cols[j] = append(cols[j], v)
		}
	}
	return cols
}

// TestReadColumnsOtherWriters reads files written by parquet-go with the
// choices other programs make: optional columns, FLOAT, INT32, unsigned
// INT64, dictionary encoding, version 2 pages, each accepted codec, small
// pages and row groups.
func TestReadColumnsOtherWriters(t *testing.T) {
	const n = 3000
	wantNames := []string{"score", "small", "label", "big", "flag", "count", "repeat", "delta", "split"}
	for _, tc := range []struct {
		name    string
		options []parquet.WriterOption
	}{
		{"defaults", nil},
		{"v1 pages", []parquet.WriterOption{parquet.DataPageVersion(1)}},
		{"uncompressed", []parquet.WriterOption{parquet.Compression(&parquet.Uncompressed)}},
		{"snappy", []parquet.WriterOption{parquet.Compression(&parquet.Snappy)}},
		{"gzip", []parquet.WriterOption{parquet.Compression(&parquet.Gzip)}},
		{"zstd", []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}},
		{"small pages and row groups", []parquet.WriterOption{parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(700)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names, cols, rows, err := readColumns(writeParquet(t, otherRows(n), tc.options...), n)
			if err != nil {
				t.Fatal(err)
			}
			if rows != n {
				t.Errorf("%d rows, want %d", rows, n)
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("names mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantOtherRows(n), cols); diff != "" {
				t.Errorf("values mismatch (-want +got):\n%.2000s", diff)
			}
		})
	}
}

func TestReadColumnsErrors(t *testing.T) {
	good := writeColumns(t, testColumns(100, 2))
	type withString struct {
		X    float64 `parquet:"x"`
		Name string  `parquet:"name"`
	}
	type withNull struct {
		X     float64  `parquet:"x"`
		Score *float64 `parquet:"score,optional"`
	}
	one := 1.0
	type inner struct {
		A float64 `parquet:"a"`
	}
	type withGroup struct {
		X     float64 `parquet:"x"`
		Point inner   `parquet:"point"`
	}
	type withList struct {
		X      float64   `parquet:"x"`
		Values []float64 `parquet:"values"`
	}
	type withDecimal struct {
		Price int64 `parquet:"price,decimal(2:18)"`
	}
	type withTimestamp struct {
		At int64 `parquet:"at,timestamp"`
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		maxRows int
		want    string
	}{
		{"empty", nil, 10, "x.parquet: not a Parquet file: 0 bytes"},
		{"text", []byte("score,label\n0.5,1\n1.5,0\n"), 10, "x.parquet: not a Parquet file: no PAR1 magic bytes at both ends"},
		{"truncated", good[:len(good)/2], 10, "x.parquet: not a Parquet file"},
		{"string column", writeParquet(t, []withString{{1, "a"}}), 10,
			`x.parquet: column "name" has type STRING; ReadColumns reads BOOLEAN, INT32, INT64, FLOAT or DOUBLE numbers`},
		// Row 2 (counted from 0) is the null.
		{"null", writeParquet(t, []withNull{{1, &one}, {2, &one}, {3, nil}, {4, nil}}), 10,
			`x.parquet: column "score": row 2 is null`},
		{"too many rows", good, 99, "x.parquet: 100 rows, more than the 99 accepted"},
		{"nested column", writeParquet(t, []withGroup{{1, inner{2}}}), 10,
			`x.parquet: column "point" is a group (a nested column); ReadColumns reads flat columns`},
		{"repeated column", writeParquet(t, []withList{{1, []float64{2, 3}}}), 10,
			`x.parquet: column "values" is repeated (a list); ReadColumns reads flat columns`},
		{"decimal", writeParquet(t, []withDecimal{{1234}}), 10,
			`x.parquet: column "price" has type DECIMAL(18,2); ReadColumns reads BOOLEAN, INT32, INT64, FLOAT or DOUBLE numbers`},
		{"timestamp", writeParquet(t, []withTimestamp{{1}}), 10,
			`x.parquet: column "at" has type TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS); ReadColumns reads BOOLEAN, INT32, INT64, FLOAT or DOUBLE numbers`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := readColumns(tc.data, tc.maxRows)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want one beginning %q", err, tc.want)
			}
		})
	}
}

// craftedPage is a page of a hand-made file: its header (rawHeader, when
// set, instead of header) and its bytes as stored.
type craftedPage struct {
	header    format.PageHeader
	rawHeader []byte
	data      []byte
}

// craftFile makes a Parquet file by hand, as a hostile writer could: one
// row group of rows rows and one DOUBLE column x (optional if asked),
// compressed with codec, holding pages, then tail. edit, if not nil,
// changes the footer; tail begins at byte tailAt.
func craftFile(t testing.TB, rows int64, optional bool, codec format.CompressionCodec, pages []craftedPage, tail []byte,
	edit func(md *format.FileMetaData, tailAt int64)) []byte {
	t.Helper()
	file := []byte("PAR1")
	// The chunk's declared uncompressed total is what an honest writer
	// records (headers and uncompressed pages), so that the files reach
	// the checks of the pages' contents.
	var uncompressed int64
	for _, p := range pages {
		h := p.rawHeader
		if h == nil {
			var err error
			if h, err = thrift.Marshal(new(thrift.CompactProtocol), &p.header); err != nil {
				t.Fatal(err)
			}
		}
		file = append(append(file, h...), p.data...)
		uncompressed += int64(len(h)) + max(0, int64(p.header.UncompressedPageSize))
	}
	chunk := int64(len(file) - 4)
	tailAt := int64(len(file))
	file = append(file, tail...)
	repetition := format.Required
	if optional {
		repetition = format.Optional
	}
	md := format.FileMetaData{
		Version: 1,
		Schema: []format.SchemaElement{
			{Name: "schema", NumChildren: thrift.New[int32](1)},
			{Name: "x", Type: thrift.New(format.Double), RepetitionType: thrift.New(repetition)},
		},
		NumRows: rows,
		RowGroups: []format.RowGroup{{
			Columns: []format.ColumnChunk{{FileOffset: 4, MetaData: format.ColumnMetaData{
				Type: format.Double, Encoding: []format.Encoding{format.Plain}, PathInSchema: []string{"x"}, Codec: codec,
				NumValues: rows, TotalUncompressedSize: uncompressed, TotalCompressedSize: chunk, DataPageOffset: 4,
			}}},
			TotalByteSize: chunk,
			NumRows:       rows,
		}},
	}
	if edit != nil {
		edit(&md, tailAt)
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		t.Fatal(err)
	}
	file = append(file, footer...)
	file = binary.LittleEndian.AppendUint32(file, uint32(len(footer)))
	return append(file, "PAR1"...)
}

// dataPage returns the header of a version 1 data page of values values,
// PLAIN encoded unless enc says otherwise, holding data as stored, which
// decompresses to uncompressed bytes.
func dataPage(values int32, enc format.Encoding, uncompressed int, data []byte) craftedPage {
	return craftedPage{header: format.PageHeader{
		Type: format.DataPage, UncompressedPageSize: int32(uncompressed), CompressedPageSize: int32(len(data)),
		DataPageHeader: thrift.New(format.DataPageHeader{NumValues: values, Encoding: enc,
			DefinitionLevelEncoding: format.RLE, RepetitionLevelEncoding: format.RLE}),
	}, data: data}
}

// plainDoubles returns values PLAIN-encoded.
func plainDoubles(values ...float64) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// runs returns n RLE runs of count repetitions of a one-byte value: the
// header of a repeated run is count<<1.
func runs(n int, count uint64) []byte {
	var b []byte
	for range n {
		b = append(binary.AppendUvarint(b, count<<1), 1)
	}
	return b
}

// withLength prefixes b with its length in 4 bytes, as RLE levels and
// booleans are stored.
func withLength(b []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// nested returns a Thrift struct nested n deep: each byte opens field 1
// of type struct, and none is closed.
func nested(n int) []byte { return bytes.Repeat([]byte{0x1c}, n) }

// zstdFrame returns a zstd frame header (magic, then a descriptor) and
// blocks, each a 3-byte header (last, type, size) and its content.
func zstdFrame(header []byte, blocks ...[]byte) []byte {
	return append(append([]byte{0x28, 0xb5, 0x2f, 0xfd}, header...), bytes.Join(blocks, nil)...)
}

func zstdBlock(last bool, typ, size int, content []byte) []byte {
	h := uint32(typ<<1 | size<<3)
	if last {
		h |= 1
	}
	return append([]byte{byte(h), byte(h >> 8), byte(h >> 16)}, content...)
}

// TestReadColumnsHostile: files whose sizes and counts claim far more than
// their bytes hold are refused before parquet-go allocates what they
// claim. Without the checks, "page size" made parquet-go allocate 2.9 GB
// from a 762-byte file, "column index" 2 GB from 766 bytes, and the same
// claim on 200 columns crashed the process out of memory.
func TestReadColumnsHostile(t *testing.T) {
	const huge = math.MaxInt32
	ten := plainDoubles(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	good := dataPage(10, format.Plain, len(ten), ten)
	snappyBomb := append(binary.AppendUvarint(nil, math.MaxUint32), ten...)
	var gzipBomb bytes.Buffer
	zw := gzip.NewWriter(&gzipBomb)
	zw.Write(make([]byte, 8<<20))
	zw.Close()
	rleBlocks := make([][]byte, 1000)
	for i := range rleBlocks {
		rleBlocks[i] = zstdBlock(i == len(rleBlocks)-1, 1, 128<<10, []byte{'x'})
	}
	columnIndexBomb := []byte{0x19, 0xf1, 0x80, 0xca, 0xb5, 0xee, 0x01} // field 1: a list of 500,000,000 booleans
	// Byte positions in the messages: the first page header follows the
	// 4-byte magic; the honest page (a 23-byte header, 80 bytes of values)
	// ends at byte 107, where the tail begins; a walk of nested structs
	// stops at the 33rd level (maxThriftDepth is 32), one byte each.
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"control: honest file", craftFile(t, 10, false, format.Uncompressed, []craftedPage{good}, nil, nil), ""},
		{"page size", craftFile(t, 10, false, format.Uncompressed, []craftedPage{{header: format.PageHeader{
			Type: format.DataPage, UncompressedPageSize: 80, CompressedPageSize: huge,
			DataPageHeader: good.header.DataPageHeader}, data: ten}}, nil, nil),
			`column "x", row group 0: page at byte 4 claims 2147483647 bytes, its column chunk has 80 left`},
		{"uncompressed size", craftFile(t, 10, false, format.Snappy, []craftedPage{dataPage(10, format.Plain, huge, ten)}, nil, nil),
			"page at byte 4: 2147483647 bytes uncompressed for 10 values"},
		{"value count", craftFile(t, 10, false, format.Uncompressed, []craftedPage{dataPage(huge, format.Plain, 80, ten)}, nil, nil),
			"page at byte 4: 2147483647 values where 10 of the row group's 10 rows are left"},
		{"too few values", craftFile(t, 11, false, format.Uncompressed, []craftedPage{good}, nil, nil),
			"the pages hold 10 values for 11 rows"},
		{"snappy length", craftFile(t, 10, false, format.Snappy, []craftedPage{dataPage(10, format.Plain, 80, snappyBomb)}, nil, nil),
			"Snappy stream of 4294967295 bytes uncompressed"},
		{"zstd content size", craftFile(t, 10, false, format.Zstd, []craftedPage{dataPage(10, format.Plain, 80,
			zstdFrame([]byte{0xa0, 0, 0, 0, 0x40}, zstdBlock(true, 0, 5, []byte("hello"))))}, nil, nil),
			"corrupt zstd stream: frame of 1073741824 bytes"},
		{"zstd RLE blocks", craftFile(t, 10, false, format.Zstd, []craftedPage{dataPage(10, format.Plain, 80,
			zstdFrame([]byte{0x00, 17 << 3}, rleBlocks...))}, nil, nil),
			"zstd stream of up to 393216 bytes uncompressed, more than the page's values can need (262304)"},
		{"gzip", craftFile(t, 10, false, format.Gzip, []craftedPage{dataPage(10, format.Plain, 80, gzipBomb.Bytes())}, nil, nil),
			"gzip stream of more than 262304 bytes uncompressed"},
		{"RLE definition levels", craftFile(t, 10, true, format.Uncompressed, []craftedPage{dataPage(10, format.Plain, 80,
			append(withLength(runs(8, huge)), ten...))}, nil, nil),
			"definition levels: run of 2147483647 values in a page of 10"},
		{"RLE dictionary indexes", craftFile(t, 10, false, format.Uncompressed, []craftedPage{
			{header: format.PageHeader{Type: format.DictionaryPage, UncompressedPageSize: 8, CompressedPageSize: 8,
				DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: 1, Encoding: format.Plain})}, data: plainDoubles(1)},
			dataPage(10, format.RLEDictionary, 80, append([]byte{1}, runs(8, huge)...)),
		}, nil, func(md *format.FileMetaData, _ int64) { md.RowGroups[0].Columns[0].MetaData.DictionaryPageOffset = 4 }),
			"dictionary indexes: run of 2147483647 values in a page of 10"},
		{"RLE values", craftFile(t, 10, false, format.Uncompressed, []craftedPage{dataPage(10, format.RLE, 80, withLength(runs(8, huge)))}, nil, nil),
			"RLE values: run of 2147483647 values in a page of 10"},
		{"delta count", craftFile(t, 10, false, format.Uncompressed, []craftedPage{dataPage(10, format.DeltaBinaryPacked, 80,
			binary.AppendUvarint([]byte{0x80, 0x01, 0x04}, huge))}, nil, nil),
			"DELTA_BINARY_PACKED header claims 2147483647 values in a page of 10"},
		{"page header nesting", craftFile(t, 10, false, format.Uncompressed, []craftedPage{{rawHeader: nested(1 << 16)}}, nil, nil),
			"page header at byte 4: corrupt at byte 37: nested too deeply"},
		{"column index size", craftFile(t, 10, false, format.Uncompressed, []craftedPage{good}, nil, func(md *format.FileMetaData, tailAt int64) {
			md.RowGroups[0].Columns[0].ColumnIndexOffset, md.RowGroups[0].Columns[0].ColumnIndexLength = tailAt, huge
		}), "column indexes of more than 2147483647 bytes in a file of"},
		{"column index list", craftFile(t, 10, false, format.Uncompressed, []craftedPage{good}, columnIndexBomb, func(md *format.FileMetaData, tailAt int64) {
			md.RowGroups[0].Columns[0].ColumnIndexOffset, md.RowGroups[0].Columns[0].ColumnIndexLength = tailAt, int32(len(columnIndexBomb))
		}), "column index of row group 0, column 0: corrupt at byte 114: list of 500000000 elements in 0 bytes"},
		{"bloom filter header nesting", craftFile(t, 10, false, format.Uncompressed, []craftedPage{good}, nested(1<<16), func(md *format.FileMetaData, tailAt int64) {
			md.RowGroups[0].Columns[0].MetaData.BloomFilterOffset = tailAt
		}), "bloom filter header of row group 0, column 0: corrupt at byte 140: nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, cols, _, err := readColumns(tc.file, 100)
			runtime.ReadMemStats(&after)
			if tc.want == "" {
				if err != nil || len(cols) != 1 || !sameBits(cols[0], []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
					t.Errorf("got %v, %v; want x = 0..9", cols, err)
				}
			} else if err == nil || !strings.HasPrefix(err.Error(), "x.parquet: corrupt Parquet file: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one beginning %q and containing %q", err, "x.parquet: corrupt Parquet file: ", tc.want)
			}
			// The files are a few kilobytes, save the 8 MB gzip bomb's
			// inflation through a 32 kB window.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d bytes reading a file of %d", alloc, len(tc.file))
			}
		})
	}
}

// FuzzReadColumns: no input makes ReadColumns panic, and what it accepts
// is consistent.
func FuzzReadColumns(f *testing.F) {
	// Small seeds: the fuzzer mutates and minimizes a kilobyte faster than
	// ten.
	f.Add(writeColumns(f, testColumns(5, 1)))
	f.Add(writeColumns(f, testColumns(0, 1)))
	f.Add(writeParquet(f, otherRows(5), parquet.PageBufferSize(16), parquet.MaxRowsPerRowGroup(3)))
	f.Add(writeParquet(f, otherRows(5), parquet.Compression(&parquet.Zstd)))
	f.Add(writeParquet(f, otherRows(5), parquet.Compression(&parquet.Gzip), parquet.DataPageVersion(1)))
	f.Add(writeParquet(f, otherRows(5), parquet.Compression(&parquet.Uncompressed), parquet.DataPageVersion(1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxRows = 1000
		names, cols, rows, err := readColumns(data, maxRows)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "x.parquet: ") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if rows < 0 || rows > maxRows || len(names) != len(cols) {
			t.Fatalf("%d rows (max %d), %d names, %d columns", rows, maxRows, len(names), len(cols))
		}
		for j, c := range cols {
			if len(c) != rows {
				t.Errorf("column %d has %d values for %d rows", j, len(c), rows)
			}
		}
	})
}

// benchColumns is the benchmarks' table: 100,000 rows of 20 DOUBLE
// features and an INT64 label, drawn like engineered flow features so that
// compression sees realistic bytes: Gaussian scores, log-normal byte
// counts, small integers (hours, ports) and 0/1 flags stored as doubles.
func benchColumns() []Column {
	const rows = 100_000
	rng := newTestRand(7)
	cols := make([]Column, 0, 21)
	for j := range 20 {
		v := make([]float64, rows)
		for i := range v {
			switch j % 4 {
			case 0:
				v[i] = rng.NormFloat64()
			case 1:
				v[i] = math.Exp(8 + 2*rng.NormFloat64())
			case 2:
				v[i] = float64(rng.IntN(24))
			default:
				v[i] = float64(rng.IntN(2))
			}
		}
		cols = append(cols, Column{Name: fmt.Sprintf("feature_%02d", j), Float: v})
	}
	label := make([]int64, rows)
	for i := range label {
		label[i] = int64(rng.IntN(5))
	}
	return append(cols, Column{Name: "label", Int: label})
}

func BenchmarkWriteColumns100k(b *testing.B) {
	cols := benchColumns()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteColumns(&buf, cols); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "file-bytes")
	b.SetBytes(100_000 * 21 * 8)
}

func BenchmarkReadColumns100k(b *testing.B) {
	data := writeColumns(b, benchColumns())
	b.SetBytes(100_000 * 21 * 8)
	for b.Loop() {
		if _, _, _, err := readColumns(data, 100_000); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOpenParquetPageSizes: every reader's open (OpenParquet, whatever the
// schema) refuses a page that claims more uncompressed bytes than its
// column chunk declares, before parquet-go allocates the claim.
func TestOpenParquetPageSizes(t *testing.T) {
	const huge = math.MaxInt32
	ten := plainDoubles(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	file := craftFile(t, 10, false, format.Snappy, []craftedPage{dataPage(10, format.Plain, huge, ten)}, nil,
		func(md *format.FileMetaData, _ int64) {
			md.RowGroups[0].Columns[0].MetaData.TotalUncompressedSize = 100
		})
	_, err := OpenParquet(bytes.NewReader(file), int64(len(file)), "x.parquet")
	if err == nil || !strings.Contains(err.Error(), "x.parquet: corrupt Parquet file: column \"x\", row group 0: page at byte 4 claims 2147483647 bytes uncompressed, its column chunk 100 in all") {
		t.Errorf("OpenParquet: %v", err)
	}
}
