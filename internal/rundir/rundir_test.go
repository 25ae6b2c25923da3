package rundir

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/artifact"
)

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file: a second Lock conflicts even in one process.
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "by process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second Lock: %v, want ErrLocked naming process %d", err, os.Getpid())
	}
	if _, err := LockShard(dir, "0-of-2"); !errors.Is(err, ErrLocked) {
		t.Errorf("a shard while the run is locked: %v", err)
	}
	unlock()
	// Shards share the run's lock; the same shard twice, or a whole run,
	// is refused.
	u0, err := LockShard(dir, "0-of-2")
	if err != nil {
		t.Fatal(err)
	}
	u1, err := LockShard(dir, "1-of-2")
	if err != nil {
		t.Fatalf("two shards of one run: %v", err)
	}
	if _, err := LockShard(dir, "1-of-2"); !errors.Is(err, ErrLocked) {
		t.Errorf("the same shard twice: %v", err)
	}
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("a whole run beside shards: %v", err)
	}
	u0()
	u1()
	unlock, err = Lock(dir)
	if err != nil {
		t.Fatalf("Lock after every holder unlocked: %v", err)
	}
	unlock()
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	write := func(name, body string) artifact.Digest {
		d, err := artifact.WriteBytes(filepath.Join(root, filepath.FromSlash(name)), []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	files := map[string]artifact.Digest{
		"ok.txt":       write("ok.txt", "fine"),
		"changed.txt":  write("changed.txt", "before"),
		"size.txt":     write("size.txt", "short"),
		"gone.txt":     write("gone.txt", "here"),
		"link.txt":     write("link.txt", "linked"),
		"fifo":         write("fifo", ""),
		"sub/deep.txt": write("sub/deep.txt", "deep"),
		"../escape":    {SHA256: "00", Bytes: 1},
	}
	write("changed.txt", "after!")
	write("size.txt", "longer")
	os.Remove(filepath.Join(root, "gone.txt"))
	os.Remove(filepath.Join(root, "link.txt"))
	outside := filepath.Join(t.TempDir(), "x")
	os.WriteFile(outside, []byte("linked"), 0o644)
	os.Symlink(outside, filepath.Join(root, "link.txt"))
	os.Remove(filepath.Join(root, "fifo"))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	got := map[string]string{}
	for _, m := range Check(root, "run/", files) {
		got[m.Path] = m.Problem
	}
	for path, want := range map[string]string{
		"run/changed.txt": "SHA-256",
		"run/size.txt":    "6 bytes, the manifest records 5",
		"run/gone.txt":    "missing",
		"run/link.txt":    "symbolic link",
		"run/fifo":        "FIFO",
		"run/../escape":   `".."`,
	} {
		if !strings.Contains(got[path], want) {
			t.Errorf("%s: %q, want %q", path, got[path], want)
		}
		delete(got, path)
	}
	if len(got) > 0 {
		t.Errorf("unexpected mismatches: %v", got)
	}
}
