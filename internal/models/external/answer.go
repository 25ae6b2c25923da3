package external

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/fileio"
)

// writeMatrix writes a part's features in the call's format.
func (c *Call) writeMatrix(path string, x []float64, rows int) error {
	if c.Format == FormatNPY {
		return writeMatrix(path, x, rows, len(c.Columns))
	}
	d := len(c.Columns)
	cols := make([]datasets.Column, d)
	for j, name := range c.Columns {
		cols[j] = datasets.Column{Name: name, Float: make([]float64, rows)}
		for i := range rows {
			cols[j].Float[i] = x[i*d+j]
		}
	}
	return writeFile(path, func(w io.Writer) error { return datasets.WriteColumns(w, cols) })
}

// writeInts writes one integer column in the call's format.
func (c *Call) writeInts(path, name string, v []int64) error {
	if c.Format == FormatNPY {
		return writeInts(path, v)
	}
	return writeFile(path, func(w io.Writer) error {
		return datasets.WriteColumns(w, []datasets.Column{{Name: name, Int: v}})
	})
}

// readArray reads an answer of rows × cols values in the call's format.
func (c *Call) readArray(path string, rows, cols int) ([]float64, error) {
	var values []float64
	var err error
	if c.Format == FormatNPY {
		var a *npyArray
		if a, err = readNPY(path, rows, cols); err == nil {
			values = a.values
		}
	} else {
		values, err = readParquet(path, rows, cols)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: missing: the program did not write it", filepath.Base(path))
		}
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return values, nil
}

// readParquet reads a Parquet answer: one column (cols 1) or one column
// per class, rows rows, into row-major values.
func readParquet(path string, rows, cols int) ([]float64, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	// Parquet stores at most about 8 bytes a value, plus its framing.
	if limit := int64(1<<20) + int64(rows)*int64(cols)*16; st.Size() > limit {
		return nil, fmt.Errorf("%d bytes, more than %d rows of %d values can take", st.Size(), rows, cols)
	}
	f, info, err := fileio.Open(path) // again: the program may have swapped it for a FIFO
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() != st.Size() {
		return nil, fmt.Errorf("changed while it was read (%d bytes, then %d)", st.Size(), info.Size())
	}
	names, columns, n, err := datasets.ReadColumns(f, st.Size(), filepath.Base(path), rows, cols)
	if err != nil {
		return nil, err
	}
	if len(columns) != cols {
		return nil, fmt.Errorf("%d columns %v, want %d", len(columns), names, cols)
	}
	if n != rows {
		if n < rows {
			return nil, fmt.Errorf("short answer: %d rows, want %d", n, rows)
		}
		return nil, fmt.Errorf("%d rows, want %d", n, rows)
	}
	values := make([]float64, rows*cols)
	for j, col := range columns {
		for i, v := range col {
			values[i*cols+j] = v
		}
	}
	return values, nil
}

// readAnswer reads and checks the answer files the request named.
func (c *Call) readAnswer(req *request) (*Answer, error) {
	ans := &Answer{}
	var err error
	switch c.Role {
	case RoleDetector:
		if ans.Scores, err = c.readScores(req.Answer["score"], c.Test.Rows); err != nil {
			return nil, err
		}
		if !c.NoDecision {
			if ans.Decision, err = c.readDecision(req.Answer["decision"], c.Test.Rows); err != nil {
				if _, statErr := os.Lstat(req.Answer["decision"]); errors.Is(statErr, os.ErrNotExist) {
					err = fmt.Errorf("%w (a detector that leaves the decision to the harness needs threshold: in the experiment file)", err)
				}
				return nil, err
			}
		}
		if c.Validation != nil {
			if ans.ValidationScores, err = c.readScores(req.Answer["validation_score"], c.Validation.Rows); err != nil {
				return nil, err
			}
		}
	case RoleTyper:
		if ans.Proba, err = c.readProba(req.Answer["proba"], c.Test.Rows); err != nil {
			return nil, err
		}
	case RoleClusterer:
		if ans.Labels, err = c.readLabels(req.Answer["labels"], c.Train.Rows); err != nil {
			return nil, err
		}
	}
	return ans, nil
}

func (c *Call) readScores(path string, rows int) ([]float64, error) {
	v, err := c.readArray(path, rows, 1)
	if err != nil {
		return nil, err
	}
	for i, s := range v {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%s: row %d is %v: scores must be finite", filepath.Base(path), i, s)
		}
	}
	return v, nil
}

func (c *Call) readDecision(path string, rows int) ([]bool, error) {
	v, err := c.readArray(path, rows, 1)
	if err != nil {
		return nil, err
	}
	d := make([]bool, rows)
	for i, x := range v {
		switch x {
		case 0:
		case 1:
			d[i] = true
		default:
			return nil, fmt.Errorf("%s: row %d is %v: a decision is 0 (normal) or 1 (anomaly)", filepath.Base(path), i, x)
		}
	}
	return d, nil
}

// probaTolerance bounds how far a row of probabilities may sum from 1.
const probaTolerance = 1e-6

func (c *Call) readProba(path string, rows int) ([]float64, error) {
	k := len(c.Classes)
	v, err := c.readArray(path, rows, k)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		sum := 0.0
		for j, p := range v[i*k : (i+1)*k] {
			if !(p >= 0 && p <= 1) {
				return nil, fmt.Errorf("%s: row %d, class %s is %v: probabilities are in [0, 1]", filepath.Base(path), i, c.Classes[j], p)
			}
			sum += p
		}
		if math.Abs(sum-1) > probaTolerance {
			return nil, fmt.Errorf("%s: row %d sums to %v, not 1 (within %g)", filepath.Base(path), i, sum, probaTolerance)
		}
	}
	return v, nil
}

func (c *Call) readLabels(path string, rows int) ([]int, error) {
	v, err := c.readArray(path, rows, 1)
	if err != nil {
		return nil, err
	}
	labels := make([]int, rows)
	for i, x := range v {
		if x != math.Trunc(x) || x < -1 || x > math.MaxInt32 {
			return nil, fmt.Errorf("%s: row %d is %v: a cluster label is an integer, -1 for noise", filepath.Base(path), i, x)
		}
		labels[i] = int(x)
	}
	return labels, nil
}
