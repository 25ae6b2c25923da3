package external

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"

	"github.com/segharness/harness/datasets"
)

// The external program of these tests is the test binary itself: with
// EXTERNAL_FAKE set, TestMain runs fakeModel instead of the tests, which
// answers the request as the mode in EXTERNAL_FAKE says (correctly, or
// wrongly in one way).
func TestMain(m *testing.M) {
	if mode := os.Getenv("EXTERNAL_FAKE"); mode != "" {
		os.Exit(fakeModel(mode, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// fakeModel answers the request at reqPath. A correct answer is a
// function of the data: a detector scores a row by its first feature and
// flags it when that is positive; a typer gives all probability to the
// class indexed by the row number modulo the classes; a clusterer labels
// row i with i mod 3, -1 for every tenth row.
func fakeModel(mode, reqPath string) int {
	body, err := os.ReadFile(reqPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 9
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 9
	}
	if keep := os.Getenv("EXTERNAL_KEEP_REQUEST"); keep != "" {
		os.WriteFile(keep, body, 0o644)
	}
	answer := req["answer"].(map[string]any)
	part := func(name string) (map[string]any, int) {
		p, _ := req[name].(map[string]any)
		if p == nil {
			return nil, 0
		}
		return p, int(p["rows"].(float64))
	}
	cols := len(req["columns"].([]any))
	format := req["format"].(string)
	readX := func(p map[string]any, rows int) []float64 {
		if format == FormatParquet {
			f, _ := os.Open(p["x"].(string))
			defer f.Close()
			st, _ := f.Stat()
			_, columns, _, err := datasets.ReadColumns(f, st.Size(), "x", rows, cols)
			if err != nil {
				panic(err)
			}
			x := make([]float64, rows*cols)
			for j, c := range columns {
				for i, v := range c {
					x[i*cols+j] = v
				}
			}
			return x
		}
		var m mat.Dense
		f, _ := os.Open(p["x"].(string))
		defer f.Close()
		if err := npyio.Read(f, &m); err != nil {
			panic(err)
		}
		return m.RawMatrix().Data
	}
	save := func(key string, v any) {
		path := answer[key].(string)
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		if format == FormatParquet {
			var c datasets.Column
			switch v := v.(type) {
			case []float64:
				c = datasets.Column{Name: key, Float: v}
			case []bool:
				c = datasets.Column{Name: key, Bool: v}
			case []int64:
				c = datasets.Column{Name: key, Int: v}
			}
			if err := datasets.WriteColumns(f, []datasets.Column{c}); err != nil {
				panic(err)
			}
			return
		}
		if err := npyio.Write(f, v); err != nil {
			panic(err)
		}
	}
	for i := range 30 {
		fmt.Fprintf(os.Stderr, "fake: log line %d\n", i)
	}
	switch mode {
	case "exit3":
		fmt.Fprintln(os.Stderr, "fake: giving up")
		return 3
	case "killed":
		// As the kernel's out-of-memory killer would.
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Second)
	case "sleep":
		// A child that would outlive its parent, and the parent: both must be
		// killed at the timeout.
		child, err := os.StartProcess("/bin/sleep", []string{"sleep", "30"}, &os.ProcAttr{})
		if err == nil {
			os.WriteFile(os.Getenv("EXTERNAL_CHILD_PID"), []byte(strconv.Itoa(child.Pid)), 0o644)
		}
		time.Sleep(30 * time.Second)
	case "nothing":
		return 0
	}
	switch req["role"] {
	case RoleDetector:
		test, rows := part("test")
		x := readX(test, rows)
		scores, decision := make([]float64, rows), make([]bool, rows)
		for i := range rows {
			scores[i] = x[i*cols]
			decision[i] = x[i*cols] > 0
		}
		switch mode {
		case "short":
			scores = scores[:rows-1]
		case "nan":
			scores[rows/2] = math.NaN()
		case "decision2":
			ints := make([]int64, rows)
			ints[1] = 2
			save("score", scores)
			save("decision", ints)
			return 0
		case "nodecision":
			save("score", scores)
			return 0
		case "symlink":
			os.Symlink("/dev/zero", answer["score"].(string))
			save("decision", decision)
			return 0
		case "garbage":
			os.WriteFile(answer["score"].(string), []byte("not a numpy file"), 0o644)
			save("decision", decision)
			return 0
		case "complex":
			f, _ := os.Create(answer["score"].(string))
			npyio.Write(f, make([]complex128, rows))
			f.Close()
			save("decision", decision)
			return 0
		}
		save("score", scores)
		save("decision", decision)
		if v, vrows := part("validation"); v != nil {
			vx := readX(v, vrows)
			vs := make([]float64, vrows)
			for i := range vrows {
				vs[i] = vx[i*cols]
			}
			save("validation_score", vs)
		}
	case RoleTyper:
		_, rows := part("test")
		k := len(req["classes"].([]any))
		proba := make([]float64, rows*k)
		for i := range rows {
			proba[i*k+i%k] = 1
		}
		if mode == "probasum" {
			proba[0] = 0.5
		}
		f, _ := os.Create(answer["proba"].(string))
		npyio.Write(f, mat.NewDense(rows, k, proba))
		f.Close()
	case RoleClusterer:
		_, rows := part("train")
		labels := make([]int64, rows)
		for i := range rows {
			labels[i] = int64(i % 3)
			if i%10 == 0 {
				labels[i] = -1
			}
		}
		if mode == "labels" {
			labels[4] = -2
		}
		save("labels", labels)
	}
	return 0
}

// fakeCall returns a call of the fake program in mode, on a small matrix
// whose first feature is positive on every third row.
func fakeCall(t *testing.T, mode, role string) *Call {
	t.Helper()
	t.Setenv("EXTERNAL_FAKE", mode)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	part := func(rows int, labelled bool) *Part {
		p := &Part{Rows: rows, X: make([]float64, rows*2)}
		for i := range rows {
			p.X[2*i] = float64(i%3) - 1.5
			p.X[2*i+1] = float64(i)
		}
		if labelled {
			p.IsAnomaly, p.Types = make([]bool, rows), make([]int, rows)
			for i := range rows {
				p.IsAnomaly[i] = i%3 == 2
				p.Types[i] = i % 3
			}
		}
		return p
	}
	c := &Call{
		Command: []string{exe, "-test.run=^$"}, Dir: t.TempDir(), Work: t.TempDir(), Timeout: time.Minute, Format: FormatNPY,
		Experiment: "e", Trial: "seed=1", Model: "fake", Role: role, Seed: 1<<40 + 7, Threads: 2,
		Params:  []Param{{"alpha", "0.5", "float"}, {"n", "3", "int"}, {"whole", "1", "float"}, {"name", "x", "str"}, {"on", "true", "bool"}},
		Columns: []string{"f0", "f1"}, Classes: []string{"crypto_mining", "lateral_movement", "normal"},
		Train: part(30, role != RoleClusterer),
	}
	if role == RoleDetector {
		c.Validation = part(10, true)
	}
	if role != RoleClusterer {
		c.Test = part(12, false)
	}
	return c
}

// TestRunAnswers: each role's answer, in each format, is read back as the
// fake program wrote it.
func TestRunAnswers(t *testing.T) {
	for _, format := range []string{FormatNPY, FormatParquet} {
		t.Run(format, func(t *testing.T) {
			c := fakeCall(t, "ok", RoleDetector)
			c.Format = format
			ans, err := Run(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 12 {
				if want := float64(i%3) - 1.5; ans.Scores[i] != want || ans.Decision[i] != (want > 0) {
					t.Fatalf("row %d: score %v decision %v, want %v %v", i, ans.Scores[i], ans.Decision[i], want, want > 0)
				}
			}
			if len(ans.ValidationScores) != 10 {
				t.Errorf("%d validation scores, want 10", len(ans.ValidationScores))
			}
			c = fakeCall(t, "ok", RoleClusterer)
			c.Format = format
			ans, err = Run(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if ans.Labels[0] != -1 || ans.Labels[4] != 1 || len(ans.Labels) != 30 {
				t.Errorf("labels %v", ans.Labels)
			}
		})
	}
	c := fakeCall(t, "ok", RoleTyper)
	ans, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Proba) != 36 || ans.Proba[0] != 1 || ans.Proba[3+1] != 1 {
		t.Errorf("proba %v", ans.Proba)
	}
}

// TestRequest: request.json holds what docs/external-models.md says, with
// the same keys as its example, typed params, and the labels of the
// training and validation rows only.
func TestRequest(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "request.json")
	t.Setenv("EXTERNAL_KEEP_REQUEST", keep)
	if _, err := Run(context.Background(), fakeCall(t, "ok", RoleDetector)); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(keep)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../docs/external-models.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, _ := strings.Cut(string(doc), "```json\n")
	example, _, _ = strings.Cut(example, "```")
	var want map[string]any
	if err := json.Unmarshal([]byte(example), &want); err != nil {
		t.Fatalf("the documentation's example request is not JSON: %v", err)
	}
	for _, key := range []string{"", "train", "validation", "test", "answer"} {
		g, w := got, want
		if key != "" {
			g, w = got[key].(map[string]any), want[key].(map[string]any)
		}
		if gk, wk := keysOf(g), keysOf(w); !slices.Equal(gk, wk) {
			t.Errorf("request %s keys %v, the documentation's %v", key, gk, wk)
		}
	}
	if got["protocol"] != Protocol || got["role"] != "detector" || got["threads"] != 2.0 {
		t.Errorf("request %s", body)
	}
	if seed := uint64(1<<40 + 7); got["random_state"] != float64(seed%(1<<31)) {
		t.Errorf("random_state %v, want seed mod 2^31 = %d", got["random_state"], seed%(1<<31))
	}
	var compact bytes.Buffer
	json.Compact(&compact, body)
	if !strings.Contains(compact.String(), `"params":{"alpha":0.5,"n":3,"whole":1.0,"name":"x","on":true}`) {
		t.Errorf("params are not written in order with their types:\n%s", body)
	}
	if _, ok := got["test"].(map[string]any)["is_anomaly"]; ok {
		t.Error("the test rows' labels are handed over")
	}
}

func keysOf(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

// TestRunFailures: every way a program can fail fails the run with the
// model's name, what happened and, where it wrote some, the last lines of
// its standard error; and leaves no working directory behind.
func TestRunFailures(t *testing.T) {
	for _, tc := range []struct {
		name, mode, role string
		edit             func(c *Call)
		want             []string
	}{
		{"missing command", "ok", RoleDetector, func(c *Call) { c.Command = []string{"no-such-model-xyz"} },
			[]string{"external model fake", "no-such-model-xyz not found in PATH", "wrote nothing to standard error"}},
		{"missing script path", "ok", RoleDetector, func(c *Call) { c.Command = []string{"./models/missing.py"} },
			[]string{"cannot run: ./models/missing.py", "no such file or directory"}},
		{"exit status", "exit3", RoleDetector, nil,
			[]string{"exited with status 3", "fake: giving up", "fake: log line 29"}},
		{"killed", "killed", RoleDetector, nil,
			[]string{"was killed by signal killed", "fake: log line 29"}},
		{"short answer", "short", RoleDetector, nil,
			[]string{"answered wrongly: test_score.npy: short answer: 11 rows (shape (11,)), want 12"}},
		{"NaN score", "nan", RoleDetector, nil,
			[]string{"test_score.npy: row 6 is NaN: scores must be finite"}},
		{"decision of 2", "decision2", RoleDetector, nil,
			[]string{"test_decision.npy: row 1 is 2: a decision is 0 (normal) or 1 (anomaly)"}},
		{"no decision", "nodecision", RoleDetector, nil,
			[]string{"test_decision.npy: missing: the program did not write it (a detector that leaves the decision to the harness needs threshold: in the experiment file)"}},
		{"no answer at all", "nothing", RoleDetector, nil,
			[]string{"test_score.npy: missing"}},
		{"not a regular file", "symlink", RoleDetector, nil,
			[]string{"test_score.npy: not a regular file"}},
		{"not a .npy file", "garbage", RoleDetector, nil,
			[]string{"test_score.npy: not a .npy file"}},
		{"complex numbers", "complex", RoleDetector, nil,
			[]string{"test_score.npy: the .npy header", "is not that of a numeric array"}},
		{"probabilities not summing to 1", "probasum", RoleTyper, nil,
			[]string{"test_proba.npy: row 0 sums to 0.5, not 1"}},
		{"label below -1", "labels", RoleClusterer, nil,
			[]string{"labels.npy: row 4 is -2: a cluster label is an integer, -1 for noise"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeCall(t, tc.mode, tc.role)
			if tc.edit != nil {
				tc.edit(c)
			}
			_, err := Run(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T, want *Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "fake: log line 9\n") {
				t.Errorf("more than the last 20 lines of standard error quoted:\n%v", err)
			}
			assertNoWorkDir(t, c.Work)
		})
	}
}

func assertNoWorkDir(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left %s in the trial's directory", e.Name())
	}
}

// TestTimeout: a program past its timeout is killed with every process it
// started, and the error says so.
func TestTimeout(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	t.Setenv("EXTERNAL_CHILD_PID", pidFile)
	c := fakeCall(t, "sleep", RoleDetector)
	c.Timeout = 2 * time.Second
	start := time.Now()
	_, err := Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "did not finish within its timeout of 2s; killed it and every process it started") {
		t.Fatalf("error %v", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Run returned after %v", took)
	}
	body, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the fake did not start its child: %v", err)
	}
	pid, _ := strconv.Atoi(string(body))
	if err := syscall.Kill(pid, 0); err == nil {
		// A zombie is dead too: check its state.
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if fields := strings.Fields(string(stat)); len(fields) > 2 && fields[2] != "Z" {
			t.Errorf("the program's child %d outlived the timeout (state %s)", pid, fields[2])
		}
	}
	assertNoWorkDir(t, c.Work)
}

// TestInterrupt: cancelling the context kills the program and returns the
// context's error.
func TestInterrupt(t *testing.T) {
	t.Setenv("EXTERNAL_CHILD_PID", filepath.Join(t.TempDir(), "pid"))
	c := fakeCall(t, "sleep", RoleDetector)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	_, err := Run(ctx, c)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestStaleWorkDir: a working directory a killed run left is removed by the
// next run of the same model.
func TestStaleWorkDir(t *testing.T) {
	c := fakeCall(t, "ok", RoleDetector)
	stale := filepath.Join(c.Work, ".work-fake.12345.tmp")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(stale, "train_x.npy"), []byte("x"), 0o644)
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	assertNoWorkDir(t, c.Work)
}

// TestDecodeNPY: answers numpy writes in its other types and byte orders
// are read; malformed headers are errors, not panics. The byte strings
// are numpy 1.24's output (np.save of the arrays named).
func TestDecodeNPY(t *testing.T) {
	header := func(descr, shape string) []byte {
		h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
		for (10+len(h)+1)%64 != 0 {
			h += " "
		}
		b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)+1), byte((len(h)+1)>>8))
		return append(append(b, h...), '\n')
	}
	for _, tc := range []struct {
		name       string
		body       []byte
		rows, cols int
		want       []float64
		err        string
	}{
		{"float32", append(header("<f4", "(2,)"), 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0), 2, 1, []float64{1, -2}, ""},
		{"big-endian float64", append(header(">f8", "(1,)"), 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), 1, 1, []float64{1.5}, ""},
		{"float16", append(header("<f2", "(2,)"), 0x00, 0x3c, 0x00, 0xc0), 2, 1, []float64{1, -2}, ""},
		{"bool", append(header("|b1", "(3,)"), 1, 0, 1), 3, 1, []float64{1, 0, 1}, ""},
		{"int8", append(header("|i1", "(2,)"), 0xff, 1), 2, 1, []float64{-1, 1}, ""},
		{"one column", append(header("<i2", "(2, 1)"), 1, 0, 2, 0), 2, 1, []float64{1, 2}, ""},
		{"2-D", append(header("<u1", "(1, 2)"), 3, 4), 1, 2, []float64{3, 4}, ""},
		{"wrong width", append(header("<u1", "(1, 3)"), 3, 4, 5), 1, 2, nil, "shape (1, 3), want (1, 2)"},
		{"too long", append(header("<u1", "(3,)"), 3, 4, 5), 2, 1, nil, "3 rows (shape (3,)), want 2"},
		{"truncated data", append(header("<f8", "(2,)"), 1, 2, 3), 2, 1, nil, "3 bytes of data for shape (2,) of f8, want 16"},
		{"object array", header("|O", "(2,)"), 2, 1, nil, "is not that of a numeric array"},
		{"3-D", header("<f8", "(1, 1, 1)"), 1, 1, nil, "is not that of a numeric array"},
		{"no newline", []byte("\x93NUMPY\x01\x00\x05\x00{'a'}"), 1, 1, nil, "malformed .npy header"},
		{"header beyond the file", []byte("\x93NUMPY\x01\x00\xff\xff{}"), 1, 1, nil, ".npy header of 65535 bytes in a file of 12"},
		{"version 9", []byte("\x93NUMPY\x09\x00\x05\x00{}\n"), 1, 1, nil, ".npy format version 9.0"},
		{"empty", nil, 1, 1, nil, "not a .npy file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := decodeNPY(tc.body, tc.rows, tc.cols)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.values, tc.want) {
				t.Errorf("values %v, want %v", a.values, tc.want)
			}
		})
	}
}

// FuzzDecodeNPY: no input makes the reader panic or allocate beyond the
// file's size.
func FuzzDecodeNPY(f *testing.F) {
	var b strings.Builder
	npyio.Write(&b, []float64{1, 2, 3})
	f.Add([]byte(b.String()), 3, 1)
	b.Reset()
	npyio.Write(&b, mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	f.Add([]byte(b.String()), 2, 2)
	f.Add([]byte("\x93NUMPY\x03\x00\x10\x00\x00\x00{'descr': '<i8',}\n"), 1, 1)
	f.Fuzz(func(t *testing.T, body []byte, rows, cols int) {
		if rows < 0 || cols < 1 || rows > 1<<20 || cols > 64 {
			return
		}
		a, err := decodeNPY(body, rows, cols)
		if err == nil && len(a.values) != rows*cols {
			t.Fatalf("%d values for %d × %d", len(a.values), rows, cols)
		}
	})
}

// BenchmarkHandOver100k measures the protocol's own cost for 100,000 rows
// of 20 features: writing them and the request, and reading back and
// checking a score and a decision per row (the program's answer is
// written beforehand, outside the timer).
func BenchmarkHandOver100k(b *testing.B) {
	for _, format := range []string{FormatNPY, FormatParquet} {
		b.Run(format, func(b *testing.B) {
			const rows, cols = 100000, 20
			c := &Call{Command: []string{"x"}, Format: format, Model: "m", Role: RoleDetector,
				Columns: make([]string, cols), Classes: []string{"a", "normal"},
				Train: &Part{Rows: rows, X: make([]float64, rows*cols), IsAnomaly: make([]bool, rows), Types: make([]int, rows)},
				Test:  &Part{Rows: rows, X: make([]float64, rows*cols)}}
			for j := range cols {
				c.Columns[j] = "f" + strconv.Itoa(j)
			}
			for i := range c.Train.X {
				c.Train.X[i] = float64(i%977) / 977
				c.Test.X[i] = float64(i%613) / 613
			}
			work := b.TempDir()
			req, err := c.writeRequest(work)
			if err != nil {
				b.Fatal(err)
			}
			scores, decision := make([]float64, rows), make([]bool, rows)
			for i := range scores {
				scores[i], decision[i] = float64(i)/rows, i%2 == 0
			}
			writeAnswer := func(key string, v any) {
				f, _ := os.Create(req.Answer[key])
				defer f.Close()
				if format == FormatNPY {
					npyio.Write(f, v)
					return
				}
				col := datasets.Column{Name: key}
				if s, ok := v.([]float64); ok {
					col.Float = s
				} else {
					col.Bool = v.([]bool)
				}
				datasets.WriteColumns(f, []datasets.Column{col})
			}
			writeAnswer("score", scores)
			writeAnswer("decision", decision)
			b.SetBytes(int64(2 * rows * cols * 8))
			for b.Loop() {
				if _, err := c.writeRequest(work); err != nil {
					b.Fatal(err)
				}
				if _, err := c.readAnswer(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteNPY: the files handed over read back with npyio, an
// independent reader, as the values written, and the data starts at a
// multiple of 64 bytes as numpy's own writer places it.
func TestWriteNPY(t *testing.T) {
	dir := t.TempDir()
	x := []float64{1, -2.5, math.Pi, 4, 5, 6}
	if err := writeMatrix(filepath.Join(dir, "x.npy"), x, 3, 2); err != nil {
		t.Fatal(err)
	}
	if err := writeInts(filepath.Join(dir, "y.npy"), []int64{-1, 0, 7}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(dir, "x.npy"))
	defer f.Close()
	var m mat.Dense
	if err := npyio.Read(f, &m); err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 3 || c != 2 || !slices.Equal(m.RawMatrix().Data, x) {
		t.Errorf("npyio reads %v", mat.Formatted(&m))
	}
	g, _ := os.Open(filepath.Join(dir, "y.npy"))
	defer g.Close()
	var y []int64
	if err := npyio.Read(g, &y); err != nil || !slices.Equal(y, []int64{-1, 0, 7}) {
		t.Errorf("npyio reads %v, %v", y, err)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "x.npy"))
	if start := len(body) - 6*8; start%64 != 0 {
		t.Errorf("data starts at byte %d, not a multiple of 64", start)
	}
}

// TestNoDecision: a model that sets a threshold is asked for scores only.
func TestNoDecision(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "request.json")
	t.Setenv("EXTERNAL_KEEP_REQUEST", keep)
	c := fakeCall(t, "nodecision", RoleDetector)
	c.Validation, c.NoDecision = nil, true
	ans, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Decision != nil || len(ans.Scores) != 12 {
		t.Errorf("answer %+v", ans)
	}
	body, _ := os.ReadFile(keep)
	if strings.Contains(string(body), `"decision"`) {
		t.Errorf("the request names a decision file:\n%s", body)
	}
}

// BenchmarkPythonRoundTrip100k runs a numpy program that only loads the
// 100,000 training and test rows of 20 features and answers constant
// scores: the whole protocol as a Python model pays it (the files, the
// process, the interpreter's start and numpy's import, the answer read
// back), less any model. It skips without a python3 that imports numpy.
func BenchmarkPythonRoundTrip100k(b *testing.B) {
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		b.Skip("no python3 with numpy")
	}
	dir := b.TempDir()
	script := filepath.Join(dir, "null_model.py")
	os.WriteFile(script, []byte(`import json, sys
import numpy as np
r = json.load(open(sys.argv[-1]))
np.load(r["train"]["x"]); np.load(r["train"]["is_anomaly"])
n = np.load(r["test"]["x"]).shape[0]
np.save(r["answer"]["score"], np.zeros(n))
np.save(r["answer"]["decision"], np.zeros(n, dtype=bool))
`), 0o644)
	const rows, cols = 100000, 20
	c := &Call{Command: []string{python, script}, Dir: dir, Work: dir, Format: FormatNPY, Model: "null", Role: RoleDetector,
		Columns: make([]string, cols), Classes: []string{"a", "normal"}, Timeout: time.Minute,
		Train: &Part{Rows: rows, X: make([]float64, rows*cols), IsAnomaly: make([]bool, rows), Types: make([]int, rows)},
		Test:  &Part{Rows: rows, X: make([]float64, rows*cols)}}
	for j := range cols {
		c.Columns[j] = "f" + strconv.Itoa(j)
	}
	for b.Loop() {
		if _, err := Run(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRelativeDirs: with the trial's directory and the experiment's given
// relative to the harness's working directory (harness run -out runs), the
// request's paths are absolute, a command with a slash is found relative
// to the experiment's directory, and the program, which runs there, finds
// its data.
func TestRelativeDirs(t *testing.T) {
	c := fakeCall(t, "ok", RoleDetector)
	exe := c.Command[0]
	t.Chdir(t.TempDir())
	os.MkdirAll("exp/bin", 0o755)
	if err := os.Symlink(exe, "exp/bin/fake"); err != nil {
		t.Fatal(err)
	}
	c.Command[0], c.Dir, c.Work = "bin/fake", "exp", "runs/e/trials/seed=1"
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	assertNoWorkDir(t, c.Work)
}
