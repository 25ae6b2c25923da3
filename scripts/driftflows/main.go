// Command driftflows writes experiments/data/drifting-flows.csv.gz, the
// table of experiments/time-split.yaml: a week of the notebook
// generator's flows, one day at a time, whose attacks grow harder to
// tell from normal traffic day by day (difficulty 0 on the first day to
// 0.9 on the last) and shift from crypto-mining toward lateral movement,
// with a timestamp per flow (its day, its generated hour, a random
// minute and second) and a source address per host, and one flow in
// seven repeated later (an exporter writing the same flow twice), so
// that a random split puts copies on both sides.
//
// It is synthetic traffic with a drift known by construction, made to
// show what a time split and deduplication change; the rows are written
// in time order. The output depends only on the code: go test
// ./scripts/driftflows checks that the checked-in file is what it writes.
//
//	go run ./scripts/driftflows -out experiments/data/drifting-flows.csv.gz
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/segharness/harness/internal/artifact"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/seed"
	"github.com/segharness/harness/internal/synth"
)

const (
	days       = 7
	flowsDaily = 2000
	copyEvery  = 7 // one flow in copyEvery is written twice
	rootSeed   = 20261102
)

// start is the first day's midnight.
var start = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("out", "experiments/data/drifting-flows.csv.gz", "the file to write")
	flag.Parse()
	if _, err := artifact.WriteFile(*out, write); err != nil {
		fmt.Fprintln(os.Stderr, "driftflows:", err)
		os.Exit(1)
	}
}

// row is one written flow.
type row struct {
	at     time.Time
	fields []string
}

// rows generates the week's flows, copies included, in time order.
func rows() ([]row, error) {
	var all []row
	for d := range days {
		share := float64(d) / float64(days-1)
		cfg := synth.Config{
			Generator:   synth.GeneratorNotebook,
			Flows:       flowsDaily,
			AnomalyRate: 0.05,
			AnomalyMix:  map[string]float64{"crypto_mining": 0.7 - 0.5*share, "lateral_movement": 0.3 + 0.5*share},
			Difficulty:  0.9 * share,
		}
		f, err := synth.Generate(cfg, seed.Derive(rootSeed, "day/"+strconv.Itoa(d)))
		if err != nil {
			return nil, err
		}
		r := seed.New(seed.Derive(rootSeed, "time/"+strconv.Itoa(d)))
		day := start.AddDate(0, 0, d)
		for i := range f.Len() {
			at := day.Add(time.Duration(f.Hour[i])*time.Hour + time.Duration(r.IntN(3600))*time.Second)
			fields := flowFields(f, i, r.IntN(20)+1)
			all = append(all, row{at, fields})
			if r.IntN(copyEvery) == 0 {
				// The same flow written again up to six hours later.
				all = append(all, row{at.Add(time.Duration(1+r.IntN(6*3600)) * time.Second), fields})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b row) int { return a.at.Compare(b.at) })
	return all, nil
}

// header names the columns flowFields writes, after the timestamp.
var header = []string{"src_ip", "src_device_type", "src_department", "dst_device_type", "dst_department", "protocol",
	"bytes_sent", "packets_sent", "duration", "hour", "cpu_usage", "ports_contacted", "label"}

// flowFields returns flow i's fields; host numbers the source address
// within its department and device type.
func flowFields(f *flow.Table, i, host int) []string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	return []string{
		fmt.Sprintf("10.%d.%d.%d", f.SrcDepartment.Codes[i]+1, f.SrcDeviceType.Codes[i]+1, host),
		f.SrcDeviceType.Value(i), f.SrcDepartment.Value(i), f.DstDeviceType.Value(i), f.DstDepartment.Value(i), f.Protocol.Value(i),
		num(f.BytesSent[i]), strconv.FormatInt(f.PacketsSent[i], 10), num(f.Duration[i]), strconv.FormatInt(f.Hour[i], 10),
		num(f.CPUUsage[i]), strconv.FormatInt(f.PortsContacted[i], 10), f.AnomalyType.Value(i),
	}
}

// write writes the table as gzip-compressed CSV.
func write(w io.Writer) error {
	all, err := rows()
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriter(zw)
	bw.WriteString("timestamp")
	for _, h := range header {
		bw.WriteString("," + h)
	}
	bw.WriteString("\n")
	for _, r := range all {
		bw.WriteString(r.at.Format("2006-01-02 15:04:05"))
		for _, f := range r.fields {
			bw.WriteString("," + f)
		}
		bw.WriteString("\n")
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}
