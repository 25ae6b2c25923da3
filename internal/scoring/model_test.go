package scoring

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/features"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir, tr := savedModel(t)
	want := tr.model
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Pipeline.Columns, got.Pipeline.Columns); diff != "" {
		t.Errorf("columns (-saved +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(want.Pipeline.Encoders, got.Pipeline.Encoders); diff != "" {
		t.Errorf("encoders (-saved +loaded):\n%s", diff)
	}
	// Bit for bit: cmp's float equality would let -0 == 0 through.
	for _, pair := range [][2][]float64{{want.Pipeline.Scaler.Mean, got.Pipeline.Scaler.Mean}, {want.Pipeline.Scaler.Scale, got.Pipeline.Scaler.Scale}} {
		if !slices.EqualFunc(pair[0], pair[1], func(a, b float64) bool { return bitsEqual(a, b) }) {
			t.Errorf("scaler %v saved, %v loaded", pair[0], pair[1])
		}
	}
	if diff := cmp.Diff(want.AttackClasses, got.AttackClasses); diff != "" {
		t.Errorf("attack classes (-saved +loaded):\n%s", diff)
	}
	if want.Risk != got.Risk || want.Decision != got.Decision || want.Provenance != got.Provenance {
		t.Errorf("loaded %+v %+v %+v, saved %+v %+v %+v", got.Risk, got.Decision, got.Provenance, want.Risk, want.Decision, want.Provenance)
	}
	for _, pair := range [][2]Classifier{{want.Detector, got.Detector}, {want.AttackType, got.AttackType}} {
		a, err := pair[0].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, err := pair[1].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Error("a loaded forest encodes differently from the saved one")
		}
	}
	if want.Provenance.DerivedSeed == 0 || !strings.Contains(want.Provenance.DetectorSpec, "trees: 100") {
		t.Errorf("provenance %+v", want.Provenance)
	}

	// The same model saves to the same bytes.
	again := t.TempDir()
	if err := Save(again, got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ModelFile, DetectorFile, AttackTypeFile} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two saves of one model", name)
		}
	}
	// Nothing else is left in the directory, temporary files included.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{AttackTypeFile, DetectorFile, ModelFile}, names); diff != "" {
		t.Errorf("directory listing (-want +got):\n%s", diff)
	}
}

// model.json's layout, as the package documentation describes it.
func TestModelFileLayout(t *testing.T) {
	dir, _ := savedModel(t)
	data, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"", []string{"attack_type", "decision", "detector", "digest", "features", "format", "provenance", "risk"}},
		{"provenance", []string{"attack_type_spec", "derived_seed", "detector_spec", "experiment", "seed", "trial"}},
		{"features", []string{"columns", "encoders", "scaler_mean", "scaler_scale"}},
		{"detector", []string{"bytes", "classes", "file", "sha256"}},
		{"attack_type", []string{"bytes", "classes", "file", "sha256"}},
		{"risk", []string{"high", "medium"}},
		{"decision", []string{"rule"}},
	} {
		m := doc
		if tc.path != "" {
			m = doc[tc.path].(map[string]any)
		}
		if diff := cmp.Diff(tc.want, keys(m)); diff != "" {
			t.Errorf("keys of %q (-want +got):\n%s", tc.path, diff)
		}
	}
	if doc["format"] != Format || Format != "segharness-model/2" {
		t.Errorf("format %v", doc["format"])
	}
	// The digest, as the documentation describes it: the file's last 88
	// bytes are its line and the closing brace's, and it is the SHA-256 of
	// every byte before them.
	const suffix = 88
	sum := sha256.Sum256(data[:len(data)-suffix])
	want := `  "digest": "sha256:` + hex.EncodeToString(sum[:]) + "\"\n}\n"
	if got := string(data[len(data)-suffix:]); got != want {
		t.Errorf("model.json ends with %q, want %q", got, want)
	}
	if doc["digest"] != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("digest %v", doc["digest"])
	}
	if got := doc["detector"].(map[string]any)["classes"]; !cmp.Equal(got, []any{"normal", "anomaly"}) {
		t.Errorf("detector classes %v", got)
	}
	if got := doc["attack_type"].(map[string]any)["classes"]; !cmp.Equal(got, []any{"crypto_mining", "lateral_movement", "normal"}) {
		t.Errorf("attack classes %v", got)
	}
	if _, ok := doc["provenance"].(map[string]any)["derived_seed"].(string); !ok {
		t.Error("derived_seed is not a string")
	}
}

// A damaged model directory is refused with an error naming the file and
// the problem.
func TestLoadDamaged(t *testing.T) {
	src, _ := savedModel(t)
	// editJSON rewrites model.json through a generic JSON value, and
	// reseals it with a digest that matches, so that only what follows
	// the digest check can fail: as if a writer other than Save had
	// written it.
	editJSON := func(edit func(doc map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			path := filepath.Join(dir, ModelFile)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			edit(doc)
			if err := os.WriteFile(path, resealJSON(t, doc), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	section := func(doc map[string]any, name string) map[string]any { return doc[name].(map[string]any) }
	// replaceForest writes data as the named forest and records its digest,
	// so that only what follows the digest check can fail.
	replaceForest := func(name string, data func(dir string) []byte) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b := data(dir)
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			key := strings.TrimSuffix(name, ".forest")
			editJSON(func(doc map[string]any) {
				section(doc, key)["sha256"] = hex.EncodeToString(sum[:])
				section(doc, key)["bytes"] = len(b)
			})(t, dir)
		}
	}
	read := func(name string) func(dir string) []byte {
		return func(dir string) []byte {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			return b
		}
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   []string // substrings of the error
	}{
		{"no model.json", remove(ModelFile), []string{ModelFile, "no such file"}},
		{"no detector", remove(DetectorFile), []string{DetectorFile, "no such file"}},
		{"no attack-type forest", remove(AttackTypeFile), []string{AttackTypeFile, "no such file"}},
		{"truncated detector", modify(DetectorFile, func(b []byte) []byte { return b[:len(b)-100] }),
			[]string{DetectorFile + ": ", "bytes, smaller than the", "bytes model.json records", "truncated"}},
		{"empty attack-type forest", modify(AttackTypeFile, func([]byte) []byte { return nil }),
			[]string{AttackTypeFile + ": 0 bytes, smaller than"}},
		{"longer detector", modify(DetectorFile, func(b []byte) []byte { return append(b, 0) }),
			[]string{DetectorFile + ": ", "bytes, larger than the", "bytes model.json records"}},
		{"flipped byte", modify(AttackTypeFile, func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }),
			[]string{AttackTypeFile + ": SHA-256", "corrupt"}},
		{"forest that does not decode", replaceForest(DetectorFile, func(string) []byte { return []byte("SEGFOREST but not really a forest") }),
			[]string{DetectorFile + ": forest: "}},
		{"forest with a bad checksum", replaceForest(DetectorFile, func(dir string) []byte {
			b := read(DetectorFile)(dir)
			b[len(b)-1] ^= 1 // the forest's own SHA-256 trailer
			return b
		}), []string{DetectorFile + ": forest: "}},
		{"forests swapped", func(t *testing.T, dir string) {
			det, at := read(DetectorFile)(dir), read(AttackTypeFile)(dir)
			replaceForest(DetectorFile, func(string) []byte { return at })(t, dir)
			replaceForest(AttackTypeFile, func(string) []byte { return det })(t, dir)
		}, []string{"classes"}},
		{"wrong format version", editJSON(func(doc map[string]any) { doc["format"] = "segharness-model/3" }),
			[]string{ModelFile, `format "segharness-model/3", this harness reads "segharness-model/2"`}},
		{"format 1", editJSON(func(doc map[string]any) { doc["format"] = "segharness-model/1" }),
			[]string{ModelFile, `format "segharness-model/1", of an older harness (model.json has no digest); this harness reads "segharness-model/2": re-export the model`}},
		{"no format", editJSON(func(doc map[string]any) { delete(doc, "format") }), []string{ModelFile, "no format"}},
		{"not JSON", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ModelFile), []byte("format: segharness-model/1\n"), 0o644)
		}, []string{ModelFile, "not a model file"}},
		{"trailing data", func(t *testing.T, dir string) {
			b := read(ModelFile)(dir)
			os.WriteFile(filepath.Join(dir, ModelFile), append(b, "{}"...), 0o644)
		}, []string{ModelFile, "no digest at its end"}},
		{"second object, resealed", func(t *testing.T, dir string) {
			b := read(ModelFile)(dir)
			body := append(b[:len(b)-digestSuffixLen:len(b)-digestSuffixLen], "\"x\": 1}\n{\n"...)
			os.WriteFile(filepath.Join(dir, ModelFile), sealModelFile(body), 0o644)
		}, []string{ModelFile, "not a model file: invalid character '{' after top-level value"}},
		{"array, resealed", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ModelFile), sealModelFile([]byte("[\n")), 0o644)
		}, []string{ModelFile, "not a model file: "}},
		{"digest in capitals", func(t *testing.T, dir string) {
			b := read(ModelFile)(dir)
			copy(b[len(b)-digestSuffixLen:], bytes.ToUpper(b[len(b)-digestSuffixLen:]))
			os.WriteFile(filepath.Join(dir, ModelFile), b, 0o644)
		}, []string{ModelFile, "no digest at its end"}},
		{"negative forest size", editJSON(func(doc map[string]any) { section(doc, "detector")["bytes"] = -1 }),
			[]string{ModelFile, "detector.forest has -1 bytes"}},
		{"forest digest not hex", editJSON(func(doc map[string]any) { section(doc, "attack_type")["sha256"] = "../../etc/passwd" }),
			[]string{ModelFile, `attack_type.forest's SHA-256 "../../etc/passwd" is not 64 lowercase hex digits`}},
		{"unknown kind", editJSON(func(doc map[string]any) { section(doc, "detector")["kind"] = "xgboost" }),
			[]string{DetectorFile, `names the model kind "xgboost", which this harness does not score (it scores random_forest`}},
		{"unknown field", editJSON(func(doc map[string]any) { section(doc, "risk")["critical"] = 0.95 }),
			[]string{ModelFile, `unknown field "critical"`}},
		{"missing section", editJSON(func(doc map[string]any) { delete(doc, "risk") }), []string{ModelFile, `no "risk"`}},
		{"feature count", editJSON(func(doc map[string]any) {
			f := section(doc, "features")
			for _, k := range []string{"columns", "scaler_mean", "scaler_scale"} {
				f[k] = f[k].([]any)[1:] // drop bytes_sent everywhere
			}
		}), []string{ModelFile, "the detector takes 20 features, the pipeline has 19 columns"}},
		{"scaler length", editJSON(func(doc map[string]any) {
			f := section(doc, "features")
			f["scaler_scale"] = f["scaler_scale"].([]any)[1:]
		}), []string{ModelFile, "scaler has 20 means and 19 scales for 20 columns"}},
		{"zero scale", editJSON(func(doc map[string]any) { section(doc, "features")["scaler_scale"].([]any)[2] = 0 }),
			[]string{ModelFile, "scaler of duration"}},
		{"missing encoder", editJSON(func(doc map[string]any) {
			delete(section(section(doc, "features"), "encoders"), "protocol_encoded")
		}), []string{ModelFile, "no label encoder for column protocol_encoded"}},
		{"unsorted encoder", editJSON(func(doc map[string]any) {
			section(section(doc, "features"), "encoders")["protocol_encoded"] = []any{"UDP", "TCP", "ICMP"}
		}), []string{ModelFile, "label encoder of protocol_encoded"}},
		{"attack class count", editJSON(func(doc map[string]any) {
			section(doc, "attack_type")["classes"] = []any{"crypto_mining", "normal"}
		}), []string{AttackTypeFile, "3 classes, model.json names 2"}},
		{"repeated attack class", editJSON(func(doc map[string]any) {
			section(doc, "attack_type")["classes"] = []any{"normal", "crypto_mining", "normal"}
		}), []string{ModelFile, `attack class "normal" is empty or repeated`}},
		{"detector classes", editJSON(func(doc map[string]any) {
			section(doc, "detector")["classes"] = []any{"anomaly", "normal"}
		}), []string{ModelFile, "detector classes"}},
		{"forest file name", editJSON(func(doc map[string]any) { section(doc, "detector")["file"] = "../detector.forest" }),
			[]string{ModelFile, `forest file "../detector.forest", want "detector.forest"`}},
		{"medium above high", editJSON(func(doc map[string]any) { section(doc, "risk")["medium"] = 0.9 }),
			[]string{ModelFile, "risk thresholds high 0.8, medium 0.9 (want 0 <= medium <= high <= 1)"}},
		{"high above 1", editJSON(func(doc map[string]any) { section(doc, "risk")["high"] = 1.5 }),
			[]string{ModelFile, "risk thresholds high 1.5"}},
		{"negative medium", editJSON(func(doc map[string]any) { section(doc, "risk")["medium"] = -0.1 }),
			[]string{ModelFile, "risk thresholds"}},
		{"unknown decision rule", editJSON(func(doc map[string]any) { section(doc, "decision")["rule"] = "vote" }),
			[]string{ModelFile, `unknown decision rule "vote"`}},
		{"decision threshold above 1", editJSON(func(doc map[string]any) {
			doc["decision"] = map[string]any{"rule": "threshold", "threshold": 2}
		}), []string{ModelFile, "decision threshold 2 outside [0, 1]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			tc.damage(t, dir)
			m, err := Load(dir)
			if err == nil {
				t.Fatalf("loaded %+v", m)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			t.Log(err)
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name a file of %s", err, dir)
			}
		})
	}
}

// resealJSON encodes doc as model.json, its digest (if any) replaced by
// one that matches: what a writer other than Save could write.
func resealJSON(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	delete(doc, "digest")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutSuffix(buf.Bytes(), []byte("\n}\n"))
	if !ok {
		t.Fatalf("encoding %q", buf.Bytes())
	}
	return sealModelFile(append(body, ",\n"...))
}

func remove(name string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func modify(name string, change func([]byte) []byte) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, change(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, name := range []string{ModelFile, DetectorFile, AttackTypeFile} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// Check catches what would make Score wrong or panic, and Save refuses
// such a model.
func TestCheck(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	other := trainLikeRunner(t, consistentExperiment)
	narrow, err := features.NewPipeline(tr.model.Pipeline.Columns[1:], tr.model.Pipeline.Encoders,
		&features.Scaler{Mean: tr.model.Pipeline.Scaler.Mean[1:], Scale: tr.model.Pipeline.Scaler.Scale[1:]})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(m *Model)
		want   string
	}{
		{"no pipeline", func(m *Model) { m.Pipeline = nil }, "no feature pipeline"},
		{"no detector", func(m *Model) { m.Detector = nil }, "no detector"},
		{"no attack forest", func(m *Model) { m.AttackType = nil }, "no attack-type classifier"},
		{"narrow pipeline", func(m *Model) { m.Pipeline = narrow }, "the detector takes 20 features, the pipeline has 19 columns"},
		{"detector with three classes", func(m *Model) { m.Detector = other.model.AttackType }, "the detector has 3 classes"},
		{"attack classes", func(m *Model) { m.AttackClasses = m.AttackClasses[:2] }, "the attack-type classifier has 3 classes, 2 attack classes are named"},
		{"empty attack class", func(m *Model) { m.AttackClasses = []string{"a", "", "c"} }, `attack class "" is empty or repeated`},
		{"risk NaN", func(m *Model) { m.Risk.High = nanValue() }, "risk thresholds"},
		{"no decision", func(m *Model) { m.Decision = Decision{} }, `unknown decision rule ""`},
		{"argmax with a threshold", func(m *Model) { m.Decision.Threshold = 0.4 }, "takes no threshold"},
		{"threshold NaN", func(m *Model) { m.Decision = Decision{Rule: DecideThreshold, Threshold: nanValue()} }, "decision threshold NaN"},
		{"classifier of no kind", func(m *Model) { m.Detector = constant{m.Detector} }, "a classifier of type scoring.constant, which a model does not hold"},
		{"bad UTF-8 class", func(m *Model) { m.AttackClasses = []string{"a", "b\xff", "c"} }, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := *tr.model
			m.AttackClasses = slices.Clone(m.AttackClasses)
			tc.change(&m)
			err := Save(t.TempDir(), &m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Save error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func bitsEqual(a, b float64) bool {
	return a == b && (a != 0 || (1/a > 0) == (1/b > 0))
}

// constant is a Classifier of a type no model kind has.
type constant struct{ Classifier }
