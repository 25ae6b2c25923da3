package external

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// stderrLines is how many of the program's last lines of standard error
// an error quotes.
const stderrLines = 20

// exec runs the command with the request's path appended, in c.Dir, and
// returns the last lines of its standard error.
func (c *Call) exec(ctx context.Context, reqPath string) ([]string, error) {
	fail := func(what string, err error, stderr []string) error {
		return &Error{Model: c.Model, Command: c.Command, What: what, Stderr: stderr, Err: err}
	}
	name := c.Command[0]
	path := name
	if strings.Contains(name, "/") {
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.Dir, path)
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fail(fmt.Sprintf("cannot run: %s: %v (a command with a slash is a path relative to the experiment file's directory)", name, errors.Unwrap(err)), err, nil)
		}
	} else {
		var err error
		if path, err = exec.LookPath(name); err != nil {
			return nil, fail(fmt.Sprintf("cannot run: %s not found in PATH", name), err, nil)
		}
	}
	runCtx := ctx
	var cancel context.CancelFunc
	if c.Timeout > 0 {
		runCtx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(runCtx, path, append(c.Command[1:], reqPath)...)
	cmd.Args[0] = name
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "SEGHARNESS_REQUEST="+reqPath)
	tail := &lineTail{max: stderrLines}
	cmd.Stderr = tail
	// Its own process group, so that a timeout kills what it started too.
	processGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	killGroup(cmd) // whatever it left running

	elapsed := time.Since(start).Round(10 * time.Millisecond)
	stderr := tail.lines()
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("external model %s: interrupted after %s: %w", c.Model, elapsed, ctx.Err())
	case runCtx.Err() == context.DeadlineExceeded:
		return nil, fail(fmt.Sprintf("did not finish within its timeout of %s; killed it and every process it started", c.Timeout), runCtx.Err(), stderr)
	case err == nil:
		return stderr, nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if sig := signalOf(exit); sig != "" {
			return nil, fail(fmt.Sprintf("was killed by signal %s after %s", sig, elapsed), err, stderr)
		}
		return nil, fail(fmt.Sprintf("exited with status %d after %s", exit.ExitCode(), elapsed), err, stderr)
	}
	return nil, fail(fmt.Sprintf("cannot run: %v", err), err, stderr)
}

// lineTail keeps the last lines written to it, each cut at 500 bytes.
type lineTail struct {
	mu      sync.Mutex
	max     int
	partial []byte
	done    []string
}

func (t *lineTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range p {
		if b == '\n' {
			t.push()
			continue
		}
		if len(t.partial) < 500 {
			t.partial = append(t.partial, b)
		}
	}
	return len(p), nil
}

func (t *lineTail) push() {
	t.done = append(t.done, strings.TrimRight(string(t.partial), "\r"))
	t.partial = t.partial[:0]
	if len(t.done) > t.max {
		t.done = t.done[len(t.done)-t.max:]
	}
}

func (t *lineTail) lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.partial) > 0 {
		t.push()
	}
	return append([]string(nil), t.done...)
}
