package tabular

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets/tabular/tabspec"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
)

// readErr reads spec, which must fail, and returns its one *Error.
func readErr(t *testing.T, spec Spec) *Error {
	t.Helper()
	var err error
	fileiotest.Within(t, "Read", func() { _, _, err = Read(spec) })
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("Read = %v, want one error", err)
	}
	var e *Error
	if !errors.As(list[0], &e) {
		t.Fatalf("error %v is %T, want *Error", list[0], list[0])
	}
	return e
}

// wantTooLarge checks that err is a *fileio.TooLargeError of limit
// naming path (and line, when not 0) and the variable that raises it.
func wantTooLarge(t *testing.T, e *Error, limit fileio.Limit, path string, line int) {
	t.Helper()
	var tl *fileio.TooLargeError
	if !errors.As(e, &tl) {
		t.Fatalf("error %v, want a *fileio.TooLargeError of %s", e, limit.Env)
	}
	if tl.Limit.Env != limit.Env || tl.Path != path || e.File != path || line != 0 && (tl.Line != line || e.Line != line) {
		t.Errorf("error %v: limit %s at %s:%d, want %s at %s:%d", e, tl.Limit.Env, tl.Path, tl.Line, limit.Env, path, line)
	}
	if !strings.HasPrefix(e.Error(), path+":") || !strings.Contains(e.Error(), limit.Env) || strings.Count(e.Error(), path) != 1 {
		t.Errorf("error %q: want it to begin with the path, once, and name %s", e, limit.Env)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// basicRows is testdata/basic.csv's header and n of its rows.
func basicRows(t *testing.T, n int) string {
	data, err := os.ReadFile("testdata/basic.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	for i := range n {
		b.WriteString(lines[1+i%4])
	}
	return b.String()
}

func spec(files ...string) Spec {
	s := fixtureSpec()
	s.Files = files
	return s
}

// TestReadGzipBomb: a .csv.gz expanding to 64 MiB is refused once it
// passes the limit on decompressed bytes (1 MiB here).
func TestReadGzipBomb(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte(basicRows(t, 0)))
	rows := []byte(strings.Repeat(strings.TrimPrefix(basicRows(t, 4), basicRows(t, 0)), 1<<10))
	for written := 0; written < 64<<20; written += len(rows) {
		zw.Write(rows)
	}
	zw.Close()
	path := writeFile(t, "bomb.csv.gz", gz.Bytes())
	fileiotest.SetLimit(t, fileio.DecompressedBytes, 1<<20)
	wantTooLarge(t, readErr(t, spec(path)), fileio.DecompressedBytes, path, 0)
}

// TestReadLimits: the file's size, rows, columns and one record's bytes
// are bounded, for CSV and for Parquet (from its footer, before reading).
func TestReadLimits(t *testing.T) {
	five := writeFile(t, "five.csv", []byte(basicRows(t, 5)))
	if _, _, err := Read(spec(five)); err != nil {
		t.Fatal(err)
	}
	t.Run("file size", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.InputBytes, 50)
		wantTooLarge(t, readErr(t, spec(five)), fileio.InputBytes, five, 0)
	})
	t.Run("rows", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.Rows, 4)
		wantTooLarge(t, readErr(t, spec(five)), fileio.Rows, five, 6)
		fileiotest.SetLimit(t, fileio.Rows, 5)
		if _, _, err := Read(spec(five)); err != nil {
			t.Errorf("five rows with a limit of five: %v", err)
		}
	})
	t.Run("columns", func(t *testing.T) {
		fileiotest.SetLimit(t, fileio.Columns, 3)
		wantTooLarge(t, readErr(t, spec(five)), fileio.Columns, five, 1)
	})
	t.Run("record bytes", func(t *testing.T) {
		long := writeFile(t, "long.csv", []byte(basicRows(t, 2)+"tcp,1,"+strings.Repeat("1", 1<<20)+",normal\n"))
		fileiotest.SetLimit(t, fileio.LineBytes, 64<<10)
		wantTooLarge(t, readErr(t, spec(long)), fileio.LineBytes, long, 4)
	})
	t.Run("parquet", func(t *testing.T) {
		pq := writeParquet(t, pqRows)
		s := pqSpec(pq)
		s.Missing = tabspec.MissingImpute
		if _, _, err := Read(s); err != nil {
			t.Fatal(err)
		}
		fileiotest.SetLimit(t, fileio.Rows, 3)
		wantTooLarge(t, readErr(t, s), fileio.Rows, pq, 0)
		fileiotest.SetLimit(t, fileio.Rows, 4)
		fileiotest.SetLimit(t, fileio.Columns, 6)
		wantTooLarge(t, readErr(t, s), fileio.Columns, pq, 0)
		fileiotest.SetLimit(t, fileio.Columns, 7)
		fileiotest.SetLimit(t, fileio.DecompressedBytes, 10)
		wantTooLarge(t, readErr(t, s), fileio.DecompressedBytes, pq, 0)
	})
}

// TestReadSameFileTwice: a file named twice in one spec (as another path
// to it, or through a link) is read once and the second an error naming
// the first.
func TestReadSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(a, []byte(basicRows(t, 4)), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(a, link); err != nil {
		t.Skip(err)
	}
	for _, second := range []string{dir + "/./a.csv", link} {
		e := readErr(t, spec(a, second))
		if e.File != second || !strings.Contains(e.Msg, "the same file as "+a) {
			t.Errorf("reading %s after %s: %v, want it refused as the same file", second, a, e)
		}
	}
}
