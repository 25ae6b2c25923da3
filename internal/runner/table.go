package runner

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/datasets/tabular"
	"github.com/segharness/harness/datasets/tabular/tabspec"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
)

// tableSpec returns the reader's spec of a table source for files.
func tableSpec(exp *experiments.Experiment, tb *experiments.Table, files []string) tabular.Spec {
	paths := make([]string, len(files))
	for i, f := range files {
		if filepath.IsAbs(f) {
			paths[i] = f
		} else {
			paths[i] = filepath.Join(exp.Dir(), f)
		}
	}
	s := tabular.Spec{Files: paths, Mapping: tb.Mapping}
	if preset := tabspec.Presets[tb.Preset]; preset != nil {
		s.Mapping = preset()
	}
	if tb.Missing != "" {
		s.Missing = tb.Missing
	}
	if tb.MissingTokens != nil {
		s.MissingTokens = tb.MissingTokens
	}
	s.Format = tb.Format
	if tb.NonFinite != "" {
		s.NonFinite = tb.NonFinite
	}
	if by := exp.Spec.Split.By; by == experiments.SplitTime || by == experiments.SplitGroup || splitSwept(exp) {
		s.Keys = []string{exp.Spec.Split.Column}
	}
	return s
}

// splitSwept says whether split.by is a sweep axis whose values include
// time or group: then every trial reads split.column.
func splitSwept(exp *experiments.Experiment) bool {
	for _, a := range exp.Axes {
		if a.Path == "split.by" && (slices.Contains(a.Values, experiments.SplitTime) || slices.Contains(a.Values, experiments.SplitGroup)) {
			return true
		}
	}
	return false
}

// tableData reads a table source into a trial's prepared data: the
// training files then the test files (or the files split at random), the
// numeric features and the label-encoded categorical ones standardised,
// the attack category as the anomaly type. notes say what the reader
// dropped or imputed, and which label values the test holds that training
// does not.
func tableData(exp *experiments.Experiment, t *experiments.Trial) (*trialData, rundir.DataRecord, []string, error) {
	tb := &t.Spec.Data.Table
	train, trainReport, err := tabular.Read(tableSpec(exp, tb, tb.Files))
	if err != nil {
		return nil, rundir.DataRecord{}, nil, err
	}
	tables := []*tabular.Table{train}
	reports := []*tabular.Report{trainReport}
	if len(tb.Test) > 0 {
		test, testReport, err := tabular.Read(tableSpec(exp, tb, tb.Test))
		if err != nil {
			return nil, rundir.DataRecord{}, nil, err
		}
		tables, reports = append(tables, test), append(reports, testReport)
	}
	var notes []string
	for _, r := range reports {
		for _, d := range r.Dropped {
			notes = append(notes, fmt.Sprintf("data: %d rows dropped: %s (first at %s)", d.Rows, d.Reason, d.First))
		}
		for _, im := range r.Imputed {
			notes = append(notes, fmt.Sprintf("data: %d missing values of %s imputed with %s", im.Values, im.Column, im.With))
		}
		for _, c := range r.Clipped {
			notes = append(notes, fmt.Sprintf("data: %d %s values of %s clipped to %s", c.Values, c.Infinity, c.Column, c.With))
		}
	}

	n := 0
	for _, tab := range tables {
		n += tab.Rows
	}
	first := tables[0]
	// The reader's staging of the numeric columns (as large as they are)
	// goes before the matrix is made beside them.
	collect(8 * n * len(first.Numeric))
	eng, skipped := engineeredFor(first)
	if len(skipped) > 0 {
		notes = append(notes, "features: engineered features skipped, their inputs not mapped: "+strings.Join(skipped, "; "))
	}
	var engNames []string
	for _, e := range eng {
		engNames = append(engNames, e.name)
	}
	names := slices.Concat(first.NumericNames, first.CategoricalNames, engNames)
	d := len(names)
	x := &features.Matrix{Names: names, N: n, D: d, Data: make([]float64, n*d)}
	// Categorical columns: label-encoded over the levels of every file
	// (scikit-learn's LabelEncoder fitted on all rows, as the notebook does).
	encoders := make([][]string, len(first.CategoricalNames))
	for j := range encoders {
		var levels []string
		for _, tab := range tables {
			levels = append(levels, tab.Categorical[j].Levels...)
		}
		slices.Sort(levels)
		encoders[j] = slices.Compact(levels)
	}
	td := &trialData{x: x, isAnomaly: make([]bool, 0, n), typeCodes: make([]int, 0, n)}
	row := 0
	labelsSeen := map[string]bool{}
	for k, tab := range tables {
		roles := rolesOf(tab)
		for i := range tab.Rows {
			out := x.Data[row*d : (row+1)*d]
			for j, col := range tab.Numeric {
				out[j] = col[i]
			}
			for j := range tab.Categorical {
				code, _ := slices.BinarySearch(encoders[j], tab.Categorical[j].Value(i))
				out[len(tab.Numeric)+j] = float64(code)
			}
			for j, e := range eng {
				out[len(tab.Numeric)+len(tab.Categorical)+j] = e.value(roles, i)
			}
			td.isAnomaly = append(td.isAnomaly, tab.Anomaly[i])
			if k == 0 {
				labelsSeen[tab.Label.Value(i)] = true
			}
			row++
		}
	}
	// The numeric columns are in the matrix now: dropped, with the
	// engineered features' role columns.
	for _, tab := range tables {
		clear(tab.Numeric)
	}
	collect(8 * n * len(first.Numeric))
	// Anomaly types: the attack categories, normal included.
	var types []string
	for _, tab := range tables {
		types = append(types, tab.Category.Levels...)
	}
	slices.Sort(types)
	td.typeNames = slices.Compact(types)
	for _, tab := range tables {
		for i := range tab.Rows {
			code, _ := slices.BinarySearch(td.typeNames, tab.Category.Value(i))
			td.typeCodes = append(td.typeCodes, code)
		}
	}

	// orig[i] is row i's index among the rows read: the rows kept by
	// split.dedupe, or all of them.
	orig := make([]int, n)
	for i := range orig {
		orig[i] = i
	}
	if t.Spec.Split.Dedupe == experiments.DedupeExact {
		orig = dedupeRows(x, td, orig)
		if dropped := n - len(orig); dropped > 0 {
			notes = append(notes, fmt.Sprintf("data: split.dedupe exact dropped %d of %d rows, each equal to an earlier row (every feature and the attack category)", dropped, n))
		}
		n = len(orig)
	}

	// The split: the test files, or the split.by method.
	sp := &t.Spec.Split
	td.split = make([]datasets.Split, n)
	labels := func() []int {
		if sp.Stratify == experiments.StratifyNone {
			return nil
		}
		labels := make([]int, n)
		for i := range labels {
			switch sp.Stratify {
			case experiments.StratifyIsAnomaly:
				if td.isAnomaly[i] {
					labels[i] = 1
				}
			case experiments.StratifyAnomalyType:
				labels[i] = td.typeCodes[i]
			}
		}
		return labels
	}
	switch {
	case len(tables) == 2:
		for i := range n {
			td.split[i] = datasets.Train
			if orig[i] >= first.Rows {
				td.split[i] = datasets.Test
			}
		}
	case sp.By == experiments.SplitTime:
		split, dropped, note, err := timeSplit(sp, rowKeys(first, sp.Column, orig))
		if err != nil {
			return nil, rundir.DataRecord{}, nil, err
		}
		notes = append(notes, note)
		keep := make([]bool, n)
		for i, d := range dropped {
			keep[i] = !d
		}
		orig = keepRows(x, td, orig, keep)
		if gapped := n - len(orig); gapped > 0 {
			notes = append(notes, fmt.Sprintf("data: split.gap %s dropped %d of %d rows, in the gap before the test side's first instant", sp.Gap, gapped, n))
		}
		n = len(orig)
		td.split = td.split[:0]
		for i, d := range dropped {
			if !d {
				td.split = append(td.split, split[i])
			}
		}
	case sp.By == experiments.SplitGroup:
		split, note, err := groupSplit(t, rowKeys(first, sp.Column, orig), labels())
		if err != nil {
			return nil, rundir.DataRecord{}, nil, err
		}
		notes = append(notes, note)
		td.split = split
	default:
		if td.split, err = splitRows(t, labels(), n); err != nil {
			return nil, rundir.DataRecord{}, nil, fmt.Errorf("split: %w", err)
		}
	}
	// Values the models cannot take (the log of a negative duration, a
	// number beyond float32's range) are an error naming their column and
	// rows, before any model sees them.
	rowName := func(i int) string {
		local := orig[i]
		for _, tab := range tables {
			if local < tab.Rows {
				return fmt.Sprintf("row %d (%s)", orig[i]+1, tab.Where(local))
			}
			local -= tab.Rows
		}
		return fmt.Sprintf("row %d", orig[i]+1)
	}
	if err := features.CheckFinite(x, rowName); err != nil {
		return nil, rundir.DataRecord{}, nil, err
	}
	td.divide()
	scaler := features.FitScaler(x, td.scaleRows(t))
	scaler.Transform(x)
	if err := features.CheckScaled(x, scaler, rowName); err != nil {
		return nil, rundir.DataRecord{}, nil, err
	}

	// Label values of the test rows never seen in training (with separate
	// test files): the unseen attack types.
	if len(tables) == 2 {
		var unseen []string
		test := tables[1]
		for _, v := range test.Label.Levels {
			if !labelsSeen[v] {
				unseen = append(unseen, v)
			}
		}
		td.unseen = make([]bool, n)
		for i, o := range orig {
			if o >= first.Rows {
				td.unseen[i] = !labelsSeen[test.Label.Value(o-first.Rows)]
			}
		}
		if len(unseen) > 0 {
			notes = append(notes, fmt.Sprintf("data: %d label values in the test files never occur in training: %s", len(unseen), strings.Join(unseen, ", ")))
		}
	}

	rec := rundir.DataRecord{Source: experiments.SourceTable, Flows: n, ByType: map[string]int{}}
	for i, a := range td.isAnomaly {
		if a {
			rec.Anomalies++
			rec.ByType[td.typeNames[td.typeCodes[i]]]++
		}
	}
	rec.Train, rec.Test = len(td.train), len(td.test)
	rec.TestByType = td.testByType()
	for _, f := range slices.Concat(tb.Files, tb.Test) {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(exp.Dir(), path)
		}
		d, err := artifact.HashFile(path)
		if err != nil {
			return nil, rundir.DataRecord{}, nil, err
		}
		rec.Tables = append(rec.Tables, rundir.Input{Path: filepath.ToSlash(f), Digest: d})
	}
	return td, rec, notes, nil
}

// dedupeRows keeps the first of the rows of x equal in every feature and
// in attack category (td.typeCodes), compacting x, td.isAnomaly and
// td.typeCodes in place, and returns the kept rows' entries of orig.
func dedupeRows(x *features.Matrix, td *trialData, orig []int) []int {
	ids, _ := eval.VectorIDs(x.Data, x.D, x.N)
	type key struct {
		vector int32
		label  int
	}
	seen := make(map[key]bool, x.N)
	keep := make([]bool, x.N)
	for i, id := range ids {
		k := key{id, td.typeCodes[i]}
		keep[i] = !seen[k]
		seen[k] = true
	}
	return keepRows(x, td, orig, keep)
}

// keepRows keeps the rows i of x with keep[i], compacting x, td.isAnomaly
// and td.typeCodes in place, and returns the kept rows' entries of orig.
func keepRows(x *features.Matrix, td *trialData, orig []int, keep []bool) []int {
	kept := 0
	for i, k := range keep {
		if !k {
			continue
		}
		copy(x.Data[kept*x.D:(kept+1)*x.D], x.Data[i*x.D:(i+1)*x.D])
		td.isAnomaly[kept], td.typeCodes[kept], orig[kept] = td.isAnomaly[i], td.typeCodes[i], orig[i]
		kept++
	}
	x.N, x.Data = kept, x.Data[:kept*x.D]
	td.isAnomaly, td.typeCodes = td.isAnomaly[:kept], td.typeCodes[:kept]
	return orig[:kept]
}

// engineered is one of the notebook's engineered features computed from a
// table's role columns.
type engineered struct {
	name  string
	needs []string // roles
	value func(r roleColumns, i int) float64
}

// roleColumns are a table's numeric role columns, by role.
type roleColumns map[string][]float64

// tableEngineered are the notebook's engineered features (features.Engineer)
// in flow.EngineeredColumns order, each from the roles it needs, through
// the formulas of internal/features. A table has no is_business_hours:
// off_hours is derived from its hour, as the generators derive the flag.
// risk_score also needs cross_dept, which no role names: it is never
// computed for a table.
var tableEngineered = []engineered{
	{flow.ColBytesPerSecond, []string{"bytes_sent", "duration"}, func(r roleColumns, i int) float64 {
		return features.BytesPerSecond(r["bytes_sent"][i], r["duration"][i])
	}},
	{flow.ColPacketsPerSecond, []string{"packets_sent", "duration"}, func(r roleColumns, i int) float64 {
		return features.PacketsPerSecond(r["packets_sent"][i], r["duration"][i])
	}},
	{flow.ColHighCPU, []string{"cpu_usage"}, func(r roleColumns, i int) float64 { return b2f(features.HighCPU(r["cpu_usage"][i])) }},
	{flow.ColLongDuration, []string{"duration"}, func(r roleColumns, i int) float64 { return b2f(features.LongDuration(r["duration"][i])) }},
	{flow.ColManyPorts, []string{"ports_contacted"}, func(r roleColumns, i int) float64 {
		return b2f(features.ManyPorts(r["ports_contacted"][i]))
	}},
	{flow.ColOffHours, []string{"hour"}, func(r roleColumns, i int) float64 {
		return b2f(features.OffHours(flow.IsBusinessHours(r["hour"][i])))
	}},
	{flow.ColRiskScore, []string{"cpu_usage", "duration", "ports_contacted", "hour", "cross_dept"}, nil},
	{flow.ColLogBytes, []string{"bytes_sent"}, func(r roleColumns, i int) float64 { return features.LogBytes(r["bytes_sent"][i]) }},
	{flow.ColLogDuration, []string{"duration"}, func(r roleColumns, i int) float64 { return features.LogDuration(r["duration"][i]) }},
}

// rolesOf returns a table's numeric role columns, in the roles' units
// (tabular.Table.RoleScales).
func rolesOf(t *tabular.Table) roleColumns {
	r := roleColumns{}
	for role, col := range t.Roles {
		v := t.NumericColumn(col)
		if v == nil {
			continue
		}
		if scale, ok := t.RoleScales[role]; ok && scale != 1 {
			scaled := make([]float64, len(v))
			for i, x := range v {
				scaled[i] = x * scale
			}
			v = scaled
		}
		r[role] = v
	}
	return r
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// engineeredFor returns the engineered features whose roles the table maps
// to numeric columns, and, for the others, what each lacks.
func engineeredFor(t *tabular.Table) (have []engineered, skipped []string) {
	roles := rolesOf(t)
	for _, e := range tableEngineered {
		var missing []string
		for _, r := range e.needs {
			if roles[r] == nil {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 && e.value != nil {
			have = append(have, e)
			continue
		}
		skipped = append(skipped, fmt.Sprintf("%s (needs %s)", e.name, strings.Join(missing, ", ")))
	}
	return have, skipped
}
