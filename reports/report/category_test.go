package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/internal/eval"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
)

// categoryTrial is one trial of categoryRun: its seed, its test split's
// anomalies by type, and its models' metrics.
type categoryTrial struct {
	difficulty string
	seed       int64
	testByType map[string]int
	metrics    map[string]map[string]float64 // model -> metric -> value
}

// categoryRun builds a run of two sweep points (difficulty 0 and 1) of
// three seeds each, with the aggregate rows the runner would write
// (eval.Summarize over the seeds, in trial order).
func categoryRun(trials []categoryTrial) *Run {
	r := &Run{
		Manifest: &rundir.Manifest{Axes: []rundir.Axis{{Name: "difficulty", Path: "data.difficulty", Values: []string{"0", "1"}}}},
		Models:   []Model{{Name: "iso", Kind: Detector}, {Name: "lof", Kind: Detector}, {Name: "types", Kind: Typing}},
		Points:   [][]string{{"0"}, {"1"}},
	}
	type key struct{ point, model, metric string }
	values := map[key][]float64{}
	var order []key
	for _, tr := range trials {
		id := fmt.Sprintf("difficulty=%s/seed=%d", tr.difficulty, tr.seed)
		r.Manifest.Trials = append(r.Manifest.Trials, rundir.TrialRecord{
			ID: id, Seed: tr.seed, Params: map[string]string{"data.difficulty": tr.difficulty},
			Data: rundir.DataRecord{ByType: map[string]int{"crypto_mining": 30, "lateral_movement": 15}, TestByType: tr.testByType},
		})
		for _, model := range slices.Sorted(maps.Keys(tr.metrics)) {
			for _, metric := range slices.Sorted(maps.Keys(tr.metrics[model])) {
				v := tr.metrics[model][metric]
				r.Metrics = append(r.Metrics, rundir.Metric{Trial: id, Seed: tr.seed, Params: []string{tr.difficulty}, Model: model, Metric: metric, Value: v})
				k := key{tr.difficulty, model, metric}
				if _, ok := values[k]; !ok {
					order = append(order, k)
				}
				values[k] = append(values[k], v)
			}
		}
	}
	for _, k := range order {
		s := eval.Summarize(k.metric, values[k], 0.95)
		r.Aggregates = append(r.Aggregates, rundir.Aggregate{
			Params: []string{k.point}, Model: k.model, Metric: k.metric,
			N: int64(s.N), Mean: s.Mean, SD: s.SD, Min: s.Min, Max: s.Max, Lo: s.Lo, Hi: s.Hi,
		})
	}
	r.index()
	return r
}

// categoryTrials are the trials of TestCategoryTable. iso detects
// 9/10, 8/10, 10/10 crypto_mining and 4/5, 3/4, 3/6 lateral_movement
// anomalies at difficulty 0; 6/12, 3/12, 9/12 crypto_mining and 1/3, -,
// 2/5 lateral_movement at difficulty 1 (seed 2's test split has no
// lateral movement). lof runs at difficulty 1 only and detects every
// crypto_mining anomaly (and has no lateral_movement rate). iso's
// detection_rate_seen_attacks is no category, and types is no detector.
func categoryTrials() []categoryTrial {
	crypto, lateral := "detection_rate_crypto_mining", "detection_rate_lateral_movement"
	both := func(c, l int) map[string]int { return map[string]int{"crypto_mining": c, "lateral_movement": l} }
	return []categoryTrial{
		{"0", 1, both(10, 5), map[string]map[string]float64{
			"iso":   {crypto: 0.9, lateral: 0.8, "detection_rate_seen_attacks": 0.5},
			"types": {"accuracy": 0.9},
		}},
		{"0", 2, both(10, 4), map[string]map[string]float64{"iso": {crypto: 0.8, lateral: 0.75}}},
		{"0", 3, both(10, 6), map[string]map[string]float64{"iso": {crypto: 1, lateral: 0.5}}},
		{"1", 1, both(12, 3), map[string]map[string]float64{"iso": {crypto: 0.5, lateral: 1.0 / 3}, "lof": {crypto: 1}}},
		{"1", 2, map[string]int{"crypto_mining": 12}, map[string]map[string]float64{"iso": {crypto: 0.25}, "lof": {crypto: 1}}},
		{"1", 3, both(12, 5), map[string]map[string]float64{"iso": {crypto: 0.75, lateral: 0.4}, "lof": {crypto: 1}}},
	}
}

// TestCategoryTable checks the per-category detection table on a
// hand-made run. The means and 95% Student t intervals (t(0.975, 2) =
// 4.3027, t(0.975, 1) = 12.706), within [0, 1]:
//
//	difficulty 0, iso, crypto_mining: 0.9, 0.8, 1: mean 0.9, sd 0.1,
//	  half-width 4.3027 × 0.1 / √3 = 0.2484: [0.6516, 1.148] -> [0.6516, 1];
//	  detected 9 + 8 + 10 = 27 of 10 + 10 + 10 = 30.
//	difficulty 0, iso, lateral_movement: 0.8, 0.75, 0.5: mean 0.6833,
//	  sd √(0.051667 / 2) = 0.1607, half-width 4.3027 × 0.1607 / √3 = 0.3993:
//	  [0.2841, 1.083] -> [0.2841, 1]; detected 4 + 3 + 3 = 10 of 5 + 4 + 6 = 15.
//	difficulty 1, iso, crypto_mining: 0.5, 0.25, 0.75: mean 0.5, sd 0.25,
//	  half-width 4.3027 × 0.25 / √3 = 0.6210: [-0.121, 1.121] -> [0, 1];
//	  detected 6 + 3 + 9 = 18 of 36.
//	difficulty 1, iso, lateral_movement: 1/3, 0.4 (two seeds): mean 0.3667,
//	  sd 0.04714, half-width 12.706 × 0.04714 / √2 = 0.4235: [-0.0569,
//	  0.7902] -> [0, 0.7902]; detected 1 + 2 = 3 of 3 + 5 = 8.
//	difficulty 1, lof, crypto_mining: 1, 1, 1: [1, 1]; 36 of 36.
func TestCategoryTable(t *testing.T) {
	header := []string{"sweep point", "model", "category", "detection rate", "seeds", "detected / anomalies"}
	numeric := []bool{false, false, false, true, true, true}
	rows := func(counts ...string) [][]string {
		return [][]string{
			{"difficulty=0", "iso", "crypto_mining", "0.9 [0.6516, 1]", "3", counts[0]},
			{"difficulty=0", "iso", "lateral_movement", "0.6833 [0.2841, 1]", "3", counts[1]},
			{"difficulty=1", "iso", "crypto_mining", "0.5 [0, 1]", "3", counts[2]},
			{"difficulty=1", "iso", "lateral_movement", "0.3667 [0, 0.7902]", "2", counts[3]},
			{"difficulty=1", "lof", "crypto_mining", "1 [1, 1]", "3", counts[4]},
		}
	}
	for _, tc := range []struct {
		name   string
		change func([]categoryTrial)
		rows   [][]string
	}{
		{"counts from test_by_type", func([]categoryTrial) {}, rows("27 / 30", "10 / 15", "18 / 36", "3 / 8", "36 / 36")},
		{"a run before test_by_type: no counts, never a guess", func(trials []categoryTrial) {
			for i := range trials {
				trials[i].testByType = nil
			}
		}, rows(noCounts, noCounts, noCounts, noCounts, noCounts)},
		{"one trial without it spoils its rows only", func(trials []categoryTrial) {
			trials[4].testByType = nil // difficulty 1, seed 2: iso and lof measured crypto_mining
		}, rows("27 / 30", "10 / 15", noCounts, "3 / 8", noCounts)},
		{"counts the rates disagree with", func(trials []categoryTrial) {
			trials[1].testByType["lateral_movement"] = 7 // 0.75 × 7 = 5.25 anomalies
			trials[4].testByType["lateral_movement"] = 2 // anomalies iso has no rate of
		}, rows("27 / 30", noCounts, "18 / 36", noCounts, "36 / 36")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trials := categoryTrials()
			tc.change(trials)
			want := Table{Header: header, Numeric: numeric, Rows: tc.rows}
			if diff := cmp.Diff(want, categoryRun(trials).CategoryTable()); diff != "" {
				t.Errorf("CategoryTable (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("no detector rates, no rows", func(t *testing.T) {
		trials := categoryTrials()
		for i := range trials {
			trials[i].metrics = map[string]map[string]float64{"types": {"accuracy": 0.9}}
		}
		if got := categoryRun(trials).CategoryTable(); len(got.Rows) != 0 {
			t.Errorf("%d rows, want none: %v", len(got.Rows), got.Rows)
		}
	})
}

// TestDetectedOf checks the rate × total rounding and its refusals.
func TestDetectedOf(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		total int
		want  int
		ok    bool
	}{
		{1.0 / 3, 3, 1, true},
		{2.0 / 3, 3, 2, true},
		{0, 4, 0, true},
		{1, 4, 4, true},
		{0.75, 7, 0, false}, // 5.25
		{1.25, 4, 0, false}, // more than the total
		{-0.25, 4, 0, false},
		{math.NaN(), 4, 0, false},
	} {
		got, ok := detectedOf(tc.rate, tc.total)
		if got != tc.want || ok != tc.ok {
			t.Errorf("detectedOf(%v, %d) = %d, %v; want %d, %v", tc.rate, tc.total, got, ok, tc.want, tc.ok)
		}
	}
}

// checkCategoryCounts checks each row's counts of the run's category
// table against the trials' predictions.parquet: the test anomalies of
// the category the row's detector saw, and those it flagged, summed over
// the sweep point's trials.
func checkCategoryCounts(t *testing.T, r *Run) {
	t.Helper()
	table := r.CategoryTable()
	if len(table.Rows) == 0 {
		t.Fatal("no category table: the check proves nothing")
	}
	swept := len(r.Manifest.Axes) > 0
	for _, row := range table.Rows {
		var point string
		if swept {
			point, row = row[0], row[1:]
		}
		model, category, counts := row[0], row[1], row[4]
		detected, total := 0, 0
		for _, rec := range r.Manifest.Trials {
			if r.PointText(trialPoint(rec, r.Manifest)) != point {
				continue
			}
			tr, err := loadTrial(r.Dir, rec, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tr.PredictionsOf(model) {
				if p.Split == datasets.Test.String() && p.AnomalyType == category && p.Actual != nil && *p.Actual == flow.LabelAnomaly {
					total++
					if p.Predicted == flow.LabelAnomaly {
						detected++
					}
				}
			}
		}
		if want := thousands(detected) + " / " + thousands(total); counts != want {
			t.Errorf("%s %s %s: counts %q, predictions.parquet says %q", point, model, category, counts, want)
		}
	}
}

// TestCategoryTableOfRun checks the fixture run's category table against
// its files: the counts against predictions.parquet, and each row's
// aggregate against eval.Summarize over the trials' rates in
// metrics.parquet.
func TestCategoryTableOfRun(t *testing.T) {
	_, r := generatedShared(t)
	checkCategoryCounts(t, r)
	index := r.aggregateIndex()
	for _, p := range r.Points {
		for _, model := range r.ModelsOf(Detector) {
			for _, c := range r.attackCategories(r.ModelsOf(Detector)) {
				var rates []float64
				for _, rec := range r.trialsAt(p) {
					if v, ok := r.trialMetric(rec.ID, model, categoryMetric(c)); ok {
						rates = append(rates, v)
					}
				}
				a := index[aggregateKey{pointKey(p), model, categoryMetric(c)}]
				if a == nil {
					t.Fatalf("%s %s %s: no aggregate row", r.PointText(p), model, c)
				}
				s := eval.Summarize(categoryMetric(c), rates, Confidence)
				for _, v := range [][2]float64{{a.Mean, s.Mean}, {a.Lo, s.Lo}, {a.Hi, s.Hi}} {
					if math.Abs(v[0]-v[1]) > 1e-12 {
						t.Errorf("%s %s %s: aggregate %+v, eval.Summarize %+v", r.PointText(p), model, c, a, s)
					}
				}
			}
		}
	}
}
