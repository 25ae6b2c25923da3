package fileio

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Limit is a documented bound on what the harness reads, with the
// environment variable that raises (or lowers) it.
type Limit struct {
	Env     string // e.g. HARNESS_MAX_INPUT_BYTES
	Doc     string // what it bounds, for the README's table
	Default int64
	Bytes   bool // a size in bytes (accepts KiB, MiB, GiB suffixes)
}

// The limits. docs and the README list them (see Limits).
var (
	// InputBytes bounds an input file: the experiment file, a flow or
	// table file, a model file read whole.
	InputBytes = Limit{Env: "HARNESS_MAX_INPUT_BYTES", Doc: "size of one input file (experiment file, flows, table, model file)", Default: 1 << 30, Bytes: true}
	// DecompressedBytes bounds what one gzip-compressed file expands to,
	// and what a Parquet file's footer says its column chunks expand to.
	DecompressedBytes = Limit{Env: "HARNESS_MAX_DECOMPRESSED_BYTES", Doc: "bytes one .gz file (or a Parquet file's pages) may expand to", Default: 1 << 30, Bytes: true}
	// Rows bounds the rows of one data file.
	Rows = Limit{Env: "HARNESS_MAX_ROWS", Doc: "rows (flows) of one data file", Default: 10_000_000}
	// Columns bounds the columns of one data file.
	Columns = Limit{Env: "HARNESS_MAX_COLUMNS", Doc: "columns of one data file", Default: 10_000}
	// LineBytes bounds one CSV record of a flow or table file.
	LineBytes = Limit{Env: "HARNESS_MAX_LINE_BYTES", Doc: "bytes of one CSV record (a line, or the lines of a quoted field)", Default: 1 << 20, Bytes: true}
	// RunFileBytes bounds a JSON file of a run directory (manifest,
	// trial.json, model.json, verdict).
	RunFileBytes = Limit{Env: "HARNESS_MAX_RUN_FILE_BYTES", Doc: "bytes of one JSON file of a run or model directory (manifest.json, trial.json, model.json)", Default: 256 << 20, Bytes: true}
)

// Limits lists every limit, in the order of the README's table.
func Limits() []Limit {
	return []Limit{InputBytes, DecompressedBytes, Rows, Columns, LineBytes, RunFileBytes}
}

var (
	overrideMu sync.Mutex
	overrides  = map[string]int64{}
	envErr     error
	envOnce    sync.Once
)

// Get returns the limit's value: the environment variable's when set and
// valid, otherwise the default. An invalid variable is reported by
// CheckEnv.
func (l Limit) Get() int64 {
	envOnce.Do(loadEnv)
	overrideMu.Lock()
	defer overrideMu.Unlock()
	if v, ok := overrides[l.Env]; ok {
		return v
	}
	return l.Default
}

// Int is Get as an int, saturated.
func (l Limit) Int() int {
	v := l.Get()
	if v > math.MaxInt {
		return math.MaxInt
	}
	return int(v)
}

// CheckEnv reports an environment variable of a limit that is not a
// positive number; commands call it first, so that a typo is an error
// rather than a silent default.
func CheckEnv() error {
	envOnce.Do(loadEnv)
	return envErr
}

func loadEnv() {
	var errs []string
	for _, l := range Limits() {
		s, ok := os.LookupEnv(l.Env)
		if !ok || s == "" {
			continue
		}
		v, err := parseLimit(s, l.Bytes)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", l.Env, s, err))
			continue
		}
		overrides[l.Env] = v
	}
	if len(errs) > 0 {
		envErr = fmt.Errorf("invalid limit: %s", strings.Join(errs, "; "))
	}
}

// SetForTest sets a limit's value until the returned function restores it.
func SetForTest(l Limit, v int64) (restore func()) {
	envOnce.Do(loadEnv)
	overrideMu.Lock()
	old, had := overrides[l.Env]
	overrides[l.Env] = v
	overrideMu.Unlock()
	return func() {
		overrideMu.Lock()
		defer overrideMu.Unlock()
		if had {
			overrides[l.Env] = old
		} else {
			delete(overrides, l.Env)
		}
	}
}

var byteUnits = []struct {
	suffix string
	mult   int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}}

func parseLimit(s string, bytes bool) (int64, error) {
	mult := int64(1)
	if bytes {
		for _, u := range byteUnits {
			if strings.HasSuffix(s, u.suffix) {
				s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
				break
			}
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		unit := ""
		if bytes {
			unit = ", optionally followed by KiB, MiB, GiB or TiB"
		}
		return 0, fmt.Errorf("want a positive whole number%s", unit)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("too large")
	}
	return n * mult, nil
}

// FormatBytes writes n in the largest binary unit that divides it, or in
// bytes.
func FormatBytes(n int64) string {
	for i := 3; i >= 0; i-- {
		u := byteUnits[i]
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d %s", n/u.mult, u.suffix)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Format writes a limit's value in its unit.
func (l Limit) Format(v int64) string {
	if l.Bytes {
		return FormatBytes(v)
	}
	return strconv.FormatInt(v, 10)
}
