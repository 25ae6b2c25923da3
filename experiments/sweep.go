package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/seed"
)

// Axis is one dimension of a sweep: a key given a list of values.
type Axis struct {
	Name   string   // short unique name, used in trial IDs and targets' where
	Path   string   // parameter path: data.anomaly_rate, models.rf.trees, ...
	Values []string // canonical text of each value
	Group  int      // zip group: axes with the same non-zero group move together
}

// axis is an Axis while parsing.
type axis struct {
	Axis
	path  string // key path for errors (models[0].trees)
	nodes []*yaml.Node
	apply func(i int) // set the template to value i
}

// Param is one swept parameter's value in a trial.
type Param struct {
	Name  string // the axis's short name
	Path  string // the axis's parameter path
	Value string // canonical text
}

// Trial is one point of the sweep for one seed.
type Trial struct {
	// ID names the trial: its parameters then its seed, like
	// anomaly_rate=0.05/seed=3. It is stable (it depends only on the
	// parameters and the seed), usable as a relative directory path, and
	// shortened with a hash when long.
	ID     string
	Params []Param
	// Seed is the replicate seed from the file's seeds list.
	Seed int64
	// DerivedSeed is the trial's own seed, derived from Seed and the full
	// (unshortened) ID: every random stream of the trial starts from it.
	DerivedSeed uint64
	// Spec is the experiment with this trial's values, Seeds = [Seed].
	Spec Spec
	// Fold is the trial's fold, 1 to Spec.Split.Folds, under a k-fold
	// split (its ID ends in /fold=Fold), and 0 otherwise.
	Fold int
}

// expand names the axes, checks what needs the whole file (targets, and
// combinations of values), and lists the trials.
func (p *parser) expand(exp *Experiment) {
	p.nameAxes()
	p.checkTargets()
	p.checkRegressions()
	p.checkExport()
	p.checkDedupe()
	p.checkSplit()
	p.checkIncidentPolicy()
	p.checkTable()
	p.checkMonitoring()
	for _, a := range p.axes {
		exp.Axes = append(exp.Axes, a.Axis)
	}
	// Dimensions: each zip group is one, each other axis is one, in the
	// order they appear in the file.
	var dims [][]*axis
	groupDim := map[int]int{}
	for _, a := range p.axes {
		if a.Group != 0 {
			if d, ok := groupDim[a.Group]; ok {
				dims[d] = append(dims[d], a)
				continue
			}
			groupDim[a.Group] = len(dims)
		}
		dims = append(dims, []*axis{a})
	}
	// A zip group's lists have equal lengths, or an error was reported and
	// the group runs to its shortest list.
	dimLen := make([]int, len(dims))
	total := float64(max(1, len(p.spec.Seeds)))
	if slices.Contains(p.splitValues(), SplitKFold) {
		total *= float64(p.spec.Split.Folds)
	}
	for d, axes := range dims {
		dimLen[d] = len(axes[0].Values)
		for _, a := range axes {
			dimLen[d] = min(dimLen[d], len(a.Values))
		}
		total *= float64(dimLen[d])
	}
	if total > MaxTrials {
		p.errorf(nil, "", "the sweep expands to %.0f trials, more than %d; split it into several files", total, MaxTrials)
		return
	}
	idx := make([]int, len(dims))
	for {
		for d, axes := range dims {
			for _, a := range axes {
				a.apply(idx[d])
			}
		}
		p.checkCombination()
		var params []Param
		for _, a := range p.axes {
			params = append(params, Param{Name: a.Name, Path: a.Path, Value: a.Values[idx[dimOf(dims, a)]]})
		}
		// A k-fold split runs one trial per fold of each seed; the folds
		// of a seed share its derived seed, hence its data, its fold
		// assignment and its models' seeds.
		folds := []int{0}
		if p.spec.Split.By == SplitKFold {
			folds = folds[:0]
			for f := range p.spec.Split.Folds {
				folds = append(folds, f+1)
			}
		}
		for _, s := range p.spec.Seeds {
			id, full := trialID(params, s)
			for _, f := range folds {
				spec := p.spec.clone()
				spec.Seeds = []int64{s}
				t := Trial{ID: id, Params: params, Seed: s, DerivedSeed: seed.Trial(s, full), Spec: spec, Fold: f}
				if f > 0 {
					t.ID += "/fold=" + strconv.Itoa(f)
				}
				exp.Trials = append(exp.Trials, t)
			}
		}
		// Next combination; the last dimension varies fastest.
		d := len(dims) - 1
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < dimLen[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			break
		}
	}
	for _, a := range p.axes {
		a.apply(0)
	}
	exp.Spec = p.spec.clone()
}

func dimOf(dims [][]*axis, a *axis) int {
	for d, axes := range dims {
		if slices.Contains(axes, a) {
			return d
		}
	}
	panic("experiments: axis without a dimension")
}

// nameAxes gives each axis the shortest suffix of its parameter path that
// no other axis shares.
func (p *parser) nameAxes() {
	suffix := func(path string, k int) string {
		segs := strings.Split(path, ".")
		return strings.Join(segs[max(0, len(segs)-k):], ".")
	}
	for _, a := range p.axes {
		depth := strings.Count(a.Path, ".") + 1
		for k := 1; k <= depth; k++ {
			name := suffix(a.Path, k)
			clash := name == "seed"
			for _, b := range p.axes {
				if b != a && suffix(b.Path, k) == name {
					clash = true
				}
			}
			if !clash || k == depth {
				a.Name = name
				break
			}
		}
	}
}

// checkCombination checks the rules that tie several keys together, for
// the values of one point of the sweep.
// The bounds of a monitoring simulation's volume: the normal flows it
// draws over its period, and those whose scores store_scores keeps.
const (
	MaxSimulatedFlows = 10_000_000_000
	MaxStoredScores   = 100_000_000
)

func (p *parser) checkCombination() {
	d, s := &p.spec.Data, &p.spec.Split
	if m := &p.spec.Monitoring; m.Enabled && !p.anyBad("monitoring.period", "monitoring.flows_per_day") {
		total := float64(m.FlowsPerDay) * m.Period.Hours() / 24
		limit, why := float64(MaxSimulatedFlows), ""
		if m.StoreScores && !p.anyBad("monitoring.store_scores") {
			limit, why = MaxStoredScores, " with store_scores, which keeps every flow's score"
		}
		if total > limit {
			path := "monitoring.flows_per_day"
			p.errorf(p.posOf(path, "monitoring.period", "monitoring"), path,
				"%d flows a day over %s simulate %.4g flows, more than the %.4g a simulation may draw%s; shorten the period or lower flows_per_day",
				m.FlowsPerDay, formatDuration(m.Period), total, limit, why)
			p.bad[path] = true
		}
	}
	if d.Source != SourceGenerate {
		return
	}
	if !p.anyBad("data.anomaly_mix") {
		sum := 0.0
		for _, v := range d.AnomalyMix {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 {
			p.errorf(p.pos["data.anomaly_mix"], "data.anomaly_mix", "shares sum to %s, not 1", formatFloat(sum))
		}
	}
	if !p.anyBad("data.flows", "data.anomaly_rate") {
		if int(float64(d.Flows)*d.AnomalyRate) < 1 {
			p.errorf(p.posOf("data.anomaly_rate", "data.flows"), "data.anomaly_rate",
				"%d flows at anomaly_rate %s inject int(%s) = 0 anomalies; raise flows or anomaly_rate",
				d.Flows, formatFloat(d.AnomalyRate), formatFloat(float64(d.Flows)*d.AnomalyRate))
		}
	}
	if !p.anyBad("data.flows", "split.test_fraction") {
		nTest := int(math.Ceil(s.TestFraction * float64(d.Flows)))
		if d.Flows-nTest < 1 {
			p.errorf(p.posOf("split.test_fraction", "data.flows"), "split.test_fraction",
				"test_fraction %s of %d flows leaves no flow for training", formatFloat(s.TestFraction), d.Flows)
		}
	}
}

// anyBad reports whether any of the paths, or a key under them, failed.
func (p *parser) anyBad(paths ...string) bool {
	for k := range p.bad {
		for _, path := range paths {
			if k == path || strings.HasPrefix(k, path+".") {
				return true
			}
		}
	}
	return false
}

// posOf returns the node of the first path that has one.
func (p *parser) posOf(paths ...string) *yaml.Node {
	for _, path := range paths {
		if n := p.pos[path]; n != nil {
			return n
		}
	}
	return nil
}

// checkTargets checks each target against the models and the sweep.
func (p *parser) checkTargets() {
	for i, rec := range p.targetNodes {
		t := &p.spec.Targets[i]
		p.checkModelMetric(rec, t.Model, t.Metric)
		p.checkAgainst(rec, t.Model, t.Against, t.Metric, rec.path+"."+t.Op+".model")
		if t.AnomalyType != "" && !p.anyBad("data.source", "data.table") {
			oneOf(p.anomalyTypes()...)(p, rec.anomalyType, rec.path+".anomaly_type")
		}
		switch {
		case t.AnomalyType != "" && t.Model == MonitoringModel && p.spec.Monitoring.Enabled:
			p.errorf(rec.anomalyType, rec.path+".anomaly_type", "the monitoring simulation's metrics are not split by anomaly type")
		case t.AnomalyType != "" && t.Metric != "" && t.Metric != "detection_rate":
			p.errorf(rec.anomalyType, rec.path+".anomaly_type", "per anomaly type targets apply to detection_rate only, not %s", t.Metric)
		}
		if t.Where == nil {
			continue
		}
		where := map[string][]string{}
		for key, values := range t.Where {
			a := p.axisByName(key)
			if a == nil {
				var names []string
				for _, a := range p.axes {
					names = append(names, a.Name)
				}
				msg := "none: the file sweeps nothing"
				if len(names) > 0 {
					msg = strings.Join(names, ", ")
				}
				p.errorf(rec.whereKeys[key], rec.path+".where."+key, "not a swept parameter (swept: %s)", msg)
				continue
			}
			// Keep the axis's own name and spelling of each value.
			for j, v := range values {
				switch {
				case slices.Contains(a.Values, v):
				case slices.Contains(a.Values, canonicalNumber(v)):
					v = canonicalNumber(v)
				default:
					p.errorf(rec.where[key][j], rec.path+".where."+key, "%s is not among the swept values %s", v, strings.Join(a.Values, ", "))
				}
				where[a.Name] = append(where[a.Name], v)
			}
		}
		t.Where = where
	}
}

// checkRegressions checks each regression rule's model and metric.
func (p *parser) checkRegressions() {
	for i, rec := range p.regressionNodes {
		r := &p.spec.Regressions[i]
		p.checkModelMetric(rec, r.Model, r.Metric)
		p.checkAgainst(rec, r.Model, r.Against, r.Metric, rec.path+".against.model")
		if r.Better == "" && r.Metric != "" && !p.bad[rec.path+".better"] {
			// The metric vocabulary's direction (internal/eval).
			if r.Better = eval.Better(r.Metric).String(); r.Better == "" {
				p.errorf(rec.node, rec.path, "missing key \"better\": metric %s has no direction of improvement to default to; give better: higher or lower", r.Metric)
			}
		}
	}
}

// checkDedupe refuses split.dedupe: exact, given or swept, on a source
// other than a table.
func (p *parser) checkDedupe() {
	n := p.pos["split.dedupe"]
	if n == nil || p.spec.Data.Source == SourceTable || p.bad["data.source"] {
		return
	}
	exact := p.spec.Split.Dedupe == DedupeExact
	for _, a := range p.axes {
		if a.Path == "split.dedupe" && slices.Contains(a.Values, DedupeExact) {
			exact = true
		}
	}
	if exact {
		p.errorf(n, "split.dedupe", "exact applies to data.source table, whose real traffic repeats rows; the %s source's flows are not deduplicated (its leakage report still counts any duplicates)", p.spec.Data.Source)
	}
}

// checkExport checks that an experiment exporting its scoring pipeline has
// the two models the pipeline holds.
func (p *parser) checkExport() {
	n := p.pos["export_model"]
	if !p.spec.ExportModel || n == nil {
		return
	}
	detector, typing := p.spec.ExportedModels()
	kinds := strings.Join(models.ExportedNames(), " or ")
	var missing []string
	if detector == nil {
		missing = append(missing, "a "+kinds+" detector (target: is_anomaly)")
	}
	if typing == nil {
		missing = append(missing, "a "+kinds+" with target: anomaly_type")
	}
	if len(missing) > 0 {
		p.errorf(n, "export_model", "the scoring pipeline needs %s in models:", strings.Join(missing, " and "))
	}
}

// checkModelMetric reports a model name that names no model, and a metric
// the model does not produce.
func (p *parser) checkModelMetric(rec *targetNode, model, metric string) {
	if model == "" || p.checkSpecialMetric(rec, model, metric) {
		return
	}
	m := p.spec.Model(model)
	if m == nil {
		var names []string
		for _, m := range p.spec.Models {
			names = append(names, m.Name)
		}
		p.errorf(rec.model, rec.path+".model", "no model named %q (models: %s)", model, strings.Join(names, ", "))
	} else if produced := p.metricsFor(m); m.Kind != "" && metric != "" && !slices.Contains(produced, metric) {
		hint := ""
		switch {
		case m.IsDetector() && eval.In(metric, eval.Produced(eval.Monitoring)):
			hint = fmt.Sprintf(" (%s is measured by the monitoring simulation: name model %s and add a monitoring: block)", metric, MonitoringModel)
		case m.IsDetector() && slices.Contains(TableDetectorMetrics, metric):
			hint = fmt.Sprintf(" (%s needs data.source table with separate test files, data.table.test)", metric)
		}
		p.errorf(rec.metric, rec.path+".metric", "model %s (%s) does not produce metric %q; it produces %s%s",
			m.Name, describeModel(m), metric, strings.Join(produced, ", "), hint)
	}
}

// metricsFor returns the metrics a model produces with this data: a
// detector on a table with separate test files also measures detection
// among the attacks seen and unseen in training.
func (p *parser) metricsFor(m *Model) []string {
	if d := &p.spec.Data; m.IsDetector() && d.Source == SourceTable && len(d.Table.Test) > 0 {
		return slices.Concat(metricsFor(m), TableDetectorMetrics)
	}
	return metricsFor(m)
}

// checkAgainst checks the other model of a comparison between two models:
// a model of models:, not the same one, producing the metric; and the
// first a model of models: too.
func (p *parser) checkAgainst(rec *targetNode, model, against, metric, path string) {
	if against == "" || rec.against == nil {
		return
	}
	names := strings.Join(p.spec.modelNames(), ", ")
	switch m, o := p.spec.Model(model), p.spec.Model(against); {
	case model != "" && m == nil:
		if p.spec.Model(model) == nil && (model == PolicyModel || model == MonitoringModel || model == LeakageModel || p.spec.IncidentFlow(model) != nil) {
			p.errorf(rec.model, rec.path+".model", "%s is not a model of models:; a comparison with another model needs two (models: %s)", model, names)
		}
	case o == nil:
		p.errorf(rec.against, path, "no model named %q (models: %s)", against, names)
	case against == model:
		p.errorf(rec.against, path, "compares model %s with itself; name another model", model)
	default:
		if produced := p.metricsFor(o); metric != "" && o.Kind != "" && !slices.Contains(produced, metric) {
			p.errorf(rec.against, path, "model %s (%s) does not produce metric %q, so it cannot be compared with %s; it produces %s",
				o.Name, describeModel(o), metric, model, strings.Join(produced, ", "))
		}
	}
}

// canonicalNumber formats an integral number as an integer axis does.
func canonicalNumber(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return v
	}
	return strconv.FormatInt(int64(f), 10)
}

// axisByName finds an axis by short name or parameter path.
func (p *parser) axisByName(key string) *axis {
	for _, a := range p.axes {
		if a.Name == key || a.Path == key {
			return a
		}
	}
	return nil
}

func describeModel(m *Model) string { return m.Role().Describe() }

// maxIDLen bounds a trial ID; longer ones are shortened with a hash.
const (
	maxIDLen      = 160
	maxSegmentLen = 64
)

// trialID returns the trial's ID and the full ID it was shortened from.
func trialID(params []Param, s int64) (id, full string) {
	var segs []string
	for _, p := range params {
		segs = append(segs, p.Name+"="+escape(p.Value))
	}
	seedSeg := "seed=" + strconv.FormatInt(s, 10)
	full = strings.Join(append(slices.Clone(segs), seedSeg), "/")
	short := slices.Clone(segs)
	for i, seg := range short {
		if len(seg) > maxSegmentLen {
			short[i] = seg[:maxSegmentLen-10] + "~" + hash(seg)[:8]
		}
	}
	id = strings.Join(append(short, seedSeg), "/")
	if len(id) > maxIDLen {
		id = "params~" + hash(strings.Join(segs, "/"))[:16] + "/" + seedSeg
	}
	return id, full
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// escape percent-encodes every byte outside [A-Za-z0-9._+-] so that a
// value is a safe path segment (as Hive escapes partition values).
func escape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '+', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	s := b.String()
	if s == "." || s == ".." {
		return strings.ReplaceAll(s, ".", "%2E")
	}
	return s
}
