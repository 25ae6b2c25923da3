package timestamps

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestParse reads the forms flow exporters write. Expected instants
// are computed by hand from the calendar: 2017-07-03 08:55:58 UTC is
// 1499072158 s since the epoch.
func TestParse(t *testing.T) {
	const at = 1499072158 * int64(time.Second)
	for _, tc := range []struct {
		name, layout, unit string
		values             []string
		want               []int64
		errHas             string
	}{
		{name: "seconds", values: []string{"1499072158", "1499072159.5"}, want: []int64{at, at + 1500*int64(time.Millisecond)}},
		{name: "milliseconds", unit: "ms", values: []string{"1499072158000"}, want: []int64{at}},
		{name: "RFC 3339", values: []string{"2017-07-03T08:55:58Z", "2017-07-03T10:55:58+02:00"}, want: []int64{at, at}},
		{name: "ISO with space", values: []string{"2017-07-03 08:55:58", "2017-07-03 08:55:58.25"}, want: []int64{at, at + 250*int64(time.Millisecond)}},
		{name: "day-first with a layout", layout: "02/01/2006 15:04:05", values: []string{"03/07/2017 08:55:58"}, want: []int64{at}},
		{name: "CICIDS2017 short form", layout: "2/1/2006 15:04", values: []string{"3/7/2017 8:55"}, want: []int64{at - 58*int64(time.Second)}},
		{name: "ambiguous never guessed", values: []string{"03/07/2017 08:55:58"}, errHas: "time_format"},
		{name: "mixed layouts", values: []string{"2017-07-03 08:55:58", "2017-07-03T08:55:58Z"}, errHas: `does not read as`},
		{name: "empty", values: []string{"1", ""}, errHas: "empty timestamp"},
		{name: "out of range", values: []string{"1e30"}, errHas: "outside the years"},
		{name: "bad unit", unit: "h", values: []string{"1"}, errHas: `unit "h"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.values, tc.layout, tc.unit)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("error %v, want one saying %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("instants (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParse: any text, layout and unit read as instants or give an error
// naming a value, never a panic.
func FuzzParse(f *testing.F) {
	f.Add("2017-07-03 08:55:58", "1499072158", "", "s")
	f.Add("03/07/2017 08:55:58", "3/7/2017 8:55", "2/1/2006 15:04", "")
	f.Add("1e30", "-1e30", "", "ns")
	f.Fuzz(func(t *testing.T, a, b, layout, unit string) {
		values := []string{a, b}
		got, err := Parse(values, layout, unit)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && (e.Index < 0 || e.Index >= len(values)) {
				t.Fatalf("error at value %d of %d", e.Index, len(values))
			}
			return
		}
		if len(got) != len(values) {
			t.Fatalf("%d instants for %d values", len(got), len(values))
		}
	})
}
