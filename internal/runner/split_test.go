package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
)

// writeFlowMeterCSV writes a small table shaped like a CICFlowMeter
// export: column names with spaces and slashes (and a leading space, as
// the tool writes them), a day-first timestamp, durations in
// microseconds, Infinity in a rate column, and, with copies, a copy of
// every tenth row's host, features and label at a later time. Row i is
// at minute i of
// 3 July 2017 from 08:00; its host is 192.168.10.(i mod 12); hosts 3 and 7
// scan ports. Seq is i, a feature kept so that tests can see each row's
// place in time after scaling (which keeps order).
func writeFlowMeterCSV(t *testing.T, path string, rows int, copies bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Flow ID, Source IP, Timestamp, Seq, Flow Duration, Total Fwd Packets, Flow Bytes/s, Protocol, Label\n")
	var prev [2]string
	for i := range rows {
		host := i % 12
		label, packets := "BENIGN", 2+i%5
		if host == 3 || host == 7 {
			label, packets = "PortScan", 1
		}
		rate := fmt.Sprintf("%d.5", 1000+i%17)
		if i%25 == 24 {
			rate = "Infinity"
		}
		features := fmt.Sprintf("%d,%d,%d,%s,%d,%s", i, (i%9+1)*250000, packets, rate, []int{6, 17}[i%2], label)
		ip := fmt.Sprintf("192.168.10.%d", host)
		if copies && i%10 == 9 {
			ip, features = prev[0], prev[1] // a copy of the row before, at a later time
		}
		prev = [2]string{ip, features}
		fmt.Fprintf(&b, "f%d,%s,03/07/2017 %02d:%02d:00,%s\n", i, ip, 8+i/60, i%60, features)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// flowMeterExperiment is an experiment on writeFlowMeterCSV's table with
// the given split: block.
const flowMeterExperiment = `name: %s
seeds: [1, 2]
data:
  source: table
  table:
    files: [flows.csv]
    header: true
    label: Label
    normal: [BENIGN]
    categories: {probe: [PortScan]}
    numeric: [Seq, Flow Duration, Total Fwd Packets, Flow Bytes/s]
    categorical: [Protocol, Source IP]
    ignore: [Flow ID, Timestamp]
    roles: {duration: {column: Flow Duration, scale: 1e-6}}
    nonfinite: clip
split: %s
models:
  - {name: iso, kind: isolation_forest}
`

// splitTrials parses the experiment with split and returns each trial's
// prepared data and notes.
func splitTrials(t *testing.T, dir, name, split string) ([]*trialData, [][]string) {
	t.Helper()
	file := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(file, fmt.Appendf(nil, flowMeterExperiment, name, split), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := experiments.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tds []*trialData
	var notes [][]string
	for i := range exp.Trials {
		td, _, n, err := tableData(exp, &exp.Trials[i])
		if err != nil {
			t.Fatalf("trial %s: %v", exp.Trials[i].ID, err)
		}
		tds, notes = append(tds, td), append(notes, n)
	}
	return tds, notes
}

// column returns column name of td's scaled features, row by row.
func column(t *testing.T, td *trialData, name string) []float64 {
	t.Helper()
	j := slices.Index(td.x.Names, name)
	if j < 0 {
		t.Fatalf("no column %s in %v", name, td.x.Names)
	}
	out := make([]float64, td.x.N)
	for i := range out {
		out[i] = td.x.Data[i*td.x.D+j]
	}
	return out
}

// TestSplitMethods checks each split method's guarantee on the hand-made
// table of writeFlowMeterCSV (120 rows, minutes 0 to 119).
func TestSplitMethods(t *testing.T) {
	dir := t.TempDir()
	writeFlowMeterCSV(t, filepath.Join(dir, "flows.csv"), 120, false)

	t.Run("time", func(t *testing.T) {
		// test_fraction 0.25: the 30 latest rows (minutes 90 to 119) are
		// the test side; gap 10m drops minutes 80 to 89, whose instants
		// are within 10 minutes before 09:30.
		tds, notes := splitTrials(t, dir, "time", `{by: time, column: Timestamp, time_format: "02/01/2006 15:04:05", test_fraction: 0.25, gap: 10m}`)
		for k, td := range tds {
			seq := column(t, td, "Seq")
			var train, test []float64
			for i, s := range td.split {
				if s == datasets.Train {
					train = append(train, seq[i])
				} else {
					test = append(test, seq[i])
				}
			}
			if len(train) != 80 || len(test) != 30 {
				t.Errorf("trial %d: %d training and %d test rows, want 80 and 30", k, len(train), len(test))
			}
			if slices.Max(train) >= slices.Min(test) {
				t.Errorf("trial %d: a training row is not earlier than every test row", k)
			}
			want := []string{
				`split: by time on "Timestamp": training 2017-07-03T08:00:00Z to 2017-07-03T09:19:00Z, test 2017-07-03T09:30:00Z to 2017-07-03T09:59:00Z`,
				"data: split.gap 10m0s dropped 10 of 120 rows, in the gap before the test side's first instant",
			}
			for _, w := range want {
				if !slices.Contains(notes[k], w) {
					t.Errorf("trial %d: notes %q lack %q", k, notes[k], w)
				}
			}
		}
	})

	t.Run("group", func(t *testing.T) {
		tds, notes := splitTrials(t, dir, "group", `{by: group, column: Source IP, test_fraction: 0.25, stratify: is_anomaly}`)
		for k, td := range tds {
			host := column(t, td, "Source IP")
			side := map[float64]datasets.Split{}
			nTest := 0
			for i, s := range td.split {
				if prev, ok := side[host[i]]; ok && prev != s {
					t.Fatalf("trial %d: a host on both sides", k)
				}
				side[host[i]] = s
				if s == datasets.Test {
					nTest++
				}
			}
			// 12 hosts of 10 rows: whole hosts reach the 30 rows asked
			// for at most one host (10 rows) off; stratified, the two
			// scanners (hosts 3 and 7) are on both sides.
			if nTest < 20 || nTest > 40 {
				t.Errorf("trial %d: %d test rows, want 30 give or take a host", k, nTest)
			}
			attacks := 0
			for i, s := range td.split {
				if s == datasets.Test && td.isAnomaly[i] {
					attacks++
				}
			}
			if attacks != 10 {
				t.Errorf("trial %d: %d test attacks, want the 10 rows of one scanner", k, attacks)
			}
			if !slices.ContainsFunc(notes[k], func(n string) bool { return strings.HasPrefix(n, `split: by group on "Source IP": `) }) {
				t.Errorf("trial %d: notes %q lack the group split's", k, notes[k])
			}
		}
	})

	t.Run("kfold", func(t *testing.T) {
		tds, _ := splitTrials(t, dir, "kfold", `{by: kfold, folds: 4}`)
		if len(tds) != 8 {
			t.Fatalf("%d trials, want 2 seeds × 4 folds", len(tds))
		}
		for s := range 2 {
			// The folds of a seed: each row a test row in exactly one.
			seen := make([]int, 120)
			for f := range 4 {
				for i, side := range tds[s*4+f].split {
					if side == datasets.Test {
						seen[i]++
					}
				}
			}
			for i, n := range seen {
				if n != 1 {
					t.Errorf("seed %d: row %d is a test row in %d folds", s+1, i, n)
				}
			}
		}
	})
}

// TestSplitFlowMeterRun runs the flow-meter table end to end with a time
// split, a gap and deduplication: the copies are dropped before the
// split (so the leakage report finds none across it), the notes count
// what was dropped and clipped, and the k-fold variant writes a trial per
// fold.
func TestSplitFlowMeterRun(t *testing.T) {
	dir := t.TempDir()
	writeFlowMeterCSV(t, filepath.Join(dir, "flows.csv"), 120, true)
	res := runTableFile(t, filepath.Join(dir, "time.yaml"), fmt.Sprintf(flowMeterExperiment, "time",
		`{by: time, column: Timestamp, time_format: "02/01/2006 15:04:05", test_fraction: 0.25, gap: 10m, dedupe: exact}`))
	metrics, err := rundir.ReadMetricsFile(filepath.Join(res.Dir, rundir.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range metrics {
		if m.Model == experiments.LeakageModel && m.Metric == "cross_split_duplicates" && m.Value != 0 {
			t.Errorf("%s: %g cross-split duplicates after dedupe", m.Trial, m.Value)
		}
	}
	notes := res.Manifest.Trials[0].Notes
	// 12 rows (i = 9, 19, ..., 119) copy the row before; the time split
	// then drops the rows of minutes 80 to 89 left (89 is a copy). Of the
	// Infinity rows (i = 24, 49, 74, 99), 49 and 99 were replaced by
	// copies.
	for _, want := range []string{
		"data: split.dedupe exact dropped 12 of 120 rows, each equal to an earlier row (every feature and the attack category)",
		"data: split.gap 10m0s dropped 9 of 108 rows, in the gap before the test side's first instant",
		"data: 2 +Inf values of Flow Bytes/s clipped to 1016.5",
	} {
		if !slices.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}

	res = runTableFile(t, filepath.Join(dir, "kfold.yaml"), fmt.Sprintf(flowMeterExperiment, "kfold", `{by: kfold, folds: 3}`))
	var ids []string
	for _, tr := range res.Manifest.Trials {
		ids = append(ids, tr.ID)
		if tr.Data.Train+tr.Data.Test != 120 || tr.Data.Test != 40 {
			t.Errorf("trial %s: %d training and %d test rows, want 80 and 40", tr.ID, tr.Data.Train, tr.Data.Test)
		}
	}
	if want := []string{"seed=1/fold=1", "seed=1/fold=2", "seed=1/fold=3", "seed=2/fold=1", "seed=2/fold=2", "seed=2/fold=3"}; !slices.Equal(ids, want) {
		t.Errorf("trials %v, want %v", ids, want)
	}
}
