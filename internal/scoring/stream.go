package scoring

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
)

// MaxLineBytes is the longest line ScoreStream reads, its line ending
// excluded: a longer line is refused with an error object, and the stream
// goes on.
const MaxLineBytes = 1 << 20

// A batch of lines is cut at batchLines lines or batchBytes bytes, or when
// the input has nothing more buffered, so that a slow stream's results are
// not held back.
const (
	batchLines = 1024
	batchBytes = 1 << 20
)

// StreamOptions configure ScoreStream. The zero value means the defaults.
type StreamOptions struct {
	// Workers is the number of goroutines that decode, score and encode
	// lines; <= 0 means runtime.GOMAXPROCS(0). The output does not depend
	// on it.
	Workers int
}

// StreamCounts are the lines of a stream ScoreStream has written the
// output of.
type StreamCounts struct {
	Scored int // lines scored: a result object each
	Failed int // lines refused: an error object each
}

// ScoreStream scores a JSON Lines stream of flows, one flow object per
// line (DecodeFlow's strict JSON), and writes one JSON object per
// non-blank line to out, in the input's order:
//
//	{"line": N, "anomaly_probability": ..., ...}  the line's Result
//	{"line": N, "error": "..."}                   why the line was refused
//
// N counts every line from 1, blank ones included; a line may end in \n
// or \r\n, and the last one without either. A line that is not a flow,
// that Score refuses or that is longer than MaxLineBytes gets an error
// object, and the stream goes on.
//
// Workers score batches of lines in parallel while a reader cuts the next
// ones and the calling goroutine writes the output in order. A fixed
// pool of batches (of at most 1,024 lines or about 1 MiB each) bounds the
// memory, whatever the stream's length. Output is flushed whenever the
// input has nothing more buffered, so that the results of a slow stream
// are not held back.
//
// ScoreStream returns at the end of in, with the counts of the lines
// written. It returns early with an error when reading in fails ("reading
// line N: ..."), when writing out fails ("writing results: ..."), or with
// ctx.Err() when ctx is done; the counts are then those of the lines
// whose output was written or buffered for writing before. On such an
// early return, a goroutine may still be blocked in in's Read; it ends
// when that Read returns, and writes nothing to out.
func (m *Model) ScoreStream(ctx context.Context, in io.Reader, out io.Writer, opts StreamOptions) (StreamCounts, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
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
				m.scoreLines(b)
				close(b.done)
			}
		}()
	}

	var n StreamCounts
	bw := bufio.NewWriterSize(out, 64<<10)
	for b := range ordered {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			return n, ctx.Err()
		}
		if _, err := bw.Write(b.out.Bytes()); err != nil {
			return n, fmt.Errorf("writing results: %w", err)
		}
		n.Scored += b.scored
		n.Failed += b.failed
		free <- b
		if len(ordered) == 0 {
			if err := bw.Flush(); err != nil {
				return n, fmt.Errorf("writing results: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("writing results: %w", err)
	}
	return n, <-readErr
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
	Result
}

type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// readBatches reads lines into batches from free and sends each full
// batch to ordered, then to work. It returns at the end of the input, on
// a read error, or when ctx is done (with ctx.Err()).
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
			if len(b.data)-start+len(frag) > MaxLineBytes+2 {
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
	case tooLong || len(line) > MaxLineBytes:
		b.data = b.data[:start]
		b.lines = append(b.lines, lineRef{num: *num, tooLong: true})
	case len(bytes.TrimSpace(line)) == 0:
		b.data = b.data[:start]
	default:
		b.lines = append(b.lines, lineRef{num: *num, start: start, end: start + len(line)})
	}
	return true, nil
}

// scoreLines decodes, scores and encodes the lines of b.
func (m *Model) scoreLines(b *lineBatch) {
	enc := json.NewEncoder(&b.out)
	enc.SetEscapeHTML(false)
	encode := func(v any) {
		if err := enc.Encode(v); err != nil {
			panic(fmt.Sprintf("scoring: encoding a result: %v", err)) // finite numbers and strings: not reached
		}
	}
	var res lineResult
	for _, ref := range b.lines {
		if ref.tooLong {
			encode(lineError{ref.num, fmt.Sprintf("line longer than %d bytes (1 MiB)", MaxLineBytes)})
			b.failed++
			continue
		}
		f, err := DecodeFlow(b.data[ref.start:ref.end])
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
