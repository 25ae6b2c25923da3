package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
	"github.com/segharness/harness/internal/flow"
)

// wantTooLarge checks that err is a *fileio.TooLargeError of limit naming
// path (and line, when not 0) and the variable that raises the limit.
func wantTooLarge(t *testing.T, err error, limit fileio.Limit, path string, line int) {
	t.Helper()
	var tl *fileio.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("error %v (%T), want a *fileio.TooLargeError of %s", err, err, limit.Env)
	}
	if tl.Limit.Env != limit.Env || tl.Path != path || line != 0 && tl.Line != line {
		t.Errorf("error %v: limit %s at %s:%d, want %s at %s:%d", err, tl.Limit.Env, tl.Path, tl.Line, limit.Env, path, line)
	}
	if !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), limit.Env) {
		t.Errorf("error %q does not begin with the path and name %s", err, limit.Env)
	}
}

// csvRows is a header and n good rows.
func csvRows(n int) string {
	return strings.Join(flow.FlowColumns, ",") + "\n" + strings.Repeat(goodRow+"\n", n)
}

// TestLoadGzipBomb: a .csv.gz that expands to 64 MiB is refused once it
// passes the limit on decompressed bytes (1 MiB here), not decompressed
// whole into memory.
func TestLoadGzipBomb(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	io.WriteString(zw, csvRows(0))
	row := []byte(strings.Repeat(goodRow+"\n", 1<<10))
	for written := 0; written < 64<<20; written += len(row) {
		zw.Write(row)
	}
	zw.Close()
	path := writeTempFile(t, "bomb.csv.gz", gz.Bytes())
	fileiotest.SetLimit(t, fileio.DecompressedBytes, 1<<20)
	var err error
	fileiotest.Within(t, "Load", func() { _, err = Load(path, "") })
	wantTooLarge(t, err, fileio.DecompressedBytes, path, 0)

	// And gzip around Parquet, which is decompressed into memory.
	pq := writeTempFile(t, "bomb.parquet.gz", gz.Bytes())
	fileiotest.Within(t, "Load", func() { _, err = Load(pq, "") })
	wantTooLarge(t, err, fileio.DecompressedBytes, pq, 0)
}

// TestLoadLimits: the size of the file, the rows, the columns and one
// record's bytes are bounded, each error naming the file, line and the
// variable that raises the limit.
func TestLoadLimits(t *testing.T) {
	five := writeTempFile(t, "five.csv", []byte(csvRows(5)))
	if f, err := Load(five, ""); err != nil || f.Len() != 5 {
		t.Fatalf("Load(five rows) = %v", err)
	}
	t.Run("file size", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.InputBytes, 100)
		_, err := Load(five, "")
		wantTooLarge(t, err, fileio.InputBytes, five, 0)
	})
	t.Run("rows", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.Rows, 4)
		_, err := Load(five, "")
		wantTooLarge(t, err, fileio.Rows, five, 6)
		fileiotest.SetLimit(t, fileio.Rows, 5)
		if _, err := Load(five, ""); err != nil {
			t.Errorf("five rows with a limit of five: %v", err)
		}
	})
	t.Run("columns", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.Columns, 10)
		_, err := Load(five, "")
		wantTooLarge(t, err, fileio.Columns, five, 1)
	})
	t.Run("record bytes", func(t *testing.T) {
		long := writeTempFile(t, "long.csv", []byte(csvRows(2)+goodRow+strings.Repeat("x", 1<<20)+"\n"+goodRow+"\n"))
		fileiotest.SetLimit(t, fileio.LineBytes, 64<<10)
		_, err := Load(long, "")
		wantTooLarge(t, err, fileio.LineBytes, long, 4)
	})
	t.Run("parquet rows and columns", func(t *testing.T) {
		pq := writeTempFile(t, "five.parquet", flowsParquet(t, mustReadCSV(t, csvRows(5))))
		if f, err := Load(pq, ""); err != nil || f.Len() != 5 {
			t.Fatalf("Load(five rows) = %v", err)
		}
		fileiotest.SetLimit(t, fileio.Rows, 4)
		_, err := Load(pq, "")
		wantTooLarge(t, err, fileio.Rows, pq, 0)
		fileiotest.SetLimit(t, fileio.Rows, 5)
		fileiotest.SetLimit(t, fileio.Columns, 20) // dataset.parquet has 27
		_, err = Load(pq, "")
		wantTooLarge(t, err, fileio.Columns, pq, 0)
		fileiotest.SetLimit(t, fileio.Columns, 27)
		fileiotest.SetLimit(t, fileio.DecompressedBytes, 100)
		_, err = Load(pq, "")
		wantTooLarge(t, err, fileio.DecompressedBytes, pq, 0)
	})
}

// flowsParquet writes f as dataset.parquet.
func flowsParquet(t *testing.T, f *flow.Table) []byte {
	t.Helper()
	n := f.Len()
	e := &Engineered{
		BytesPerSecond: make([]float64, n), PacketsPerSecond: make([]float64, n),
		HighCPU: make([]int64, n), LongDuration: make([]int64, n), ManyPorts: make([]int64, n),
		OffHours: make([]int64, n), RiskScore: make([]float64, n), LogBytes: make([]float64, n),
		LogDuration: make([]float64, n),
	}
	split := make([]Split, n)
	for i := range split {
		split[i] = Train
	}
	var b bytes.Buffer
	if err := WriteDataset(&b, &Dataset{Flows: f, Engineered: e, Split: split}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestReadCSVLongLine: a line of 16 MiB without a line break is refused
// having read little more than the limit (64 KiB here), not buffered
// whole.
func TestReadCSVLongLine(t *testing.T) {
	fileiotest.SetLimit(t, fileio.LineBytes, 64<<10)
	in := &countingReader{r: io.MultiReader(strings.NewReader(csvRows(1)), bytes.NewReader(make([]byte, 16<<20)))}
	_, err := ReadCSV(in, "in.csv")
	wantTooLarge(t, err, fileio.LineBytes, "in.csv", 3)
	if in.n > 1<<20 {
		t.Errorf("read %d bytes of a 16 MiB line with a limit of 64 KiB", in.n)
	}
}
