package datasets

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

// testDataset builds a dataset with every column filled (features are
// computed by internal/features in the pipeline; here any values do).
func testDataset(t testing.TB, n int) *Dataset {
	t.Helper()
	f, err := synth.Generate(synth.Config{Generator: synth.GeneratorNotebook, Flows: n, AnomalyRate: 0.1, AnomalyMix: notebookMix, Difficulty: 0.2}, 11)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engineered{}
	split := make([]Split, n)
	for i := range n {
		e.BytesPerSecond = append(e.BytesPerSecond, f.BytesSent[i]/(f.Duration[i]+1))
		e.PacketsPerSecond = append(e.PacketsPerSecond, float64(i)/3)
		e.HighCPU = append(e.HighCPU, int64(i%2))
		e.LongDuration = append(e.LongDuration, int64(i%3/2))
		e.ManyPorts = append(e.ManyPorts, int64(i%5/4))
		e.OffHours = append(e.OffHours, int64(i%7/6))
		e.RiskScore = append(e.RiskScore, float64(i%11)/10)
		e.LogBytes = append(e.LogBytes, float64(i)*1e-3)
		e.LogDuration = append(e.LogDuration, -float64(i))
		split[i] = Train + Split(i%3/2)
	}
	return &Dataset{Flows: f, Engineered: e, Split: split}
}

func writeDataset(t testing.TB, ds *Dataset) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteDataset(&b, ds); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDatasetRoundTrip(t *testing.T) {
	// More rows than a row group and a batch, and not a multiple of either.
	ds := testDataset(t, RowGroupRows+BatchRows+17)
	raw := writeDataset(t, ds)
	got, err := ReadDataset(bytes.NewReader(raw), int64(len(raw)), "dataset.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ds, got); diff != "" {
		t.Errorf("round trip mismatch (-written +read):\n%.3000s", diff)
	}
	// Write, read, write: the same bytes.
	if again := writeDataset(t, got); !bytes.Equal(raw, again) {
		t.Error("writing the dataset read back gives different bytes")
	}
	// Importing the file as flows reads the flow columns and skips the rest.
	flows, err := readFlowsParquet(bytes.NewReader(raw), int64(len(raw)), "dataset.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ds.Flows, flows); diff != "" {
		t.Errorf("flows import mismatch:\n%.2000s", diff)
	}
}

func TestWriteDatasetDeterministic(t *testing.T) {
	a := writeDataset(t, testDataset(t, 5000))
	b := writeDataset(t, testDataset(t, 5000))
	if !bytes.Equal(a, b) {
		t.Error("the same dataset written twice gives different bytes")
	}
}

func TestWriteDatasetRejectsIncomplete(t *testing.T) {
	ds := testDataset(t, 10)
	ds.Split[3] = Unassigned
	if err := WriteDataset(&bytes.Buffer{}, ds); err == nil {
		t.Error("dataset with an unassigned flow written without error")
	}
	ds = testDataset(t, 10)
	ds.Engineered.RiskScore = ds.Engineered.RiskScore[:9]
	if err := WriteDataset(&bytes.Buffer{}, ds); err == nil {
		t.Error("dataset with a short column written without error")
	}
}

// documentedSchema reads testdata/dataset.schema: name, DuckDB type, pandas dtype.
func documentedSchema(t *testing.T) [][]string {
	t.Helper()
	fh, err := os.Open("testdata/dataset.schema")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var rows [][]string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			rows = append(rows, strings.Fields(l))
		}
	}
	return rows
}

// The file's schema is the documented one (DuckDB's type names; the
// interop script checks DuckDB itself agrees).
func TestDatasetSchemaDocumented(t *testing.T) {
	duckType := func(f parquet.Field) string {
		switch f.Type().Kind() {
		case parquet.Int64:
			return "BIGINT"
		case parquet.Double:
			return "DOUBLE"
		case parquet.Boolean:
			return "BOOLEAN"
		case parquet.ByteArray:
			if lt := f.Type().LogicalType(); lt != nil && lt.String() == "STRING" {
				return "VARCHAR"
			}
			return "BLOB"
		}
		return f.Type().String()
	}
	var got [][]string
	for _, f := range parquet.SchemaOf(record{}).Fields() {
		got = append(got, []string{f.Name(), duckType(f)})
		if f.Optional() || f.Repeated() {
			t.Errorf("column %s is not required", f.Name())
		}
		// String columns are dictionary-encoded, the others plain (the
		// writer's default), through the embedded flow.Flow's tags too.
		if dict := f.Encoding() != nil && f.Encoding().Encoding() == format.RLEDictionary; dict != (duckType(f) == "VARCHAR") {
			t.Errorf("column %s: encoding %v", f.Name(), f.Encoding())
		}
	}
	var want [][]string
	for _, r := range documentedSchema(t) {
		want = append(want, r[:2])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema mismatch (-documented +written):\n%s", diff)
	}
	// Column names are the notebook's.
	var names []string
	for _, r := range want {
		names = append(names, r[0])
	}
	wantNames := append(append([]string{flow.ColFlowID}, flow.FlowColumns...), append(flow.EngineeredColumns, flow.ColSplit)...)
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("column names mismatch (-notebook +documented):\n%s", diff)
	}
}

func TestReadDatasetErrors(t *testing.T) {
	good := writeDataset(t, testDataset(t, 100))
	type other struct {
		FlowID    int64  `parquet:"flow_id"`
		BytesSent string `parquet:"bytes_sent"`
	}
	var wrong bytes.Buffer
	if err := parquet.Write(&wrong, []other{{1, "x"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a Parquet file"},
		{"text", []byte("flow_id,bytes_sent\n1,2\n"), "not a Parquet file"},
		{"truncated", good[:len(good)/2], "not a Parquet file"},
		// A footer length of 2 GiB in a 12-byte file (found by FuzzReadDataset).
		{"footer longer than file", []byte("PAR1\x00\x00\x00\x7aPAR1"), "footer of 2046820352 bytes in a file of 12"},
		// A footer whose schema list claims 500,000,000 elements: parquet-go
		// allocates them before reading one (found by FuzzReadDataset).
		{"footer list bomb", []byte("PAR1\x29\xfc\x80\xca\xb5\xee\x01\x00\x08\x00\x00\x00PAR1"), "list of 500000000 elements"},
		{"other schema", wrong.Bytes(), `column "bytes_sent" has type STRING, want DOUBLE`},
		{"missing columns", wrong.Bytes(), `missing column "src_device_type"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDataset(bytes.NewReader(tc.data), int64(len(tc.data)), "x.parquet")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.parquet: ") {
				t.Errorf("error %v, want one naming the file and containing %q", err, tc.want)
			}
		})
	}
}

// FuzzReadDataset: no input makes the reader panic.
func FuzzReadDataset(f *testing.F) {
	good := writeDataset(f, testDataset(f, 50))
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add(append([]byte("PAR1"), good[len(good)-200:]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadDataset(bytes.NewReader(data), int64(len(data)), "fuzz.parquet")
		if err == nil {
			if err := ds.check(); err != nil {
				t.Errorf("read an invalid dataset without error: %v", err)
			}
		}
	})
}

func BenchmarkWriteDataset1M(b *testing.B) {
	ds := testDataset(b, 1_000_000)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteDataset(&buf, ds); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "file-bytes/flow")
}

func BenchmarkReadDataset1M(b *testing.B) {
	raw := writeDataset(b, testDataset(b, 1_000_000))
	for b.Loop() {
		if _, err := ReadDataset(bytes.NewReader(raw), int64(len(raw)), "b"); err != nil {
			b.Fatal(err)
		}
	}
}
