package report

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/gate"
	"github.com/segharness/harness/internal/rundir"
)

//go:embed report.html.tmpl
var reportTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
}).Parse(reportTemplate))

// htmlTable is a table with its caption; long tables start collapsed.
type htmlTable struct {
	Table
	Caption   string
	Collapsed bool
	Summary   string
}

// htmlFigure is a figure as the page inlines it.
type htmlFigure struct {
	Name, Title, Caption string
	Src                  template.URL // a data: URL
	Width, Height        int          // the figure's size in pixels
}

// text is a preformatted block in a <details> element.
type text struct {
	Title, Body string
	Open        bool
}

type section struct {
	ID, Title string
	Intro     []string
	Tables    []htmlTable
	Figures   []htmlFigure
	Groups    []figureGroup // collapsed, after Figures
	Later     []htmlTable   // tables after the figures
	Texts     []text
}

// figureGroup is a collapsed set of figures.
type figureGroup struct {
	Title   string
	Figures []htmlFigure
}

type pageData struct {
	Experiment, Description, File, Code, Axes string
	Trials                                    int
	Verdict                                   string
	Counts                                    map[string]int
	Gated                                     bool
	Baseline                                  string
	ConfidencePct                             string
	Sections                                  []section
}

// collapseRows is the number of rows above which a table starts collapsed.
const collapseRows = 25

func newTable(t Table, caption string) htmlTable {
	h := htmlTable{Table: t, Caption: caption}
	if len(t.Rows) > collapseRows {
		h.Collapsed = true
		h.Summary = fmt.Sprintf("Show all %d rows", len(t.Rows))
	}
	return h
}

// dataURL inlines a figure: the PNG for raster figures, else the SVG.
func dataURL(f *Figure) template.URL {
	if f.Raster {
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG))
	}
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(f.SVG))
}

// WriteHTML writes report.html: the sections in the order of the
// notebook's lifecycle, each figure inlined, so that the file opens from
// disk with no network access.
func (r *Run) WriteHTML(w io.Writer, figs []*Figure) error {
	m := r.Manifest
	d := pageData{
		Experiment: m.Experiment, File: m.File, Trials: len(m.Trials),
		Code:    strings.TrimSpace(m.Code.Version + " " + m.Code.VCSRevision + " " + m.Code.GoVersion),
		Verdict: r.Verdict.Verdict, Counts: allCounts(r.Verdict.Counts), Gated: r.Gated, Baseline: r.Verdict.Baseline,
		ConfidencePct: fmt.Sprint(100 * r.Verdict.Confidence),
		Description:   r.description(),
	}
	if len(m.Axes) > 0 {
		var parts []string
		for _, a := range m.Axes {
			parts = append(parts, fmt.Sprintf("%s (%s)", a.Name, strings.Join(a.Values, ", ")))
		}
		d.Axes = strings.Join(parts, " × ")
	}
	bySection := map[string][]htmlFigure{}
	groups := map[string][]figureGroup{}
	for _, f := range figs {
		h := htmlFigure{Name: f.Name, Title: f.Title, Caption: f.Caption, Src: dataURL(f), Width: f.Width, Height: f.Height}
		if f.Group == "" {
			bySection[f.Section] = append(bySection[f.Section], h)
			continue
		}
		g := groups[f.Section]
		if len(g) == 0 || g[len(g)-1].Title != f.Group {
			g = append(g, figureGroup{Title: f.Group})
		}
		g[len(g)-1].Figures = append(g[len(g)-1].Figures, h)
		groups[f.Section] = g
	}
	for _, s := range r.sections() {
		s.Figures, s.Groups = bySection[s.ID], groups[s.ID]
		if len(s.Figures)+len(s.Groups)+len(s.Tables)+len(s.Later)+len(s.Texts)+len(s.Intro) == 0 {
			continue
		}
		d.Sections = append(d.Sections, s)
	}
	return page.Execute(w, d)
}

// allCounts returns counts with every verdict present, zeros included.
func allCounts(counts map[string]int) map[string]int {
	out := map[string]int{"pass": 0, "fail": 0, "inconclusive": 0}
	for k, v := range counts {
		out[k] = v
	}
	return out
}

// description is the experiment's description, from the resolved spec.
func (r *Run) description() string {
	const key = "  description: "
	for _, line := range strings.Split(r.Spec, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
				v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
			} else if len(v) >= 2 && v[0] == '"' {
				var s string
				if json.Unmarshal([]byte(v), &s) == nil {
					v = s
				}
			}
			return v
		}
	}
	return ""
}

// tableIntro is the data section's sentence for a table source: what it
// read, naming the files when spec.resolved.yaml lists them.
func (r *Run) tableIntro() string {
	var spec struct {
		Spec struct {
			Data struct {
				Table struct {
					Preset string   `yaml:"preset"`
					Files  []string `yaml:"files"`
					Test   []string `yaml:"test"`
				} `yaml:"table"`
			} `yaml:"data"`
		} `yaml:"spec"`
	}
	var what []string
	if yaml.Unmarshal([]byte(r.Spec), &spec) == nil {
		t := spec.Spec.Data.Table
		if t.Preset != "" {
			what = append(what, "the "+t.Preset+" mapping")
		}
		if len(t.Files) > 0 {
			what = append(what, "training data from "+baseNames(t.Files))
		}
		if len(t.Test) > 0 {
			what = append(what, "test data from "+baseNames(t.Test))
		}
	}
	read := "The run reads a table through a column mapping (data.source: table"
	if len(what) > 0 {
		read += "; " + strings.Join(what, ", ")
	}
	return read + "), not flows of the synthetic schema, so the exploratory panels, engineered features and flow scatter plots are left out; the table is the dataset summary of every trial, from the manifest."
}

// baseNames lists the files' base names.
func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = path.Base(filepath.ToSlash(p))
	}
	return strings.Join(names, ", ")
}

// sections lays out the report's text and tables; figures are added by
// section ID.
func (r *Run) sections() []section {
	var on string
	if r.Showcase != nil {
		on = "trial " + r.Showcase.Record.ID
	}
	detectors := r.ModelsOf(Detector)
	typing := r.ModelsOf(Typing)
	clustering := r.ModelsOf(Clustering)

	flows := r.Showcase != nil && r.Showcase.Dataset != nil // the flow dataset's panels are drawn
	data := section{ID: SectionData, Title: "Data"}
	switch {
	case r.Showcase != nil && r.Showcase.FromTable():
		data.Intro = append(data.Intro, r.tableIntro())
	case r.Showcase != nil:
		data.Intro = append(data.Intro, "The exploratory panels of the case study, drawn from the dataset of "+on+
			" (its dataset.parquet). The table is the notebook's dataset summary panel for every trial.")
	}
	data.Tables = append(data.Tables, newTable(r.DatasetTable(), "Flows, anomalies by type and split sizes per trial."))
	if leak := r.LeakageTable(); len(leak.Rows) > 0 {
		data.Tables = append(data.Tables, newTable(leak, leakageCaption))
	}

	features := section{ID: SectionFeatures, Title: "Features"}
	if flows {
		features.Intro = append(features.Intro, "The engineered features of "+on+", by true label.")
		features.Tables = append(features.Tables, newTable(r.FeatureTable(), ""))
	}

	grouping := section{ID: SectionGrouping, Title: "Behavioural grouping"}
	if len(clustering) > 0 {
		if flows {
			grouping.Intro = append(grouping.Intro, "Clustering of every flow on the scaled features; the figures place each flow at its log bytes and log duration, as the notebook does.")
		} else {
			grouping.Intro = append(grouping.Intro, "Clustering of every flow on the scaled features.")
		}
		grouping.Tables = append(grouping.Tables, newTable(r.AggregateTable(clustering,
			r.MetricsOf(clustering, func(string) bool { return true })), "Mean over seeds with its 95% confidence interval."))
	}

	detection := section{ID: SectionDetection, Title: "Detection"}
	if len(detectors) > 0 {
		detection.Intro = append(detection.Intro, "The detectors on the test split: the model comparison table of the case study (mean over seeds, with the 95% confidence interval of the mean), then the curves and decisions of "+on+", then the ROC curves across seeds.")
		detection.Tables = append(detection.Tables, newTable(r.AggregateTable(detectors, ComparisonMetrics), "Model comparison."))
		budget := r.MetricsOf(detectors, func(m string) bool { return strings.HasPrefix(m, "budget_") })
		if len(budget) > 0 {
			detection.Tables = append(detection.Tables, newTable(r.AggregateTable(detectors, budget),
				"At the operating point: each detector's threshold chosen on a validation share of the training split for the false positive rate budget."))
		}
	}
	if byCategory := r.CategoryTable(); len(byCategory.Rows) > 0 {
		detection.Tables = append(detection.Tables, newTable(byCategory, categoryCaption))
	}

	typingSection := section{ID: SectionTyping, Title: "Attack typing"}
	// The rates of the attack categories are the detection section's
	// category table; the other groups (attacks seen or unseen in
	// training) stay here.
	categories := r.attackCategories(detectors)
	byType := r.MetricsOf(detectors, func(m string) bool {
		if !strings.HasPrefix(m, "detection_rate_") && !strings.HasPrefix(m, "budget_detection_rate_") {
			return false
		}
		return !slices.ContainsFunc(categories, func(c string) bool { return m == categoryMetric(c) })
	})
	if len(byType) > 0 {
		typingSection.Tables = append(typingSection.Tables, newTable(r.AggregateTable(detectors, byType),
			"Detection rate of other groups of anomalies (attacks whose label training saw, or never saw); the detection section has each attack category's."))
	}
	if len(typing) > 0 {
		typingSection.Tables = append(typingSection.Tables, newTable(r.AggregateTable(typing,
			r.MetricsOf(typing, func(string) bool { return true })), "Attack-type classifiers."))
	}
	if r.Showcase != nil && r.Showcase.ClassificationReport != "" {
		typingSection.Texts = append(typingSection.Texts, text{Title: "Classification reports of " + on + " (classification_report.txt)", Body: r.Showcase.ClassificationReport, Open: true})
	}

	interpretation := section{ID: SectionInterpret, Title: "Interpretation"}
	if r.Showcase != nil && r.Showcase.Rules != "" {
		interpretation.Texts = append(interpretation.Texts, text{Title: "Decision rules of " + on + " (rules.txt)", Body: r.Showcase.Rules, Open: true})
	}

	targets := section{ID: SectionTargets, Title: "Targets and verdict"}
	switch {
	case len(r.Verdict.Results) == 0:
		targets.Intro = append(targets.Intro, "The experiment declares no target.")
	case r.Gated:
		targets.Intro = append(targets.Intro, fmt.Sprintf("The verdict of harness check: %g%% %s.", 100*r.Verdict.Confidence, r.Verdict.Interval))
	default:
		targets.Intro = append(targets.Intro, fmt.Sprintf("Not gated yet: the report judged the targets as harness check does without a baseline (%g%% %s).", 100*r.Verdict.Confidence, r.Verdict.Interval))
	}
	if slices.ContainsFunc(r.Verdict.Results, func(t gate.TargetResult) bool { return t.Against != "" }) {
		targets.Intro = append(targets.Intro, "A target against another model is judged on the metric's differences between the two, trial by trial: "+
			"the mean column is their mean, the interval the signed-rank interval of their median (Hodges-Lehmann, inverting the Wilcoxon signed-rank test).")
	}
	if env := r.EnvelopeTable(); len(env.Rows) > 0 {
		targets.Tables = append(targets.Tables, newTable(env, envelopeCaption))
	}
	if len(r.Verdict.Results) > 0 {
		targets.Tables = append(targets.Tables, newTable(r.VerdictTable(), ""))
	}
	if len(r.Manifest.Axes) > 0 {
		targets.Intro = append(targets.Intro, "The headline metrics against each numeric sweep axis, with the targets drawn.")
	}

	aggregates := section{ID: SectionAggregates, Title: "Aggregate tables"}
	aggregates.Tables = append(aggregates.Tables, newTable(r.FullAggregateTable(), "aggregate.parquet: every metric of every model at every sweep point, over its seeds (95% Student t interval, within the metric's range: a rate's stays in [0, 1])."))

	provenance := section{ID: SectionProvenance, Title: "Spec and manifest"}
	if notes := r.Notes(); len(notes) > 0 {
		provenance.Texts = append(provenance.Texts, text{Title: "Trial notes", Body: strings.Join(notes, "\n"), Open: true})
	}
	provenance.Texts = append(provenance.Texts, text{Title: rundir.SpecFile, Body: strings.TrimRight(r.Spec, "\n")})
	manifest, _ := json.MarshalIndent(r.Manifest, "", "  ") // a value read from JSON marshals again
	provenance.Texts = append(provenance.Texts, text{Title: rundir.ManifestFile, Body: string(manifest)})

	out := []section{data, features, grouping, detection, typingSection, interpretation}
	out = append(out, r.deploymentSections()...)
	return append(out, targets, aggregates, provenance)
}

var index = template.Must(template.New("index").Funcs(template.FuncMap{"upper": strings.ToUpper}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="segharness">
<title>Experiment runs</title>
<style>{{template "css"}}</style>
</head>
<body>
<header><h1>Experiment runs</h1>
<p class="meta">Every completed run in this directory. A verdict from <code>harness check</code> is marked gated; the others are the targets as the report judged them.</p></header>
<main>
<table id="runs">
<thead><tr><th>run</th><th>verdict</th><th class="num">pass</th><th class="num">fail</th><th class="num">inconclusive</th><th class="num">trials</th><th>files</th></tr></thead>
<tbody>
{{range .}}<tr><td>{{if .HasReport}}<a href="{{.Dir}}/report.html">{{.Experiment}}</a>{{else}}{{.Experiment}}{{end}}</td>
<td>{{if .Problem}}unreadable: {{.Problem}}{{else}}<span class="verdict {{.Verdict}}">{{upper .Verdict}}</span>{{if .Gated}} (gated){{end}}{{end}}</td>
<td class="num">{{.Counts.pass}}</td><td class="num">{{.Counts.fail}}</td><td class="num">{{.Counts.inconclusive}}</td><td class="num">{{.Trials}}</td>
<td><a href="{{.Dir}}/summary.md">summary.md</a> · <a href="{{.Dir}}/manifest.json">manifest.json</a></td></tr>
{{end}}</tbody>
</table>
</main>
</body>
</html>
`))

func init() {
	// The index shares the report's style sheet.
	template.Must(index.AddParseTree("css", page.Lookup("css").Tree))
}
