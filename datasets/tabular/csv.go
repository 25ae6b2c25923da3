package tabular

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// gzipErrors marks the errors of a gzip stream as such, so that a corrupt
// file is reported as corrupt gzip rather than as a read error.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("corrupt gzip data: %w", err)
	}
	return n, err
}

// readCSV reads one CSV file (gzip-compressed when gz) into r.
func (r *reader) readCSV(path string, gz bool) {
	f, err := os.Open(path)
	if err != nil {
		r.fileErr(0, "%v", unwrapPath(err))
		return
	}
	defer f.Close()
	var src io.Reader = f
	if gz {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
		switch {
		case err == io.EOF:
			r.fileErr(0, "empty file")
			return
		case err != nil:
			r.fileErr(0, "not a valid gzip file: %v", err)
			return
		}
		src = gzipErrors{zr}
	}
	br := bufio.NewReaderSize(src, 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	if _, err := br.Peek(1); err != nil {
		if err == io.EOF {
			r.fileErr(0, "empty file")
		} else {
			r.fileErr(0, "%v", err)
		}
		return
	}

	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked below, to say which counts differ
	r.posOf = func(field int) (int, int) { return cr.FieldPos(field) }
	// csvErr records an error from cr; it reports whether reading can go on.
	csvErr := func(err error) bool {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			msg := pe.Err.Error()
			if pe.StartLine != pe.Line {
				msg += fmt.Sprintf(" (in the record that starts on line %d)", pe.StartLine)
			}
			r.addErr(&Error{File: path, Line: pe.Line, Column: pe.Column, Msg: msg})
			return true
		}
		r.fileErr(0, "%v", err)
		return false
	}

	names, want, headerLine := r.spec.Columns, "as Columns lists", 0
	if r.spec.Header {
		header, err := cr.Read()
		if err == io.EOF {
			r.fileErr(0, "empty file")
			return
		}
		if err != nil {
			csvErr(err)
			return
		}
		headerLine, _ = cr.FieldPos(0)
		names = make([]string, len(header))
		for i, h := range header {
			names[i] = strings.TrimSpace(h)
		}
		if len(r.spec.Columns) > 0 && !slices.Equal(names, r.spec.Columns) {
			r.fileErr(headerLine, "the header does not match Columns: %s", describeMismatch(names, r.spec.Columns))
			return
		}
		want = "as the header has"
	}
	slots, ok := r.plan(names, headerLine)
	if !ok {
		return
	}

	rows := 0
	for !r.stopped {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			rows++
			r.files[len(r.files)-1].Rows++
			if csvErr(err) {
				continue
			}
			return
		}
		rows++
		line, _ := cr.FieldPos(0)
		if len(rec) != len(names) {
			r.files[len(r.files)-1].Rows++
			r.addErr(&Error{File: path, Line: line, Msg: fmt.Sprintf("the row has %d fields, want %d (%s)", len(rec), len(names), want)})
			continue
		}
		r.beginRow(line)
		for k := range slots {
			s := &slots[k]
			v := rec[s.field]
			switch s.kind {
			case kindNumeric:
				t := trimSpace(v)
				if r.isMissing(t) {
					r.missing(s, t, false)
					continue
				}
				x, ok, note := parseNumber(t)
				if !ok {
					r.fail(s, numberError(v, note))
					continue
				}
				r.rowNum[s.j] = x
			default:
				if r.isMissing(v) {
					r.missing(s, v, false)
					continue
				}
				r.text(s, v)
			}
		}
		r.endRow()
	}
	if rows == 0 && !r.stopped {
		if r.spec.Header {
			r.fileErr(0, "no data rows: the file holds only a header")
		} else {
			r.fileErr(0, "empty file: no rows")
		}
	}
}

// describeMismatch says where a header first differs from Columns.
func describeMismatch(header, columns []string) string {
	for i := range min(len(header), len(columns)) {
		if header[i] != columns[i] {
			return fmt.Sprintf("column %d is %q in the header, %q in Columns", i+1, header[i], columns[i])
		}
	}
	return fmt.Sprintf("the header has %d columns, Columns %d", len(header), len(columns))
}

// unwrapPath drops the operation and path of an *os.PathError: Error
// already names the file.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
