package tabular

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/datasets/tabular/tabspec"
)

// keySpec maps a table of a timestamp (ignored), a host (categorical),
// bytes (numeric) and a label, keeping the timestamp, host and bytes as
// keys.
func keySpec(path string) Spec {
	return Spec{Files: []string{path}, Keys: []string{"ts", "host", "bytes"}, Mapping: tabspec.Mapping{
		Header:      true,
		Label:       "label",
		Normal:      []string{"normal"},
		Categories:  map[string][]string{"probe": {"scan"}},
		Numeric:     []string{"bytes"},
		Categorical: []string{"host"},
		Ignore:      []string{"ts"},
		Missing:     tabspec.MissingDrop,
	}}
}

// TestReadKeys reads key columns from CSV and Parquet: each row's text,
// trimmed, "" for a missing value (which the policy does not apply to an
// ignored key), the rows the policy drops left out.
func TestReadKeys(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "flows.csv")
	csv := "ts,host,bytes,label\n" +
		" 2017-07-03 08:00:00 ,10.0.0.1,100,normal\n" +
		"NA,10.0.0.2,200,scan\n" + // a missing key that is otherwise ignored: kept as ""
		"2017-07-03 08:02:00,10.0.0.1,,normal\n" + // dropped: bytes missing
		"2017-07-03 08:03:00,10.0.0.3,1.5e3,normal\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	type flow struct {
		TS    *string `parquet:"ts,optional"`
		Host  string  `parquet:"host"`
		Bytes float64 `parquet:"bytes"`
		Label string  `parquet:"label"`
	}
	ts := func(s string) *string { return &s }
	pqPath := writeParquet(t, []flow{
		{ts("2017-07-03 08:00:00"), "10.0.0.1", 100, "normal"},
		{nil, "10.0.0.2", 200, "scan"},
		{ts("2017-07-03 08:03:00"), "10.0.0.3", 1500, "normal"},
	})
	want := map[string][]string{
		"ts":    {"2017-07-03 08:00:00", "", "2017-07-03 08:03:00"},
		"host":  {"10.0.0.1", "10.0.0.2", "10.0.0.3"},
		"bytes": {"100", "200", "1.5e3"},
	}
	for _, path := range []string{csvPath, pqPath} {
		tab, _, err := Read(keySpec(path))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"ts", "host", "bytes"} {
			w := want[k]
			if strings.HasSuffix(path, ".parquet") && k == "bytes" {
				w = []string{"100", "200", "1500"} // a Parquet number in decimal
			}
			if diff := cmp.Diff(w, values(tab.KeyColumn(k))); diff != "" {
				t.Errorf("%s: key %s (-want +got):\n%s", filepath.Ext(path), k, diff)
			}
		}
		if tab.KeyColumn("label") != nil {
			t.Error("a key column that was not asked for")
		}
	}

	// The label, an unmapped column and a repeated key are refused.
	s := keySpec(csvPath)
	s.Keys = []string{"label", "nowhere", "host", "host"}
	_, _, err := Read(s)
	for _, w := range []string{`key column "label" is the label`, `key column "nowhere" is not mapped`, `key column "host" is listed twice`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v, want one saying %s", err, w)
		}
	}
}
