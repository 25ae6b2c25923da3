package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"time"

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

// Limits of harness score's input.
const (
	maxLineBytes = 1 << 20 // a longer line is an error for that line
	// A batch is cut at batchLines lines or batchBytes bytes, or when the
	// input has nothing more buffered (so that a slow stream's results are
	// not held back).
	batchLines = 1024
	batchBytes = 1 << 20
)

// scoreCmd scores the flows of a JSON Lines stream: one result or error
// object per non-blank input line, in input order.
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
	if *workers == 0 {
		*workers = runtime.NumCPU()
	}
	m, err := loadModel("score", *modelDir)
	if err != nil {
		return err
	}
	scored, failed, err := scoreLines(ctx, m, in, stdout, *workers)
	fmt.Fprintf(stderr, "scored %d flow%s, %d error%s\n", scored, plural(scored), failed, plural(failed))
	switch {
	case err != nil:
		return &exitError{code: exitFailure, err: fmt.Errorf("score: %w", err)}
	case failed > 0:
		return &exitError{code: exitFailure}
	}
	return nil
}

// lineBatch is a run of input lines and, once scored, their output.
type lineBatch struct {
	data   []byte    // the lines' bytes, back to back
	lines  []lineRef // the non-blank lines
	out    bytes.Buffer
	scored int
	failed int
	done   chan struct{} // closed when out is complete
}

type lineRef struct {
	num        int // 1-based line number in the input
	start, end int // the line in data, without its line ending
	tooLong    bool
}

// lineResult and lineError are the output objects.
type lineResult struct {
	Line int `json:"line"`
	scoring.Result
}

type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// scoreLines is harness score's pipeline: a reader cuts the input into
// batches, workers decode, score and encode batches in parallel, and the
// writer (this goroutine) writes the batches' output in input order. A
// fixed pool of batches bounds the memory, whatever the input's length.
// It returns the numbers of lines scored and refused, and an error when
// reading or writing fails or ctx is cancelled.
func scoreLines(ctx context.Context, m *scoring.Model, in io.Reader, out io.Writer, workers int) (scored, failed int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pool := 2*workers + 2
	free := make(chan *lineBatch, pool)
	for range pool {
		free <- new(lineBatch)
	}
	work := make(chan *lineBatch, pool)
	ordered := make(chan *lineBatch, pool)
	readErr := make(chan error, 1)
	go func() {
		readErr <- readBatches(ctx, in, free, work, ordered)
		close(work)
		close(ordered)
	}()
	// The workers end when the reader closes work. They are not waited
	// for: on an early return the reader may be blocked reading the input.
	for range workers {
		go func() {
			for b := range work {
				scoreBatch(m, b)
				close(b.done)
			}
		}()
	}

	bw := bufio.NewWriterSize(out, 64<<10)
	for b := range ordered {
		if ctx.Err() != nil {
			return scored, failed, errors.New("interrupted")
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			return scored, failed, errors.New("interrupted")
		}
		if _, err := bw.Write(b.out.Bytes()); err != nil {
			return scored, failed, fmt.Errorf("writing results: %w", err)
		}
		scored += b.scored
		failed += b.failed
		free <- b
		if len(ordered) == 0 {
			if err := bw.Flush(); err != nil {
				return scored, failed, fmt.Errorf("writing results: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return scored, failed, fmt.Errorf("writing results: %w", err)
	}
	if err := <-readErr; err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		return scored, failed, err
	}
	return scored, failed, nil
}

// readBatches reads lines into batches from free and sends each full
// batch to ordered, then to work. It returns at the end of the input, on
// a read error, or when ctx is done.
func readBatches(ctx context.Context, in io.Reader, free <-chan *lineBatch, work, ordered chan<- *lineBatch) error {
	br := bufio.NewReaderSize(in, 64<<10)
	num := 0
	var b *lineBatch
	send := func() {
		ordered <- b // never blocks: both channels hold the whole pool
		work <- b
		b = nil
	}
	for {
		if b != nil && len(b.lines) > 0 && (len(b.lines) >= batchLines || len(b.data) >= batchBytes || br.Buffered() == 0) {
			send()
		}
		if b == nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			select {
			case b = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			b.data, b.lines = b.data[:0], b.lines[:0]
			b.out.Reset()
			b.scored, b.failed = 0, 0
			b.done = make(chan struct{})
		}
		more, err := readLine(br, b, &num)
		if err != nil {
			if len(b.lines) > 0 {
				send()
			}
			return fmt.Errorf("reading line %d: %w", num+1, err)
		}
		if !more {
			if len(b.lines) > 0 {
				send()
			}
			return nil
		}
	}
}

// readLine reads the next line into b: a reference to it, or a line too
// long to keep, or nothing for a blank line. It reports false at the end
// of the input.
func readLine(br *bufio.Reader, b *lineBatch, num *int) (bool, error) {
	start := len(b.data)
	tooLong, read := false, false
	for {
		frag, err := br.ReadSlice('\n')
		read = read || len(frag) > 0
		if !tooLong {
			// Room for the line and a \r\n ending; beyond, only the length
			// of the line is kept track of.
			if len(b.data)-start+len(frag) > maxLineBytes+2 {
				tooLong = true
				b.data = b.data[:start]
			} else {
				b.data = append(b.data, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if !read {
				return false, nil
			}
			break
		}
		if err != nil {
			b.data = b.data[:start]
			return false, err
		}
		break
	}
	*num++
	line := b.data[start:]
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	switch {
	case tooLong || len(line) > maxLineBytes:
		b.data = b.data[:start]
		b.lines = append(b.lines, lineRef{num: *num, tooLong: true})
	case len(bytes.TrimSpace(line)) == 0:
		b.data = b.data[:start]
	default:
		b.lines = append(b.lines, lineRef{num: *num, start: start, end: start + len(line)})
	}
	return true, nil
}

// scoreBatch decodes, scores and encodes the lines of b.
func scoreBatch(m *scoring.Model, b *lineBatch) {
	enc := json.NewEncoder(&b.out)
	enc.SetEscapeHTML(false)
	encode := func(v any) {
		if err := enc.Encode(v); err != nil {
			panic(fmt.Sprintf("score: encoding a result: %v", err)) // finite numbers and strings: not reached
		}
	}
	var res lineResult
	for _, ref := range b.lines {
		if ref.tooLong {
			encode(lineError{ref.num, fmt.Sprintf("line longer than %d bytes (1 MiB)", maxLineBytes)})
			b.failed++
			continue
		}
		f, err := scoring.DecodeFlow(b.data[ref.start:ref.end])
		if err == nil {
			err = m.Score(&f, &res.Result)
		}
		if err != nil {
			encode(lineError{ref.num, err.Error()})
			b.failed++
			continue
		}
		res.Line = ref.num
		encode(&res)
		b.scored++
	}
}

// serveCmd serves the scoring API until the context is cancelled.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	modelDir := fs.String("model", "", "model `directory`, as scoring.Save writes it")
	addr := fs.String("addr", serve.DefaultAddr, "`host:port` to listen on; port 0 picks a free one")
	allowRemote := fs.Bool("allow-remote", false, "allow an -addr that is not loopback: the API has no authentication")
	maxBody := fs.Int64("max-body", serve.DefaultMaxBodyBytes, "request body limit in `bytes` (413 beyond)")
	maxBatch := fs.Int("max-batch", serve.DefaultMaxBatch, "flows per batch request at most (413 beyond)")
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
	log := &syncWriter{w: stderr}
	s := serve.NewServer(m, serve.Options{MaxBodyBytes: *maxBody, MaxBatch: *maxBatch, Log: log})
	s.Listening = func(a net.Addr) {
		p := m.Provenance
		fmt.Fprintf(log, "serve: model %s (experiment %s, trial %s); listening on http://%s\n", *modelDir, p.Experiment, p.Trial, a)
	}
	if err := s.Run(ctx, *addr); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("serve: %w", err)}
	}
	fmt.Fprintln(log, "serve: shut down")
	return nil
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
	rate := fs.Float64("rate", 5000, "requests per second, sent open-loop")
	duration := fs.Duration("duration", 30*time.Second, "length of the test")
	requests := fs.Int("n", 0, "requests at most; 0 means rate × duration")
	workers := fs.Int("workers", serve.DefaultLoadWorkers, "requests in flight at most, one connection each")
	timeout := fs.Duration("timeout", serve.DefaultLoadTimeout, "limit of each request")
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
	}
	url := *addr
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	rep, err := serve.LoadTest(ctx, serve.LoadOptions{
		URL: url, Rate: *rate, Duration: *duration, Requests: *requests, Workers: *workers, Timeout: *timeout,
	})
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
