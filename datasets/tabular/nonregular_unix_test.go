//go:build unix

package tabular

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
)

// TestReadNotRegular: a table file that is a FIFO (never written to) or
// /dev/zero is refused at once, naming it, in every format.
func TestReadNotRegular(t *testing.T) {
	for _, l := range []fileio.Limit{fileio.InputBytes, fileio.DecompressedBytes, fileio.LineBytes} {
		fileiotest.SetLimit(t, l, 1<<20)
	}
	dir := t.TempDir()
	for _, name := range []string{"flows.csv", "flows.csv.gz", "flows.parquet"} {
		fifo := filepath.Join(dir, name)
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		// /dev/zero under each name: a link to it.
		zero := filepath.Join(dir, "zero-"+name)
		if err := syscall.Symlink("/dev/zero", zero); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ path, kind string }{{fifo, "FIFO"}, {zero, "character device"}} {
			t.Run(filepath.Base(tc.path), func(t *testing.T) {
				e := readErr(t, spec(tc.path))
				if !errors.Is(e, fileio.ErrNotRegular) || e.File != tc.path || !strings.Contains(e.Msg, tc.kind) || strings.Contains(e.Msg, tc.path) {
					t.Errorf("Read(%s) = %v, want it refused as a %s", tc.path, e, tc.kind)
				}
			})
		}
	}
}
