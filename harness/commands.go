package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/segharness/harness/internal/models"
)

// streams are a command's standard streams; tests pass their own.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// A command is one subcommand of harness, as cmd/go's base.Command: its
// name, its arguments as the usage line writes them, a one-line summary,
// and what it runs. The table is the one source of the help text, every
// command's usage line and the list in docs/commands.md.
type command struct {
	name  string
	args  string
	short string
	run   func(ctx context.Context, args []string, s streams) error
}

// commands lists the subcommands, in the order of the help text. It is
// set in init: the commands print their own usage lines from it.
var commands []*command

func init() {
	commands = []*command{
		{"run", "[-out DIR] [-workers N] [-force] [-shard I/N] FILE.yaml...",
			"run experiments into DIR/<name>/ (resumes)",
			func(ctx context.Context, args []string, s streams) error {
				return runCmd(ctx, args, s.stdout, s.stderr)
			}},
		{"merge", "[-out DIR] [-workers N] SHARDDIR...",
			"join the shards of a run -shard into DIR/<name>/",
			func(_ context.Context, args []string, s streams) error { return mergeCmd(args, s.stdout, s.stderr) }},
		{"export", "[-out DIR] RUNDIR...",
			"metrics and predictions as hive partitions in DIR/",
			func(_ context.Context, args []string, s streams) error { return exportCmd(args, s.stdout, s.stderr) }},
		{"init", "-table FILE... [-label COLUMN] [-out FILE.yaml]",
			"write a starting experiment file for a flow table",
			func(_ context.Context, args []string, s streams) error { return initCmd(args, s.stdout, s.stderr) }},
		{"validate", "FILE.yaml...",
			"check experiment files, report every error",
			func(_ context.Context, args []string, s streams) error { return validateCmd(args, s.stdout, s.stderr) }},
		{"check", "[-allow-inconclusive] [-confidence C] [-baseline RUNDIR [-alpha A]] RUNDIR",
			"judge a run against its targets and a baseline (the gate)",
			func(_ context.Context, args []string, s streams) error { return checkCmd(args, s.stdout, s.stderr) }},
		{"report", "[-workers N] RUNDIR...",
			"regenerate figures, report.html, summary.md and the runs' index.html",
			func(_ context.Context, args []string, s streams) error { return reportCmd(args, s.stdout, s.stderr) }},
		{"diff", "[-alpha A] OLD_RUNDIR NEW_RUNDIR",
			"compare two runs' metrics across seeds",
			func(_ context.Context, args []string, s streams) error { return diffCmd(args, s.stdout, s.stderr) }},
		{"verify", "RUNDIR...",
			"check every file of a run against its manifest's digests",
			func(_ context.Context, args []string, s streams) error { return verifyCmd(args, s.stdout, s.stderr) }},
		{"score", "-model DIR [-workers N] < FLOWS.jsonl",
			"score JSON Lines flows, one result per line",
			func(ctx context.Context, args []string, s streams) error {
				return scoreCmd(ctx, args, s.stdin, s.stdout, s.stderr)
			}},
		{"serve", "-model DIR [-policy FILE] [-addr HOST:PORT] [-allow-remote] [-max-body BYTES] [-max-batch N] [-name NAME]",
			"serve POST /v1/score (with -policy POST /v1/decide), GET /healthz, GET /metrics, and the Open Inference Protocol (/v2)",
			func(ctx context.Context, args []string, s streams) error { return serveCmd(ctx, args, s.stderr) }},
		{"loadtest", "-addr HOST:PORT [-path PATH] [-rate R] [-duration D] [-n N] [-workers N] [-timeout D]",
			"load-test a running harness serve",
			func(ctx context.Context, args []string, s streams) error {
				return loadtestCmd(ctx, args, s.stdout, s.stderr)
			}},
		{"models", "",
			"the model kinds, their roles and parameters (docs/models.md)",
			func(_ context.Context, args []string, s streams) error {
				if len(args) > 0 {
					return usageErrorf("models takes no arguments")
				}
				return models.Reference(s.stdout)
			}},
	}
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageLine is a command's "Usage: harness NAME ARGS" line.
func usageLine(name string) string {
	c := lookup(name)
	if c == nil {
		panic("harness: no command " + name)
	}
	return strings.TrimSpace("Usage: harness "+c.name+" "+c.args) + "\n"
}

const exitStatus = `Exit status: 0 success (check: every target passes), 1 a run failed, or a data,
model or run file is bad (check: a target failed or is inconclusive; verify: a
file differs from the manifest), 2 usage error or invalid experiment file.
`

// usage is the help text: every command's usage line and summary, from
// the table, and the exit status.
func usage() string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %s\n", strings.TrimSpace("harness "+c.name+" "+c.args))
		fmt.Fprintf(&b, "        %s\n", c.short)
	}
	b.WriteString("\n" + exitStatus)
	return b.String()
}
