package fileio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in    string
		bytes bool
		want  int64
		err   string
	}{
		{"100", false, 100, ""},
		{"4GiB", true, 4 << 30, ""},
		{"512 MiB", true, 512 << 20, ""},
		{"1KiB", true, 1024, ""},
		{"7B", true, 7, ""},
		{"0", false, 0, "positive"},
		{"-5", false, 0, "positive"},
		{"4GiB", false, 0, "positive"}, // a count takes no unit
		{"lots", true, 0, "KiB, MiB"},
		{"9999999999TiB", true, 0, "too large"},
	} {
		got, err := parseLimit(tc.in, tc.bytes)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseLimit(%q): %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseLimit(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1 GiB", 3 << 20: "3 MiB", 1500: "1500 bytes", 2048: "2 KiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestOpenRefusesSpecialFiles: a FIFO without a writer, a character
// device and a directory are refused at once, not read or waited on.
func TestOpenRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for path, want := range map[string]string{fifo: "FIFO", "/dev/zero": "character device", dir: "directory"} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(path, InputBytes)
			done <- err
		}()
		err := <-done // a regression hangs here; go test's timeout reports it
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile(%s): %v, want a %s refused", path, err, want)
		}
	}
}

func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	defer SetForTest(InputBytes, 1024)()
	_, err := ReadFile(path, InputBytes)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "HARNESS_MAX_INPUT_BYTES") || !strings.Contains(err.Error(), "2 KiB, more than the limit of 1 KiB") {
		t.Errorf("ReadFile over the limit: %v", err)
	}
}

func TestLimitedReader(t *testing.T) {
	defer SetForTest(DecompressedBytes, 10)()
	r := &LimitedReader{R: strings.NewReader(strings.Repeat("x", 11)), Path: "f", What: "decompressed data", Limit: DecompressedBytes}
	_, err := io.ReadAll(r)
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Errorf("11 bytes through a limit of 10: %v", err)
	}
	r = &LimitedReader{R: strings.NewReader(strings.Repeat("x", 10)), Path: "f", What: "decompressed data", Limit: DecompressedBytes}
	if b, err := io.ReadAll(r); err != nil || len(b) != 10 {
		t.Errorf("10 bytes through a limit of 10: %d, %v", len(b), err)
	}
}

func TestLocalName(t *testing.T) {
	for name, ok := range map[string]bool{
		"seed=1": true, "a=1/seed=2": true, "model/model.json": true,
		"": false, "../x": false, "a/../../x": false, "/etc": false, "a//b": false, "./a": false, "a\\b": false, "a\x00": false,
	} {
		if err := LocalName("name", name); (err == nil) != ok {
			t.Errorf("LocalName(%q): %v, want ok=%v", name, err, ok)
		}
	}
}

func TestInsideRefusesLinks(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "trials"), 0o755)
	os.Symlink("/etc", filepath.Join(root, "trials", "x"))
	if _, err := Inside(root, "trial", "trials/x/passwd"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a path through a link: %v", err)
	}
	if p, err := Inside(root, "trial", "trials/y/z"); err != nil || p != filepath.Join(root, "trials", "y", "z") {
		t.Errorf("a path not yet there: %q, %v", p, err)
	}
}
