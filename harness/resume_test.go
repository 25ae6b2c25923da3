package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the command in a child process: the test binary
// re-executed with HARNESS_TEST_MAIN=1 is the harness, and with
// HARNESS_FAKE_MODEL=1 an external model (external_test.go).
func TestMain(m *testing.M) {
	if os.Getenv("HARNESS_TEST_MAIN") == "1" {
		main()
	}
	if os.Getenv("HARNESS_FAKE_MODEL") == "1" {
		os.Exit(fakeModel(os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// harnessCmd returns the harness as a child process.
func harnessCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "HARNESS_TEST_MAIN=1")
	return cmd
}

// resumeExperiment: eight small trials, so that kills land between and
// inside trials.
const resumeExperiment = `name: resume
seeds: [1, 2, 3, 4]
data: {flows: 20000, anomaly_rate: [0.05, 0.1]}
split: {stratify: is_anomaly}
models:
  - {name: rf, kind: random_forest, trees: 40}
  - {name: iso, kind: isolation_forest, trees: 50}
  - {name: km, kind: kmeans, k: 4}
`

// runFiles returns every file of a run directory except the report's, by
// relative path.
func runFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := allFiles(t, dir)
	for rel := range files {
		if strings.HasPrefix(rel, "figures/") || rel == "report.html" || rel == "summary.md" {
			delete(files, rel)
		}
	}
	return files
}

// TestKilledRunResumes kills a sweep with SIGKILL at random moments, runs
// it again each time, and checks that the finished run's files equal an
// uninterrupted run's and that no finished trial ran twice.
func TestKilledRunResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a sweep several times in child processes")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "resume.yaml")
	if err := os.WriteFile(file, []byte(resumeExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(dir, "clean")
	if out, err := harnessCmd(t, "run", "-out", clean, "-workers", "2", file).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	want := runFiles(t, filepath.Join(clean, "resume"))

	// Ctrl-C: a clean stop, exit status 1, and how to resume.
	interrupted := filepath.Join(dir, "interrupted")
	cmd := harnessCmd(t, "run", "-out", interrupted, "-workers", "2", file)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitFailure || !strings.Contains(log.String(), "run the same command again to resume") {
		t.Errorf("after SIGINT: %v, exit %d, want %d and how to resume:\n%s", err, code, exitFailure, log.String())
	}
	if _, err := os.Stat(filepath.Join(interrupted, "resume", "manifest.json")); err == nil {
		t.Error("an interrupted run left a manifest")
	}
	if out, err := harnessCmd(t, "run", "-out", interrupted, "-workers", "2", file).CombinedOutput(); err != nil {
		t.Fatalf("resuming after SIGINT: %v\n%s", err, out)
	}
	sameFiles(t, "resumed after SIGINT", want, runFiles(t, filepath.Join(interrupted, "resume")))

	killed := filepath.Join(dir, "killed")
	r := rand.New(rand.NewPCG(7, 7)) // fixed: the same kill times on every run of the test
	kills := 0
	for attempt := range 8 {
		cmd := harnessCmd(t, "run", "-out", killed, "-workers", "2", file)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(30+r.IntN(1500)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("attempt %d: %v\n%s", attempt, err, log.String())
			}
			t.Logf("attempt %d finished before its kill at %v", attempt, delay)
		case <-time.After(delay):
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-done
			kills++
			t.Logf("attempt %d killed after %v: %d trials reused, %d finished", attempt, delay,
				strings.Count(log.String(), "up to date, reused"), strings.Count(log.String(), "anomalies ("))
		}
	}
	// The last run completes whatever is left.
	out, err := harnessCmd(t, "run", "-out", killed, "-workers", "2", file).CombinedOutput()
	if err != nil {
		t.Fatalf("resuming: %v\n%s", err, out)
	}
	if kills == 0 {
		t.Fatal("no attempt was killed: the test proves nothing")
	}
	sameFiles(t, "resumed after SIGKILLs", want, runFiles(t, filepath.Join(killed, "resume")))
}
