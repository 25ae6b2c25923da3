package artifact

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// digestOf computes the expected digest with crypto/sha256 directly.
func digestOf(data []byte) Digest {
	sum := sha256.Sum256(data)
	return Digest{SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}
}

// pattern returns n bytes that are not all alike.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		// chunk is the size of each Write call; 0 writes everything at once.
		chunk int
	}{
		{"empty", nil, 0},
		{"short", []byte("hello, artifact\n"), 0},
		// More than WriteFile's 1 MiB buffer, in writes that straddle it.
		{"larger than the buffer", pattern(3<<20 + 17), 0},
		{"many small writes", pattern(1<<20 + 4097), 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			got, err := WriteFile(path, func(w io.Writer) error {
				data := tc.data
				for len(data) > 0 {
					n := len(data)
					if tc.chunk > 0 {
						n = min(n, tc.chunk)
					}
					if _, err := w.Write(data[:n]); err != nil {
						return err
					}
					data = data[n:]
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := digestOf(tc.data)
			if got != want {
				t.Errorf("digest %+v, want %+v", got, want)
			}
			content, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(content, tc.data) {
				t.Errorf("file holds %d bytes, not the %d written", len(content), len(tc.data))
			}
			if hashed, err := HashFile(path); err != nil || hashed != want {
				t.Errorf("HashFile = %+v, %v; want %+v", hashed, err, want)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode() != 0o644 {
				t.Errorf("mode %v, want -rw-r--r--", info.Mode())
			}
			if diff := cmp.Diff([]string{"out.bin"}, dirEntries(t, dir)); diff != "" {
				t.Errorf("directory mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteBytesReplacesAndCreatesDirectories(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "manifest.json")
	for _, data := range [][]byte{[]byte("first, and longer\n"), []byte("second\n")} {
		got, err := WriteBytes(path, data)
		if err != nil {
			t.Fatal(err)
		}
		if want := digestOf(data); got != want {
			t.Errorf("digest %+v, want %+v", got, want)
		}
		if content, err := os.ReadFile(path); err != nil || !bytes.Equal(content, data) {
			t.Errorf("file holds %q (%v), want %q", content, err, data)
		}
	}
	if diff := cmp.Diff([]string{"manifest.json"}, dirEntries(t, filepath.Dir(path))); diff != "" {
		t.Errorf("directory mismatch (-want +got):\n%s", diff)
	}
}

// The digest is recorded in manifests under these keys.
func TestDigestJSON(t *testing.T) {
	b, err := json.Marshal(digestOf([]byte("abc")))
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc") from FIPS 180-2, appendix B.1.
	const want = `{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","bytes":3}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

// A failing writer leaves no file and no temporary file, and leaves an
// existing file as it was.
func TestWriteFileWriterFails(t *testing.T) {
	errWriter := errors.New("writer failed")
	for _, tc := range []struct {
		name     string
		existing bool
		written  int // bytes written before failing; more than 1 MiB reach the temporary file
	}{
		{"nothing written", false, 0},
		{"partly written", false, 3 << 20},
		{"existing file, nothing written", true, 0},
		{"existing file, partly written", true, 3 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "dataset.parquet")
			old := []byte("the previous run's file\n")
			var before os.FileInfo
			if tc.existing {
				if err := os.WriteFile(path, old, 0o600); err != nil {
					t.Fatal(err)
				}
				var err error
				if before, err = os.Stat(path); err != nil {
					t.Fatal(err)
				}
			}
			var tempSeen []string
			_, err := WriteFile(path, func(w io.Writer) error {
				if _, err := w.Write(pattern(tc.written)); err != nil {
					return err
				}
				for _, name := range dirEntries(t, dir) {
					if IsTemporary(name) {
						tempSeen = append(tempSeen, name)
					}
				}
				return errWriter
			})
			if !errors.Is(err, errWriter) {
				t.Fatalf("error %v, want the writer's", err)
			}
			if len(tempSeen) != 1 {
				t.Errorf("temporary files during the write: %q, want one", tempSeen)
			}
			want := []string(nil)
			if tc.existing {
				want = []string{"dataset.parquet"}
			}
			if diff := cmp.Diff(want, dirEntries(t, dir)); diff != "" {
				t.Errorf("directory mismatch (-want +got):\n%s", diff)
			}
			if !tc.existing {
				return
			}
			content, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(content, old) {
				t.Errorf("existing file now holds %d bytes, want it untouched", len(content))
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !os.SameFile(before, after) || after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) {
				t.Errorf("existing file replaced or changed: %v %v, was %v %v", after.Mode(), after.ModTime(), before.Mode(), before.ModTime())
			}
		})
	}
}

// A writer that panics leaves no temporary file behind either.
func TestWriteFileWriterPanics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the writer's panic", r)
			}
		}()
		WriteFile(path, func(w io.Writer) error {
			w.Write(pattern(2 << 20))
			panic("boom")
		})
	}()
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

func TestIsTemporary(t *testing.T) {
	// The names WriteFile actually uses.
	dir := t.TempDir()
	for _, base := range []string{"dataset.parquet", "manifest.json", ".hidden", "noext"} {
		var temp []string
		if _, err := WriteFile(filepath.Join(dir, base), func(io.Writer) error {
			for _, name := range dirEntries(t, dir) {
				if name != base && IsTemporary(name) {
					temp = append(temp, name)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(temp) != 1 {
			t.Errorf("writing %s: temporary files %q, want one", base, temp)
		}
		if IsTemporary(base) {
			t.Errorf("IsTemporary(%q) = true for the target", base)
		}
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{".dataset.parquet.123456.tmp", true},
		{"runs/trial-1/.manifest.json.42.tmp", true},
		{".summary.md.tmp", true},
		{"dataset.parquet", false},
		{"notes.tmp", false}, // not hidden: not ours
		{".hidden", false},
		{".dataset.parquet.tmp/real", false}, // only the last element counts
		{"", false},
	} {
		if got := IsTemporary(tc.name); got != tc.want {
			t.Errorf("IsTemporary(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A parent that is a file, not a directory, is an error naming it; nothing
// is written.
func TestWriteFileParentNotDirectory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "runs")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		filepath.Join(file, "manifest.json"),
		filepath.Join(file, "trial", "manifest.json"),
	} {
		called := false
		_, err := WriteFile(path, func(io.Writer) error { called = true; return nil })
		if err == nil {
			t.Fatalf("WriteFile(%s) succeeded", path)
		}
		if !errors.Is(err, syscall.ENOTDIR) || !strings.Contains(err.Error(), file) {
			t.Errorf("WriteFile(%s) error %q, want ENOTDIR naming %s", path, err, file)
		}
		if called {
			t.Error("writer called although the file cannot be created")
		}
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q", names)
	}
}

// A target that is a directory is an error naming the target (not the
// temporary file, which is removed); the directory is left as it was.
func TestWriteFileTargetIsDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "trial-1")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := WriteBytes(target, []byte("data"))
	if err == nil || !strings.Contains(err.Error(), target) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %v, want one naming %s and not the temporary file", err, target)
	}
	if diff := cmp.Diff([]string{"trial-1"}, dirEntries(t, dir)); diff != "" {
		t.Errorf("directory mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"keep"}, dirEntries(t, target)); diff != "" {
		t.Errorf("target directory mismatch (-want +got):\n%s", diff)
	}
}

// Concurrent writers of one path: the file ends up as one of them, whole.
func TestWriteFileConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	contents := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 1<<20+i)
		wg.Go(func() {
			if _, err := WriteBytes(path, contents[i]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	whole := false
	for _, c := range contents {
		whole = whole || bytes.Equal(got, c)
	}
	if !whole {
		t.Errorf("file of %d bytes is none of the writes", len(got))
	}
	if diff := cmp.Diff([]string{"out"}, dirEntries(t, dir)); diff != "" {
		t.Errorf("directory mismatch (-want +got):\n%s", diff)
	}
}

// killChildEnv names the target file for the child process of
// TestWriteFileKilled.
const killChildEnv = "ARTIFACT_TEST_KILL_TARGET"

// TestWriteFileKilled kills a process with SIGKILL in the middle of
// WriteFile: the target then holds its previous content, or does not exist,
// and what is left behind is a temporary file.
func TestWriteFileKilled(t *testing.T) {
	if target := os.Getenv(killChildEnv); target != "" {
		// The child: write 5 MiB (so that the temporary file holds some),
		// say so, and wait to be killed.
		WriteFile(target, func(w io.Writer) error {
			if _, err := w.Write(pattern(5 << 20)); err != nil {
				return err
			}
			fmt.Println("writing")
			time.Sleep(time.Minute)
			return errors.New("not killed")
		})
		os.Exit(3)
	}
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing=%v", existing), func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "dataset.parquet")
			old := []byte("complete previous content\n")
			if existing {
				if err := os.WriteFile(target, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileKilled$")
			cmd.Env = append(os.Environ(), killChildEnv+"="+target)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if line != "writing\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child said %q (%v), want \"writing\"", line, err)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
				t.Fatalf("child ended with %v, want killed", err)
			}

			var temp []string
			for _, name := range dirEntries(t, dir) {
				switch {
				case name == "dataset.parquet":
				case IsTemporary(name):
					temp = append(temp, name)
				default:
					t.Errorf("unexpected file %s", name)
				}
			}
			if len(temp) != 1 {
				t.Errorf("temporary files %q, want the one the child was writing", temp)
			} else if info, err := os.Stat(filepath.Join(dir, temp[0])); err != nil || info.Size() == 0 {
				t.Errorf("temporary file %s: %v, want some content in it", temp[0], err)
			}
			content, err := os.ReadFile(target)
			switch {
			case !existing && !errors.Is(err, os.ErrNotExist):
				t.Errorf("target exists after the writer was killed (%d bytes, %v)", len(content), err)
			case existing && (err != nil || !bytes.Equal(content, old)):
				t.Errorf("target holds %d bytes (%v), want its previous content", len(content), err)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.json")
	d, err := WriteJSON(path, map[string]any{"op": ">=", "value": 0.95})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Indented, not HTML-escaped, newline-terminated; the digest is the file's.
	want := "{\n  \"op\": \">=\",\n  \"value\": 0.95\n}\n"
	if string(got) != want {
		t.Errorf("WriteJSON wrote %q, want %q", got, want)
	}
	if d != digestOf(got) {
		t.Errorf("digest %+v, file's %+v", d, digestOf(got))
	}
}
