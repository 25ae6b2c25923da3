package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/stage"
)

// Options tune Generate.
type Options struct {
	Workers int       // goroutines drawing figures; all CPUs when < 1
	Log     io.Writer // progress; nil for none
	// Showcase, when set, holds the showcase (first) trial's tables as the
	// process that ran the trial wrote them: they are used instead of
	// read back from its files, which hold the same (runner.Options.Report).
	Showcase *rundir.TrialTables
}

// writers is the number of goroutines writing figure files.
const writers = 16

// FiguresDir is the directory of a run that holds its figures.
const FiguresDir = rundir.FiguresDir

// isReportArtifact says whether the manifest entry name is written by the
// report (and so is replaced, not carried over, when the report is
// regenerated).
func isReportArtifact(name string) bool { return rundir.IsReportFile(name) }

// Generate writes the report of the run in dir: figures/ (each figure in
// the format report.html inlines, figures of earlier reports removed), report.html and
// summary.md, and records their digests in the manifest. It returns the
// run as read.
func Generate(dir string, opts Options) (*Run, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	start := time.Now()
	var (
		r   *Run
		err error
	)
	stage.Do("report load", func() { r, err = load(dir, opts.Showcase) })
	if err != nil {
		return nil, err
	}
	// The manifest the report shows is the run's, without the report's own
	// files, so that regenerating a report gives the same bytes.
	stale := false
	for name := range r.Manifest.Artifacts {
		if isReportArtifact(name) {
			delete(r.Manifest.Artifacts, name)
			stale = true
		}
	}
	// The manifest stops vouching for the old report before the new one is
	// written: a report cut short leaves unlisted files, never a manifest
	// whose digests name files that changed.
	if stale {
		if err := rundir.WriteManifest(dir, r.Manifest); err != nil {
			return nil, err
		}
	}
	// Drawing is CPU-bound, writing waits on the disk (each file is
	// synced): each figure is written as soon as it is drawn, on more
	// goroutines than CPUs, so that concurrent syncs share the file
	// system's journal commits; report.html and summary.md, which need
	// every figure, are written while the last figures are.
	var figs []*Figure
	stage.Do("figures", func() { figs = r.Figures() })
	figDir := filepath.Join(dir, FiguresDir)
	digests := make([]artifact.Digest, len(figs))
	figErrs := make([]error, len(figs))
	var writing sync.WaitGroup
	slots := make(chan struct{}, writers)
	stage.Do("figures", func() {
		renderEach(figs, opts.Workers, func(i int) {
			slots <- struct{}{}
			writing.Go(func() {
				defer func() { <-slots }()
				stage.Do("report write", func() {
					digests[i], figErrs[i] = artifact.WriteBytes(filepath.Join(figDir, figs[i].File()), figs[i].Bytes())
				})
			})
		})
	})
	written := map[string]artifact.Digest{}
	var htmlErr error
	stage.Do("html", func() {
		written[rundir.ReportFile], htmlErr = artifact.WriteFile(filepath.Join(dir, rundir.ReportFile), func(w io.Writer) error {
			return r.WriteHTML(w, figs)
		})
		if htmlErr == nil {
			written[rundir.SummaryFile], htmlErr = artifact.WriteBytes(filepath.Join(dir, rundir.SummaryFile), []byte(r.Summary(figs)))
		}
	})
	writing.Wait()
	// A figure's error comes first, as the figures were written first.
	if err := errors.Join(slices.DeleteFunc(figErrs, func(e error) bool { return e == nil })...); err != nil {
		return nil, err
	}
	if htmlErr != nil {
		return nil, htmlErr
	}
	for i, f := range figs {
		written[FiguresDir+"/"+f.File()] = digests[i]
	}
	if err := pruneFigures(figDir, written); err != nil {
		return nil, err
	}
	m := *r.Manifest
	m.Artifacts = maps.Clone(r.Manifest.Artifacts)
	maps.Copy(m.Artifacts, written)
	if err := rundir.WriteManifest(dir, &m); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%s: report with %d figures -> %s (%.2fs)\n", r.Manifest.Experiment, len(figs),
		filepath.Join(dir, rundir.ReportFile), time.Since(start).Seconds())
	return r, nil
}

// pruneFigures removes the figure files (.svg, .png) of figDir that this
// report did not write.
func pruneFigures(figDir string, written map[string]artifact.Digest) error {
	entries, err := os.ReadDir(figDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, ok := written[FiguresDir+"/"+e.Name()]; ok || !rundir.IsFigureFile(e) {
			continue // a file the report did not write is left alone
		}
		if err := os.Remove(filepath.Join(figDir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// keyFigures are the figures summary.md links to: names equal to a key or
// starting with key + "-", at most limit of each, in this order.
var keyFigures = []struct {
	key   string
	limit int
}{
	{"detection-roc", 1}, {"sweep", 3}, {"detection-pr", 1}, {"detection-roc_seeds", 2},
	{"interpretation-importance", 1}, {"typing-confusion", 1}, {"monitoring-dashboard", 2},
}

// Summary is summary.md: the verdict, the headline table and links to
// the key figures, compact enough for $GITHUB_STEP_SUMMARY or a
// pull-request comment.
func (r *Run) Summary(figs []*Figure) string {
	var b strings.Builder
	m := r.Manifest
	fmt.Fprintf(&b, "# %s\n\n", m.Experiment)
	if d := r.description(); d != "" {
		fmt.Fprintf(&b, "%s\n\n", d)
	}
	flows := 0
	for _, t := range m.Trials {
		flows += t.Data.Flows
	}
	fmt.Fprintf(&b, "Experiment file: `%s` · %d trial%s · %s flows in all · full report: [report.html](report.html)\n\n",
		m.File, len(m.Trials), plural(len(m.Trials)), thousands(flows))

	b.WriteString(gate.VerdictMarkdown(r.Verdict))
	if !r.Gated && len(r.Verdict.Results) > 0 {
		b.WriteString("\nJudged by the report from the targets; `harness check` is the gate (and compares against a baseline).\n")
	}
	if env := r.EnvelopeTable(); len(env.Rows) > 0 {
		b.WriteString("\n## Where each model meets its targets\n\n" + envelopeCaption + "\n\n")
		b.WriteString(env.Markdown())
	}

	if detectors := r.ModelsOf(Detector); len(detectors) > 0 {
		b.WriteString("\n## Detectors\n\nMean over seeds [95% confidence interval of the mean] on the test split.\n\n")
		b.WriteString(r.AggregateTable(detectors, []string{"detection_rate", "false_positive_rate", "precision", "f1", "roc_auc"}).Markdown())
	}
	if byCategory := r.CategoryTable(); len(byCategory.Rows) > 0 {
		b.WriteString("\n## Detection by attack category\n\n" + categoryCaption + "\n\n")
		b.WriteString(byCategory.Markdown())
	}
	// Runs without a detector get the table of their other models.
	others := slices.Concat(r.ModelsOf(Typing), r.ModelsOf(Clustering))
	if len(others) > 0 && len(r.ModelsOf(Detector)) == 0 {
		metrics := r.MetricsOf(others, func(m string) bool {
			return slices.Contains([]string{"accuracy", "macro_f1", "n_clusters", "noise_fraction", "silhouette"}, m)
		})
		b.WriteString("\n## Models\n\nMean over seeds [95% confidence interval of the mean].\n\n")
		b.WriteString(r.AggregateTable(others, metrics).Markdown())
	}

	if leak := r.LeakageTable(); len(leak.Rows) > 0 {
		b.WriteString("\n## Leakage\n\n" + leakageCaption + "\n\n")
		b.WriteString(leak.Markdown())
	}

	if len(r.Monitored) > 0 {
		b.WriteString("\n## Monitoring\n\nThe simulated operation of the first trial of each sweep point (monitoring.json and the monitoring rows of the metrics table).\n\n")
		b.WriteString(r.MonitoringHeadline().Markdown())
	}

	var links []string
	for _, k := range keyFigures {
		n := 0
		for _, f := range figs {
			if n < k.limit && (f.Name == k.key || strings.HasPrefix(f.Name, k.key+"-")) {
				links = append(links, fmt.Sprintf("- [%s](%s/%s)", f.Title, FiguresDir, f.File()))
				n++
			}
		}
	}
	if len(links) > 0 {
		fmt.Fprintf(&b, "\n## Key figures\n\n%s\n\nAll %d figures are in report.html and %s/.\n", strings.Join(links, "\n"), len(figs), FiguresDir)
	}
	if notes := r.Notes(); len(notes) > 0 {
		fmt.Fprintf(&b, "\n%d trial note%s (metrics left unmeasured, and why) are in report.html and manifest.json.\n", len(notes), plural(len(notes)))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// IndexEntry is one run of the index.
type IndexEntry struct {
	Dir, Experiment, Verdict string
	Gated                    bool
	Trials                   int
	Counts                   map[string]int
	HasReport                bool
	Problem                  string // why the run could not be read
}

// WriteIndex writes root/index.html: every completed run under root (a
// directory with a manifest.json) with its verdict and a link to its
// report.
func WriteIndex(root string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	var runs []IndexEntry
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, rundir.ManifestFile)); err != nil {
			continue
		}
		// What the index reads of a run is verified against its manifest.
		m, err := rundir.ReadManifest(dir)
		if err == nil {
			read := []string{rundir.MetricsFile}
			if _, ok := m.Artifacts[rundir.VerdictFile]; ok {
				read = append(read, rundir.VerdictFile)
			}
			_, err = rundir.OpenRunFiles(dir, read...)
		}
		var r *Run
		if err == nil {
			r, err = loadSummary(dir)
		}
		if err != nil {
			// One unreadable run does not hide the others.
			runs = append(runs, IndexEntry{Dir: e.Name(), Experiment: e.Name(), Problem: err.Error()})
			continue
		}
		// The report is linked only when the manifest vouches for it: a
		// report of an older run, or one cut short, is not.
		d, listed := r.Manifest.Artifacts[rundir.ReportFile]
		hasReport := listed && len(rundir.Check(dir, "", map[string]artifact.Digest{rundir.ReportFile: d})) == 0
		runs = append(runs, IndexEntry{
			Dir: e.Name(), Experiment: r.Manifest.Experiment, Verdict: r.Verdict.Verdict, Gated: r.Gated,
			Trials: len(r.Manifest.Trials), Counts: allCounts(r.Verdict.Counts), HasReport: hasReport,
		})
	}
	var buf bytes.Buffer
	if err := index.Execute(&buf, runs); err != nil {
		return err
	}
	_, err = artifact.WriteBytes(filepath.Join(root, rundir.IndexFile), buf.Bytes())
	return err
}

// loadSummary reads what the index shows of a run: its manifest, its
// metrics and its verdict, without the per-trial files.
func loadSummary(dir string) (*Run, error) {
	m, err := rundir.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Manifest: m}
	if err := readTable(dir, rundir.MetricsFile, func(p []rundir.ParamColumn, rows []rundir.Metric) {
		r.Params, r.Metrics = p, rows
	}, rundir.ReadMetrics); err != nil {
		return nil, err
	}
	if err := r.loadVerdict(); err != nil {
		return nil, err
	}
	return r, nil
}
