package fileio

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// within runs f and fails the test when it has not returned after a
// generous time: a guard against a hang (a blocking open, a read that
// never ends), not a performance assertion.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10 s: it blocks or reads forever", what)
	}
}

// lowLimits lowers the byte limits for a test, so that a regression reads
// megabytes, not gigabytes.
func lowLimits(t *testing.T) {
	for _, l := range []Limit{InputBytes, DecompressedBytes, LineBytes, RunFileBytes} {
		t.Cleanup(SetForTest(l, 1<<20))
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		l    Limit
		want int64
	}{
		{InputBytes, 1 << 30},
		{DecompressedBytes, 1 << 30},
		{Rows, 10_000_000},
		{Columns, 10_000},
		{LineBytes, 1 << 20},
		{RunFileBytes, 256 << 20},
	} {
		if tc.l.Default != tc.want {
			t.Errorf("%s defaults to %d, want %d", tc.l.Env, tc.l.Default, tc.want)
		}
	}
}

func TestDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Open(dir)
	var nr *NotRegularError
	if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), dir+": a directory") {
		t.Errorf("Open(dir) = %v, want a *NotRegularError naming it", err)
	}
	if _, err := Stat(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Stat(dir) = %v, want ErrNotRegular", err)
	}
	if _, err := ReadFile(dir, InputBytes); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(dir) = %v, want ErrNotRegular", err)
	}
}

// TestReadFileAtLimit: the message of a file over a limit, and a file
// of exactly the limit read.
func TestReadFileAtLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	defer SetForTest(RunFileBytes, 1000)()
	_, err := ReadFile(path, RunFileBytes)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != path || tl.Size != 2000 {
		t.Fatalf("ReadFile = %v, want a *TooLargeError of 2000 bytes naming %s", err, path)
	}
	want := path + ": file of 2000 bytes, more than the limit of 1000 bytes (HARNESS_MAX_RUN_FILE_BYTES raises it)"
	if err.Error() != want {
		t.Errorf("error\n\t%v\nwant\n\t%s", err, want)
	}
	if Detail(err) != strings.TrimPrefix(want, path+": ") {
		t.Errorf("Detail = %q", Detail(err))
	}
	defer SetForTest(RunFileBytes, 2000)()
	if data, err := ReadFile(path, RunFileBytes); err != nil || len(data) != 2000 {
		t.Errorf("ReadFile at the limit = %d bytes, %v; want the file", len(data), err)
	}
	if _, _, err := OpenLimited(path, RunFileBytes); err != nil {
		t.Errorf("OpenLimited at the limit: %v", err)
	}
}

// TestGunzipBomb: 64 MiB of zeros compressed to some 64 KB are not
// decompressed past the limit.
func TestGunzipBomb(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	zw.Close()
	defer SetForTest(DecompressedBytes, 1<<20)()
	r, err := Gunzip(&gz, "bomb.gz")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != "bomb.gz" || !strings.Contains(err.Error(), DecompressedBytes.Env) {
		t.Fatalf("reading the bomb: %d bytes, %v; want a *TooLargeError naming bomb.gz and %s", n, err, DecompressedBytes.Env)
	}
	if n > 1<<20+1 {
		t.Errorf("read %d bytes, more than the limit of 1 MiB and one byte", n)
	}
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

// readAll reads every record of a CSVReader until an error.
func readAll(c *CSVReader) (int, error) {
	n := 0
	for {
		_, err := c.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// TestCSVRecordLimit: a line without a line break, or a quoted field
// running on over many short lines, is refused once it passes LineBytes,
// having read little more than the limit.
func TestCSVRecordLimit(t *testing.T) {
	defer SetForTest(LineBytes, 64<<10)()
	for _, tc := range []struct {
		name string
		in   io.Reader
		line int
	}{
		{"one long line", io.MultiReader(strings.NewReader("a,b\n1,2\n"), bytes.NewReader(bytes.Repeat([]byte("x"), 8<<20))), 3},
		{"a quoted field over many lines", io.MultiReader(strings.NewReader("a,b\n1,\""), strings.NewReader(strings.Repeat("short line\n", 1<<20))), 2},
		{"after a BOM", io.MultiReader(strings.NewReader("\xef\xbb\xbf"), bytes.NewReader(bytes.Repeat([]byte("x"), 8<<20))), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &countingReader{r: tc.in}
			c := NewCSVReader(in, "long.csv")
			_, err := readAll(c)
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Path != "long.csv" || tl.Line != tc.line || tl.Limit.Env != LineBytes.Env {
				t.Fatalf("error %v, want a *TooLargeError of LineBytes at long.csv:%d", err, tc.line)
			}
			// The limit and the buffer, and a buffer's worth the
			// reader above may hold: not the megabytes of the input.
			if max := int64(64<<10 + 3*csvBuffer); in.n > max {
				t.Errorf("read %d bytes of the input, want at most %d", in.n, max)
			}
		})
	}
}

// TestCSVRecordLimitExact: a record of LineBytes bytes (its line break
// included) is read; one byte more is refused, at its line.
func TestCSVRecordLimitExact(t *testing.T) {
	defer SetForTest(LineBytes, 100)()
	rec := strings.Repeat("x", 99) + "\n"
	if n, err := readAll(NewCSVReader(strings.NewReader(rec+rec+rec), "ok.csv")); err != nil || n != 3 {
		t.Errorf("records of exactly the limit: %d read, %v", n, err)
	}
	_, err := readAll(NewCSVReader(strings.NewReader(rec+"\"a\nb\"\n"+"x"+rec), "over.csv"))
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Line != 4 || tl.Size != 101 {
		t.Fatalf("error %v, want a record of 101 bytes at line 4", err)
	}
	if want := "over.csv:4: CSV record of 101 bytes, more than the limit of 100 bytes (HARNESS_MAX_LINE_BYTES raises it)"; err.Error() != want {
		t.Errorf("error\n\t%v\nwant\n\t%s", err, want)
	}
}

// TestCSVSourceErrorFirst: an error of the source is returned as such,
// not as the CSV error its partial record causes.
func TestCSVSourceErrorFirst(t *testing.T) {
	boom := errors.New("boom")
	c := NewCSVReader(io.MultiReader(strings.NewReader("a,b\n1,\"2"), &errReader{boom}), "x.csv")
	if _, err := readAll(c); !errors.Is(err, boom) {
		t.Errorf("error %v, want the source's", err)
	}
	empty, err := NewCSVReader(strings.NewReader("\xef\xbb\xbf"), "bom.csv").Empty()
	if !empty || err != nil {
		t.Errorf("a file of a BOM alone: Empty = %v, %v", empty, err)
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }
