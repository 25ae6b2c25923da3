package eval

import (
	"slices"
	"strings"
	"testing"
)

// TestProducedKnown: every metric a producer writes is in the vocabulary,
// with a description; every name a target may use thus has a range (or
// none), a direction and a label.
func TestProducedKnown(t *testing.T) {
	for p, names := range produced {
		if len(names) == 0 {
			t.Errorf("%s produces nothing", p)
		}
		for _, n := range names {
			if m, ok := Metric(n); !ok || m.Doc == "" {
				t.Errorf("%s produces %q, which the vocabulary does not describe", p, n)
			}
		}
	}
}

// TestVocabularyProduced: every entry of the vocabulary is written by a
// producer, or reached another way (listed here with the way), so that
// the vocabulary holds no metric the harness no longer measures.
func TestVocabularyProduced(t *testing.T) {
	other := map[string]string{
		"threshold":            "as budget_threshold, a detector's operating point",
		"inertia":              "the kmeans kind's own metric (internal/models)",
		"iterations":           "the gradient_boosting kind's own metric (internal/models)",
		"detection_rate_":      "a target's anomaly_type, and the seen/unseen split of table sources",
		"false_positive_rate_": "the false-positive rate of a subset of a table source",
	}
	var all []string
	for _, names := range produced {
		all = append(all, names...)
	}
	for _, m := range vocabulary {
		if _, ok := other[m.Name]; ok {
			continue
		}
		if !slices.Contains(all, m.Name) && !slices.Contains(all, "budget_"+m.Name) {
			t.Errorf("the vocabulary describes %q, which no producer writes", m.Name)
		}
	}
}

// TestIn: a family ("attack_probability_") matches the longer names it
// prefixes (and, as any entry, its own name); other names match exactly.
func TestIn(t *testing.T) {
	names := []string{"risk_level", "attack_probability_"}
	for metric, want := range map[string]bool{
		"risk_level": true, "risk_level_x": false, "attack_probability_crypto_mining": true,
		"attack_probability_": true, "attack_probability": false, "": false,
	} {
		if got := In(metric, names); got != want {
			t.Errorf("In(%q) = %v, want %v", metric, got, want)
		}
	}
}

// TestBudgetMetric: budget_ names take the range and direction of the
// name without the prefix and the budget's label.
func TestBudgetMetric(t *testing.T) {
	m, ok := Metric("budget_false_positive_rate")
	if !ok || m.Better != LowerIsBetter || !m.Bounded || m.Hi != 1 || !strings.Contains(m.Label, "budget") {
		t.Errorf("budget_false_positive_rate: %+v, %v", m, ok)
	}
}
