package features

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/segharness/harness/datasets"
)

// LabelEncoder maps category strings to integer codes as scikit-learn's
// LabelEncoder does: the classes are the distinct values seen at fit, sorted,
// and a value's code is its index among them.
type LabelEncoder struct {
	Classes []string
}

// FitLabelEncoder fits an encoder on the values of c present in rows (all
// rows when rows is nil).
func FitLabelEncoder(c *datasets.Categorical, rows []int) *LabelEncoder {
	present := make([]bool, len(c.Levels))
	if rows == nil {
		for _, code := range c.Codes {
			present[code] = true
		}
	} else {
		for _, i := range rows {
			present[c.Codes[i]] = true
		}
	}
	var classes []string
	for code, ok := range present {
		if ok {
			classes = append(classes, c.Levels[code])
		}
	}
	slices.Sort(classes)
	return &LabelEncoder{Classes: classes}
}

// Encode returns the code of s, or an error naming the known classes.
func (e *LabelEncoder) Encode(s string) (int, error) {
	i, ok := slices.BinarySearch(e.Classes, s)
	if !ok {
		return 0, fmt.Errorf("unknown category %q (fitted classes: %s)", s, strings.Join(e.Classes, ", "))
	}
	return i, nil
}

// levelCodes returns, for each level of c, its code under e (-1 when the
// level is not a class).
func (e *LabelEncoder) levelCodes(c *datasets.Categorical) []int {
	codes := make([]int, len(c.Levels))
	for l, s := range c.Levels {
		if i, err := e.Encode(s); err == nil {
			codes[l] = i
		} else {
			codes[l] = -1
		}
	}
	return codes
}

// Scaler standardises columns as scikit-learn's StandardScaler does:
// z = (x - mean) / scale, where scale is the population standard deviation
// (ddof 0), or 1 for a feature that is constant up to rounding.
type Scaler struct {
	Mean  []float64
	Scale []float64
}

// FitScaler fits a scaler on the rows of m listed in rows (all rows when
// rows is nil).
func FitScaler(m *Matrix, rows []int) *Scaler {
	if rows == nil {
		rows = make([]int, m.N)
		for i := range rows {
			rows[i] = i
		}
	}
	s := &Scaler{Mean: make([]float64, m.D), Scale: make([]float64, m.D)}
	n := float64(len(rows))
	for _, i := range rows {
		for j, v := range m.Row(i) {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	variance := make([]float64, m.D)
	for _, i := range rows {
		for j, v := range m.Row(i) {
			d := v - s.Mean[j]
			variance[j] += d * d
		}
	}
	const eps = 0x1p-52 // float64 machine epsilon
	for j := range variance {
		variance[j] /= n
		// scikit-learn's _is_constant_feature: treat variance within rounding
		// error of the mean as zero.
		bound := n*eps*variance[j] + math.Pow(n*s.Mean[j]*eps, 2)
		if variance[j] <= bound {
			s.Scale[j] = 1
		} else {
			s.Scale[j] = math.Sqrt(variance[j])
		}
	}
	return s
}

// Transform standardises m in place.
func (s *Scaler) Transform(m *Matrix) {
	if m.D != len(s.Mean) {
		panic(fmt.Sprintf("features: scaler fitted on %d columns, matrix has %d", len(s.Mean), m.D))
	}
	for i := range m.N {
		row := m.Row(i)
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Scale[j]
		}
	}
}

// Matrix is a dense row-major matrix of features.
type Matrix struct {
	Names []string  // column names
	N, D  int       // rows, columns
	Data  []float64 // row i is Data[i*D : (i+1)*D]
}

// Row returns row i, aliasing Data.
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.D : (i+1)*m.D : (i+1)*m.D] }

// Column returns a copy of column j.
func (m *Matrix) Column(j int) []float64 {
	out := make([]float64, m.N)
	for i := range out {
		out[i] = m.Data[i*m.D+j]
	}
	return out
}

// Pipeline is the fitted preprocessing of preprocess_for_ml: the feature
// columns, the label encoders of the categorical columns they use, and the
// scaler. It turns flows into the scaled matrix the models see.
type Pipeline struct {
	Columns  []string
	Encoders map[string]*LabelEncoder // by encoded column name
	Scaler   *Scaler
}

// Fit resolves columns (see Resolve), fits the label encoders on every flow
// (as the notebook does: a category's code does not depend on the split) and
// the scaler on the flows listed in scaleRows (nil: all flows).
func Fit(f *datasets.Flows, e *datasets.Engineered, columns []string, scaleRows []int) (*Pipeline, error) {
	cols, err := Resolve(columns)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{Columns: cols, Encoders: map[string]*LabelEncoder{}}
	for _, c := range cols {
		if src, ok := encodedSource[c]; ok {
			p.Encoders[c] = FitLabelEncoder(categorical(f, src), nil)
		}
	}
	raw, err := p.raw(f, e)
	if err != nil {
		return nil, err
	}
	p.Scaler = FitScaler(raw, scaleRows)
	return p, nil
}

// Transform returns the scaled feature matrix of every flow.
func (p *Pipeline) Transform(f *datasets.Flows, e *datasets.Engineered) (*Matrix, error) {
	m, err := p.raw(f, e)
	if err != nil {
		return nil, err
	}
	p.Scaler.Transform(m)
	return m, nil
}

// raw builds the unscaled matrix.
func (p *Pipeline) raw(f *datasets.Flows, e *datasets.Engineered) (*Matrix, error) {
	n, d := f.Len(), len(p.Columns)
	m := &Matrix{Names: slices.Clone(p.Columns), N: n, D: d, Data: make([]float64, n*d)}
	for j, c := range p.Columns {
		if enc, ok := p.Encoders[c]; ok {
			cat := categorical(f, encodedSource[c])
			codes := enc.levelCodes(cat)
			for i, level := range cat.Codes {
				if codes[level] < 0 {
					return nil, fmt.Errorf("features: flow %d: %s: %w", i, encodedSource[c],
						fmt.Errorf("unknown category %q (fitted classes: %s)", cat.Levels[level], strings.Join(enc.Classes, ", ")))
				}
				m.Data[i*d+j] = float64(codes[level])
			}
			continue
		}
		get, ok := numeric(f, e, c)
		if !ok {
			return nil, fmt.Errorf("features: column %q is not a feature", c)
		}
		for i := range n {
			m.Data[i*d+j] = get(i)
		}
	}
	return m, nil
}

func categorical(f *datasets.Flows, col string) *datasets.Categorical {
	switch col {
	case datasets.ColSrcDeviceType:
		return &f.SrcDeviceType
	case datasets.ColDstDeviceType:
		return &f.DstDeviceType
	case datasets.ColProtocol:
		return &f.Protocol
	case datasets.ColSrcDepartment:
		return &f.SrcDepartment
	case datasets.ColDstDepartment:
		return &f.DstDepartment
	}
	panic("features: no categorical column " + col)
}

// numeric returns an accessor for a numeric or boolean column.
func numeric(f *datasets.Flows, e *datasets.Engineered, col string) (func(int) float64, bool) {
	fl := func(s []float64) func(int) float64 { return func(i int) float64 { return s[i] } }
	in := func(s []int64) func(int) float64 { return func(i int) float64 { return float64(s[i]) } }
	bo := func(s []bool) func(int) float64 { return func(i int) float64 { return float64(b2i(s[i])) } }
	switch col {
	case datasets.ColBytesSent:
		return fl(f.BytesSent), true
	case datasets.ColPacketsSent:
		return in(f.PacketsSent), true
	case datasets.ColDuration:
		return fl(f.Duration), true
	case datasets.ColHour:
		return in(f.Hour), true
	case datasets.ColIsBusinessHours:
		return bo(f.IsBusinessHours), true
	case datasets.ColCPUUsage:
		return fl(f.CPUUsage), true
	case datasets.ColPortsContacted:
		return in(f.PortsContacted), true
	case datasets.ColSameDept:
		return bo(f.SameDept), true
	case datasets.ColCrossDept:
		return bo(f.CrossDept), true
	case datasets.ColBytesPerSecond:
		return fl(e.BytesPerSecond), true
	case datasets.ColPacketsPerSecond:
		return fl(e.PacketsPerSecond), true
	case datasets.ColHighCPU:
		return in(e.HighCPU), true
	case datasets.ColLongDuration:
		return in(e.LongDuration), true
	case datasets.ColManyPorts:
		return in(e.ManyPorts), true
	case datasets.ColOffHours:
		return in(e.OffHours), true
	case datasets.ColRiskScore:
		return fl(e.RiskScore), true
	case datasets.ColLogBytes:
		return fl(e.LogBytes), true
	case datasets.ColLogDuration:
		return fl(e.LogDuration), true
	}
	return nil, false
}
