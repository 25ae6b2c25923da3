//go:build unix

package artifact

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
)

// TestHashFileNotRegular: hashing a FIFO (never written to) or /dev/zero
// is refused at once with an error naming it, instead of blocking on the
// open or hashing forever.
func TestHashFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "flows.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		for name, hash := range map[string]func(string) (Digest, error){"HashFile": HashFile, "HashTree": HashTree} {
			var err error
			fileiotest.Within(t, name, func() { _, err = hash(path) })
			if !errors.Is(err, fileio.ErrNotRegular) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("%s(%s) = %v, want it refused, naming it", name, path, err)
			}
		}
	}
}

// TestHashTreeSkipsNotRegular: inside a directory, a FIFO is not content
// and is skipped, as before.
func TestHashTreeSkipsNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := HashTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var got Digest
	fileiotest.Within(t, "HashTree", func() { got, err = HashTree(dir) })
	if err != nil || got != want {
		t.Errorf("HashTree with a FIFO inside = %v, %v; want %v as without it", got, err, want)
	}
}
