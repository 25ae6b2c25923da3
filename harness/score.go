package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/segharness/harness/internal/policy"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve"
)

// loadModel loads the model of -model. A missing flag is a usage error; a
// model directory that is missing, damaged or edited is exit 1, as every
// bad data, model or run file is.
func loadModel(cmd, dir string) (*scoring.Model, error) {
	if dir == "" {
		return nil, usageErrorf("%s: -model DIR is required (a model directory, as scoring.Save writes it)", cmd)
	}
	m, err := scoring.Load(dir)
	if err != nil {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%s: %w", cmd, err)}
	}
	return m, nil
}

// scoreCmd scores the flows of a JSON Lines stream: one result or error
// object per non-blank input line, in input order (scoring.ScoreStream).
func scoreCmd(ctx context.Context, args []string, in io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("score", stderr)
	modelDir := fs.String("model", "", "model `directory`, as scoring.Save writes it")
	workers := fs.Int("workers", 0, "goroutines scoring; 0 means one per CPU (the output does not depend on it)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("score"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageErrorf("score: unexpected arguments %q: the flows are read from standard input", fs.Args())
	}
	if *workers < 0 {
		return usageErrorf("score: -workers %d: want 0 (one per CPU) or more", *workers)
	}
	m, err := loadModel("score", *modelDir)
	if err != nil {
		return err
	}
	n, err := m.ScoreStream(ctx, in, stdout, scoring.StreamOptions{Workers: *workers})
	fmt.Fprintf(stderr, "scored %d flow%s, %d error%s\n", n.Scored, plural(n.Scored), n.Failed, plural(n.Failed))
	switch {
	case err != nil:
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = errors.New("interrupted")
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("score: %w", err)}
	case n.Failed > 0:
		return &exitError{code: exitFailure}
	}
	return nil
}

// serveCmd serves the scoring API until the context is cancelled.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	modelDir := fs.String("model", "", "model `directory`, as scoring.Save writes it")
	policyFile := fs.String("policy", "", "segmentation policy `file` (a trial's policy.json) that POST /v1/decide enforces; none means no /v1/decide")
	addr := fs.String("addr", serve.DefaultAddr, "`host:port` to listen on; port 0 picks a free one")
	allowRemote := fs.Bool("allow-remote", false, "allow an -addr that is not loopback: the API has no authentication")
	maxBody := fs.Int64("max-body", serve.DefaultMaxBodyBytes, "request body limit in `bytes` (413 beyond)")
	maxBatch := fs.Int("max-batch", serve.DefaultMaxBatch, "flows per batch request at most (413 beyond)")
	name := fs.String("name", serve.DefaultModelName, "the model's `name` in the Open Inference Protocol's paths (/v2/models/NAME/infer)")
	var prof profiles
	prof.flags(fs, "the server's life, until it shuts down")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("serve"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageErrorf("serve: unexpected arguments %q", fs.Args())
	}
	if *maxBody < 1 {
		return usageErrorf("serve: -max-body %d: want 1 or more bytes", *maxBody)
	}
	if *maxBatch < 1 {
		return usageErrorf("serve: -max-batch %d: want 1 or more flows", *maxBatch)
	}
	if !modelNamePattern.MatchString(*name) {
		return usageErrorf("serve: -name %q: want letters, digits, '.', '_' and '-' (a URL path segment), at most 64", *name)
	}
	if err := serve.CheckLoopback(*addr); err != nil {
		if _, _, perr := net.SplitHostPort(*addr); perr != nil {
			return usageErrorf("serve: -addr %q: want host:port, such as %s", *addr, serve.DefaultAddr)
		}
		if !*allowRemote {
			return usageErrorf("serve: -addr %v; the API has no authentication, so harness serve listens on loopback only unless given -allow-remote", err)
		}
	}
	m, err := loadModel("serve", *modelDir)
	if err != nil {
		return err
	}
	var pol *policy.Policy
	if *policyFile != "" {
		if pol, err = serve.LoadPolicy(*policyFile, m); err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("serve: %w", err)}
		}
	}
	log := &syncWriter{w: stderr}
	s := serve.NewServer(m, serve.Options{MaxBodyBytes: *maxBody, MaxBatch: *maxBatch, Log: log, ModelName: *name, Policy: pol})
	s.Listening = func(a net.Addr) {
		if pol != nil {
			fmt.Fprintf(log, "serve: policy %s (segments by %s, %d segments, %d allow rules, %s, isolation above %g) on POST /v1/decide\n",
				*policyFile, pol.SegmentsBy, len(pol.Segments), len(pol.Allow), clustersOf(pol), pol.Isolation.Above)
			switch above, high := pol.Isolation.Above, m.Risk.High; {
			case above > high:
				fmt.Fprintf(log, "serve: note: the policy isolates above %g, the model's HIGH risk is above %g: a flow scored in (%g, %g] is HIGH, with the five HIGH actions, and not isolated\n",
					above, high, high, above)
			case above < high:
				fmt.Fprintf(log, "serve: note: the policy isolates above %g, the model's HIGH risk is above %g: a flow scored in (%g, %g] is isolated without being HIGH or having the HIGH actions\n",
					above, high, above, high)
			}
		}
		p := m.Provenance
		fmt.Fprintf(log, "serve: model %s (experiment %s, trial %s; /v2/models/%s); listening on http://%s\n", *modelDir, p.Experiment, p.Trial, *name, a)
	}
	if err := prof.start(); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("serve: %w", err)}
	}
	err = s.Run(ctx, *addr)
	if perr := prof.stop(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("serve: %w", err)}
	}
	fmt.Fprintln(log, "serve: shut down")
	return nil
}

// modelNamePattern is what -name takes: one URL path segment.
var modelNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// clustersOf describes the behaviour rule of a policy.
func clustersOf(p *policy.Policy) string {
	if p.Clusters == nil {
		return "no behaviour clusters"
	}
	return fmt.Sprintf("%d behaviour clusters", len(p.Clusters.Clusters))
}

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// loadtestCmd load-tests a running harness serve.
func loadtestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest", stderr)
	addr := fs.String("addr", "", "the server's `host:port` (or base URL)")
	path := fs.String("path", "/v1/score", "the endpoint `path` to load: /v1/score, or /v1/decide of a server given -policy")
	rate := fs.Float64("rate", 5000, "requests per second, sent open-loop")
	duration := fs.Duration("duration", 30*time.Second, "length of the test")
	requests := fs.Int("n", 0, "requests at most; 0 means rate × duration")
	workers := fs.Int("workers", serve.DefaultLoadWorkers, "requests in flight at most, one connection each")
	timeout := fs.Duration("timeout", serve.DefaultLoadTimeout, "limit of each request")
	var prof profiles
	prof.flags(fs, "the load test")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageLine("loadtest"))
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		fs.Usage()
		return usageErrorf("loadtest: unexpected arguments %q", fs.Args())
	case *addr == "":
		fs.Usage()
		return usageErrorf("loadtest: -addr HOST:PORT is required (where harness serve listens)")
	case !(*rate > 0):
		return usageErrorf("loadtest: -rate %v: want requests per second > 0", *rate)
	case *duration <= 0:
		return usageErrorf("loadtest: -duration %v: want > 0", *duration)
	case *requests < 0:
		return usageErrorf("loadtest: -n %d: want 0 (rate × duration) or more", *requests)
	case *workers < 1:
		return usageErrorf("loadtest: -workers %d: want 1 or more", *workers)
	case *timeout <= 0:
		return usageErrorf("loadtest: -timeout %v: want > 0", *timeout)
	case !strings.HasPrefix(*path, "/"):
		return usageErrorf("loadtest: -path %q: want an endpoint's path, such as /v1/decide", *path)
	}
	url := *addr
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	if err := prof.start(); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("loadtest: %w", err)}
	}
	rep, err := serve.LoadTest(ctx, serve.LoadOptions{
		URL: url, Path: *path, Rate: *rate, Duration: *duration, Requests: *requests, Workers: *workers, Timeout: *timeout,
	})
	if perr := prof.stop(); perr != nil && err == nil {
		err = fmt.Errorf("loadtest: %w", perr)
	}
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	if err := rep.Write(stdout); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("loadtest: %w", err)}
	}
	switch {
	case rep.Errors > 0:
		return &exitError{code: exitFailure, err: fmt.Errorf("loadtest: %d of %d requests failed", rep.Errors, rep.Sent)}
	case rep.Unsent > 0:
		return &exitError{code: exitFailure, err: fmt.Errorf("loadtest: %d of %d requests not sent (interrupted, or the server fell behind by more than -timeout)", rep.Unsent, rep.Planned)}
	}
	return nil
}
