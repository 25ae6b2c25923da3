package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/export"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/reports/report"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a run failed
	exitUsage   = 2 // bad command line or invalid experiment file
)

// exitError carries an exit code. A nil err means the problem was already
// reported on stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitFailure
}

// run is the command without the process: tests call it directly.
//
// A panic is a bug, never the user's input: the causes are fixed where
// they arise. As a last resort, one that reaches here is reported as an
// internal error (exit 1) with its stack, rather than as Go's exit 2,
// which here means a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &exitError{code: exitFailure, err: fmt.Errorf("internal error (a bug: please report it with the input that caused it): %v\n%s", p, debug.Stack())}
		}
	}()
	if err := fileio.CheckEnv(); err != nil {
		return usageErrorf("%v", err)
	}
	if len(args) == 0 {
		io.WriteString(stderr, usage())
		return &exitError{code: exitUsage}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		io.WriteString(stdout, usage())
		return nil
	}
	c := lookup(name)
	if c == nil {
		io.WriteString(stderr, usage())
		return usageErrorf("unknown command %q", name)
	}
	return c.run(ctx, rest, streams{stdin: stdin, stdout: stdout, stderr: stderr})
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("harness "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, mapping flag errors to usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{code: exitUsage}
		}
		return &exitError{code: exitUsage} // flag has printed the problem
	}
	return nil
}

// parseAll parses every file and checks the files each names, printing
// every error of every file. It returns the experiments when all are
// valid.
func parseAll(files []string, stderr io.Writer) ([]*experiments.Experiment, bool) {
	var exps []*experiments.Experiment
	ok := true
	for _, f := range files {
		exp, err := experiments.ParseFile(f)
		if err == nil {
			err = exp.CheckFiles()
		}
		if err != nil {
			ok = false
			fmt.Fprintln(stderr, err)
			var list experiments.ErrorList
			if errors.As(err, &list) {
				fmt.Fprintf(stderr, "%s: %d error%s\n", f, len(list), plural(len(list)))
			}
			continue
		}
		exps = append(exps, exp)
	}
	return exps, ok
}

func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageLine("validate")) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("validate: no experiment files given")
	}
	exps, ok := parseAll(fs.Args(), stderr)
	for _, e := range exps {
		fmt.Fprintf(stdout, "%s: ok: %s, %d trial%s\n", e.File, e.Spec.Name, len(e.Trials), plural(len(e.Trials)))
	}
	if !ok {
		return &exitError{code: exitUsage}
	}
	return nil
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	out := fs.String("out", "runs", "output `directory`; each experiment writes to DIR/<name>/")
	workers := fs.Int("workers", 0, "trials run at once; 0 means one per CPU (results do not depend on it)")
	force := fs.Bool("force", false, "run every trial again, even those whose complete files from the same build, spec and seed are on disk")
	shardFlag := fs.String("shard", "", "run only shard `I/N` of the trials (trial k when k mod N = I); join the shards with harness merge")
	var prof profiles
	fs.StringVar(&prof.cpu, "cpuprofile", "", "write a CPU profile of the whole run to `file` (go tool pprof)")
	fs.StringVar(&prof.mem, "memprofile", "", "write the run's allocation profile to `file` at its end (go tool pprof)")
	fs.StringVar(&prof.trace, "trace", "", "write an execution trace to `file`: the workers' schedule (go tool trace)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("run"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("run: no experiment files given")
	}
	if *workers < 0 {
		return usageErrorf("run: -workers %d: want 0 (one per CPU) or more", *workers)
	}
	if *workers == 0 {
		*workers = runtime.NumCPU()
	}
	var shard runner.Shard
	if *shardFlag != "" {
		var err error
		if shard, err = runner.ParseShard(*shardFlag); err != nil {
			return usageErrorf("run: -shard: %v", err)
		}
	}
	exps, ok := parseAll(fs.Args(), stderr)
	if !ok {
		return &exitError{code: exitUsage}
	}
	if err := prof.start(); err != nil {
		return usageErrorf("run: %v", err)
	}
	defer func() {
		if err := prof.stop(); err != nil {
			fmt.Fprintf(stderr, "harness: run: profiles: %v\n", err)
		}
	}()
	names := map[string]string{}
	for _, e := range exps {
		if other, dup := names[e.Spec.Name]; dup {
			return usageErrorf("run: %s and %s both name experiment %q; each writes to %s/%s, so names must differ",
				other, e.File, e.Spec.Name, *out, e.Spec.Name)
		}
		names[e.Spec.Name] = e.File
	}
	// An experiment that fails does not stop the others: each failure is
	// reported at the end, and the exit status is 1.
	var failures []error
	for _, e := range exps {
		reportErr := false
		writeReport := func(dir string, showcase *rundir.TrialTables) error {
			if _, err := report.Generate(dir, report.Options{Workers: *workers, Log: stderr, Showcase: showcase}); err != nil {
				reportErr = true
				return fmt.Errorf("%s: report: %w", e.Spec.Name, err)
			}
			return nil
		}
		res, err := runner.Run(ctx, e, runner.Options{Out: *out, Workers: *workers, Log: stderr, Force: *force, Shard: shard, Terminal: isTerminal(stderr), Report: writeReport})
		if err != nil {
			if ctx.Err() != nil || reportErr {
				return &exitError{code: exitFailure, err: err}
			}
			failures = append(failures, err)
			continue
		}
		if shard.Count > 0 {
			fmt.Fprintf(stdout, "%s: shard %s -> %s (join the %d shards with harness merge)\n", e.Spec.Name, shard, res.Dir, shard.Count)
			continue
		}
		fmt.Fprintf(stdout, "%s: %d trial%s -> %s\n", e.Spec.Name, len(e.Trials), plural(len(e.Trials)), res.Dir)
	}
	if shard.Count == 0 && len(failures) < len(exps) {
		if err := report.WriteIndex(*out); err != nil {
			failures = append(failures, fmt.Errorf("run: index of %s: %w", *out, err))
		}
	}
	if len(failures) > 0 {
		return &exitError{code: exitFailure, err: errors.Join(failures...)}
	}
	return nil
}

// reportCmd regenerates the reports of completed runs from their files,
// and the index of the directory that holds each.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	workers := fs.Int("workers", 0, "figures drawn at once; 0 means one per CPU (the files do not depend on it)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("report"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("report: no run directories given")
	}
	if *workers < 0 {
		return usageErrorf("report: -workers %d: want 0 (one per CPU) or more", *workers)
	}
	roots := []string{}
	for _, dir := range fs.Args() {
		if err := regenerate(dir, *workers, stderr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", filepath.Join(dir, rundir.ReportFile))
		if root := filepath.Dir(filepath.Clean(dir)); !slices.Contains(roots, root) {
			roots = append(roots, root)
		}
	}
	for _, root := range roots {
		if err := report.WriteIndex(root); err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("report: index of %s: %w", root, err)}
		}
	}
	return nil
}

// regenerate rewrites the report of the run in dir, holding the run's
// lock, from files verified against the manifest.
func regenerate(dir string, workers int, stderr io.Writer) error {
	_, unlock, err := openRunLocked("report", dir)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := report.Generate(dir, report.Options{Workers: workers, Log: stderr}); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("report: %w", err)}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func mergeCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", stderr)
	out := fs.String("out", "runs", "output `directory`; the merged run is DIR/<name>/")
	workers := fs.Int("workers", 0, "figures drawn at once; 0 means one per CPU (the files do not depend on it)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("merge"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("merge: no shard directories given")
	}
	if *workers < 0 {
		return usageErrorf("merge: -workers %d: want 0 (one per CPU) or more", *workers)
	}
	if *workers == 0 {
		*workers = runtime.NumCPU()
	}
	res, err := runner.Merge(fs.Args(), runner.MergeOptions{Out: *out, Log: stderr, Report: func(dir string) error {
		if _, err := report.Generate(dir, report.Options{Workers: *workers, Log: stderr}); err != nil {
			return fmt.Errorf("merge: report: %w", err)
		}
		return nil
	}})
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	fmt.Fprintf(stdout, "%s: %d trial%s merged -> %s\n", res.Manifest.Experiment, len(res.Manifest.Trials), plural(len(res.Manifest.Trials)), res.Dir)
	if err := report.WriteIndex(*out); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("merge: index of %s: %w", *out, err)}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where progress is drawn as a
// bar redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func exportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	out := fs.String("out", "export", "output `directory`: DIR/metrics/experiment=E/trial=T/part.parquet, and predictions likewise")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("export"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("export: no run directories given")
	}
	for _, dir := range fs.Args() {
		n, err := export.Run(dir, *out)
		if err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("export: %w", err)}
		}
		fmt.Fprintf(stdout, "%s: %d partition files -> %s\n", dir, n, *out)
	}
	return nil
}
