package tabular

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReadErrorsAcrossBatches: the records are split on a goroutine in
// batches of csvBatchRows; problems in rows far apart (several batches)
// keep their order, lines and columns, and reading stops after MaxErrors
// with the goroutine gone. Expected positions are counted by hand from
// the rows written: data row i is on line i+1 and reads "tcp,<i>,1.5,normal".
func TestReadErrorsAcrossBatches(t *testing.T) {
	write := func(t *testing.T, rows int, edit func(i int, row string) string) string {
		var b strings.Builder
		b.WriteString("proto,bytes,dur,label\n")
		for i := 1; i <= rows; i++ {
			b.WriteString(edit(i, fmt.Sprintf("tcp,%d,1.5,normal", i)) + "\n")
		}
		path := filepath.Join(t.TempDir(), "rows.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	type pos struct {
		Line, Column int
		Field        string
	}
	positions := func(err error) []pos {
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("error %v is not an ErrorList", err)
		}
		var got []pos
		for _, e := range list {
			var pe *Error
			if !errors.As(e, &pe) {
				t.Fatalf("%v is not an *Error", e)
			}
			got = append(got, pos{pe.Line, pe.Column, pe.Field})
		}
		return got
	}

	t.Run("four kinds", func(t *testing.T) {
		path := write(t, 3000, func(i int, row string) string {
			switch i {
			case 100:
				return "tcp,x1,1.5,normal" // bytes at column 5
			case 700:
				return "tcp,700,zz,normal" // dur at column 9
			case 1200:
				return row + ",extra" // 5 fields: the whole row
			case 1800:
				return `tcp,18"00,1.5,normal` // a bare quote, byte 7
			}
			return row
		})
		spec := fixtureSpec()
		spec.Files = []string{path}
		_, _, err := Read(spec)
		want := []pos{{101, 5, "bytes"}, {701, 9, "dur"}, {1201, 0, ""}, {1801, 7, ""}}
		if diff := cmp.Diff(want, positions(err)); diff != "" {
			t.Errorf("errors (-want +got):\n%s\n%v", diff, err)
		}
	})

	t.Run("stops after MaxErrors", func(t *testing.T) {
		before := runtime.NumGoroutine()
		path := write(t, 6000, func(i int, row string) string {
			if i%100 == 0 {
				return fmt.Sprintf("tcp,bad%d,1.5,normal", i)
			}
			return row
		})
		spec := fixtureSpec()
		spec.Files = []string{path}
		_, _, err := Read(spec)
		var want []pos
		for i := 1; i <= MaxErrors; i++ {
			want = append(want, pos{100*i + 1, 5, "bytes"})
		}
		want = append(want, pos{}) // "stopped reading after 20 errors"
		if diff := cmp.Diff(want, positions(err)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("stopped reading after %d errors", MaxErrors)) {
			t.Errorf("error %v does not say reading stopped", err)
		}
		// The splitting goroutine has ended (Read waits for it).
		for range 100 {
			if runtime.NumGoroutine() <= before {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Errorf("%d goroutines after Read, %d before", runtime.NumGoroutine(), before)
	})
}
