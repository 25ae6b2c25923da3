package tabular

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Table is a flow table read through a Spec, held column by column. Every
// slice has Rows entries; row i of the table is entry i of each.
type Table struct {
	Rows int

	// NumericNames are the numeric columns in Spec.Numeric's order;
	// Numeric[j][i] is the value of column j in row i.
	NumericNames []string
	Numeric      [][]float64

	// CategoricalNames are the categorical columns in Spec.Categorical's
	// order; Categorical[j] holds column j.
	CategoricalNames []string
	Categorical      []Column

	// Label holds the raw label values; its levels are the values present.
	Label Column

	// Category holds tabspec.NormalCategory for normal rows and the attack
	// category's name for the others. Its levels are tabspec.NormalCategory and
	// every declared category, present or not, so that tables read with
	// the same Spec share its codes.
	Category Column

	// Anomaly is true for the rows whose label is not in Spec.Normal.
	Anomaly []bool

	// Source says where each row came from, for messages.
	Source []RowSource

	// Files are Spec.Files; RowSource.File indexes them.
	Files []string

	// Roles is a copy of Spec.Roles: role -> column.
	Roles map[string]string
	// RoleScales is a copy of Spec.RoleScales: role -> the factor from
	// its column's unit to the role's.
	RoleScales map[string]float64

	// KeyNames are Spec.Keys; Keys[j] holds the text of key column j
	// (Spec.Keys), "" where it was missing.
	KeyNames []string
	Keys     []Column

	// Format is Spec.Format: the format every file was read as, or ""
	// when each file's extension told it.
	Format string
}

// RowSource is where a row came from.
type RowSource struct {
	File int // index into Table.Files (Spec.Files)
	Line int // 1-based line of the row's first field (CSV) or 1-based row (Parquet)
}

// NumericColumn returns the values of the numeric column name, or nil when
// the table has no such numeric column.
func (t *Table) NumericColumn(name string) []float64 {
	if j := slices.Index(t.NumericNames, name); j >= 0 {
		return t.Numeric[j]
	}
	return nil
}

// CategoricalColumn returns the categorical column name, or nil when the
// table has no such categorical column.
func (t *Table) CategoricalColumn(name string) *Column {
	if j := slices.Index(t.CategoricalNames, name); j >= 0 {
		return &t.Categorical[j]
	}
	return nil
}

// KeyColumn returns the key column name (Spec.Keys), or nil when the
// table has no such key.
func (t *Table) KeyColumn(name string) *Column {
	if j := slices.Index(t.KeyNames, name); j >= 0 {
		return &t.Keys[j]
	}
	return nil
}

// Where returns the position of row i as "file:line" (CSV) or
// "file: row n" (Parquet).
func (t *Table) Where(i int) string {
	s := t.Source[i]
	f, _ := fileFormat(t.Files[s.File], t.Format)
	return where(t.Files[s.File], s.Line, f == formatParquet)
}

func where(path string, line int, rowNumber bool) string {
	if rowNumber {
		return fmt.Sprintf("%s: row %d", path, line)
	}
	return fmt.Sprintf("%s:%d", path, line)
}

// Column is a column of strings held as codes into Levels, which are
// sorted (byte-wise) and distinct.
type Column struct {
	Levels []string
	Codes  []uint32
}

// Value returns the string of row i.
func (c *Column) Value(i int) string { return c.Levels[c.Codes[i]] }

// Len returns the number of rows.
func (c *Column) Len() int { return len(c.Codes) }

// Code returns the code of level s, and whether s is a level.
func (c *Column) Code(s string) (uint32, bool) {
	i, ok := slices.BinarySearch(c.Levels, s)
	return uint32(i), ok
}

// Counts returns the number of rows of each level, in Levels' order.
func (c *Column) Counts() []int {
	n := make([]int, len(c.Levels))
	for _, code := range c.Codes {
		n[code]++
	}
	return n
}

// Report says what Read did besides returning the table: the rows read and
// kept per file, the rows dropped by reason, the values imputed.
type Report struct {
	Files   []FileReport
	Rows    int          // rows in the table: the kept rows of every file
	Dropped []Drop       // sorted by reason; empty unless Spec.Missing is tabspec.MissingDrop
	Imputed []Imputation // in Spec.Numeric's, then Spec.Categorical's order; empty unless tabspec.MissingImpute
	Clipped []Clip       // in Spec.Numeric's order, +Inf before -Inf; empty unless tabspec.NonFiniteClip
}

// Clip counts the infinities of one sign replaced in one column.
type Clip struct {
	Column   string
	Infinity string // "+Inf" or "-Inf"
	Values   int    // values replaced
	With     string // the column's largest (for +Inf) or smallest finite value, formatted
}

// FileReport counts the data rows of one file.
type FileReport struct {
	Path string
	Rows int // data rows read (not the header)
	Kept int // rows in the table
}

// Drop counts the rows dropped for one reason.
type Drop struct {
	Reason string // "missing value in <column>"
	Rows   int
	First  string // position of the first dropped row, "file:line"
}

// Imputation counts the values filled in one column.
type Imputation struct {
	Column string
	Values int    // values filled
	With   string // the value: the median, formatted, or tabspec.MissingLevel
}

// String summarises the report in a few lines.
func (r *Report) String() string {
	var b strings.Builder
	for _, f := range r.Files {
		fmt.Fprintf(&b, "%s: %d rows read, %d kept\n", f.Path, f.Rows, f.Kept)
	}
	for _, d := range r.Dropped {
		fmt.Fprintf(&b, "dropped %d rows: %s (first at %s)\n", d.Rows, d.Reason, d.First)
	}
	for _, m := range r.Imputed {
		fmt.Fprintf(&b, "imputed %d values of %s with %s\n", m.Values, m.Column, m.With)
	}
	fmt.Fprintf(&b, "%d rows", r.Rows)
	return b.String()
}

// MaxErrors is the number of problems Read collects before it stops
// reading.
const MaxErrors = 20

// Error is one problem at a position in an input file.
type Error struct {
	File string // the path as given in Spec.Files
	// Line is the 1-based line (CSV) or row (Parquet, see RowNumber); 0
	// when the problem concerns the whole file.
	Line int
	// Column is the 1-based byte column in the line; 0 when the whole row
	// or file is meant, and always for Parquet.
	Column    int
	Field     string // the column's name, when the problem is in one column
	RowNumber bool   // Line counts the rows of a Parquet file
	Msg       string
	// Err is the error behind Msg when there is one: a
	// *fileio.TooLargeError (a file over a limit) or a
	// *fileio.NotRegularError (a FIFO, device or directory).
	Err error
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Error formats e as "file:line:column (name): message", leaving out what
// is unknown; a Parquet position reads "file: row n (name): message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Line > 0 && e.RowNumber:
		fmt.Fprintf(&b, ": row %d", e.Line)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem Read found, in the order found (at most
// MaxErrors positioned problems, then possibly a note that reading stopped
// and an *UndeclaredLabelsError). Its elements are *Error values but for
// those two and table-wide problems.
type ErrorList []error

// Error returns the problems one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error { return l }

// UndeclaredLabelsError lists the label values found in the data that are
// neither in Spec.Normal nor in a category.
type UndeclaredLabelsError struct {
	Column string            // the label column
	Values []UndeclaredLabel // most frequent first, then by value
}

// UndeclaredLabel is one undeclared label value.
type UndeclaredLabel struct {
	Value string
	Rows  int
	First string // position of its first row, "file:line"
}

// maxListed bounds the undeclared values an error message lists.
const maxListed = 50

func (e *UndeclaredLabelsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "label column %q holds %d undeclared values; declare each in Normal or in a category:", e.Column, len(e.Values))
	rest, restRows := 0, 0
	for i, v := range e.Values {
		if i >= maxListed {
			rest++
			restRows += v.Rows
			continue
		}
		fmt.Fprintf(&b, "\n\t%s: %d %s, first at %s", strconv.Quote(v.Value), v.Rows, plural(v.Rows, "row"), v.First)
	}
	if rest > 0 {
		fmt.Fprintf(&b, "\n\tand %d more values (%d rows)", rest, restRows)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func sortUndeclared(v []UndeclaredLabel) {
	slices.SortFunc(v, func(a, b UndeclaredLabel) int {
		return cmp.Or(cmp.Compare(b.Rows, a.Rows), strings.Compare(a.Value, b.Value))
	})
}
