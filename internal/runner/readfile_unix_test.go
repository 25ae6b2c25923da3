//go:build unix

package runner

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/rundir"
)

// TestReadRunFilesNotRegular: monitoring.json and incident.json that are
// FIFOs (never written to) or /dev/zero are refused at once, naming the
// path, instead of blocking on the open or reading forever.
func TestReadRunFilesNotRegular(t *testing.T) {
	defer fileio.SetForTest(fileio.RunFileBytes, 1<<20)()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "monitoring.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	readers := map[string]func(string) error{
		"ReadMonitoringSummary": func(p string) error { _, err := rundir.ReadMonitoringSummary(p); return err },
		"ReadIncident":          func(p string) error { _, err := rundir.ReadIncident(p); return err },
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		for name, read := range readers {
			done := make(chan error, 1)
			go func() { done <- read(path) }()
			select {
			case err := <-done:
				var nr *fileio.NotRegularError
				if !errors.As(err, &nr) || nr.Path != path {
					t.Errorf("%s(%s) = %v, want it refused, naming it", name, path, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s(%s) did not return within 10 s: it blocks or reads forever", name, path)
			}
		}
	}
}
