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

	"github.com/segharness/harness/internal/features/featureset"
	"github.com/segharness/harness/internal/models"
)

// The package comment in doc.go is the reference for every key. These
// tests hold it to the parser: every key the parser accepts has an entry,
// and each entry's facts in parentheses (the kinds, the default, the
// allowed values and ranges, sweepable or not) are what the parser does.
//
// An entry is a list item of the form
//
//	- `PATH` (FACT; FACT; ...): description
//
// where PATH is the key path (name, data.flows, models[].trees,
// targets[].metric), and the facts end at the first "):".

// docText returns the package comment of doc.go with the comment markers
// removed and all white space collapsed to single spaces.
func docText(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for line := range strings.SplitSeq(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//"); ok {
			text = append(text, rest)
		}
	}
	return strings.Join(strings.Fields(strings.Join(text, "\n")), " ")
}

// kindDocs returns the section of docs/models.md (the registry's
// reference, to which doc.go points for model keys) of each kind, white
// space collapsed, and the whole text.
func kindDocs(t *testing.T) (map[string]string, string) {
	t.Helper()
	src, err := os.ReadFile("../docs/models.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, sec := range strings.Split(string(src), "\n## ")[1:] {
		name, body, _ := strings.Cut(sec, "\n")
		if name != "Roles" {
			sections[name] = strings.Join(strings.Fields(body), " ")
		}
	}
	return sections, strings.Join(strings.Fields(string(src)), " ")
}

// entryFor returns the facts of key k's entry: a model parameter's in its
// kind's section of docs/models.md, any other key's in doc.go.
func entryFor(t *testing.T, doc string, k key) ([]string, bool) {
	if k.kind == "" || k.path == "models[].name" || k.path == "models[].kind" {
		return docEntry(doc, k.path)
	}
	sections, _ := kindDocs(t)
	return docEntry(sections[k.kind], k.path)
}

// docEntry returns the facts of the entry for path, or false.
func docEntry(doc, path string) ([]string, bool) {
	head := "- `" + path + "` ("
	i := strings.Index(doc, head)
	if i < 0 {
		return nil, false
	}
	rest := doc[i+len(head):]
	end := strings.Index(rest, "):")
	if end < 0 {
		return nil, false
	}
	return strings.Split(rest[:end], "; "), true
}

// key is one key the parser accepts, where it sits, and how to put a
// value there.
type key struct {
	path string              // doc path: data.flows, models[].trees
	file func(string) string // an experiment file with the key set to a YAML value
	kind string              // for model keys, a kind it applies to
}

// knownKeys returns the keys the parser lists for a mapping, read from its
// "unknown key" error, so that the test follows the parser's own tables.
func knownKeys(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse([]byte(src), "keys.yaml")
	if err == nil {
		t.Fatalf("no error for an unknown key in:\n%s", src)
	}
	m := regexp.MustCompile(`unknown key "zz_unknown"[^;]*; known keys: (.*)`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("no list of known keys in:\n%v", err)
	}
	return strings.Split(strings.SplitN(m[1], "\n", 2)[0], ", ")
}

// allKeys lists every key of the experiment file, with files that set it.
func allKeys(t *testing.T) []key {
	const head = "name: t\nseeds: [1]\n"
	var keys []key
	add := func(prefix string, names []string, file func(k, v string) string) {
		for _, k := range names {
			keys = append(keys, key{path: prefix + k, file: func(v string) string { return file(k, v) }})
		}
	}
	add("", knownKeys(t, head+"zz_unknown: 1\n"), func(k, v string) string {
		if k == "name" || k == "seeds" {
			return strings.Replace(head, k+": ", k+": "+v+" #", 1)
		}
		return head + k + ": " + v + "\n"
	})
	add("data.", knownKeys(t, head+"data: {zz_unknown: 1}\n"), func(k, v string) string {
		return head + "data: {" + k + ": " + v + "}\n"
	})
	const table = "data: {source: table, table: {files: [testdata/table/train.csv]"
	add("data.table.", knownKeys(t, head+table+", zz_unknown: 1}}\n"), func(k, v string) string {
		if k == "files" {
			return head + "data: {source: table, table: {files: " + v + "}}\n"
		}
		return head + table + ", " + k + ": " + v + "}}\n"
	})
	add("data.table.roles.", knownKeys(t, head+table+", roles: {zz_unknown: 1}}}\n"), func(k, v string) string {
		return head + table + ", roles: {" + k + ": " + v + "}}}\n"
	})
	add("data.anomaly_mix.", knownKeys(t, head+"data: {anomaly_mix: {zz_unknown: 1}}\n"), func(k, v string) string {
		return head + "data: {anomaly_mix: {" + k + ": " + v + "}}\n"
	})
	add("split.", knownKeys(t, head+"split: {zz_unknown: 1}\n"), func(k, v string) string {
		return head + "split: {" + k + ": " + v + "}\n"
	})
	const model = "models: [{name: m, kind: random_forest}]\n"
	add("targets[].", knownKeys(t, head+model+"targets: [{zz_unknown: 1}]\n"), func(k, v string) string {
		target := map[string]string{"model": "m", "metric": "f1", ">=": "0.5"}
		target[k] = v
		var pairs []string
		for _, tk := range []string{"model", "metric", k} {
			if _, done := target[tk]; done {
				pairs = append(pairs, fmt.Sprintf("%q: %s", tk, target[tk]))
				delete(target, tk)
			}
		}
		return head + model + "targets: [{" + strings.Join(pairs, ", ") + "}]\n"
	})
	const rf = "models: [{name: rf, kind: random_forest}, {name: typ, kind: random_forest, target: anomaly_type}]\n"
	add("policy.", knownKeys(t, head+rf+"policy: {zz_unknown: 1}\n"), func(k, v string) string {
		return head + rf + "policy: {" + k + ": " + v + "}\n"
	})
	add("incident.", knownKeys(t, head+rf+"export_model: true\nincident: {zz_unknown: 1}\n"), func(k, v string) string {
		if k == "flows" {
			return head + rf + "export_model: true\nincident: {flows: " + v + "}\n"
		}
		return head + rf + "export_model: true\nincident: {flows: [" + incidentFlowText("") + "], " + k + ": " + v + "}\n"
	})
	add("incident.flows[].", knownKeys(t, head+rf+"export_model: true\nincident: {flows: [{zz_unknown: 1}]}\n"), func(k, v string) string {
		return head + rf + "export_model: true\nincident: {flows: [" + incidentFlowText(k, v) + "]}\n"
	})
	// monitoring and its mappings, with the detector it needs.
	mon := func(block string) string { return head + rf + "monitoring: " + block + "\n" }
	add("monitoring.", knownKeys(t, mon("{zz_unknown: 1}")), func(k, v string) string {
		return mon("{" + k + ": " + v + "}")
	})
	for _, sub := range []string{"timing", "feedback", "retraining"} {
		add("monitoring."+sub+".", knownKeys(t, mon("{"+sub+": {zz_unknown: 1}}")), func(k, v string) string {
			return mon("{" + sub + ": {" + k + ": " + v + "}}")
		})
	}
	for _, delay := range []string{"triage", "containment"} {
		add("monitoring.timing."+delay+".", knownKeys(t, mon("{timing: {"+delay+": {zz_unknown: 1}}}")), func(k, v string) string {
			return mon("{timing: {" + delay + ": {" + k + ": " + v + "}}}")
		})
	}
	add("monitoring.campaigns[].", knownKeys(t, mon("{campaigns: [{zz_unknown: 1}]}")), func(k, v string) string {
		return mon("{campaigns: [" + itemText([][2]string{{"name", "c"}, {"type", "crypto_mining"}}, k, v) + "]}")
	})
	add("monitoring.drifts[].", knownKeys(t, mon("{drifts: [{zz_unknown: 1}]}")), func(k, v string) string {
		return mon("{drifts: [" + itemText([][2]string{{"cpu_shift", "5"}}, k, v) + "]}")
	})
	add("monitoring.drifts[].device_weights.", knownKeys(t, mon("{drifts: [{device_weights: {zz_unknown: 1}}]}")), func(k, v string) string {
		return mon("{drifts: [{device_weights: {" + k + ": " + v + "}}]}")
	})
	for _, kind := range models.Names() {
		names := knownKeys(t, head+"models: [{kind: "+kind+requiredParams(kind, "")+", zz_unknown: 1}]\n")
		for _, k := range names {
			keys = append(keys, key{path: "models[]." + k, kind: kind, file: func(v string) string {
				if k == "kind" {
					return head + "models: [{kind: " + v + "}]\n"
				}
				return head + "models: [{kind: " + kind + requiredParams(kind, k) + ", " + k + ": " + v + "}]\n"
			}})
		}
	}
	return keys
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

// TestDocEveryKey: every key the parser accepts has an entry in doc.go,
// and so does zip.
func TestDocEveryKey(t *testing.T) {
	doc := docText(t)
	keys := allKeys(t)
	if len(keys) < 40 {
		t.Fatalf("found only %d keys; the key discovery is broken", len(keys))
	}
	for _, k := range keys {
		if slices.Contains(Ops, strings.TrimPrefix(k.path, "targets[].")) {
			// The four comparisons share one entry.
			if !strings.Contains(doc, "`"+k.path+"`") {
				t.Errorf("doc.go does not mention `%s`", k.path)
			}
			continue
		}
		if _, ok := entryFor(t, doc, k); !ok {
			t.Errorf("doc.go (or, for kind %q, docs/models.md) has no entry \"- `%s` (...): ...\"", k.kind, k.path)
		}
	}
	if !strings.Contains(doc, "A `zip` block") {
		t.Error("doc.go does not document zip blocks")
	}
}

// TestDocModelKinds: docs/models.md has a section for each kind the
// parser accepts, with an entry for each of its keys, and no entry for a
// key the kind does not take.
func TestDocModelKinds(t *testing.T) {
	sections, _ := kindDocs(t)
	for _, kind := range models.Names() {
		sec, ok := sections[kind]
		if !ok {
			t.Errorf("docs/models.md has no section ## %s", kind)
			continue
		}
		keys := knownKeys(t, "name: t\nseeds: [1]\nmodels: [{kind: "+kind+", zz_unknown: 1}]\n")
		for _, m := range regexp.MustCompile("- `models\\[\\]\\.([a-z_]+)` \\(").FindAllStringSubmatch(sec, -1) {
			if !slices.Contains(keys, m[1]) {
				t.Errorf("docs/models.md documents models[].%s for %s, which the parser refuses", m[1], kind)
			}
		}
	}
	if len(sections) != len(models.Names()) {
		t.Errorf("docs/models.md has %d kind sections, the registry %d kinds", len(sections), len(models.Names()))
	}
}

// TestDocFacts checks each entry's facts against the parser:
//   - "default X": a file without the key resolves (SpecNode) to X;
//   - "required": a file without the key is an error saying so;
//   - "sweepable": a list value is not rejected as "cannot be swept";
//   - every value of a closed set, and every range the parser enforces,
//     appears among the facts.
func TestDocFacts(t *testing.T) {
	doc := docText(t)
	// Keys whose value is a mapping or a list by nature: sweeping does not
	// apply to them.
	containers := []string{"seeds", "data", "split", "operating_point", "models", "targets", "regressions", "data.anomaly_mix", "targets[].where",
		"incident", "incident.flows", "incident.compare", "policy",
		"monitoring", "monitoring.campaigns", "monitoring.drifts", "monitoring.drifts[].device_weights",
		"monitoring.timing", "monitoring.timing.triage", "monitoring.timing.containment",
		"monitoring.timing.triage.uniform", "monitoring.timing.triage.lognormal",
		"monitoring.timing.containment.uniform", "monitoring.timing.containment.lognormal",
		"monitoring.feedback", "monitoring.retraining", "monitoring.retraining.rollout", "monitoring.drift_features",
		"data.table", "data.table.files", "data.table.test", "data.table.columns", "data.table.normal", "data.table.categories",
		"data.table.numeric", "data.table.categorical", "data.table.ignore", "data.table.roles", "data.table.missing_tokens",
		"models[].command", "models[].files", "models[].params"}
	for _, k := range allKeys(t) {
		facts, ok := entryFor(t, doc, k)
		if !ok {
			continue // TestDocEveryKey reports it
		}
		name := k.path
		if k.kind != "" {
			name += "/" + k.kind
		}
		t.Run(name, func(t *testing.T) {
			factText := strings.Join(facts, "; ")
			// The words of the facts other than the default, where the
			// values of a closed set are listed.
			var words []string
			for _, f := range facts {
				if !strings.HasPrefix(f, "default ") {
					words = append(words, regexp.MustCompile(`[a-z0-9_]+`).FindAllString(f, -1)...)
					// and with hyphens, for values like nsl-kdd.
					words = append(words, regexp.MustCompile(`[a-z0-9_-]+`).FindAllString(f, -1)...)
				}
			}

			// Required, or a default.
			without, required := requiredKeys[k.path]
			if slices.Contains(facts, "required") != required {
				t.Errorf("doc.go says required %v, the test's table %v", !required, required)
			}
			if required {
				last := k.path[strings.LastIndex(k.path, ".")+1:]
				if _, err := Parse([]byte(without), "k.yaml"); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("missing key %q", last)) {
					t.Errorf("documented as required, but a file without it gives %v", err)
				}
			} else if def, ok := defaultText(t, k); ok {
				if !slices.Contains(facts, "default "+def) {
					t.Errorf("the parser's default is %s; doc.go says (%s)", def, factText)
				}
			}

			// Sweepable.
			if !slices.Contains(containers, k.path) {
				_, err := Parse([]byte(k.file("[zz1, zz2]")), "k.yaml")
				swept := err == nil || !strings.Contains(err.Error(), "cannot be swept")
				if doc := slices.Contains(facts, "sweepable"); doc != swept {
					t.Errorf("doc.go says sweepable %v, the parser %v (%v)", doc, swept, err)
				}
			}

			// Closed sets and ranges, from the parser's own messages.
			for _, v := range []string{"zz_bad", "-1e15", "-999999999999999"} {
				_, err := Parse([]byte(k.file(v)), "k.yaml")
				if err == nil {
					continue
				}
				for _, m := range regexp.MustCompile(`is not one of ([^(\n]*)`).FindAllStringSubmatch(err.Error(), -1) {
					for _, value := range strings.Split(strings.TrimSpace(m[1]), ", ") {
						if !slices.Contains(words, value) {
							t.Errorf("the parser accepts %s; doc.go's (%s) does not list it", value, factText)
						}
					}
				}
				for _, m := range regexp.MustCompile(`is outside ([\[(][^\]\n]*[\])])`).FindAllStringSubmatch(err.Error(), -1) {
					interval := readableInterval(m[1])
					if !strings.Contains(factText, interval) {
						t.Errorf("the parser's range is %s; doc.go says (%s)", interval, factText)
					}
				}
			}
		})
	}
}

// requiredKeys holds, for each required key, a file that leaves it out and
// is otherwise valid.
var requiredKeys = map[string]string{
	"name":             "seeds: [1]\n",
	"seeds":            "name: t\n",
	"models[].kind":    "name: t\nseeds: [1]\nmodels: [{name: m}]\n",
	"models[].command": "name: t\nseeds: [1]\nmodels: [{name: m, kind: external}]\n",
	"targets[].model":  "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\ntargets: [{metric: silhouette, \">\": 0}]\n",
	"targets[].metric": "name: t\nseeds: [1]\nmodels: [{name: m, kind: kmeans}]\ntargets: [{model: m, \">\": 0}]\n",
	"data.table.files": "name: t\nseeds: [1]\ndata: {source: table, table: {preset: nsl-kdd}}\n",
}

// itemText writes a flow mapping of fields with key set to value, added
// last when fields do not have it.
func itemText(fields [][2]string, key, value string) string {
	var pairs []string
	set := false
	for _, f := range fields {
		if f[0] == key {
			f[1], set = value, true
		}
		pairs = append(pairs, f[0]+": "+f[1])
	}
	if !set {
		pairs = append(pairs, key+": "+value)
	}
	return "{" + strings.Join(pairs, ", ") + "}"
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

// defaultText returns the text a key resolves to when the file leaves it
// out, if it is a scalar that SpecNode writes.
func defaultText(t *testing.T, k key) (string, bool) {
	t.Helper()
	src := "name: t\nseeds: [1]\n"
	segs := strings.Split(k.path, ".")
	if segs[0] == "monitoring" {
		if k.path == "monitoring.model" {
			return "", false // the first detector's name, whatever it is
		}
		// The block present, and retraining's: their keys' defaults.
		src += "models: [{name: rf, kind: random_forest}]\nmonitoring: {retraining: {}}\n"
	}
	if k.kind != "" {
		if k.path == "models[].name" || k.path == "models[].kind" {
			return "", false
		}
		src += "models: [{kind: " + k.kind + requiredParams(k.kind, "") + "}]\n"
	}
	exp, err := Parse([]byte(src), "default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := SpecNode(&exp.Spec)
	if k.kind != "" {
		n, segs = modelNode(&exp.Spec.Models[0]), segs[1:]
	}
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
// doc as `name`.
func TestDocValues(t *testing.T) {
	_, reference := kindDocs(t)
	doc := docText(t) + " " + reference
	var names []string
	names = append(names, models.Names()...)
	for _, r := range models.Roles {
		names = append(names, r.Metrics()...)
	}
	names = append(names, featureset.SetNames()...)
	names = append(names, MonitoringMetrics...)
	names = append(names, TableDetectorMetrics...)
	for _, m := range append(slices.Clone(IncidentMetrics), PolicyMetrics...) {
		if !strings.HasSuffix(m, "_") {
			names = append(names, m)
		} else if !strings.Contains(doc, "`"+m+"<") {
			t.Errorf("doc.go does not mention `%s<...>`", m)
		}
	}
	for _, n := range names {
		if !strings.Contains(doc, "`"+n+"`") {
			t.Errorf("doc.go does not mention `%s`", n)
		}
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
