package datasets

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeSchemaTable checks docs/artifacts.md's dataset.parquet table against
// testdata/dataset.schema, which TestParquetSchema checks against the
// written files and scripts/interop against DuckDB: the documented columns,
// order and types are the real ones.
func TestReadmeSchemaTable(t *testing.T) {
	raw, err := os.ReadFile("../docs/artifacts.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	begin := strings.Index(readme, "<!-- schema:begin -->")
	end := strings.Index(readme, "<!-- schema:end -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/artifacts.md: no <!-- schema:begin --> ... <!-- schema:end --> block")
	}
	var got [][3]string
	for line := range strings.Lines(readme[begin:end]) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue // the marker, the header, the rule
		}
		got = append(got, [3]string{
			strings.Trim(strings.TrimSpace(cells[1]), "`"),
			strings.TrimSpace(cells[2]),
			strings.TrimSpace(cells[3]),
		})
	}
	var want [][3]string
	for _, c := range documentedSchema(t) {
		want = append(want, [3]string{c[0], c[1], c[2]})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/artifacts.md schema table differs from testdata/dataset.schema (-schema +readme):\n%s", diff)
	}
}
