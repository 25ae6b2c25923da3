//go:build unix

package scoring

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO or a device in place of a file is refused without blocking on it
// or reading it.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	src, _ := savedModel(t)
	for _, tc := range []struct {
		name string
		file string
		make func(path string) error
		want string
	}{
		{"FIFO in place of a forest", DetectorFile, func(path string) error { return syscall.Mkfifo(path, 0o644) }, "FIFO"},
		{"FIFO in place of model.json", ModelFile, func(path string) error { return syscall.Mkfifo(path, 0o644) }, "FIFO"},
		// /dev/null's numbers (1, 3): needs the right to create devices.
		{"device in place of a forest", AttackTypeFile, func(path string) error {
			return syscall.Mknod(path, syscall.S_IFCHR|0o644, 1<<8|3)
		}, "character device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			path := filepath.Join(dir, tc.file)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(path); err != nil {
				t.Skipf("cannot create it here: %v", err)
			}
			checkRefused(t, dir, path+": ", tc.want)
		})
	}
}
