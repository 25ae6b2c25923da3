package experiments

import (
	"strings"
	"testing"
)

// TestSimulationVolumeBounded: a monitoring simulation that would draw
// more flows than MaxSimulatedFlows (or store more scores than
// MaxStoredScores) is an error at the key, for every sweep value, before
// anything runs.
func TestSimulationVolumeBounded(t *testing.T) {
	base := `name: volume
seeds: [1]
data: {flows: 1000, anomaly_rate: 0.05}
models:
  - {name: rf, kind: random_forest, trees: 5}
monitoring:
`
	for _, tc := range []struct {
		name, monitoring, want string
	}{
		{"ten years at a billion a day", "  period: 3650d\n  window: 1d\n  flows_per_day: 1000000000\n", "more than the 1e+10 a simulation may draw"},
		{"a swept value over the bound", "  period: 3650d\n  window: 1d\n  flows_per_day: [1000, 1000000000]\n", "more than the 1e+10"},
		{"stored scores", "  period: 30d\n  window: 1d\n  flows_per_day: 10000000\n  store_scores: true\n", "with store_scores"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(base+tc.monitoring), "volume.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "volume.yaml:") || !strings.Contains(err.Error(), "monitoring.flows_per_day") {
				t.Errorf("got %v, want an error at monitoring.flows_per_day saying %q", err, tc.want)
			}
		})
	}
	ok := base + "  period: 7d\n  window: 1h\n  flows_per_day: 1000000\n"
	if _, err := Parse([]byte(ok), "volume.yaml"); err != nil {
		t.Errorf("a week of a million flows a day: %v", err)
	}
}
