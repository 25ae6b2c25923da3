package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/reports/charts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// runs holds the experiments the tests run once, shared by all tests:
// each test copies the run it needs, as a report changes its directory.
var runs struct {
	sync.Mutex
	root string
	dirs map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if runs.root != "" {
		os.RemoveAll(runs.root)
	}
	os.Exit(code)
}

// ranExperiment runs testdata/<name>.yaml once per test binary and
// returns the run's directory, which callers must not change.
func ranExperiment(tb testing.TB, name string) string {
	tb.Helper()
	runs.Lock()
	defer runs.Unlock()
	if dir, ok := runs.dirs[name]; ok {
		return dir
	}
	if runs.root == "" {
		root, err := os.MkdirTemp("", "report-test-")
		if err != nil {
			tb.Fatal(err)
		}
		runs.root, runs.dirs = root, map[string]string{}
	}
	exp, err := experiments.ParseFile(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: runs.root, Code: rundir.Code{Module: "test", Version: "test", GoVersion: "go"}})
	if err != nil {
		tb.Fatal(err)
	}
	runs.dirs[name] = res.Dir
	return res.Dir
}

// copyRun copies a run directory into a fresh temporary directory.
func copyRun(tb testing.TB, src string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// generated returns a copy of the fixture run with its report generated.
func generated(t *testing.T) (string, *Run) {
	t.Helper()
	dir := copyRun(t, ranExperiment(t, "fixture"))
	r, err := Generate(dir, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return dir, r
}

// reported is the fixture run with its report generated once per test
// binary, for tests that only read it.
var reported struct {
	sync.Mutex
	dir string
	run *Run
}

func generatedShared(t *testing.T) (string, *Run) {
	t.Helper()
	reported.Lock()
	defer reported.Unlock()
	if reported.run == nil {
		src := ranExperiment(t, "fixture")
		dir := filepath.Join(runs.root, "shared-report")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		r, err := Generate(dir, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		reported.dir, reported.run = dir, r
	}
	return reported.dir, reported.run
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./reports/report -update rewrites it):\n%s", path, diff)
	}
}

// parseHTML parses an HTML file.
func parseHTML(t *testing.T, path string) *html.Node {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// elements returns the element nodes of doc with the given tag, in
// document order.
func elements(doc *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	}
	return out
}

func TestReportHTML(t *testing.T) {
	dir, r := generatedShared(t)
	doc := parseHTML(t, filepath.Join(dir, "report.html"))

	var sections []string
	for _, s := range elements(doc, "section") {
		id, _ := attr(s, "id")
		sections = append(sections, id)
	}
	want := []string{SectionData, SectionFeatures, SectionGrouping, SectionDetection, SectionTyping,
		SectionInterpret, SectionIncident, SectionPolicy, SectionMonitoring, SectionTargets, SectionAggregates, SectionProvenance}
	if diff := cmp.Diff(want, sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}

	// Every figure is in the page once, as an inlined image of its size.
	figs := r.Figures()
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	golden(t, "fixture.figures.golden", strings.Join(names, "\n")+"\n")
	found := map[string]bool{}
	for _, fig := range elements(doc, "figure") {
		id, _ := attr(fig, "id")
		name, ok := strings.CutPrefix(id, "fig-")
		if !ok || found[name] {
			t.Errorf("figure id %q: want fig-NAME, once per figure", id)
		}
		found[name] = true
		imgs := elements(fig, "img")
		if len(imgs) != 1 {
			t.Errorf("figure %s has %d images, want 1", name, len(imgs))
			continue
		}
		src, _ := attr(imgs[0], "src")
		width, _ := attr(imgs[0], "width")
		height, _ := attr(imgs[0], "height")
		checkDataImage(t, name, src, width, height)
		if alt, _ := attr(imgs[0], "alt"); alt == "" {
			t.Errorf("figure %s: image without alt text", name)
		}
		// figures/ holds the inlined image itself, in its one format.
		kind, data, _ := strings.Cut(strings.TrimPrefix(src, "data:"), ";base64,")
		ext, other := ".svg", ".png"
		if kind == "image/png" {
			ext, other = ".png", ".svg"
		}
		body, _ := base64.StdEncoding.DecodeString(data)
		if file, err := os.ReadFile(filepath.Join(dir, FiguresDir, name+ext)); err != nil || !bytes.Equal(file, body) {
			t.Errorf("figure %s: %s%s is not the inlined image (%v)", name, name, ext, err)
		}
		if _, err := os.Stat(filepath.Join(dir, FiguresDir, name+other)); err == nil {
			t.Errorf("figure %s: %s%s written too; the report inlines %s", name, name, other, ext)
		}
	}
	for _, name := range names {
		if !found[name] {
			t.Errorf("figure %s is not in report.html", name)
		}
	}
	if len(found) != len(names) {
		t.Errorf("report.html has %d figures, the run %d", len(found), len(names))
	}

	// Self-contained: no script, style sheet or image from elsewhere.
	if n := len(elements(doc, "script")) + len(elements(doc, "link")); n > 0 {
		t.Errorf("report.html has %d script or link elements", n)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Key != "src" && a.Key != "href" {
				continue
			}
			if strings.Contains(a.Val, "://") || strings.HasPrefix(a.Val, "//") {
				t.Errorf("<%s %s=%.60q>: a reference off the disk", n.Data, a.Key, a.Val)
			}
			if a.Key == "src" && !strings.HasPrefix(a.Val, "data:") {
				t.Errorf("<%s src=%.60q>: not inlined", n.Data, a.Val)
			}
		}
	}

	// The verdict banner and the tables the sections promise.
	banner := ""
	for _, p := range elements(doc, "p") {
		if id, _ := attr(p, "id"); id == "verdict-banner" {
			banner = textOf(p)
		}
	}
	if !strings.Contains(banner, "Verdict: "+strings.ToUpper(r.Verdict.Verdict)) || !strings.Contains(banner, "judged by the report") {
		t.Errorf("verdict banner %q", banner)
	}
	if got := len(elements(doc, "table")); got < 8 {
		t.Errorf("report.html has %d tables, want the dataset, feature, grouping, comparison, budget, by-type, typing, verdict and aggregate tables", got)
	}
	page := textOf(doc)
	for _, s := range []string{"|--- ", "confusion matrix (rows true", "spec.resolved.yaml", "manifest.json", "silhouette not measured",
		"Isolate source device (accounting workstation)", "IMMEDIATE_ISOLATION", "allow-list (segments, protocol, ports)", "Behavioural clusters of",
		"Monitoring in operation", "mean time to detect (MTTD)", "health score (band)", "never detected", "Events of trial", "promote"} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html does not contain %q", s)
		}
	}
}

// checkDataImage checks that src is an inlined SVG or PNG of the size its
// <img> says: the house figure size, 640 × 420, but for the monitoring
// dashboard, 640 × 880.
func checkDataImage(t *testing.T, name, src, width, height string) {
	t.Helper()
	kind, data, ok := strings.Cut(strings.TrimPrefix(src, "data:"), ";base64,")
	if !ok {
		t.Errorf("figure %s: src %.40q is not a base64 data URL", name, src)
		return
	}
	body, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Errorf("figure %s: %v", name, err)
		return
	}
	switch kind {
	case "image/png":
		cfg, err := png.DecodeConfig(bytes.NewReader(body))
		if err != nil || fmt.Sprint(cfg.Width) != width || fmt.Sprint(cfg.Height) != height {
			t.Errorf("figure %s: PNG %dx%d (%v), want %sx%s", name, cfg.Width, cfg.Height, err, width, height)
		}
	case "image/svg+xml":
		if !bytes.Contains(body, []byte("<svg")) || !bytes.Contains(body, []byte("</svg>")) {
			t.Errorf("figure %s: not an SVG document", name)
		}
		// vgsvg sizes the document in points, at 72 to the inch.
		w, _ := strconv.Atoi(width)
		h, _ := strconv.Atoi(height)
		size := fmt.Sprintf(`<svg width="%spt" height="%spt"`, fmtPt(float64(w)*72/charts.DPI), fmtPt(float64(h)*72/charts.DPI))
		if !bytes.Contains(body, []byte(size)) {
			t.Errorf("figure %s: SVG is not %sx%s px (want %s)", name, width, height, size)
		}
	default:
		t.Errorf("figure %s: media type %q", name, kind)
	}
}

// fmtPt writes a length in points as vgsvg does.
func fmtPt(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// reportFiles reads every file the report writes, and the manifest.
func reportFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range []string{"report.html", "summary.md", "manifest.json"} {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(body)
	}
	err := fs.WalkDir(os.DirFS(dir), FiguresDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(filepath.Join(dir, path))
		files[path] = string(body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A report regenerated from the same files is the same, byte for byte,
// whatever the number of workers; the manifest records every file.
func TestGenerateReproducible(t *testing.T) {
	dir, _ := generated(t)
	first := reportFiles(t, dir)
	if _, err := Generate(dir, Options{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	second := reportFiles(t, dir)
	if len(first) != len(second) {
		t.Errorf("%d files, then %d", len(first), len(second))
	}
	for name, body := range first {
		if second[name] != body {
			t.Errorf("%s changed when the report was regenerated with 1 worker", name)
		}
	}
	m, err := rundir.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name := range first {
		if _, ok := m.Artifacts[name]; !ok && name != "manifest.json" {
			t.Errorf("manifest does not record %s", name)
		}
	}
}

func TestGeneratePrunesStaleFigures(t *testing.T) {
	dir, _ := generated(t)
	stale := filepath.Join(dir, FiguresDir, "old-figure.svg")
	if err := os.WriteFile(stale, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := rundir.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.Artifacts[FiguresDir+"/old-figure.svg"] = m.Artifacts["report.html"]
	if err := rundir.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a figure of an earlier report survived")
	}
	if m, err = rundir.ReadManifest(dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Artifacts[FiguresDir+"/old-figure.svg"]; ok {
		t.Error("the manifest still records a figure of an earlier report")
	}
}

func TestSummary(t *testing.T) {
	dir, _ := generatedShared(t)
	body, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "fixture.summary.golden", string(body))
	// Every figure summary.md links to exists.
	for _, line := range strings.Split(string(body), "\n") {
		_, link, ok := strings.Cut(line, "](")
		if !ok {
			continue
		}
		link = strings.TrimSuffix(link, ")")
		if _, err := os.Stat(filepath.Join(dir, link)); err != nil {
			t.Errorf("summary.md links to %s: %v", link, err)
		}
	}
}

// A verdict written by harness check replaces the report's own judgement.
func TestGatedVerdict(t *testing.T) {
	dir := copyRun(t, ranExperiment(t, "fixture"))
	verdict := `{"experiment": "fixture", "confidence": 0.9, "interval": "an interval", "baseline": "runs/base",
		"verdict": "fail", "counts": {"fail": 1}, "results": [{"target": "random_forest detection_rate >= 0.99",
		"model": "random_forest", "metric": "detection_rate", "op": ">=", "value": 0.99, "verdict": "fail", "n": 2, "message": "below"}]}`
	if err := os.WriteFile(filepath.Join(dir, "verdict.json"), []byte(verdict), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Generate(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Gated || r.Verdict.Verdict != "fail" {
		t.Errorf("gated %v, verdict %q; want the verdict of verdict.json", r.Gated, r.Verdict.Verdict)
	}
	page := textOf(parseHTML(t, filepath.Join(dir, "report.html")))
	for _, s := range []string{"Verdict: FAIL", "from harness check against the baseline runs/base", "random_forest detection_rate >= 0.99"} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html does not say %q", s)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	if !strings.Contains(string(summary), "## Verdict: FAIL") || strings.Contains(string(summary), "Judged by the report") {
		t.Errorf("summary.md does not carry the gate's verdict:\n%s", summary)
	}

	if err := os.WriteFile(filepath.Join(dir, "verdict.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(dir, Options{}); err == nil || !strings.Contains(err.Error(), "verdict.json") {
		t.Errorf("a broken verdict.json: error %v, want one naming the file", err)
	}
}

func TestWriteIndex(t *testing.T) {
	root := t.TempDir()
	src := ranExperiment(t, "fixture")
	for _, name := range []string{"a", "b"} {
		if err := os.CopyFS(filepath.Join(root, name), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Generate(filepath.Join(root, "a"), Options{}); err != nil {
		t.Fatal(err)
	}
	// Not runs: an unfinished run, a file.
	if err := os.Remove(filepath.Join(root, "b", "manifest.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A run whose files are broken is listed as such.
	if err := os.CopyFS(filepath.Join(root, "c"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "c", "metrics.parquet"), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteIndex(root); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, filepath.Join(root, "index.html"))
	rows := elements(elements(doc, "tbody")[0], "tr")
	if len(rows) != 2 {
		t.Fatalf("index lists %d runs, want 2", len(rows))
	}
	if text := textOf(rows[1]); !strings.Contains(text, "unreadable") || !strings.Contains(text, "metrics.parquet") {
		t.Errorf("the broken run's row %q does not say what is wrong", text)
	}
	var links []string
	for _, a := range elements(rows[0], "a") {
		href, _ := attr(a, "href")
		links = append(links, href)
	}
	if want := []string{"a/report.html", "a/summary.md", "a/manifest.json"}; !slices.Equal(links, want) {
		t.Errorf("links %v, want %v", links, want)
	}
	if text := textOf(rows[0]); !strings.Contains(text, "fixture") || !strings.Contains(text, "PASS") && !strings.Contains(text, "FAIL") && !strings.Contains(text, "INCONCLUSIVE") {
		t.Errorf("index row %q", text)
	}
}

func TestLoadErrors(t *testing.T) {
	src := ranExperiment(t, "fixture")
	for _, c := range []struct {
		name  string
		spoil func(dir string) error
		want  string
	}{
		{"no manifest", func(dir string) error { return os.Remove(filepath.Join(dir, "manifest.json")) }, "not a completed run"},
		{"metrics not Parquet", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "metrics.parquet"), []byte("not parquet"), 0o644)
		}, "metrics.parquet"},
		{"curves truncated", func(dir string) error {
			path := filepath.Join(dir, "curves.parquet")
			body, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(path, body[:len(body)/2], 0o644)
		}, "curves.parquet"},
		{"aggregates of another sweep", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			m.Axes[0].Name = "flows"
			return rundir.WriteManifest(dir, m)
		}, "parameter columns"},
		{"predictions missing", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			return os.Remove(filepath.Join(rundir.TrialDir(dir, m.Trials[0].ID), "predictions.parquet"))
		}, "predictions.parquet"},
		{"dataset missing", func(dir string) error {
			// Optional only for a table source's trial.
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			return os.Remove(filepath.Join(rundir.TrialDir(dir, m.Trials[0].ID), "dataset.parquet"))
		}, "dataset.parquet"},
		{"prediction of no flow", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			actual := "normal"
			rows := []rundir.Prediction{{Model: "random_forest", FlowID: 1 << 40, Split: "test", Predicted: "normal", Actual: &actual, AnomalyType: "normal"}}
			_, err = artifact.WriteFile(filepath.Join(rundir.TrialDir(dir, m.Trials[0].ID), "predictions.parquet"), func(w io.Writer) error {
				return rundir.WritePredictions(w, rows)
			})
			return err
		}, "flow_id 1099511627776"},
		{"monitoring events not Parquet", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(rundir.TrialDir(dir, m.Trials[0].ID), rundir.MonitoringEvents), []byte("broken"), 0o644)
		}, rundir.MonitoringEvents},
		{"monitoring summary broken", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(rundir.TrialDir(dir, m.Trials[0].ID), rundir.MonitoringSummaryFile), []byte("{"), 0o644)
		}, rundir.MonitoringSummaryFile},
		{"another point's drift missing", func(dir string) error {
			m, err := rundir.ReadManifest(dir)
			if err != nil {
				return err
			}
			// The first trial of the second sweep point: its dashboard is
			// drawn too.
			for _, tr := range m.Trials {
				if !slices.Equal(trialPoint(tr, m), trialPoint(m.Trials[0], m)) {
					return os.Remove(filepath.Join(rundir.TrialDir(dir, tr.ID), rundir.MonitoringDriftFile))
				}
			}
			return errors.New("the fixture sweeps nothing")
		}, rundir.MonitoringDriftFile},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyRun(t, src)
			if err := c.spoil(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Generate(dir, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// BenchmarkReport50Trials regenerates the report of a sweep of 50 trials
// (10 anomaly rates × 5 seeds of 10,000 flows; the goal is under
// 5 s).
func BenchmarkReport50Trials(b *testing.B) {
	src := ranExperiment(b, "bench50")
	dir := copyRun(b, src)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Generate(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
