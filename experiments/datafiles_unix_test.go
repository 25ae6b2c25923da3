//go:build unix

package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/fileio/fileiotest"
)

// dataDir is a directory holding a FIFO (fifo.csv, never written to), a
// table (a.csv), a link to it (link.csv), another table (b.csv) and a link
// to a device (zero.csv).
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, name := range []string{"a.csv", "b.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x,label\n1,normal\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.csv", filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.csv")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// parseFileErrors writes src as an experiment file in dir, parses it and
// checks its files (failing after 10 s rather than hanging) and returns
// its errors.
func parseFileErrors(t *testing.T, dir, src string) ErrorList {
	t.Helper()
	file := filepath.Join(dir, "exp.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	fileiotest.Within(t, "ParseFile and CheckFiles", func() { _, err = load(file) })
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("ParseFile and CheckFiles = %v, want an ErrorList", err)
	}
	checkErrorList(t, []byte(src), file, list)
	return list
}

// wantError checks that list holds an error at line:col of key whose
// message holds each of msgs.
func wantError(t *testing.T, list ErrorList, line, col int, key string, msgs ...string) {
	t.Helper()
	for _, e := range list {
		if e.Line == line && e.Column == col && e.Path == key {
			for _, m := range msgs {
				if !strings.Contains(e.Msg, m) {
					t.Errorf("error %v: want %q in its message", e, m)
				}
			}
			return
		}
	}
	t.Errorf("no error at %d:%d %s in\n%v", line, col, key, list)
}

func tableExperiment(files, test string) string {
	src := `name: t
seeds: [1]
data:
  source: table
  table:
    preset: nsl-kdd
    files: ` + files + "\n"
	if test != "" {
		src += "    test: " + test + "\n"
	}
	return src
}

// TestExperimentFileNotRegular: an experiment file that is a FIFO or a
// device is refused at once, naming it.
func TestExperimentFileNotRegular(t *testing.T) {
	dir := dataDir(t)
	for _, path := range []string{filepath.Join(dir, "fifo.csv"), "/dev/zero"} {
		var err error
		fileiotest.Within(t, "ParseFile", func() { _, err = ParseFile(path) })
		var list ErrorList
		if !errors.As(err, &list) || len(list) != 1 || list[0].File != path || !strings.Contains(list[0].Msg, "not a regular file") || strings.Contains(list[0].Msg, path) {
			t.Errorf("ParseFile(%s) = %v, want one error naming the file once", path, err)
		}
	}
}

// TestDataPathNotRegular: a data path or table file that is a FIFO or a
// device fails validation at its position, naming it.
func TestDataPathNotRegular(t *testing.T) {
	dir := dataDir(t)
	for _, tc := range []struct{ path, kind string }{{"fifo.csv", "a FIFO (named pipe)"}, {"/dev/zero", "a character device"}} {
		list := parseFileErrors(t, dir, fmt.Sprintf("name: f\nseeds: [1]\ndata:\n  source: file\n  path: %s\n", tc.path))
		wantError(t, list, 5, 9, "data.path", tc.path+": "+tc.kind, "not a regular file")

		// A table file's extension must name its format: the device
		// through a link named .csv.
		table := tc.path
		if table == "/dev/zero" {
			table = "zero.csv"
		}
		list = parseFileErrors(t, dir, tableExperiment("[a.csv, "+table+"]", ""))
		wantError(t, list, 7, 20, "data.table.files", table+": "+tc.kind, "not a regular file")

		// A model's files may be directories, never FIFOs or devices.
		list = parseFileErrors(t, dir, "name: m\nseeds: [1]\nmodels:\n  - {name: x, kind: external, command: [python3], files: ["+tc.path+"]}\n")
		wantError(t, list, 4, 59, "models[0].files", tc.path+": "+tc.kind)
	}
}

// TestDataPathTooLarge: a data file over fileio.InputBytes fails
// validation at its position, naming the variable that raises the limit.
func TestDataPathTooLarge(t *testing.T) {
	dir := dataDir(t)
	if err := os.WriteFile(filepath.Join(dir, "big.csv"), make([]byte, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	defer fileio.SetForTest(fileio.InputBytes, 1000)()
	list := parseFileErrors(t, dir, "name: f\nseeds: [1]\ndata:\n  source: file\n  path: big.csv\n")
	wantError(t, list, 5, 9, "data.path", "big.csv: file of 2000 bytes, more than the limit of 1000 bytes", fileio.InputBytes.Env)
}

// TestTableSameFile: the same file twice in a table's files, or both in
// files and test, is an error naming both positions, however the paths
// are written: ./a.csv and a.csv, a link and its target.
func TestTableSameFile(t *testing.T) {
	dir := dataDir(t)
	for _, tc := range []struct {
		files, test string
		line, col   int
		key, msg    string
	}{
		{"[a.csv, ./a.csv]", "", 7, 20, "data.table.files", "./a.csv is the same file as a.csv (at 7:13): list each file once"},
		{"[a.csv, b.csv, link.csv]", "", 7, 27, "data.table.files", "link.csv is the same file as a.csv (at 7:13): list each file once"},
		{"[a.csv]", "[b.csv, ./a.csv]", 8, 19, "data.table.test", "./a.csv is also a training file (at 7:13): the test files must be other files"},
		{"[a.csv]", "[link.csv]", 8, 12, "data.table.test", "link.csv is the same file as the training file a.csv (at 7:13): the test files must be other files"},
		{"[b.csv]", "[a.csv, link.csv]", 8, 19, "data.table.test", "link.csv is the same file as a.csv (at 8:12): list each file once"},
		{"[a.csv, " + filepath.Join(dir, "a.csv") + "]", "", 7, 20, "data.table.files", "is the same file as a.csv (at 7:13)"},
	} {
		list := parseFileErrors(t, dir, tableExperiment(tc.files, tc.test))
		wantError(t, list, tc.line, tc.col, tc.key, tc.msg)
		if len(list) != 1 {
			t.Errorf("files %s, test %s: %d errors, want 1:\n%v", tc.files, tc.test, len(list), list)
		}
	}
	// Different files are fine.
	if _, err := load(writeExp(t, dir, tableExperiment("[a.csv]", "[b.csv]"))); err != nil {
		t.Errorf("a.csv and b.csv: %v", err)
	}
}

// TestModelFilesSameFile: a model's files name each file once, however
// the paths are written.
func TestModelFilesSameFile(t *testing.T) {
	dir := dataDir(t)
	list := parseFileErrors(t, dir, "name: m\nseeds: [1]\nmodels:\n  - {name: x, kind: external, command: [python3], files: [a.csv, ./a.csv]}\n")
	wantError(t, list, 4, 66, "models[0].files", "./a.csv is the same file as a.csv (at 4:59): list each file once")
}

func writeExp(t *testing.T, dir, src string) string {
	t.Helper()
	file := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
