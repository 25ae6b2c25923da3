package models

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Type is the type of a parameter's value.
type Type int

// Parameter types.
const (
	// Int is an integer within [Min, Max]. With Word, that word is accepted
	// too and stands for 0 ("auto").
	Int Type = iota
	// Float is a finite number within Min and Max, each end included unless
	// MinOpen or MaxOpen. With Word, likewise.
	Float
	// Bool is true or false.
	Bool
	// Enum is one of Values.
	Enum
	// Custom is decoded by the parameter's Decode; TypeDoc describes it.
	Custom
	// Strings is a list of strings (with Files, paths of existing files).
	// It cannot be swept.
	Strings
	// Duration is a whole number of seconds written with units (90s, 10m,
	// 1h30m, 1d) within [MinDuration, MaxDuration].
	Duration
	// Mapping maps names to scalars (numbers, strings, booleans), handed to
	// the model as they are: an external program's own parameters. Each
	// entry can be swept.
	Mapping
)

// Param declares one key of a model mapping.
type Param struct {
	Key  string
	Type Type
	// Default is the canonical text of the default value (Mapping and
	// Strings: none); Required means the key has none and must be given.
	Default  string
	Required bool
	// Int and Float.
	Min, Max         float64
	MinOpen, MaxOpen bool
	Word             string // a word accepted for 0: auto, all
	// Enum.
	Values []string
	// Custom: the type in words, and the decoder of a scalar's YAML tag
	// (!!str, !!int, !!float, !!bool) and text into canonical text, or an
	// error whose text is the message.
	TypeDoc string
	Decode  func(tag, text string) (string, error)
	// Strings.
	Files  bool // each entry a path to an existing file or directory, relative to the experiment file
	MinLen int  // the fewest entries
	// Duration.
	MinDuration, MaxDuration time.Duration
	// Sweepable says a list of values is a sweep axis.
	Sweepable bool
	// Unit of the value, for the reference ("seconds"); "" for none.
	Unit string
	// Doc says what the key does, for the reference.
	Doc string
}

func (p *Param) check() error {
	switch {
	case p.Key == "":
		return errors.New("a parameter without a key")
	case p.Doc == "":
		return fmt.Errorf("parameter %s has no Doc", p.Key)
	case p.Required && p.Default != "":
		return fmt.Errorf("parameter %s is required and has a default", p.Key)
	case p.Type == Enum && len(p.Values) == 0:
		return fmt.Errorf("enum parameter %s has no values", p.Key)
	case p.Type == Custom && (p.Decode == nil || p.TypeDoc == ""):
		return fmt.Errorf("custom parameter %s needs Decode and TypeDoc", p.Key)
	case (p.Type == Int || p.Type == Float) && p.Min > p.Max:
		return fmt.Errorf("parameter %s: Min %g > Max %g", p.Key, p.Min, p.Max)
	case (p.Type == Strings || p.Type == Mapping) && p.Sweepable:
		return fmt.Errorf("parameter %s: a list or mapping cannot be swept as a whole", p.Key)
	case p.Type == Enum && p.Default != "" && !slices.Contains(p.Values, p.Default):
		return fmt.Errorf("enum parameter %s: default %q is not among its values", p.Key, p.Default)
	}
	return nil
}

// DefaultValue returns the parameter's default as a Value.
func (p *Param) DefaultValue() Value {
	switch p.Type {
	case Strings:
		return Value{List: []string{}}
	case Mapping:
		return Value{Map: []Entry{}}
	}
	return Value{Text: p.Default}
}

// Interval writes [Min, Max] with its open ends as ( ), integral ends as
// integers and the largest float64 as "max float64".
func (p *Param) Interval() string {
	l, r := "[", "]"
	if p.MinOpen {
		l = "("
	}
	if p.MaxOpen {
		r = ")"
	}
	return l + number(p.Min) + ", " + number(p.Max) + r
}

func number(v float64) string {
	switch {
	case v == math.MaxFloat64:
		return "max float64"
	case v == -math.MaxFloat64:
		return "-max float64"
	case v == math.Trunc(v) && math.Abs(v) < 1<<53:
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Facts lists what the reference says of the parameter in parentheses:
// its type, its default or "required", its range or values, and
// "sweepable".
func (p *Param) Facts() []string {
	var facts []string
	withWord := func(t string) string {
		if p.Word != "" {
			return p.Word + " or " + t
		}
		return t
	}
	switch p.Type {
	case Int:
		facts = append(facts, withWord("integer"))
	case Float:
		facts = append(facts, withWord("number"))
	case Bool:
		facts = append(facts, "boolean")
	case Enum:
		facts = append(facts, "string")
	case Custom:
		facts = append(facts, p.TypeDoc)
	case Strings:
		if p.Files {
			facts = append(facts, "list of paths")
		} else {
			facts = append(facts, "list of strings")
		}
	case Duration:
		facts = append(facts, "duration")
	case Mapping:
		facts = append(facts, "mapping of names to numbers, strings or booleans")
	}
	switch {
	case p.Required:
		facts = append(facts, "required")
	case p.Type == Strings || p.Type == Mapping:
		facts = append(facts, "default none")
	default:
		facts = append(facts, "default "+p.Default)
	}
	switch p.Type {
	case Int, Float:
		facts = append(facts, "in "+p.Interval())
	case Enum:
		facts = append(facts, orList(p.Values))
	case Duration:
		facts = append(facts, "in ["+FormatDuration(p.MinDuration)+", "+FormatDuration(p.MaxDuration)+"]")
	case Strings:
		if p.MinLen > 0 {
			facts = append(facts, fmt.Sprintf("at least %d", p.MinLen))
		}
	case Mapping:
		facts = append(facts, "each entry sweepable")
	}
	if p.Sweepable {
		facts = append(facts, "sweepable")
	}
	return facts
}

// orList writes "a, b or c".
func orList(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// Values holds a model's parameters by key, every default filled in.
type Values map[string]Value

// Value is one parameter's value: canonical text for a scalar (as sweep
// axes write it: 100, 0.05, sqrt, true, auto, 10m), a list for Strings,
// entries for a Mapping.
type Value struct {
	Text string   `json:"text,omitempty"`
	Tag  string   `json:"tag,omitempty"` // a Mapping entry's type: int, float, bool or str
	List []string `json:"list,omitempty"`
	Map  []Entry  `json:"map,omitempty"`
}

// Entry is one name and value of a Mapping, in the file's order.
type Entry struct {
	Key   string `json:"key"`
	Value Value  `json:"value"`
}

// Clone returns a deep copy.
func (v Values) Clone() Values {
	if v == nil {
		return nil
	}
	c := maps.Clone(v)
	for k, val := range c {
		val.List = slices.Clone(val.List)
		val.Map = slices.Clone(val.Map)
		c[k] = val
	}
	return c
}

func (v Values) get(key string) Value {
	val, ok := v[key]
	if !ok {
		panic("models: no parameter " + strconv.Quote(key))
	}
	return val
}

// Text returns a scalar parameter's canonical text. It panics when the
// parameter is absent (Values from the parser hold every key of the
// kind).
func (v Values) Text(key string) string { return v.get(key).Text }

// Int returns an integer parameter; its word (auto, all) is 0.
func (v Values) Int(key string) int {
	n, err := strconv.Atoi(v.get(key).Text)
	if err != nil {
		return 0
	}
	return n
}

// Float returns a number parameter; its word (auto) is 0.
func (v Values) Float(key string) float64 {
	f, err := strconv.ParseFloat(v.get(key).Text, 64)
	if err != nil {
		return 0
	}
	return f
}

// Bool returns a boolean parameter.
func (v Values) Bool(key string) bool { return v.get(key).Text == "true" }

// Strings returns a list parameter.
func (v Values) Strings(key string) []string { return v.get(key).List }

// Entries returns a mapping parameter's entries.
func (v Values) Entries(key string) []Entry { return v.get(key).Map }

// Duration returns a duration parameter.
func (v Values) Duration(key string) time.Duration {
	d, err := ParseDuration(v.get(key).Text)
	if err != nil {
		panic(fmt.Sprintf("models: parameter %s: %v", key, err))
	}
	return d
}

// Duration limits.
const (
	Day         = 24 * time.Hour
	MaxDuration = 3650 * Day // ten years: the bound of every duration of an experiment file
)

var (
	// ErrNegative, ErrSubSecond, ErrTooLong and ErrSyntax are
	// ParseDuration's errors.
	ErrNegative  = errors.New("negative")
	ErrSubSecond = errors.New("not a whole number of seconds")
	ErrTooLong   = errors.New("too long")
	ErrSyntax    = errors.New("not a duration")
)

// durationToken is one number and its unit; durationText a whole
// duration.
var (
	durationToken = regexp.MustCompile(`([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d)`)
	durationText  = regexp.MustCompile(`^(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d))+$`)
)

// ParseDuration reads Go's time.ParseDuration syntax with a d unit (24h)
// besides: a sequence of numbers, each with a unit (ns, us, µs, ms, s, m,
// h, d), like 1d12h, 90m or 1.5h, or 0 alone. The result must be a whole
// number of seconds, not negative, and at most MaxDuration (ten years).
func ParseDuration(s string) (time.Duration, error) {
	switch {
	case s == "0":
		return 0, nil
	case strings.HasPrefix(s, "-") && durationText.MatchString(s[1:]):
		return 0, ErrNegative
	case !durationText.MatchString(s):
		return 0, ErrSyntax
	}
	var total time.Duration
	for _, m := range durationToken.FindAllStringSubmatch(s, -1) {
		num, unit, mult := m[1], m[2], time.Duration(1)
		if unit == "d" {
			unit, mult = "h", 24
		}
		d, err := time.ParseDuration(num + unit)
		if err != nil || d > MaxDuration/mult {
			return 0, ErrTooLong // time.ParseDuration fails only on overflow here
		}
		total += d * mult
		if total > MaxDuration {
			return 0, ErrTooLong
		}
	}
	if total%time.Second != 0 {
		return 0, ErrSubSecond
	}
	return total, nil
}

// FormatDuration writes d in days, hours, minutes and seconds, each unit
// once and only when not zero: 7d, 1d12h, 1h30m, 30s; 0 for zero.
// ParseDuration reads it back.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < 0:
		return "-" + FormatDuration(-d)
	case d%time.Second != 0:
		return d.String() // not a value the parser gives; still readable back
	}
	var b strings.Builder
	for _, u := range []struct {
		unit string
		size time.Duration
	}{{"d", Day}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.unit)
			d -= n * u.size
		}
	}
	return b.String()
}
