package scoring

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/flow"
)

// Format names the layout of model.json. Load refuses any other. Format 2
// added the digest that ends model.json.
const Format = "segharness-model/2"

// Names of the files of a model directory.
const (
	ModelFile      = "model.json"
	DetectorFile   = "detector.forest"
	AttackTypeFile = "attack_type.forest"
)

// DetectorClasses are the detector forest's classes in its class index
// order, as the runner fits it: 0 normal, 1 anomaly.
var DetectorClasses = []string{flow.LabelNormal, flow.LabelAnomaly}

// Model is everything Score needs, fitted by the batch pipeline: the
// feature pipeline (columns, label encoders, scaler) that both classifiers
// were trained through, the is_anomaly detector, the attack-type
// classifier, and how probabilities become decisions.
//
// Build one from a trial's fitted parts and check it with Check (Save
// does), or read one with Load. A Model must not be modified while it
// scores; it is safe for concurrent use.
type Model struct {
	Pipeline *features.Pipeline
	// Detector is the classifier fitted on is_anomaly (a random forest or
	// a gradient-boosted ensemble: Kinds), its classes in DetectorClasses'
	// order.
	Detector Classifier
	// AttackType is the classifier fitted on anomaly_type, and
	// AttackClasses names its classes in its class index order: the sorted
	// classes of the anomaly_type label encoder, normal among them.
	AttackType    Classifier
	AttackClasses []string
	Risk          RiskThresholds
	Decision      Decision
	Provenance    Provenance
}

// RiskThresholds turn the anomaly probability p into a risk level, as the
// notebook's score_network_flow: HIGH when p > High, MEDIUM when p > Medium,
// LOW otherwise. They satisfy 0 <= Medium <= High <= 1.
type RiskThresholds struct {
	High   float64 `json:"high"`
	Medium float64 `json:"medium"`
}

// DefaultRisk is the notebook's risk thresholds.
var DefaultRisk = RiskThresholds{High: 0.8, Medium: 0.5}

// Decision rules for is_anomaly.
const (
	// DecideArgmax flags a flow when the detector's anomaly probability is
	// greater than its normal probability (numpy's argmax, ties to normal):
	// the runner's decision, RandomForestClassifier.predict's. It is
	// p > 0.5 up to the rounding of the forest's average.
	DecideArgmax = "argmax"
	// DecideThreshold flags a flow when the anomaly probability is at least
	// Decision.Threshold, as the runner applies an operating point
	// (budget_threshold) to detector scores.
	DecideThreshold = "threshold"
)

// Decision says how the detector's probabilities decide is_anomaly.
type Decision struct {
	Rule      string  `json:"rule"`                // DecideArgmax or DecideThreshold
	Threshold float64 `json:"threshold,omitempty"` // DecideThreshold's, in [0, 1]
}

// Provenance records where a model came from: the experiment and trial
// that fitted it, their seeds, and the two models' specifications as the
// experiment declared them.
type Provenance struct {
	Experiment  string `json:"experiment"`
	Trial       string `json:"trial"`
	Seed        int64  `json:"seed"`
	DerivedSeed uint64 `json:"derived_seed,string"` // a string in JSON, as in the run manifest
	// DetectorSpec and AttackTypeSpec are the models' specifications, such
	// as "{name: random_forest, kind: random_forest, trees: 100}".
	DetectorSpec   string `json:"detector_spec"`
	AttackTypeSpec string `json:"attack_type_spec"`
}

// Check reports the first inconsistency of m: a missing part, a pipeline
// whose parts do not fit together (features.NewPipeline), a forest that
// does not take one value per pipeline column, a detector without exactly
// DetectorClasses' two classes, attack classes that are not one distinct
// name per class of the attack forest, risk thresholds outside
// 0 <= Medium <= High <= 1, or an unknown decision rule.
func (m *Model) Check() error {
	if err := m.check(); err != nil {
		return fmt.Errorf("scoring: %w", err)
	}
	return nil
}

// check is Check without the package's prefix, for Load's errors, which
// name model.json instead.
func (m *Model) check() error {
	switch {
	case m.Pipeline == nil:
		return errors.New("model has no feature pipeline")
	case m.Detector == nil:
		return errors.New("model has no detector")
	case m.AttackType == nil:
		return errors.New("model has no attack-type classifier")
	}
	for _, c := range []Classifier{m.Detector, m.AttackType} {
		if _, err := kindOf(c); err != nil {
			return err
		}
	}
	if _, err := features.NewPipeline(m.Pipeline.Columns, m.Pipeline.Encoders, m.Pipeline.Scaler); err != nil {
		return err
	}
	d := len(m.Pipeline.Columns)
	switch {
	case m.Detector.Features() != d:
		return fmt.Errorf("the detector takes %d features, the pipeline has %d columns", m.Detector.Features(), d)
	case m.Detector.Classes() != len(DetectorClasses):
		return fmt.Errorf("the detector has %d classes, want 2 (%s, %s)", m.Detector.Classes(), DetectorClasses[0], DetectorClasses[1])
	case m.AttackType.Features() != d:
		return fmt.Errorf("the attack-type classifier takes %d features, the pipeline has %d columns", m.AttackType.Features(), d)
	case m.AttackType.Classes() != len(m.AttackClasses):
		return fmt.Errorf("the attack-type classifier has %d classes, %d attack classes are named", m.AttackType.Classes(), len(m.AttackClasses))
	}
	seen := map[string]bool{}
	for _, c := range m.AttackClasses {
		if c == "" || seen[c] {
			return fmt.Errorf("attack class %q is empty or repeated", c)
		}
		seen[c] = true
	}
	if r := m.Risk; !(0 <= r.Medium && r.Medium <= r.High && r.High <= 1) {
		return fmt.Errorf("risk thresholds high %v, medium %v (want 0 <= medium <= high <= 1)", r.High, r.Medium)
	}
	switch d := m.Decision; d.Rule {
	case DecideArgmax:
		if d.Threshold != 0 {
			return fmt.Errorf("decision rule %s takes no threshold (got %v)", d.Rule, d.Threshold)
		}
	case DecideThreshold:
		if !(d.Threshold >= 0 && d.Threshold <= 1) {
			return fmt.Errorf("decision threshold %v outside [0, 1]", d.Threshold)
		}
	default:
		return fmt.Errorf("unknown decision rule %q (want %s or %s)", d.Rule, DecideArgmax, DecideThreshold)
	}
	return nil
}

// modelFile is the content of model.json. Digest is last, so that Save's
// encoding ends with the digest's line.
type modelFile struct {
	Format     string         `json:"format"`
	Provenance Provenance     `json:"provenance"`
	Features   featuresFile   `json:"features"`
	Detector   forestFile     `json:"detector"`
	AttackType forestFile     `json:"attack_type"`
	Risk       RiskThresholds `json:"risk"`
	Decision   Decision       `json:"decision"`
	Digest     string         `json:"digest"`
}

// featuresFile is the fitted feature pipeline.
type featuresFile struct {
	Columns  []string            `json:"columns"`
	Encoders map[string][]string `json:"encoders"` // encoded column -> sorted classes
	Mean     []float64           `json:"scaler_mean"`
	Scale    []float64           `json:"scaler_scale"`
}

// forestFile describes a classifier's file. Kind is absent for a random
// forest, the only kind of the first models of this format, so that their
// model.json is unchanged.
type forestFile struct {
	Kind    string   `json:"kind,omitempty"`
	File    string   `json:"file"`
	SHA256  string   `json:"sha256"`
	Bytes   int64    `json:"bytes"`
	Classes []string `json:"classes"`
}

// model.json's digest. The file ends with the line
//
//	"digest": "sha256:<64 lowercase hex digits>"
//
// (indented by two spaces) and the closing brace's line, 88 bytes in all;
// the digits are the SHA-256 of every byte of the file before them. It
// covers the exact bytes, as the forests' own SHA-256 trailers do, so that
// any edit of the file (whitespace, the order of keys, a number written
// otherwise) is refused, and it needs no canonical form of JSON: it is
// checked before the file is parsed. With GNU coreutils,
// head -c -88 model.json | sha256sum prints it.
const (
	digestAlgorithm = "sha256:"
	digestLineStart = `  "digest": "` + digestAlgorithm
	digestLineEnd   = "\"\n}\n"
	digestHexLen    = 2 * sha256.Size
	// digestSuffixLen is the length of the digest's line and the closing
	// brace's.
	digestSuffixLen = len(digestLineStart) + digestHexLen + len(digestLineEnd)
)

// digestSuffix returns the end of model.json for the hex digest h.
func digestSuffix(h string) []byte {
	return []byte(digestLineStart + h + digestLineEnd)
}

// sealModelFile returns body, model.json up to its digest's line, with
// that line and the closing brace appended.
func sealModelFile(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(body[:len(body):len(body)], digestSuffix(hex.EncodeToString(sum[:]))...)
}

// splitDigest splits model.json's data into the bytes its digest covers
// and the digest's hex digits, and reports false when data does not end
// with a digest's line.
func splitDigest(data []byte) (body []byte, digest string, ok bool) {
	if len(data) < digestSuffixLen {
		return nil, "", false
	}
	body, suffix := data[:len(data)-digestSuffixLen], data[len(data)-digestSuffixLen:]
	h := suffix[len(digestLineStart) : len(digestLineStart)+digestHexLen]
	if !bytes.HasPrefix(suffix, []byte(digestLineStart)) || !bytes.HasSuffix(suffix, []byte(digestLineEnd)) || !isLowerHex(h) {
		return nil, "", false
	}
	return body, string(h), true
}

func isLowerHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// encodeModelFile returns the bytes of model.json for mf: mf as indented
// JSON (two spaces, no HTML escaping, a final newline, as
// artifact.WriteJSON writes), its Digest ignored, sealed by its digest.
func encodeModelFile(mf modelFile) ([]byte, error) {
	placeholder := strings.Repeat("0", digestHexLen)
	mf.Digest = digestAlgorithm + placeholder
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(mf); err != nil {
		return nil, err
	}
	body, ok := bytes.CutSuffix(buf.Bytes(), digestSuffix(placeholder))
	if !ok { // Digest is modelFile's last field: not reached
		return nil, errors.New("the encoding does not end with the digest")
	}
	return sealModelFile(body), nil
}

// Save writes m to dir (created if need be): the two forests, encoded by
// forest.MarshalBinary, then model.json, which records their sizes and
// digests and ends with its own. Each file is replaced atomically
// (internal/artifact), and model.json last, so a reader sees the previous
// model.json until the new forests are in place; a save interrupted
// between files leaves digests that no longer match, which Load reports,
// rather than a silent mix of two models. The same model saves to the
// same bytes.
//
// dir must hold nothing but a model's files (Load refuses anything else):
// temporary files an interrupted save left are removed, anything else is
// an error.
func Save(dir string, m *Model) error {
	if err := m.Check(); err != nil {
		return err
	}
	mf := modelFile{
		Format:     Format,
		Provenance: m.Provenance,
		Features: featuresFile{
			Columns:  m.Pipeline.Columns,
			Encoders: map[string][]string{},
			Mean:     m.Pipeline.Scaler.Mean,
			Scale:    m.Pipeline.Scaler.Scale,
		},
		Risk:     m.Risk,
		Decision: m.Decision,
	}
	for c, e := range m.Pipeline.Encoders {
		mf.Features.Encoders[c] = e.Classes
		if err := checkUTF8(e.Classes); err != nil {
			return err
		}
	}
	if err := checkUTF8(m.AttackClasses); err != nil {
		return err
	}
	if err := prepareDir(dir); err != nil {
		return err
	}
	for _, f := range []struct {
		name    string
		c       Classifier
		classes []string
		rec     *forestFile
	}{
		{DetectorFile, m.Detector, DetectorClasses, &mf.Detector},
		{AttackTypeFile, m.AttackType, m.AttackClasses, &mf.AttackType},
	} {
		k, _ := kindOf(f.c) // Check checked it
		data, err := f.c.MarshalBinary()
		if err != nil {
			return fmt.Errorf("scoring: %s: %w", f.name, err)
		}
		d, err := artifact.WriteBytes(filepath.Join(dir, f.name), data)
		if err != nil {
			return err
		}
		*f.rec = forestFile{Kind: k.file, File: f.name, SHA256: d.SHA256, Bytes: d.Bytes, Classes: f.classes}
	}
	data, err := encodeModelFile(mf)
	if err != nil {
		return fmt.Errorf("scoring: writing %s: %w", filepath.Join(dir, ModelFile), err)
	}
	_, err = artifact.WriteBytes(filepath.Join(dir, ModelFile), data)
	return err
}

// prepareDir checks that dir, if it exists, holds nothing Load would
// refuse once Save has written it, removing the temporary files an
// interrupted save of a model's file left.
func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case isModelFile(e.Name()): // replaced, whatever it is
		case isModelTemporary(e.Name()) && e.Type().IsRegular():
			if err := os.Remove(path); err != nil {
				return err
			}
		default:
			return fmt.Errorf("scoring: %s: not a file of a model, which Load would refuse: a model directory holds %s only", path, modelFiles)
		}
	}
	return nil
}

// modelFiles names the files of a model directory, for messages.
var modelFiles = ModelFile + ", " + DetectorFile + " and " + AttackTypeFile

func isModelFile(name string) bool {
	return name == ModelFile || name == DetectorFile || name == AttackTypeFile
}

// isModelTemporary reports whether name is a temporary file artifact
// writes one of a model's files through.
func isModelTemporary(name string) bool {
	if !artifact.IsTemporary(name) {
		return false
	}
	for _, f := range []string{ModelFile, DetectorFile, AttackTypeFile} {
		if strings.HasPrefix(name, "."+f+".") {
			return true
		}
	}
	return false
}

// checkUTF8 checks that classes survive JSON, whose strings hold UTF-8
// only (encoding/json would replace a bad byte).
func checkUTF8(classes []string) error {
	for _, c := range classes {
		if !utf8.ValidString(c) {
			return fmt.Errorf("scoring: class %q is not valid UTF-8", c)
		}
	}
	return nil
}

// formerFormats are the formats of older harnesses, with what sets them
// apart, for Load's error.
var formerFormats = map[string]string{
	"segharness-model/1": "model.json has no digest",
}

// Load reads a model that Save wrote to dir, and refuses a directory that
// was changed in any way since, with an error naming the file at fault:
//
//   - dir holding anything but model.json, detector.forest and
//     attack_type.forest (an extra file or directory, a temporary file of
//     an unfinished save), one of them missing, or one that is not a
//     regular file (a symbolic link, which is not followed, a directory,
//     a FIFO, which is not opened for long enough to block, a device);
//   - a model.json of another format version, one whose SHA-256 differs
//     from the digest at its end (any edit of the file, whitespace
//     included), or one without that digest (truncated, or edited);
//   - a forest file larger or smaller than model.json records, or whose
//     SHA-256 differs from the one model.json records (corrupt, or from
//     another save);
//   - and, as a file of a matching digest was written by Save or by
//     someone who recomputed its digest, a model.json with unknown or
//     missing fields or not valid JSON, a forest that does not decode,
//     and any inconsistency Check finds between the parts.
//
// Files are read whole, model.json up to fileio.RunFileBytes and each
// forest up to fileio.InputBytes.
func Load(dir string) (*Model, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, ModelFile)
	data, err := readRegular(path, fileio.RunFileBytes)
	if err != nil {
		return nil, err
	}
	var mf modelFile
	if err := decodeModelFile(data, &mf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	encoders := make(map[string]*features.LabelEncoder, len(mf.Features.Encoders))
	for c, classes := range mf.Features.Encoders {
		encoders[c] = &features.LabelEncoder{Classes: classes}
	}
	p, err := features.NewPipeline(mf.Features.Columns, encoders, &features.Scaler{Mean: mf.Features.Mean, Scale: mf.Features.Scale})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &Model{
		Pipeline:      p,
		AttackClasses: mf.AttackType.Classes,
		Risk:          mf.Risk,
		Decision:      mf.Decision,
		Provenance:    mf.Provenance,
	}
	for _, f := range []struct {
		name string
		rec  forestFile
		dst  *Classifier
	}{
		{DetectorFile, mf.Detector, &m.Detector},
		{AttackTypeFile, mf.AttackType, &m.AttackType},
	} {
		switch {
		case f.rec.File != f.name:
			return nil, fmt.Errorf("%s: forest file %q, want %q", path, f.rec.File, f.name)
		case len(f.rec.SHA256) != digestHexLen || !isLowerHex([]byte(f.rec.SHA256)):
			return nil, fmt.Errorf("%s: %s's SHA-256 %q is not %d lowercase hex digits", path, f.name, f.rec.SHA256, digestHexLen)
		case f.rec.Bytes < 0:
			return nil, fmt.Errorf("%s: %s has %d bytes", path, f.name, f.rec.Bytes)
		}
		if *f.dst, err = loadForest(filepath.Join(dir, f.name), f.rec); err != nil {
			return nil, err
		}
	}
	if !slices.Equal(mf.Detector.Classes, DetectorClasses) {
		return nil, fmt.Errorf("%s: detector classes %q, want %q", path, mf.Detector.Classes, DetectorClasses)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// checkDir checks that dir is a directory holding a model's three files
// and nothing else, each a regular file (its directory entry, not what a
// link points to).
func checkDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if info, serr := os.Stat(dir); serr == nil && !info.IsDir() {
			return fmt.Errorf("%s: not a directory: a model is a directory holding %s", dir, modelFiles)
		}
		return err // *PathError names dir
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case isModelTemporary(e.Name()):
			return fmt.Errorf("%s: a temporary file of a save in progress or interrupted, unexpected in a model directory, which holds %s only (remove it once no save is running)", path, modelFiles)
		case !isModelFile(e.Name()):
			return fmt.Errorf("%s: unexpected in a model directory, which holds %s only", path, modelFiles)
		}
		if err := checkEntry(path, e.Type()); err != nil {
			return err
		}
	}
	return nil
}

// checkEntry refuses a model's file whose type, as the directory lists it
// (links not followed), is not a regular file.
func checkEntry(path string, t fs.FileMode) error {
	if t&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s: a symbolic link, %w: a model directory holds its own files, and links are not followed", path, fileio.ErrNotRegular)
	}
	if !t.IsRegular() {
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if err := fileio.CheckRegular(path, info); err != nil {
			return err
		}
		// Listed as a special file, found regular: it was replaced.
		return fmt.Errorf("%s: replaced while the model was being read", path)
	}
	return nil
}

// readRegular reads the file at path whole, refusing one that is not a
// regular file in its own right (a symbolic link, a FIFO, which it does
// not block on, a device) or larger than limit. The file is checked
// before it is opened and after: the file opened must be the regular file
// that was checked.
func readRegular(path string, limit fileio.Limit) ([]byte, error) {
	f, info, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return fileio.ReadOpened(f, info, path, limit)
}

// openRegular opens path for reading when it is a regular file itself,
// not a link to one: lstat, then fileio.Open (which refuses a FIFO or a
// device without blocking on it), then a check that the file opened is
// the one lstat saw, so that a file swapped for a link in between is
// refused too.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkEntry(path, before.Mode().Type()); err != nil {
		return nil, nil, err
	}
	f, info, err := fileio.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if !os.SameFile(before, info) {
		f.Close()
		return nil, nil, fmt.Errorf("%s: replaced while the model was being read", path)
	}
	return f, info, nil
}

// decodeModelFile decodes model.json: its format first, so that a file of
// another version is reported as such, then its digest, which must match
// the bytes before it, then every field, strictly: none unknown or
// missing, nothing after the object.
func decodeModelFile(data []byte, mf *modelFile) error {
	if len(data) == 0 {
		return errors.New("empty file")
	}
	var head struct {
		Format *string `json:"format"`
	}
	headErr := json.Unmarshal(data, &head)
	if headErr == nil {
		switch {
		case head.Format == nil:
			return fmt.Errorf("not a model file: no format (want %q)", Format)
		case *head.Format != Format:
			if why, ok := formerFormats[*head.Format]; ok {
				return fmt.Errorf("format %q, of an older harness (%s); this harness reads %q: re-export the model (run its experiment again with export_model: true)", *head.Format, why, Format)
			}
			return fmt.Errorf("format %q, this harness reads %q: export the model with this version of the harness", *head.Format, Format)
		}
	}
	body, recorded, ok := splitDigest(data)
	switch {
	case !ok && headErr != nil:
		return fmt.Errorf("not a model file, or one edited or truncated: not valid JSON (%w) and no digest at its end", headErr)
	case !ok:
		return fmt.Errorf(`no digest at its end (Save ends the file with the line "digest": "%s<%d hex digits>" and a closing brace): the file was edited or truncated; re-export the model`, digestAlgorithm, digestHexLen)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != recorded {
		return fmt.Errorf("content SHA-256 %x, the digest at its end records %s: the file was edited or is corrupt; re-export the model", sum, recorded)
	}
	// The digest proves the writer's intent only: from here on data is as
	// hostile as its writer.
	if headErr != nil {
		return fmt.Errorf("not a model file: %w", headErr)
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(data, &present); err != nil {
		return err
	}
	for _, k := range []string{"provenance", "features", "detector", "attack_type", "risk", "decision", "digest"} {
		if present[k] == nil {
			return fmt.Errorf("no %q", k)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(mf); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	if mf.Digest != digestAlgorithm+recorded {
		return fmt.Errorf("digest %q, not the one at the file's end", mf.Digest)
	}
	return nil
}

// loadForest reads and decodes the classifier at path, of the kind rec
// names, checking its size and digest against rec first.
func loadForest(path string, rec forestFile) (Classifier, error) {
	k, ok := kindNamed(rec.Kind)
	if !ok {
		return nil, fmt.Errorf("%s: %s names the model kind %q, which this harness does not score (it scores %s)", path, ModelFile, rec.Kind, kindList())
	}
	f, info, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkForestSize(path, info.Size(), rec.Bytes); err != nil {
		return nil, err
	}
	if max := fileio.InputBytes.Get(); info.Size() > max {
		return nil, &fileio.TooLargeError{Path: path, What: "file", Limit: fileio.InputBytes, Size: info.Size()}
	}
	// One byte more than recorded, to tell a file that grew since.
	data, err := io.ReadAll(io.LimitReader(f, rec.Bytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkForestSize(path, int64(len(data)), rec.Bytes); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != rec.SHA256 {
		return nil, fmt.Errorf("%s: SHA-256 %s, %s records %s: the file is corrupt or from another save", path, got, ModelFile, rec.SHA256)
	}
	fo, err := k.decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if fo.Classes() != len(rec.Classes) {
		return nil, fmt.Errorf("%s: %d classes, %s names %d", path, fo.Classes(), ModelFile, len(rec.Classes))
	}
	return fo, nil
}

// checkForestSize compares a forest file's size with the one model.json
// records.
func checkForestSize(path string, size, recorded int64) error {
	switch {
	case size > recorded:
		return fmt.Errorf("%s: %d bytes, larger than the %d bytes %s records: data was added to the file, or it is from another save", path, size, recorded, ModelFile)
	case size < recorded:
		return fmt.Errorf("%s: %d bytes, smaller than the %d bytes %s records: the file is truncated, or from another save", path, size, recorded, ModelFile)
	}
	return nil
}
