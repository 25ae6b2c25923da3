// Command harness runs network-segmentation experiments declared in YAML
// files and evaluates them.
//
// Usage:
//
//	harness run      [-out DIR] [-workers N] FILE.yaml...
//	harness validate FILE.yaml...
//	harness check    [-baseline RUNDIR] RUNDIR
//	harness report   RUNDIR...
//	harness diff     OLD_RUNDIR NEW_RUNDIR
//	harness score    -model DIR < flows.jsonl > scores.jsonl
//	harness serve    -model DIR [-addr 127.0.0.1:8080]
//	harness loadtest -addr HOST:PORT [-rate 5000] [-duration 30s]
//
// Exit codes: 0 success; 1 a run failed; 2 usage error or invalid
// experiment file (every problem is reported with file:line:column and key).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var silent *exitError
		if !errors.As(err, &silent) || silent.err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
		}
	}
	os.Exit(exitCode(err))
}
