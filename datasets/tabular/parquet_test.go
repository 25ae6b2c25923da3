package tabular

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/datasets/tabular/tabspec"
)

// pqFlow is a row of the Parquet fixtures: every physical type the reader
// takes, and nulls in proto and bytes.
type pqFlow struct {
	Proto *string `parquet:"proto,optional"`
	Bytes *int64  `parquet:"bytes,optional"`
	Dur   float64 `parquet:"dur"`
	Pkts  int32   `parquet:"pkts"`
	CPU   float32 `parquet:"cpu"`
	Night bool    `parquet:"night"`
	Label string  `parquet:"label,dict"`
}

func ptr[T any](v T) *T { return &v }

// writeParquet writes rows to a temporary Parquet file; Parquet fixtures
// are written by the test, as they cannot be written by hand.
func writeParquet[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flows.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func pqSpec(path string) Spec {
	return Spec{Files: []string{path}, Mapping: tabspec.Mapping{
		Label:       "label",
		Normal:      []string{"normal"},
		Categories:  map[string][]string{"probe": {"scan"}},
		Numeric:     []string{"bytes", "dur", "pkts", "cpu", "night"},
		Categorical: []string{"proto"},
	}}
}

var pqRows = []pqFlow{
	{Proto: ptr("tcp"), Bytes: ptr[int64](100), Dur: 1.5, Pkts: 3, CPU: 0.5, Night: true, Label: "normal"},
	{Proto: nil, Bytes: ptr[int64](200), Dur: 2, Pkts: 4, CPU: 0.25, Label: "scan"},
	{Proto: ptr("udp"), Bytes: nil, Dur: 3, Pkts: 5, CPU: 1, Label: "normal"},
	{Proto: ptr("NA"), Bytes: ptr[int64](-7), Dur: 4, Pkts: 6, CPU: 2, Label: "normal"},
}

func TestReadParquet(t *testing.T) {
	path := writeParquet(t, pqRows, parquet.Compression(&parquet.Zstd))

	t.Run("impute", func(t *testing.T) {
		spec := pqSpec(path)
		spec.Missing = tabspec.MissingImpute
		tab, rep, err := Read(spec)
		if err != nil {
			t.Fatal(err)
		}
		wantNum := [][]float64{{100, 200, 100, -7}, {1.5, 2, 3, 4}, {3, 4, 5, 6}, {0.5, 0.25, 1, 2}, {1, 0, 0, 0}}
		if diff := cmp.Diff(wantNum, tab.Numeric); diff != "" {
			t.Errorf("numeric (-want +got):\n%s", diff)
		}
		wantProto := Column{Levels: []string{"missing", "tcp", "udp"}, Codes: []uint32{1, 0, 2, 0}}
		if diff := cmp.Diff(wantProto, tab.Categorical[0]); diff != "" {
			t.Errorf("proto (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]bool{false, true, false, false}, tab.Anomaly); diff != "" {
			t.Errorf("anomaly (-want +got):\n%s", diff)
		}
		wantImp := []Imputation{{"bytes", 1, "100"}, {"proto", 2, "missing"}}
		if diff := cmp.Diff(wantImp, rep.Imputed); diff != "" {
			t.Errorf("imputed (-want +got):\n%s", diff)
		}
		if got, want := tab.Where(2), path+": row 3"; got != want {
			t.Errorf("Where(2) = %q, want %q", got, want)
		}
	})
	t.Run("error", func(t *testing.T) {
		_, _, err := Read(pqSpec(path))
		want := []string{
			path + ": row 2 (proto): missing value (null); Missing: drop or impute accepts missing values",
			path + ": row 3 (bytes): missing value (null); Missing: drop or impute accepts missing values",
			path + `: row 4 (proto): missing value ("NA"); Missing: drop or impute accepts missing values`,
		}
		if err == nil {
			t.Fatal("no error")
		}
		if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
			t.Errorf("error (-want +got):\n%s", diff)
		}
	})
	t.Run("with CSV", func(t *testing.T) {
		type basic struct {
			Proto string  `parquet:"proto"`
			Bytes int64   `parquet:"bytes"`
			Dur   float64 `parquet:"dur"`
			Label string  `parquet:"label"`
		}
		path := writeParquet(t, []basic{{"icmp", 9, 0.5, "flood"}})
		spec := fixtureSpec("basic.csv")
		spec.Files = append([]string{path}, spec.Files...)
		tab, rep, err := Read(spec)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]float64{9, 100, 200, 300, 50}, tab.NumericColumn("bytes")); diff != "" {
			t.Errorf("bytes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"dos", "normal", "probe", "dos", "normal"}, values(&tab.Category)); diff != "" {
			t.Errorf("category (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]FileReport{{path, 1, 1}, {"testdata/basic.csv", 4, 4}}, rep.Files); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})
}

func values(c *Column) []string {
	v := make([]string, c.Len())
	for i := range v {
		v[i] = c.Value(i)
	}
	return v
}

func TestReadParquetErrors(t *testing.T) {
	type nan struct {
		X     float64 `parquet:"x"`
		Label string  `parquet:"label"`
	}
	type text struct {
		X     string `parquet:"x"`
		Label string `parquet:"label"`
	}
	type nested struct {
		X struct {
			Y int64 `parquet:"y"`
		} `parquet:"x"`
		Label string `parquet:"label"`
	}
	spec := func(path string) Spec {
		return Spec{Files: []string{path}, Mapping: tabspec.Mapping{Label: "label", Normal: []string{"normal"}, Numeric: []string{"x"}}}
	}
	nanPath := writeParquet(t, []nan{{1, "normal"}, {math.NaN(), "normal"}, {math.Inf(-1), "normal"}})
	textPath := writeParquet(t, []text{{"1", "normal"}})
	nestedPath := writeParquet(t, []nested{{Label: "normal"}})
	emptyPath := writeParquet(t, []nan{})
	junk := filepath.Join(t.TempDir(), "junk.parquet")
	if err := os.WriteFile(junk, []byte("PAR1 this is not a parquet file PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"NaN and Inf", nanPath, nanPath + ": row 2 (x): non-finite value NaN; NonFinite drop or clip accepts non-finite values\n" + nanPath + ": row 3 (x): non-finite value -Inf; NonFinite drop or clip accepts non-finite values"},
		{"string in a numeric column", textPath, textPath + `: column "x": has type BYTE_ARRAY; a numeric column must be INT32, INT64, FLOAT, DOUBLE or BOOLEAN`},
		{"nested", nestedPath, nestedPath + `: column "x" is a group; only flat columns are read`},
		{"no rows", emptyPath, emptyPath + ": no rows"},
		{"not parquet", junk, junk + ": not a Parquet file: footer of 543517801 bytes in a file of 36"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Read(spec(tc.path))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}
