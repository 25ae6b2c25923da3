// Package tableinit writes a starting experiment file for a flow table
// (harness init): it reads the table's CSV files, classifies every column
// (numeric, categorical, or ignored as a likely identifier, address,
// timestamp or constant, each with its reason in a comment), lists every
// label value with its count (normal values guessed, attack categories
// left for the user to confirm), suggests the roles the column names
// tell, with units where the names give them, the reading options the
// data needs (missing values, non-finite numbers, duplicates), and a time
// split when a timestamp column reads as times and leaves attacks and
// normal flows on both sides. The file it writes validates as it stands.
package tableinit

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDistinct bounds the distinct values kept per column.
const maxDistinct = 1000

// maxCategories is the most distinct values a text column may have to be
// suggested as a categorical feature.
const maxCategories = 100

// column is what the files say of one column.
type column struct {
	name      string
	values    map[string]int // distinct values, up to maxDistinct + 1
	many      bool           // more than maxDistinct distinct values
	numeric   int            // fields that read as finite numbers
	nonFinite int            // fields that read as an infinity or NaN token
	missing   int            // fields that are missing tokens
	text      int            // fields that read as none of these
}

// Options tune Suggest.
type Options struct {
	// Label names the label column; "" guesses it from the column names.
	Label string
	// Dir is the directory the experiment file will be in: the table's
	// paths are written relative to it.
	Dir string
}

// missingTokens are the reader's default missing-value tokens
// (tabspec.DefaultMissingTokens).
var missingTokens = []string{"", "?", "NA", "NaN", "null"}

// Suggest reads the CSV files (optionally gzip-compressed; the first line
// of each names the columns, every file the same) and returns the text of
// a starting experiment file for them.
func Suggest(files []string, opts Options) (string, error) {
	if len(files) == 0 {
		return "", errors.New("no table files")
	}
	var cols []*column
	var header []string
	rows, duplicates := 0, 0
	seen := map[uint64]bool{}
	for _, path := range files {
		lower := strings.ToLower(path)
		if strings.HasSuffix(lower, ".parquet") || strings.HasSuffix(lower, ".pq") {
			return "", fmt.Errorf("%s: harness init reads CSV tables (optionally .gz); write the experiment for a Parquet table by hand (docs/experiment-files.md, data.table)", path)
		}
		h, n, d, err := readFile(path, header, &cols, seen)
		if err != nil {
			return "", err
		}
		header = h
		rows += n
		duplicates += d
	}
	if rows == 0 {
		return "", fmt.Errorf("%s: no data rows", files[0])
	}
	label, err := findLabel(cols, opts.Label)
	if err != nil {
		return "", err
	}
	return render(files, cols, label, rows, duplicates, opts)
}

// readFile reads one CSV file into cols, checking its header against the
// first file's.
func readFile(path string, want []string, cols *[]*column, seen map[uint64]bool) (header []string, rows, dups int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	header = make([]string, len(rec))
	for i, h := range rec {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if header[i] == "" {
			return nil, 0, 0, fmt.Errorf("%s: column %d has no name in the header", path, i+1)
		}
		if slices.Contains(header[:i], header[i]) {
			return nil, 0, 0, fmt.Errorf("%s: column %q appears twice in the header", path, header[i])
		}
	}
	if want != nil && !slices.Equal(header, want) {
		return nil, 0, 0, fmt.Errorf("%s: its header differs from the first file's; every file of a table has the same columns", path)
	}
	// Duplicates are counted over the columns but those whose names mark
	// identifiers, addresses and timestamps, which no two rows share.
	skip := make([]bool, len(header))
	for i, h := range header {
		skip[i] = nameReason(h) != ""
	}
	if *cols == nil {
		for _, h := range header {
			*cols = append(*cols, &column{name: h, values: map[string]int{}})
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		rows++
		h := fnv.New64a()
		for i, v := range rec {
			if !skip[i] {
				h.Write([]byte(v))
				h.Write([]byte{0})
			}
			(*cols)[i].add(v)
		}
		if sum := h.Sum64(); seen[sum] {
			dups++ // a 64-bit hash equal to an earlier row's: a copy, but for a collision (the count is said to be "about")
		} else {
			seen[sum] = true
		}
	}
	return header, rows, dups, nil
}

func (c *column) add(v string) {
	t := strings.TrimSpace(v)
	switch {
	case slices.Contains(missingTokens, t):
		c.missing++
	case isNumber(t):
		c.numeric++
	case isNonFinite(t):
		c.nonFinite++
	default:
		c.text++
	}
	if c.many {
		return
	}
	c.values[v]++
	if len(c.values) > maxDistinct {
		c.many, c.values = true, nil
	}
}

func isNumber(s string) bool {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return false
	}
	l := strings.ToLower(s)
	return !strings.Contains(l, "inf") && !strings.Contains(l, "nan") && !strings.HasPrefix(l, "0x") && !strings.Contains(l, "_")
}

func isNonFinite(s string) bool {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
		return true
	}
	return false
}

// key is a column name folded for matching: lower case, letters and
// digits only.
func key(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// labelNames are the folded names a label column usually has.
var labelNames = []string{"label", "class", "attack", "attackcat", "category", "outcome", "target", "y"}

func findLabel(cols []*column, name string) (*column, error) {
	var names []string
	for _, c := range cols {
		names = append(names, c.name)
	}
	if name != "" {
		for _, c := range cols {
			if c.name == name || c.name == strings.TrimSpace(name) {
				return c, nil
			}
		}
		return nil, fmt.Errorf("-label %q is not a column (columns: %s)", name, strings.Join(names, ", "))
	}
	for _, want := range labelNames {
		for _, c := range cols {
			if key(c.name) == want {
				return c, nil
			}
		}
	}
	return nil, fmt.Errorf("no column is named like a label (%s): name it with -label (columns: %s)", strings.Join(labelNames, ", "), strings.Join(names, ", "))
}

// role is a role the column names may tell, with the folded names that
// tell it and the units some names give.
type role struct {
	name  string
	names []string
}

var roles = []role{
	{"duration", []string{"duration", "dur", "flowduration", "flowdurationus", "flowdurationms", "durationus", "durationms"}},
	{"bytes_sent", []string{"bytessent", "srcbytes", "sbytes", "totallengthoffwdpackets", "totlenfwdpkts", "fwdbytes", "bytes"}},
	{"packets_sent", []string{"packetssent", "srcpkts", "spkts", "totalfwdpackets", "totfwdpkts", "fwdpackets", "packets"}},
	{"protocol", []string{"protocol", "proto", "protocoltype"}},
	{"ports_contacted", []string{"portscontacted"}},
	{"cpu_usage", []string{"cpuusage"}},
	{"hour", []string{"hour"}},
}

// unitScale is the factor to seconds a duration column's name gives.
func unitScale(name string) (float64, string) {
	l := strings.ToLower(name)
	switch {
	case strings.Contains(l, "(us)") || strings.Contains(l, "_us") || strings.Contains(l, "µs") || strings.Contains(l, "micro"):
		return 1e-6, "microseconds"
	case strings.Contains(l, "(ms)") || strings.Contains(l, "_ms") || strings.Contains(l, "milli"):
		return 1e-3, "milliseconds"
	}
	return 1, ""
}

// Reasons a column's name gives to ignore it.
const (
	reasonID        = "an identifier"
	reasonAddress   = "an address: models would learn hosts, not behaviour"
	reasonTimestamp = "a timestamp: it orders the flows (a time split would use it), it does not describe them"
)

// nameReason says why a column's name marks it as an identifier, an
// address or a timestamp, or "". (An identifier by name is ignored only
// when it holds text: a numeric "id" may be a code.)
func nameReason(name string) string {
	k := key(name)
	switch {
	case k == "flowid" || k == "id" || strings.HasSuffix(k, "id"):
		return reasonID
	case k == "ip" || strings.HasSuffix(k, "ip") && (strings.HasPrefix(k, "src") || strings.HasPrefix(k, "dst") || strings.HasPrefix(k, "source") || strings.HasPrefix(k, "destination")),
		strings.Contains(k, "addr"):
		return reasonAddress
	case strings.Contains(k, "timestamp") || k == "ts" || k == "time" || k == "date" || k == "datetime" || k == "starttime" || k == "stime" || k == "ltime":
		return reasonTimestamp
	}
	return ""
}

// ignoreReason says why a column is better ignored, or "".
func ignoreReason(c *column, rows int) string {
	if why := nameReason(c.name); why != "" && (c.text > 0 || why != reasonID) {
		return why
	}
	switch {
	case c.numeric+c.nonFinite+c.text == 0:
		return "every value is missing"
	case !c.many && len(c.values) == 1:
		return "constant: one value in every row"
	case c.text > 0 && (c.many || len(c.values) > maxCategories):
		if !c.many && len(c.values) == rows {
			return "text with a distinct value in every row: an identifier"
		}
		return fmt.Sprintf("text with more than %d distinct values: likely an identifier", maxCategories)
	}
	return ""
}

// quote writes s as a YAML double-quoted scalar: JSON's escapes, and
// \u escapes for the characters YAML does not allow as they are (DEL and
// the C1 controls but U+0085). s must be valid UTF-8 (render checks).
func quote(s string) string {
	b, _ := json.Marshal(s)
	var out strings.Builder
	for _, r := range string(b) {
		if r == 0x7f || r >= 0x80 && r <= 0x9f && r != 0x85 {
			fmt.Fprintf(&out, "\\u%04x", r)
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// render writes the experiment file.
func render(files []string, cols []*column, label *column, rows, duplicates int, opts Options) (string, error) {
	var numeric, categorical, ignore []string
	var b strings.Builder
	classify := map[string]string{}
	for _, c := range cols {
		if c == label {
			continue
		}
		if why := ignoreReason(c, rows); why != "" {
			ignore = append(ignore, c.name)
			classify[c.name] = "ignored: " + why
			continue
		}
		if c.text == 0 {
			numeric = append(numeric, c.name)
			classify[c.name] = "numeric"
			if c.nonFinite > 0 {
				classify[c.name] += fmt.Sprintf(" (%d non-finite values)", c.nonFinite)
			}
		} else {
			categorical = append(categorical, c.name)
			classify[c.name] = fmt.Sprintf("categorical, %d values", len(c.values))
		}
		if c.missing > 0 {
			classify[c.name] += fmt.Sprintf(", %d missing", c.missing)
		}
	}
	if len(numeric)+len(categorical) == 0 {
		return "", errors.New("no column is usable as a feature: every one is the label or ignored")
	}
	for _, c := range cols {
		if !utf8.ValidString(c.name) {
			return "", fmt.Errorf("column name %q is not valid UTF-8, which an experiment file cannot hold", c.name)
		}
	}
	for v := range label.values {
		if !utf8.ValidString(v) {
			return "", fmt.Errorf("label value %q of column %q is not valid UTF-8, which an experiment file cannot hold", v, label.name)
		}
	}
	if label.many {
		return "", fmt.Errorf("label column %q has more than %d distinct values: name the label with -label", label.name, maxDistinct)
	}
	// Label values: normal guessed, every other value its own category.
	type lv struct {
		value string
		n     int
	}
	var values []lv
	labelMissing := 0
	for v, n := range label.values {
		if slices.Contains(missingTokens, v) {
			labelMissing += n // the reader reads these as missing labels
			continue
		}
		values = append(values, lv{v, n})
	}
	if len(values) < 2 {
		return "", fmt.Errorf("label column %q has %d label value(s) besides missing ones: a detector needs normal and attack rows (name the label with -label)", label.name, len(values))
	}
	slices.SortFunc(values, func(a, b lv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.value, b.value)
	})
	var normal []string
	for _, v := range values {
		switch strings.ToLower(strings.TrimSpace(v.value)) {
		case "normal", "benign", "legitimate", "background", "0", "false":
			normal = append(normal, v.value)
		}
	}
	guessedNormal := false
	if len(normal) == 0 {
		normal, guessedNormal = []string{values[0].value}, true
	}
	if len(normal) == len(values) {
		return "", fmt.Errorf("label column %q holds normal values only (%d): there are no attacks to detect", label.name, len(values))
	}
	used := map[string]bool{"normal": true}
	category := func(v string) string {
		var c strings.Builder
		// A category is a name: lower-case ASCII letters, digits and _, at
		// most 64 characters, starting with a letter or digit.
		for _, r := range strings.ToLower(strings.TrimSpace(v)) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				c.WriteRune(r)
			} else if c.Len() > 0 && !strings.HasSuffix(c.String(), "_") {
				c.WriteByte('_')
			}
		}
		name := c.String()
		if len(name) > 56 {
			name = name[:56]
		}
		name = strings.TrimSuffix(name, "_")
		if name == "" || name == "normal" {
			name = "attack"
		}
		base := name
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		used[name] = true
		return name
	}
	// Roles from the column names.
	type roleUse struct {
		role, column string
		scale        float64
		unit         string
	}
	var roleUses []roleUse
	for _, r := range roles {
		for _, c := range cols {
			if !slices.Contains(r.names, key(c.name)) || c == label || strings.HasPrefix(classify[c.name], "ignored") {
				continue
			}
			if r.name != "protocol" && c.text > 0 {
				continue // a numeric role needs a numeric column
			}
			u := roleUse{role: r.name, column: c.name, scale: 1}
			if r.name == "duration" {
				u.scale, u.unit = unitScale(c.name)
			}
			roleUses = append(roleUses, u)
			break
		}
	}
	missing, nonFinite := 0, 0
	for _, c := range cols {
		if c != label && !strings.HasPrefix(classify[c.name], "ignored") {
			missing += c.missing
			nonFinite += c.nonFinite
		}
	}

	name := "table"
	if base := strings.ToLower(filepath.Base(files[0])); base != "" {
		var n strings.Builder
		for _, r := range base {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				n.WriteRune(r)
			} else if n.Len() > 0 && !strings.HasSuffix(n.String(), "-") {
				n.WriteByte('-')
			}
		}
		if s := strings.Trim(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n.String(), "-gz"), "-csv"), "-txt"), "-"); s != "" {
			name = s
		}
	}
	fmt.Fprintf(&b, "# Written by harness init from %s: %d rows, %d columns. Check every\n", strings.Join(files, ", "), rows, len(cols))
	b.WriteString("# guess below (marked CONFIRM), then run it: harness run FILE.yaml\n")
	fmt.Fprintf(&b, "name: %s\n", quote(name))
	b.WriteString("seeds: [1, 2, 3]\ndata:\n  source: table\n  table:\n    files: [")
	for i, f := range files {
		if i > 0 {
			b.WriteString(", ")
		}
		rel := f
		if r, err := filepath.Rel(opts.Dir, f); err == nil && !filepath.IsAbs(f) == !filepath.IsAbs(opts.Dir) {
			rel = r
		}
		b.WriteString(quote(filepath.ToSlash(rel)))
	}
	b.WriteString("]\n    header: true\n")
	fmt.Fprintf(&b, "    label: %s\n", quote(label.name))
	fmt.Fprintf(&b, "    # Label values and their rows (%d in all).", rows)
	if guessedNormal {
		b.WriteString(" CONFIRM normal: no value reads as normal traffic, so the most frequent is taken")
	}
	b.WriteString("\n")
	for _, v := range values {
		fmt.Fprintf(&b, "    #   %-30s %d\n", quote(v.value), v.n)
	}
	b.WriteString("    normal: [")
	for i, v := range normal {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(v))
	}
	b.WriteString("]\n    # CONFIRM the attack categories: each attack label is its own category here;\n")
	b.WriteString("    # group them (dos: [neptune, smurf], ...) as your analysis needs.\n    categories:\n")
	for _, v := range values {
		if slices.Contains(normal, v.value) {
			continue
		}
		fmt.Fprintf(&b, "      %s: [%s]\n", quote(category(v.value)), quote(v.value))
	}
	list := func(key string, names []string) {
		if len(names) == 0 {
			return
		}
		fmt.Fprintf(&b, "    %s:\n", key)
		for _, n := range names {
			fmt.Fprintf(&b, "      - %s  # %s\n", quote(n), classify[n])
		}
	}
	list("numeric", numeric)
	list("categorical", categorical)
	list("ignore", ignore)
	if len(roleUses) > 0 {
		b.WriteString("    # Roles suggested from the column names: the engineered features they feed\n")
		b.WriteString("    # (docs/experiment-files.md). CONFIRM the units: a duration is in seconds.\n    roles:\n")
		for _, u := range roleUses {
			switch {
			case u.scale != 1:
				fmt.Fprintf(&b, "      %s: {column: %s, scale: %g}  # the name says %s\n", u.role, quote(u.column), u.scale, u.unit)
			case u.role == "duration":
				fmt.Fprintf(&b, "      %s: %s  # in seconds? CICFlowMeter writes microseconds: then {column: %s, scale: 1e-6}\n", u.role, quote(u.column), quote(u.column))
			default:
				fmt.Fprintf(&b, "      %s: %s\n", u.role, quote(u.column))
			}
		}
	}
	switch {
	case labelMissing > 0:
		fmt.Fprintf(&b, "    missing: drop  # %d rows without a label (never imputed), %d missing values in the feature columns\n", labelMissing, missing)
	case missing > 0:
		fmt.Fprintf(&b, "    missing: impute  # %d missing values in the feature columns (drop to drop their rows)\n", missing)
	}
	if nonFinite > 0 {
		fmt.Fprintf(&b, "    nonfinite: clip  # %d infinities or NaN in numeric columns (drop to drop their rows)\n", nonFinite)
	}
	// A time split when a timestamp column allows one.
	var ts timeProposal
	for _, c := range ignore {
		if strings.Contains(classify[c], "timestamp") {
			ts = proposeTimeSplit(files, c, label.name, normal)
			break
		}
	}
	b.WriteString("split:\n")
	switch {
	case ts.ok:
		fmt.Fprintf(&b, "  # %s orders the flows: train on the earlier %g%%, test on the latest %g%%\n", quote(ts.column), 100*(1-testFraction), 100*testFraction)
		fmt.Fprintf(&b, "  # (from %s), as a deployed model meets tomorrow's traffic. For a random\n", ts.cut)
		b.WriteString("  # split instead, remove by, column and the time keys, and add stratify: anomaly_type.\n")
		fmt.Fprintf(&b, "  by: time\n  column: %s\n", quote(ts.column))
		switch {
		case ts.layout != "" && ts.confirm != "":
			fmt.Fprintf(&b, "  time_format: %s  # CONFIRM: %s\n", quote(ts.layout), ts.confirm)
		case ts.layout != "":
			fmt.Fprintf(&b, "  time_format: %s\n", quote(ts.layout))
		case ts.unit != "":
			fmt.Fprintf(&b, "  time_unit: %s  # CONFIRM: numbers since the epoch, in %s by their size\n", ts.unit, map[string]string{"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}[ts.unit])
		}
		fmt.Fprintf(&b, "  test_fraction: %g\n", testFraction)
	default:
		if ts.column != "" {
			fmt.Fprintf(&b, "  # %s orders the flows, but no time split is written: %s.\n", quote(ts.column), ts.why)
		}
		fmt.Fprintf(&b, "  test_fraction: %g\n  stratify: anomaly_type\n", testFraction)
	}
	if duplicates > 0 {
		fmt.Fprintf(&b, "  dedupe: exact  # about %d rows repeat an earlier row: without this, copies land on both sides\n", duplicates)
	}
	b.WriteString(`models:
  - {name: random_forest, kind: random_forest, splitter: hist}
  - {name: isolation_forest, kind: isolation_forest, contamination: 0.05}
targets:
  # The notebook's success metrics.
  - {model: random_forest, metric: detection_rate, ">=": 0.95}
  - {model: random_forest, metric: false_positive_rate, "<": 0.05}
  - {model: leakage, metric: cross_split_duplicate_share, "<=": 0.01}
`)
	return b.String(), nil
}
