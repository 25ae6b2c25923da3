package tableinit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTimeSplitProposal writes small tables with a timestamp column in
// each form init must tell apart, and checks the split it proposes.
func TestTimeSplitProposal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stamp func(i int) string // row i's timestamp (rows at one-minute steps)
		label func(i int) string
		want  []string // lines the split block holds
	}{
		{
			name:  "epoch milliseconds",
			stamp: func(i int) string { return fmt.Sprint(1499072158000 + int64(i)*60000) },
			want:  []string{"  by: time", `  column: "ts"`, "  time_unit: ms  # CONFIRM: numbers since the epoch, in milliseconds by their size"},
		},
		{
			name:  "ISO text",
			stamp: func(i int) string { return fmt.Sprintf("2017-07-03 %02d:%02d:00", 8+i/60, i%60) },
			want:  []string{"  by: time", "  # (from 2017-07-03T09:10:00Z), as a deployed model meets tomorrow's traffic. For a random"},
		},
		{
			// Day 13 to 22 of July: only day-first reads them.
			name:  "day-first",
			stamp: func(i int) string { return fmt.Sprintf("%d/07/2017 08:%02d", 13+i/10, i%10) },
			want:  []string{"  by: time", `  time_format: "2/1/2006 15:04"`},
		},
		{
			name:  "month-first",
			stamp: func(i int) string { return fmt.Sprintf("07/%d/2017 8:%02d:00 AM", 13+i/10, i%10) },
			want:  []string{"  by: time", `  time_format: "1/2/2006 3:04:05 PM"`},
		},
		{
			// Every attack in the last 30 rows: the earlier 70 hold none.
			name:  "attacks only at the end",
			stamp: func(i int) string { return fmt.Sprint(1499072158 + i*60) },
			label: func(i int) string { return map[bool]string{true: "DDoS", false: "BENIGN"}[i >= 70 && i%2 == 0] },
			want: []string{`  # "ts" orders the flows, but no time split is written: a time split would train on 0 attacks and 70 normal flows and test on 15 and 15 (from 2017-07-03T10:05:58Z): a detector needs both on each side.`,
				"  stratify: anomaly_type"},
		},
		{
			name:  "unreadable",
			stamp: func(i int) string { return fmt.Sprintf("day %d", i) },
			want:  []string{`  # "ts" orders the flows, but no time split is written: its timestamps (the first "day 0") read in no layout init knows: give split.time_format yourself.`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			label := tc.label
			if label == nil {
				label = func(i int) string { return map[bool]string{true: "PortScan", false: "BENIGN"}[i%4 == 0] }
			}
			var b strings.Builder
			b.WriteString("ts,bytes,proto,Label\n")
			for i := range 100 {
				fmt.Fprintf(&b, "%s,%d,%s,%s\n", tc.stamp(i), 100+i%13, []string{"tcp", "udp"}[i%2], label(i))
			}
			path := filepath.Join(t.TempDir(), "flows.csv")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Suggest([]string{path}, Options{Dir: filepath.Dir(path)})
			if err != nil {
				t.Fatal(err)
			}
			split := got[strings.Index(got, "split:\n"):strings.Index(got, "models:\n")]
			for _, w := range tc.want {
				if !strings.Contains(split, w+"\n") {
					t.Errorf("the split block lacks %q:\n%s", w, split)
				}
			}
		})
	}
}
