package scoring

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/ml/forest"
)

// Format names the layout of model.json. Load refuses any other.
const Format = "segharness-model/1"

// Names of the files of a model directory.
const (
	ModelFile      = "model.json"
	DetectorFile   = "detector.forest"
	AttackTypeFile = "attack_type.forest"
)

// DetectorClasses are the detector forest's classes in its class index
// order, as the runner fits it: 0 normal, 1 anomaly.
var DetectorClasses = []string{datasets.LabelNormal, datasets.LabelAnomaly}

// Model is everything Score needs, fitted by the batch pipeline: the
// feature pipeline (columns, label encoders, scaler) that both forests were
// trained through, the is_anomaly detector, the attack-type classifier,
// and how probabilities become decisions.
//
// Build one from a trial's fitted parts and check it with Check (Save
// does), or read one with Load. A Model must not be modified while it
// scores; it is safe for concurrent use.
type Model struct {
	Pipeline *features.Pipeline
	// Detector is the random forest fitted on is_anomaly, its classes in
	// DetectorClasses' order.
	Detector *forest.Forest
	// AttackType is the random forest fitted on anomaly_type, and
	// AttackClasses names its classes in the forest's class index order:
	// the sorted classes of the anomaly_type label encoder, normal among
	// them.
	AttackType    *forest.Forest
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
		return errors.New("model has no detector forest")
	case m.AttackType == nil:
		return errors.New("model has no attack-type forest")
	}
	if _, err := features.NewPipeline(m.Pipeline.Columns, m.Pipeline.Encoders, m.Pipeline.Scaler); err != nil {
		return err
	}
	d := len(m.Pipeline.Columns)
	switch {
	case m.Detector.Features() != d:
		return fmt.Errorf("the detector forest takes %d features, the pipeline has %d columns", m.Detector.Features(), d)
	case m.Detector.Classes() != len(DetectorClasses):
		return fmt.Errorf("the detector forest has %d classes, want 2 (%s, %s)", m.Detector.Classes(), DetectorClasses[0], DetectorClasses[1])
	case m.AttackType.Features() != d:
		return fmt.Errorf("the attack-type forest takes %d features, the pipeline has %d columns", m.AttackType.Features(), d)
	case m.AttackType.Classes() != len(m.AttackClasses):
		return fmt.Errorf("the attack-type forest has %d classes, %d attack classes are named", m.AttackType.Classes(), len(m.AttackClasses))
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

// modelFile is the content of model.json.
type modelFile struct {
	Format     string         `json:"format"`
	Provenance Provenance     `json:"provenance"`
	Features   featuresFile   `json:"features"`
	Detector   forestFile     `json:"detector"`
	AttackType forestFile     `json:"attack_type"`
	Risk       RiskThresholds `json:"risk"`
	Decision   Decision       `json:"decision"`
}

// featuresFile is the fitted feature pipeline.
type featuresFile struct {
	Columns  []string            `json:"columns"`
	Encoders map[string][]string `json:"encoders"` // encoded column -> sorted classes
	Mean     []float64           `json:"scaler_mean"`
	Scale    []float64           `json:"scaler_scale"`
}

// forestFile describes a forest's file.
type forestFile struct {
	File    string   `json:"file"`
	SHA256  string   `json:"sha256"`
	Bytes   int64    `json:"bytes"`
	Classes []string `json:"classes"`
}

// Save writes m to dir (created if need be): the two forests, encoded by
// forest.MarshalBinary, then model.json, which records their digests. Each
// file is replaced atomically, and model.json last, so a reader sees the
// previous model.json until the new forests are in place; a save
// interrupted between files leaves digests that no longer match, which
// Load reports, rather than a silent mix of two models.
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
	for _, f := range []struct {
		name    string
		forest  *forest.Forest
		classes []string
		rec     *forestFile
	}{
		{DetectorFile, m.Detector, DetectorClasses, &mf.Detector},
		{AttackTypeFile, m.AttackType, m.AttackClasses, &mf.AttackType},
	} {
		data, err := f.forest.MarshalBinary()
		if err != nil {
			return fmt.Errorf("scoring: %s: %w", f.name, err)
		}
		d, err := artifact.WriteBytes(filepath.Join(dir, f.name), data)
		if err != nil {
			return err
		}
		*f.rec = forestFile{File: f.name, SHA256: d.SHA256, Bytes: d.Bytes, Classes: f.classes}
	}
	_, err := artifact.WriteJSON(filepath.Join(dir, ModelFile), &mf)
	return err
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

// maxModelFile bounds the size of model.json that Load reads.
const maxModelFile = 64 << 20

// Load reads a model that Save wrote to dir. Every error names the file at
// fault: one that is missing or unreadable, a model.json of another format
// version, with unknown or missing fields, or not valid JSON, a forest
// file whose size or SHA-256 differs from what model.json records
// (truncated, corrupted, or from another save), a forest that does not
// decode, and any inconsistency Check finds between the parts.
func Load(dir string) (*Model, error) {
	path := filepath.Join(dir, ModelFile)
	data, err := readFile(path, maxModelFile)
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
		dst  **forest.Forest
	}{
		{DetectorFile, mf.Detector, &m.Detector},
		{AttackTypeFile, mf.AttackType, &m.AttackType},
	} {
		if f.rec.File != f.name {
			return nil, fmt.Errorf("%s: forest file %q, want %q", path, f.rec.File, f.name)
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

// decodeModelFile decodes model.json strictly: its format first, so that a
// file of another version is reported as such, then every field, none
// unknown or missing.
func decodeModelFile(data []byte, mf *modelFile) error {
	var head struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("not a model file: %w", err)
	}
	switch {
	case head.Format == nil:
		return fmt.Errorf("not a model file: no format (want %q)", Format)
	case *head.Format != Format:
		return fmt.Errorf("format %q, this harness reads %q", *head.Format, Format)
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(data, &present); err != nil {
		return err
	}
	for _, k := range []string{"provenance", "features", "detector", "attack_type", "risk", "decision"} {
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
	return nil
}

// loadForest reads and decodes the forest at path, checking its size and
// digest against rec first.
func loadForest(path string, rec forestFile) (*forest.Forest, error) {
	data, err := readFile(path, rec.Bytes+1)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != rec.Bytes {
		return nil, fmt.Errorf("%s: %d bytes, %s records %d: the file is truncated or from another save", path, len(data), ModelFile, rec.Bytes)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != rec.SHA256 {
		return nil, fmt.Errorf("%s: SHA-256 %s, %s records %s: the file is corrupt or from another save", path, got, ModelFile, rec.SHA256)
	}
	f := new(forest.Forest)
	if err := f.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Classes() != len(rec.Classes) {
		return nil, fmt.Errorf("%s: %d classes, %s names %d", path, f.Classes(), ModelFile, len(rec.Classes))
	}
	return f, nil
}

// readFile reads at most limit bytes of path: enough to tell that a file
// is larger than expected without reading all of it.
func readFile(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, max(limit, 0)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}
