package tabular

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/datasets/tabular/tabspec"
)

// FuzzRead reads arbitrary bytes as a CSV file (or, when gz, as a
// gzip-compressed one) with fixtureSpec under each missing-value policy.
// Read must not panic; it returns a table or an error, never both, and a
// table is consistent.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.csv*"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		gz := filepath.Ext(s) == ".gz"
		for p := range uint8(9) {
			f.Add(b, p, gz)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, policy uint8, gz bool) {
		name := "f.csv"
		if gz {
			name += ".gz"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		spec := fixtureSpec()
		spec.Files = []string{path}
		spec.Keys = []string{"proto", "bytes"}
		spec.Missing = []string{tabspec.MissingError, tabspec.MissingDrop, tabspec.MissingImpute}[policy%3]
		spec.NonFinite = tabspec.NonFinitePolicies[policy/3%3]
		tab, rep, err := Read(spec)
		if err != nil {
			if tab != nil || rep != nil {
				t.Fatal("a table or report with an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T without problems: %v", err, err)
			}
			return
		}
		checkTable(t, tab)
		if rep.Rows != tab.Rows || rep.Files[0].Kept != tab.Rows {
			t.Fatalf("report %v for %d rows", rep, tab.Rows)
		}
	})
}

// checkTable fails t unless every column of tab has tab.Rows entries,
// codes are in range, levels sorted and distinct, and numbers finite.
func checkTable(t *testing.T, tab *Table) {
	t.Helper()
	if tab.Rows == 0 {
		t.Fatal("a table without rows")
	}
	cols := append(slices.Concat(tab.Categorical, tab.Keys), tab.Label, tab.Category)
	for _, c := range cols {
		if c.Len() != tab.Rows {
			t.Fatalf("a column of %d rows in a table of %d", c.Len(), tab.Rows)
		}
		if !slices.IsSorted(c.Levels) || len(slices.Compact(slices.Clone(c.Levels))) != len(c.Levels) {
			t.Fatalf("levels %q not sorted and distinct", c.Levels)
		}
		for _, code := range c.Codes {
			if int(code) >= len(c.Levels) {
				t.Fatalf("code %d of %d levels", code, len(c.Levels))
			}
		}
	}
	for j, col := range tab.Numeric {
		if len(col) != tab.Rows {
			t.Fatalf("numeric column %s has %d rows, want %d", tab.NumericNames[j], len(col), tab.Rows)
		}
		for _, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("numeric column %s holds %v", tab.NumericNames[j], v)
			}
		}
	}
	if len(tab.Anomaly) != tab.Rows || len(tab.Source) != tab.Rows {
		t.Fatalf("%d anomaly flags, %d sources for %d rows", len(tab.Anomaly), len(tab.Source), tab.Rows)
	}
	for i, a := range tab.Anomaly {
		if a != (tab.Category.Value(i) != tabspec.NormalCategory) {
			t.Fatalf("row %d: anomaly %v, category %s", i, a, tab.Category.Value(i))
		}
	}
}

// FuzzReadParquet reads arbitrary bytes as a Parquet file with pqSpec.
// Read must not panic and must not allocate without bound.
func FuzzReadParquet(f *testing.F) {
	for _, c := range []parquet.WriterOption{
		parquet.Compression(&parquet.Uncompressed), parquet.Compression(&parquet.Snappy), parquet.Compression(&parquet.Zstd),
	} {
		b, err := os.ReadFile(writeParquet(f, pqRows, c))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		spec := pqSpec(path)
		spec.Keys = []string{"proto", "dur"}
		spec.Missing = tabspec.MissingImpute
		tab, rep, err := Read(spec)
		if err != nil {
			if tab != nil || rep != nil {
				t.Fatal("a table or report with an error")
			}
			return
		}
		checkTable(t, tab)
	})
}
