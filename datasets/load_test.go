package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/internal/flow"
)

// parityCSV is the notebook's own 10,000 flows (np.random.seed(42)) with its
// engineered features, exported by pandas' to_csv; see its README.md.
const parityCSV = "../../shared/parity/notebook-flows-10k.csv.gz"

// readParityText returns the decompressed text of parityCSV.
func readParityText(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile(parityCSV)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func loadFlows(t testing.TB, path, format string) *flow.Table {
	t.Helper()
	f, err := Load(path, format)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeTempFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testRow returns a table row of the given values, in file column order.
func testRow(srcDevice, srcDept, dstDevice, dstDept, protocol string, bytes float64, packets int64, duration float64,
	hour int64, businessHours bool, cpu float64, ports int64, same, cross, anomaly bool, anomalyType string) flowRow {
	return flowRow{
		Flow: flow.Flow{
			SrcDeviceType: srcDevice, SrcDepartment: srcDept, DstDeviceType: dstDevice, DstDepartment: dstDept,
			Protocol: protocol, BytesSent: bytes, PacketsSent: packets, Duration: duration, Hour: hour,
			IsBusinessHours: businessHours, CPUUsage: cpu, PortsContacted: ports,
		},
		SameDept: same, CrossDept: cross, IsAnomaly: anomaly, AnomalyType: anomalyType,
	}
}

func TestLoadParityCSV(t *testing.T) {
	f := loadFlows(t, parityCSV, "")
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	// Counts from ../../shared/parity/README.md ("500 anomalies: 314
	// crypto_mining, 186 lateral_movement"), which the CSV's is_anomaly and
	// anomaly_type columns agree with.
	if f.Len() != 10000 {
		t.Fatalf("%d flows, want 10000", f.Len())
	}
	anomalies := 0
	for _, a := range f.IsAnomaly {
		if a {
			anomalies++
		}
	}
	if anomalies != 500 {
		t.Errorf("%d anomalies, want 500", anomalies)
	}
	types := map[string]int{}
	for i := range f.Len() {
		types[f.AnomalyType.Value(i)]++
	}
	wantTypes := map[string]int{flow.Normal: 9500, flow.CryptoMining: 314, flow.LateralMovement: 186}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("anomaly types mismatch (-README +loaded):\n%s", diff)
	}
	// The notebook's levels, in its order: no value outside them.
	for _, c := range []struct {
		name   string
		col    *flow.Categorical
		levels []string
	}{
		{flow.ColSrcDeviceType, &f.SrcDeviceType, flow.DeviceTypes},
		{flow.ColSrcDepartment, &f.SrcDepartment, flow.Departments},
		{flow.ColDstDeviceType, &f.DstDeviceType, flow.DeviceTypes},
		{flow.ColDstDepartment, &f.DstDepartment, flow.Departments},
		{flow.ColProtocol, &f.Protocol, flow.Protocols},
		{flow.ColAnomalyType, &f.AnomalyType, flow.AnomalyTypes},
	} {
		if diff := cmp.Diff(c.levels, c.col.Levels); diff != "" {
			t.Errorf("%s levels mismatch (-notebook +loaded):\n%s", c.name, diff)
		}
	}

	// Rows copied by hand from the CSV text: lines 2, 3 and 10001 (flows 0,
	// 1 and 9999). Parsing is exact, so floats must be the float64 nearest
	// the decimal text, which is what the Go literal denotes: == is right here.
	for _, tc := range []struct {
		flow int
		want flowRow
	}{
		{0, testRow("web_server", "it", "database", "it", "TCP", 1449.5976181807548, 1, 1.2479584799483172, 20, false, 7.021030569613053, 2, true, false, false, flow.Normal)},
		{1, testRow("web_server", "executive", "iot", "hr", "TCP", 1180032.7246837923, 1, 11827.421460107034, 20, false, 80.39041351094095, 10, false, true, true, flow.CryptoMining)},
		{9999, testRow("mobile", "engineering", "database", "engineering", "TCP", 700.8194049194256, 0, 173.93322519778545, 5, false, 4.9685028454874915, 2, true, false, false, flow.Normal)},
	} {
		if diff := cmp.Diff(tc.want, rowAt(f, tc.flow)); diff != "" {
			t.Errorf("flow %d mismatch (-CSV text +loaded):\n%s", tc.flow, diff)
		}
	}

	// Every row against encoding/csv and strconv directly.
	records, err := csv.NewReader(bytes.NewReader(readParityText(t))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 10001 {
		t.Fatalf("%d records in the CSV, want a header and 10000 rows", len(records))
	}
	col := map[string]int{}
	for j, h := range records[0] {
		col[h] = j
	}
	mustFloat := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	mustInt := func(s string) int64 {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, rec := range records[1:] {
		v := func(name string) string { return rec[col[name]] }
		want := testRow(
			v(flow.ColSrcDeviceType), v(flow.ColSrcDepartment), v(flow.ColDstDeviceType), v(flow.ColDstDepartment), v(flow.ColProtocol),
			mustFloat(v(flow.ColBytesSent)), mustInt(v(flow.ColPacketsSent)), mustFloat(v(flow.ColDuration)), mustInt(v(flow.ColHour)),
			v(flow.ColIsBusinessHours) == "True", mustFloat(v(flow.ColCPUUsage)), mustInt(v(flow.ColPortsContacted)),
			v(flow.ColSameDept) == "True", v(flow.ColCrossDept) == "True", v(flow.ColIsAnomaly) == "True", v(flow.ColAnomalyType),
		)
		if diff := cmp.Diff(want, rowAt(f, i)); diff != "" {
			t.Fatalf("flow %d mismatch (-encoding/csv +loaded):\n%s", i, diff)
		}
	}
}

// The same flows load from plain text, from a gzip copy, and from a gzip
// copy whose name does not say so: gzip is recognised by its magic bytes.
func TestLoadGzip(t *testing.T) {
	text := readParityText(t)
	gz := gzipBytes(t, text)
	want := loadFlows(t, writeTempFile(t, "flows.csv", text), "")
	for _, tc := range []struct {
		name, file, format string
		data               []byte
	}{
		{"gzip copy", "flows.csv.gz", "", gz},
		{"gzip named .csv", "flows.csv", "", gz},
		{"plain named .csv.gz", "flows.csv.gz", "", text},
		{"gzip with declared format", "flows.data", flow.FormatCSV, gz},
		{"original file", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := parityCSV
			if tc.data != nil {
				path = writeTempFile(t, tc.file, tc.data)
			}
			got := loadFlows(t, path, tc.format)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-plain +%s):\n%.2000s", tc.name, diff)
			}
		})
	}
}

func TestInferFormat(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"flows.csv", flow.FormatCSV},
		{"dir/FLOWS.CSV", flow.FormatCSV},
		{"flows.csv.gz", flow.FormatCSV},
		{"flows.csv.GZ", flow.FormatCSV},
		{"dataset.parquet", flow.FormatParquet},
		{"dataset.pq", flow.FormatParquet},
		{"dataset.parquet.gz", flow.FormatParquet},
		{"flows.tsv", ""},
		{"flows.gz", ""},
		{"flows", ""},
		{"flows.csv/data", ""},
		{"", ""},
	} {
		if got := InferFormat(tc.path); got != tc.want {
			t.Errorf("InferFormat(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

// A Parquet file written by WriteDataset loads back, flow for flow, whether
// the format is declared or inferred from .parquet or .pq.
func TestLoadParquet(t *testing.T) {
	flows := loadFlows(t, parityCSV, "")
	n := flows.Len()
	e := &Engineered{
		BytesPerSecond: make([]float64, n), PacketsPerSecond: make([]float64, n),
		HighCPU: make([]int64, n), LongDuration: make([]int64, n), ManyPorts: make([]int64, n),
		OffHours: make([]int64, n), RiskScore: make([]float64, n), LogBytes: make([]float64, n),
		LogDuration: make([]float64, n),
	}
	split := make([]Split, n)
	for i := range split {
		split[i] = Train + Split(i%2)
	}
	var b bytes.Buffer
	if err := WriteDataset(&b, &Dataset{Flows: flows, Engineered: e, Split: split}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, format string }{
		{"dataset.parquet", ""},
		{"dataset.pq", ""},
		{"dataset.bin", flow.FormatParquet},
		{"dataset.parquet.gz", ""}, // gzip around Parquet is sniffed too
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := b.Bytes()
			if strings.HasSuffix(tc.file, ".gz") {
				data = gzipBytes(t, data)
			}
			got := loadFlows(t, writeTempFile(t, tc.file, data), tc.format)
			if diff := cmp.Diff(flows, got); diff != "" {
				t.Errorf("mismatch (-written +loaded):\n%.2000s", diff)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	header := strings.Join(flow.FlowColumns, ",") + "\n"
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	headerOnly := write("header.csv", []byte(header))
	emptyParquet := func() string {
		var b bytes.Buffer
		if err := WriteDataset(&b, &Dataset{Flows: flow.New(0), Engineered: &Engineered{}}); err != nil {
			t.Fatal(err)
		}
		return write("empty.parquet", b.Bytes())
	}()
	flowsTxt := write("flows.txt", []byte(header))
	corruptGzip := write("bad.csv.gz", []byte("\x1f\x8bnot gzip"))
	truncatedGzip := write("cut.csv.gz", gzipBytes(t, []byte(header))[:20])
	badChecksum := func() string {
		gz := gzipBytes(t, []byte(header))
		gz[len(gz)-5] ^= 1 // a bit of the CRC-32 in the trailer
		return write("crc.csv.gz", gz)
	}()
	for _, tc := range []struct {
		name, path, format, want string
	}{
		{"unknown extension", flowsTxt, "", flowsTxt + ": cannot tell the format from the file name; declare format: csv or parquet"},
		{"unknown format", flowsTxt, "json", flowsTxt + `: unknown format "json" (want csv or parquet)`},
		{"format names are lower case", headerOnly, "CSV", headerOnly + `: unknown format "CSV" (want csv or parquet)`},
		{"header only", headerOnly, "", headerOnly + ": no flows"},
		{"Parquet without rows", emptyParquet, "", emptyParquet + ": no flows"},
		{"CSV read as Parquet", headerOnly, flow.FormatParquet, headerOnly + ": not a Parquet file: no PAR1 magic bytes at both ends"},
		{"corrupt gzip", corruptGzip, "", corruptGzip + ": gzip: invalid header"},
		{"truncated gzip", truncatedGzip, "", truncatedGzip + ": decompressing: unexpected EOF"},
		{"gzip checksum", badChecksum, "", badChecksum + ": decompressing: gzip: invalid checksum"},
		{"missing file", filepath.Join(dir, "absent.csv"), "", "open " + filepath.Join(dir, "absent.csv") + ": no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Load(tc.path, tc.format)
			if err == nil {
				t.Fatalf("loaded %d flows, want error %q", f.Len(), tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n\t%s\nwant\n\t%s", err, tc.want)
			}
		})
	}
}

// goodRow is a valid row for the header strings.Join(flow.FlowColumns, ","). Its
// fields start at these 1-based byte columns: src_device_type 1,
// src_department 13, dst_device_type 24, dst_department 31, protocol 34,
// bytes_sent 38, packets_sent 45, duration 48, hour 52, is_business_hours
// 54, cpu_usage 59, ports_contacted 64, same_dept 66, cross_dept 72,
// is_anomaly 77, anomaly_type 83.
const goodRow = "workstation,accounting,server,hr,TCP,1000.5,10,2.5,9,True,30.0,2,False,True,False,normal"

// withField returns goodRow with the field of column col replaced by value.
func withField(col, value string) string {
	fields := strings.Split(goodRow, ",")
	for j, c := range flow.FlowColumns {
		if c == col {
			fields[j] = value
		}
	}
	return strings.Join(fields, ",")
}

// schemaList ends the message for unknown columns.
const schemaList = "(the harness's schema has src_device_type, src_department, dst_device_type, dst_department, protocol, bytes_sent, packets_sent, duration, hour, is_business_hours, cpu_usage, ports_contacted, same_dept, cross_dept, is_anomaly, anomaly_type; flow_id, split and the engineered columns are accepted and ignored)"

func TestReadCSVErrors(t *testing.T) {
	header := strings.Join(flow.FlowColumns, ",")
	// The positions in want were worked out by hand from the input text
	// (see goodRow); Field is the column named in the message.
	for _, tc := range []struct {
		name      string
		in        string
		want      string
		line, col int
		field     string
		is        error // wrapped by the error; nil: not ErrMissingValue
	}{
		// Header problems.
		{name: "empty file", in: "",
			want: "in.csv:1: empty file: want a header row", line: 1},
		{name: "only blank lines", in: "\n\n\n",
			want: "in.csv:1: empty file: want a header row", line: 1},
		{name: "missing column", in: strings.Replace(header, ",hour", "", 1) + "\n",
			want: "in.csv:1: missing columns hour", line: 1},
		{name: "missing columns", in: strings.NewReplacer(",hour", "", ",anomaly_type", "").Replace(header) + "\n",
			want: "in.csv:1: missing columns hour, anomaly_type", line: 1},
		{name: "unknown column", in: header + ",colour\n" + goodRow + ",red\n",
			want: `in.csv:1: unknown columns "colour" ` + schemaList, line: 1},
		{name: "unknown and missing columns", in: strings.Replace(header, "hour", "hour_of_day", 1) + "\n",
			want: `in.csv:1: unknown columns "hour_of_day" ` + schemaList, line: 1},
		// pandas' to_csv writes its index as an unnamed first column.
		{name: "pandas index column", in: "," + header + "\n0," + goodRow + "\n",
			want: `in.csv:1: unknown columns "" ` + schemaList + "; a column without a name is usually the index pandas writes unless to_csv(..., index=False)", line: 1},
		{name: "header after blank lines", in: "\n\n" + header + ",colour\n",
			want: `in.csv:3: unknown columns "colour" ` + schemaList, line: 3},
		// The duplicate starts after the header's 197 bytes and a comma.
		{name: "duplicate column", in: header + ",bytes_sent\n",
			want: `in.csv:1:199: column "bytes_sent" appears twice`, line: 1, col: 199},
		{name: "duplicate ignored column", in: "split,split," + header + "\n",
			want: `in.csv:1:7: column "split" appears twice`, line: 1, col: 7},

		// CSV framing, reported by encoding/csv.
		{name: "extra field", in: header + "\n" + goodRow + "\n" + goodRow + ",x\n",
			want: "in.csv:3:1: wrong number of fields: the row has 17 fields, the header 16", line: 3, col: 1, is: csv.ErrFieldCount},
		{name: "missing field", in: header + "\n" + strings.TrimSuffix(goodRow, ",normal") + "\n",
			want: "in.csv:2:1: wrong number of fields: the row has 15 fields, the header 16", line: 2, col: 1, is: csv.ErrFieldCount},
		{name: "bare quote", in: header + "\n" + withField(flow.ColSrcDepartment, `acc"ounting`) + "\n",
			want: `in.csv:2:16: bare " in non-quoted-field`, line: 2, col: 16, is: csv.ErrBareQuote},
		// The quoted field opened at 3:83 runs to the end of the input.
		{name: "unterminated quote", in: header + "\n" + goodRow + "\n" + withField(flow.ColAnomalyType, `"normal`) + "\n",
			want: `in.csv:3:91: extraneous or missing " in quoted-field`, line: 3, col: 91, is: csv.ErrQuote},
		// The quoted field opened at 3:13 runs on until the quote at 6:14,
		// which a comma does not follow.
		{name: "quote runs on", in: header + "\n" + goodRow + "\n" + withField(flow.ColSrcDepartment, `"acc`) + "\n" + goodRow + "\n" + goodRow + "\n" + withField(flow.ColSrcDepartment, `x"y`) + "\n",
			want: `in.csv:6:14: extraneous or missing " in quoted-field (in the record that starts on line 3)`, line: 6, col: 14, is: csv.ErrQuote},

		// Values that do not parse.
		{name: "bad bool", in: header + "\n" + withField(flow.ColIsBusinessHours, "yes") + "\n",
			want: `in.csv:2:54: column "is_business_hours": "yes" is not a boolean (want True or False)`, line: 2, col: 54, field: flow.ColIsBusinessHours},
		{name: "bool with space", in: header + "\n" + withField(flow.ColSameDept, " False") + "\n",
			want: `in.csv:2:66: column "same_dept": " False" is not a boolean (want True or False)`, line: 2, col: 66, field: flow.ColSameDept},
		{name: "bad int", in: header + "\n" + withField(flow.ColPacketsSent, "ten") + "\n",
			want: `in.csv:2:45: column "packets_sent": "ten" is not an integer`, line: 2, col: 45, field: flow.ColPacketsSent},
		{name: "fractional int", in: header + "\n" + withField(flow.ColHour, "9.5") + "\n",
			want: `in.csv:2:52: column "hour": "9.5" is not an integer`, line: 2, col: 52, field: flow.ColHour},
		{name: "NaN int", in: header + "\n" + withField(flow.ColPortsContacted, "NaN") + "\n",
			want: `in.csv:2:64: column "ports_contacted": "NaN" is not an integer`, line: 2, col: 64, field: flow.ColPortsContacted},
		{name: "int beyond 2^53 as float", in: header + "\n" + withField(flow.ColPacketsSent, "1e16") + "\n",
			want: `in.csv:2:45: column "packets_sent": "1e16" is not an integer`, line: 2, col: 45, field: flow.ColPacketsSent},
		{name: "int overflow", in: header + "\n" + withField(flow.ColPacketsSent, "9223372036854775808") + "\n",
			want: `in.csv:2:45: column "packets_sent": "9223372036854775808" is not an integer`, line: 2, col: 45, field: flow.ColPacketsSent},
		{name: "bad float", in: header + "\n" + withField(flow.ColDuration, "2.5s") + "\n",
			want: `in.csv:2:48: column "duration": "2.5s" is not a number`, line: 2, col: 48, field: flow.ColDuration},
		// strconv.ParseFloat's range error (the value rounds to +Inf).
		{name: "float overflow", in: header + "\n" + withField(flow.ColBytesSent, "1e400") + "\n",
			want: `in.csv:2:38: column "bytes_sent": "1e400" is out of the range of a 64-bit float`, line: 2, col: 38, field: flow.ColBytesSent},
		{name: "empty string field", in: header + "\n" + withField(flow.ColSrcDeviceType, "") + "\n",
			want: `in.csv:2:1: column "src_device_type": missing value`, line: 2, col: 1, field: flow.ColSrcDeviceType, is: ErrMissingValue},
		{name: "empty quoted field", in: header + "\n" + withField(flow.ColProtocol, `""`) + "\n",
			want: `in.csv:2:34: column "protocol": missing value`, line: 2, col: 34, field: flow.ColProtocol, is: ErrMissingValue},
		{name: "empty numeric field", in: header + "\n" + withField(flow.ColCPUUsage, "") + "\n",
			want: `in.csv:2:59: column "cpu_usage": missing value`, line: 2, col: 59, field: flow.ColCPUUsage, is: ErrMissingValue},
		{name: "empty label", in: header + "\n" + withField(flow.ColAnomalyType, "") + "\n",
			want: `in.csv:2:83: column "anomaly_type": missing value`, line: 2, col: 83, field: flow.ColAnomalyType, is: ErrMissingValue},
		// The first bad field of a row is the one reported.
		{name: "two bad fields", in: header + "\n" + strings.Replace(withField(flow.ColHour, "x"), "2.5", "y", 1) + "\n",
			want: `in.csv:2:48: column "duration": "y" is not a number`, line: 2, col: 48, field: flow.ColDuration},

		// Values outside the schema (Flows.Check's rules).
		{name: "NaN float", in: header + "\n" + withField(flow.ColBytesSent, "NaN") + "\n",
			want: `in.csv:2:38: column "bytes_sent": NaN is not a finite number`, line: 2, col: 38, field: flow.ColBytesSent},
		{name: "Inf float", in: header + "\n" + withField(flow.ColDuration, "Inf") + "\n",
			want: `in.csv:2:48: column "duration": +Inf is not a finite number`, line: 2, col: 48, field: flow.ColDuration},
		{name: "-Inf float", in: header + "\n" + withField(flow.ColDuration, "-inf") + "\n",
			want: `in.csv:2:48: column "duration": -Inf is negative`, line: 2, col: 48, field: flow.ColDuration},
		{name: "negative bytes", in: header + "\n" + withField(flow.ColBytesSent, "-1") + "\n",
			want: `in.csv:2:38: column "bytes_sent": -1 is negative`, line: 2, col: 38, field: flow.ColBytesSent},
		{name: "negative packets", in: header + "\n" + withField(flow.ColPacketsSent, "-2") + "\n",
			want: `in.csv:2:45: column "packets_sent": -2 is negative`, line: 2, col: 45, field: flow.ColPacketsSent},
		{name: "hour 24", in: header + "\n" + withField(flow.ColHour, "24") + "\n",
			want: `in.csv:2:52: column "hour": 24 is outside 0..23`, line: 2, col: 52, field: flow.ColHour},
		{name: "negative hour", in: header + "\n" + withField(flow.ColHour, "-1") + "\n",
			want: `in.csv:2:52: column "hour": -1 is outside 0..23`, line: 2, col: 52, field: flow.ColHour},
		{name: "CPU above 100", in: header + "\n" + withField(flow.ColCPUUsage, "100.5") + "\n",
			want: `in.csv:2:59: column "cpu_usage": 100.5 is outside 0..100`, line: 2, col: 59, field: flow.ColCPUUsage},
		{name: "NaN CPU", in: header + "\n" + withField(flow.ColCPUUsage, "nan") + "\n",
			want: `in.csv:2:59: column "cpu_usage": NaN is not a finite number`, line: 2, col: 59, field: flow.ColCPUUsage},
		{name: "negative ports", in: header + "\n" + withField(flow.ColPortsContacted, "-3") + "\n",
			want: `in.csv:2:64: column "ports_contacted": -3 is negative`, line: 2, col: 64, field: flow.ColPortsContacted},
		{name: "anomaly labelled normal", in: header + "\n" + withField(flow.ColIsAnomaly, "True") + "\n",
			want: `in.csv:2:77: column "is_anomaly": true disagrees with anomaly_type "normal" (is_anomaly is false exactly for "normal")`, line: 2, col: 77, field: flow.ColIsAnomaly},
		{name: "normal flow with anomaly type", in: header + "\n" + withField(flow.ColAnomalyType, flow.CryptoMining) + "\n",
			want: `in.csv:2:77: column "is_anomaly": false disagrees with anomaly_type "crypto_mining" (is_anomaly is false exactly for "normal")`, line: 2, col: 77, field: flow.ColIsAnomaly},
		// Labels are case-sensitive: "Normal" is an anomaly type of its own.
		{name: "capitalised normal", in: header + "\n" + withField(flow.ColAnomalyType, "Normal") + "\n",
			want: `in.csv:2:77: column "is_anomaly": false disagrees with anomaly_type "Normal" (is_anomaly is false exactly for "normal")`, line: 2, col: 77, field: flow.ColIsAnomaly},

		// Positions after the first data row.
		{name: "error on a later line", in: header + "\n" + goodRow + "\n" + goodRow + "\n" + withField(flow.ColHour, "25") + "\n",
			want: `in.csv:4:52: column "hour": 25 is outside 0..23`, line: 4, col: 52, field: flow.ColHour},
		// A quoted field spanning lines 2-3 moves the next row to line 4.
		{name: "after a multi-line field", in: header + "\n" + withField(flow.ColSrcDeviceType, "\"work\nstation\"") + "\n" + withField(flow.ColHour, "25") + "\n",
			want: `in.csv:4:52: column "hour": 25 is outside 0..23`, line: 4, col: 52, field: flow.ColHour},
		{name: "within a multi-line row", in: header + "\n" + strings.Replace(withField(flow.ColSrcDeviceType, "\"work\nstation\""), "TCP", "", 1) + "\n",
			want: `in.csv:3:31: column "protocol": missing value`, line: 3, col: 31, field: flow.ColProtocol, is: ErrMissingValue},
		{name: "CRLF", in: header + "\r\n" + goodRow + "\r\n" + withField(flow.ColHour, "25") + "\r\n",
			want: `in.csv:3:52: column "hour": 25 is outside 0..23`, line: 3, col: 52, field: flow.ColHour},
		// Columns count bytes after the byte-order mark, which only the
		// header line holds.
		{name: "BOM", in: "\ufeff" + header + "\n" + withField(flow.ColHour, "25") + "\n",
			want: `in.csv:2:52: column "hour": 25 is outside 0..23`, line: 2, col: 52, field: flow.ColHour},
		{name: "reordered columns", in: "anomaly_type,hour," + strings.NewReplacer(",hour", "", ",anomaly_type", "").Replace(header) + "\n" +
			"normal,-4," + strings.Replace(strings.TrimSuffix(goodRow, ",normal"), ",9,", ",", 1) + "\n",
			want: `in.csv:2:8: column "hour": -4 is outside 0..23`, line: 2, col: 8, field: flow.ColHour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ReadCSV(strings.NewReader(tc.in), "in.csv")
			if err == nil {
				t.Fatalf("read %d flows, want error %q", f.Len(), tc.want)
			}
			if f != nil {
				t.Errorf("flows returned with the error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n\t%s\nwant\n\t%s", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T, want *ParseError", err)
			}
			if pe.File != "in.csv" || pe.Line != tc.line || pe.Column != tc.col || pe.Field != tc.field {
				t.Errorf("ParseError{File: %q, Line: %d, Column: %d, Field: %q}, want {%q, %d, %d, %q}",
					pe.File, pe.Line, pe.Column, pe.Field, "in.csv", tc.line, tc.col, tc.field)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error does not wrap %q", tc.is)
			}
			if tc.is == nil && errors.Is(err, ErrMissingValue) {
				t.Errorf("error wraps %q", ErrMissingValue)
			}
		})
	}
}

// Inputs ReadCSV accepts, and the first flow it reads from each.
func TestReadCSVAccepts(t *testing.T) {
	header := strings.Join(flow.FlowColumns, ",")
	good := rowAt(mustReadCSV(t, header+"\n"+goodRow+"\n"), 0)
	with := func(change func(*flowRow)) flowRow {
		r := good
		change(&r)
		return r
	}
	if want := (testRow("workstation", "accounting", "server", "hr", "TCP", 1000.5, 10, 2.5, 9, true, 30, 2, false, true, false, flow.Normal)); good != want {
		t.Fatalf("goodRow read as %+v, want %+v", good, want)
	}
	engineered := strings.Join(flow.EngineeredColumns, ",")
	for _, tc := range []struct {
		name string
		in   string
		want flowRow
	}{
		{"no final newline", header + "\n" + goodRow, good},
		{"BOM", "\ufeff" + header + "\n" + goodRow + "\n", good},
		{"CRLF", header + "\r\n" + goodRow + "\r\n", good},
		{"BOM and CRLF", "\ufeff" + header + "\r\n" + goodRow + "\r\n", good},
		{"blank lines", "\n" + header + "\n\n" + goodRow + "\n\n", good},
		{"quoted fields", header + "\n" + strings.NewReplacer("workstation", `"workstation"`, "1000.5", `"1000.5"`, "True", `"True"`).Replace(goodRow) + "\n", good},
		// pandas writes an integer column that held NaN as floats.
		{"integers written as floats", header + "\n" + withField(flow.ColHour, "12.0") + "\n", with(func(r *flowRow) { r.Hour = 12 })},
		{"integer in exponent form", header + "\n" + withField(flow.ColPacketsSent, "1e3") + "\n", with(func(r *flowRow) { r.PacketsSent = 1000 })},
		{"negative zero integer", header + "\n" + withField(flow.ColPortsContacted, "-0.0") + "\n", with(func(r *flowRow) { r.PortsContacted = 0 })},
		{"lower-case booleans", header + "\n" + strings.NewReplacer("True", "true", "False", "false").Replace(goodRow) + "\n", good},
		{"upper-case booleans", header + "\n" + strings.NewReplacer("True", "TRUE", "False", "FALSE").Replace(goodRow) + "\n", good},
		{"0/1 booleans", header + "\n" + strings.NewReplacer("True", "1", "False", "0").Replace(goodRow) + "\n", good},
		{"float without fraction", header + "\n" + withField(flow.ColBytesSent, "1000") + "\n", with(func(r *flowRow) { r.BytesSent = 1000 })},
		{"float in exponent form", header + "\n" + withField(flow.ColDuration, "2.5e-3") + "\n", with(func(r *flowRow) { r.Duration = 0.0025 })},
		{"CPU bounds", header + "\n" + withField(flow.ColCPUUsage, "100") + "\n", with(func(r *flowRow) { r.CPUUsage = 100 })},
		{"hour bounds", header + "\n" + withField(flow.ColHour, "0") + "\n", with(func(r *flowRow) { r.Hour = 0 })},
		// Categories are not limited to the notebook's levels: external
		// data may have its own device types and anomaly types.
		{"new device type", header + "\n" + withField(flow.ColSrcDeviceType, "laptop") + "\n", with(func(r *flowRow) { r.SrcDeviceType = "laptop" })},
		{"new anomaly type", header + "\n" + strings.Replace(withField(flow.ColAnomalyType, "ransomware"), "False,ransomware", "True,ransomware", 1) + "\n",
			with(func(r *flowRow) { r.IsAnomaly, r.AnomalyType = true, "ransomware" })},
		{"category with comma", header + "\n" + withField(flow.ColSrcDepartment, `"r,d"`) + "\n", with(func(r *flowRow) { r.SrcDepartment = "r,d" })},
		{"reordered columns", "anomaly_type,hour," + strings.NewReplacer(",hour", "", ",anomaly_type", "").Replace(header) + "\n" +
			"normal,9," + strings.Replace(strings.TrimSuffix(goodRow, ",normal"), ",9,", ",", 1) + "\n", good},
		// The notebook's export: engineered columns, flow_id and split are
		// skipped unread, whatever they hold.
		{"ignored columns", "flow_id," + header + "," + engineered + ",split\n" +
			"x," + goodRow + ",,,,,,,,not a number,\"\",unassigned\n", good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustReadCSV(t, tc.in)
			if f.Len() != 1 {
				t.Fatalf("%d flows, want 1", f.Len())
			}
			if err := f.Check(); err != nil {
				t.Error(err)
			}
			if diff := cmp.Diff(tc.want, rowAt(f, 0)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// New levels follow the notebook's; codes point at them.
	f := mustReadCSV(t, header+"\n"+withField(flow.ColSrcDeviceType, "laptop")+"\n"+goodRow+"\n"+withField(flow.ColSrcDeviceType, "laptop")+"\n")
	if diff := cmp.Diff(slices.Concat(flow.DeviceTypes, []string{"laptop"}), f.SrcDeviceType.Levels); diff != "" {
		t.Errorf("levels mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint16{6, 0, 6}, f.SrcDeviceType.Codes); diff != "" {
		t.Errorf("codes mismatch (-want +got):\n%s", diff)
	}
	// A header and no rows: an empty table (Load rejects it; ReadCSV does not).
	if f := mustReadCSV(t, header+"\n"); f.Len() != 0 {
		t.Errorf("header only: %d flows, want 0", f.Len())
	}
}

func mustReadCSV(t testing.TB, in string) *flow.Table {
	t.Helper()
	f, err := ReadCSV(strings.NewReader(in), "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// formatFlowsCSV writes f in the layout ReadCSV reads: pandas' to_csv with
// index=False. Floats use the shortest text that parses back exactly.
func formatFlowsCSV(w io.Writer, f *flow.Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(flow.FlowColumns); err != nil {
		return err
	}
	fl := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	in := func(v int64) string { return strconv.FormatInt(v, 10) }
	bo := func(v bool) string {
		if v {
			return "True"
		}
		return "False"
	}
	for i := range f.Len() {
		r := rowAt(f, i)
		if err := cw.Write([]string{
			r.SrcDeviceType, r.SrcDepartment, r.DstDeviceType, r.DstDepartment, r.Protocol,
			fl(r.BytesSent), in(r.PacketsSent), fl(r.Duration), in(r.Hour), bo(r.IsBusinessHours),
			fl(r.CPUUsage), in(r.PortsContacted), bo(r.SameDept), bo(r.CrossDept), bo(r.IsAnomaly), r.AnomalyType,
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FuzzReadCSV: no input makes ReadCSV panic; it returns an error naming the
// file or flows that pass Check, and those flows written out as CSV read
// back the same.
func FuzzReadCSV(f *testing.F) {
	header := strings.Join(flow.FlowColumns, ",")
	for _, s := range []string{
		"",
		header + "\n",
		header + "\n" + goodRow + "\n",
		"\ufeff" + header + "\r\n" + goodRow + "\r\n" + withField(flow.ColHour, "12.0") + "\r\n",
		"flow_id," + header + ",split\n0," + goodRow + ",train\n",
		header + "\n" + withField(flow.ColSrcDeviceType, "\"a\nb,\"\"c\"") + "\n",
		header + "\n" + withField(flow.ColIsAnomaly, "True") + "\n",
		header + "\n" + withField(flow.ColBytesSent, "NaN") + "\n",
		header + "\n" + withField(flow.ColCPUUsage, "") + "\n",
		header + "\n" + goodRow + ",x\n",
		header + ",hour\n",
		"a,b\n1,2\n",
		"\"unterminated\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		flows, err := ReadCSV(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if flows != nil {
				t.Error("flows returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			var pe *ParseError
			if errors.As(err, &pe) && (pe.Line < 1 || pe.Column < 0) {
				t.Errorf("error at line %d, column %d", pe.Line, pe.Column)
			}
			return
		}
		if err := flows.Check(); err != nil {
			t.Fatalf("read flows that fail Check: %v", err)
		}
		for _, c := range []*flow.Categorical{&flows.SrcDeviceType, &flows.SrcDepartment, &flows.DstDeviceType,
			&flows.DstDepartment, &flows.Protocol, &flows.AnomalyType} {
			for _, code := range c.Codes {
				if int(code) >= len(c.Levels) || c.Levels[code] == "" {
					t.Fatalf("code %d for levels %q", code, c.Levels)
				}
			}
		}
		for _, v := range [][]float64{flows.BytesSent, flows.Duration, flows.CPUUsage} {
			for _, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("read non-finite value %v", x)
				}
			}
		}
		var b bytes.Buffer
		if err := formatFlowsCSV(&b, flows); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCSV(&b, "again.csv")
		if err != nil {
			t.Fatalf("flows written out do not read back: %v", err)
		}
		if diff := cmp.Diff(flows, again); diff != "" {
			t.Errorf("read, write, read mismatch (-first +second):\n%.2000s", diff)
		}
	})
}

// BenchmarkReadCSV reads the notebook's 10,000 flows (with its engineered
// columns, which are skipped) from memory.
func BenchmarkReadCSV(b *testing.B) {
	text := readParityText(b)
	b.SetBytes(int64(len(text)))
	var n int
	for b.Loop() {
		f, err := ReadCSV(bytes.NewReader(text), "parity.csv")
		if err != nil {
			b.Fatal(err)
		}
		n = f.Len()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/flow")
}
