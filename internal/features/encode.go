package features

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/flow"
)

// LabelEncoder maps category strings to integer codes as scikit-learn's
// LabelEncoder does: the classes are the distinct values seen at fit, sorted,
// and a value's code is its index among them.
type LabelEncoder struct {
	Classes []string
}

// FitLabelEncoder fits an encoder on the values of c present in rows (all
// rows when rows is nil).
func FitLabelEncoder(c *flow.Categorical, rows []int) *LabelEncoder {
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
func (e *LabelEncoder) levelCodes(c *flow.Categorical) []int {
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
		s.scale(m.Row(i))
	}
}

// TransformRow standardises one row in place with the operations Transform
// applies to every row of a matrix. It panics unless len(row) ==
// len(s.Mean).
func (s *Scaler) TransformRow(row []float64) {
	if len(row) != len(s.Mean) {
		panic(fmt.Sprintf("features: scaler fitted on %d columns, row has %d", len(s.Mean), len(row)))
	}
	s.scale(row)
}

// scale standardises one row; len(row) == len(s.Mean).
func (s *Scaler) scale(row []float64) {
	mean, scale := s.Mean[:len(row)], s.Scale[:len(row)]
	for j := range row {
		row[j] = (row[j] - mean[j]) / scale[j]
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
//
// A Pipeline must not be modified once it has transformed a row:
// TransformRow caches how each column is read.
type Pipeline struct {
	Columns  []string
	Encoders map[string]*LabelEncoder // by encoded column name
	Scaler   *Scaler

	plan atomic.Pointer[rowPlan] // TransformRow's, built on first use
}

// NewPipeline assembles a fitted pipeline from its parts, as read back from
// a file, and checks that they fit together: the columns resolve (see
// Resolve), every encoded column has an encoder whose classes are sorted,
// distinct and not empty, no other column has one, and the scaler has a
// finite mean and a finite positive scale for every column. The parts are
// kept, not copied.
func NewPipeline(columns []string, encoders map[string]*LabelEncoder, scaler *Scaler) (*Pipeline, error) {
	cols, err := featureset.Resolve(columns)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if _, ok := featureset.EncodedSource[c]; !ok {
			continue
		}
		enc := encoders[c]
		switch {
		case enc == nil:
			return nil, fmt.Errorf("features: no label encoder for column %s", c)
		case len(enc.Classes) == 0:
			return nil, fmt.Errorf("features: label encoder of %s has no classes", c)
		}
		for k := 1; k < len(enc.Classes); k++ {
			if enc.Classes[k-1] >= enc.Classes[k] {
				return nil, fmt.Errorf("features: label encoder of %s: classes %q and %q are not sorted and distinct",
					c, enc.Classes[k-1], enc.Classes[k])
			}
		}
	}
	for c := range encoders {
		if _, ok := featureset.EncodedSource[c]; !ok || !slices.Contains(cols, c) {
			return nil, fmt.Errorf("features: label encoder for %q, which is not an encoded column of the pipeline", c)
		}
	}
	switch {
	case scaler == nil:
		return nil, errors.New("features: no scaler")
	case len(scaler.Mean) != len(cols) || len(scaler.Scale) != len(cols):
		return nil, fmt.Errorf("features: scaler has %d means and %d scales for %d columns", len(scaler.Mean), len(scaler.Scale), len(cols))
	}
	for j, c := range cols {
		if m, s := scaler.Mean[j], scaler.Scale[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 1) {
			return nil, fmt.Errorf("features: scaler of %s: mean %v, scale %v (want finite, scale > 0)", c, m, s)
		}
	}
	p := &Pipeline{Columns: columns, Encoders: encoders, Scaler: scaler}
	if _, err := p.rowPlan(); err != nil {
		return nil, err
	}
	return p, nil
}

// Fit resolves columns (see Resolve), fits the label encoders on every flow
// (as the notebook does: a category's code does not depend on the split) and
// the scaler on the flows listed in scaleRows (nil: all flows).
//
// A feature value the models cannot take, NaN, infinite or beyond
// ±MaxValue (a log of a negative number, a finite value that overflows
// float32), is a *NotFiniteError naming its column and first rows (see
// CheckFinite), whether or not the row is one the scaler is fitted on.
func Fit(f *flow.Table, e *datasets.Engineered, columns []string, scaleRows []int) (*Pipeline, error) {
	cols, err := featureset.Resolve(columns)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{Columns: cols, Encoders: map[string]*LabelEncoder{}}
	for _, c := range cols {
		if src, ok := featureset.EncodedSource[c]; ok {
			p.Encoders[c] = FitLabelEncoder(categorical(f, src), nil)
		}
	}
	raw, err := p.raw(f, e)
	if err != nil {
		return nil, err
	}
	if err := CheckFinite(raw, nil); err != nil {
		return nil, err
	}
	p.Scaler = FitScaler(raw, scaleRows)
	return p, nil
}

// Transform returns the scaled feature matrix of every flow. A value the
// models cannot take, before or after scaling, is a *NotFiniteError (see
// Fit, CheckScaled).
func (p *Pipeline) Transform(f *flow.Table, e *datasets.Engineered) (*Matrix, error) {
	m, err := p.raw(f, e)
	if err != nil {
		return nil, err
	}
	if err := CheckFinite(m, nil); err != nil {
		return nil, err
	}
	p.Scaler.Transform(m)
	if err := CheckScaled(m, p.Scaler, nil); err != nil {
		return nil, err
	}
	return m, nil
}

// TransformRow writes the scaled features of one flow into out, which must
// hold len(p.Columns) values: the same values, bit for bit, as the flow's
// row of Transform, because it runs the same code (EngineerRow is
// Engineer's per-row step, Scaler.TransformRow is Transform's). A category
// the encoders were not fitted on is an *UnknownCategoryError naming its
// column and the fitted classes. same_dept and cross_dept, when the flow
// does not give them, are derived from the departments (flow.Flow.Depts).
// It does not allocate, except for an error.
//
// It panics if len(out) != len(p.Columns).
func (p *Pipeline) TransformRow(r *flow.Flow, out []float64) error {
	plan, err := p.rowPlan()
	if err != nil {
		return err
	}
	if len(out) != len(plan.columns) {
		panic(fmt.Sprintf("features: row of %d values for %d columns", len(out), len(plan.columns)))
	}
	var e EngineeredRow
	if plan.engineered {
		e = EngineerRow(r)
	}
	for j, c := range plan.columns {
		if c.encoder == nil {
			out[j] = c.source.value(r, &e)
			continue
		}
		s := c.source.category(r)
		code, err := c.encoder.Encode(s)
		if err != nil {
			return &UnknownCategoryError{Column: featureset.EncodedSource[p.Columns[j]], Value: s, Classes: c.encoder.Classes}
		}
		out[j] = float64(code)
	}
	p.Scaler.TransformRow(out)
	return nil
}

// UnknownCategoryError is TransformRow's error for a category that the
// column's label encoder was not fitted on.
type UnknownCategoryError struct {
	Column  string   // the categorical column, such as "protocol"
	Value   string   // the category
	Classes []string // the encoder's fitted classes
}

func (e *UnknownCategoryError) Error() string {
	return fmt.Sprintf("features: %s: unknown category %q (fitted classes: %s)", e.Column, e.Value, strings.Join(e.Classes, ", "))
}

// rowPlan is how TransformRow reads each column from a flow.Flow.
type rowPlan struct {
	columns    []planColumn
	engineered bool // some column is an engineered feature
}

type planColumn struct {
	source  rowSource
	encoder *LabelEncoder // nil for a numeric column
}

// rowPlan returns the pipeline's plan, building it on first use.
func (p *Pipeline) rowPlan() (*rowPlan, error) {
	if plan := p.plan.Load(); plan != nil {
		return plan, nil
	}
	plan := &rowPlan{columns: make([]planColumn, len(p.Columns))}
	for j, c := range p.Columns {
		src, ok := rowSources[c]
		enc, encoded := p.Encoders[c]
		switch {
		case encoded && enc != nil:
			src, ok = rowSources[featureset.EncodedSource[c]], featureset.EncodedSource[c] != ""
			plan.columns[j] = planColumn{source: src, encoder: enc}
		case ok && src < fromSrcDeviceType:
			plan.columns[j] = planColumn{source: src}
			plan.engineered = plan.engineered || src >= fromBytesPerSecond
		default:
			ok = false
		}
		if !ok {
			return nil, fmt.Errorf("features: column %q is not a feature", c)
		}
	}
	if p.Scaler == nil || len(p.Scaler.Mean) != len(p.Columns) || len(p.Scaler.Scale) != len(p.Columns) {
		return nil, fmt.Errorf("features: the scaler does not match the %d columns", len(p.Columns))
	}
	p.plan.Store(plan)
	return plan, nil
}

// rowSource is where a column's value comes from in a flow.Flow: a numeric or
// boolean flow column, an engineered feature, or (from fromSrcDeviceType
// on) a categorical column.
type rowSource uint8

const (
	fromBytesSent rowSource = iota
	fromPacketsSent
	fromDuration
	fromHour
	fromIsBusinessHours
	fromCPUUsage
	fromPortsContacted
	fromSameDept
	fromCrossDept
	fromBytesPerSecond
	fromPacketsPerSecond
	fromHighCPU
	fromLongDuration
	fromManyPorts
	fromOffHours
	fromRiskScore
	fromLogBytes
	fromLogDuration
	fromSrcDeviceType
	fromDstDeviceType
	fromProtocol
	fromSrcDepartment
	fromDstDepartment
)

var rowSources = map[string]rowSource{
	flow.ColBytesSent:        fromBytesSent,
	flow.ColPacketsSent:      fromPacketsSent,
	flow.ColDuration:         fromDuration,
	flow.ColHour:             fromHour,
	flow.ColIsBusinessHours:  fromIsBusinessHours,
	flow.ColCPUUsage:         fromCPUUsage,
	flow.ColPortsContacted:   fromPortsContacted,
	flow.ColSameDept:         fromSameDept,
	flow.ColCrossDept:        fromCrossDept,
	flow.ColBytesPerSecond:   fromBytesPerSecond,
	flow.ColPacketsPerSecond: fromPacketsPerSecond,
	flow.ColHighCPU:          fromHighCPU,
	flow.ColLongDuration:     fromLongDuration,
	flow.ColManyPorts:        fromManyPorts,
	flow.ColOffHours:         fromOffHours,
	flow.ColRiskScore:        fromRiskScore,
	flow.ColLogBytes:         fromLogBytes,
	flow.ColLogDuration:      fromLogDuration,
	flow.ColSrcDeviceType:    fromSrcDeviceType,
	flow.ColDstDeviceType:    fromDstDeviceType,
	flow.ColProtocol:         fromProtocol,
	flow.ColSrcDepartment:    fromSrcDepartment,
	flow.ColDstDepartment:    fromDstDepartment,
}

// value returns a numeric source's value as numeric's accessors convert it
// for the matrix.
func (s rowSource) value(r *flow.Flow, e *EngineeredRow) float64 {
	switch s {
	case fromBytesSent:
		return r.BytesSent
	case fromPacketsSent:
		return float64(r.PacketsSent)
	case fromDuration:
		return r.Duration
	case fromHour:
		return float64(r.Hour)
	case fromIsBusinessHours:
		return float64(b2i(r.IsBusinessHours))
	case fromCPUUsage:
		return r.CPUUsage
	case fromPortsContacted:
		return float64(r.PortsContacted)
	case fromSameDept:
		same, _ := r.Depts()
		return float64(b2i(same))
	case fromCrossDept:
		_, cross := r.Depts()
		return float64(b2i(cross))
	case fromBytesPerSecond:
		return e.BytesPerSecond
	case fromPacketsPerSecond:
		return e.PacketsPerSecond
	case fromHighCPU:
		return float64(e.HighCPU)
	case fromLongDuration:
		return float64(e.LongDuration)
	case fromManyPorts:
		return float64(e.ManyPorts)
	case fromOffHours:
		return float64(e.OffHours)
	case fromRiskScore:
		return e.RiskScore
	case fromLogBytes:
		return e.LogBytes
	case fromLogDuration:
		return e.LogDuration
	}
	panic("features: not a numeric source")
}

// category returns a categorical source's string.
func (s rowSource) category(r *flow.Flow) string {
	switch s {
	case fromSrcDeviceType:
		return r.SrcDeviceType
	case fromDstDeviceType:
		return r.DstDeviceType
	case fromProtocol:
		return r.Protocol
	case fromSrcDepartment:
		return r.SrcDepartment
	case fromDstDepartment:
		return r.DstDepartment
	}
	panic("features: not a categorical source")
}

// raw builds the unscaled matrix.
func (p *Pipeline) raw(f *flow.Table, e *datasets.Engineered) (*Matrix, error) {
	n, d := f.Len(), len(p.Columns)
	m := &Matrix{Names: slices.Clone(p.Columns), N: n, D: d, Data: make([]float64, n*d)}
	for j, c := range p.Columns {
		if enc, ok := p.Encoders[c]; ok {
			cat := categorical(f, featureset.EncodedSource[c])
			codes := enc.levelCodes(cat)
			for i, level := range cat.Codes {
				if codes[level] < 0 {
					return nil, fmt.Errorf("features: flow %d: %s: %w", i, featureset.EncodedSource[c],
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

func categorical(f *flow.Table, col string) *flow.Categorical {
	switch col {
	case flow.ColSrcDeviceType:
		return &f.SrcDeviceType
	case flow.ColDstDeviceType:
		return &f.DstDeviceType
	case flow.ColProtocol:
		return &f.Protocol
	case flow.ColSrcDepartment:
		return &f.SrcDepartment
	case flow.ColDstDepartment:
		return &f.DstDepartment
	}
	panic("features: no categorical column " + col)
}

// numeric returns an accessor for a numeric or boolean column.
func numeric(f *flow.Table, e *datasets.Engineered, col string) (func(int) float64, bool) {
	fl := func(s []float64) func(int) float64 { return func(i int) float64 { return s[i] } }
	in := func(s []int64) func(int) float64 { return func(i int) float64 { return float64(s[i]) } }
	bo := func(s []bool) func(int) float64 { return func(i int) float64 { return float64(b2i(s[i])) } }
	switch col {
	case flow.ColBytesSent:
		return fl(f.BytesSent), true
	case flow.ColPacketsSent:
		return in(f.PacketsSent), true
	case flow.ColDuration:
		return fl(f.Duration), true
	case flow.ColHour:
		return in(f.Hour), true
	case flow.ColIsBusinessHours:
		return bo(f.IsBusinessHours), true
	case flow.ColCPUUsage:
		return fl(f.CPUUsage), true
	case flow.ColPortsContacted:
		return in(f.PortsContacted), true
	case flow.ColSameDept:
		return bo(f.SameDept), true
	case flow.ColCrossDept:
		return bo(f.CrossDept), true
	case flow.ColBytesPerSecond:
		return fl(e.BytesPerSecond), true
	case flow.ColPacketsPerSecond:
		return fl(e.PacketsPerSecond), true
	case flow.ColHighCPU:
		return in(e.HighCPU), true
	case flow.ColLongDuration:
		return in(e.LongDuration), true
	case flow.ColManyPorts:
		return in(e.ManyPorts), true
	case flow.ColOffHours:
		return in(e.OffHours), true
	case flow.ColRiskScore:
		return fl(e.RiskScore), true
	case flow.ColLogBytes:
		return fl(e.LogBytes), true
	case flow.ColLogDuration:
		return fl(e.LogDuration), true
	}
	return nil, false
}
