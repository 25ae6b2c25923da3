package tabular

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/fileio"
)

// Parquet support is deliberately small: flat columns found by name;
// numeric columns of physical type BOOLEAN (read as 0/1), INT32, INT64,
// FLOAT or DOUBLE (DECIMAL columns are refused, as their values would need
// scaling); categorical and label columns of type BYTE_ARRAY (strings) or,
// written in decimal, of the integer and boolean types. A null is a
// missing value, as is a string equal to a missing token.

// pqColumn holds one used column of a Parquet file, read whole.
type pqColumn struct {
	slot slot
	nums []float64 // numeric columns
	strs []string  // categorical and label columns
	null []bool
}

// readParquet reads one Parquet file into r.
func (r *reader) readParquet(path string) {
	r.rowNumber = true
	r.posOf = func(int) (int, int) { return r.line, 0 }
	defer func() {
		// parquet-go panics on some corrupt files.
		if p := recover(); p != nil {
			r.fileErr(0, "corrupt Parquet file: %v", p)
		}
	}()
	f, info, err := r.open(path, fileio.InputBytes)
	if err != nil {
		r.limitErr(0, err)
		return
	}
	defer f.Close()
	if info.Size() == 0 {
		r.fileErr(0, "empty file")
		return
	}
	file, err := datasets.OpenParquet(f, info.Size(), path)
	if err != nil {
		// The message begins with the path, which fileErr adds itself.
		msg, _ := strings.CutPrefix(err.Error(), path+": ")
		r.fileErr(0, "%s", msg)
		return
	}
	// What the footer declares is checked before any column is read.
	if err := datasets.CheckParquet(file, path); err != nil {
		r.limitErr(0, err)
		return
	}
	schema := file.Schema()
	var names []string
	var problems []string
	for _, field := range schema.Fields() {
		names = append(names, field.Name())
		switch {
		case !field.Leaf():
			problems = append(problems, fmt.Sprintf("column %q is a group; only flat columns are read", field.Name()))
		case field.Repeated():
			problems = append(problems, fmt.Sprintf("column %q is repeated (a list); only flat columns are read", field.Name()))
		}
	}
	if len(problems) > 0 {
		r.fileErr(0, "%s", strings.Join(problems, "; "))
		return
	}
	slots, ok := r.plan(names, 0)
	if !ok {
		return
	}
	n := file.NumRows()
	if n == 0 {
		r.fileErr(0, "no rows")
		return
	}
	// A file cannot hold more values than bytes: bound what is allocated.
	if n > info.Size() {
		r.fileErr(0, "corrupt Parquet file: %d rows claimed in %d bytes", n, info.Size())
		return
	}
	cols := make([]pqColumn, len(slots))
	for k, s := range slots {
		s.field = k
		cols[k] = pqColumn{slot: s}
		if err := readPQColumn(file, &cols[k], int(n)); err != nil {
			r.fileErr(0, "column %q: %v", s.name, err)
			return
		}
	}

	for i := range int(n) {
		if r.stopped {
			return
		}
		r.beginRow(i + 1)
		for k := range cols {
			c := &cols[k]
			s := &c.slot
			if s.key >= 0 {
				r.key(s, c.text(i))
			}
			if s.kind == kindIgnore {
				continue
			}
			if c.null[i] {
				r.missing(s, "", true)
				continue
			}
			if s.kind == kindNumeric {
				v := c.nums[i]
				r.number(s, v, "")
				continue
			}
			if v := c.strs[i]; r.isMissing(v) {
				r.missing(s, v, false)
			} else {
				r.text(s, v)
			}
		}
		r.endRow()
	}
}

// readPQColumn reads the n values of c's column.
func readPQColumn(file *parquet.File, c *pqColumn, n int) error {
	leaf, ok := file.Schema().Lookup(c.slot.name)
	if !ok {
		return errors.New("not found")
	}
	typ := leaf.Node.Type()
	if lt := typ.LogicalType(); lt != nil {
		if _, ok := lt.Value.(*format.DecimalType); ok {
			return errors.New("DECIMAL columns are not read; store the values as FLOAT or DOUBLE")
		}
	}
	kind := typ.Kind()
	numeric := c.slot.kind == kindNumeric
	switch kind {
	case parquet.Boolean, parquet.Int32, parquet.Int64:
	case parquet.Float, parquet.Double:
		if c.slot.kind == kindIgnore { // a key only: its numbers as text
			numeric = true
		}
		if !numeric {
			return fmt.Errorf("has type %s; a %s column must hold strings (BYTE_ARRAY), integers or booleans", kind, c.slot.kind)
		}
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if numeric {
			return fmt.Errorf("has type %s; a numeric column must be INT32, INT64, FLOAT, DOUBLE or BOOLEAN", kind)
		}
	default:
		return fmt.Errorf("has type %s, which is not read", kind)
	}
	intern := map[string]string{}
	buf := make([]parquet.Value, 1024)
	for _, rg := range file.RowGroups() {
		pages := rg.ColumnChunks()[leaf.ColumnIndex].Pages()
		for {
			page, err := pages.ReadPage()
			if err == io.EOF {
				break
			}
			if err != nil {
				pages.Close()
				return err
			}
			values := page.Values()
			for {
				k, err := values.ReadValues(buf)
				if len(c.null)+k > n {
					parquet.Release(page)
					pages.Close()
					return fmt.Errorf("more values than the %d rows the footer declares", n)
				}
				for _, v := range buf[:k] {
					c.null = append(c.null, v.IsNull())
					if numeric {
						c.nums = append(c.nums, pqNumber(v))
					} else {
						c.strs = append(c.strs, pqString(v, intern))
					}
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					parquet.Release(page)
					pages.Close()
					return err
				}
				if k == 0 {
					break
				}
			}
			parquet.Release(page)
		}
		if err := pages.Close(); err != nil {
			return err
		}
	}
	if len(c.null) != n {
		return fmt.Errorf("%d values for the %d rows the footer declares", len(c.null), n)
	}
	return nil
}

// text returns row i's value as a key's text: "" for a null, a number
// in decimal.
func (c *pqColumn) text(i int) string {
	switch {
	case c.null[i]:
		return ""
	case c.nums != nil:
		return strconv.FormatFloat(c.nums[i], 'g', -1, 64)
	}
	return c.strs[i]
}

func pqNumber(v parquet.Value) float64 {
	if v.IsNull() {
		return 0
	}
	switch v.Kind() {
	case parquet.Boolean:
		if v.Boolean() {
			return 1
		}
		return 0
	case parquet.Int32:
		return float64(v.Int32())
	case parquet.Int64:
		return float64(v.Int64())
	case parquet.Float:
		return float64(v.Float())
	case parquet.Double:
		return v.Double()
	}
	return math.NaN()
}

// pqString returns a categorical value as a string, interning strings so
// that a column of few levels holds few strings.
func pqString(v parquet.Value, intern map[string]string) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	}
	b := v.ByteArray()
	if s, ok := intern[string(b)]; ok {
		return s
	}
	s := string(b)
	intern[s] = s
	return s
}
