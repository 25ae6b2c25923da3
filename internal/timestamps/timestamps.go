// Package timestamps reads the timestamps of flow tables: numbers since
// the epoch in a stated unit, RFC 3339 and ISO 8601 text, or a given Go
// layout, never guessing between day-first and month-first dates. A time
// split (internal/features.TimeSplit) orders rows by what it reads, and
// harness init (internal/tableinit) checks a timestamp column with it
// before proposing one.
package timestamps

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Timestamp layouts tried, in order, when none is given: the first that
// reads a column's first value must read all of them. Day-first and
// month-first dates (01/02/2006) are ambiguous and never guessed.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// Time units of numeric timestamps, as nanoseconds.
var timeUnits = map[string]float64{"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}

// Units lists the units ParseTimes takes.
var Units = []string{"s", "ms", "us", "ns"}

// Layouts lists the layouts ParseTimes tries without one given.
func Layouts() []string { return slices.Clone(timeLayouts) }

// An Error is a value Parse cannot read: Index is its index in
// the values.
type Error struct {
	Index int
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

// Parse reads timestamps as nanoseconds since the epoch (UTC when
// they name no zone). With a layout (Go's reference-time form, such as
// "02/01/2006 15:04:05") every value is read with it. Without one, a
// column whose values are all numbers is read as numbers of unit (s, ms,
// us or ns since the epoch; "" is s); otherwise the first of Layouts
// that reads the first value must read every value. An empty value is an
// error, as is an instant outside the years 1678 to 2262.
func Parse(values []string, layout, unit string) ([]int64, error) {
	if unit == "" {
		unit = "s"
	}
	scale, ok := timeUnits[unit]
	if !ok {
		return nil, fmt.Errorf("timestamps: unit %q, want %s", unit, strings.Join(Units, ", "))
	}
	out := make([]int64, len(values))
	for i, v := range values {
		if v == "" {
			return nil, &Error{i, "an empty timestamp"}
		}
	}
	if layout == "" {
		numeric := true
		for i, v := range values {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				numeric = false
				break
			}
			ns := x * scale
			if math.IsNaN(ns) || ns >= math.MaxInt64 || ns < math.MinInt64 {
				return nil, &Error{i, fmt.Sprintf("timestamp %q (%s since the epoch) is outside the years 1678 to 2262", v, unit)}
			}
			out[i] = int64(ns)
		}
		if numeric {
			return out, nil
		}
		if len(values) == 0 {
			return out, nil
		}
		for _, l := range timeLayouts {
			if _, err := time.Parse(l, values[0]); err == nil {
				layout = l
				break
			}
		}
		if layout == "" {
			return nil, &Error{0, fmt.Sprintf("timestamp %q is neither a number nor in a recognised layout (%s); give split.time_format, Go's layout of 2006-01-02 15:04:05 written as the column writes it (for example 02/01/2006 15:04:05 for day-first dates)",
				values[0], strings.Join(timeLayouts, ", "))}
		}
	}
	for i, v := range values {
		t, err := time.Parse(layout, v)
		if err != nil {
			return nil, &Error{i, fmt.Sprintf("timestamp %q does not read as %q: %v", v, layout, err)}
		}
		if y := t.Year(); y < 1678 || y > 2262 {
			return nil, &Error{i, fmt.Sprintf("timestamp %q is outside the years 1678 to 2262", v)}
		}
		out[i] = t.UnixNano()
	}
	return out, nil
}
