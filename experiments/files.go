package experiments

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/segharness/harness/internal/fileio"
	"go.yaml.in/yaml/v3"
)

// fileKind is what a path in an experiment file must name.
type fileKind uint8

const (
	// dataFile is a file of flows (data.path, data.table.files and test):
	// a regular file of at most fileio.InputBytes.
	dataFile fileKind = iota
	// inputFile is a file or directory a model reads (an external model's
	// files): a regular file or a directory.
	inputFile
)

// fileRef is a path the experiment file names, where it names it. The
// parser records them; CheckFiles looks at them.
type fileRef struct {
	path      string // key path: data.path, data.table.files, models[1].files
	value     string // the path as written
	line, col int
	kind      fileKind
	// group names the paths that must be distinct files (data.table, or a
	// model's files), and list the key of the group they are in (files or
	// test); "" for a path that stands alone.
	group, list string
}

// CheckFiles checks the files the experiment names, relative to its
// directory (Dir): each data file (data.path, every value of a sweep of it,
// data.table.files and test) must be a regular file of at most
// fileio.InputBytes, each file or directory an external model lists in
// files must exist and be a directory or a regular file, and no file may
// be listed twice under two names (./a.csv and a.csv, a link and its
// target), nor be both a training and a test file of a table. A FIFO,
// device or socket is an error, never opened.
//
// Parse does not look at the filesystem; the harness calls CheckFiles right
// after it, before running anything. The error, when not nil, is an
// ErrorList of every problem, each with the line, column and key path of
// the path at fault.
func (e *Experiment) CheckFiles() error {
	var errs ErrorList
	errorf := func(r *fileRef, format string, args ...any) {
		errs = append(errs, &Error{File: e.File, Line: r.line, Column: r.col, Path: r.path, Msg: fmt.Sprintf(format, args...)})
	}
	// info holds the file of each path that passed its own checks, for the
	// comparisons within its group.
	info := make([]os.FileInfo, len(e.files))
	for i := range e.files {
		r := &e.files[i]
		st, err := os.Stat(e.resolve(r.value))
		if err != nil {
			errorf(r, "cannot read %s (relative paths start at the experiment file's directory): %s", r.value, fileio.Detail(err))
			continue
		}
		if !st.IsDir() {
			if err := fileio.CheckRegular(r.value, st); err != nil {
				errorf(r, "%v", err)
				continue
			}
		}
		if r.kind == dataFile {
			switch {
			case st.IsDir():
				errorf(r, "%s is a directory, want a file", r.value)
				continue
			case st.Size() > fileio.InputBytes.Get():
				errorf(r, "%s", (&fileio.TooLargeError{Path: r.value, What: "file", Limit: fileio.InputBytes, Size: st.Size()}).Error())
				continue
			}
		}
		info[i] = st
	}
	// The same file under two names: within a list, or in a table's
	// training and test files, the training files first.
	order := make([]int, len(e.files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(listRank(e.files[a].list), listRank(e.files[b].list)) })
	var seen []int // the first path of each distinct file, in order
	for _, i := range order {
		r := &e.files[i]
		if r.group == "" || info[i] == nil {
			continue
		}
		k := slices.IndexFunc(seen, func(j int) bool { return e.files[j].group == r.group && os.SameFile(info[j], info[i]) })
		if k < 0 {
			seen = append(seen, i)
			continue
		}
		first := &e.files[seen[k]]
		firstAt := fmt.Sprintf("%d:%d", first.line, first.col)
		switch {
		case first.list == r.list:
			errorf(r, "%s is the same file as %s (at %s): list each file once", r.value, first.value, firstAt)
		case filepath.Clean(first.value) == filepath.Clean(r.value):
			errorf(r, "%s is also a training file (at %s): the test files must be other files", r.value, firstAt)
		default:
			errorf(r, "%s is the same file as the training file %s (at %s): the test files must be other files", r.value, first.value, firstAt)
		}
	}
	if len(errs) > 0 {
		return errs.sorted()
	}
	return nil
}

// listRank orders a table's lists: its training files, then its test
// files.
func listRank(list string) int {
	if list == "test" {
		return 1
	}
	return 0
}

// resolve returns the path s relative to the experiment file's directory.
func (e *Experiment) resolve(s string) string {
	if filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(e.Dir(), s)
}

// fileRef records a path the file names, at node n of key path, for
// CheckFiles.
func (p *parser) fileRef(n *yaml.Node, path, value string, kind fileKind, group, list string) {
	p.files = append(p.files, fileRef{path: path, value: value, line: n.Line, col: n.Column, kind: kind, group: group, list: list})
}
