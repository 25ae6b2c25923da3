package scoring

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/internal/flow"
)

// loadWithin is Load, failing the test when it does not return within a
// few seconds (a FIFO opened for reading blocks until a writer comes).
func loadWithin(t *testing.T, dir string) (*Model, error) {
	t.Helper()
	type result struct {
		m   *Model
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := Load(dir)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Load did not return within 10s (blocked on a file?)")
		return nil, nil
	}
}

// checkRefused loads dir and checks that it is refused with an error
// containing every one of want.
func checkRefused(t *testing.T, dir string, want ...string) {
	t.Helper()
	m, err := loadWithin(t, dir)
	if err == nil {
		t.Fatalf("loaded an edited model directory: %+v", m.Provenance)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	t.Log(err)
}

// replaceOnce replaces the one occurrence of old in b by new.
func replaceOnce(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(b, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times in model.json, want once", old, n)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// firstNumberAfter returns the offset of the last digit of the first
// number after key in b.
func firstNumberAfter(t *testing.T, b []byte, key string) int {
	t.Helper()
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		t.Fatalf("no %s in model.json", key)
	}
	j := i + bytes.IndexAny(b[i:], "-0123456789")
	for j+1 < len(b) && bytes.IndexByte([]byte("0123456789.eE+-"), b[j+1]) >= 0 {
		j++
	}
	return j
}

// Any edit of model.json is refused, naming the file: those that change
// what the model computes (a bit of the scaler, the order of the classes,
// a threshold) first of all, which the parts' consistency checks cannot
// see.
func TestLoadRefusesEditedModelJSON(t *testing.T) {
	src, _ := savedModel(t)
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, b []byte) []byte
		want []string
	}{
		{"flipped bit in a scaler mean", func(t *testing.T, b []byte) []byte {
			b[firstNumberAfter(t, b, `"scaler_mean"`)] ^= 1 // a digit stays a digit
			return b
		}, []string{"edited"}},
		{"flipped bit in a scaler scale", func(t *testing.T, b []byte) []byte {
			b[firstNumberAfter(t, b, `"scaler_scale"`)] ^= 1
			return b
		}, []string{"edited"}},
		{"reordered attack classes", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"crypto_mining",
      "lateral_movement",`, `"lateral_movement",
      "crypto_mining",`)
		}, []string{"edited"}},
		{"reordered encoder classes", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"ICMP",
        "TCP",`, `"TCP",
        "ICMP",`)
		}, []string{"edited"}},
		{"lower high risk threshold", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"high": 0.8`, `"high": 0.7`)
		}, []string{"edited"}},
		{"higher medium risk threshold", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"medium": 0.5`, `"medium": 0.6`)
		}, []string{"edited"}},
		{"decision rule", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"rule": "argmax"`, `"rule": "threshold", "threshold": 0.1`)
		}, []string{"edited"}},
		{"provenance", func(t *testing.T, b []byte) []byte {
			return replaceOnce(t, b, `"seed": 42`, `"seed": 43`)
		}, []string{"edited"}},
		{"whitespace only", func(t *testing.T, b []byte) []byte {
			return append([]byte("{ "), b[1:]...)
		}, []string{"edited"}},
		{"final newline removed", func(t *testing.T, b []byte) []byte { return b[:len(b)-1] }, []string{"no digest"}},
		{"newline appended", func(t *testing.T, b []byte) []byte { return append(b, '\n') }, []string{"no digest"}},
		{"truncated", func(t *testing.T, b []byte) []byte { return b[:len(b)/2] }, nil},
		{"empty", func(t *testing.T, b []byte) []byte { return nil }, []string{"empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			path := filepath.Join(dir, ModelFile)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.edit(t, b), 0o644); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, dir, append([]string{path + ": "}, tc.want...)...)
		})
	}
}

// A model directory holds its three files and nothing else, each a
// regular file: anything else is refused, naming it.
func TestLoadRefusesDirectoryChanges(t *testing.T) {
	src, _ := savedModel(t)
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string) string // returns the path the error must name
		want   []string
	}{
		{"extra file", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "notes.txt")
			mustWrite(t, path, "hello")
			return path
		}, []string{"unexpected"}},
		{"extra forest", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "old.forest")
			b, _ := os.ReadFile(filepath.Join(dir, DetectorFile))
			mustWrite(t, path, string(b))
			return path
		}, []string{"unexpected"}},
		{"subdirectory", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "backup")
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			return path
		}, []string{"unexpected"}},
		{"temporary file of a save", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, ".model.json.123456.tmp")
			mustWrite(t, path, "{")
			return path
		}, []string{"temporary file"}},
		{"symlink in place of a forest", func(t *testing.T, dir string) string {
			return replaceBySymlink(t, dir, DetectorFile)
		}, []string{"symbolic link"}},
		{"symlink in place of model.json", func(t *testing.T, dir string) string {
			return replaceBySymlink(t, dir, ModelFile)
		}, []string{"symbolic link"}},
		{"dangling symlink", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, AttackTypeFile)
			os.Remove(path)
			if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), path); err != nil {
				t.Skip(err)
			}
			return path
		}, []string{"symbolic link"}},
		{"directory in place of a forest", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, AttackTypeFile)
			os.Remove(path)
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			return path
		}, []string{"a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			path := tc.change(t, dir)
			checkRefused(t, dir, append([]string{path + ": "}, tc.want...)...)
		})
	}
}

// replaceBySymlink moves dir/name elsewhere and puts a symbolic link to
// it in its place: the same bytes, but not the directory's own file.
func replaceBySymlink(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	elsewhere := filepath.Join(t.TempDir(), name)
	if err := os.Rename(path, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, path); err != nil {
		t.Skip(err)
	}
	return path
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A forest file of the wrong size is reported as larger or smaller than
// model.json records: a longer file is not "truncated".
func TestLoadForestSize(t *testing.T) {
	src, _ := savedModel(t)
	size := func(dir, name string) int {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return int(st.Size())
	}
	for _, tc := range []struct {
		name   string
		file   string
		change func([]byte) []byte
		want   func(n int) string
	}{
		{"one byte more", DetectorFile, func(b []byte) []byte { return append(b, 0) },
			func(n int) string {
				return fmt.Sprintf("%d bytes, larger than the %d bytes model.json records", n+1, n)
			}},
		{"twice as long", AttackTypeFile, func(b []byte) []byte { return append(b, b...) },
			func(n int) string {
				return fmt.Sprintf("%d bytes, larger than the %d bytes model.json records", 2*n, n)
			}},
		{"one byte less", DetectorFile, func(b []byte) []byte { return b[:len(b)-1] },
			func(n int) string {
				return fmt.Sprintf("%d bytes, smaller than the %d bytes model.json records: the file is truncated", n-1, n)
			}},
		{"empty", AttackTypeFile, func([]byte) []byte { return nil },
			func(n int) string {
				return fmt.Sprintf("0 bytes, smaller than the %d bytes model.json records", n)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			n := size(dir, tc.file)
			modify(tc.file, tc.change)(t, dir)
			_, err := loadWithin(t, dir)
			want := filepath.Join(dir, tc.file) + ": " + tc.want(n)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want one containing %q", err, want)
			}
			if strings.Contains(tc.name, "more") || strings.Contains(tc.name, "long") {
				if strings.Contains(err.Error(), "truncated") {
					t.Errorf("a longer file reported as truncated: %v", err)
				}
			}
		})
	}
}

// A model directory of the first format, which has no digest, is refused
// with the formats involved and what to do.
func TestLoadFormat1(t *testing.T) {
	src, _ := savedModel(t)
	dir := copyDir(t, src)
	path := filepath.Join(dir, ModelFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Format 1 is format 2 without the digest line.
	b = bytes.Replace(b, []byte(`"format": "`+Format+`"`), []byte(`"format": "segharness-model/1"`), 1)
	if i := bytes.LastIndex(b, []byte(",\n  \"digest\"")); i >= 0 {
		b = append(b[:i:i], "\n}\n"...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, dir, path+": ", `format "segharness-model/1"`, `this harness reads "segharness-model/2"`, "re-export")
}

// Save writes only into a directory Load will accept: it removes the
// temporary files an interrupted save left, and refuses a directory
// holding anything else, before writing.
func TestSaveDirectory(t *testing.T) {
	tr := trainLikeRunner(t, notebookExperiment)
	dir := t.TempDir()
	stale := filepath.Join(dir, ".detector.forest.4242.tmp")
	mustWrite(t, stale, "half a forest")
	if err := Save(dir, tr.model); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}

	other := t.TempDir()
	notes := filepath.Join(other, "notes.txt")
	mustWrite(t, notes, "mine")
	err := Save(other, tr.model)
	if err == nil || !strings.Contains(err.Error(), notes+": not a file of a model") {
		t.Fatalf("Save into a directory with other files: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("Save wrote %d files before refusing", len(entries)-1)
	}
}

// sameModel reports how b differs from a, floats compared bit for bit and
// forests by their encodings, or nil.
func sameModel(a, b *Model) error {
	pa, pb := a.Pipeline, b.Pipeline
	bits := func(x, y []float64) bool { return len(x) == len(y) && floatsBitsEqual(x, y) }
	switch {
	case !slices.Equal(pa.Columns, pb.Columns):
		return fmt.Errorf("columns %q and %q", pa.Columns, pb.Columns)
	case !cmp.Equal(pa.Encoders, pb.Encoders):
		return fmt.Errorf("encoders differ: %s", cmp.Diff(pa.Encoders, pb.Encoders))
	case !bits(pa.Scaler.Mean, pb.Scaler.Mean) || !bits(pa.Scaler.Scale, pb.Scaler.Scale):
		return errors.New("scalers differ")
	case !slices.Equal(a.AttackClasses, b.AttackClasses):
		return fmt.Errorf("attack classes %q and %q", a.AttackClasses, b.AttackClasses)
	case a.Risk != b.Risk || a.Decision != b.Decision || a.Provenance != b.Provenance:
		return fmt.Errorf("%+v %+v %+v and %+v %+v %+v", a.Risk, a.Decision, a.Provenance, b.Risk, b.Decision, b.Provenance)
	}
	for _, pair := range [][2]Classifier{{a.Detector, b.Detector}, {a.AttackType, b.AttackType}} {
		x, err := pair[0].MarshalBinary()
		if err != nil {
			return err
		}
		y, err := pair[1].MarshalBinary()
		if err != nil {
			return err
		}
		if !bytes.Equal(x, y) {
			return errors.New("forests differ")
		}
	}
	return nil
}

func floatsBitsEqual(x, y []float64) bool {
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

// fuzzExperiment is the notebook experiment at a size that makes a model
// directory of a few KiB, for the fuzzer.
var fuzzExperiment = strings.NewReplacer("flows: 10000", "flows: 600", "trees: 100", "trees: 2", "trees: 150", "trees: 2").
	Replace(notebookExperiment)

// resealFuzzed rewrites model.json's records of the forests whose bytes
// differ from the original's, and its digest, so that the fuzzer reaches
// what Load checks past the digests. It leaves a model.json without a
// digest or without the original records as it is.
func resealFuzzed(modelJSON []byte, orig [3][]byte, forests [2][]byte) []byte {
	body, _, ok := splitDigest(modelJSON)
	if !ok {
		return modelJSON
	}
	record := func(b []byte) []byte {
		sum := sha256.Sum256(b)
		return fmt.Appendf(nil, "\"sha256\": \"%x\",\n    \"bytes\": %d,", sum, len(b))
	}
	// The attack-type forest's record comes after the detector's: replace
	// it first, so that the detector's offset still holds.
	body = slices.Clone(body)
	for i := len(forests) - 1; i >= 0; i-- {
		old := record(orig[i+1])
		if at := bytes.Index(body, old); at >= 0 && !bytes.Equal(forests[i], orig[i+1]) {
			body = slices.Concat(body[:at], record(forests[i]), body[at+len(old):])
		}
	}
	return sealModelFile(body)
}

// FuzzLoadModel mutates a saved model directory's files: model.json's
// bytes and both forests'. Load must never panic, and must name a file of
// the directory when it refuses it. As the digests cover the files'
// exact bytes, it must refuse every mutation: what it accepts is the
// original, byte for byte, and loads as the original model.
//
// With reseal set, the mutated forests' records and model.json's digest
// are rewritten to match, as a writer other than Save could: the digests
// then prove nothing, and whatever Load accepts must be a model Check
// accepts, that scores without panicking, and that Save and Load give
// back unchanged.
func FuzzLoadModel(f *testing.F) {
	tr := trainLikeRunner(f, fuzzExperiment)
	src := f.TempDir()
	if err := Save(src, tr.model); err != nil {
		f.Fatal(err)
	}
	var orig [3][]byte
	for i, name := range []string{ModelFile, DetectorFile, AttackTypeFile} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			f.Fatal(err)
		}
		orig[i] = b
	}
	flows := make([]flow.Flow, 0, 8)
	for i := range 8 {
		flows = append(flows, tr.flows.At(i*37))
	}
	edit := func(b []byte, old, new string) []byte {
		return bytes.Replace(slices.Clone(b), []byte(old), []byte(new), 1)
	}
	flip := func(b []byte, i int) []byte { b = slices.Clone(b); b[i%len(b)] ^= 1; return b }
	for _, reseal := range []bool{false, true} {
		f.Add(orig[0], orig[1], orig[2], reseal)
		f.Add(edit(orig[0], `"high": 0.8`, `"high": 0.7`), orig[1], orig[2], reseal)
		f.Add(edit(orig[0], `"ICMP",`, `"ICMQ",`), orig[1], orig[2], reseal)
		f.Add(edit(orig[0], "{\n", "{ \n"), orig[1], orig[2], reseal)
		f.Add(flip(orig[0], len(orig[0])/3), orig[1], orig[2], reseal)
		f.Add(orig[0], flip(orig[1], len(orig[1])/2), orig[2], reseal)
		f.Add(orig[0], orig[1], append(slices.Clone(orig[2]), 0), reseal)
		f.Add(orig[0], orig[1], orig[2][:len(orig[2])-1], reseal)
		f.Add(orig[0], orig[2], orig[1], reseal) // forests swapped
	}
	// One directory for every input: a worker runs them one at a time, and
	// each rewrites the three files.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, modelJSON, detector, attackType []byte, reseal bool) {
		if reseal {
			modelJSON = resealFuzzed(modelJSON, orig, [2][]byte{detector, attackType})
		}
		for i, name := range []string{ModelFile, DetectorFile, AttackTypeFile} {
			if err := os.WriteFile(filepath.Join(dir, name), [][]byte{modelJSON, detector, attackType}[i], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		m, err := Load(dir)
		if err != nil {
			if !strings.Contains(err.Error(), dir+string(filepath.Separator)) {
				t.Fatalf("error %q names no file of the model directory", err)
			}
			return
		}
		unchanged := bytes.Equal(modelJSON, orig[0]) && bytes.Equal(detector, orig[1]) && bytes.Equal(attackType, orig[2])
		if !reseal && !unchanged {
			t.Fatal("Load accepted a mutated model directory")
		}
		if unchanged {
			if err := sameModel(tr.model, m); err != nil {
				t.Fatalf("the original files load as another model: %v", err)
			}
			return
		}
		// Resealed: a model of another writer.
		if err := m.Check(); err != nil {
			t.Fatalf("Load accepted a model Check refuses: %v", err)
		}
		var res Result
		for i := range flows {
			m.Score(&flows[i], &res) // an unknown category is an error, not a panic
		}
		again := t.TempDir()
		if err := Save(again, m); err != nil {
			t.Fatalf("a loaded model does not save: %v", err)
		}
		back, err := Load(again)
		if err != nil {
			t.Fatalf("a loaded model, saved, does not load: %v", err)
		}
		if err := sameModel(m, back); err != nil {
			t.Fatalf("a loaded model, saved and loaded, changed: %v", err)
		}
	})
}

// A model path that is not a directory, or not there, is refused naming
// it.
func TestLoadNotADirectory(t *testing.T) {
	src, _ := savedModel(t)
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(src, ModelFile), ModelFile + ": not a directory: a model is a directory holding model.json, detector.forest and attack_type.forest"},
		{filepath.Join(src, "nothing"), "open " + filepath.Join(src, "nothing") + ": no such file or directory"},
	} {
		if _, err := Load(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s): error %v, want one containing %q", tc.path, err, tc.want)
		}
	}
}
