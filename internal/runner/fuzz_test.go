package runner_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/runner"
	"github.com/segharness/harness/reports/report"
)

// fuzzRows is the number of data rows of the fuzzer's flow files and
// tables: 8 normal, 2 of each of two attack types, so that a split
// stratified on is_anomaly at 0.3 (4 test rows, 8 training rows) holds
// both classes.
const fuzzRows = 12

// fuzzFlowColumns are the numeric columns of a flow file (see
// flow.FlowColumns) that the fuzzer writes its values into; the
// integer ones are written as integers when the value is one.
var fuzzFlowColumns = []struct {
	name    string
	integer bool
}{
	{flow.ColBytesSent, false}, {flow.ColPacketsSent, true}, {flow.ColDuration, false},
	{flow.ColHour, true}, {flow.ColCPUUsage, false}, {flow.ColPortsContacted, true},
}

// fuzzTableColumns are the numeric columns of the fuzzer's table, in the
// order of fuzzFlowColumns' first six roles: bytes, packets, duration,
// hour, cpu, ports.
var fuzzTableColumns = []string{"bytes", "pkts", "dur", "hour", "cpu", "port"}

// fuzzCase is one input of FuzzTrial: the source, the options, and three
// values written into the cells that cells names.
type fuzzCase struct {
	table  bool
	choice uint8 // options: see experiment
	values [3]float64
	cells  []byte // pairs: column (bit 7: the whole column), then row (low nibble) and value (high nibble)
}

// baseRow returns row i's numeric values, in fuzzFlowColumns' order, and
// its anomaly type: rows 0-7 normal, 8-9 crypto mining (high CPU, many
// bytes), 10-11 lateral movement (many ports).
func baseRow(i int) ([]float64, string) {
	typ := flow.Normal
	bytes, packets, duration := 1000+37*float64(i), 10+float64(i), 1+0.5*float64(i)
	hour, cpu, ports := float64(9+i%8), 20+3*float64(i), float64(1+i%3)
	switch {
	case i >= 10:
		typ, ports = flow.LateralMovement, 25+float64(i)
	case i >= 8:
		typ, cpu, bytes = flow.CryptoMining, 90+float64(i%2), 90000+float64(i)
	}
	return []float64{bytes, packets, duration, hour, cpu, ports}, typ
}

// rows returns the case's numeric values: the base rows with the case's
// values written in, at most 16 writes.
func (c *fuzzCase) rows() [][]float64 {
	rows := make([][]float64, fuzzRows)
	for i := range rows {
		rows[i], _ = baseRow(i)
	}
	for k := 0; k+1 < len(c.cells) && k < 32; k += 2 {
		col := int(c.cells[k]&0x7f) % len(fuzzFlowColumns)
		row := int(c.cells[k+1]&0x0f) % fuzzRows
		v := c.values[int(c.cells[k+1]>>4)%3]
		if c.cells[k]&0x80 != 0 {
			for i := range rows {
				rows[i][col] = v
			}
		} else {
			rows[row][col] = v
		}
	}
	return rows
}

// formatValue writes v as a CSV field: as an integer when asked and it is
// one, else in Go's shortest form ("NaN", "+Inf", "1.7e+308" included).
func formatValue(v float64, integer bool) string {
	if integer && v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// flowCSV writes the case as a flow file in the harness's schema.
func (c *fuzzCase) flowCSV() string {
	var b strings.Builder
	b.WriteString(strings.Join(flow.FlowColumns, ",") + "\n")
	devices, depts := []string{"workstation", "server", "database"}, []string{"hr", "it", "sales"}
	for i, row := range c.rows() {
		_, typ := baseRow(i)
		src, dst := depts[i%3], depts[(i/2)%3]
		cells := map[string]string{
			flow.ColSrcDeviceType:   devices[i%3],
			flow.ColSrcDepartment:   src,
			flow.ColDstDeviceType:   devices[(i+1)%3],
			flow.ColDstDepartment:   dst,
			flow.ColProtocol:        []string{"TCP", "UDP"}[i%2],
			flow.ColIsBusinessHours: strconv.FormatBool(row[3] >= 8 && row[3] <= 17),
			flow.ColSameDept:        strconv.FormatBool(src == dst),
			flow.ColCrossDept:       strconv.FormatBool(src != dst),
			flow.ColIsAnomaly:       strconv.FormatBool(typ != flow.Normal),
			flow.ColAnomalyType:     typ,
		}
		for j, col := range fuzzFlowColumns {
			cells[col.name] = formatValue(row[j], col.integer)
		}
		for j, name := range flow.FlowColumns {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(cells[name])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// tableCSV writes the case as a table with a label column.
func (c *fuzzCase) tableCSV() string {
	var b strings.Builder
	b.WriteString(strings.Join(fuzzTableColumns, ",") + ",proto,label\n")
	labels := map[string]string{flow.Normal: "normal", flow.CryptoMining: "mine", flow.LateralMovement: "spread"}
	for i, row := range c.rows() {
		_, typ := baseRow(i)
		for _, v := range row {
			b.WriteString(formatValue(v, false) + ",")
		}
		fmt.Fprintf(&b, "%s,%s\n", []string{"tcp", "udp"}[i%2], labels[typ])
	}
	return b.String()
}

// experiment returns the case's experiment file, which reads data.csv.
// choice: bits 0-1 the feature set (flows), bit 2 scale_on, bit 3 the
// missing-value policy (tables), bit 4 the clusterers, bit 5 an operating
// point, bit 6 two seeds (the report's figures across seeds), bit 7 a
// sweep of the forest's trees (its figures against a parameter).
func (c *fuzzCase) experiment() string {
	var b strings.Builder
	b.WriteString("name: fuzz\n")
	if c.choice&64 != 0 {
		b.WriteString("seeds: [1, 2]\n")
	} else {
		b.WriteString("seeds: [1]\n")
	}
	if c.table {
		missing := "error"
		if c.choice&8 != 0 {
			missing = "impute"
		}
		fmt.Fprintf(&b, `data:
  source: table
  table:
    files: [data.csv]
    header: true
    label: label
    normal: [normal]
    categories: {mining: [mine], movement: [spread]}
    numeric: [%s]
    categorical: [proto]
    roles: {bytes_sent: bytes, packets_sent: pkts, duration: dur, hour: hour, cpu_usage: cpu, ports_contacted: port}
    missing: %s
`, strings.Join(fuzzTableColumns, ", "), missing)
	} else {
		b.WriteString("data: {source: file, path: data.csv, format: csv}\n")
		fmt.Fprintf(&b, "features: %s\n", []string{"notebook", "raw", "notebook_numeric", "[cpu_usage, hour, protocol_encoded]"}[c.choice&3])
	}
	scale := "train"
	if c.choice&4 != 0 {
		scale = "all"
	}
	fmt.Fprintf(&b, "split: {test_fraction: 0.3, stratify: is_anomaly, scale_on: %s}\n", scale)
	if c.choice&32 != 0 {
		b.WriteString("operating_point: {fpr_budget: 0.2, validation_fraction: 0.5}\n")
	}
	trees := "3"
	if c.choice&128 != 0 {
		trees = "[2, 4]"
	}
	fmt.Fprintf(&b, `models:
  - {name: rf, kind: random_forest, trees: %s}
  - {name: iforest, kind: isolation_forest, trees: 3, contamination: 0.1}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 2}
`, trees)
	if c.choice&16 != 0 {
		b.WriteString(`  - {name: km, kind: kmeans, k: 2, n_init: 1, max_iter: 20}
  - {name: db, kind: dbscan, eps: 0.5, min_samples: 2}
`)
	}
	b.WriteString("targets: [{model: rf, metric: detection_rate, \">=\": 0.9}]\n")
	return b.String()
}

// run runs the case's trial and then its report, returning the first
// error. A panic of the report fails the test (the fuzzer reports it); the
// runner turns a trial's panic into an "internal error", which callers
// fail on.
func (c *fuzzCase) run(t *testing.T) error {
	dir := t.TempDir()
	data := c.flowCSV()
	if c.table {
		data = c.tableCSV()
	}
	if err := os.WriteFile(filepath.Join(dir, "data.csv"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fuzz.yaml")
	if err := os.WriteFile(file, []byte(c.experiment()), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatalf("the fuzzer's experiment does not parse: %v\n%s", err, c.experiment())
	}
	res, err := runner.Run(context.Background(), exp, runner.Options{Out: filepath.Join(dir, "runs"), Workers: 1})
	if err != nil {
		return err
	}
	_, err = report.Generate(res.Dir, report.Options{Workers: 1})
	return err
}

// FuzzTrial: tiny flow files and tables whose numeric cells hold
// arbitrary values, finite or not, go through the features, the models,
// their metrics and the report, and each ends in success or an error,
// never a panic.
func FuzzTrial(f *testing.F) {
	inf, nan := math.Inf(1), math.NaN()
	// cells: a column byte (0x80: the whole column; 0 bytes_sent or
	// bytes, 1 packets, 2 duration, 3 hour, 4 cpu_usage, 5 ports), then a
	// byte whose low nibble is the row and high nibble the value (0x00
	// v0, 0x10 v1, 0x20 v2).
	for _, s := range []struct {
		table  bool
		choice uint8
		v      [3]float64
		cells  []byte
	}{
		{false, 0, [3]float64{}, nil},                                                 // untouched
		{false, 0, [3]float64{}, []byte{0x84, 0}},                                     // constant cpu_usage 0
		{false, 16 | 4, [3]float64{7}, []byte{0x84, 0, 0x85, 0, 0x83, 0}},             // constant cpu, ports and hour
		{false, 0, [3]float64{1.7e308}, []byte{0, 1}},                                 // one bytes_sent of 1.7e308
		{false, 32, [3]float64{1.7e308}, []byte{0x80, 0}},                             // every bytes_sent 1.7e308
		{false, 1, [3]float64{3e38, 4e38}, []byte{0, 1, 2, 0x13}},                     // at and past float32's range
		{false, 0, [3]float64{-5}, []byte{2, 3}},                                      // a negative duration (the loader refuses it)
		{false, 0, [3]float64{nan, inf}, []byte{0, 0, 4, 0x11}},                       // NaN, Inf (the loader refuses them)
		{false, 2, [3]float64{9e18, 9.000000000000001e18}, []byte{5, 0, 5, 0x11}},     // huge ports
		{true, 0, [3]float64{}, nil},                                                  // untouched table
		{true, 0, [3]float64{-5, -1}, []byte{2, 3, 2, 0x14}},                          // negative durations: logs of a negative and of 0
		{true, 0, [3]float64{1.7e308}, []byte{0, 2}},                                  // bytes 1.7e308
		{true, 16, [3]float64{}, []byte{0x84, 0}},                                     // constant cpu
		{true, 8, [3]float64{nan, inf, -inf}, []byte{0, 0, 1, 0x11, 2, 0x22}},         // NaN imputed, Inf refused
		{true, 32 | 16, [3]float64{-1.7e308, 1e-320}, []byte{5, 0, 4, 0x11, 0x83, 0}}, // extremes of float64
		{false, 128 | 64, [3]float64{}, []byte{0x84, 0}},                              // constant cpu_usage, two seeds, a sweep
		{true, 128 | 64 | 16, [3]float64{3e38}, []byte{0x80, 0}},                      // every bytes near float32's largest
	} {
		f.Add(s.table, s.choice, s.v[0], s.v[1], s.v[2], s.cells)
	}
	f.Fuzz(func(t *testing.T, table bool, choice uint8, v0, v1, v2 float64, cells []byte) {
		c := &fuzzCase{table: table, choice: choice, values: [3]float64{v0, v1, v2}, cells: cells}
		err := c.run(t)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			// The runner turns a trial's panic into this error.
			t.Fatalf("a panic:\n%v\nexperiment:\n%s", err, c.experiment())
		}
		if err != nil {
			t.Logf("error: %v", err)
		}
	})
}

// TestHostileTrials are the hostile tester's reproductions, through the
// fuzzer's trial: a constant column is a normal case (the trial and its
// report succeed); a flow file's bytes_sent of 1.7e308 (finite, beyond
// float32's range) and a table's negative durations (whose log is NaN,
// -Inf at -1) are errors of the feature stage naming the column and rows,
// before any model sees them. Before, the report panicked on the first
// and the random forest on the others ("is not a finite float32").
func TestHostileTrials(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    fuzzCase
		want []string // in the error; none: success
	}{
		{"constant cpu_usage", fuzzCase{cells: []byte{0x84, 0}}, nil},
		{"constant table column", fuzzCase{table: true, choice: 16, cells: []byte{0x84, 0}}, nil},
		{"bytes_sent 1.7e308", fuzzCase{values: [3]float64{1.7e308}, cells: []byte{0, 1}},
			[]string{"features: ", "bytes_sent in 1 row: row 2 = 1.7e+308"}},
		// Rows 4 and 5 (0-based 3 and 4) of the table, on lines 5 and 6
		// of data.csv (after its header).
		{"negative table durations", fuzzCase{table: true, values: [3]float64{-5, -1}, cells: []byte{2, 3, 2, 0x14}},
			[]string{"features: ", "log_duration in 2 rows: row 4 (", "data.csv:5) = NaN, row 5 (", "data.csv:6) = -Inf (log_duration = log10(duration + 1))"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.run(t)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("error: %v", err)
			case tc.want != nil && err == nil:
				t.Fatalf("no error, want one naming %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Errorf("a panic: %v", err)
			}
		})
	}
}

// Kinds of this test binary that answer values no metric can take: a
// detector scoring its first test row NaN, a clusterer labelling its
// first row -2.
func init() {
	models.Register(&models.Kind{Name: "test_nan_score", Roles: []models.Role{models.Detector},
		Fit: func(_ context.Context, t *models.Task) (*models.Result, error) {
			res := &models.Result{Scores: make([]float64, t.Test.Len()), Decision: make([]bool, t.Test.Len())}
			res.Scores[0] = math.NaN()
			return res, nil
		}})
	models.Register(&models.Kind{Name: "test_bad_label", Roles: []models.Role{models.Clusterer},
		Fit: func(_ context.Context, t *models.Task) (*models.Result, error) {
			res := &models.Result{Labels: make([]int, t.Data.N())}
			res.Labels[0] = -2
			return res, nil
		}})
}

// TestAnswersNoMetricTakes: a kind's answer that the metrics cannot take
// (a NaN score, which has no rank; a cluster label below -1) is an error
// naming the kind and the row, not a panic of internal/eval ("score 0 is
// NaN") or of the report.
func TestAnswersNoMetricTakes(t *testing.T) {
	for _, tc := range []struct{ kind, want string }{
		{"test_nan_score", "kind test_nan_score answered NaN as the score of row 1"},
		{"test_bad_label", "kind test_bad_label answered the cluster label -2 for row 1"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			src := fmt.Sprintf("name: answers\nseeds: [1]\ndata: {flows: 200}\nmodels: [{name: m, kind: %s}]\n", tc.kind)
			exp, err := experiments.Parse([]byte(src), filepath.Join(t.TempDir(), "answers.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = runner.Run(context.Background(), exp, runner.Options{Out: t.TempDir(), Workers: 1})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "internal error") {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}
