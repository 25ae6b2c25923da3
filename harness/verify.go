package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/segharness/harness/internal/rundir"
)

// verifyCmd is an fsck for runs: every file a run's manifest lists, the
// run's and each trial's, against its recorded size and SHA-256. It prints
// every mismatch and exits 1 when there is one.
func verifyCmd(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("verify", stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, usageLine("verify"))
		flags.PrintDefaults()
	}
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return usageErrorf("verify: no run directories given")
	}
	failed := 0
	for _, dir := range flags.Args() {
		m, bad, err := rundir.Verify(dir)
		if err != nil {
			fmt.Fprintln(stdout, err) // it names the directory
			failed++
			continue
		}
		files := len(m.Artifacts)
		for _, t := range m.Trials {
			files += len(t.Artifacts)
		}
		for _, b := range bad {
			fmt.Fprintf(stdout, "%s: %s\n", filepath.Join(dir, filepath.FromSlash(b.Path)), b.Problem)
		}
		if len(bad) > 0 {
			fmt.Fprintf(stdout, "%s: FAIL: %d of %d files differ from manifest.json\n", dir, len(bad), files)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok: %d files match manifest.json (%d trials)\n", dir, files, len(m.Trials))
	}
	if failed > 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("verify: %d of %d runs failed verification", failed, flags.NArg())}
	}
	return nil
}
