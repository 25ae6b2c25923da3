// Package reports formats the figures of a run's tables and verdict for
// the report and the gate (internal/gate); package reports/report writes
// the report itself.
package reports

import (
	"math"
	"strconv"
	"strings"
)

// FormatValue formats a measured value: whole numbers in full with
// thousands separators, others with four significant digits; NaN (a rate
// without a denominator) as "n/a".
func FormatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return Thousands(int(v)) // counts, and rates of exactly 0 or 1
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Thousands formats n with comma separators: 10000 -> 10,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
