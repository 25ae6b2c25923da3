package tableinit

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segharness/harness/internal/timestamps"
)

// testFraction is the test share init writes.
const testFraction = 0.3

// timeProposal is init's answer on a time split by a timestamp column:
// the keys to write when ok, otherwise why not.
type timeProposal struct {
	ok      bool
	column  string
	layout  string // split.time_format, or "" when recognised
	unit    string // split.time_unit for numbers
	confirm string // what the user must confirm, or ""
	cut     string // the test side's first instant
	why     string // why no time split is proposed
}

// Day-first and month-first layouts init tries when a timestamp is in no
// recognised form. Go's single-digit day, month and hour read padded
// values too.
var (
	dayFirst   = []string{"2/1/2006 15:04:05", "2/1/2006 15:04", "2/1/2006 3:04:05 PM", "2/1/2006 3:04 PM", "2/1/2006", "2-1-2006 15:04:05", "2-1-2006 15:04"}
	monthFirst = []string{"1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006", "1-2-2006 15:04:05", "1-2-2006 15:04"}
)

// proposeTimeSplit reads the timestamp column and the label of every row
// of files (a second pass, two columns), finds how the timestamps read,
// and checks that a time split at testFraction leaves attacks and normal
// flows on both sides, as a detector needs.
func proposeTimeSplit(files []string, column, label string, normal []string) timeProposal {
	p := timeProposal{column: column}
	var stamps []string
	var attack []bool
	for _, path := range files {
		s, a, err := readTwo(path, column, label, normal)
		if err != nil {
			p.why = err.Error()
			return p
		}
		stamps, attack = append(stamps, s...), append(attack, a...)
	}
	distinct := slices.Clone(stamps)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(distinct) > 0 && distinct[0] == "" {
		empty := 0
		for _, s := range stamps {
			if s == "" {
				empty++
			}
		}
		p.why = fmt.Sprintf("%d rows have no timestamp, and a time split needs one per row", empty)
		return p
	}
	instants, err := p.read(distinct)
	if err != nil {
		p.why = err.Error()
		return p
	}
	at := make([]int64, len(stamps))
	for i, s := range stamps {
		k, _ := slices.BinarySearch(distinct, s)
		at[i] = instants[k]
	}
	// The cut as the time split makes it (features.TimeSplit): the test
	// side is every row at or after the ceil(f·n)-th latest instant.
	sorted := slices.Clone(at)
	slices.Sort(sorted)
	n := len(sorted)
	nTest := int(math.Ceil(testFraction * float64(n)))
	if nTest >= n {
		p.why = fmt.Sprintf("%d rows are too few to split", n)
		return p
	}
	cut := sorted[n-nTest]
	var count [2][2]int // [test][attack]
	for i, t := range at {
		count[b2i(t >= cut)][b2i(attack[i])]++
	}
	p.cut = time.Unix(0, cut).UTC().Format(time.RFC3339)
	if count[0][0] == 0 || count[0][1] == 0 || count[1][0] == 0 || count[1][1] == 0 {
		p.why = fmt.Sprintf("a time split would train on %d attacks and %d normal flows and test on %d and %d (from %s): a detector needs both on each side",
			count[0][1], count[0][0], count[1][1], count[1][0], p.cut)
		return p
	}
	p.ok = true
	return p
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// read reads the distinct timestamps as the time split will, choosing
// the unit of numbers by their size and, for text in no recognised form,
// a day-first or month-first layout (the day-first one, to confirm, when
// both read every value).
func (p *timeProposal) read(values []string) ([]int64, error) {
	numeric := true
	big := 0.0
	for _, v := range values {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			numeric = false
			break
		}
		big = max(big, math.Abs(x))
	}
	if numeric {
		switch {
		case big < 1e11:
			p.unit = "s"
		case big < 1e14:
			p.unit = "ms"
		case big < 1e17:
			p.unit = "us"
		default:
			p.unit = "ns"
		}
		return timestamps.Parse(values, "", p.unit)
	}
	if t, err := timestamps.Parse(values, "", ""); err == nil {
		return t, nil
	}
	first := func(layouts []string) (string, []int64) {
		for _, l := range layouts {
			if t, err := timestamps.Parse(values, l, ""); err == nil {
				return l, t
			}
		}
		return "", nil
	}
	dl, dt := first(dayFirst)
	ml, mt := first(monthFirst)
	switch {
	case dl != "" && ml != "":
		p.layout = dl
		p.confirm = fmt.Sprintf("no day above 12 tells day-first from month-first: for month-first dates write %q", ml)
		return dt, nil
	case dl != "":
		p.layout = dl
		return dt, nil
	case ml != "":
		p.layout = ml
		return mt, nil
	}
	return nil, fmt.Errorf("its timestamps (the first %q) read in no layout init knows: give split.time_format yourself", values[0])
}

// readTwo returns the text of column and whether label is an attack, row
// by row, for the rows of path whose label is not missing.
func readTwo(path, column, label string, normal []string) ([]string, []bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ci, li := -1, -1
	for i, h := range rec {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case column:
			ci = i
		case label:
			li = i
		}
	}
	if ci < 0 || li < 0 {
		return nil, nil, fmt.Errorf("%s: no column %q or %q", path, column, label)
	}
	var stamps []string
	var attack []bool
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if slices.Contains(missingTokens, rec[li]) {
			continue // the reader drops rows without a label
		}
		stamps = append(stamps, strings.TrimSpace(rec[ci]))
		attack = append(attack, !slices.Contains(normal, rec[li]))
	}
	return stamps, attack, nil
}
