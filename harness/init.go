package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/tableinit"
)

// initCmd writes a starting experiment file for a flow table
// (internal/tableinit), checked by the experiment parser before it is
// written: to stdout, or to -out, which it does not overwrite.
func initCmd(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("init", stderr)
	var tables []string
	flags.Func("table", "a CSV `FILE` of the table (optionally .gz); repeat it for several files, or list them after the flags", func(s string) error {
		tables = append(tables, s)
		return nil
	})
	label := flags.String("label", "", "the label `COLUMN`; guessed from the column names when not given")
	out := flags.String("out", "", "write the experiment to `FILE.yaml` (refused if it exists) instead of stdout")
	flags.Usage = func() {
		fmt.Fprint(stderr, usageLine("init"))
		flags.PrintDefaults()
	}
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	tables = append(tables, flags.Args()...)
	if len(tables) == 0 {
		flags.Usage()
		return usageErrorf("init: no table files given (-table FILE)")
	}
	dir, file := ".", "init.yaml"
	if *out != "" {
		dir, file = filepath.Dir(*out), *out
		if _, err := os.Lstat(*out); err == nil {
			return usageErrorf("init: %s exists; name another file, or remove it", *out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	text, err := tableinit.Suggest(tables, tableinit.Options{Label: *label, Dir: dir})
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("init: %w", err)}
	}
	// The file must validate as it stands: a failure here is this
	// command's bug, reported rather than written.
	exp, err := experiments.Parse([]byte(text), file)
	if err == nil {
		err = exp.CheckFiles()
	}
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("init: the experiment written for %s does not validate (a bug of harness init; please report it):\n%w\n%s", tables[0], err, text)}
	}
	if *out == "" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	if _, err := artifact.WriteBytes(*out, []byte(text)); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "init: %s written for %s (%d trials); check the lines marked CONFIRM, then: harness run %s\n", *out, tables[0], len(exp.Trials), *out)
	return nil
}
