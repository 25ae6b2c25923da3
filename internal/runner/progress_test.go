package runner

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/experiments"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fakeClock advances by step at every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./internal/runner -update rewrites it):\n%s", path, diff)
	}
}

// TestProgress checks the progress report in both modes against golden
// files, with one worker and a clock that advances 0.5 s at each reading:
// plain lines off a terminal (trials done of total, each trial's time, the
// elapsed time and the ETA), a bar redrawn in place on one; then the lines
// of a second run, which reuses every trial.
func TestProgress(t *testing.T) {
	exp, err := experiments.Parse([]byte(sweepExperiment), "cache.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, terminal := range []bool{false, true} {
		out := t.TempDir()
		var log strings.Builder
		opts := Options{Out: out, Workers: 1, Log: &log, Terminal: terminal, Clock: fakeClock(500 * time.Millisecond)}
		if _, err := Run(context.Background(), exp, opts); err != nil {
			t.Fatal(err)
		}
		name := "progress.golden"
		if terminal {
			name = "progress-terminal.golden"
		} else {
			log.WriteString("-- again --\n")
			opts.Clock = fakeClock(500 * time.Millisecond)
			if _, err := Run(context.Background(), exp, opts); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, name, strings.ReplaceAll(log.String(), "\033", "<ESC>"))
	}
}
