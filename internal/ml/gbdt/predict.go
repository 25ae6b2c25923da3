package gbdt

import (
	"fmt"
	"math"
)

// leaf returns the value of the leaf row falls in.
func (t *tree) leaf(row []float64) float64 {
	nodes := t.nodes
	j := int32(0)
	for {
		nd := &nodes[j]
		if nd.feature < 0 {
			return nd.value
		}
		v := row[nd.feature]
		switch {
		case v <= nd.threshold:
			j = nd.left
		case v != v: // NaN
			if nd.missingLeft {
				j = nd.left
			} else {
				j = nd.right
			}
		default:
			j = nd.right
		}
	}
}

// PredictProba writes the class probabilities of row (Features() values)
// into out (Classes() values), as predict_proba: the sigmoid of the raw
// prediction for two classes, else its softmax. It does not allocate.
// NaN values take the side learnt for missing values in training, or the
// right one when training had none.
func (m *Model) PredictProba(row, out []float64) {
	if len(row) != m.d {
		panic(fmt.Sprintf("gbdt: row of %d values for %d features", len(row), m.d))
	}
	if len(out) != m.classes {
		panic(fmt.Sprintf("gbdt: out of %d values for %d classes", len(out), m.classes))
	}
	m.predictRow(row, out)
}

func (m *Model) predictRow(row, out []float64) {
	if m.k == 1 {
		raw := m.baseline[0]
		for i := range m.trees {
			raw += m.trees[i].leaf(row)
		}
		p := 1 / (1 + math.Exp(-raw)) // scipy's expit
		out[1] = p
		out[0] = 1 - p
		return
	}
	k := m.k
	copy(out, m.baseline)
	for i := range m.trees {
		out[i%k] += m.trees[i].leaf(row)
	}
	mx := out[0]
	for _, v := range out[1:] {
		mx = max(mx, v)
	}
	var s float64
	for c := range out {
		out[c] = math.Exp(out[c] - mx)
		s += out[c]
	}
	for c := range out {
		out[c] /= s
	}
}

// PredictProbaAll returns the class probabilities of every row of x
// (row-major, len(x) a multiple of Features()) as n*Classes() values, row
// after row, scoring rows on workers goroutines (< 1: one).
func (m *Model) PredictProbaAll(x []float64, workers int) []float64 {
	if len(x)%m.d != 0 {
		panic(fmt.Sprintf("gbdt: %d values are not rows of %d features", len(x), m.d))
	}
	n := len(x) / m.d
	out := make([]float64, n*m.classes)
	if workers < 1 {
		workers = 1
	}
	if n < 256 {
		workers = 1
	}
	parallel(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.predictRow(x[i*m.d:(i+1)*m.d], out[i*m.classes:(i+1)*m.classes])
		}
	})
	return out
}
