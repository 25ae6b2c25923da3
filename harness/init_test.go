package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCICTable writes a CICFlowMeter-like table: column names with
// spaces and slashes (and a leading space, as CICFlowMeter's header has),
// a flow identifier, addresses, a timestamp, a constant column,
// microsecond durations, Infinity and NaN in the rate column, repeated
// rows, and labels BENIGN, PortScan and DDoS.
func writeCICTable(t *testing.T, path string) {
	t.Helper()
	lines := []string{"Flow ID, Source IP, Timestamp, Destination Port, Protocol, Flow Duration, Total Fwd Packets, Total Length of Fwd Packets, Flow Bytes/s, Fwd PSH Flags, Label"}
	for i := range 400 {
		label, dur, bytes := "BENIGN", 1000000+i%37*1000, 100+i%50
		switch i % 8 {
		case 0, 3:
			label, dur, bytes = "PortScan", 40+i%5, 2
		case 5:
			label, dur, bytes = "DDoS", 3000000+i%11, 20000+i%7
		}
		rate := fmt.Sprint(float64(bytes) / (float64(dur) / 1e6))
		switch {
		case i%53 == 0:
			rate = "Infinity"
		case i%61 == 0:
			rate = "NaN"
		}
		features := fmt.Sprintf("%d,%d,%d,%d,%d,%s,0,%s", []int{80, 443, 22}[i%3], []int{6, 17}[i%2], dur, 2+i%9, bytes, rate, label)
		if i%9 == 1 { // a copy of the row before, but for its identifier, address and time
			prev := lines[len(lines)-1]
			features = prev[strings.Index(prev, ":"):][7:] // after the timestamp's "08:mm:ss,"
		}
		lines = append(lines, fmt.Sprintf("%d-%d, 192.168.10.%d,03/07/2017 08:%02d:%02d,%s", i, i, 1+i%200, i/60%60, i%60, features))
	}
	b := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInit writes the experiment for a CICFlowMeter-like table (golden),
// checks that it validates and runs as it stands, and the errors: no
// label column, a Parquet table, an existing -out.
func TestInit(t *testing.T) {
	dir := t.TempDir()
	table := filepath.Join(dir, "Tuesday-WorkingHours.pcap_ISCX.csv")
	writeCICTable(t, table)
	exp := filepath.Join(dir, "tuesday.yaml")
	code, stdout, stderr := runCommand(t, context.Background(), dir, "init", "-table", table, "-out", exp)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	got, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("init", "cic.yaml.golden"), strings.ReplaceAll(string(got), dir, "DIR"))

	code, stdout, stderr = runCommand(t, context.Background(), dir, "run", "-out", filepath.Join(dir, "runs"), exp)
	if code != 0 {
		t.Fatalf("running the experiment init wrote: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"exists", []string{"init", "-table", table, "-out", exp}, 2, "tuesday.yaml exists"},
		{"no label", []string{"init", "-table", table, "-label", "Class"}, 1, `-label "Class" is not a column (columns: Flow ID, Source IP,`},
		{"parquet", []string{"init", "-table", filepath.Join(dir, "t.parquet")}, 1, "harness init reads CSV tables"},
		{"no table", []string{"init"}, 2, "init: no table files given"},
	} {
		code, _, stderr := runCommand(t, context.Background(), dir, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr, tc.code, tc.want)
		}
	}
}

// FuzzInit: whatever the table, harness init writes a file that validates
// or refuses the table with a reason; it never writes one that does not
// validate (its own check would report "does not validate").
func FuzzInit(f *testing.F) {
	f.Add([]byte("a,b,label\n1,x,normal\n2,y,attack\n3,z,attack\n"))
	f.Add([]byte(" Flow ID, Flow Bytes/s, Label\n1,Infinity,BENIGN\n2,NaN,DDoS\n2,NaN,DDoS\n"))
	f.Add([]byte("Timestamp,Src IP,dur,proto,class\n1,a,3,tcp,normal\n2,b,4,udp,smurf\n"))
	f.Add([]byte("ts,dur,class\n1499072158,1,normal\n1499072218,2,smurf\n1499072278,3,normal\n1499072338,4,smurf\n1499072398,5,normal\n1499072458,6,smurf\n"))
	f.Add([]byte("Timestamp,dur,Label\n3/7/2017 8:55 AM,1,BENIGN\n3/7/2017 8:56 AM,2,DDoS\n3/7/2017 8:57 AM,3,BENIGN\n3/7/2017 8:58 AM,4,DDoS\n3/7/2017 8:59 AM,5,BENIGN\n3/7/2017 9:00 AM,6,DDoS\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "t.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr strings.Builder
		err := initCmd([]string{"-table", path}, &stdout, &stderr)
		if err != nil && strings.Contains(err.Error(), "does not validate") {
			t.Fatalf("%v", err)
		}
	})
}
