// Package fileio opens the files the harness reads with the guarantees
// hostile input needs: only regular files (a FIFO, device or socket is
// refused before it can block or stream forever), sizes and decompressed
// bytes bounded before they are allocated, and paths read from files kept
// inside their directory.
//
// The bounds are in limits.go; each can be raised with an environment
// variable where a real need exists.
package fileio

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrNotRegular is wrapped by the error for a path that names a directory,
// FIFO, device or socket where a regular file is expected.
var ErrNotRegular = errors.New("not a regular file")

// kindOf names a file mode's type for an error message.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// NotRegularError is a path that names a directory, FIFO, device or
// socket where a regular file is expected. It wraps ErrNotRegular.
type NotRegularError struct {
	Path string
	Kind string // "a FIFO (named pipe)", "a character device", ...
}

func (e *NotRegularError) Error() string { return e.Path + ": " + e.Detail() }

// Detail is the message without the path.
func (e *NotRegularError) Detail() string {
	return fmt.Sprintf("%s, %v: the harness reads only regular files", e.Kind, ErrNotRegular)
}

func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// CheckRegular returns a *NotRegularError naming path when info is not a
// regular file.
func CheckRegular(path string, info fs.FileInfo) error {
	if info.Mode().IsRegular() {
		return nil
	}
	return &NotRegularError{Path: path, Kind: kindOf(info.Mode())}
}

// Detail returns err's message without the path it begins with, for a
// caller that names the path itself: the Detail of a *NotRegularError or
// *TooLargeError, the cause of an *os.PathError, else err's message.
func Detail(err error) string {
	var nr *NotRegularError
	var tl *TooLargeError
	var pe *fs.PathError
	switch {
	case errors.As(err, &nr):
		return nr.Detail()
	case errors.As(err, &tl):
		return tl.Detail()
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
}

// Open opens path for reading, following symbolic links, and refuses
// anything but a regular file without blocking on it (a FIFO is opened
// non-blocking, then refused). It returns the file and its information.
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is.
		if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
			return nil, nil, CheckRegular(path, info)
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := CheckRegular(path, info); err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := setBlocking(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// Stat is os.Stat that also refuses anything but a regular file.
func Stat(path string) (fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return info, CheckRegular(path, info)
}

// TooLargeError is a file or stream over one of the limits.
type TooLargeError struct {
	Path  string
	Line  int    // 1-based line where the problem is; 0 for none
	What  string // "file", "decompressed data", ...
	Limit Limit
	Size  int64 // -1 when only "more than the limit" is known
}

func (e *TooLargeError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Detail())
	}
	return e.Path + ": " + e.Detail()
}

// Detail is the message without the path and line.
func (e *TooLargeError) Detail() string {
	size := "more than"
	if e.Size >= 0 {
		size = fmt.Sprintf("%s, more than", e.Limit.Format(e.Size))
	}
	return fmt.Sprintf("%s of %s the limit of %s (%s raises it)", e.What, size, e.Limit.Format(e.Limit.Get()), e.Limit.Env)
}

// OpenLimited is Open that also refuses a file larger than limit's value,
// with a *TooLargeError.
func OpenLimited(path string, limit Limit) (*os.File, fs.FileInfo, error) {
	f, info, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > limit.Get() {
		f.Close()
		return nil, nil, &TooLargeError{Path: path, What: "file", Limit: limit, Size: info.Size()}
	}
	return f, info, nil
}

// ReadFile reads the regular file at path whole, refusing one larger than
// limit's value before allocating.
func ReadFile(path string, limit Limit) ([]byte, error) {
	f, info, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadOpened(f, info, path, limit)
}

// ReadOpened reads the rest of the opened file f, whose information is
// info, refusing it when larger than limit's value: before allocating by
// its size, and while reading, since a file may grow.
func ReadOpened(f io.Reader, info fs.FileInfo, path string, limit Limit) ([]byte, error) {
	max := limit.Get()
	if info.Size() > max {
		return nil, &TooLargeError{Path: path, What: "file", Limit: limit, Size: info.Size()}
	}
	// Read at most one byte more than the limit, to tell.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, What: "file", Limit: limit, Size: -1}
	}
	return data, nil
}

// LimitedReader reads from R and fails with a *TooLargeError once more
// than Limit's value has been read, instead of the silent end of
// io.LimitReader.
type LimitedReader struct {
	R     io.Reader
	Path  string
	What  string
	Limit Limit
	n     int64
}

func (l *LimitedReader) Read(p []byte) (int, error) {
	max := l.Limit.Get()
	if l.n > max {
		return 0, &TooLargeError{Path: l.Path, What: l.What, Limit: l.Limit, Size: -1}
	}
	if room := max + 1 - l.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.R.Read(p)
	l.n += int64(n)
	if l.n > max {
		return n, &TooLargeError{Path: l.Path, What: l.What, Limit: l.Limit, Size: -1}
	}
	return n, err
}

// RecordLimiter bounds the bytes of one record of a reader that buffers
// a record whole, such as encoding/csv, which has no limit of its own: a
// line of gigabytes without a line break would be read into memory whole.
// It sits below the record reader's buffer (of Slack bytes) and fails with
// a *TooLargeError once more than LineBytes plus Slack bytes have been
// read since the start of the current record, which the caller sets with
// Mark after each record. The record reader then holds at most
// LineBytes+Slack bytes of one record. Its errors, and those of R, are
// sticky: Err returns the first.
type RecordLimiter struct {
	R     io.Reader
	Path  string
	What  string // "CSV record"
	Slack int64
	// Line is where the current record starts, for the error; the
	// caller keeps it up to date.
	Line  int
	read  int64
	start int64
	err   error
}

func (l *RecordLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	room := l.start + LineBytes.Get() + l.Slack + 1 - l.read
	if room <= 0 {
		l.err = &TooLargeError{Path: l.Path, Line: l.Line, What: l.What, Limit: LineBytes, Size: -1}
		return 0, l.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.R.Read(p)
	l.read += int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// Mark says that the next record starts offset bytes into R.
func (l *RecordLimiter) Mark(offset int64) { l.start = offset }

// Err returns the first error other than io.EOF of R or of the limit.
func (l *RecordLimiter) Err() error { return l.err }

// Gunzip returns a reader of the decompressed content of r, which must
// begin with a gzip header, bounded by the DecompressedBytes limit.
// Errors of the stream say it is corrupt gzip.
func Gunzip(r io.Reader, path string) (io.Reader, error) {
	zr, err := gzip.NewReader(r)
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid gzip file: %w", path, err)
	}
	return &LimitedReader{R: gzipErrors{zr}, Path: path, What: "decompressed data", Limit: DecompressedBytes}, nil
}

// gzipErrors marks the errors of a gzip stream as such, so that a corrupt
// file is reported as corrupt gzip rather than as a read error.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("corrupt gzip data: %w", err)
	}
	return n, err
}

// IsGzip reports whether data begins with gzip's magic bytes.
func IsGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// LocalName checks that name, read from a file (a trial ID, a model's
// file name), is a relative slash-separated path that stays inside the
// directory it is relative to: not empty, not absolute, no "." or ".."
// element, no backslash or NUL. what names it in the error.
func LocalName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s is empty", what)
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("%s %q holds a backslash or NUL", what, name)
	case path.IsAbs(name) || filepath.IsAbs(name):
		return fmt.Errorf("%s %q is an absolute path; it must stay inside its directory", what, name)
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return fmt.Errorf("%s %q has an empty, \".\" or \"..\" element; it must stay inside its directory", what, name)
		}
	}
	return nil
}

// Inside joins root and the slash-separated name (checked with LocalName)
// and refuses the result when any element below root is a symbolic link,
// so that what is read stays inside root. The final element need not
// exist.
func Inside(root, what, name string) (string, error) {
	if err := LocalName(what, name); err != nil {
		return "", err
	}
	full := root
	for _, elem := range strings.Split(name, "/") {
		full = filepath.Join(full, elem)
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(root, filepath.FromSlash(name)), nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%s: a symbolic link; the harness does not follow links inside a run directory", full)
		}
	}
	return full, nil
}
