package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/reports/report"
)

// integrityRun runs testdata/integrity/small.yaml into a fresh directory
// and returns the output root and the run's directory.
func integrityRun(t *testing.T) (out, dir string) {
	t.Helper()
	skipRaceShort(t)
	out = t.TempDir()
	if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/integrity/small.yaml"); code != exitOK {
		t.Fatalf("run: exit %d:\n%s", code, stderr)
	}
	return out, filepath.Join(out, "integrity")
}

// firstTrialDir is the directory of the run's first trial.
func firstTrialDir(t *testing.T, dir string) string {
	t.Helper()
	m, err := rundir.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return rundir.TrialDir(dir, m.Trials[0].ID)
}

// readers are the commands that read a run directory, each verifying what
// it reads: diff reads only the manifest and metrics.parquet.
func readers(out, dir string, withDiff bool) [][]string {
	cmds := [][]string{
		{"check", dir},
		{"report", dir},
		{"export", "-out", filepath.Join(out, "export"), dir},
		{"verify", dir},
	}
	if withDiff {
		cmds = append(cmds, []string{"diff", dir, dir})
	}
	return cmds
}

// wantRefused runs each reader of a run directory on dir and wants exit 1
// with every string of want in stderr.
func wantRefused(t *testing.T, out, dir string, want ...string) {
	t.Helper()
	wantRefusedBy(t, readers(out, dir, true), out, want...)
}

func wantRefusedBy(t *testing.T, cmds [][]string, out string, want ...string) {
	t.Helper()
	for _, args := range cmds {
		code, stdout, stderr := runCommand(t, t.Context(), out, args...)
		if code != exitFailure {
			t.Errorf("%s: exit %d, want %d:\n%s%s", args[0], code, exitFailure, stdout, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stdout+stderr, w) {
				t.Errorf("%s: output does not say %q:\n%s%s", args[0], w, stdout, stderr)
			}
		}
		if strings.Contains(stderr, "goroutine ") {
			t.Errorf("%s: a Go stack:\n%s", args[0], stderr)
		}
	}
}

// TestVerifyRefusesChangedFiles: a swapped metrics.parquet and a changed
// trial file are found by verify, which lists both, and refused by every
// reader, which names them; check adds no verdict to a manifest that no
// longer matches its files.
func TestVerifyRefusesChangedFiles(t *testing.T) {
	out, dir := integrityRun(t)
	code, stdout, stderr := runCommand(t, t.Context(), out, "verify", dir)
	if code != exitOK || !strings.Contains(stdout, "ok: ") {
		t.Fatalf("verify of an intact run: exit %d:\n%s%s", code, stdout, stderr)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Another valid metrics table in place of the run's: the first
	// trial's own.
	tdir := firstTrialDir(t, dir)
	body, err := os.ReadFile(filepath.Join(tdir, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics.parquet"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	// One flipped byte in a trial's predictions.
	pred := filepath.Join(tdir, "predictions.parquet")
	p, err := os.ReadFile(pred)
	if err != nil {
		t.Fatal(err)
	}
	p[len(p)/2] ^= 1
	if err := os.WriteFile(pred, p, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCommand(t, t.Context(), out, "verify", dir)
	if code != exitFailure || !strings.Contains(stdout, "OUT/integrity/metrics.parquet: ") ||
		!strings.Contains(stdout, "predictions.parquet: SHA-256") || !strings.Contains(stdout, "2 of ") {
		t.Errorf("verify: exit %d, want 1 listing both files:\n%s", code, stdout)
	}
	wantRefused(t, out, dir, "metrics.parquet")
	// The index of the runs reads metrics.parquet too: it shows the
	// mismatch instead of the swapped table's verdict.
	if err := report.WriteIndex(out); err != nil {
		t.Fatal(err)
	}
	if index, _ := os.ReadFile(filepath.Join(out, "index.html")); !strings.Contains(string(index), "differs from its manifest") {
		t.Error("index.html does not say the run's metrics.parquet differs from its manifest")
	}
	if _, err := os.Stat(filepath.Join(dir, "verdict.json")); err == nil {
		t.Error("check wrote a verdict of a run whose files differ from its manifest")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "manifest.json")); string(after) != string(manifest) {
		t.Error("a refused command changed manifest.json")
	}
}

// TestExportDoesNotFollowLinks: a trial file replaced by a symbolic link
// to a file outside the run, even one with the same bytes, is refused by
// every reader; export copies nothing.
func TestExportDoesNotFollowLinks(t *testing.T) {
	out, dir := integrityRun(t)
	pred := filepath.Join(firstTrialDir(t, dir), "predictions.parquet")
	outside := filepath.Join(t.TempDir(), "secret")
	body, err := os.ReadFile(pred)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(pred); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, pred); err != nil {
		t.Fatal(err)
	}
	wantRefusedBy(t, readers(out, dir, false), out, "predictions.parquet", "symbolic link")
	if _, err := os.Stat(filepath.Join(out, "export", "predictions")); err == nil {
		t.Error("export wrote predictions from a run it refused")
	}
	// A trial directory that is itself a link out of the run.
	tdir := firstTrialDir(t, dir)
	moved := filepath.Join(t.TempDir(), "trial")
	if err := os.Remove(pred); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pred, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tdir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(moved, tdir); err != nil {
		t.Fatal(err)
	}
	wantRefusedBy(t, readers(out, dir, false), out, "symbolic link")
}

// TestBaselineVerified: a baseline needs only its manifest and
// metrics.parquet (as reports/baselines/ holds), and those are verified.
func TestBaselineVerified(t *testing.T) {
	out, dir := integrityRun(t)
	base := filepath.Join(t.TempDir(), "baseline")
	os.MkdirAll(base, 0o755)
	for _, name := range []string{"manifest.json", "metrics.parquet"} {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(base, name), body, 0o644)
	}
	if code, _, stderr := runCommand(t, t.Context(), out, "diff", base, dir); code != exitOK {
		t.Errorf("diff against a baseline of two files: exit %d:\n%s", code, stderr)
	}
	body, _ := os.ReadFile(filepath.Join(firstTrialDir(t, dir), "metrics.parquet"))
	os.WriteFile(filepath.Join(base, "metrics.parquet"), body, 0o644)
	code, _, stderr := runCommand(t, t.Context(), out, "diff", base, dir)
	if code != exitFailure || !strings.Contains(stderr, "baseline/metrics.parquet: ") {
		t.Errorf("diff against a changed baseline: exit %d:\n%s", code, stderr)
	}
}

// editManifest rewrites dir/manifest.json through edit.
func editManifest(t *testing.T, dir string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, "manifest.json")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if body, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestManifestPathsStayInside: trial IDs and artifact names that would
// lead outside the run directory are refused by every reader.
func TestManifestPathsStayInside(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"trial ID with ..", func(m map[string]any) {
			m["trials"].([]any)[0].(map[string]any)["id"] = "../../../etc"
		}, `trial ID "../../../etc"`},
		{"absolute trial ID", func(m map[string]any) {
			m["trials"].([]any)[0].(map[string]any)["id"] = "/etc"
		}, "absolute path"},
		{"artifact outside", func(m map[string]any) {
			m["artifacts"].(map[string]any)["../../passwd"] = map[string]any{"sha256": "00", "bytes": 1}
		}, `artifact "../../passwd"`},
		{"trial listed twice", func(m map[string]any) {
			trials := m["trials"].([]any)
			trials[1].(map[string]any)["id"] = trials[0].(map[string]any)["id"]
		}, "listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, dir := integrityRun(t)
			editManifest(t, dir, tc.edit)
			wantRefused(t, out, dir, tc.want)
		})
	}
}

// TestDamagedManifest: a missing, truncated or empty manifest is exit 1
// from every reader, with a message that says which.
func TestDamagedManifest(t *testing.T) {
	out, dir := integrityRun(t)
	path := filepath.Join(dir, "manifest.json")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"truncated", string(body[:len(body)/2]), "unexpected end of input at byte"},
		{"empty", "", "manifest.json: empty file"},
		{"two objects", string(body) + "{}", "data after the manifest's JSON object"},
		{"missing", "", "no manifest.json: not a completed run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "missing" {
				os.Remove(path)
			} else if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, out, dir, tc.want)
		})
	}
}

// TestKilledReportLeavesNoStaleReport: a rerun that stops in its report
// phase (as a killed one does) leaves no report of the earlier run beside
// the new manifest, and the index does not link one.
func TestKilledReportLeavesNoStaleReport(t *testing.T) {
	out, dir := integrityRun(t)
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile("testdata/integrity/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	killed := errors.New("killed in the report phase")
	_, err = runner.Run(t.Context(), exp, runner.Options{Out: out, Force: true, Report: func(string, *rundir.TrialTables) error { return killed }})
	if !errors.Is(err, killed) {
		t.Fatalf("run: %v, want the report's error", err)
	}
	for _, name := range []string{"report.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s of the earlier run left beside the new manifest", name)
		}
	}
	if figs, _ := filepath.Glob(filepath.Join(dir, "figures", "*")); len(figs) > 0 {
		t.Errorf("figures of the earlier run left: %d files", len(figs))
	}
	if err := report.WriteIndex(out); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(index), "integrity/report.html") {
		t.Error("index.html links a report the manifest does not vouch for")
	}
	// A report cut short after its figures: the manifest never lists
	// files that changed, so the run still verifies.
	code, stdout, stderr := runCommand(t, t.Context(), out, "verify", dir)
	if code != exitOK {
		t.Errorf("verify after a report cut short: exit %d:\n%s%s", code, stdout, stderr)
	}
	// A user's own file in figures/ is not the report's to remove.
	mine := filepath.Join(dir, "figures", "notes.txt")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCommand(t, t.Context(), out, "report", dir); code != exitOK {
		t.Fatalf("report: exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the report removed a file it did not write: %v", err)
	}
}

// TestRunDirectoryLock: a second writer of a run directory is refused,
// naming the process that holds it; a lock whose holder was killed does
// not block the next run.
func TestRunDirectoryLock(t *testing.T) {
	out, dir := integrityRun(t)
	unlock, err := rundir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"run", "-out", out, "testdata/integrity/small.yaml"},
		{"check", dir},
		{"report", dir},
	} {
		code, _, stderr := runCommand(t, t.Context(), out, args...)
		if code != exitFailure || !strings.Contains(stderr, "in use by process "+strconv.Itoa(os.Getpid())) {
			t.Errorf("%s while locked: exit %d, want 1 naming process %d:\n%s", args[0], code, os.Getpid(), stderr)
		}
	}
	unlock()

	// A process that takes the lock and is killed with SIGKILL.
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$")
	cmd.Env = append(os.Environ(), "HARNESS_TEST_LOCK_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "locked" {
		t.Fatalf("lock holder: %q, %v", buf, err)
	}
	code, _, stderr := runCommand(t, t.Context(), out, "check", dir)
	if code != exitFailure || !strings.Contains(stderr, "in use by process "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("check while another process holds the lock: exit %d:\n%s", code, stderr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/integrity/small.yaml"); code != exitOK {
		t.Errorf("run after the lock's holder was killed: exit %d:\n%s", code, stderr)
	}
}

// TestLockHolderProcess is TestRunDirectoryLock's other process: it takes
// the lock, says so, and waits to be killed.
func TestLockHolderProcess(t *testing.T) {
	dir := os.Getenv("HARNESS_TEST_LOCK_DIR")
	if dir == "" {
		t.Skip("run by TestRunDirectoryLock")
	}
	if _, err := rundir.Lock(dir); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked")
	time.Sleep(time.Minute)
}

// TestMergeNamesDamagedFile: merging shards one of whose trials has a
// damaged file names that file.
func TestMergeNamesDamagedFile(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	shards := filepath.Join(out, "shards")
	for _, s := range []string{"0/2", "1/2"} {
		if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", shards, "-shard", s, "testdata/integrity/small.yaml"); code != exitOK {
			t.Fatalf("run -shard %s: exit %d:\n%s", s, code, stderr)
		}
	}
	pred := filepath.Join(shards, "integrity", "trials", "seed=2", "predictions.parquet")
	if err := os.WriteFile(pred, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCommand(t, t.Context(), out, "merge", "-out", filepath.Join(out, "merged"), filepath.Join(shards, "integrity"))
	if code != exitFailure || !strings.Contains(stderr, "OUT/shards/integrity/trials/seed=2/predictions.parquet: 11 bytes") {
		t.Errorf("merge with a damaged trial: exit %d, want 1 naming the file:\n%s", code, stderr)
	}
}

// TestShardUsage: -shard 0/0 is an error, not a silent unsharded run.
func TestShardUsage(t *testing.T) {
	for _, s := range []string{"0/0", "1/0", "-1/2", "2/2", "a/b"} {
		code, _, stderr := runCommand(t, t.Context(), "", "run", "-shard", s, "testdata/integrity/small.yaml")
		if code != exitUsage || !strings.Contains(stderr, "-shard") {
			t.Errorf("-shard %s: exit %d, want %d:\n%s", s, code, exitUsage, stderr)
		}
	}
}
