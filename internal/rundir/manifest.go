package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
	"github.com/segharness/harness/internal/scoring"
)

// Code identifies the harness build that produced a run.
type Code struct {
	Module      string `json:"module"`
	Version     string `json:"version"`
	VCSRevision string `json:"vcs_revision,omitempty"`
	VCSModified bool   `json:"vcs_modified,omitempty"`
	GoVersion   string `json:"go_version"`
}

// CodeFromBuild reads the code version from the binary's build information.
func CodeFromBuild() Code {
	c := Code{GoVersion: runtime.Version(), Version: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		c.Module, c.Version = bi.Main.Path, bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				c.VCSRevision = s.Value
			case "vcs.modified":
				c.VCSModified = s.Value == "true"
			}
		}
	}
	return c
}

// Manifest describes a run: what ran, with which seeds, and what it wrote.
// It holds no timestamps or host details, so that the same file and code
// give the same manifest.
type Manifest struct {
	Format      string                   `json:"format"`
	Experiment  string                   `json:"experiment"`
	File        string                   `json:"file"`
	FileSHA256  string                   `json:"file_sha256"`
	Code        Code                     `json:"code"`
	Axes        []Axis                   `json:"axes,omitempty"`
	Targets     []experiments.Target     `json:"targets,omitempty"`
	Regressions []experiments.Regression `json:"regressions,omitempty"`
	Trials      []TrialRecord            `json:"trials"`
	Artifacts   Artifacts                `json:"artifacts"`
}

// ManifestFormat names the manifest's layout.
const ManifestFormat = "segharness-run/1"

// Axis is a sweep axis as the manifest records it.
type Axis struct {
	Name   string   `json:"name"`
	Path   string   `json:"path"`
	Values []string `json:"values"`
	Group  int      `json:"zip_group,omitempty"`
}

// TrialRecord is one trial in the manifest.
type TrialRecord struct {
	ID          string `json:"id"`
	Seed        int64  `json:"seed"`
	DerivedSeed string `json:"derived_seed"` // decimal uint64, as a string for JSON readers without 64-bit integers
	// Fold is the trial's fold under split.by kfold (1 to split.folds),
	// absent otherwise.
	Fold   int               `json:"fold,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	Data   DataRecord        `json:"data"`
	// ModelInputs are the files the models' answers depend on besides the
	// data (an external program's scripts), with their digests.
	ModelInputs []ModelInput `json:"model_inputs,omitempty"`
	// Notes are caveats of the model stage, such as a metric left
	// unmeasured because it is undefined on this trial's data.
	Notes     []string  `json:"notes,omitempty"`
	Artifacts Artifacts `json:"artifacts"`
}

// DataRecord summarises a trial's dataset.
type DataRecord struct {
	Source    string         `json:"source"`
	Input     *Input         `json:"input,omitempty"`
	Tables    []Input        `json:"tables,omitempty"` // source: table: every file read, in order (training, then test)
	Flows     int            `json:"flows"`
	Anomalies int            `json:"anomalies"`
	ByType    map[string]int `json:"by_type"`
	Train     int            `json:"train"`
	Test      int            `json:"test"`
	// TestByType counts the test split's anomalies of each anomaly type:
	// the denominators of the detectors' detection_rate_<type>, so that
	// the report can give each rate's counts without refitting. Types
	// without a test anomaly are left out; runs before the field have none.
	TestByType map[string]int `json:"test_by_type,omitempty"`
}

// Input identifies a data file a trial read.
type Input struct {
	Path string `json:"path"`
	artifact.Digest
}

// Artifacts maps a file name (relative to the directory that holds the
// manifest or trial) to its digest.
type Artifacts map[string]artifact.Digest

// RunFiles are the run-level files that vouch for, judge or show
// a completed run. A run removes them before anything else, the manifest
// first, so that a run that fails or is killed part way leaves no old
// manifest vouching for a mix of old and new files, and no old verdict or
// report beside a newer manifest.
var RunFiles = []string{ManifestFile, VerdictFile, JUnitFile, ReportFile, SummaryFile}

// FiguresDir is the directory of a run's figures (the report writes it).
const FiguresDir = "figures"

// IsFigureFile says whether an entry of figures/ is one the report writes
// (a regular .svg or .png file, or a temporary file of one): the only
// files a run or report removes there.
func IsFigureFile(e fs.DirEntry) bool {
	name := e.Name()
	if !e.Type().IsRegular() {
		return false
	}
	if artifact.IsTemporary(name) { // .NAME.svg.RANDOM.tmp
		return strings.Contains(name, ".svg.") || strings.Contains(name, ".png.")
	}
	ext := filepath.Ext(name)
	return ext == ".svg" || ext == ".png"
}

// WriteManifest writes m as dir/manifest.json, atomically (JSON without
// HTML escaping, so that targets read ">=").
func WriteManifest(dir string, m *Manifest) error {
	_, err := artifact.WriteJSON(filepath.Join(dir, ManifestFile), m)
	return err
}

// AxisNames lists the sweep axes' names, in the order of the metrics
// table's parameter columns.
func (m *Manifest) AxisNames() []string {
	names := make([]string, len(m.Axes))
	for i, a := range m.Axes {
		names[i] = a.Name
	}
	return names
}

// TrialFiles are the files a trial writes, relative to its directory.
var TrialFiles = map[string]bool{
	TrialFile: true, DatasetFile: true, PredictionsFile: true, ImportancesFile: true,
	ClassReportFile: true, RulesFile: true, MetricsFile: true, CurvesFile: true,
	IncidentFile: true, PolicyFile: true, MonitoringFile: true, MonitoringDriftFile: true,
	MonitoringIncidents: true, MonitoringEvents: true, MonitoringSummaryFile: true, MonitoringFlowsFile: true,
	ModelDir + "/" + scoring.ModelFile: true, ModelDir + "/" + scoring.DetectorFile: true, ModelDir + "/" + scoring.AttackTypeFile: true,
}

// TrialDir returns the directory of a trial's artifacts.
func TrialDir(runDir, trialID string) string {
	return filepath.Join(runDir, TrialsDir, filepath.FromSlash(trialID))
}

// File names of a run directory (relative to the run's directory, or to
// a trial's for the trial files). A run directory holds manifest.json, the
// run-wide tables, the gate's files, the report, and trials/<id>/ with
// each trial's files.
const (
	ManifestFile   = "manifest.json"
	VerdictFile    = "verdict.json"
	JUnitFile      = "junit.xml"
	ReportFile     = "report.html"
	SummaryFile    = "summary.md"
	IndexFile      = "index.html" // the runs index, in the directory above the runs
	TrialsDir      = "trials"
	ModelDir       = "model" // a trial's exported model, for harness serve and score
	MetricsFile    = "metrics.parquet"
	CurvesFile     = "curves.parquet"
	AggregatesFile = "aggregate.parquet"
	AggregatesCSV  = "aggregate.csv"
	MetricsCSV     = "metrics.csv"
	SpecFile       = "spec.resolved.yaml" // the experiment file with every default filled in

	DatasetFile     = "dataset.parquet"
	PredictionsFile = "predictions.parquet"
	ImportancesFile = "importances.parquet"
	RulesFile       = "rules.txt"                 // a forest's first tree, as text
	ClassReportFile = "classification_report.txt" // the attack-type classifiers' reports
)

// TrialFile is the file a trial writes last, in its directory: its key and
// record. Its presence, with every artifact it lists intact, says the trial
// completed; a later run with the same key reuses the trial instead of
// running it again.
const TrialFile = "trial.json"

// TrialFormat names trial.json's layout.
const TrialFormat = "segharness-trial/1"

// TrialStamp is trial.json.
type TrialStamp struct {
	Format string      `json:"format"`
	Key    string      `json:"key"`
	Record TrialRecord `json:"record"`
}

// ModelInput is a file a model's answers depend on besides the data (an
// external program's script, say), with its digest, as a trial's key and
// record hold it.
type ModelInput struct {
	Model string `json:"model"`
	Path  string `json:"path"` // as the experiment file gives it
	artifact.Digest
}

// ReadTrialStamp reads a trial.json (at most fileio.RunFileBytes), with
// errors naming path: a missing file says the trial did not complete.
func ReadTrialStamp(path string) (*TrialStamp, error) {
	body, err := fileio.ReadFile(path, fileio.RunFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: missing: the trial did not complete", path)
	}
	if err != nil {
		return nil, err
	}
	var s TrialStamp
	if err := DecodeJSON(path, body, &s); err != nil {
		return nil, err
	}
	if s.Format != TrialFormat {
		return nil, fmt.Errorf("%s: format %q, this harness writes %q", path, s.Format, TrialFormat)
	}
	return &s, nil
}

// ShardFormat names a shard file's layout.
const ShardFormat = "segharness-shard/1"

// ShardsDir is the directory of a run that holds its shard files.
const ShardsDir = "shards"

// ShardRecord is shards/<index>-of-<count>.json: what a shard ran and
// what Merge needs to finish the run: the experiment file as it was read.
type ShardRecord struct {
	Format     string   `json:"format"`
	Experiment string   `json:"experiment"`
	File       string   `json:"file"`
	FileSHA256 string   `json:"file_sha256"`
	Source     string   `json:"source"` // the experiment file's text
	Code       Code     `json:"code"`
	Index      int      `json:"index"`
	Count      int      `json:"count"`
	Trials     []string `json:"trials"` // the shard's trial IDs, in order
}
