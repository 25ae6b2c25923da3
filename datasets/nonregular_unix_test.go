//go:build unix

package datasets

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
	"github.com/segharness/harness/internal/flow"
)

// TestLoadNotRegular: a data path that is a FIFO (never written to) or
// /dev/zero is refused at once with an error naming it, instead of
// blocking on the open or reading forever. Low limits keep a regression
// from reading gigabytes before the hang guard fails it.
func TestLoadNotRegular(t *testing.T) {
	for _, l := range []fileio.Limit{fileio.InputBytes, fileio.DecompressedBytes, fileio.LineBytes} {
		fileiotest.SetLimit(t, l, 1<<20)
	}
	fifo := filepath.Join(t.TempDir(), "flows.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ path, kind string }{
		{fifo, "FIFO"},
		{"/dev/zero", "character device"},
	} {
		for _, format := range []string{flow.FormatCSV, flow.FormatParquet} {
			t.Run(tc.kind+" as "+format, func(t *testing.T) {
				var err error
				fileiotest.Within(t, "Load", func() { _, err = Load(tc.path, format) })
				if !errors.Is(err, fileio.ErrNotRegular) || !strings.HasPrefix(err.Error(), tc.path+": ") || !strings.Contains(err.Error(), tc.kind) {
					t.Errorf("Load(%s) = %v, want it refused as a %s", tc.path, err, tc.kind)
				}
			})
		}
	}
}
