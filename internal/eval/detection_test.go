package eval

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDetectionByType(t *testing.T) {
	for _, tc := range []struct {
		name    string
		types   []string
		flagged []bool
		want    []TypeRate
	}{
		{
			// By hand; the flagged normal flow counts nowhere.
			name:    "three types",
			types:   []string{"normal", "crypto_mining", "lateral_movement", "crypto_mining", "data_exfiltration", "normal", "lateral_movement", "crypto_mining"},
			flagged: bools(1, 1, 0, 1, 1, 0, 1, 0),
			want: []TypeRate{
				{Type: "crypto_mining", Detected: 2, Total: 3, Rate: 2.0 / 3},
				{Type: "data_exfiltration", Detected: 1, Total: 1, Rate: 1},
				{Type: "lateral_movement", Detected: 1, Total: 2, Rate: 0.5},
			},
		},
		{
			name:    "none detected",
			types:   []string{"port_scan", "port_scan"},
			flagged: bools(0, 0),
			want:    []TypeRate{{Type: "port_scan", Total: 2}},
		},
		{
			name:    "normal flows only",
			types:   []string{"normal", "normal"},
			flagged: bools(1, 0),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DetectionByType(tc.types, tc.flagged)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-12), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("DetectionByType() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectionByTypePanics(t *testing.T) {
	wantPanic(t, func() { DetectionByType([]string{"normal"}, bools(1, 0)) })
}
