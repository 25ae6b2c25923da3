// Package artifact writes run artifacts atomically and records their
// content hashes.
//
// A file is written to a temporary name in its destination directory,
// flushed to disk, and renamed over the destination: a reader (or a later
// run) sees the old file or the complete new one, never a truncated one,
// even when the process is killed mid-write. Temporary names start with a
// dot and end in .tmp, so listings of artifacts skip them.
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
	"path/filepath"
	"strings"
)

// Digest identifies a file's content.
type Digest struct {
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// WriteFile creates or replaces path atomically with what write produces,
// creating parent directories as needed. It returns the content's digest.
func WriteFile(path string, write func(w io.Writer) error) (Digest, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Digest{}, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return Digest{}, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	counter := &countWriter{w: io.MultiWriter(tmp, h)}
	bw := bufio.NewWriterSize(counter, 1<<20)
	if err := write(bw); err != nil {
		return Digest{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return Digest{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return Digest{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Digest{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return Digest{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err // it names the temporary file, which is gone
		}
		return Digest{}, fmt.Errorf("writing %s: replacing the file: %w", path, err)
	}
	ok = true
	syncDir(dir)
	return Digest{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: counter.n}, nil
}

// WriteBytes writes data to path atomically.
func WriteBytes(path string, data []byte) (Digest, error) {
	return WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteJSON writes v to path atomically as indented JSON (two spaces,
// a final newline) without HTML escaping, so that ">=" stays ">=".
func WriteJSON(path string, v any) (Digest, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return Digest{}, fmt.Errorf("writing %s: %w", path, err)
	}
	return WriteBytes(path, body.Bytes())
}

// HashFile returns the digest of the file at path.
func HashFile(path string) (Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Digest{}, err
	}
	return Digest{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}

// IsTemporary reports whether name is a temporary file of WriteFile.
func IsTemporary(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, ".") && strings.HasSuffix(base, ".tmp")
}

// syncDir flushes a directory entry after a rename; best effort, as some
// file systems do not support it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
