package runner

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/segharness/harness/internal/artifact"
)

var (
	buildOnce sync.Once
	buildID   string
	buildErr  error
)

// build returns the running executable's identity, which any change of
// the code changes, so that a trial is never reused across code versions
// (a version string would not see uncommitted edits): the Go toolchain's
// build ID where the executable has one, else the SHA-256 of the file.
//
// The build ID's last part is the toolchain's hash of the linked binary
// itself, its own ID left out (cmd/go's buildid.go), so it identifies the
// code as the file's SHA-256 does; reading it costs a few kilobytes of
// I/O where hashing the 40 MB binary took about 33 ms of every run.
func build() (string, error) {
	buildOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			buildErr = err
			return
		}
		id, err := goBuildID(exe)
		if err != nil {
			buildErr = err
			return
		}
		if id != "" {
			buildID = "go-build-id:" + id
			return
		}
		d, err := artifact.HashFile(exe)
		buildID, buildErr = "sha256:"+d.SHA256, err
	})
	return buildID, buildErr
}

// goBuildNote is the type of the ELF note the Go linker stores the build
// ID in, in the section .note.go.buildid, under the name "Go".
const goBuildNote = 4

// goBuildID returns the Go build ID of the ELF executable at path, read
// from its .note.go.buildid section; "" when the file is not ELF (or not
// one debug/elf reads) or has no such note, or an empty one (linked with
// -buildid=). An error is one of opening or reading the file.
func goBuildID(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", err // not opened
		}
		return "", nil // not ELF (or not an ELF this package reads): the caller hashes the file
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return "", nil
	}
	note, err := s.Data()
	if err != nil {
		return "", fmt.Errorf("%s: reading its Go build ID: %w", path, err)
	}
	return parseGoBuildNote(note, f.ByteOrder), nil
}

// parseGoBuildNote returns the descriptor of note, an ELF note (name
// size, descriptor size and type, each 4 bytes, then the name padded to 4
// bytes, then the descriptor), if it is a Go build ID note; else "".
func parseGoBuildNote(note []byte, order interface{ Uint32([]byte) uint32 }) string {
	if len(note) < 12 {
		return ""
	}
	nameSize, descSize, typ := order.Uint32(note), order.Uint32(note[4:]), order.Uint32(note[8:])
	nameEnd := 12 + uint64(nameSize)
	descStart := 12 + (uint64(nameSize)+3)&^3
	descEnd := descStart + uint64(descSize)
	if typ != goBuildNote || descEnd > uint64(len(note)) || string(bytes.TrimRight(note[12:nameEnd], "\x00")) != "Go" {
		return ""
	}
	return string(note[descStart:descEnd])
}
