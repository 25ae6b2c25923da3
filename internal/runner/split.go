package runner

import (
	"errors"
	"fmt"
	"time"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/datasets/tabular"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/timestamps"
)

// splitRows splits n rows at random (split.by random) or into the trial's
// fold (split.by kfold), stratified by labels unless nil. The random
// split is the one every earlier version made, from the same seed.
func splitRows(t *experiments.Trial, labels []int, n int) ([]datasets.Split, error) {
	r := seed.New(seed.Derive(t.DerivedSeed, "split"))
	if t.Spec.Split.By != experiments.SplitKFold {
		return features.TrainTestSplit(n, labels, t.Spec.Split.TestFraction, r)
	}
	fold, err := features.KFold(n, labels, t.Spec.Split.Folds, r)
	if err != nil {
		return nil, err
	}
	split := make([]datasets.Split, n)
	for i, f := range fold {
		split[i] = datasets.Train
		if f == t.Fold-1 {
			split[i] = datasets.Test
		}
	}
	return split, nil
}

// keyed is a table's rows with one key column's text (tabular.Spec.Keys):
// codes[i] is row i's level, where(i) its position for messages.
type keyed struct {
	column string
	levels []string
	codes  []uint32
	where  func(i int) string
}

// rowKeys returns split.column's levels and each of the rows' codes:
// orig[i] is row i's index in tab.
func rowKeys(tab *tabular.Table, column string, orig []int) *keyed {
	c := tab.KeyColumn(column)
	k := &keyed{column: column, levels: c.Levels, codes: make([]uint32, len(orig))}
	for i, o := range orig {
		k.codes[i] = c.Codes[o]
	}
	k.where = func(i int) string { return tab.Where(orig[i]) }
	return k
}

// first returns the first row holding level, for messages.
func (k *keyed) first(level int) int {
	for i, c := range k.codes {
		if int(c) == level {
			return i
		}
	}
	return 0
}

// timeSplit splits the rows by split.column's instants, returning which
// rows fall in the gap, and a note on the sides' time ranges.
func timeSplit(s *experiments.Split, k *keyed) ([]datasets.Split, []bool, string, error) {
	instants, err := timestamps.Parse(k.levels, s.TimeFormat, s.TimeUnit)
	var te *timestamps.Error
	if errors.As(err, &te) {
		return nil, nil, "", fmt.Errorf("split.column %q: %s: %s", k.column, k.where(k.first(te.Index)), te.Msg)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("split.column %q: %w", k.column, err)
	}
	times := make([]int64, len(k.codes))
	for i, c := range k.codes {
		times[i] = instants[c]
	}
	split, dropped, err := features.TimeSplit(times, s.TestFraction, s.Gap)
	if err != nil {
		return nil, nil, "", fmt.Errorf("split by time on %q: %w", k.column, err)
	}
	var lo, hi [3]int64 // by datasets.Split
	seen := [3]bool{}
	for i, t := range times {
		if dropped[i] {
			continue
		}
		side := int(split[i])
		if !seen[side] || t < lo[side] {
			lo[side] = t
		}
		if !seen[side] || t > hi[side] {
			hi[side] = t
		}
		seen[side] = true
	}
	at := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
	train, test := int(datasets.Train), int(datasets.Test)
	note := fmt.Sprintf("split: by time on %q: training %s to %s, test %s to %s", k.column, at(lo[train]), at(hi[train]), at(lo[test]), at(hi[test]))
	return split, dropped, note, nil
}

// groupSplit splits the rows so that no value of split.column is on both
// sides, returning a note on the groups and the test share reached.
func groupSplit(t *experiments.Trial, k *keyed, labels []int) ([]datasets.Split, string, error) {
	groups := make([]int, len(k.codes))
	for i, c := range k.codes {
		if k.levels[c] == "" {
			return nil, "", fmt.Errorf("split.column %q: %s: no value: a group split needs every row's group", k.column, k.where(i))
		}
		groups[i] = int(c)
	}
	split, err := features.GroupSplit(groups, labels, t.Spec.Split.TestFraction, seed.New(seed.Derive(t.DerivedSeed, "split")))
	if err != nil {
		return nil, "", fmt.Errorf("split by group on %q: %w", k.column, err)
	}
	inTest := map[int]bool{}
	nTest := 0
	for i, s := range split {
		if s == datasets.Test {
			inTest[groups[i]] = true
			nTest++
		}
	}
	all := map[int]bool{}
	for _, g := range groups {
		all[g] = true
	}
	note := fmt.Sprintf("split: by group on %q: %d of %d groups in the test side, %d of %d rows (%.4g, aim %g)",
		k.column, len(inTest), len(all), nTest, len(split), float64(nTest)/float64(len(split)), t.Spec.Split.TestFraction)
	return split, note, nil
}
