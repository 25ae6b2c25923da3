//go:build unix

package rundir

import (
	"errors"
	"io"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
)

// TestReadTableFileNotRegular: a result table that is a FIFO (never
// written to) or /dev/zero is refused at once, not waited on or read
// forever.
func TestReadTableFileNotRegular(t *testing.T) {
	fileiotest.SetLimit(t, fileio.InputBytes, 1<<20)
	fifo := filepath.Join(t.TempDir(), "metrics.parquet")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ path, kind string }{
		{fifo, "FIFO"},
		{"/dev/zero", "character device"},
	} {
		t.Run(tc.kind+" as a result table", func(t *testing.T) {
			var err error
			fileiotest.Within(t, "ReadTableFile", func() {
				_, err = ReadTableFile(tc.path, func(r io.ReaderAt, size int64, name string) ([]Metric, error) {
					_, rows, err := ReadMetrics(r, size, name)
					return rows, err
				})
			})
			if !errors.Is(err, fileio.ErrNotRegular) {
				t.Errorf("ReadTableFile(%s) = %v, want it refused", tc.path, err)
			}
		})
	}
}
