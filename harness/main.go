// Command harness runs network-segmentation experiments declared in YAML
// files and evaluates them: run, merge, export, validate, check, report,
// diff, verify, score, serve, loadtest and models. The command table in
// commands.go is the one source of their usage lines and of `harness
// help`, which docs/commands.md reproduces (a test keeps them equal).
//
// Exit codes: 0 success; 1 a run failed, or a data, model or run file is
// bad; 2 usage error or invalid experiment file (every problem is reported
// with file:line:column and key).
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
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var silent *exitError
		if !errors.As(err, &silent) || silent.err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
		}
	}
	os.Exit(exitCode(err))
}
