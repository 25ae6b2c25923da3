package fileio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// csvBuffer is the buffer between a CSVReader's source and encoding/csv.
const csvBuffer = 1 << 16

// CSVReader is an encoding/csv reader bounded by LineBytes: a record of
// more bytes (a line without a line break, a quoted field running on over
// many lines) is a *TooLargeError at the line it starts on, found before
// more than LineBytes plus 64 KiB of it are held in memory. A UTF-8
// byte-order mark at the start is skipped. Errors of the source take
// precedence over the CSV errors they cause.
type CSVReader struct {
	*csv.Reader
	lim   *RecordLimiter
	br    *bufio.Reader
	base  int64 // bytes of the source before what encoding/csv reads (a BOM)
	start int64 // offset in encoding/csv's input of the next record
}

// NewCSVReader returns a CSVReader of r; path names it in errors.
func NewCSVReader(r io.Reader, path string) *CSVReader {
	lim := &RecordLimiter{R: r, Path: path, What: "CSV record", Slack: csvBuffer, Line: 1}
	br := bufio.NewReaderSize(lim, csvBuffer)
	c := &CSVReader{lim: lim, br: br}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		c.base = 3
	}
	c.Reader = csv.NewReader(br)
	return c
}

// Empty reports whether nothing but a byte-order mark precedes the end
// of the input; the error is the source's.
func (c *CSVReader) Empty() (bool, error) {
	_, err := c.br.Peek(1)
	if err == io.EOF {
		return true, nil
	}
	if lerr := c.lim.Err(); lerr != nil {
		return false, lerr
	}
	return false, err
}

// Read reads one record as csv.Reader.Read does. An error of the source
// or a record over LineBytes is returned as such, without the record.
func (c *CSVReader) Read() ([]string, error) {
	rec, err := c.Reader.Read()
	if lerr := c.lim.Err(); lerr != nil {
		return nil, lerr
	}
	if err == io.EOF {
		return nil, err
	}
	end := c.Reader.InputOffset()
	if size := end - c.start; size > LineBytes.Get() {
		return nil, &TooLargeError{Path: c.lim.Path, Line: c.lim.Line, What: "CSV record", Limit: LineBytes, Size: size}
	}
	c.start = end
	c.lim.Mark(c.base + end)
	// Where the next record starts (blank lines before it aside), for
	// the error of a record too long.
	var pe *csv.ParseError
	switch {
	case len(rec) > 0:
		line, _ := c.FieldPos(len(rec) - 1)
		c.lim.Line = line + strings.Count(rec[len(rec)-1], "\n") + 1
	case asParseError(err, &pe):
		c.lim.Line = pe.Line + 1
	}
	return rec, err
}

func asParseError(err error, pe **csv.ParseError) bool {
	if e, ok := err.(*csv.ParseError); ok {
		*pe = e
		return true
	}
	return false
}
