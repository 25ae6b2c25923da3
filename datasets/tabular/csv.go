package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/segharness/harness/internal/fileio"
)

// readCSV reads one CSV file (gzip-compressed when gz) into r. The file
// must be a regular file; its size (fileio.InputBytes), decompressed
// bytes (fileio.DecompressedBytes), columns (fileio.Columns), rows
// (fileio.Rows) and the bytes of each record (fileio.LineBytes) are
// bounded.
func (r *reader) readCSV(path string, gz bool) {
	f, _, err := r.open(path, fileio.InputBytes)
	if err != nil {
		r.limitErr(0, err)
		return
	}
	defer f.Close()
	// The file may grow while it is read: the limit holds for what is read.
	var src io.Reader = &fileio.LimitedReader{R: f, Path: path, What: "file", Limit: fileio.InputBytes}
	if gz {
		zr, err := fileio.Gunzip(bufio.NewReaderSize(src, 1<<16), path)
		if err != nil {
			// The message begins with the path, which fileErr adds itself.
			msg, _ := strings.CutPrefix(err.Error(), path+": ")
			r.fileErr(0, "%s", msg)
			return
		}
		src = zr
	}
	cr := fileio.NewCSVReader(src, path)
	if empty, err := cr.Empty(); empty || err != nil {
		if empty {
			r.fileErr(0, "empty file")
		} else {
			r.limitErr(0, err)
		}
		return
	}

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
		r.limitErr(0, err)
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
		if n := int64(len(header)); n > fileio.Columns.Get() {
			r.limitErr(headerLine, &fileio.TooLargeError{Path: path, Line: headerLine, What: "columns", Limit: fileio.Columns, Size: n})
			return
		}
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
	maxRows := fileio.Rows.Int()
	for !r.stopped {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if rows >= maxRows && err == nil {
			line, _ := cr.FieldPos(0)
			r.limitErr(line, &fileio.TooLargeError{Path: path, Line: line, What: "rows", Limit: fileio.Rows, Size: -1})
			return
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
			if s.key >= 0 {
				r.key(s, v)
			}
			switch s.kind {
			case kindIgnore:
				continue
			case kindNumeric:
				t := trimSpace(v)
				if r.isMissing(t) {
					r.missing(s, t, false)
					continue
				}
				x, ok, note := parseNumber(t)
				if !ok {
					if x, ok = nonFiniteToken(t); !ok {
						r.fail(s, numberError(v, note))
						continue
					}
				}
				r.number(s, x, v)
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
