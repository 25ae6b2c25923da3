package rundir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/fileio"
)

// ErrNoManifest is wrapped by ReadManifest's error for a directory without
// a manifest: not a run, or a run that did not complete.
var ErrNoManifest = errors.New("no manifest.json")

// ReadManifest reads dir/manifest.json: an error when the directory holds
// no completed run, a manifest of another format, or one whose trial IDs
// or file names would lead outside the run directory. It does not check
// the files against their digests: OpenRun does.
func ReadManifest(dir string) (*Manifest, error) {
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such directory", dir)
	case err != nil:
		return nil, err
	case !info.IsDir():
		return nil, fmt.Errorf("%s: not a directory: a run is a directory holding manifest.json", dir)
	}
	path := filepath.Join(dir, ManifestFile)
	body, err := fileio.ReadFile(path, fileio.RunFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: not a completed run (a run writes its manifest last)", dir, ErrNoManifest)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, describeJSONError(body, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the manifest's JSON object", path)
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("%s: manifest format %q, this harness reads %q", path, m.Format, ManifestFormat)
	}
	if err := m.checkNames(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// checkNames refuses trial IDs and artifact names that are not local
// paths (absolute, with "..", empty), and trial IDs listed twice: paths
// read from the manifest stay inside the run directory.
func (m *Manifest) checkNames() error {
	for name := range m.Artifacts {
		if err := fileio.LocalName("artifact", name); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, t := range m.Trials {
		if err := fileio.LocalName("trial ID", t.ID); err != nil {
			return err
		}
		if seen[t.ID] {
			return fmt.Errorf("trial %q listed twice", t.ID)
		}
		seen[t.ID] = true
		for name := range t.Artifacts {
			if err := fileio.LocalName(fmt.Sprintf("trial %s: artifact", t.ID), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecodeJSON unmarshals body, the contents of the file path, into v, with
// an error naming path and where the JSON is broken.
func DecodeJSON(path string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %w", path, describeJSONError(body, err))
	}
	return nil
}

// describeJSONError says where a JSON document is broken: at the end of
// a truncated one ("unexpected end of input at byte N"), or at the byte
// of a syntax error.
func describeJSONError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return errors.New("empty file")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("unexpected end of input at byte %d: the file is truncated", len(body))
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q: %v", typ.Field, typ)
	}
	return err
}

// IsReportFile says whether the manifest entry name is one the report
// writes (report.html, summary.md, figures/): files derived from the
// others, which harness report regenerates.
func IsReportFile(name string) bool {
	return name == ReportFile || name == SummaryFile || strings.HasPrefix(name, FiguresDir+"/")
}

// Verify reads the run in dir and checks every file its manifest lists,
// the run's and each trial's, against the recorded size and SHA-256. It
// returns the manifest and every mismatch, in order: run-level files,
// then each trial's.
func Verify(dir string) (*Manifest, []Mismatch, error) {
	return verify(dir, true)
}

func verify(dir string, withReport bool) (*Manifest, []Mismatch, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	files := maps.Clone(m.Artifacts)
	if !withReport {
		maps.DeleteFunc(files, func(name string, _ artifact.Digest) bool { return IsReportFile(name) })
	}
	bad := Check(dir, "", files)
	for _, t := range m.Trials {
		tdir, err := fileio.Inside(dir, "trial directory", "trials/"+t.ID)
		if err != nil {
			bad = append(bad, Mismatch{Path: "trials/" + t.ID, Problem: err.Error()})
			continue
		}
		bad = append(bad, Check(tdir, "trials/"+t.ID+"/", t.Artifacts)...)
	}
	return m, bad, nil
}

// OpenRun reads the run in dir, verified: every file the manifest lists
// matches its digest, or the error (a *Error) lists those that do
// not. The report's own files are left to Verify (harness verify): no
// command reads them, and harness report rewrites them. Every command that
// reads a run directory opens it so.
func OpenRun(dir string) (*Manifest, error) {
	m, bad, err := verify(dir, false)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, &Error{Dir: dir, Mismatches: bad}
	}
	return m, nil
}

// OpenRunFiles reads the run in dir and verifies only the run-level files
// names (each must be listed in the manifest): for a reader that reads no
// other, such as the gate's baseline (a manifest and its metrics.parquet
// are a baseline) and harness diff.
func OpenRunFiles(dir string, names ...string) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	files := map[string]artifact.Digest{}
	var bad []Mismatch
	for _, name := range names {
		d, ok := m.Artifacts[name]
		if !ok {
			bad = append(bad, Mismatch{Path: name, Problem: "not listed in the manifest"})
			continue
		}
		files[name] = d
	}
	if bad = append(bad, Check(dir, "", files)...); len(bad) > 0 {
		return nil, &Error{Dir: dir, Mismatches: bad}
	}
	return m, nil
}
