package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segharness/harness/internal/artifact"
)

// TestCheck runs small gated experiments and judges them: each verdict,
// each exit code, and the gate's files against golden copies.
func TestCheck(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	for _, f := range []string{"pass", "fail", "inconclusive"} {
		if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/gate/"+f+".yaml"); code != exitOK {
			t.Fatalf("run %s: exit %d:\n%s", f, code, stderr)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"pass", []string{"gate-pass"}, exitOK},
		{"fail", []string{"gate-fail"}, exitFailure},
		{"inconclusive", []string{"gate-inconclusive"}, exitFailure},
		{"inconclusive-allowed", []string{"-allow-inconclusive", "gate-inconclusive"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check"}, tc.args...)
			dir := filepath.Join(out, args[len(args)-1])
			args[len(args)-1] = dir
			code, stdout, stderr := runCommand(t, t.Context(), out, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			golden(t, "check/"+tc.name+".stdout.golden", stdout+"-- stderr --\n"+stderr)
			for _, f := range []string{"junit.xml", "summary.md"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				golden(t, "check/"+tc.name+"."+f+".golden", string(b))
			}
			m := readManifest(t, dir)
			for _, f := range []string{"verdict.json", "junit.xml", "summary.md"} {
				d, err := artifact.HashFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if m.Artifacts[f] != d {
					t.Errorf("manifest's digest of %s is %+v, the file's %+v", f, m.Artifacts[f], d)
				}
			}
		})
	}
	// A second check replaces the verdict section rather than adding one.
	dir := filepath.Join(out, "gate-pass")
	runCommand(t, t.Context(), out, "check", dir)
	b, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "## Verdict"); n != 1 {
		t.Errorf("summary.md has %d verdict sections after two checks, want 1", n)
	}
}

func TestCheckUsage(t *testing.T) {
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no run directory", []string{"check"}, "want one run directory"},
		{"two run directories", []string{"check", "a", "b"}, "want one run directory"},
		{"bad confidence", []string{"check", "-confidence", "95", out}, "-confidence 95: want a level in (0, 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCommand(t, t.Context(), out, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// TestDiff compares a run with one of a much weaker forest: benchstat's
// table, "~" where Mann-Whitney finds no significant change.
func TestDiff(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	for _, f := range []string{"pass", "changed", "fail"} {
		if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/gate/"+f+".yaml"); code != exitOK {
			t.Fatalf("run %s: exit %d:\n%s", f, code, stderr)
		}
	}
	code, stdout, stderr := runCommand(t, t.Context(), out, "diff", filepath.Join(out, "gate-pass"), filepath.Join(out, "gate-pass-changed"))
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	golden(t, "check/diff.stdout.golden", stdout)
	if !strings.Contains(stdout, "~") || !strings.Contains(stdout, "%  ") {
		t.Errorf("want both unchanged (~) and significant changes:\n%s", stdout)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one run", []string{"diff", filepath.Join(out, "gate-pass")}, "want two run directories"},
		{"different axes", []string{"diff", filepath.Join(out, "gate-pass"), filepath.Join(out, "gate-fail")}, "the runs sweep different axes"},
		{"bad alpha", []string{"diff", "-alpha", "5", "a", "b"}, "-alpha 5: want a level in (0, 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCommand(t, t.Context(), out, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// TestCheckBaseline gates a run against a baseline: the same run passes,
// the run on much harder data fails with a regression of detection at
// every sweep point, and false positives, unchanged, pass.
func TestCheckBaseline(t *testing.T) {
	skipRaceShort(t)
	out := t.TempDir()
	for _, f := range []string{"pass", "changed", "fail"} {
		if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, "testdata/gate/"+f+".yaml"); code != exitOK {
			t.Fatalf("run %s: exit %d:\n%s", f, code, stderr)
		}
	}
	base := filepath.Join(out, "gate-pass")
	for _, tc := range []struct {
		name string
		run  string
		code int
	}{
		{"baseline-same", "gate-pass", exitOK},
		{"baseline-regressed", "gate-pass-changed", exitFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCommand(t, t.Context(), out, "check", "-allow-inconclusive", "-baseline", base, filepath.Join(out, tc.run))
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			golden(t, "check/"+tc.name+".stdout.golden", stdout+"-- stderr --\n"+stderr)
		})
	}
	code, _, stderr := runCommand(t, t.Context(), out, "check", "-baseline", base, filepath.Join(out, "gate-fail"))
	if code != exitUsage || !strings.Contains(stderr, "sweeps [anomaly_rate], the run []") {
		t.Errorf("baseline of another sweep: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestCheckBaselineExperiment: the checked-in baseline passes the gate; the
// same file with an impossible target fails it.
func TestCheckBaselineExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("five trials of the notebook's five models")
	}
	src, err := os.ReadFile("../experiments/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	impossible := filepath.Join(out, "impossible.yaml")
	body := strings.Replace(string(src), "name: baseline", "name: baseline-impossible", 1) +
		"  - {model: random_forest, metric: detection_rate, \">=\": 1.01}\n"
	if err := os.WriteFile(impossible, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, name string
		code       int
	}{
		{"../experiments/baseline.yaml", "baseline", exitOK},
		{impossible, "baseline-impossible", exitFailure},
	} {
		if code, _, stderr := runCommand(t, t.Context(), out, "run", "-out", out, tc.file); code != exitOK {
			t.Fatalf("run %s: exit %d:\n%s", tc.file, code, stderr)
		}
		code, stdout, stderr := runCommand(t, t.Context(), out, "check", filepath.Join(out, tc.name))
		if code != tc.code {
			t.Errorf("check %s: exit %d, want %d:\n%s%s", tc.name, code, tc.code, stdout, stderr)
		}
	}
}
