package tabular

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/segharness/harness/datasets/tabular/tabspec"
	"github.com/segharness/harness/internal/fileio"
)

// Read reads the files of spec, in order, into one table.
//
// It checks spec first (see Spec.Check). Then, for each file: a file that
// cannot be opened, is empty, holds only a header, is not valid gzip, or
// whose columns do not match the mapping is one error naming the file, and
// reading goes on with the next file; each row with the wrong number of
// fields, a CSV syntax error, a numeric field that is not a number or a
// missing value under tabspec.MissingError is one error at its position. Read
// stops after MaxErrors such errors. Label values that are not declared
// are gathered over every row read and reported as one
// *UndeclaredLabelsError.
//
// Each file must be a regular file, and a file is read once: a path that
// names a file read before (written another way, or a link to it) is an
// error. Each file is bounded before it is read into memory (see
// internal/fileio): its size (InputBytes), what a .gz file expands to and
// what a Parquet file's footer says its pages expand to
// (DecompressedBytes), its rows (Rows), its columns (Columns) and the
// bytes of one CSV record (LineBytes). A file over a limit, or not a
// regular file, is an *Error whose Err is the *fileio.TooLargeError or
// *fileio.NotRegularError. On any problem Read returns a nil table and
// report and an ErrorList holding every problem found.
//
// A numeric field holds a decimal number in the syntax of
// strconv.ParseFloat without hexadecimal forms or underscores (a number
// out of float64's range is an error), or a boolean True/False (also
// true/false, TRUE/FALSE), read as 1/0 as pandas writes booleans;
// surrounding spaces and tabs are ignored. Infinities (inf, infinity, in
// any case, with an optional sign) and NaN that is not a missing token go
// to the NonFinite policy: an error by default, or the row dropped, or
// the infinity clipped to its column's finite range, counted in the
// Report. CSV follows
// RFC 4180 (quoted fields may hold commas, quotes and line breaks); a
// UTF-8 byte-order mark at the start of a file is skipped, CRLF line ends
// read as LF, and blank lines are skipped.
func Read(spec Spec) (*Table, *Report, error) {
	if err := spec.Check(); err != nil {
		return nil, nil, err
	}
	r := newReader(&spec)
	for i, path := range spec.Files {
		if r.stopped {
			break
		}
		r.startFile(i, path)
		switch format, gz := fileFormat(path, spec.Format); format {
		case formatCSV:
			r.readCSV(path, gz)
		case formatParquet:
			r.readParquet(path)
		}
	}
	return r.finish()
}

// slot is a used column of one file: where its field is and what it is.
type slot struct {
	field      int    // CSV field index, or index into the Parquet plan
	kind       kind   // kindNumeric, kindCategorical, kindLabel, or kindIgnore for a key only
	j          int    // index into Spec.Numeric or Spec.Categorical
	key        int    // index into Spec.Keys, or -1
	name       string // column name
	dropReason string // "missing value in <name>"
	nonFinite  string // "non-finite value in <name>"
}

// levelCoder builds a Column, numbering levels in order of appearance;
// column sorts them.
type levelCoder struct {
	index  map[string]uint32
	levels []string
	codes  chunks[uint32]
}

func newLevelCoder() levelCoder { return levelCoder{index: map[string]uint32{}} }

func (c *levelCoder) add(s string) {
	code, ok := c.index[s]
	if !ok {
		s = strings.Clone(s) // s may point into a whole CSV record
		code = uint32(len(c.levels))
		c.levels = append(c.levels, s)
		c.index[s] = code
	}
	c.codes.add(code)
}

// column returns the column with its levels sorted.
func (c *levelCoder) column() Column {
	levels := slices.Clone(c.levels)
	slices.Sort(levels)
	remap := make([]uint32, len(c.levels))
	for old, l := range c.levels {
		i, _ := slices.BinarySearch(levels, l)
		remap[old] = uint32(i)
	}
	codes := c.codes.slice()
	for i, code := range codes {
		codes[i] = remap[code]
	}
	return Column{Levels: levels, Codes: codes}
}

// chunks is an append-only column stored in chunks of bounded size, so
// that growing it never copies what it holds; slice joins them once.
type chunks[T any] struct {
	full [][]T
	cur  []T
	n    int
}

// maxChunk bounds the rows of a chunk.
const maxChunk = 1 << 14

func (c *chunks[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		c.cur = make([]T, 0, min(max(256, 2*cap(c.cur)), maxChunk))
	}
	c.cur = append(c.cur, v)
	c.n++
}

// slice returns the values in one slice of exactly their number.
func (c *chunks[T]) slice() []T {
	out := make([]T, 0, c.n)
	for _, f := range c.full {
		out = append(out, f...)
	}
	return append(out, c.cur...)
}

// undeclared counts one undeclared label value.
type undeclared struct {
	rows  int
	first string
}

// reader accumulates the table over the files.
type reader struct {
	spec   *Spec
	kinds  map[string]kind
	policy string
	tokens []string
	// emptyToken says "" is a missing token, tokenStart which bytes
	// begin one.
	emptyToken bool
	tokenStart [256]bool
	labelCat   map[string]uint32 // declared label value -> code in catNames
	catNames   []string          // levels of Category: tabspec.NormalCategory and the categories, sorted
	normal     uint32            // code of tabspec.NormalCategory

	num      []chunks[float64]
	cats     []levelCoder
	label    levelCoder
	category chunks[uint32]
	anomaly  chunks[bool]
	source   chunks[RowSource]
	keys     []levelCoder // per Spec.Keys column
	imputed  []int        // per categorical column, values imputed

	files   []FileReport
	opened  []os.FileInfo // per file of the spec, once opened
	drops   map[string]*Drop
	unknown map[string]*undeclared
	errs    ErrorList
	nerrs   int // positioned errors, counted against MaxErrors
	stopped bool

	// The file being read.
	fileIdx   int
	path      string
	rowNumber bool                            // positions are Parquet rows
	posOf     func(field int) (line, col int) // position of a field of the current row

	// The row being read.
	line     int
	bad      bool   // the row has an error or an undeclared label
	drop     string // reason to drop the row, or ""
	rowNum   []float64
	rowCat   []string
	rowImp   []bool   // rowCat[j] was imputed
	rowKey   []string // per Spec.Keys column
	rowLabel string
	rowCode  uint32
}

func newReader(spec *Spec) *reader {
	r := &reader{
		spec:     spec,
		policy:   spec.policy(),
		tokens:   spec.missingTokens(),
		labelCat: map[string]uint32{},
		num:      make([]chunks[float64], len(spec.Numeric)),
		cats:     make([]levelCoder, len(spec.Categorical)),
		label:    newLevelCoder(),
		imputed:  make([]int, len(spec.Categorical)),
		drops:    map[string]*Drop{},
		unknown:  map[string]*undeclared{},
		rowNum:   make([]float64, len(spec.Numeric)),
		rowCat:   make([]string, len(spec.Categorical)),
		rowImp:   make([]bool, len(spec.Categorical)),
		rowKey:   make([]string, len(spec.Keys)),
		keys:     make([]levelCoder, len(spec.Keys)),
		opened:   make([]os.FileInfo, len(spec.Files)),
	}
	for j := range r.keys {
		r.keys[j] = newLevelCoder()
	}
	r.kinds, _ = spec.kinds()
	for _, t := range r.tokens {
		if t == "" {
			r.emptyToken = true
		} else {
			r.tokenStart[t[0]] = true
		}
	}
	for j := range r.cats {
		r.cats[j] = newLevelCoder()
	}
	r.catNames = append([]string{tabspec.NormalCategory}, slices.Collect(maps.Keys(spec.Categories))...)
	slices.Sort(r.catNames)
	code := func(name string) uint32 {
		i, _ := slices.BinarySearch(r.catNames, name)
		return uint32(i)
	}
	r.normal = code(tabspec.NormalCategory)
	for _, v := range spec.Normal {
		r.labelCat[v] = r.normal
	}
	for name, values := range spec.Categories {
		for _, v := range values {
			r.labelCat[v] = code(name)
		}
	}
	return r
}

func (r *reader) startFile(i int, path string) {
	r.fileIdx, r.path = i, path
	r.rowNumber = false
	r.posOf = nil
	r.files = append(r.files, FileReport{Path: path})
}

// addErr records a positioned problem; after MaxErrors it stops reading.
func (r *reader) addErr(e *Error) {
	if r.stopped {
		return
	}
	r.errs = append(r.errs, e)
	r.nerrs++
	if r.nerrs >= MaxErrors {
		r.stopped = true
		r.errs = append(r.errs, &Error{File: e.File, Msg: fmt.Sprintf("stopped reading after %d errors", MaxErrors)})
	}
}

// fileErr records a problem with the whole current file (line 0) or a
// line of it.
func (r *reader) fileErr(line int, format string, args ...any) {
	r.addErr(&Error{File: r.path, Line: line, RowNumber: r.rowNumber, Msg: fmt.Sprintf(format, args...)})
}

// limitErr records err, a problem with the whole current file (or line
// of it) that may be a limit or a file that is not a regular file: then
// it is kept as the Error's Err.
func (r *reader) limitErr(line int, err error) {
	e := &Error{File: r.path, Line: line, RowNumber: r.rowNumber, Msg: fileio.Detail(err)}
	var tl *fileio.TooLargeError
	var nr *fileio.NotRegularError
	switch {
	case errors.As(err, &tl):
		e.Err = tl
		if tl.Line > 0 {
			e.Line = tl.Line
		}
	case errors.As(err, &nr):
		e.Err = nr
	}
	r.addErr(e)
}

// open opens the current file, which must be a regular file of at most
// limit's bytes and not a file read before (the same path written
// another way, or a link to it).
func (r *reader) open(path string, limit fileio.Limit) (*os.File, os.FileInfo, error) {
	f, info, err := fileio.OpenLimited(path, limit)
	if err != nil {
		return nil, nil, err
	}
	for i, prev := range r.opened {
		if prev != nil && os.SameFile(prev, info) {
			f.Close()
			return nil, nil, fmt.Errorf("the same file as %s (file %d), read already: list each file once", r.spec.Files[i], i+1)
		}
	}
	r.opened[r.fileIdx] = info
	return f, info, nil
}

// plan returns the slots of a file whose columns are names, or records
// why the file cannot be read and returns false. line is the header's
// line (0 when the columns are not named in the file).
func (r *reader) plan(names []string, line int) ([]slot, bool) {
	var problems []string
	seen := map[string]bool{}
	var unmapped []string
	for _, n := range names {
		if seen[n] {
			problems = append(problems, fmt.Sprintf("column %q appears twice", n))
		}
		seen[n] = true
		if r.kinds[n] == kindNone {
			unmapped = append(unmapped, strconv.Quote(n)+didYouMean(n, r.spec.mapped()))
		}
	}
	if len(unmapped) > 0 {
		problems = append(problems, fmt.Sprintf("unmapped columns %s: make each the Label or list it in Numeric, Categorical or Ignore", strings.Join(unmapped, ", ")))
	}
	var missing []string
	for _, c := range r.spec.mapped() {
		if !seen[c] {
			missing = append(missing, strconv.Quote(c)+didYouMean(c, names))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("missing columns %s; the file has %s", strings.Join(missing, ", "), quoteAll(names)))
	}
	if len(problems) > 0 {
		r.fileErr(line, "%s", strings.Join(problems, "; "))
		return nil, false
	}
	var slots []slot
	for i, n := range names {
		s := slot{field: i, kind: r.kinds[n], key: slices.Index(r.spec.Keys, n), name: n, dropReason: "missing value in " + n, nonFinite: "non-finite value in " + n}
		switch s.kind {
		case kindIgnore:
			if s.key < 0 {
				continue
			}
		case kindNumeric:
			s.j = slices.Index(r.spec.Numeric, n)
		case kindCategorical:
			s.j = slices.Index(r.spec.Categorical, n)
		}
		slots = append(slots, s)
	}
	return slots, true
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// beginRow starts a row at line (CSV) or row number (Parquet).
func (r *reader) beginRow(line int) {
	r.line = line
	r.bad = false
	r.drop = ""
	clear(r.rowImp)
}

// fail records a problem in the field of s in the current row.
func (r *reader) fail(s *slot, msg string) {
	line, col := r.posOf(s.field)
	r.addErr(&Error{File: r.path, Line: line, Column: col, Field: s.name, RowNumber: r.rowNumber, Msg: msg})
	r.bad = true
}

func (r *reader) isMissing(s string) bool {
	if len(s) == 0 {
		return r.emptyToken
	}
	if !r.tokenStart[s[0]] {
		return false // the common case: no token starts with this byte
	}
	for _, t := range r.tokens {
		if s == t {
			return true
		}
	}
	return false
}

// missing applies the policy to a missing value of s; token is what the
// field held ("" for a Parquet null).
func (r *reader) missing(s *slot, token string, null bool) {
	what := "an empty field"
	switch {
	case null:
		what = "null"
	case token != "":
		what = strconv.Quote(token)
	}
	if s.kind == kindLabel && r.policy == tabspec.MissingImpute {
		r.fail(s, fmt.Sprintf("missing label (%s): labels are never imputed; Missing: drop drops such rows", what))
		return
	}
	switch r.policy {
	case tabspec.MissingError:
		r.fail(s, fmt.Sprintf("missing value (%s); Missing: drop or impute accepts missing values", what))
	case tabspec.MissingDrop:
		if r.drop == "" {
			r.drop = s.dropReason
		}
	case tabspec.MissingImpute:
		switch s.kind {
		case kindNumeric:
			r.rowNum[s.j] = math.NaN() // filled by finish
		case kindCategorical:
			r.rowCat[s.j] = tabspec.MissingLevel
			r.rowImp[s.j] = true
		}
	}
}

// number sets a numeric field to v, a number as read, applying the
// non-finite policy to an infinity or NaN; raw is the field as written
// (a CSV field) or "" (a Parquet value), for messages.
func (r *reader) number(s *slot, v float64, raw string) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		r.rowNum[s.j] = v
		return
	}
	switch r.spec.NonFinite {
	case tabspec.NonFiniteDrop:
		if r.drop == "" {
			r.drop = s.nonFinite
		}
	case tabspec.NonFiniteClip:
		if math.IsNaN(v) {
			r.fail(s, fmt.Sprintf("non-finite value %s, which NonFinite clip cannot clip (a NaN has no side): list it in MissingTokens to treat it as missing, or drop such rows with NonFinite drop", describeField(v, raw)))
			return
		}
		r.rowNum[s.j] = v // clipped by finish
	default:
		r.fail(s, fmt.Sprintf("non-finite value %s; NonFinite drop or clip accepts non-finite values", describeField(v, raw)))
	}
}

// describeField names a non-finite value in an error: its field's text,
// quoted, as read from a CSV file, or the value itself (raw "", a Parquet
// value). Built only on the error path: a row's fields cost no
// allocation.
func describeField(v float64, raw string) string {
	if raw != "" {
		return strconv.Quote(raw)
	}
	return fmt.Sprint(v)
}

// key keeps the text of a key column's field v, trimmed; a missing
// value is kept as "".
func (r *reader) key(s *slot, v string) {
	v = trimSpace(v)
	if r.isMissing(v) {
		v = ""
	}
	r.rowKey[s.key] = v
}

// text sets a categorical or label field to a present value v.
func (r *reader) text(s *slot, v string) {
	if s.kind == kindCategorical {
		r.rowCat[s.j] = v
		return
	}
	code, ok := r.labelCat[v]
	if !ok {
		u := r.unknown[v]
		if u == nil {
			u = &undeclared{first: where(r.path, r.line, r.rowNumber)}
			r.unknown[strings.Clone(v)] = u
		}
		u.rows++
		r.bad = true
		return
	}
	r.rowLabel, r.rowCode = v, code
}

// endRow keeps, drops or (when it had a problem) discards the row.
func (r *reader) endRow() {
	f := &r.files[len(r.files)-1]
	f.Rows++
	if r.bad {
		return
	}
	if r.drop != "" {
		d := r.drops[r.drop]
		if d == nil {
			d = &Drop{Reason: r.drop, First: where(r.path, r.line, r.rowNumber)}
			r.drops[r.drop] = d
		}
		d.Rows++
		return
	}
	for j, v := range r.rowNum {
		r.num[j].add(v)
	}
	for j, v := range r.rowCat {
		r.cats[j].add(v)
		if r.rowImp[j] {
			r.imputed[j]++
		}
	}
	for j, v := range r.rowKey {
		r.keys[j].add(v)
	}
	r.label.add(r.rowLabel)
	r.category.add(r.rowCode)
	r.anomaly.add(r.rowCode != r.normal)
	r.source.add(RowSource{File: r.fileIdx, Line: r.line})
	f.Kept++
}

// finish imputes, sorts levels and assembles the table and report, or
// returns the problems found.
func (r *reader) finish() (*Table, *Report, error) {
	errs := r.errs
	if len(r.unknown) > 0 {
		e := &UndeclaredLabelsError{Column: r.spec.Label}
		for v, u := range r.unknown {
			e.Values = append(e.Values, UndeclaredLabel{Value: v, Rows: u.rows, First: u.first})
		}
		sortUndeclared(e.Values)
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	rows := r.category.n
	rep := &Report{Files: r.files, Rows: rows}
	for _, reason := range slices.Sorted(maps.Keys(r.drops)) {
		rep.Dropped = append(rep.Dropped, *r.drops[reason])
	}
	if rows == 0 {
		read := 0
		for _, f := range r.files {
			read += f.Rows
		}
		return nil, nil, ErrorList{fmt.Errorf("tabular: no rows left: all %d rows read were dropped (%s)", read, dropSummary(rep.Dropped))}
	}
	numeric := make([][]float64, len(r.num))
	for j := range r.num {
		numeric[j] = r.num[j].slice()
		if r.spec.NonFinite == tabspec.NonFiniteClip {
			clips, err := clip(numeric[j])
			if err != nil {
				errs = append(errs, fmt.Errorf("tabular: column %q: %w", r.spec.Numeric[j], err))
				continue
			}
			for _, c := range clips {
				c.Column = r.spec.Numeric[j]
				rep.Clipped = append(rep.Clipped, c)
			}
		}
		n, with, err := impute(numeric[j])
		if err != nil {
			errs = append(errs, fmt.Errorf("tabular: column %q: %w", r.spec.Numeric[j], err))
			continue
		}
		if n > 0 {
			rep.Imputed = append(rep.Imputed, Imputation{Column: r.spec.Numeric[j], Values: n, With: with})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	for j, n := range r.imputed {
		if n > 0 {
			rep.Imputed = append(rep.Imputed, Imputation{Column: r.spec.Categorical[j], Values: n, With: tabspec.MissingLevel})
		}
	}
	t := &Table{
		Rows:             rows,
		NumericNames:     slices.Clone(r.spec.Numeric),
		Numeric:          numeric,
		CategoricalNames: slices.Clone(r.spec.Categorical),
		Categorical:      make([]Column, len(r.cats)),
		Label:            r.label.column(),
		Category:         Column{Levels: r.catNames, Codes: r.category.slice()},
		Anomaly:          r.anomaly.slice(),
		Source:           r.source.slice(),
		Files:            slices.Clone(r.spec.Files),
		Format:           r.spec.Format,
		Roles:            maps.Clone(r.spec.Roles),
		RoleScales:       maps.Clone(r.spec.RoleScales),
	}
	for j := range r.cats {
		t.Categorical[j] = r.cats[j].column()
	}
	if len(r.keys) > 0 {
		t.KeyNames = slices.Clone(r.spec.Keys)
		t.Keys = make([]Column, len(r.keys))
		for j := range r.keys {
			t.Keys[j] = r.keys[j].column()
		}
	}
	return t, rep, nil
}

func dropSummary(d []Drop) string {
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = fmt.Sprintf("%d for %s", x.Rows, x.Reason)
	}
	return strings.Join(parts, ", ")
}

// impute replaces the NaNs of col (its missing values) with the median of
// the others, returning how many it replaced and the median formatted.
// clip replaces col's +infinities with its largest finite value and its
// -infinities with its smallest (NaN, imputed later, ignored), and
// returns what it replaced, Column unset: an error when the column has
// infinities and no finite value.
func clip(col []float64) ([]Clip, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	var pos, neg int
	for _, v := range col {
		switch {
		case math.IsInf(v, 1):
			pos++
		case math.IsInf(v, -1):
			neg++
		case !math.IsNaN(v):
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if pos+neg == 0 {
		return nil, nil
	}
	if lo > hi {
		return nil, fmt.Errorf("every value is infinite or missing, so there is no finite range to clip its %d infinities to", pos+neg)
	}
	for i, v := range col {
		switch {
		case math.IsInf(v, 1):
			col[i] = hi
		case math.IsInf(v, -1):
			col[i] = lo
		}
	}
	var out []Clip
	if pos > 0 {
		out = append(out, Clip{Values: pos, With: strconv.FormatFloat(hi, 'g', -1, 64), Infinity: "+Inf"})
	}
	if neg > 0 {
		out = append(out, Clip{Values: neg, With: strconv.FormatFloat(lo, 'g', -1, 64), Infinity: "-Inf"})
	}
	return out, nil
}

func impute(col []float64) (int, string, error) {
	if !slices.ContainsFunc(col, math.IsNaN) {
		return 0, "", nil
	}
	present := make([]float64, 0, len(col))
	for _, v := range col {
		if !math.IsNaN(v) {
			present = append(present, v)
		}
	}
	n := len(col) - len(present)
	if n == 0 {
		return 0, "", nil
	}
	if len(present) == 0 {
		return 0, "", fmt.Errorf("every one of its %d values is missing, so there is no median to impute", n)
	}
	slices.Sort(present)
	m := present[len(present)/2]
	if len(present)%2 == 0 {
		a, b := present[len(present)/2-1], m
		m = a + (b-a)/2 // no overflow for large values of either sign
	}
	for i, v := range col {
		if math.IsNaN(v) {
			col[i] = m
		}
	}
	return n, strconv.FormatFloat(m, 'g', -1, 64), nil
}

// parseNumber parses a numeric field (already trimmed). It returns a note
// for the error message when s is not a finite decimal number.
func parseNumber(s string) (float64, bool, string) {
	switch s {
	case "True", "true", "TRUE":
		return 1, true, ""
	case "False", "false", "FALSE":
		return 0, true, ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, false, ""
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, false, " (out of the range of a 64-bit float)"
		}
		return 0, false, ""
	}
	return v, true, ""
}

// nonFiniteToken reads the spellings of infinity and NaN that tables
// write (Java's Infinity, numpy's inf, pandas' nan and their signed and
// capitalised forms): inf, infinity and nan, in any case, infinities with
// an optional sign.
func nonFiniteToken(s string) (float64, bool) {
	sign := 1.0
	t := s
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		if t[0] == '-' {
			sign = -1
		}
		t = t[1:]
	}
	switch strings.ToLower(t) {
	case "inf", "infinity":
		return math.Inf(int(sign)), true
	case "nan":
		if t == s { // a signed NaN is no spelling of anything
			return math.NaN(), true
		}
	}
	return 0, false
}

// numberError is the message for a numeric field that is not a number.
func numberError(field, note string) string {
	return fmt.Sprintf("want a number, got %s%s", strconv.Quote(field), note)
}

// trimSpace trims ASCII spaces and tabs.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
