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
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/segharness/harness/internal/fileio"
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

// CopyFile copies the regular file src (fileio.Open: a FIFO or device is
// refused without blocking) to dst atomically, streaming, and returns the
// digest of what it copied.
func CopyFile(src, dst string) (Digest, error) {
	f, _, err := fileio.Open(src)
	if err != nil {
		return Digest{}, err
	}
	defer f.Close()
	return WriteFile(dst, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// HashFile returns the digest of the file at path, which must be a
// regular file: a FIFO, device or socket would never end (or block), so
// it is refused with a *fileio.NotRegularError naming path.
func HashFile(path string) (Digest, error) {
	f, _, err := fileio.Open(path)
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

// HashTree returns the digest of the file at path or, for a directory, of
// every file below it: the SHA-256 of one line per file in lexical order,
// its slash-separated path relative to the directory, a NUL and its own
// SHA-256; Bytes is the files' total size. Directories named __pycache__
// and files ending in .pyc are skipped (Python writes them when it runs
// the code), and so are symbolic links to directories.
func HashTree(path string) (Digest, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Digest{}, err
	}
	if !st.IsDir() {
		return HashFile(path)
	}
	h := sha256.New()
	var total int64
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "__pycache__":
			return fs.SkipDir
		case d.IsDir() || strings.HasSuffix(d.Name(), ".pyc"):
			return nil
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return err // a link to a directory or a device: not content
		}
		fd, err := HashFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(path, p)
		fmt.Fprintf(h, "%s\x00%s\n", filepath.ToSlash(rel), fd.SHA256)
		total += fd.Bytes
		return nil
	})
	if err != nil {
		return Digest{}, err
	}
	return Digest{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: total}, nil
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
