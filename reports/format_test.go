package reports

import (
	"math"
	"testing"
)

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {10000, "10,000"}, {-1234567, "-1,234,567"},
		{0.95, "0.95"}, {0.123456, "0.1235"}, {math.NaN(), "n/a"}, {1e20, "1e+20"},
	} {
		if got := FormatValue(c.v); got != c.want {
			t.Errorf("FormatValue(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}
