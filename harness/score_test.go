package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/policy/policyconfig"
	"github.com/segharness/harness/internal/scoring"
	"github.com/segharness/harness/internal/serve"
	"github.com/segharness/harness/internal/serve/servetest"
)

// withStdin runs f with runCommand passing in as standard input.
func withStdin(t *testing.T, in io.Reader, f func()) {
	t.Helper()
	old := testStdin
	testStdin = in
	defer func() { testStdin = old }()
	f()
}

// TestServiceCommandLine checks the usage errors of score, serve and
// loadtest against golden output.
func TestServiceCommandLine(t *testing.T) {
	model := servetest.ModelDir(t)
	corrupt := t.TempDir()
	if err := os.CopyFS(corrupt, os.DirFS(model)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, scoring.DetectorFile), []byte("not a forest"), 0o644); err != nil {
		t.Fatal(err)
	}
	// edited has a lower HIGH risk threshold, longer a byte appended to its
	// detector forest.
	edited, longer := copyModel(t, model), copyModel(t, model)
	editFile(t, filepath.Join(edited, scoring.ModelFile), func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"high": 0.8`), []byte(`"high": 0.7`), 1)
	})
	editFile(t, filepath.Join(longer, scoring.DetectorFile), func(b []byte) []byte { return append(b, 0) })
	// pol is the policy learned from the model's training flows; foreign
	// the same with the department accounting renamed, a policy of other
	// data; notJSON and oldFormat are not policy documents.
	pol := servetest.PolicyFile(t)
	foreign, notJSON, oldFormat := copyFile(t, pol), copyFile(t, pol), copyFile(t, pol)
	editFile(t, foreign, func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(`accounting`), []byte(`acquisitions`)) })
	editFile(t, notJSON, func(b []byte) []byte { return []byte("segments: [accounting]\n") })
	editFile(t, oldFormat, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"segharness-policy/1"`), []byte(`"segharness-policy/0"`), 1)
	})
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"score-no-model", []string{"score"}, exitUsage},
		{"score-missing-model", []string{"score", "-model", "testdata/score/no-such-model"}, exitFailure},
		{"score-corrupt-model", []string{"score", "-model", "CORRUPT"}, exitFailure},
		{"score-edited-model", []string{"score", "-model", "EDITED"}, exitFailure},
		{"score-longer-forest", []string{"score", "-model", "LONGER"}, exitFailure},
		{"serve-edited-model", []string{"serve", "-model", "EDITED"}, exitFailure},
		{"score-arguments", []string{"score", "-model", "MODEL", "flows.jsonl"}, exitUsage},
		{"score-bad-flag", []string{"score", "-modle", "MODEL"}, exitUsage},
		{"score-negative-workers", []string{"score", "-model", "MODEL", "-workers", "-1"}, exitUsage},
		{"serve-no-model", []string{"serve"}, exitUsage},
		{"serve-missing-model", []string{"serve", "-model", "testdata/score/no-such-model"}, exitFailure},
		{"serve-remote-addr", []string{"serve", "-model", "MODEL", "-addr", "0.0.0.0:8080"}, exitUsage},
		{"serve-every-interface", []string{"serve", "-model", "MODEL", "-addr", ":8080"}, exitUsage},
		{"serve-bad-addr", []string{"serve", "-model", "MODEL", "-addr", "8080"}, exitUsage},
		{"serve-bad-max-batch", []string{"serve", "-model", "MODEL", "-max-batch", "0"}, exitUsage},
		{"serve-arguments", []string{"serve", "-model", "MODEL", "extra"}, exitUsage},
		{"serve-missing-policy", []string{"serve", "-model", "MODEL", "-policy", "testdata/score/no-such-policy.json"}, exitFailure},
		{"serve-policy-not-json", []string{"serve", "-model", "MODEL", "-policy", "NOTJSON"}, exitFailure},
		{"serve-policy-old-format", []string{"serve", "-model", "MODEL", "-policy", "OLDFORMAT"}, exitFailure},
		{"serve-policy-foreign", []string{"serve", "-model", "MODEL", "-policy", "FOREIGN"}, exitFailure},
		{"serve-policy-no-model", []string{"serve", "-policy", "POLICY"}, exitUsage},
		{"loadtest-no-addr", []string{"loadtest"}, exitUsage},
		{"loadtest-bad-rate", []string{"loadtest", "-addr", "127.0.0.1:1", "-rate", "0"}, exitUsage},
		{"loadtest-bad-duration", []string{"loadtest", "-addr", "127.0.0.1:1", "-duration", "-1s"}, exitUsage},
		{"loadtest-bad-workers", []string{"loadtest", "-addr", "127.0.0.1:1", "-workers", "0"}, exitUsage},
		{"loadtest-arguments", []string{"loadtest", "-addr", "127.0.0.1:1", "now"}, exitUsage},
		{"loadtest-bad-path", []string{"loadtest", "-addr", "127.0.0.1:1", "-path", "v1/decide"}, exitUsage},
		{"loadtest-unreachable", []string{"loadtest", "-addr", "127.0.0.1:1", "-duration", "1s"}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.NewReplacer("MODEL", model, "CORRUPT", corrupt, "EDITED", edited, "LONGER", longer,
					"POLICY", pol, "FOREIGN", foreign, "NOTJSON", notJSON, "OLDFORMAT", oldFormat).Replace(a)
			}
			var code int
			var stdout, stderr string
			withStdin(t, strings.NewReader(""), func() {
				code, stdout, stderr = runCommand(t, t.Context(), "", args...)
			})
			stderr = strings.NewReplacer(model, "MODEL", corrupt, "CORRUPT", edited, "EDITED", longer, "LONGER",
				pol, "POLICY", foreign, "FOREIGN", notJSON, "NOTJSON", oldFormat, "OLDFORMAT").Replace(stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			golden(t, "score/"+tt.name+".golden", "exit "+strconv.Itoa(code)+"\n-- stdout --\n"+stdout+"-- stderr --\n"+stderr)
		})
	}
}

// copyModel copies the model directory src to a new directory.
func copyModel(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyFile copies the file src into a new directory and returns the
// copy's path.
func copyFile(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// editFile rewrites the file at path through edit, failing the test when
// edit changes nothing.
func editFile(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e := edit(bytes.Clone(b))
	if bytes.Equal(e, b) {
		t.Fatalf("%s: the edit changes nothing", path)
	}
	if err := os.WriteFile(path, e, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mixedInput is a JSON Lines stream of good and bad lines: every kind of
// error, blank lines, CRLF endings, a line of exactly the 1 MiB limit and
// one a byte over it, and a last line without a newline.
func mixedInput(t *testing.T) string {
	t.Helper()
	flows, err := serve.SampleFlows(4, 3)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(f flow.Flow, edit func(map[string]any)) string { return servetest.FlowJSON(t, f, edit) }
	// pad fills a flow out to n bytes with spaces before its closing brace.
	pad := func(s string, n int) string { return s[:len(s)-1] + strings.Repeat(" ", n-len(s)) + "}" }
	lines := []string{
		enc(flows[0], nil),
		"",
		enc(flows[1], nil) + "\r",
		`{"src_device_type": "workstation", `,
		enc(flows[2], func(m map[string]any) { m["colour"] = "red" }),
		enc(flows[2], func(m map[string]any) { delete(m, "hour") }),
		enc(flows[2], func(m map[string]any) { m["bytes_sent"] = -5 }),
		enc(flows[2], func(m map[string]any) { m["protocol"] = "QUIC" }),
		enc(flows[2], func(m map[string]any) { m["packets_sent"] = "12" }),
		enc(flows[2], func(m map[string]any) { m["cpu_usage"] = 120 }),
		pad(enc(flows[2], nil), 1<<20+1),
		" \t ",
		pad(enc(flows[2], nil), 1<<20) + "\r",
		"null",
		"[1, 2]",
		// Crypto mining and lateral movement, as the generator injects them.
		enc(flows[0], func(m map[string]any) {
			m["cpu_usage"], m["bytes_sent"], m["duration"], m["ports_contacted"], m["is_business_hours"] = 93.5, 250000.0, 14000.0, 11, false
		}),
		enc(flows[1], func(m map[string]any) {
			m["src_department"], m["dst_department"], m["ports_contacted"], m["packets_sent"], m["duration"] = "engineering", "accounting", 18, 3500, 12.5
			m["same_dept"], m["cross_dept"] = false, true
		}),
		enc(flows[3], nil),
	}
	return strings.Join(lines, "\n")
}

// TestScoreStream scores a mixed stream: one output line per non-blank
// input line, in order, a result or an error; exit 1 with a summary.
func TestScoreStream(t *testing.T) {
	model := servetest.ModelDir(t)
	in := mixedInput(t)
	for _, workers := range []string{"1", "3"} {
		var code int
		var stdout, stderr string
		withStdin(t, strings.NewReader(in), func() {
			code, stdout, stderr = runCommand(t, t.Context(), "", "score", "-model", model, "-workers", workers)
		})
		if code != exitFailure {
			t.Errorf("-workers %s: exit %d, want 1", workers, code)
		}
		golden(t, "score/mixed.golden", "exit "+strconv.Itoa(code)+"\n-- stdout --\n"+stdout+"-- stderr --\n"+stderr)
	}

	// A stream of good lines only: exit 0.
	flows, err := serve.SampleFlows(3, 5)
	if err != nil {
		t.Fatal(err)
	}
	var good strings.Builder
	for _, f := range flows {
		b, _ := json.Marshal(&f)
		good.Write(append(b, '\n'))
	}
	var code int
	var stdout, stderr string
	withStdin(t, strings.NewReader(good.String()), func() {
		code, stdout, stderr = runCommand(t, t.Context(), "", "score", "-model", model)
	})
	if code != exitOK || stderr != "scored 3 flows, 0 errors\n" || strings.Count(stdout, "\n") != 3 {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	// No input at all: nothing to do, exit 0.
	withStdin(t, strings.NewReader(""), func() {
		code, stdout, stderr = runCommand(t, t.Context(), "", "score", "-model", model)
	})
	if code != exitOK || stdout != "" || stderr != "scored 0 flows, 0 errors\n" {
		t.Errorf("empty input: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestScoreStreamErrors checks, end to end, the command's errors that are
// not about a line: a closed output, a failing input, an interrupt. The
// stream's own tests are internal/scoring's.
func TestScoreStreamErrors(t *testing.T) {
	model := servetest.ModelDir(t)
	flows, _ := serve.SampleFlows(1, 1)
	line, _ := json.Marshal(&flows[0])
	line = append(line, '\n')
	score := func(ctx context.Context, in io.Reader, stdout io.Writer) (int, string) {
		var stderr bytes.Buffer
		err := run(ctx, []string{"score", "-model", model, "-workers", "2"}, in, stdout, &stderr)
		if err != nil {
			stderr.WriteString("harness: " + err.Error() + "\n")
		}
		return exitCode(err), stderr.String()
	}
	// A closed output ends the command with an error. (The flow counts as
	// scored: its output was buffered when the write failed.)
	code, stderr := score(t.Context(), bytes.NewReader(line), failingWriter{})
	if code != exitFailure || stderr != "scored 1 flow, 0 errors\nharness: score: writing results: io: read/write on closed pipe\n" {
		t.Errorf("closed output: exit %d, stderr %q", code, stderr)
	}
	// A failing input: the lines before it are scored, then the error.
	var out bytes.Buffer
	code, stderr = score(t.Context(), io.MultiReader(bytes.NewReader(line), iotestErrReader{}), &out)
	if code != exitFailure || stderr != "scored 1 flow, 0 errors\nharness: score: reading line 2: boom\n" || !strings.HasPrefix(out.String(), `{"line":1,`) {
		t.Errorf("failing input: exit %d, stderr %q, stdout %q", code, stderr, out.String())
	}
	// An interrupt (a cancelled context, as SIGINT cancels run's).
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	code, stderr = score(ctx, bytes.NewReader(line), io.Discard)
	if code != exitFailure || stderr != "scored 0 flows, 0 errors\nharness: score: interrupted\n" {
		t.Errorf("interrupted: exit %d, stderr %q", code, stderr)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, fmt.Errorf("boom") }

// syncBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeAndLoadtest runs harness serve on a free loopback port, scores
// a flow over HTTP, runs a short harness loadtest against it, and stops
// the server as SIGINT would: exit 0 after a graceful shutdown.
func TestServeAndLoadtest(t *testing.T) {
	model := servetest.ModelDir(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, stderr, done := startServe(t, ctx, "-model", model)
	if want := "serve: model " + model + " (experiment servetest, trial flows=2000; /v2/models/segharness); listening on " + base + "\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}

	flows, _ := serve.SampleFlows(1, 2)
	body, _ := json.Marshal(&flows[0])
	resp, err := http.Post(base+"/v1/score", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got scoring.Result
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	var want scoring.Result
	if err := servetest.Model(t).Score(&flows[0], &want); err != nil {
		t.Fatal(err)
	}
	if err != nil || resp.StatusCode != 200 || got != want {
		t.Errorf("POST /v1/score: status %d, %+v (%v), want %+v", resp.StatusCode, got, err, want)
	}

	code, stdout, lstderr := runCommand(t, t.Context(), "", "loadtest", "-addr", strings.TrimPrefix(base, "http://"),
		"-rate", "500", "-duration", "1s", "-n", "100", "-workers", "4")
	if code != exitOK || lstderr != "" || !strings.Contains(stdout, "requests: 100 sent, 0 errors, 0 unsent\n") {
		t.Errorf("loadtest: exit %d, stderr %q, stdout:\n%s", code, lstderr, stdout)
	}

	cancel()
	stopServe(t, done, stderr)
}

// startServe runs harness serve with args on a free loopback port until
// ctx is cancelled, and returns its base URL once it listens, its
// standard error and the channel of its result.
func startServe(t *testing.T, ctx context.Context, args ...string) (string, *syncBuffer, chan error) {
	t.Helper()
	stderr := new(syncBuffer)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n`)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr, done
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned %v; stderr:\n%s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 30s; stderr:\n%s", stderr.String())
		}
	}
}

// stopServe waits for a serve whose context was cancelled: exit 0 after
// a graceful shutdown.
func stopServe(t *testing.T, done chan error, stderr *syncBuffer) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop 30s after its context was cancelled")
	}
	if !strings.HasSuffix(stderr.String(), "serve: shut down\n") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// TestServeDecide runs harness serve -model -policy: it says what policy
// it enforces, decides a flow over HTTP as the policy decides it on the
// model's score, and harness loadtest -path /v1/decide loads the
// endpoint.
func TestServeDecide(t *testing.T) {
	model, pol := servetest.ModelDir(t), servetest.PolicyFile(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, stderr, done := startServe(t, ctx, "-model", model, "-policy", pol)
	p := servetest.Policy(t)
	// The Small policy (servetest.FitPolicy, policyconfig.DefaultConfig):
	// department x device type segments, 6 clusters, isolation above 0.8,
	// the model's HIGH threshold, so no note.
	want := fmt.Sprintf("serve: policy %s (segments by department_device, %d segments, %d allow rules, 6 behaviour clusters, isolation above 0.8) on POST /v1/decide\n"+
		"serve: model %s (experiment servetest, trial flows=2000; /v2/models/segharness); listening on %s\n", pol, len(p.Segments), len(p.Allow), model, base)
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}

	flows, _ := serve.SampleFlows(1, 2)
	body, _ := json.Marshal(&flows[0])
	resp, err := http.Post(base+"/v1/decide", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got serve.Decision
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	var res scoring.Result
	if err := servetest.Model(t).Score(&flows[0], &res); err != nil {
		t.Fatal(err)
	}
	d := p.Decide(&flows[0], res.AnomalyProbability)
	if err != nil || resp.StatusCode != 200 || got.Result != res || (got.Decision == serve.DecisionBlock) != d.Blocked || strings.Join(got.Rules, "|") != strings.TrimPrefix(d.Reasons.String(), "none") {
		t.Errorf("POST /v1/decide: status %d, %+v (%v), want %+v and %v", resp.StatusCode, got, err, res, d.Reasons)
	}

	code, stdout, lstderr := runCommand(t, t.Context(), "", "loadtest", "-addr", strings.TrimPrefix(base, "http://"), "-path", "/v1/decide",
		"-rate", "500", "-duration", "1s", "-n", "100", "-workers", "4")
	if code != exitOK || lstderr != "" || !strings.Contains(stdout, "requests: 100 sent, 0 errors, 0 unsent\n") ||
		!strings.Contains(stdout, "target: "+base+"/v1/decide at 500 req/s") {
		t.Errorf("loadtest: exit %d, stderr %q, stdout:\n%s", code, lstderr, stdout)
	}
	cancel()
	stopServe(t, done, stderr)
}

// TestServePolicyNote: a policy isolating above another threshold than
// the model's HIGH risk is served, with a note saying so.
func TestServePolicyNote(t *testing.T) {
	model := servetest.ModelDir(t)
	cfg := policyconfig.DefaultConfig()
	cfg.IsolateAbove = 0.9
	p, err := servetest.FitPolicy(servetest.Small, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.Encode(&b); err != nil {
		t.Fatal(err)
	}
	pol := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(pol, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, stderr, done := startServe(t, ctx, "-model", model, "-policy", pol)
	note := "serve: note: the policy isolates above 0.9, the model's HIGH risk is above 0.8: a flow scored in (0.8, 0.9] is HIGH, with the five HIGH actions, and not isolated\n"
	if !strings.Contains(stderr.String(), "isolation above 0.9) on POST /v1/decide\n"+note) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	cancel()
	stopServe(t, done, stderr)
}
