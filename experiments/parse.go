package experiments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/suggest"
	"github.com/segharness/harness/internal/synth"
)

// Experiment is a parsed, validated experiment file and the trials its
// sweep expands to.
type Experiment struct {
	File   string // path as given to ParseFile or Parse
	SHA256 string // hex SHA-256 of the file's bytes
	Source []byte // the file's bytes
	// Spec holds every default; a swept key holds its first value and Seeds
	// holds every seed.
	Spec   Spec
	Axes   []Axis
	Trials []Trial

	files []fileRef // the paths the file names, for CheckFiles
}

// Dir returns the directory that relative paths in the file are relative to.
func (e *Experiment) Dir() string { return filepath.Dir(e.File) }

// MaxTrials bounds the number of trials one file may expand to.
const MaxTrials = 100000

// ParseFile reads the experiment file at path and parses it (Parse). It
// reads no other file: CheckFiles checks those the experiment names.
func ParseFile(path string) (*Experiment, error) {
	// A regular file of bounded size: a FIFO or device is refused, not
	// waited on or read forever.
	src, err := fileio.ReadFile(path, fileio.InputBytes)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: fileio.Detail(err)}}
	}
	return Parse(src, path)
}

// Parse parses an experiment file's contents. file names it in errors and
// anchors relative data paths. The error, when not nil, is an ErrorList
// holding every problem found, each with its line, column and key path.
//
// Parse is a function of src and file alone: it does not look at the
// filesystem, so the paths the file names need not exist yet.
// CheckFiles checks them.
func Parse(src []byte, file string) (*Experiment, error) {
	return parse(src, file, nil)
}

// parse is Parse; offered, when not nil, is told the key path of every key
// a mapping of the file may hold (indices as []), as the parser offers
// them: the tests hold Keys to them.
func parse(src []byte, file string, offered func(path string)) (*Experiment, error) {
	sum := sha256.Sum256(src)
	p := &parser{
		file:    file,
		spec:    defaultSpec(),
		pos:     map[string]*yaml.Node{},
		bad:     map[string]bool{},
		offered: offered,
	}
	root, err := p.document(src)
	if err != nil {
		return nil, err
	}
	p.top(root)
	exp := &Experiment{File: file, SHA256: hex.EncodeToString(sum[:]), Source: bytes.Clone(src), files: p.files}
	p.expand(exp)
	if len(p.errs) > 0 {
		return nil, p.errs.sorted()
	}
	return exp, nil
}

// document decodes the YAML text into its root node.
func (p *parser) document(src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, ErrorList{{File: p.file, Msg: "empty file: want a mapping with name, seeds, data, models"}}
		}
		return nil, ErrorList{p.syntaxError(src, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		line, col := extra.Line, 1
		if err != nil {
			// The second document does not even parse: point at its error.
			e := p.syntaxError(src, err)
			line, col = e.Line, e.Column
		}
		return nil, ErrorList{{File: p.file, Line: line, Column: col, Msg: "more than one YAML document; an experiment file holds one"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, ErrorList{{File: p.file, Msg: "empty file: want a mapping with name, seeds, data, models"}}
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" {
		// A document marker and nothing else ("---").
		return nil, ErrorList{{File: p.file, Msg: "empty file: want a mapping with name, seeds, data, models"}}
	}
	if root.Kind != yaml.MappingNode {
		return nil, ErrorList{{File: p.file, Line: root.Line, Column: root.Column, Msg: "want a mapping with name, seeds, data, models at the top level, got " + describe(root)}}
	}
	return root, nil
}

var (
	yamlLine   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// parserProblems are the messages of the YAML library's parser, as opposed
// to its scanner. For these the library prints the 0-based line of the
// construct being parsed (the scanner's lines it corrects to 1-based), and
// for either it prints no line when that 0-based line is 0.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
	"found undefined tag handle",
}

// readerProblems are the messages of the YAML library's reader, which
// knows the offset of the bad character but does not print it.
var readerProblems = []string{
	"control characters are not allowed",
	"invalid leading UTF-8 octet",
	"invalid trailing UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid length of a UTF-8 sequence",
	"invalid Unicode character",
	"incomplete UTF-16 character",
	"incomplete UTF-16 surrogate pair",
	"expected low surrogate area",
	"unexpected low surrogate area",
}

// syntaxError turns the YAML library's message into a positioned Error.
// The library gives a line but no column, so the column is 1, except for
// characters the reader rejects, which are found in src.
func (p *parser) syntaxError(src []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: p.file, Msg: "YAML syntax: " + msg}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Column = 1
		e.Msg = "YAML syntax: " + m[2]
		if slices.Contains(parserProblems, m[2]) {
			e.Line++
		}
		// At the end of the file the library counts a line break the file
		// may not end with.
		if last, _ := position(src, len(src)); e.Line > last {
			e.Line = last
		}
		return e
	}
	switch a := yamlAnchor.FindStringSubmatch(err.Error()); {
	case slices.Contains(readerProblems, msg):
		e.Line, e.Column = badCharacter(src)
	case a != nil:
		// Anchors are rejected anyway; point at the first use of the name.
		e.Msg = "anchors and aliases are not supported (alias *" + a[1] + " names no anchor)"
		if i := bytes.Index(src, []byte("*"+a[1])); i >= 0 {
			e.Line, e.Column = position(src, i)
		}
	default:
		e.Line, e.Column = 1, 1 // the library omits its 0-based line 0
	}
	return e
}

// badCharacter returns the position of the first byte of src that is not
// valid UTF-8 or is a character YAML forbids, or 0, 0 if there is none
// (the file is UTF-16, say).
func badCharacter(src []byte) (line, col int) {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		allowed := r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || r == 0x85 ||
			(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
		if (r == utf8.RuneError && size == 1) || !allowed {
			return position(src, i)
		}
		i += size
	}
	return 0, 0
}

// position returns the 1-based line and column (in characters) of byte
// offset off of src, counting line breaks as YAML does: LF, CR, CRLF, NEL,
// LS and PS.
func position(src []byte, off int) (line, col int) {
	line, col = 1, 1
	i := 0
	if bytes.HasPrefix(src, []byte("\uFEFF")) {
		i = 3 // a byte order mark takes no column
	}
	for i < off {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == '\r' && i+1 < len(src) && src[i+1] == '\n':
			// CRLF: one break, counted at the LF.
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, col = line+1, 1
		default:
			col++
		}
		i += size
	}
	return line, col
}

// parser decodes the node tree into a template spec, recording every error
// and every sweep axis on the way.
type parser struct {
	file    string
	errs    ErrorList
	offered func(path string) // see parse
	spec    Spec              // the template: defaults, then the file's values

	axes []*axis
	zip  int // the zip group being decoded, 0 outside zip blocks
	nzip int

	pos map[string]*yaml.Node // key path -> node holding its current value
	bad map[string]bool       // key paths whose value failed to decode

	// modelParam maps a model's error path prefix (models[0]) to its
	// parameter path prefix (models.name).
	modelParam map[string]string

	incidentNames   []*yaml.Node // the name node of each incident flow kept
	incidentPaths   []string     // and its key path
	files           []fileRef    // the paths the file names, in file order
	campaignPaths   []string     // the key path of each monitoring campaign kept
	driftPaths      []string     // and of each drift
	targetNodes     []*targetNode
	regressionNodes []*targetNode
}

func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	e := &Error{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// describe names a node's kind and value for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!str":
		return strconv.Quote(n.Value)
	case "!!null":
		return "nothing (null)"
	case "!!bool":
		return n.Value + " (a boolean)"
	}
	return n.Value
}

// field is one key of a mapping and its decoder.
type field struct {
	key string
	dec func(n *yaml.Node, path string)
}

// mapping decodes a mapping node key by key. It reports duplicate and
// unknown keys (suggesting the closest known one) and missing required
// keys, and handles zip blocks. It returns the key nodes present.
func (p *parser) mapping(n *yaml.Node, path string, fields []field, required ...string) map[string]*yaml.Node {
	if p.offered != nil {
		for _, f := range fields {
			p.offered(listIndex.ReplaceAllString(join(path, f.key), "[]"))
		}
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping, got %s", describe(n))
		p.bad[path] = true
		return nil
	}
	// First pass: the keys present, so that a zip block can tell which of
	// its keys are also set outside it.
	present := map[string]*yaml.Node{}
	dup := map[*yaml.Node]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "keys must be plain names, got %s", describe(k))
			dup[k] = true
			continue
		}
		if first, ok := present[k.Value]; ok {
			p.errorf(k, join(path, k.Value), "key appears twice (first at %s)", at(first))
			dup[k] = true
			continue
		}
		present[k.Value] = k
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if dup[k] {
			continue
		}
		kp := join(path, k.Value)
		if k.Value == "zip" && findField(fields, "zip") == nil {
			p.zipBlock(k, v, path, fields, present)
			continue
		}
		f := findField(fields, k.Value)
		if f == nil {
			p.unknownKey(k, kp, fields)
			p.bad[kp] = true
			continue
		}
		if v.Kind == yaml.AliasNode || v.Anchor != "" {
			p.errorf(v, kp, "anchors and aliases are not supported")
			p.bad[kp] = true
			continue
		}
		f.dec(v, kp)
	}
	for _, r := range required {
		if present[r] == nil {
			p.errorf(n, path, "missing key %q", r)
			p.bad[join(path, r)] = true
		}
	}
	return present
}

// listIndex is a list index in a key path: the [1] of models[1].trees.
var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

// at formats a node's position for "first at" messages.
func at(n *yaml.Node) string { return fmt.Sprintf("%d:%d", n.Line, n.Column) }

// zipBlock decodes `zip:` inside a mapping: its keys are keys of the
// mapping, every leaf a list, and all its lists move together as one axis.
func (p *parser) zipBlock(k, v *yaml.Node, path string, fields []field, present map[string]*yaml.Node) {
	zp := join(path, "zip")
	if p.zip != 0 {
		p.errorf(k, zp, "zip blocks cannot be nested")
		p.bad[zp] = true
		return
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, zp, "want a mapping of keys to lists of equal length, got %s", describe(v))
		p.bad[zp] = true
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		zk := v.Content[i]
		if zk.Kind == yaml.ScalarNode && present[zk.Value] != nil {
			p.errorf(zk, join(path, zk.Value), "key set both in zip and outside it (at %s)", at(present[zk.Value]))
			v = withoutKey(v, zk.Value)
			i -= 2
		}
	}
	p.nzip++
	p.zip = p.nzip
	first := len(p.axes)
	for key, kn := range p.mapping(v, path, fields) {
		present[key] = kn
	}
	p.zip = 0
	group := p.axes[first:]
	for _, a := range group {
		if len(a.Values) != len(group[0].Values) {
			var lens []string
			for _, b := range group {
				lens = append(lens, fmt.Sprintf("%s has %d", b.Path, len(b.Values)))
			}
			p.errorf(k, zp, "lists differ in length: %s", strings.Join(lens, ", "))
			break
		}
	}
}

func findField(fields []field, key string) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

func (p *parser) unknownKey(k *yaml.Node, path string, fields []field) {
	var known []string
	for _, f := range fields {
		known = append(known, f.key)
	}
	msg := fmt.Sprintf("unknown key %q", k.Value)
	if s := suggest.Closest(k.Value, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	p.errorf(k, path, "%s; known keys: %s", msg, strings.Join(known, ", "))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// conv converts a scalar node to a value, reporting problems itself.
type conv[T any] func(p *parser, n *yaml.Node, path string) (T, bool)

// value decodes a key that cannot be swept.
func value[T any](p *parser, n *yaml.Node, path string, c conv[T], set func(T)) {
	if p.zip != 0 {
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
		p.bad[path] = true
		return
	}
	if n.Kind == yaml.SequenceNode {
		p.errorf(n, path, "cannot be swept: want a single value, got a list")
		p.bad[path] = true
		return
	}
	if v, ok := c(p, n, path); ok {
		set(v)
		p.pos[path] = n
	} else {
		p.bad[path] = true
	}
}

// sweepable decodes a key whose value may be a list: a sweep axis. param is
// the axis's parameter path (it differs from path inside models).
func sweepable[T any](p *parser, n *yaml.Node, path string, c conv[T], format func(T) string, set func(T)) {
	if n.Kind != yaml.SequenceNode {
		if p.zip != 0 {
			p.errorf(n, path, "inside zip every value must be a list, got %s", describe(n))
			p.bad[path] = true
			return
		}
		value(p, n, path, c, set)
		return
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "empty list: a sweep axis needs at least one value")
		p.bad[path] = true
		return
	}
	vals := make([]T, 0, len(n.Content))
	nodes := make([]*yaml.Node, 0, len(n.Content))
	texts := make([]string, 0, len(n.Content))
	ok := true
	for _, item := range n.Content {
		if item.Kind == yaml.SequenceNode {
			p.errorf(item, path, "want a value, got a list (a sweep axis is one list of values)")
			ok = false
			continue
		}
		v, good := c(p, item, path)
		if !good {
			ok = false
			continue
		}
		text := format(v)
		if i := slices.Index(texts, text); i >= 0 {
			p.errorf(item, path, "value %s listed twice in the sweep (first at %s)", text, at(nodes[i]))
			ok = false
			continue
		}
		vals, nodes, texts = append(vals, v), append(nodes, item), append(texts, text)
	}
	if !ok {
		p.bad[path] = true
		return
	}
	p.addAxis(path, texts, nodes, func(i int) { set(vals[i]) })
}

// addAxis registers a sweep axis and sets the template to its first value.
func (p *parser) addAxis(path string, texts []string, nodes []*yaml.Node, set func(int)) {
	a := &axis{
		Axis:  Axis{Path: p.paramPath(path), Values: texts, Group: p.zip},
		path:  path,
		nodes: nodes,
	}
	a.apply = func(i int) {
		set(i)
		p.pos[path] = nodes[i]
	}
	a.apply(0)
	p.axes = append(p.axes, a)
}

// paramPath turns an error path (models[0].trees) into a parameter path
// (models.rf.trees).
func (p *parser) paramPath(path string) string {
	for prefix, param := range p.modelParam {
		if rest, ok := strings.CutPrefix(path, prefix+"."); ok {
			return param + "." + rest
		}
	}
	return path
}

// Scalar converters.

func scalarOK(p *parser, n *yaml.Node, path, want string) bool {
	switch {
	case n.Kind == yaml.AliasNode || n.Anchor != "":
		p.errorf(n, path, "anchors and aliases are not supported")
	case n.Kind != yaml.ScalarNode:
		p.errorf(n, path, "want %s, got %s", want, describe(n))
	case n.ShortTag() == "!!null":
		p.errorf(n, path, "missing value: want %s", want)
	default:
		return true
	}
	return false
}

// integer accepts YAML integers, and floats with an integral value (1e6),
// within [lo, hi].
func integer(lo, hi int64) conv[int] {
	want := "an integer"
	return func(p *parser, n *yaml.Node, path string) (int, bool) {
		if !scalarOK(p, n, path, want) {
			return 0, false
		}
		var v int64
		switch n.ShortTag() {
		case "!!int":
			if err := n.Decode(&v); err != nil {
				p.errorf(n, path, "integer %s out of range", n.Value)
				return 0, false
			}
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				p.errorf(n, path, "want %s, got %s", want, n.Value)
				return 0, false
			}
			v = int64(f)
		default:
			p.errorf(n, path, "want %s, got %s", want, describe(n))
			return 0, false
		}
		if v < lo || v > hi {
			p.errorf(n, path, "%d is outside [%d, %d]", v, lo, hi)
			return 0, false
		}
		return int(v), true
	}
}

// number accepts a finite YAML number within the interval.
func number(lo, hi float64, loIn, hiIn bool) conv[float64] {
	return func(p *parser, n *yaml.Node, path string) (float64, bool) {
		if !scalarOK(p, n, path, "a number") {
			return 0, false
		}
		var f float64
		if t := n.ShortTag(); t != "!!int" && t != "!!float" {
			p.errorf(n, path, "want a number, got %s", describe(n))
			return 0, false
		}
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.errorf(n, path, "want a finite number, got %s", n.Value)
			return 0, false
		}
		if (loIn && f < lo) || (!loIn && f <= lo) || (hiIn && f > hi) || (!hiIn && f >= hi) {
			p.errorf(n, path, "%s is outside %s", formatFloat(f), interval(lo, hi, loIn, hiIn))
			return 0, false
		}
		return f, true
	}
}

func interval(lo, hi float64, loIn, hiIn bool) string {
	l, r := "(", ")"
	if loIn {
		l = "["
	}
	if hiIn {
		r = "]"
	}
	return l + formatFloat(lo) + ", " + formatFloat(hi) + r
}

func boolean(p *parser, n *yaml.Node, path string) (bool, bool) {
	if !scalarOK(p, n, path, "true or false") {
		return false, false
	}
	var b bool
	if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		p.errorf(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	return b, true
}

func text(p *parser, n *yaml.Node, path string) (string, bool) {
	if !scalarOK(p, n, path, "a string") {
		return "", false
	}
	if n.ShortTag() != "!!str" {
		p.errorf(n, path, "want a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// oneOf accepts one of the given strings.
func oneOf(values ...string) conv[string] {
	return func(p *parser, n *yaml.Node, path string) (string, bool) {
		s, ok := text(p, n, path)
		if !ok {
			return "", false
		}
		if !slices.Contains(values, s) {
			msg := fmt.Sprintf("%q is not one of %s", s, strings.Join(values, ", "))
			if c := suggest.Closest(s, values); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
			}
			p.errorf(n, path, "%s", msg)
			return "", false
		}
		return s, true
	}
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// identifier accepts a name usable in paths and metric tables.
func identifier(p *parser, n *yaml.Node, path string) (string, bool) {
	s, ok := text(p, n, path)
	if !ok {
		return "", false
	}
	if !namePattern.MatchString(s) || strings.Contains(s, "..") {
		p.errorf(n, path, "%q is not a valid name: use lower-case letters, digits, _, - and ., at most 64, starting with a letter or digit", s)
		return "", false
	}
	return s, true
}

// autoOr accepts the word auto (or all), giving zero, or a value of c.
func autoOr[T any](word string, c conv[T]) conv[T] {
	return func(p *parser, n *yaml.Node, path string) (T, bool) {
		var zero T
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
			if n.Value == word {
				return zero, true
			}
			p.errorf(n, path, "want %s or a number, got %s", word, describe(n))
			return zero, false
		}
		return c(p, n, path)
	}
}

func autoText(word string) func(int) string {
	return func(v int) string {
		if v == 0 {
			return word
		}
		return formatInt(v)
	}
}

func autoFloatText(word string) func(float64) string {
	return func(v float64) string {
		if v == 0 {
			return word
		}
		return formatFloat(v)
	}
}

func formatInt(v int) string       { return strconv.Itoa(v) }
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
func formatString(s string) string { return s }
func formatBool(b bool) string     { return strconv.FormatBool(b) }

// The sections.

func (p *parser) top(root *yaml.Node) {
	s := &p.spec
	p.mapping(root, "", []field{
		{"name", func(n *yaml.Node, path string) { value(p, n, path, identifier, func(v string) { s.Name = v }) }},
		{"description", func(n *yaml.Node, path string) { value(p, n, path, text, func(v string) { s.Description = v }) }},
		{"seeds", p.seeds},
		{"data", p.data},
		{"features", p.features},
		{"split", p.split},
		{"operating_point", p.operatingPoint},
		{"models", p.models},
		{"targets", p.targets},
		{"regressions", p.regressions},
		{"export_model", func(n *yaml.Node, path string) {
			value(p, n, path, boolean, func(v bool) { s.ExportModel = v })
			p.pos[path] = n
		}},
		{"incident", p.incident},
		{"policy", p.policy},
		{"monitoring", p.monitoring},
	}, "name", "seeds")
}

func (p *parser) seeds(n *yaml.Node, path string) {
	if p.zip != 0 {
		p.errorf(n, path, "seeds cannot appear in a zip block: every trial runs once per seed")
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want a list of integer seeds, like [1, 2, 3], got %s", describe(n))
		p.bad[path] = true
		return
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "empty: want at least one seed")
		p.bad[path] = true
		return
	}
	seen := map[int]*yaml.Node{}
	for _, item := range n.Content {
		v, ok := integer(math.MinInt64, math.MaxInt64)(p, item, path)
		if !ok {
			p.bad[path] = true
			continue
		}
		if first := seen[v]; first != nil {
			p.errorf(item, path, "seed %d listed twice (first at %s)", v, at(first))
			p.bad[path] = true
			continue
		}
		seen[v] = item
		p.spec.Seeds = append(p.spec.Seeds, int64(v))
	}
	p.pos[path] = n
}

func (p *parser) data(n *yaml.Node, path string) {
	d := &p.spec.Data
	present := p.mapping(n, path, []field{
		{"source", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf(SourceGenerate, SourceFile, SourceTable), func(v string) { d.Source = v })
		}},
		{"generator", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(synth.Generators...), formatString, func(v string) { d.Generator = v })
		}},
		{"flows", func(n *yaml.Node, path string) {
			sweepable(p, n, path, integer(10, 100_000_000), formatInt, func(v int) { d.Flows = v })
		}},
		{"anomaly_rate", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, false, false), formatFloat, func(v float64) { d.AnomalyRate = v })
		}},
		{"anomaly_mix", p.anomalyMix},
		{"difficulty", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, true, true), formatFloat, func(v float64) { d.Difficulty = v })
		}},
		{"path", func(n *yaml.Node, path string) {
			sweepable(p, n, path, p.dataPath, formatString, func(v string) { d.Path = v })
		}},
		{"format", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(flow.FormatCSV, flow.FormatParquet), formatString, func(v string) { d.Format = v })
		}},
		{"table", p.table},
	})
	if present == nil {
		return
	}
	generatedOnly := []string{"generator", "flows", "anomaly_rate", "anomaly_mix", "difficulty"}
	fileOnly := []string{"path", "format"}
	p.pos[path] = n
	if kn := present["table"]; kn != nil && d.Source != SourceTable {
		p.errorf(kn, join(path, "table"), "only allowed with source: table")
	}
	switch d.Source {
	case SourceTable:
		for _, k := range slices.Concat(generatedOnly, fileOnly) {
			if kn := present[k]; kn != nil {
				p.errorf(kn, join(path, k), "not allowed with source: table (data.table gives the files and their mapping)")
			}
		}
		if present["table"] == nil {
			p.errorf(n, path, "missing key \"table\" (source: table reads the files and the column mapping it declares)")
		}
	case SourceFile:
		for _, k := range generatedOnly {
			if kn := present[k]; kn != nil {
				p.errorf(kn, join(path, k), "not allowed with source: file (the file gives the flows and their labels)")
			}
		}
		if present["path"] == nil {
			p.errorf(n, path, "missing key \"path\" (source: file reads flows from it)")
		}
	case SourceGenerate:
		for _, k := range fileOnly {
			if kn := present[k]; kn != nil {
				p.errorf(kn, join(path, k), "only allowed with source: file")
			}
		}
	}
}

// dataPath accepts a path to a file of flows, relative to the experiment
// file's directory; CheckFiles checks the file.
func (p *parser) dataPath(_ *parser, n *yaml.Node, path string) (string, bool) {
	s, ok := text(p, n, path)
	if ok {
		p.fileRef(n, path, s, dataFile, "", "")
	}
	return s, ok
}

func (p *parser) anomalyMix(n *yaml.Node, path string) {
	p.spec.Data.AnomalyMix = map[string]float64{}
	mix := p.spec.Data.AnomalyMix
	var fields []field
	for _, t := range synth.InjectableTypes {
		fields = append(fields, field{t, func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, true, true), formatFloat, func(v float64) { mix[t] = v })
		}})
	}
	p.mapping(n, path, fields)
	p.pos[path] = n
}

func (p *parser) features(n *yaml.Node, path string) {
	set := func(v []string) { p.spec.Features = v }
	resolve := func(item *yaml.Node, list []string) bool {
		if _, err := featureset.Resolve(list); err != nil {
			p.errorf(item, path, "%s", strings.TrimPrefix(err.Error(), "features: "))
			return false
		}
		return true
	}
	// one decodes a single feature set: a set name or a list of columns.
	one := func(item *yaml.Node) ([]string, bool) {
		switch item.Kind {
		case yaml.ScalarNode:
			s, ok := text(p, item, path)
			return []string{s}, ok && resolve(item, []string{s})
		case yaml.SequenceNode:
			var cols []string
			for _, c := range item.Content {
				s, ok := text(p, c, path)
				if !ok {
					return nil, false
				}
				cols = append(cols, s)
			}
			return cols, resolve(item, cols)
		}
		p.errorf(item, path, "want a feature set name or a list of columns, got %s", describe(item))
		return nil, false
	}
	axisForm := p.zip != 0 && n.Kind == yaml.SequenceNode
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if item.Kind == yaml.SequenceNode {
				axisForm = true
			}
		}
	}
	if !axisForm {
		if p.zip != 0 {
			p.errorf(n, path, "inside zip every value must be a list, got %s", describe(n))
			p.bad[path] = true
			return
		}
		if v, ok := one(n); ok {
			set(v)
			p.pos[path] = n
		} else {
			p.bad[path] = true
		}
		return
	}
	// A list holding lists is an axis: each entry a set name or a column list.
	var vals [][]string
	var texts []string
	var nodes []*yaml.Node
	ok := true
	for _, item := range n.Content {
		v, good := one(item)
		if !good {
			ok = false
			continue
		}
		t := strings.Join(v, "+")
		if slices.Contains(texts, t) {
			p.errorf(item, path, "feature set %s listed twice in the sweep", t)
			ok = false
			continue
		}
		vals, texts, nodes = append(vals, v), append(texts, t), append(nodes, item)
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "empty list: want a set name or columns")
		ok = false
	}
	if !ok {
		p.bad[path] = true
		return
	}
	p.addAxis(path, texts, nodes, func(i int) { set(vals[i]) })
}

func (p *parser) split(n *yaml.Node, path string) {
	s := &p.spec.Split
	p.mapping(n, path, []field{
		{"by", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(SplitRandom, SplitTime, SplitGroup, SplitKFold), formatString, func(v string) { s.By = v })
			p.pos[path] = n
		}},
		{"test_fraction", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, false, false), formatFloat, func(v float64) { s.TestFraction = v })
		}},
		{"stratify", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(StratifyAnomalyType, StratifyIsAnomaly, StratifyNone), formatString, func(v string) { s.Stratify = v })
		}},
		{"scale_on", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(ScaleOnTrain, ScaleOnAll), formatString, func(v string) { s.ScaleOn = v })
		}},
		{"dedupe", func(n *yaml.Node, path string) {
			sweepable(p, n, path, oneOf(DedupeNone, DedupeExact), formatString, func(v string) { s.Dedupe = v })
			p.pos[path] = n
		}},
		{"column", func(n *yaml.Node, path string) { value(p, n, path, text, func(v string) { s.Column = v }) }},
		{"gap", func(n *yaml.Node, path string) {
			sweepable(p, n, path, duration(0, maxDuration), formatDuration, func(v time.Duration) { s.Gap = v })
			p.pos[path] = n
		}},
		{"time_format", func(n *yaml.Node, path string) { value(p, n, path, text, func(v string) { s.TimeFormat = v }) }},
		{"time_unit", func(n *yaml.Node, path string) {
			value(p, n, path, oneOf("s", "ms", "us", "ns"), func(v string) { s.TimeUnit = v })
		}},
		{"folds", func(n *yaml.Node, path string) { value(p, n, path, integer(2, 100), func(v int) { s.Folds = v }) }},
	})
}

func (p *parser) operatingPoint(n *yaml.Node, path string) {
	o := &p.spec.Operating
	p.mapping(n, path, []field{
		{"fpr_budget", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, false, false), formatFloat, func(v float64) { o.FPRBudget = v })
		}},
		{"validation_fraction", func(n *yaml.Node, path string) {
			sweepable(p, n, path, number(0, 1, false, false), formatFloat, func(v float64) { o.ValidationFraction = v })
		}},
	})
}

// decodeParam decodes one parameter of a model, as its kind declares it
// (internal/models), into m.Params.
func (p *parser) decodeParam(n *yaml.Node, path string, m *Model, prm *models.Param) {
	set := func(v string) { m.Params[prm.Key] = models.Value{Text: v} }
	decode := func(c conv[string]) {
		if prm.Sweepable {
			sweepable(p, n, path, c, formatString, set)
		} else {
			value(p, n, path, c, set)
		}
	}
	switch prm.Type {
	case models.Int:
		c := textOf(integer(int64(prm.Min), int64(prm.Max)), formatInt)
		if prm.Word != "" {
			c = textOf(autoOr(prm.Word, integer(int64(prm.Min), int64(prm.Max))), autoText(prm.Word))
		}
		decode(c)
	case models.Float:
		c := textOf(number(prm.Min, prm.Max, !prm.MinOpen, !prm.MaxOpen), formatFloat)
		if prm.Word != "" {
			c = textOf(autoOr(prm.Word, number(prm.Min, prm.Max, !prm.MinOpen, !prm.MaxOpen)), autoFloatText(prm.Word))
		}
		decode(c)
	case models.Bool:
		decode(textOf(boolean, formatBool))
	case models.Enum:
		decode(oneOf(prm.Values...))
	case models.Custom:
		decode(func(p *parser, n *yaml.Node, path string) (string, bool) {
			if !scalarOK(p, n, path, prm.TypeDoc) {
				return "", false
			}
			v, err := prm.Decode(n.ShortTag(), n.Value)
			if err != nil {
				p.errorf(n, path, "%s", err)
				return "", false
			}
			return v, true
		})
	case models.Duration:
		decode(textOf(duration(prm.MinDuration, prm.MaxDuration), models.FormatDuration))
	case models.Strings:
		p.stringList(n, path, prm, func(list []string) { m.Params[prm.Key] = models.Value{List: list} })
	case models.Mapping:
		p.passThrough(n, path, m, prm.Key)
	default:
		panic(fmt.Sprintf("experiments: parameter %s of unknown type %d", prm.Key, prm.Type))
	}
}

// textOf turns a converter of T into one of canonical text.
func textOf[T any](c conv[T], format func(T) string) conv[string] {
	return func(p *parser, n *yaml.Node, path string) (string, bool) {
		v, ok := c(p, n, path)
		if !ok {
			return "", false
		}
		return format(v), true
	}
}

// stringList decodes a list of strings (an external command's arguments, a
// model's files), which cannot be swept. Numbers and booleans are taken as
// written; with prm.Files each entry names a file or directory, relative
// to the experiment file's directory, which CheckFiles checks.
func (p *parser) stringList(n *yaml.Node, path string, prm *models.Param, set func([]string)) {
	switch {
	case p.zip != 0:
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
	case n.Kind != yaml.SequenceNode:
		p.errorf(n, path, "want a list of strings, like [a, b], got %s", describe(n))
	case len(n.Content) < prm.MinLen:
		p.errorf(n, path, "want at least %d entr%s, got %d", prm.MinLen, pluralY(prm.MinLen), len(n.Content))
	default:
		list := make([]string, 0, len(n.Content))
		ok := true
		for _, item := range n.Content {
			if !scalarOK(p, item, path, "a string") {
				ok = false
				continue
			}
			if item.Value == "" {
				p.errorf(item, path, "empty string")
				ok = false
				continue
			}
			if prm.Files {
				if slices.Contains(list, item.Value) {
					p.errorf(item, path, "%s listed twice", item.Value)
					ok = false
					continue
				}
				// CheckFiles checks the file, and that it is not one
				// listed before under another name (./a and a, a link).
				p.fileRef(item, path, item.Value, inputFile, path, "files")
			}
			list = append(list, item.Value)
		}
		if ok {
			set(list)
			p.pos[path] = n
			return
		}
	}
	p.bad[path] = true
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// passNamePattern is the name of a pass-through parameter: an identifier
// of Python and most languages.
var passNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// passThrough decodes a mapping of names to scalars handed to the model
// as they are (an external program's parameters). Each entry may be a
// list: a sweep axis, models.<name>.<key>.<entry>.
func (p *parser) passThrough(n *yaml.Node, path string, m *Model, key string) {
	if p.zip != 0 {
		p.errorf(n, path, "cannot appear in a zip block; put zip inside it to sweep its entries together")
		p.bad[path] = true
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping of parameter names to values, got %s", describe(n))
		p.bad[path] = true
		return
	}
	entries := []models.Entry{}
	var fields []field
	// The names: the mapping's keys, and those of a zip block in it.
	var keys []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "zip" && v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				keys = append(keys, v.Content[j])
			}
			continue
		}
		keys = append(keys, k)
	}
	for _, k := range keys {
		if k.Kind != yaml.ScalarNode || k.Value == "zip" || findField(fields, k.Value) != nil {
			continue // mapping reports these
		}
		if !passNamePattern.MatchString(k.Value) {
			p.errorf(k, join(path, k.Value), "%q is not a parameter name: use letters, digits and _, at most 64, not starting with a digit", k.Value)
			p.bad[join(path, k.Value)] = true
			fields = append(fields, field{k.Value, func(*yaml.Node, string) {}}) // reported: not unknown too
			continue
		}
		idx := len(entries)
		entries = append(entries, models.Entry{Key: k.Value})
		fields = append(fields, field{k.Value, func(vn *yaml.Node, vp string) {
			sweepable(p, vn, vp, passValue, func(v models.Value) string { return v.Text }, func(v models.Value) {
				val := m.Params[key]
				val.Map[idx].Value = v
				m.Params[key] = val
			})
		}})
	}
	m.Params[key] = models.Value{Map: entries}
	p.mapping(n, path, fields)
	p.pos[path] = n
}

// passValue reads one pass-through value: a number, a string or a
// boolean, with its type.
func passValue(p *parser, n *yaml.Node, path string) (models.Value, bool) {
	if !scalarOK(p, n, path, "a number, a string or a boolean") {
		return models.Value{}, false
	}
	switch n.ShortTag() {
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			p.errorf(n, path, "integer %s out of range", n.Value)
			return models.Value{}, false
		}
		return models.Value{Text: strconv.FormatInt(v, 10), Tag: "int"}, true
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.errorf(n, path, "want a finite number, got %s", n.Value)
			return models.Value{}, false
		}
		return models.Value{Text: formatFloat(f), Tag: "float"}, true
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			p.errorf(n, path, "want true or false, got %s", n.Value)
			return models.Value{}, false
		}
		return models.Value{Text: formatBool(b), Tag: "bool"}, true
	case "!!str":
		return models.Value{Text: n.Value, Tag: "str"}, true
	}
	p.errorf(n, path, "want a number, a string or a boolean, got %s", describe(n))
	return models.Value{}, false
}

func (p *parser) models(n *yaml.Node, path string) {
	if p.zip != 0 {
		p.errorf(n, path, "models cannot appear in a zip block; put zip inside a model to sweep its keys together")
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want a list of models, got %s", describe(n))
		return
	}
	p.modelParam = map[string]string{}
	p.spec.Models = make([]Model, len(n.Content))
	names := map[string]*yaml.Node{}
	for i, mn := range n.Content {
		mp := fmt.Sprintf("%s[%d]", path, i)
		m := &p.spec.Models[i]
		if mn.Kind == yaml.AliasNode || mn.Anchor != "" {
			p.errorf(mn, mp, "anchors and aliases are not supported")
			continue
		}
		if mn.Kind != yaml.MappingNode {
			p.errorf(mn, mp, "want a mapping with kind and its parameters, got %s", describe(mn))
			continue
		}
		// kind decides which keys are allowed; name decides parameter paths.
		kind, kindNode := "", lookup(mn, "kind")
		if kindNode == nil {
			p.errorf(mn, mp, "missing key \"kind\" (one of %s)", strings.Join(models.Names(), ", "))
		} else {
			value(p, kindNode, mp+".kind", oneOf(models.Names()...), func(v string) { kind = v })
		}
		*m = defaultModel(kind)
		m.Name = kind
		if nameNode := lookup(mn, "name"); nameNode != nil {
			value(p, nameNode, mp+".name", identifier, func(v string) { m.Name = v })
		}
		if m.Name != "" && !p.bad[mp+".name"] {
			nn := lookup(mn, "name")
			defaulted := nn == nil
			if defaulted {
				nn = mn
			}
			if m.Name == LeakageModel {
				p.errorf(nn, mp+".name", "%q names the leakage report's rows in the metrics table, which every trial writes: rename the model", LeakageModel)
			} else if first := names[m.Name]; first != nil {
				msg := fmt.Sprintf("model name %q used twice (first at %s)", m.Name, at(first))
				if defaulted {
					msg = fmt.Sprintf("model name %q (defaulted from its kind) used twice (first at %s)", m.Name, at(first))
				}
				p.errorf(nn, mp+".name", "%s; give each model a distinct name", msg)
			} else {
				names[m.Name] = nn
			}
			p.modelParam[mp] = "models." + m.Name
		}
		k := models.Lookup(kind)
		if k == nil {
			continue // keys cannot be checked without a kind
		}
		// name and kind were decoded above; here they need only be kept out
		// of zip blocks, where lookup does not see them.
		decoded := func(n *yaml.Node, path string) {
			if p.zip != 0 {
				p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
			}
		}
		fields := []field{{"name", decoded}, {"kind", decoded}}
		for j := range k.Params {
			prm := &k.Params[j]
			fields = append(fields, field{prm.Key, func(n *yaml.Node, path string) { p.decodeParam(n, path, m, prm) }})
		}
		present := p.mappingForKind(mn, mp, fields, kind)
		for _, prm := range k.Params {
			if prm.Required && present != nil && present[prm.Key] == nil {
				p.errorf(mn, mp, "missing key %q (kind %s needs it)", prm.Key, kind)
				p.bad[mp+"."+prm.Key] = true
			}
		}
		if k.Check != nil && present != nil && !p.anyBad(mp) {
			for _, problem := range k.Check(m.Params) {
				node := mn
				if kn := present[problem.Key]; kn != nil {
					node = kn
				}
				p.errorf(node, join(mp, problem.Key), "%s", problem.Msg)
			}
		}
	}
}

// mappingForKind is mapping, with unknown keys that belong to another kind
// explained as such.
func (p *parser) mappingForKind(n *yaml.Node, path string, fields []field, kind string) map[string]*yaml.Node {
	var foreign []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || findField(fields, k.Value) != nil || k.Value == "zip" {
			continue
		}
		if kinds := models.KindsWithKey(k.Value); len(kinds) > 0 {
			p.errorf(k, join(path, k.Value), "not a parameter of kind %s (it applies to %s)", kind, strings.Join(kinds, ", "))
			foreign = append(foreign, k.Value)
		}
	}
	// Remove them after the loop: removing during it would skip the next key.
	for _, key := range foreign {
		n = withoutKey(n, key)
	}
	return p.mapping(n, path, fields)
}

// withoutKey returns a copy of mapping n without key.
func withoutKey(n *yaml.Node, key string) *yaml.Node {
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != key {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// targetNode remembers where a target was declared, for checks that need
// every model and axis.
type targetNode struct {
	node, model, metric, anomalyType *yaml.Node
	against, tolerance               *yaml.Node // a comparison with another model
	where                            map[string][]*yaml.Node
	whereKeys                        map[string]*yaml.Node
	path                             string
}

// mappingList walks a top-level list of mappings (targets, regressions):
// it refuses a zip block, a non-list, aliases and items that are not
// mappings, and calls each with every mapping item and its path.
func (p *parser) mappingList(n *yaml.Node, path, items, example string, each func(item *yaml.Node, itemPath string)) {
	if p.zip != 0 {
		p.errorf(n, path, "%s cannot appear in a zip block", path)
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want a list of %s, got %s", items, describe(n))
		return
	}
	for i, item := range n.Content {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.AliasNode || item.Anchor != "" {
			p.errorf(item, ip, "anchors and aliases are not supported")
			continue
		}
		if item.Kind != yaml.MappingNode {
			p.errorf(item, ip, "want a mapping like %s, got %s", example, describe(item))
			continue
		}
		each(item, ip)
	}
}

func (p *parser) targets(n *yaml.Node, path string) {
	p.mappingList(n, path, "targets", `{model: random_forest, metric: detection_rate, ">=": 0.95}`, func(tn *yaml.Node, tp string) {
		var t Target
		rec := &targetNode{node: tn, path: tp}
		var opNodes []*yaml.Node
		fields := []field{
			{"model", func(n *yaml.Node, path string) {
				value(p, n, path, text, func(v string) { t.Model = v; rec.model = n })
			}},
			{"metric", func(n *yaml.Node, path string) {
				value(p, n, path, text, func(v string) { t.Metric = v; rec.metric = n })
			}},
			{"anomaly_type", func(n *yaml.Node, path string) {
				// Checked against the data source's types in checkTargets.
				value(p, n, path, text, func(v string) { t.AnomalyType = v; rec.anomalyType = n })
			}},
			{"where", func(n *yaml.Node, path string) { t.Where = p.where(n, path, rec) }},
		}
		for _, op := range Ops {
			fields = append(fields, field{op, func(n *yaml.Node, path string) {
				opNodes = append(opNodes, n)
				if n.Kind == yaml.MappingNode {
					// Another model's metric: {model: name}.
					t.Op = op
					p.mapping(n, path, []field{{"model", func(n *yaml.Node, path string) {
						value(p, n, path, text, func(v string) { t.Against = v; rec.against = n })
					}}}, "model")
					return
				}
				value(p, n, path, number(-math.MaxFloat64, math.MaxFloat64, true, true), func(v float64) { t.Op, t.Value = op, v })
			}})
		}
		fields = append(fields, field{"tolerance", func(n *yaml.Node, path string) {
			rec.tolerance = n
			value(p, n, path, number(0, math.MaxFloat64, true, true), func(v float64) { t.Tolerance = v })
		}})
		p.mapping(tn, tp, fields, "model", "metric")
		if rec.tolerance != nil && t.Against == "" && len(opNodes) == 1 && opNodes[0].Kind != yaml.MappingNode {
			p.errorf(rec.tolerance, tp+".tolerance", "a tolerance applies to a comparison with another model's metric, like \">=\": {model: rf}; with a threshold, move the threshold instead")
		}
		switch {
		case len(opNodes) == 0 && !hasKey(tn, Ops):
			// (A comparison whose value was rejected unread, an alias say,
			// has its own error.)
			p.errorf(tn, tp, "missing comparison: give exactly one of %s with the threshold", strings.Join(quoteAll(Ops), ", "))
		case len(opNodes) > 1:
			p.errorf(opNodes[1], tp, "more than one comparison: give exactly one of %s", strings.Join(quoteAll(Ops), ", "))
		}
		p.spec.Targets = append(p.spec.Targets, t)
		p.targetNodes = append(p.targetNodes, rec)
	})
}

func (p *parser) regressions(n *yaml.Node, path string) {
	example := "{model: random_forest, metric: detection_rate, better: higher, tolerance: 0.01}"
	p.mappingList(n, path, "regression rules", example, func(rn *yaml.Node, rp string) {
		var r Regression
		rec := &targetNode{node: rn, path: rp}
		p.mapping(rn, rp, []field{
			{"model", func(n *yaml.Node, path string) {
				value(p, n, path, text, func(v string) { r.Model = v; rec.model = n })
			}},
			{"metric", func(n *yaml.Node, path string) {
				value(p, n, path, text, func(v string) { r.Metric = v; rec.metric = n })
			}},
			{"better", func(n *yaml.Node, path string) {
				value(p, n, path, oneOf("higher", "lower"), func(v string) { r.Better = v })
			}},
			{"tolerance", func(n *yaml.Node, path string) {
				value(p, n, path, number(0, math.MaxFloat64, true, true), func(v float64) { r.Tolerance = v })
			}},
			{"against", func(n *yaml.Node, path string) {
				p.mapping(n, path, []field{{"model", func(n *yaml.Node, path string) {
					value(p, n, path, text, func(v string) { r.Against = v; rec.against = n })
				}}}, "model")
			}},
		}, "model", "metric")
		p.spec.Regressions = append(p.spec.Regressions, r)
		p.regressionNodes = append(p.regressionNodes, rec)
	})
}

// hasKey reports whether mapping n has one of keys at its top level.
func hasKey(n *yaml.Node, keys []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && slices.Contains(keys, k.Value) {
			return true
		}
	}
	return false
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

// where decodes a target's sweep restriction: parameter -> value or list.
func (p *parser) where(n *yaml.Node, path string, rec *targetNode) map[string][]string {
	if p.zip != 0 {
		p.errorf(n, path, "cannot be swept, so it cannot appear in a zip block")
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping of sweep parameters to values, got %s", describe(n))
		return nil
	}
	out := map[string][]string{}
	rec.where = map[string][]*yaml.Node{}
	rec.whereKeys = map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "keys must be parameter names, got %s", describe(k))
			continue
		}
		if first := rec.whereKeys[k.Value]; first != nil {
			p.errorf(k, join(path, k.Value), "key appears twice (first at %s)", at(first))
			continue
		}
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, item := range items {
			if !scalarOK(p, item, join(path, k.Value), "a parameter value") {
				continue
			}
			out[k.Value] = append(out[k.Value], canonicalScalar(item))
			rec.where[k.Value] = append(rec.where[k.Value], item)
		}
		rec.whereKeys[k.Value] = k
	}
	return out
}

// canonicalScalar formats a scalar node as sweep values are formatted.
func canonicalScalar(n *yaml.Node) string {
	switch n.ShortTag() {
	case "!!int", "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return formatFloat(f)
		}
	}
	return n.Value
}
