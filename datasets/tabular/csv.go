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

	// A goroutine splits the records (decompressing, parsing the CSV
	// syntax) while this one converts their fields: the same records in
	// the same order, so the same table and errors, in about half the
	// time on two cores.
	items, stop := splitRecords(cr, path)
	defer stop()
	var pos []int // the current row's field positions, line and column each
	r.posOf = func(field int) (int, int) { return pos[2*field], pos[2*field+1] }
	rows := 0
	for b := range items {
		for k := range b.items {
			if r.stopped {
				return
			}
			it := &b.items[k]
			switch {
			case it.limit:
				r.limitErr(it.line, &fileio.TooLargeError{Path: path, Line: it.line, What: "rows", Limit: fileio.Rows, Size: -1})
				return
			case it.err != nil:
				rows++
				r.files[len(r.files)-1].Rows++
				if csvErr(it.err) {
					continue
				}
				return
			}
			rows++
			rec, line := it.fields, it.line
			pos = it.pos
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
		b.done()
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

// csvBatchRows is the number of records split ahead at a time.
const csvBatchRows = 512

// A csvItem is one record as split by splitRecords, or what ended it.
type csvItem struct {
	line   int      // the line of the record's first field
	fields []string // the record's fields (shared with the batch)
	pos    []int    // each field's line and column (cr.FieldPos)
	err    error    // a read error, instead of fields
	limit  bool     // fileio.Rows records were read: none more is
}

// A csvBatch is records split ahead; done hands it back for reuse, once
// the reader is through with its items.
type csvBatch struct {
	items  []csvItem
	fields []string
	pos    []int
	free   chan *csvBatch
}

func (b *csvBatch) done() {
	select {
	case b.free <- b:
	default:
	}
}

// splitRecords reads cr's records on a goroutine, in batches, as the
// reading loop did before it: a record beyond fileio.Rows ends it with a
// limit item, a CSV syntax error is an item and reading goes on, any
// other error (a limit, an I/O error) is the last item. stop ends the
// goroutine and waits for it, so that the file can be closed.
func splitRecords(cr *fileio.CSVReader, path string) (<-chan *csvBatch, func()) {
	out := make(chan *csvBatch, 1)
	quit := make(chan struct{})
	free := make(chan *csvBatch, 3)
	finished := make(chan struct{})
	maxRows := fileio.Rows.Int()
	go func() {
		defer close(finished)
		defer close(out)
		rows := 0
		for {
			var b *csvBatch
			select {
			case b = <-free:
				b.items, b.fields, b.pos = b.items[:0], b.fields[:0], b.pos[:0]
			default:
				b = &csvBatch{free: free}
			}
			last := false
			for !last && len(b.items) < csvBatchRows {
				rec, err := cr.Read()
				if err == io.EOF {
					last = true
					break
				}
				if rows >= maxRows && err == nil {
					line, _ := cr.FieldPos(0)
					b.items = append(b.items, csvItem{line: line, limit: true})
					last = true
					break
				}
				rows++
				if err != nil {
					b.items = append(b.items, csvItem{err: err})
					var pe *csv.ParseError
					last = !errors.As(err, &pe)
					continue
				}
				if b.fields == nil {
					// Each batch has its own arrays: the reader may still be
					// converting the previous batch's fields.
					b.fields = make([]string, 0, csvBatchRows*len(rec))
					b.pos = make([]int, 0, 2*csvBatchRows*len(rec))
				}
				it := csvItem{}
				it.line, _ = cr.FieldPos(0)
				a := len(b.fields)
				b.fields = append(b.fields, rec...)
				it.fields = b.fields[a:len(b.fields):len(b.fields)]
				a = len(b.pos)
				for f := range rec {
					line, col := cr.FieldPos(f)
					b.pos = append(b.pos, line, col)
				}
				it.pos = b.pos[a:len(b.pos):len(b.pos)]
				b.items = append(b.items, it)
			}
			select {
			case out <- b:
			case <-quit:
				return
			}
			if last {
				return
			}
		}
	}()
	stop := func() {
		close(quit)
		for range out {
		}
		<-finished
	}
	return out, stop
}
