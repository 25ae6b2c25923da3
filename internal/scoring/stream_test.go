package scoring_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve/servetest"
	"github.com/segharness/harness/internal/synth"
)

// streamFlows draws n flows of the notebook's generator from seed s.
func streamFlows(t testing.TB, n int, s uint64) []flow.Flow {
	t.Helper()
	tab, err := synth.Generate(synth.Config{
		Generator:   synth.GeneratorNotebook,
		Flows:       n,
		AnomalyRate: 0.05,
		AnomalyMix:  map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4},
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	flows := make([]flow.Flow, n)
	for i := range flows {
		flows[i] = tab.At(i)
	}
	return flows
}

// resultLine is the output line of a scored flow.
func resultLine(t testing.TB, m *scoring.Model, f flow.Flow, line int) string {
	t.Helper()
	var r scoring.Result
	if err := m.Score(&f, &r); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		Line int `json:"line"`
		scoring.Result
	}{line, r})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorLine(line int, msg string) string {
	b, _ := json.Marshal(struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	}{line, msg})
	return string(b)
}

// TestScoreStreamLines scores a stream of every kind of line: one output
// object per non-blank line, numbered from 1 with the blank lines
// counted, whatever the number of workers.
func TestScoreStreamLines(t *testing.T) {
	m := servetest.Model(t)
	flows := streamFlows(t, 4, 3)
	good := func(i int) string { return servetest.FlowJSON(t, flows[i], nil) }
	// pad fills a flow out to n bytes with spaces before its closing brace.
	pad := func(s string, n int) string { return s[:len(s)-1] + strings.Repeat(" ", n-len(s)) + "}" }
	in := []string{
		good(0),
		"",
		good(1) + "\r",
		`{"src_device_type": "workstation", `,
		servetest.FlowJSON(t, flows[2], func(m map[string]any) { m["colour"] = "red" }),
		servetest.FlowJSON(t, flows[2], func(m map[string]any) { m["protocol"] = "QUIC" }),
		" \t \r",
		pad(good(2), scoring.MaxLineBytes+1),
		pad(good(2), scoring.MaxLineBytes) + "\r",
		"null",
		good(3), // the last line, without a line ending
	}
	// refused is the output of a line the stream must refuse as Score
	// or DecodeFlow does.
	refused := func(line int, s string) string {
		var r scoring.Result
		f, err := scoring.DecodeFlow([]byte(s))
		if err == nil {
			err = m.Score(&f, &r)
		}
		if err == nil {
			t.Fatalf("line %d scores", line)
		}
		return errorLine(line, err.Error())
	}
	want := []string{
		resultLine(t, m, flows[0], 1),
		resultLine(t, m, flows[1], 3),
		refused(4, in[3]),
		refused(5, in[4]),
		refused(6, in[5]),
		errorLine(8, "line longer than 1048576 bytes (1 MiB)"),
		resultLine(t, m, flows[2], 9),
		refused(10, in[9]),
		resultLine(t, m, flows[3], 11),
	}
	for _, workers := range []int{1, 2, 7} {
		var out bytes.Buffer
		n, err := m.ScoreStream(t.Context(), strings.NewReader(strings.Join(in, "\n")), &out, scoring.StreamOptions{Workers: workers})
		if err != nil || n != (scoring.StreamCounts{Scored: 4, Failed: 5}) {
			t.Fatalf("workers %d: %+v, %v", workers, n, err)
		}
		if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")); diff != "" {
			t.Errorf("workers %d: output (-want +got):\n%s", workers, diff)
		}
	}
}

// TestScoreStreamOrder scores many flows across batches and workers: every
// line's result is Score's for that line, in input order.
func TestScoreStreamOrder(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 2500
	}
	m := servetest.Model(t)
	var in bytes.Buffer
	want := make([]string, 0, n)
	for i, f := range streamFlows(t, n, 11) {
		in.WriteString(servetest.FlowJSON(t, f, nil) + "\n")
		want = append(want, resultLine(t, m, f, i+1))
	}
	var out bytes.Buffer
	counts, err := m.ScoreStream(t.Context(), &in, &out, scoring.StreamOptions{Workers: 4})
	if err != nil || counts != (scoring.StreamCounts{Scored: n}) {
		t.Fatalf("%+v, %v", counts, err)
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("boom") }

func TestScoreStreamErrors(t *testing.T) {
	m := servetest.Model(t)
	line := servetest.FlowJSON(t, streamFlows(t, 1, 1)[0], nil) + "\n"
	// A closed output.
	_, err := m.ScoreStream(t.Context(), strings.NewReader(line), failingWriter{}, scoring.StreamOptions{Workers: 2})
	if err == nil || err.Error() != "writing results: io: read/write on closed pipe" || !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("closed output: %v", err)
	}
	// A failing input: the lines before it are scored, then the error
	// names the line it could not read.
	in := io.MultiReader(strings.NewReader(line+"\n"+line), strings.NewReader(`{"duration"`), errReader{})
	var out bytes.Buffer
	n, err := m.ScoreStream(t.Context(), in, &out, scoring.StreamOptions{Workers: 2})
	if n.Scored != 2 || err == nil || err.Error() != "reading line 4: boom" || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("failing input: %+v, %v, output:\n%s", n, err, out.String())
	}
	// A cancelled context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.ScoreStream(ctx, strings.NewReader(line), &out, scoring.StreamOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestScoreStreamNotHeldBack: the result of a line is written as soon as
// it is scored when no more input is waiting, not when a batch fills.
func TestScoreStreamNotHeldBack(t *testing.T) {
	m := servetest.Model(t)
	flows := streamFlows(t, 3, 5)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := m.ScoreStream(t.Context(), inR, outW, scoring.StreamOptions{Workers: 2})
		outW.CloseWithError(err)
		done <- err
	}()
	lines := make(chan string)
	go func() {
		br := bufio.NewReader(outR)
		for {
			s, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- s
		}
	}()
	for i, f := range flows {
		if _, err := io.WriteString(inW, servetest.FlowJSON(t, f, nil)+"\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-lines:
			if want := resultLine(t, m, f, i+1) + "\n"; got != want {
				t.Errorf("line %d: %s, want %s", i+1, got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no result for line %d 30s after it was written, the input still open", i+1)
		}
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, ok := <-lines; ok {
		t.Errorf("output after the last line: %q", s)
	}
}

// endlessInput is a stream of the same line without end, which counts the
// lines it has given.
type endlessInput struct {
	line  []byte
	off   int
	lines atomic.Int64
}

func (e *endlessInput) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], e.line[e.off:])
		n += k
		if e.off += k; e.off == len(e.line) {
			e.off = 0
			e.lines.Add(1)
		}
	}
	return n, nil
}

// blockedWriter blocks every write until released, then fails it.
type blockedWriter struct{ release chan struct{} }

func (w blockedWriter) Write([]byte) (int, error) {
	<-w.release
	return 0, io.ErrClosedPipe
}

// TestScoreStreamBoundedMemory: when the output does not take the
// results, the stream stops reading its input after the batches of its
// fixed pool are full, however long the input.
func TestScoreStreamBoundedMemory(t *testing.T) {
	m := servetest.Model(t)
	in := &endlessInput{line: []byte(servetest.FlowJSON(t, streamFlows(t, 1, 1)[0], nil) + "\n")}
	out := blockedWriter{make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := m.ScoreStream(t.Context(), in, out, scoring.StreamOptions{Workers: 1})
		done <- err
	}()
	// Wait for the reading to stop.
	last, still := int64(-1), 0
	for deadline := time.Now().Add(30 * time.Second); still < 4; time.Sleep(50 * time.Millisecond) {
		if n := in.lines.Load(); n != last {
			last, still = n, 0
		} else {
			still++
		}
		if time.Now().After(deadline) {
			t.Fatalf("still reading after 30s: %d lines", last)
		}
	}
	// One worker: a pool of 4 batches of at most 1,024 lines, one more
	// batch taken by the blocked writer, and a 64 KiB read buffer.
	bound := int64(6*1024 + (64<<10)/len(in.line) + 1)
	if last > bound {
		t.Errorf("read %d lines with the output blocked, more than %d", last, bound)
	}
	t.Logf("read %d lines with the output blocked (bound %d)", last, bound)
	close(out.release)
	if err := <-done; err == nil || !strings.HasPrefix(err.Error(), "writing results: ") {
		t.Errorf("ScoreStream: %v", err)
	}
}
