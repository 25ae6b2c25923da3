package experiments

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/models"
)

// The reference of the keys is Keys (keys.go), a table; these tests hold
// it to the parser, key for key: the keys the parser offers in each
// mapping are the table's (TestKeysAreTheParsers), and each key's default,
// requiredness, sweepability, set of values and range are what the parser
// does (TestKeyFacts). docs/experiment-files.md lists the table
// (TestDocsKeyList, which go test -update rewrites), and doc.go's prose
// mentions every metric and name a file may use (TestDocValues).

// keyFile returns an experiment file with the key path set to the YAML
// value v, inside the mappings and lists the path names (flow YAML, every
// key quoted). A model gets kind random_forest unless the key is its kind.
func keyFile(path, v string) string {
	switch path {
	case "name":
		return "{name: " + v + ", seeds: [1]}\n"
	case "seeds":
		return "{name: t, seeds: " + v + "}\n"
	}
	segs := strings.Split(path, ".")
	// Rejoin the comparisons' segments: targets[].> has no dot inside.
	val := v
	for i := len(segs) - 1; i >= 0; i-- {
		name, list := strings.CutSuffix(segs[i], "[]")
		if !list {
			val = "{" + strconv.Quote(name) + ": " + val + "}"
			continue
		}
		item := val
		if name == "models" && segs[i+1] != "kind" {
			item = "{\"kind\": random_forest, " + strings.TrimPrefix(val, "{")
		}
		val = "{" + strconv.Quote(name) + ": [" + item + "]}"
	}
	return "{name: t, seeds: [1], " + strings.TrimPrefix(val, "{") + "\n"
}

// sampleValue is a value of the key's type that makes the parser offer
// the keys beneath it: an empty mapping, or a list of one.
func sampleValue(k *Key) string {
	switch {
	case strings.HasPrefix(k.Type, "list of mappings"):
		return "[{}]"
	case strings.Contains(k.Type, "mapping"), k.Type == "delay":
		return "{}"
	}
	return "1"
}

// offeredKeys returns every key path the parser offers in the mappings
// that the keys of the table, and a model of each kind, lead to.
func offeredKeys(t *testing.T) map[string]bool {
	t.Helper()
	offered := map[string]bool{}
	record := func(path string) { offered[path] = true }
	var files []string
	for i := range Keys {
		files = append(files, keyFile(Keys[i].Path, sampleValue(&Keys[i])))
	}
	for _, kind := range models.Names() {
		files = append(files, "{name: t, seeds: [1], models: [{kind: "+kind+"}]}\n")
	}
	for _, src := range files {
		parse([]byte(src), "keys.yaml", record) // the errors do not matter
	}
	return offered
}

// TestKeysAreTheParsers: every key the parser offers is in Keys, and
// every key of Keys the parser offers. A model's keys besides name and
// kind are its kind's parameters, from the registry.
func TestKeysAreTheParsers(t *testing.T) {
	offered := offeredKeys(t)
	if len(offered) < 100 {
		t.Fatalf("the parser offered only %d keys; the key discovery is broken", len(offered))
	}
	for path := range offered {
		if rest, ok := strings.CutPrefix(path, "models[]."); ok && rest != "name" && rest != "kind" {
			param, _, _ := strings.Cut(rest, ".") // the entries of a pass-through mapping are the user's
			if len(models.KindsWithKey(param)) == 0 {
				t.Errorf("the parser offers %s, a parameter of no registered kind", path)
			}
			continue
		}
		if keyOf(path) == nil {
			t.Errorf("the parser accepts %s, which Keys (keys.go) does not list", path)
		}
	}
	for _, k := range Keys {
		if !offered[k.Path] {
			t.Errorf("Keys lists %s, which the parser does not accept", k.Path)
		}
		if strings.Count(k.Path, "`") > 0 || k.Type == "" || k.Doc == "" {
			t.Errorf("key %s: want a path, a type and a doc", k.Path)
		}
	}
	seen := map[string]bool{}
	for _, k := range Keys {
		if seen[k.Path] {
			t.Errorf("Keys lists %s twice", k.Path)
		}
		seen[k.Path] = true
	}
}

// TestModelKeys: a model of each kind takes name, kind and its kind's
// parameters, no other key, and each parameter is sweepable as the
// registry declares.
func TestModelKeys(t *testing.T) {
	for _, kind := range models.Names() {
		var got []string
		parse([]byte("{name: t, seeds: [1], models: [{kind: "+kind+"}]}\n"), "k.yaml", func(path string) {
			if rest, ok := strings.CutPrefix(path, "models[]."); ok && !strings.Contains(rest, ".") && !slices.Contains(got, rest) {
				got = append(got, rest)
			}
		})
		want := []string{"name", "kind"}
		for _, p := range models.Lookup(kind).Params {
			want = append(want, p.Key)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("kind %s: the parser offers %v, the registry declares %v", kind, got, want)
		}
		for _, p := range models.Lookup(kind).Params {
			if p.Type == models.Strings || p.Type == models.Mapping {
				continue
			}
			src := "{name: t, seeds: [1], models: [{kind: " + kind + requiredParams(kind, p.Key) + ", " + p.Key + ": [zz1, zz2]}]}\n"
			_, err := Parse([]byte(src), "k.yaml")
			if swept := err == nil || !strings.Contains(err.Error(), "cannot be swept"); swept != p.Sweepable {
				t.Errorf("kind %s, key %s: the registry says sweepable %v, the parser %v (%v)", kind, p.Key, p.Sweepable, swept, err)
			}
		}
	}
}

// requiredParams returns the keys a model of kind must have, but skip,
// with valid values, as a flow mapping's ", key: value" pairs.
func requiredParams(kind, skip string) string {
	var b strings.Builder
	for _, p := range models.Lookup(kind).Params {
		if p.Required && p.Key != skip {
			b.WriteString(", " + p.Key + ": [true]") // the kinds' required keys are lists
		}
	}
	return b.String()
}

// TestKeyFacts checks each key's entry against the parser:
//   - Default "required": a file without the key is an error saying so
//     (requiredKeys holds such a file for each required key);
//   - any other Default: a file without the key resolves (SpecNode) to it,
//     when the key resolves to a scalar;
//   - Sweepable: a list value is not rejected as "cannot be swept" (for
//     keys whose value is not a mapping or list by nature);
//   - every value of a closed set, and every range the parser enforces,
//     appears in Type or Range.
func TestKeyFacts(t *testing.T) {
	for _, k := range Keys {
		t.Run(k.Path, func(t *testing.T) {
			words := regexp.MustCompile(`[a-z0-9_-]+`).FindAllString(k.Type+" "+k.Range, -1)
			words = append(words, regexp.MustCompile(`[a-z0-9_]+`).FindAllString(k.Type+" "+k.Range, -1)...)
			words = append(words, regexp.MustCompile(`[a-z0-9_.]*[a-z0-9_]`).FindAllString(k.Type+" "+k.Range, -1)...) // csv.gz

			// Required, or a default.
			without, required := requiredKeys[k.Path]
			if (k.Default == "required") != required {
				t.Errorf("Keys says default %q, the test's table of required keys %v", k.Default, required)
			}
			if required {
				last := k.Path[strings.LastIndex(k.Path, ".")+1:]
				if _, err := Parse([]byte(without), "k.yaml"); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("missing key %q", last)) {
					t.Errorf("listed as required, but a file without it gives %v", err)
				}
			} else if def, ok := defaultText(t, k.Path); ok && !strings.HasPrefix(k.Default, "required") && k.Default != "no default" && k.Default != def {
				t.Errorf("the parser's default is %s; Keys says %q", def, k.Default)
			}

			// Sweepable.
			container := strings.HasPrefix(k.Type, "mapping") || strings.HasPrefix(k.Type, "list") || k.Type == "delay"
			if !container {
				swept := !slices.ContainsFunc(keyErrors(k.Path, "[zz1, zz2]"), func(e *Error) bool { return strings.Contains(e.Msg, "cannot be swept") })
				if swept != k.Sweepable {
					t.Errorf("Keys says sweepable %v, the parser %v", k.Sweepable, swept)
				}
			}

			// Closed sets and ranges, from the parser's own messages.
			facts := k.Type + "; " + k.Range
			for _, v := range []string{"zz_bad", "-1e15", "-999999999999999"} {
				for _, e := range keyErrors(k.Path, v) {
					for _, m := range regexp.MustCompile(`is not one of ([^(\n]*)`).FindAllStringSubmatch(e.Msg, -1) {
						for _, value := range strings.Split(strings.TrimSpace(m[1]), ", ") {
							if !slices.Contains(words, value) {
								t.Errorf("the parser accepts %s; Keys' (%s) does not list it", value, facts)
							}
						}
					}
					for _, m := range regexp.MustCompile(`is outside ([\[(][^\]\n]*[\])])`).FindAllStringSubmatch(e.Msg, -1) {
						if interval := readableInterval(m[1]); !strings.Contains(facts, interval) {
							t.Errorf("the parser's range is %s; Keys says (%s)", interval, facts)
						}
					}
				}
			}
		})
	}
}

// keyErrors returns the parser's errors at key path of a file that sets
// it to v.
func keyErrors(path, v string) []*Error {
	_, err := Parse([]byte(keyFile(path, v)), "k.yaml")
	var list ErrorList
	errors.As(err, &list)
	var out []*Error
	for _, e := range list {
		if listIndex.ReplaceAllString(e.Path, "[]") == path {
			out = append(out, e)
		}
	}
	return out
}

// TestDocsKeyList: docs/experiment-files.md lists the keys as
// KeyReference writes them (go test -update rewrites the list).
func TestDocsKeyList(t *testing.T) {
	const path = "../docs/experiment-files.md"
	const begin, end = "<!-- keys:begin (written by go test ./experiments -update from experiments.Keys; do not edit) -->\n", "<!-- keys:end -->\n"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, begin)
	stop := strings.Index(doc, end)
	if start < 0 || stop < start {
		t.Fatalf("%s: no key list between %q and %q", path, strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	start += len(begin)
	got, want := doc[start:stop], "\n"+KeyReference()+"\n"
	if *update {
		if err := os.WriteFile(path, []byte(doc[:start]+want+doc[stop:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("%s: the key list differs from Keys (go test ./experiments -update rewrites it)", path)
	}
}

// requiredKeys holds, for each required key, a file that leaves it out and
// is otherwise valid.
var requiredKeys = map[string]string{
	"name":                 "seeds: [1]\n",
	"seeds":                "name: t\n",
	"models[].kind":        "name: t\nseeds: [1]\nmodels: [{name: m}]\n",
	"models[].command":     "name: t\nseeds: [1]\nmodels: [{name: m, kind: external}]\n",
	"targets[].model":      "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\ntargets: [{metric: silhouette, \">\": 0}]\n",
	"targets[].metric":     "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\ntargets: [{model: m, \">\": 0}]\n",
	"data.table.files":     "name: t\nseeds: [1]\ndata: {source: table, table: {preset: nsl-kdd}}\n",
	"regressions[].model":  "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\nregressions: [{metric: silhouette, better: higher}]\n",
	"regressions[].metric": "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\nregressions: [{model: m, better: higher}]\n",
	"regressions[].against.model": "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}, {name: n, kind: kmeans}]\n" +
		"regressions: [{model: m, metric: silhouette, against: {}}]\n",
}

// incidentFields are a valid incident flow's keys and values.
var incidentFields = [][2]string{
	{"name", "a"}, {"src_device_type", "workstation"}, {"src_department", "hr"}, {"dst_device_type", "server"},
	{"dst_department", "it"}, {"protocol", "TCP"}, {"bytes_sent", "1000"}, {"packets_sent", "3"}, {"duration", "30"},
	{"hour", "9"}, {"is_business_hours", "true"}, {"cpu_usage", "20"}, {"ports_contacted", "2"},
}

// incidentFlowText writes a valid incident flow as a YAML flow mapping,
// with key set to value ("" leaves key out), or key left out when value is
// not given.
func incidentFlowText(key string, value ...string) string {
	var pairs []string
	set := false
	for _, f := range incidentFields {
		if f[0] == key {
			set = true
			if len(value) == 0 {
				continue
			}
			f[1] = value[0]
		}
		pairs = append(pairs, f[0]+": "+f[1])
	}
	if !set && key != "" && len(value) > 0 {
		pairs = append(pairs, key+": "+value[0])
	}
	return "{" + strings.Join(pairs, ", ") + "}"
}

func init() {
	const head = "name: t\nseeds: [1]\nmodels: [{name: rf, kind: random_forest}, {name: typ, kind: random_forest, target: anomaly_type}]\nexport_model: true\n"
	requiredKeys["incident.flows"] = head + "incident: {compare: [a, b]}\n"
	for _, f := range incidentFields {
		requiredKeys["incident.flows[]."+f[0]] = head + "incident: {flows: [" + incidentFlowText(f[0]) + "]}\n"
	}
	const mon = "name: t\nseeds: [1]\nmodels: [{name: rf, kind: random_forest}]\nmonitoring: "
	requiredKeys["monitoring.campaigns[].name"] = mon + "{campaigns: [{type: crypto_mining}]}\n"
	requiredKeys["monitoring.campaigns[].type"] = mon + "{campaigns: [{name: c}]}\n"
}

// readableInterval rewrites an interval of the parser's messages, whose
// ends are printed as floats (1e+06), as doc.go writes it: integral ends
// as integers (1000000) and the largest float64 as "max float64".
func readableInterval(s string) string {
	return regexp.MustCompile(`[-+0-9.e]+`).ReplaceAllStringFunc(s, func(num string) string {
		f, err := strconv.ParseFloat(num, 64)
		switch {
		case err != nil:
			return num
		case f == math.MaxFloat64:
			return "max float64"
		case f == math.Trunc(f) && math.Abs(f) < 1<<53:
			return strconv.FormatInt(int64(f), 10)
		}
		return num
	})
}

// defaultText returns the text the key path resolves to when the file
// leaves it out, if it is a scalar that SpecNode writes.
func defaultText(t *testing.T, path string) (string, bool) {
	t.Helper()
	src := "name: t\nseeds: [1]\n"
	segs := strings.Split(path, ".")
	// The block present (and those within it), so that its keys resolve.
	switch segs[0] {
	case "monitoring":
		if path == "monitoring.model" {
			return "", false // the first detector's name, whatever it is
		}
		src += "models: [{name: rf, kind: random_forest}]\nmonitoring: {retraining: {}}\n"
	case "policy":
		src += "models: [{name: rf, kind: random_forest}]\npolicy: {}\n"
	case "operating_point":
		src += "operating_point: {fpr_budget: 0.1}\n"
	case "data":
		if strings.HasPrefix(path, "data.table.") {
			src += "data: {source: table, table: {files: [t.csv], columns: [v, l], label: l, normal: [n], categories: {c: [x]}, numeric: [v]}}\n"
		}
	case "models[]":
		return "", false // the kind's parameters: the registry's defaults
	}
	exp, err := Parse([]byte(src), "default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := SpecNode(&exp.Spec)
	for _, seg := range segs {
		if n = lookup(n, seg); n == nil {
			return "", false
		}
	}
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}

// TestDocValues: the metric names, kinds and feature sets appear in the
// reference (doc.go, the key list, docs/models.md) as `name`, and doc.go
// documents zip blocks.
func TestDocValues(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	reference, err := os.ReadFile("../docs/models.md")
	if err != nil {
		t.Fatal(err)
	}
	var comment []string
	for line := range strings.SplitSeq(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//"); ok {
			comment = append(comment, rest)
		}
	}
	docGo := strings.Join(strings.Fields(strings.Join(comment, "\n")), " ")
	doc := docGo + " " + KeyReference() + " " + string(reference)
	var names []string
	names = append(names, models.Names()...)
	for _, r := range models.Roles {
		names = append(names, r.Metrics()...)
	}
	names = append(names, featureset.SetNames()...)
	names = append(names, eval.Produced(eval.Monitoring)...)
	names = append(names, TableDetectorMetrics...)
	for _, m := range append(eval.Produced(eval.Incident), eval.Produced(eval.Policy)...) {
		if !strings.HasSuffix(m, "_") {
			names = append(names, m)
		} else if !strings.Contains(doc, "`"+m+"<") {
			t.Errorf("the reference does not mention `%s<...>`", m)
		}
	}
	for _, n := range names {
		if !strings.Contains(doc, "`"+n+"`") {
			t.Errorf("the reference does not mention `%s`", n)
		}
	}
	if !strings.Contains(docGo, "A `zip` block") {
		t.Error("doc.go does not document zip blocks")
	}
}

// TestDocExample parses the example at the top of doc.go and checks the
// trials it says the example expands to.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	// The first code block: lines "//\t...".
	var lines []string
	for line := range strings.SplitSeq(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			lines = append(lines, rest)
		} else if len(lines) > 0 {
			break
		}
	}
	exp, err := Parse([]byte(strings.Join(lines, "\n")), "example.yaml")
	if err != nil {
		var list ErrorList
		errors.As(err, &list)
		t.Fatalf("doc.go's example does not parse:\n%v", err)
	}
	ids := trialIDs(exp)
	if len(ids) != 9 || ids[0] != "anomaly_rate=0.01/seed=1" || ids[8] != "anomaly_rate=0.1/seed=3" {
		t.Errorf("example trials %v; doc.go says 9, anomaly_rate=0.01/seed=1 to anomaly_rate=0.1/seed=3", ids)
	}
}
