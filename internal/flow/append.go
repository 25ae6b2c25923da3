package flow

import (
	"fmt"
	"slices"
)

// AppendRows appends the given rows of src to f, every column, in the given
// order; a row may be given more than once, and src may be f. Categorical
// columns are matched by level string: the levels of src that f lacks are
// appended to f's Levels in src's order (used by the rows or not), so f's
// existing codes keep their meaning. No rows leave f unchanged. A row index
// outside src panics.
func (f *Table) AppendRows(src *Table, rows []int) {
	if len(rows) == 0 {
		return
	}
	n := src.Len()
	for _, r := range rows {
		if r < 0 || r >= n {
			panic(fmt.Sprintf("flow: AppendRows: row %d out of range [0, %d)", r, n))
		}
	}
	// Map every column's levels before changing any, so that a column with
	// too many levels panics with f unchanged.
	dst, from := f.Categoricals(), src.Categoricals()
	var maps [len(CategoricalColumns)][]uint16
	var added [len(CategoricalColumns)][]string
	for k := range dst {
		maps[k], added[k] = mapLevels(dst[k], from[k], CategoricalColumns[k])
	}
	for k, c := range dst {
		if len(added[k]) > 0 {
			// Clipped: c.Levels may share its backing array with another
			// table's (a copied Flows), which appending must not write to.
			c.Levels = append(slices.Clip(c.Levels), added[k]...)
		}
		c.Codes = appendCodes(c.Codes, from[k].Codes, rows, maps[k])
	}
	f.BytesSent = gather(f.BytesSent, src.BytesSent, rows)
	f.PacketsSent = gather(f.PacketsSent, src.PacketsSent, rows)
	f.Duration = gather(f.Duration, src.Duration, rows)
	f.Hour = gather(f.Hour, src.Hour, rows)
	f.IsBusinessHours = gather(f.IsBusinessHours, src.IsBusinessHours, rows)
	f.CPUUsage = gather(f.CPUUsage, src.CPUUsage, rows)
	f.PortsContacted = gather(f.PortsContacted, src.PortsContacted, rows)
	f.SameDept = gather(f.SameDept, src.SameDept, rows)
	f.CrossDept = gather(f.CrossDept, src.CrossDept, rows)
	f.IsAnomaly = gather(f.IsAnomaly, src.IsAnomaly, rows)
}

// Rows returns a new table of the given rows of f, in the given order: an
// empty table of the notebook's levels (as newFlows makes) to which
// AppendRows appends them. Its categorical columns thus have the notebook's
// levels followed by those of f's levels that are not among them (none
// when rows is empty).
func (f *Table) Rows(rows []int) *Table {
	g := Make(0, len(rows))
	g.AppendRows(f, rows)
	return g
}

// Categoricals returns f's categorical columns, in the order of their
// names in CategoricalColumns.
func (f *Table) Categoricals() [len(CategoricalColumns)]*Categorical {
	return [...]*Categorical{&f.SrcDeviceType, &f.SrcDepartment, &f.DstDeviceType, &f.DstDepartment, &f.Protocol, &f.AnomalyType}
}

// mapLevels returns the code in dst of each level of src, or nil when every
// level of src has the same code in dst, and the levels of src that dst
// lacks, in src's order, to be appended to dst.Levels. col names the column
// in the panic for a column that would hold more than MaxLevels levels.
func mapLevels(dst, src *Categorical, col string) (m []uint16, added []string) {
	if len(src.Levels) <= len(dst.Levels) && slices.Equal(dst.Levels[:len(src.Levels)], src.Levels) {
		return nil, nil
	}
	codes := make(map[string]uint16, len(dst.Levels))
	for i, l := range dst.Levels {
		if _, ok := codes[l]; !ok {
			codes[l] = uint16(i)
		}
	}
	m = make([]uint16, len(src.Levels))
	for i, l := range src.Levels {
		code, ok := codes[l]
		if !ok {
			if len(dst.Levels)+len(added) >= MaxLevels {
				panic(fmt.Sprintf("flow: AppendRows: column %s: more than %d distinct values", col, MaxLevels))
			}
			code = uint16(len(dst.Levels) + len(added))
			codes[l] = code
			added = append(added, l)
		}
		m[i] = code
	}
	return m, added
}

// appendCodes appends the codes of the given rows of src to dst, through m
// when it is not nil.
func appendCodes(dst, src []uint16, rows []int, m []uint16) []uint16 {
	if m == nil {
		return gather(dst, src, rows)
	}
	dst = slices.Grow(dst, len(rows))
	for _, r := range rows {
		dst = append(dst, m[src[r]])
	}
	return dst
}

// gather appends src[r] for each r of rows to dst. src is read through its
// own slice header, so it may be dst.
func gather[T any](dst, src []T, rows []int) []T {
	dst = slices.Grow(dst, len(rows))
	for _, r := range rows {
		dst = append(dst, src[r])
	}
	return dst
}
