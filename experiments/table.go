package experiments

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/datasets/tabular/tabspec"
	"github.com/segharness/harness/internal/suggest"
	"github.com/segharness/harness/internal/synth"
)

// SourceTable reads any flow table through a declared column mapping
// (datasets/tabular): real data such as NSL-KDD.
const SourceTable = "table"

// Table is data.table: the files of a table source and how their columns
// map to roles (tabspec.Mapping). Paths are as written: relative to the
// experiment file. The parser fills in Missing and MissingTokens; with a
// Preset the other mapping fields stay empty: the preset gives them.
type Table struct {
	// Preset names a known mapping (tabspec.Presets); the mapping keys
	// are then not allowed.
	Preset string
	// Files are read in order as the training data, or as all the data
	// when Test is empty (then split by split.test_fraction).
	Files []string
	// Test are separate test files; nil: none.
	Test []string

	tabspec.Mapping
}

// TableDetectorMetrics are the metrics detectors also produce with a table
// source whose test files are separate: detection among attacks whose
// label occurs in the training files, and among those whose label does
// not.
var TableDetectorMetrics = []string{"detection_rate_seen_attacks", "detection_rate_unseen_attacks"}

// tableMappingKeys are the keys a preset sets.
var tableMappingKeys = []string{"header", "columns", "label", "normal", "categories", "numeric", "categorical", "ignore", "roles"}

// CategoryNames returns the table's attack categories, sorted: the
// preset's or the declared ones.
func (t *Table) CategoryNames() []string {
	cats := t.Categories
	if preset := tabspec.Presets[t.Preset]; preset != nil {
		cats = preset().Categories
	}
	return slices.Sorted(maps.Keys(cats))
}

// cloneTable returns a deep copy.
func cloneTable(t Table) Table {
	c := t
	c.Files = slices.Clone(t.Files)
	c.Test = slices.Clone(t.Test)
	c.Mapping = t.Mapping.Clone()
	return c
}

// listItem is a decoded list entry and its node.
type listItem struct {
	value string
	node  *yaml.Node
}

// stringList decodes a list of strings, each checked by c, none repeated;
// what names the entries in messages (column, label value, ...). A repeat
// is reported and dropped; ok is false, and the path bad, when an entry
// could not be decoded. An empty list gives an empty, non-nil result.
func stringList(p *parser, n *yaml.Node, path, what string, c conv[string]) ([]listItem, bool) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want a list, like [a, b], got %s", describe(n))
		p.bad[path] = true
		return nil, false
	}
	out := make([]listItem, 0, len(n.Content))
	ok := true
	for _, item := range n.Content {
		v, good := c(p, item, path)
		if !good {
			ok = false
			continue
		}
		if i := slices.IndexFunc(out, func(it listItem) bool { return it.value == v }); i >= 0 {
			// Reported, but the list's values are still known.
			p.errorf(item, path, "%s %q listed twice (first at %s)", what, v, at(out[i].node))
			continue
		}
		out = append(out, listItem{v, item})
	}
	if !ok {
		p.bad[path] = true
	}
	return out, ok
}

func values(items []listItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.value
	}
	return out
}

// columnName accepts a non-empty string.
func columnName(p *parser, n *yaml.Node, path string) (string, bool) {
	s, ok := text(p, n, path)
	if ok && s == "" {
		p.errorf(n, path, "empty column name")
		return "", false
	}
	return s, ok
}

// missingToken accepts a string, explaining that a bare null is no value.
func missingToken(p *parser, n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		p.errorf(n, path, "%s is no value in YAML: quote it (\"%s\") to make it a token", cmp.Or(n.Value, "an empty entry"), cmp.Or(n.Value, ""))
		return "", false
	}
	return text(p, n, path)
}

// tableFormats are the file name endings the reader knows.
var tableFormats = []string{".csv", ".txt", ".csv.gz", ".txt.gz", ".parquet", ".pq"}

// tableFile accepts a path to a file. checkTableFormats checks that its
// extension names a format the reader knows, unless format is declared;
// CheckFiles checks the file, and that the table's files (path's parent)
// are distinct files.
func (p *parser) tableFile(_ *parser, n *yaml.Node, path string) (string, bool) {
	s, ok := text(p, n, path)
	if !ok {
		return "", false
	}
	dot := strings.LastIndex(path, ".")
	p.fileRef(n, path, s, dataFile, path[:dot], path[dot+1:])
	return s, true
}

// tableNodes keeps the nodes of a table's entries for the checks that
// need several keys.
type tableNodes struct {
	present                      map[string]*yaml.Node
	files, test, columns, normal []listItem
	numeric, categorical, ignore []listItem
	categories                   map[string][]listItem
	categoryKeys                 map[string]*yaml.Node // category -> its key
	roleValues                   map[string]*yaml.Node // role -> its column's node
}

// table decodes data.table.
func (p *parser) table(n *yaml.Node, path string) {
	if p.zip != 0 {
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
		p.bad[path] = true
		return
	}
	t := &p.spec.Data.Table
	p.pos[path] = n
	tn := &tableNodes{categories: map[string][]listItem{}, categoryKeys: map[string]*yaml.Node{}, roleValues: map[string]*yaml.Node{}}
	list := func(dst *[]listItem, what string, c conv[string]) func(*yaml.Node, string) {
		return func(n *yaml.Node, path string) {
			*dst, _ = stringList(p, n, path, what, c)
		}
	}
	var roleFields []field
	for _, role := range tabspec.KnownRoles {
		setColumn := func(n *yaml.Node, path string) {
			value(p, n, path, columnName, func(v string) {
				if t.Roles == nil {
					t.Roles = map[string]string{}
				}
				t.Roles[role] = v
				tn.roleValues[role] = n
			})
		}
		roleFields = append(roleFields, field{role, func(n *yaml.Node, path string) {
			if n.Kind != yaml.MappingNode {
				setColumn(n, path)
				return
			}
			// {column: C, scale: s}: the column in units s times the role's.
			p.mapping(n, path, []field{
				{"column", setColumn},
				{"scale", func(n *yaml.Node, path string) {
					value(p, n, path, number(0, math.MaxFloat64, false, true), func(v float64) {
						if t.RoleScales == nil {
							t.RoleScales = map[string]float64{}
						}
						t.RoleScales[role] = v
					})
				}},
			}, "column")
		}})
	}
	tn.present = p.mapping(n, path, []field{
		{"preset", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf(slices.Sorted(maps.Keys(tabspec.Presets))...), func(v string) { t.Preset = v })
		}},
		{"files", list(&tn.files, "file", p.tableFile)},
		{"test", list(&tn.test, "file", p.tableFile)},
		{"format", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf(tabspec.Formats...), func(v string) { t.Format = v })
		}},
		{"header", func(n *yaml.Node, path string) { value(p, n, path, boolean, func(v bool) { t.Header = v }) }},
		{"columns", list(&tn.columns, "column", columnName)},
		{"label", func(n *yaml.Node, path string) { value(p, n, path, columnName, func(v string) { t.Label = v }) }},
		{"normal", list(&tn.normal, "label value", text)},
		{"categories", func(n *yaml.Node, path string) { p.tableCategories(n, path, tn) }},
		{"numeric", list(&tn.numeric, "column", columnName)},
		{"categorical", list(&tn.categorical, "column", columnName)},
		{"ignore", list(&tn.ignore, "column", columnName)},
		{"roles", func(n *yaml.Node, path string) { p.mapping(n, path, roleFields) }},
		{"missing", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf(tabspec.MissingPolicies...), func(v string) { t.Missing = v })
		}},
		{"nonfinite", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf(tabspec.NonFinitePolicies...), func(v string) { t.NonFinite = v })
		}},
		{"missing_tokens", func(n *yaml.Node, path string) {
			items, ok := stringList(p, n, path, "token", missingToken)
			if ok {
				t.MissingTokens = values(items)
			}
		}},
	}, "files")
	if tn.present == nil {
		return
	}
	nonEmpty := func(items []listItem) []string {
		if len(items) == 0 {
			return nil
		}
		return values(items)
	}
	t.Files, t.Test, t.Columns, t.Normal = nonEmpty(tn.files), nonEmpty(tn.test), nonEmpty(tn.columns), nonEmpty(tn.normal)
	t.Numeric, t.Categorical, t.Ignore = nonEmpty(tn.numeric), nonEmpty(tn.categorical), nonEmpty(tn.ignore)
	if len(tn.categories) > 0 {
		t.Categories = map[string][]string{}
		for k, v := range tn.categories {
			t.Categories[k] = values(v)
		}
	}
	if t.Missing == "" {
		t.Missing = tabspec.MissingError
	}
	if t.NonFinite == "" {
		t.NonFinite = tabspec.NonFiniteError
	}
	if tn.present["missing_tokens"] == nil {
		t.MissingTokens = slices.Clone(tabspec.DefaultMissingTokens)
	}
	p.checkTableFormats(path, tn)
	p.checkTableFiles(path, tn)
	if t.Preset != "" {
		for _, k := range tableMappingKeys {
			if kn := tn.present[k]; kn != nil {
				p.errorf(kn, join(path, k), "not allowed with preset: %s (the preset maps the columns)", t.Preset)
			}
		}
		return
	}
	if tn.present["preset"] == nil || !p.bad[join(path, "preset")] {
		p.checkTableMapping(n, path, tn)
	}
}

// tableCategories decodes data.table.categories: category -> label values.
func (p *parser) tableCategories(n *yaml.Node, path string, tn *tableNodes) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping of attack category to label values, like {dos: [neptune, smurf]}, got %s", describe(n))
		p.bad[path] = true
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, ok := identifier(p, k, path)
		if !ok {
			p.bad[path] = true
			continue
		}
		kp := join(path, name)
		switch {
		case tn.categoryKeys[name] != nil:
			p.errorf(k, kp, "key appears twice (first at %s)", at(tn.categoryKeys[name]))
			p.bad[path] = true
			continue
		case name == tabspec.NormalCategory:
			p.errorf(k, kp, "%q is reserved for normal traffic: list its label values in normal", name)
			p.bad[path] = true
			continue
		case v.Kind == yaml.AliasNode || v.Anchor != "":
			p.errorf(v, kp, "anchors and aliases are not supported")
			p.bad[path] = true
			continue
		}
		tn.categoryKeys[name] = k
		items, ok := stringList(p, v, kp, "label value", text)
		if !ok {
			p.bad[path] = true
			continue
		}
		if len(items) == 0 {
			p.errorf(v, kp, "empty: list the label values of category %s", name)
			p.bad[path] = true
			continue
		}
		tn.categories[name] = items
	}
}

// checkTableFormats checks that each file's extension tells its format,
// unless format is declared.
func (p *parser) checkTableFormats(path string, tn *tableNodes) {
	if tn.present["format"] != nil {
		return
	}
	for _, k := range []string{"files", "test"} {
		for i, it := range map[string][]listItem{"files": tn.files, "test": tn.test}[k] {
			lower := strings.ToLower(it.value)
			if !slices.ContainsFunc(tableFormats, func(ext string) bool { return strings.HasSuffix(lower, ext) }) {
				at := fmt.Sprintf("%s[%d]", join(path, k), i)
				p.errorf(it.node, join(path, k), "cannot tell the format of %s from its extension (want %s): declare it with format: %s",
					it.value, strings.Join(tableFormats, ", "), strings.Join(tabspec.Formats, ", "))
				p.bad[at] = true
			}
		}
	}
}

// tableParquet says whether the table file named file is read as Parquet.
func tableParquet(t *Table, file string) bool {
	if t.Format != "" {
		return t.Format == tabspec.FormatParquet
	}
	lower := strings.ToLower(file)
	return strings.HasSuffix(lower, ".parquet") || strings.HasSuffix(lower, ".pq")
}

// checkTableFiles checks the file lists: not empty, and the column names
// that files without a header need. (CheckFiles checks that no file is
// both training and test data.)
func (p *parser) checkTableFiles(path string, tn *tableNodes) {
	t := &p.spec.Data.Table
	for _, k := range []string{"files", "test"} {
		if kn := tn.present[k]; kn != nil && !p.bad[join(path, k)] {
			if items := map[string][]listItem{"files": tn.files, "test": tn.test}[k]; len(items) == 0 {
				p.errorf(kn, join(path, k), "empty list: name at least one file")
				p.bad[join(path, k)] = true
			}
		}
	}
	if t.Preset != "" || t.Header || len(tn.columns) > 0 || p.bad[join(path, "columns")] || p.bad[join(path, "header")] {
		return
	}
	for _, it := range slices.Concat(tn.files, tn.test) {
		if !tableParquet(t, it.value) {
			at := tn.present["header"]
			if at == nil {
				at = it.node
			}
			p.errorf(at, join(path, "header"), "the CSV files have no header (header: false, the default): list their columns in columns, or set header: true")
			return
		}
	}
}

// checkTableMapping checks a declared mapping as tabspec.Spec.Check
// does, pointing at the entries at fault.
func (p *parser) checkTableMapping(n *yaml.Node, path string, tn *tableNodes) {
	t := &p.spec.Data.Table
	missing := func(key, why string) {
		if tn.present[key] == nil {
			p.errorf(n, path, "missing key %q (%s, or name a preset)", key, why)
			p.bad[join(path, key)] = true
		}
	}
	missing("label", "the column holding each row's label")
	missing("normal", "the label values of normal traffic")
	missing("categories", "the attack categories and their label values")
	if kn := tn.present["normal"]; kn != nil && !p.bad[join(path, "normal")] && len(tn.normal) == 0 {
		p.errorf(kn, join(path, "normal"), "empty list: name the label values of normal traffic")
	}
	if kn := tn.present["categories"]; kn != nil && !p.bad[join(path, "categories")] && len(tn.categories) == 0 {
		p.errorf(kn, join(path, "categories"), "empty: declare at least one attack category")
	}
	if tn.present["numeric"] == nil && tn.present["categorical"] == nil ||
		len(tn.numeric)+len(tn.categorical) == 0 && !p.anyBad(join(path, "numeric"), join(path, "categorical")) {
		at := tn.present["numeric"]
		if at == nil {
			at = n
		}
		p.errorf(at, path, "no features: list numeric and/or categorical columns")
	}

	// Every column in one role.
	type entry struct {
		col, role string
		node      *yaml.Node
	}
	var entries []entry
	if kn := tn.present["label"]; kn != nil && t.Label != "" {
		entries = append(entries, entry{t.Label, "the label", p.pos[join(path, "label")]})
	}
	for _, l := range []struct {
		role  string
		items []listItem
	}{{"numeric", tn.numeric}, {"categorical", tn.categorical}, {"ignored", tn.ignore}} {
		for _, it := range l.items {
			entries = append(entries, entry{it.value, l.role, it.node})
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return byPosition(a.node, b.node) })
	roleOf := map[string]entry{}
	for _, e := range entries {
		if first, ok := roleOf[e.col]; ok {
			p.errorf(e.node, path+"."+roleKey(e.role), "column %q is both %s (at %s) and %s: give each column one role", e.col, first.role, at(first.node), e.role)
			continue
		}
		roleOf[e.col] = e
	}
	if len(tn.columns) > 0 {
		var unmapped []string
		var first *yaml.Node
		for _, it := range tn.columns {
			if _, ok := roleOf[it.value]; !ok {
				unmapped = append(unmapped, fmt.Sprintf("%q", it.value))
				if first == nil {
					first = it.node
				}
			}
		}
		if len(unmapped) > 0 && !p.anyBad(join(path, "label"), join(path, "numeric"), join(path, "categorical"), join(path, "ignore")) {
			p.errorf(first, join(path, "columns"), "unmapped columns %s: make each the label or list it in numeric, categorical or ignore", strings.Join(unmapped, ", "))
		}
		cols := values(tn.columns)
		for _, e := range entries {
			if !slices.Contains(cols, e.col) && roleOf[e.col].node == e.node {
				msg := fmt.Sprintf("column %q is %s but not in columns", e.col, e.role)
				if c := suggest.Closest(e.col, cols); c != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", c)
				}
				p.errorf(e.node, path+"."+roleKey(e.role), "%s", msg)
			}
		}
	}

	// Every label value in normal or in exactly one category, none a
	// missing-value token.
	type claim struct {
		it        listItem
		who, path string
	}
	var claims []claim
	for _, it := range tn.normal {
		claims = append(claims, claim{it, "normal", join(path, "normal")})
	}
	for name, items := range tn.categories {
		for _, it := range items {
			claims = append(claims, claim{it, "category " + name, join(join(path, "categories"), name)})
		}
	}
	// In file order, so that the later of two claims is the one reported.
	slices.SortFunc(claims, func(a, b claim) int { return byPosition(a.it.node, b.it.node) })
	owner := map[string]claim{}
	for _, c := range claims {
		v := c.it.value
		if slices.Contains(t.MissingTokens, v) {
			p.errorf(c.it.node, c.path, "label value %q is a missing-value token (see missing_tokens)", v)
		} else if first, ok := owner[v]; ok {
			p.errorf(c.it.node, c.path, "label value %q is already in %s (at %s): a label value belongs to normal or to one category", v, first.who, at(first.it.node))
		} else {
			owner[v] = c
		}
	}

	// Roles name numeric or categorical columns.
	for _, role := range tabspec.KnownRoles {
		vn := tn.roleValues[role]
		if vn == nil {
			continue
		}
		col := t.Roles[role]
		switch e, ok := roleOf[col]; {
		case ok && e.role == "categorical" && t.RoleScales[role] != 0:
			p.errorf(vn, join(join(path, "roles"), role), "column %q is categorical, so it has no unit to scale: drop scale", col)
		case ok && (e.role == "numeric" || e.role == "categorical"):
		case ok:
			p.errorf(vn, join(join(path, "roles"), role), "column %q is %s; a role's column must be numeric or categorical", col, e.role)
		case !p.anyBad(join(path, "numeric"), join(path, "categorical")):
			msg := fmt.Sprintf("column %q is not listed in numeric or categorical", col)
			if c := suggest.Closest(col, slices.Concat(t.Numeric, t.Categorical)); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
			}
			p.errorf(vn, join(join(path, "roles"), role), "%s; a role's column must be numeric or categorical", msg)
		}
	}
}

// byPosition orders nodes by line, then column.
func byPosition(a, b *yaml.Node) int {
	return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
}

// roleKey returns the key of data.table that gives a column a role.
func roleKey(role string) string {
	switch role {
	case "the label":
		return "label"
	case "ignored":
		return "ignore"
	}
	return role
}

// checkTable checks what a table source excludes: the parts of the
// harness that need the synthetic flow schema, the feature sets, and the
// split's random test set when the test files are given. (monitoring,
// which needs generated data, is checked by checkMonitoring.)
func (p *parser) checkTable() {
	if p.spec.Data.Source != SourceTable {
		return
	}
	schema := "it needs the synthetic flow schema (departments, devices, hours)"
	for _, c := range []struct {
		key, why string
		enabled  bool
	}{
		{"features", "the features are the table's numeric and categorical columns (data.table)", p.pos["features"] != nil},
		{"export_model", schema, p.spec.ExportModel},
		{"incident", schema, p.pos["incident"] != nil},
		{"policy", schema, p.pos["policy"] != nil && p.spec.Policy.Enabled},
	} {
		if c.enabled {
			at := p.pos[c.key]
			if at == nil {
				at = p.pos["data"]
			}
			p.errorf(at, c.key, "not available with data.source: table: %s", c.why)
		}
	}
	if len(p.spec.Data.Table.Test) > 0 {
		for _, k := range []string{"split.test_fraction", "split.stratify"} {
			if n := p.pos[k]; n != nil {
				p.errorf(n, k, "not used with data.table.test: the test files are the test set")
			}
		}
	}
}

// anomalyTypes returns the values targets' anomaly_type may take: the
// injectable types, or a table's attack categories.
func (p *parser) anomalyTypes() []string {
	if p.spec.Data.Source == SourceTable {
		return p.spec.Data.Table.CategoryNames()
	}
	return synth.InjectableTypes
}

// tableNode renders data.table for spec.resolved.yaml.
func tableNode(t *Table) *yaml.Node {
	n := mapping()
	add := func(key string, v *yaml.Node) { n.Content = append(n.Content, str(key), v) }
	if t.Preset != "" {
		add("preset", str(t.Preset))
	}
	add("files", textList(t.Files))
	if len(t.Test) > 0 {
		add("test", textList(t.Test))
	}
	if t.Preset == "" {
		add("header", boolNode(t.Header))
		if len(t.Columns) > 0 {
			add("columns", textList(t.Columns))
		}
		add("label", str(t.Label))
		add("normal", textList(t.Normal))
		cats := mapping()
		for _, name := range slices.Sorted(maps.Keys(t.Categories)) {
			cats.Content = append(cats.Content, str(name), textList(t.Categories[name]))
		}
		add("categories", cats)
		for _, l := range []struct {
			key  string
			cols []string
		}{{"numeric", t.Numeric}, {"categorical", t.Categorical}, {"ignore", t.Ignore}} {
			if len(l.cols) > 0 {
				add(l.key, textList(l.cols))
			}
		}
		if len(t.Roles) > 0 {
			roles := mapping()
			for _, r := range tabspec.KnownRoles {
				col, ok := t.Roles[r]
				switch scale, scaled := t.RoleScales[r]; {
				case ok && scaled:
					v := mapping()
					v.Content = append(v.Content, str("column"), str(col), str("scale"),
						&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: formatFloat(scale)})
					roles.Content = append(roles.Content, str(r), v)
				case ok:
					roles.Content = append(roles.Content, str(r), str(col))
				}
			}
			add("roles", flowStyled(roles))
		}
	}
	add("missing", str(t.Missing))
	add("missing_tokens", textList(t.MissingTokens))
	if t.NonFinite != tabspec.NonFiniteError {
		add("nonfinite", str(t.NonFinite))
	}
	if t.Format != "" {
		add("format", str(t.Format))
	}
	return n
}

// textList renders strings as a flow list of strings, never numbers.
func textList(values []string) *yaml.Node {
	n := seq(true)
	for _, v := range values {
		n.Content = append(n.Content, str(v))
	}
	return n
}

// mapping returns the table's mapping: its preset's, or the declared one.
func (t *Table) mapping() tabspec.Mapping {
	if preset := tabspec.Presets[t.Preset]; preset != nil {
		return preset()
	}
	return t.Mapping
}

// splitValues returns the values split.by takes over the sweep: the
// file's, or every value of its axis.
func (p *parser) splitValues() []string {
	for _, a := range p.axes {
		if a.Path == "split.by" {
			return a.Values
		}
	}
	return []string{p.spec.Split.By}
}

// checkSplit checks the split's keys against its method (or methods, when
// split.by is swept): a method's key without split.by is an error, as is
// a method the data source cannot split by.
func (p *parser) checkSplit() {
	if p.bad["split.by"] {
		return
	}
	by := p.splitValues()
	uses := func(methods ...string) bool {
		return slices.ContainsFunc(by, func(m string) bool { return slices.Contains(methods, m) })
	}
	only := func(methods ...string) bool {
		return !slices.ContainsFunc(by, func(m string) bool { return !slices.Contains(methods, m) })
	}
	s := &p.spec.Split
	at := func(key string) *yaml.Node {
		if n := p.pos[key]; n != nil {
			return n
		}
		if n := p.pos["split"]; n != nil {
			return n
		}
		return p.pos["split.by"]
	}
	// A key of a method not in use is an error when split.by is not
	// given (the likely slip: the method forgotten); with split.by given
	// it is kept, as spec.resolved.yaml's template keeps the keys of
	// every method a swept split.by uses.
	unused := func(key, methods string) {
		if n := p.pos[key]; n != nil && p.pos["split.by"] == nil {
			p.errorf(n, key, "applies to split.by %s only, and split.by is %s (the default): give split.by", methods, strings.Join(by, ", "))
		}
	}
	if !uses(SplitTime, SplitGroup) {
		unused("split.column", "time or group")
	}
	if !uses(SplitTime) {
		unused("split.gap", "time")
		unused("split.time_format", "time")
		unused("split.time_unit", "time")
	}
	if !uses(SplitKFold) {
		unused("split.folds", "kfold")
	}
	if only(SplitKFold) && p.pos["split.test_fraction"] != nil {
		p.errorf(p.pos["split.test_fraction"], "split.test_fraction", "not used with split.by kfold: each trial's test side is one fold, 1/%d of the rows (split.folds)", s.Folds)
	}
	if only(SplitTime) && p.pos["split.stratify"] != nil {
		p.errorf(p.pos["split.stratify"], "split.stratify", "not used with split.by time: the test side is the latest rows, whatever their labels")
	}
	if !uses(SplitTime, SplitGroup, SplitKFold) {
		return
	}
	table := p.spec.Data.Source == SourceTable
	if uses(SplitTime, SplitGroup) && !table && !p.bad["data.source"] {
		p.errorf(at("split.by"), "split.by", "time and group split a table by one of its columns: they need data.source table (the %s source has no timestamp or host column to split by)", p.spec.Data.Source)
		return
	}
	if table && len(p.spec.Data.Table.Test) > 0 {
		p.errorf(at("split.by"), "split.by", "%s splits the rows of data.table.files; with data.table.test the test files are the test set: drop one of them", strings.Join(by, ", "))
		return
	}
	if !uses(SplitTime, SplitGroup) {
		return
	}
	if s.Column == "" {
		if !p.bad["split.column"] {
			p.errorf(at("split.by"), "split.by", "missing key \"split.column\": the table column a %s split goes by", strings.Join(by, " or "))
		}
		return
	}
	m := p.spec.Data.Table.mapping()
	if p.anyBad("data.table", "data.table.preset") {
		return
	}
	cols := slices.Concat(m.Numeric, m.Categorical, m.Ignore)
	switch {
	case s.Column == m.Label:
		p.errorf(at("split.column"), "split.column", "%q is the label; a split goes by a timestamp or a host column", s.Column)
	case !slices.Contains(cols, s.Column):
		msg := fmt.Sprintf("%q is not a column of data.table: list it in ignore (or numeric or categorical)", s.Column)
		if c := suggest.Closest(s.Column, cols); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		p.errorf(at("split.column"), "split.column", "%s", msg)
	}
}
