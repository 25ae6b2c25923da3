// Package external runs a model outside the harness through the
// segharness-external/1 protocol (docs/external-models.md): it writes a
// trial's rows and request.json into a working directory, runs the
// model's command (an argument list, no shell) with a timeout, and reads
// and checks its answers. Nothing in an answer is trusted beyond what the
// checks allow: its files must be regular files of the size their format
// explains, of the right shape, with finite numbers, decisions of 0 or 1,
// probabilities in [0, 1] summing to 1, labels of at least -1.
package external

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Protocol names the protocol's version, in every request.
const Protocol = "segharness-external/1"

// Formats of the data and answer files.
const (
	FormatNPY     = "npy"
	FormatParquet = "parquet"
)

// Roles, as the request names them.
const (
	RoleDetector  = "detector"
	RoleTyper     = "typer"
	RoleClusterer = "clusterer"
)

// Part is a set of rows handed to the program: their features, row-major,
// and, for rows it may learn from, their labels (nil for test rows and a
// clusterer's).
type Part struct {
	X         []float64
	Rows      int
	IsAnomaly []bool
	Types     []int
}

// Param is one entry of the model's params mapping, with its type: int,
// float, bool or str.
type Param struct {
	Key, Text, Tag string
}

// Call is one run of an external model.
type Call struct {
	Command []string      // the argument list; the request's path is appended
	Dir     string        // the experiment file's directory: the command runs there
	Work    string        // the directory the working directory is made in (the trial's)
	Timeout time.Duration // 0: none
	Format  string        // FormatNPY or FormatParquet

	Experiment, Trial, Model, Role string
	Seed                           uint64
	Threads                        int
	Params                         []Param
	Columns, Classes               []string
	Train, Validation, Test        *Part

	// NoDecision asks a detector for scores only: the model sets a
	// threshold, and the request names no decision file.
	NoDecision bool
}

// Answer is what the program answered, checked.
type Answer struct {
	Scores           []float64 // detector: per test row
	Decision         []bool    // detector: per test row; nil with NoDecision
	ValidationScores []float64 // detector: per validation row, with a validation part
	Proba            []float64 // typer: per test row and class, row-major
	Labels           []int     // clusterer: per train row
}

// Run runs the call and returns its checked answer. Its error names the
// model and what happened: the command not found or not started, its exit
// status or signal, the timeout, or the first problem of its answer, with
// the last lines of its standard error. On cancellation of ctx the
// program is killed and ctx's error returned, wrapped.
func Run(ctx context.Context, c *Call) (*Answer, error) {
	if err := c.check(); err != nil {
		panic("external: " + err.Error())
	}
	work, cleanup, err := workDir(c.Work, c.Model)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	req, err := c.writeRequest(work)
	if err != nil {
		return nil, err
	}
	reqPath := filepath.Join(work, "request.json")
	stderr, err := c.exec(ctx, reqPath)
	if err != nil {
		return nil, err
	}
	ans, err := c.readAnswer(req)
	if err != nil {
		return nil, &Error{Model: c.Model, Command: c.Command, What: "answered wrongly: " + err.Error(), Stderr: stderr}
	}
	return ans, nil
}

func (c *Call) check() error {
	switch {
	case len(c.Command) == 0:
		return errors.New("no command")
	case c.Format != FormatNPY && c.Format != FormatParquet:
		return fmt.Errorf("format %q", c.Format)
	case c.Train == nil || c.Train.Rows < 1:
		return errors.New("no training rows")
	case c.Role == RoleClusterer && (c.Test != nil || c.Validation != nil):
		return errors.New("a clusterer answers for its training rows only")
	case c.Role != RoleClusterer && c.Test == nil:
		return errors.New("no test rows")
	case c.Role != RoleDetector && c.Validation != nil:
		return errors.New("validation rows are a detector's")
	case c.Role != RoleDetector && c.Role != RoleTyper && c.Role != RoleClusterer:
		return fmt.Errorf("role %q", c.Role)
	}
	for _, p := range []*Part{c.Train, c.Validation, c.Test} {
		if p != nil && len(p.X) != p.Rows*len(c.Columns) {
			return fmt.Errorf("%d values for %d rows of %d columns", len(p.X), p.Rows, len(c.Columns))
		}
	}
	return nil
}

// Error is a failed run of an external model.
type Error struct {
	Model   string
	Command []string
	What    string   // what happened: "exited with status 3 after 1.2s", ...
	Stderr  []string // the last lines of its standard error
	Err     error    // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "external model %s (%s) %s", e.Model, quoteCommand(e.Command), e.What)
	if len(e.Stderr) == 0 {
		b.WriteString("; it wrote nothing to standard error")
		return b.String()
	}
	b.WriteString("; the last lines of its standard error:")
	for _, l := range e.Stderr {
		b.WriteString("\n    ")
		b.WriteString(l)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// quoteCommand writes an argument list as a shell would read it back.
func quoteCommand(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
			a = strconv.Quote(a)
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// workDir makes a fresh working directory for model in parent, after
// removing any a killed run left there. cleanup removes it atomically: it
// is renamed out of sight, then removed.
func workDir(parent, model string) (dir string, cleanup func(), err error) {
	// Absolute: the request's paths are, and the command runs elsewhere.
	if parent, err = filepath.Abs(parent); err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", nil, err
	}
	stale, _ := filepath.Glob(filepath.Join(parent, ".work-"+model+".*.tmp"))
	for _, s := range stale {
		if err := os.RemoveAll(s); err != nil {
			return "", nil, err
		}
	}
	dir, err = os.MkdirTemp(parent, ".work-"+model+".*.tmp")
	if err != nil {
		return "", nil, err
	}
	return dir, func() {
		gone := filepath.Join(parent, ".gone-"+filepath.Base(dir))
		if os.Rename(dir, gone) == nil {
			os.RemoveAll(gone)
		} else {
			os.RemoveAll(dir)
		}
	}, nil
}

// request is request.json.
type request struct {
	Protocol    string            `json:"protocol"`
	Experiment  string            `json:"experiment"`
	Trial       string            `json:"trial"`
	Model       string            `json:"model"`
	Role        string            `json:"role"`
	Seed        uint64            `json:"seed"`
	RandomState uint64            `json:"random_state"`
	Threads     int               `json:"threads"`
	Params      json.RawMessage   `json:"params"`
	Format      string            `json:"format"`
	Columns     []string          `json:"columns"`
	Classes     []string          `json:"classes"`
	Train       *partFiles        `json:"train"`
	Validation  *partFiles        `json:"validation,omitempty"`
	Test        *partFiles        `json:"test,omitempty"`
	Answer      map[string]string `json:"answer"`
}

type partFiles struct {
	Rows        int    `json:"rows"`
	X           string `json:"x"`
	IsAnomaly   string `json:"is_anomaly,omitempty"`
	AnomalyType string `json:"anomaly_type,omitempty"`
}

// writeRequest writes the parts and request.json into work.
func (c *Call) writeRequest(work string) (*request, error) {
	ext := "." + c.Format
	params, err := paramsJSON(c.Params)
	if err != nil {
		return nil, err
	}
	req := &request{
		Protocol: Protocol, Experiment: c.Experiment, Trial: c.Trial, Model: c.Model, Role: c.Role,
		Seed: c.Seed, RandomState: c.Seed % (1 << 31), Threads: max(1, c.Threads), Params: params, Format: c.Format,
		Columns: c.Columns, Classes: c.Classes, Answer: map[string]string{},
	}
	write := func(name string, p *Part) (*partFiles, error) {
		if p == nil {
			return nil, nil
		}
		f := &partFiles{Rows: p.Rows, X: filepath.Join(work, name+"_x"+ext)}
		if err := c.writeMatrix(f.X, p.X, p.Rows); err != nil {
			return nil, err
		}
		if p.IsAnomaly != nil {
			labels, types := make([]int64, p.Rows), make([]int64, p.Rows)
			for i := range labels {
				if p.IsAnomaly[i] {
					labels[i] = 1
				}
				types[i] = int64(p.Types[i])
			}
			f.IsAnomaly, f.AnomalyType = filepath.Join(work, name+"_is_anomaly"+ext), filepath.Join(work, name+"_anomaly_type"+ext)
			if err := c.writeInts(f.IsAnomaly, "is_anomaly", labels); err != nil {
				return nil, err
			}
			if err := c.writeInts(f.AnomalyType, "anomaly_type", types); err != nil {
				return nil, err
			}
		}
		return f, nil
	}
	if req.Train, err = write("train", c.Train); err != nil {
		return nil, err
	}
	if req.Validation, err = write("validation", c.Validation); err != nil {
		return nil, err
	}
	if req.Test, err = write("test", c.Test); err != nil {
		return nil, err
	}
	switch c.Role {
	case RoleDetector:
		req.Answer["score"] = filepath.Join(work, "test_score"+ext)
		if !c.NoDecision {
			req.Answer["decision"] = filepath.Join(work, "test_decision"+ext)
		}
		if c.Validation != nil {
			req.Answer["validation_score"] = filepath.Join(work, "validation_score"+ext)
		}
	case RoleTyper:
		req.Answer["proba"] = filepath.Join(work, "test_proba"+ext)
	case RoleClusterer:
		req.Answer["labels"] = filepath.Join(work, "labels"+ext)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(req); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "request.json"), body.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return req, nil
}

// paramsJSON writes the params mapping as a JSON object in the file's
// order, each value with its type: a float keeps a decimal point, so that
// 1.0 stays a float in Python.
func paramsJSON(params []Param) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		key, _ := json.Marshal(p.Key)
		b.Write(key)
		b.WriteString(": ")
		switch p.Tag {
		case "int", "bool":
			b.WriteString(p.Text)
		case "float":
			f, err := strconv.ParseFloat(p.Text, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("param %s: %q is not a finite number", p.Key, p.Text)
			}
			text := strconv.FormatFloat(f, 'g', -1, 64)
			if !strings.ContainsAny(text, ".e") {
				text += ".0"
			}
			b.WriteString(text)
		default:
			s, _ := json.Marshal(p.Text)
			b.Write(s)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
