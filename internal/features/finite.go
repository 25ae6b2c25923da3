package features

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/segharness/harness/internal/flow"
)

// MaxValue is the largest magnitude a feature may take: float32's, since
// the models compute in float32 (the forests cast the matrix to float32,
// as scikit-learn does, and a value beyond it becomes infinite).
const MaxValue = math.MaxFloat32

// maxRowsNamed bounds the rows a NotFiniteError names per column.
const maxRowsNamed = 5

// NotFiniteError is the feature stage's error for a matrix holding values
// the models cannot take: NaN (the log of a negative number), infinite
// (a division by zero, the log of 0) or beyond ±MaxValue (a finite value
// that overflows float32). It names every such column with its number of
// rows and its first few rows and values.
type NotFiniteError struct {
	// Scaled says the values are those of the standardised matrix; the
	// unscaled ones were in range.
	Scaled  bool
	Columns []NotFiniteColumn
}

// NotFiniteColumn is one column of a NotFiniteError.
type NotFiniteColumn struct {
	Column string
	Count  int       // the rows holding such a value
	Rows   []string  // the first of them (at most 5), as the caller names rows: "row 4" (1-based)
	Values []float64 // their values
	// Mean and Scale are the scaler's for the column, when Scaled.
	Mean, Scale float64
}

func (e *NotFiniteError) Error() string {
	var b strings.Builder
	b.WriteString("features: ")
	if e.Scaled {
		b.WriteString("after standardisation, ")
	}
	fmt.Fprintf(&b, "%d %s values the models cannot take (NaN, infinite, or beyond ±%.3g, float32's range, in which they compute): ",
		len(e.Columns), plural(len(e.Columns), "column holds", "columns hold"), MaxValue)
	for k, c := range e.Columns {
		if k > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s in %d %s: ", c.Column, c.Count, plural(c.Count, "row", "rows"))
		for j, r := range c.Rows {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s = %s", r, strconv.FormatFloat(c.Values[j], 'g', -1, 64))
		}
		if len(c.Rows) < c.Count {
			b.WriteString(", …")
		}
		switch {
		case e.Scaled:
			fmt.Fprintf(&b, " (standardised with mean %s and scale %s: the column is nearly constant on the rows the scaler was fitted on and far from them here)",
				strconv.FormatFloat(c.Mean, 'g', 4, 64), strconv.FormatFloat(c.Scale, 'g', 4, 64))
		case formulas[c.Column] != "":
			fmt.Fprintf(&b, " (%s = %s)", c.Column, formulas[c.Column])
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// formulas are the engineered features that can leave the range of their
// inputs, as Engineer computes them, for NotFiniteError's message.
var formulas = map[string]string{
	flow.ColBytesPerSecond:   "bytes_sent / (duration + 1)",
	flow.ColPacketsPerSecond: "packets_sent / (duration + 1)",
	flow.ColLogBytes:         "log10(bytes_sent + 1)",
	flow.ColLogDuration:      "log10(duration + 1)",
}

// inRange reports whether v is a value the models can take: finite and
// within ±MaxValue (false for NaN).
func inRange(v float64) bool { return math.Abs(v) <= MaxValue }

// CheckFinite returns a *NotFiniteError naming each column of m that
// holds a value that is NaN, infinite or beyond ±MaxValue, or nil when
// there is none. rowName names row i in the error; nil names it "row
// i+1", its 1-based row (for flows, the data row of the file they were
// read from).
func CheckFinite(m *Matrix, rowName func(i int) string) error {
	return check(m, rowName, nil)
}

// CheckScaled is CheckFinite for a matrix standardised by s: its error
// gives each column's mean and scale, for a value that is in range only
// before scaling (a column nearly constant on the rows the scaler was
// fitted on, and far from them elsewhere).
func CheckScaled(m *Matrix, s *Scaler, rowName func(i int) string) error {
	return check(m, rowName, s)
}

func check(m *Matrix, rowName func(i int) string, s *Scaler) error {
	if !allInRange(m.Data) {
		return notFinite(m, rowName, s)
	}
	return nil
}

func allInRange(data []float64) bool {
	for _, v := range data {
		if !inRange(v) {
			return false
		}
	}
	return true
}

// notFinite builds the error of a matrix that holds a value out of range.
func notFinite(m *Matrix, rowName func(i int) string, s *Scaler) *NotFiniteError {
	if rowName == nil {
		rowName = func(i int) string { return "row " + strconv.Itoa(i+1) }
	}
	e := &NotFiniteError{Scaled: s != nil}
	for j := range m.D {
		var c *NotFiniteColumn
		for i := range m.N {
			v := m.Data[i*m.D+j]
			if inRange(v) {
				continue
			}
			if c == nil {
				e.Columns = append(e.Columns, NotFiniteColumn{Column: m.Names[j]})
				c = &e.Columns[len(e.Columns)-1]
				if s != nil && j < len(s.Mean) {
					c.Mean, c.Scale = s.Mean[j], s.Scale[j]
				}
			}
			c.Count++
			if len(c.Rows) < maxRowsNamed {
				c.Rows, c.Values = append(c.Rows, rowName(i)), append(c.Values, v)
			}
		}
	}
	return e
}
