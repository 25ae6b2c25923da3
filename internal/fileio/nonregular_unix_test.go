//go:build unix

package fileio

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mkfifo makes a FIFO in a temporary directory; nothing ever writes to
// it, so opening it for reading blocks unless opened non-blocking.
func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flows.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// TestNonRegularRefused: a FIFO, a character device and a socket are
// refused by Open, Stat, ReadFile and OpenLimited at once, naming the
// path and what it is.
func TestNonRegularRefused(t *testing.T) {
	lowLimits(t)
	sock := filepath.Join(t.TempDir(), "s")
	if l, err := net.Listen("unix", sock); err == nil {
		defer l.Close()
	} else {
		sock = ""
	}
	for _, tc := range []struct{ name, path, kind string }{
		{"FIFO", mkfifo(t), "a FIFO (named pipe)"},
		{"/dev/zero", "/dev/zero", "a character device"},
		{"socket", sock, "a socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.path == "" {
				t.Skip("no unix socket")
			}
			check := func(op string, err error) {
				t.Helper()
				var nr *NotRegularError
				if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || !strings.HasPrefix(err.Error(), tc.path+": "+tc.kind) {
					t.Errorf("%s(%s) = %v, want a *NotRegularError naming it %s", op, tc.path, err, tc.kind)
				}
			}
			within(t, "Open", func() {
				f, _, err := Open(tc.path)
				if f != nil {
					f.Close()
				}
				check("Open", err)
			})
			within(t, "OpenLimited", func() {
				f, _, err := OpenLimited(tc.path, InputBytes)
				if f != nil {
					f.Close()
				}
				check("OpenLimited", err)
			})
			within(t, "ReadFile", func() {
				_, err := ReadFile(tc.path, InputBytes)
				check("ReadFile", err)
			})
			_, err := Stat(tc.path)
			check("Stat", err)
		})
	}
}

// TestOpenRegularBlocking: a regular file opened by Open reads as usual.
func TestOpenRegularBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(path, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(path, InputBytes)
	if err != nil || string(data) != "a,b\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
}
