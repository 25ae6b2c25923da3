//go:build unix

package fileio

import (
	"os"
	"syscall"
)

// openNonBlocking opens path read-only with O_NONBLOCK, so that opening a
// FIFO without a writer returns at once instead of blocking.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// setBlocking clears O_NONBLOCK on a regular file (where it has no effect
// on Linux, but may elsewhere).
func setBlocking(f *os.File) error {
	return syscall.SetNonblock(int(f.Fd()), false)
}
