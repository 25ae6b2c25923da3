package featureset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{in: []string{"notebook"}, want: Notebook},
		{in: []string{"raw"}, want: Raw},
		{in: []string{"cpu_usage", "log_bytes", "protocol_encoded"}, want: []string{"cpu_usage", "log_bytes", "protocol_encoded"}},
		{in: []string{"cpu_usage", "cpu_usage"}, wantErr: true},
		{in: []string{"notebook", "cpu_usage"}, wantErr: true},
		{in: []string{"protocol"}, wantErr: true}, // the string column; its encoding is protocol_encoded
		{in: nil, wantErr: true},
	} {
		got, err := Resolve(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("Resolve(%v) error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Resolve(%v) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
	if len(Notebook) != 20 {
		t.Errorf("notebook set has %d columns, want preprocess_for_ml's 20", len(Notebook))
	}
}
