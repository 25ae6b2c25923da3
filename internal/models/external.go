package models

import (
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/segharness/harness/internal/fileio"
)

// KindExternal is any program, run through the segharness-external/1
// protocol (internal/models/external, docs/external-models.md).
const KindExternal = "external"

func init() {
	Register(&Kind{
		Name: KindExternal,
		Doc: "Any program, run through the segharness-external/1 protocol (docs/external-models.md): " +
			"for each trial the harness writes the trial's prepared rows (the feature matrix the built-in " +
			"models see, the training labels, the classes) as .npy or Parquet files with a request.json, " +
			"runs command with the request's path appended, and reads back a score and decision per test " +
			"row (a detector), a probability per class (a typer) or a cluster per row (a clusterer). " +
			"The answer is checked (shape, finite values, probabilities, labels) and then measured like a " +
			"built-in model's. A failure (the command not found, a non-zero exit, a signal, the timeout, a " +
			"missing or malformed answer) fails the trial, naming the model, what happened and the last " +
			"lines of the program's standard error. Reference adapters for scikit-learn, XGBoost and a " +
			"PyTorch autoencoder are in adapters/.",
		Params: []Param{
			{Key: "role", Type: Enum, Default: "detector", Values: []string{string(Detector), string(Typer), string(Clusterer)},
				Doc: "what the program answers: a detector a score and decision per test flow, a typer a probability per attack type, a clusterer a cluster per flow."},
			{Key: "command", Type: Strings, Required: true, MinLen: 1,
				Doc: "the program and its arguments, run without a shell in the experiment file's directory, with the path of request.json appended; the first entry is looked up in PATH unless it contains a slash (then it is a path relative to the experiment file's directory)."},
			{Key: "files", Type: Strings, Files: true,
				Doc: "more files and directories the program's answers depend on (its modules, a checkpoint), relative to the experiment file's directory: their digests join each trial's key, as do those of the command's entries that name files, so that editing one reruns the trials."},
			{Key: "timeout", Type: Duration, Default: "1h", MinDuration: time.Second, MaxDuration: 7 * Day,
				Doc: "how long one run of the program may take; past it, it and every process it started are killed and the trial fails."},
			{Key: "format", Type: Enum, Default: "npy", Values: []string{"npy", "parquet"}, // external.FormatNPY, FormatParquet (internal/models/kinds checks)
				Doc: "the format of the data and answer files: npy (numpy reads it alone) or parquet."},
			{Key: "threshold", Type: Float, Word: "none", Default: "none", Min: -math.MaxFloat64, Max: math.MaxFloat64,
				Doc: "a detector's decision rule instead of the program's: a flow is flagged when its score is at least the threshold, and the request asks for scores only; none: the program decides."},
			{Key: "params", Type: Mapping,
				Doc: "parameters handed to the program as they are, in request.json's params (an estimator's import path and its settings, say); each entry can be swept."},
			SilhouetteSampleParam,
		},
		Roles:  []Role{Detector, Typer, Clusterer},
		RoleOf: func(v Values) Role { return Role(v.Text("role")) },
		Check: func(v Values) []Problem {
			if v.Text("threshold") != "none" && v.Text("role") != string(Detector) {
				return []Problem{{Key: "threshold", Msg: "a threshold decides a detector's flows; this model's role is " + v.Text("role")}}
			}
			return nil
		},
		Inputs: externalInputs,
	})
}

// externalInputs lists the files an external model's answers depend on:
// the command when it is a path, the command's arguments that name
// existing files, and files.
func externalInputs(v Values, dir string) []string {
	var out []string
	add := func(p string) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	for i, arg := range v.Strings("command") {
		full := arg
		if !filepath.IsAbs(full) {
			full = filepath.Join(dir, full)
		}
		if i == 0 && !strings.Contains(arg, "/") {
			continue // looked up in PATH: an interpreter or tool, not hashed
		}
		// Only a regular file is hashed: a FIFO or device among the
		// arguments is the command's business, and hashing it would
		// block or never end.
		if _, err := fileio.Stat(full); err == nil {
			add(arg)
		}
	}
	for _, f := range v.Strings("files") {
		add(f)
	}
	return out
}
