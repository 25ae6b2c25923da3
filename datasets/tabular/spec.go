// Package tabular reads a flow table of any layout through a declared
// column mapping, a Spec: which files to read (CSV, optionally
// gzip-compressed, or Parquet), which column is the label, which label
// values are normal traffic and which attack category every other value
// belongs to, which columns are numeric or categorical features and which
// are read but ignored, and what to do with missing values.
//
// The reader is strict and says what is wrong. Every problem carries its
// file, line, byte column and the column's name; Read collects up to
// MaxErrors problems before it stops and reports them all. Label values the
// mapping does not declare are listed with their counts and first position.
// Rows dropped by the missing-value policy are counted by reason in the
// Report, never dropped silently, and imputed values are reported too.
//
// NSLKDD gives the mapping of the NSL-KDD intrusion data.
//
// The package only reads; turning a Table into the harness's features and
// experiments is done elsewhere.
package tabular

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segharness/harness/datasets/tabular/tabspec"
	"github.com/segharness/harness/internal/suggest"
)

// Spec declares how to read a flow table: its files and the meaning of
// each column (the Mapping). The zero value is not valid; Check says what
// is missing.
type Spec struct {
	// Files are read in order and their rows concatenated. The format is
	// Mapping.Format when set, otherwise told by each file's extension:
	// .csv or .txt (CSV), either followed by .gz (gzip-compressed CSV),
	// or .parquet (also .pq).
	Files []string

	// Keys are mapped columns (of any kind but the label, ignored ones
	// included) whose text is also kept, row by row, in Table.Keys: a
	// timestamp or a source host that a split orders or groups the rows
	// by without making it a feature. A key's text is the field with
	// surrounding spaces and tabs trimmed (a Parquet number in decimal),
	// and "" for a missing value: the missing-value policy does not
	// apply to a key that is otherwise ignored.
	Keys []string

	tabspec.Mapping
}

// File formats, as told by a file's extension.
const (
	formatCSV     = "csv"
	formatParquet = "parquet"
)

// fileFormat returns the format of path, override's when it names one
// (tabspec.Mapping.Format), and whether it is gzip-compressed; "" when
// the override is empty and the extension names no format this package
// reads.
func fileFormat(path, override string) (format string, gz bool) {
	switch override {
	case tabspec.FormatCSV:
		return formatCSV, false
	case tabspec.FormatCSVGzip:
		return formatCSV, true
	case tabspec.FormatParquet:
		return formatParquet, false
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gz" {
		gz = true
		ext = strings.ToLower(filepath.Ext(strings.TrimSuffix(path, filepath.Ext(path))))
	}
	switch {
	case ext == ".csv" || ext == ".txt":
		return formatCSV, gz
	case (ext == ".parquet" || ext == ".pq") && !gz:
		return formatParquet, false
	}
	return "", gz
}

// Column kinds: what the mapping makes of a column.
type kind uint8

const (
	kindNone kind = iota
	kindLabel
	kindNumeric
	kindCategorical
	kindIgnore
)

func (k kind) String() string {
	switch k {
	case kindLabel:
		return "the label"
	case kindNumeric:
		return "numeric"
	case kindCategorical:
		return "categorical"
	case kindIgnore:
		return "ignored"
	}
	return "unmapped"
}

// SpecError lists every problem Check found in a Spec.
type SpecError struct {
	Problems []string
}

func (e *SpecError) Error() string {
	if len(e.Problems) == 1 {
		return "tabular: invalid spec: " + e.Problems[0]
	}
	return "tabular: invalid spec:\n\t" + strings.Join(e.Problems, "\n\t")
}

// Check reports every problem of the spec at once, as a *SpecError: no
// files or a file whose extension names no format; no label or no normal
// values; a column listed twice or in two roles; without a header, no
// Columns, or a column in Columns that is not mapped or a mapped one that
// is not in Columns; a label value declared twice or equal to a missing
// token; an empty or reserved category; an unknown role, or a role whose
// column is neither numeric nor categorical; an unknown Missing or
// NonFinite policy.
// Read calls Check first.
func (s *Spec) Check() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if len(s.Files) == 0 {
		add("no files")
	}
	if s.Format != "" && !slices.Contains(tabspec.Formats, s.Format) {
		add("unknown format %q (want %s)", s.Format, strings.Join(tabspec.Formats, ", "))
	}
	for _, f := range s.Files {
		if format, gz := fileFormat(f, s.Format); format == "" && s.Format == "" {
			if gz && strings.HasSuffix(strings.ToLower(strings.TrimSuffix(f, filepath.Ext(f))), "parquet") {
				add("file %q: Parquet files cannot be gzip-compressed (Parquet compresses its pages itself)", f)
			} else {
				add("file %q: cannot tell the format from the extension (want .csv, .txt, .csv.gz, .txt.gz or .parquet); name it with Format", f)
			}
		}
	}

	kinds, dup := s.kinds()
	p = append(p, dup...)
	if s.Label == "" {
		add("no label column (set Label)")
	}

	anyCSV := slices.ContainsFunc(s.Files, func(f string) bool { format, _ := fileFormat(f, s.Format); return format == formatCSV })
	if anyCSV && !s.Header && len(s.Columns) == 0 {
		add("no header and no Columns: set Header when the first line names the columns, or list them in Columns")
	}
	if len(s.Columns) > 0 {
		seen := map[string]bool{}
		var unmapped []string
		for i, c := range s.Columns {
			switch {
			case c == "":
				add("Columns[%d] is empty", i)
			case seen[c]:
				add("column %q appears twice in Columns", c)
			case kinds[c] == kindNone:
				unmapped = append(unmapped, fmt.Sprintf("%q", c))
			}
			seen[c] = true
		}
		if len(unmapped) > 0 {
			add("unmapped columns %s: make each the Label or list it in Numeric, Categorical or Ignore", strings.Join(unmapped, ", "))
		}
		for _, c := range s.mapped() {
			if c != "" && !seen[c] {
				add("column %q is %s but not in Columns%s", c, kinds[c], didYouMean(c, s.Columns))
			}
		}
	}

	tokens := s.missingTokens()
	owner := map[string]string{}
	claim := func(v, who string) {
		if slices.Contains(tokens, v) {
			add("label value %q (%s) is a missing-value token", v, who)
			return
		}
		if prev, ok := owner[v]; ok {
			add("label value %q is in both %s and %s", v, prev, who)
			return
		}
		owner[v] = who
	}
	if len(s.Normal) == 0 {
		add("no normal label values (set Normal)")
	}
	for _, v := range s.Normal {
		claim(v, "Normal")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Categories)) {
		values := s.Categories[name]
		switch {
		case name == "":
			add("a category with an empty name")
		case name == tabspec.NormalCategory:
			add("category %q is reserved for normal traffic: list its label values in Normal", name)
		case len(values) == 0:
			add("category %q has no label values", name)
		}
		for _, v := range values {
			claim(v, "category "+name)
		}
	}

	for _, role := range slices.Sorted(maps.Keys(s.Roles)) {
		col := s.Roles[role]
		if !slices.Contains(tabspec.KnownRoles, role) {
			add("unknown role %q%s; known roles: %s", role, didYouMean(role, tabspec.KnownRoles), strings.Join(tabspec.KnownRoles, ", "))
			continue
		}
		if k := kinds[col]; k != kindNumeric && k != kindCategorical {
			add("role %s: column %q is %s; a role's column must be numeric or categorical", role, col, k)
		}
	}
	for _, role := range slices.Sorted(maps.Keys(s.RoleScales)) {
		col, ok := s.Roles[role]
		switch scale := s.RoleScales[role]; {
		case !ok:
			add("role %s has a scale but no column", role)
		case !(scale > 0) || math.IsInf(scale, 0):
			add("role %s: scale %v, want a finite number above 0", role, scale)
		case kinds[col] != kindNumeric:
			add("role %s: column %q is not numeric, so it has no unit to scale", role, col)
		}
	}

	seenKey := map[string]bool{}
	for _, k := range s.Keys {
		switch kk := kinds[k]; {
		case seenKey[k]:
			add("key column %q is listed twice in Keys", k)
		case kk == kindNone:
			add("key column %q is not mapped%s: list it in Numeric, Categorical or Ignore", k, didYouMean(k, s.mapped()))
		case kk == kindLabel:
			add("key column %q is the label; a key is a column besides the label", k)
		}
		seenKey[k] = true
	}

	switch s.Missing {
	case "", tabspec.MissingError, tabspec.MissingDrop, tabspec.MissingImpute:
	default:
		add("Missing %q: want %s, %s or %s", s.Missing, tabspec.MissingError, tabspec.MissingDrop, tabspec.MissingImpute)
	}
	if s.NonFinite != "" && !slices.Contains(tabspec.NonFinitePolicies, s.NonFinite) {
		add("NonFinite %q: want %s", s.NonFinite, strings.Join(tabspec.NonFinitePolicies, ", "))
	}
	if len(p) > 0 {
		return &SpecError{Problems: p}
	}
	return nil
}

// kinds maps every mapped column to its kind, and describes the columns
// mapped twice.
func (s *Spec) kinds() (map[string]kind, []string) {
	kinds := map[string]kind{}
	var problems []string
	assign := func(col string, k kind, list string) {
		if col == "" {
			problems = append(problems, fmt.Sprintf("an empty column name in %s", list))
			return
		}
		if prev, ok := kinds[col]; ok {
			if prev == k {
				problems = append(problems, fmt.Sprintf("column %q is listed twice in %s", col, list))
			} else {
				problems = append(problems, fmt.Sprintf("column %q is both %s and %s: give each column one role", col, prev, k))
			}
			return
		}
		kinds[col] = k
	}
	if s.Label != "" {
		assign(s.Label, kindLabel, "Label")
	}
	for _, c := range s.Numeric {
		assign(c, kindNumeric, "Numeric")
	}
	for _, c := range s.Categorical {
		assign(c, kindCategorical, "Categorical")
	}
	for _, c := range s.Ignore {
		assign(c, kindIgnore, "Ignore")
	}
	return kinds, problems
}

// mapped returns every column the spec names: the label, then the numeric,
// categorical and ignored columns, in the spec's order.
func (s *Spec) mapped() []string {
	cols := []string{s.Label}
	cols = append(cols, s.Numeric...)
	cols = append(cols, s.Categorical...)
	return append(cols, s.Ignore...)
}

func (s *Spec) missingTokens() []string {
	if s.MissingTokens == nil {
		return tabspec.DefaultMissingTokens
	}
	return s.MissingTokens
}

func (s *Spec) policy() string {
	if s.Missing == "" {
		return tabspec.MissingError
	}
	return s.Missing
}

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to s
// (within edit distance 2, or equal but for case and surrounding space),
// or "".
func didYouMean(s string, candidates []string) string {
	if best := suggest.Closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
