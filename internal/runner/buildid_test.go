package runner

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoBuildID reads the test binary's own build ID and compares it with
// what the Go toolchain says it is (go tool buildid).
func TestGoBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got, err := goBuildID(exe)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got != want || got == "" {
		t.Errorf("goBuildID(test binary) = %q, go tool buildid says %q", got, want)
	}
	id, err := build()
	if err != nil || id != "go-build-id:"+want {
		t.Errorf("build() = %q, %v; want go-build-id:%s", id, err, want)
	}

	// A file that is not ELF has no build ID: build hashes it instead.
	text := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if id, err := goBuildID(text); id != "" || err != nil {
		t.Errorf("goBuildID(a shell script) = %q, %v; want \"\", nil", id, err)
	}
	if _, err := goBuildID(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("goBuildID(a missing file): no error")
	}
}

// TestParseGoBuildNote covers the note's layout (the ELF specification's
// note format: name size, descriptor size, type, padded name, descriptor)
// and the malformed notes a damaged binary could hold.
func TestParseGoBuildNote(t *testing.T) {
	note := func(name string, typ uint32, desc string, cut int) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(len(name)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(desc)))
		b = binary.LittleEndian.AppendUint32(b, typ)
		b = append(b, name...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		b = append(b, desc...)
		return b[:len(b)-cut]
	}
	for _, c := range []struct {
		name string
		note []byte
		want string
	}{
		{"the linker's note", note("Go\x00\x00", goBuildNote, "abc/def", 0), "abc/def"},
		{"name without padding", note("Go", goBuildNote, "abc/def", 0), "abc/def"},
		{"empty ID (-buildid=)", note("Go\x00\x00", goBuildNote, "", 0), ""},
		{"another type", note("Go\x00\x00", 1, "abc/def", 0), ""},
		{"another owner", note("GNU\x00", goBuildNote, "abc/def", 0), ""},
		{"descriptor cut short", note("Go\x00\x00", goBuildNote, "abc/def", 3), ""},
		{"header only", note("", goBuildNote, "", 0)[:8], ""},
		{"empty", nil, ""},
		{"sizes past the end", append(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 1<<31), 1<<31), 4, 0, 0, 0), ""},
	} {
		if got := parseGoBuildNote(c.note, binary.LittleEndian); got != c.want {
			t.Errorf("%s: parseGoBuildNote = %q, want %q", c.name, got, c.want)
		}
	}
}
