package datasets

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/synth"
)

// tableRows returns f's rows with their categories as strings, to
// compare tables whose levels differ.
func tableRows(f *flow.Table) []flowRow {
	recs := make([]flowRow, f.Len())
	for i := range recs {
		recs[i] = rowAt(f, i)
	}
	return recs
}

// testRecord returns a valid flow; protocol and src_department are given,
// the rest varies with i.
func testRecord(i int, protocol, dept string) flowRow {
	anomaly := flow.AnomalyTypes[i%len(flow.AnomalyTypes)]
	return testRow(flow.DeviceTypes[i%len(flow.DeviceTypes)], dept,
		flow.DeviceTypes[(i+1)%len(flow.DeviceTypes)], flow.Departments[i%len(flow.Departments)],
		protocol, float64(1000+i), int64(10+i), float64(i)/2, int64(i%24), i%24 >= 9 && i%24 < 17, float64(i%101),
		int64(i%7), i%2 == 0, i%2 == 1, anomaly != flow.Normal, anomaly)
}

// buildFlows builds a table of recs; levels, when not nil, replaces the
// protocol column's starting levels (the others keep the notebook's).
func buildFlows(t testing.TB, protocolLevels []string, recs ...flowRow) *flow.Table {
	t.Helper()
	b := newBuilder(len(recs))
	if protocolLevels != nil {
		b.f.Protocol.Levels = slices.Clone(protocolLevels)
		clear(b.codes[4])
		for i, l := range protocolLevels {
			b.codes[4][l] = uint16(i)
		}
	}
	for i, rec := range recs {
		if col, err := b.add(&rec); err != nil {
			t.Fatalf("record %d: %s: %v", i, col, err)
		}
	}
	return b.f
}

func TestAppendRows(t *testing.T) {
	// dst has the notebook's levels plus a protocol "GRE" and a department
	// "legal"; src lists its protocols in another order, shares "GRE", adds
	// "QUIC" and "SCTP" (only "QUIC" used) and a department "ops".
	dst := func(t testing.TB) *flow.Table {
		return buildFlows(t, nil, testRecord(0, "TCP", "hr"), testRecord(1, "GRE", "legal"), testRecord(2, "UDP", "it"))
	}
	src := buildFlows(t, []string{"SCTP", "UDP", "GRE", "TCP", "ICMP", "QUIC"},
		testRecord(10, "QUIC", "ops"), testRecord(11, "TCP", "hr"), testRecord(12, "GRE", "sales"), testRecord(13, "ICMP", "ops"))
	srcRecs := tableRows(src)

	for _, tc := range []struct {
		name string
		rows []int
	}{
		{"nil", nil},
		{"empty", []int{}},
		{"one", []int{0}},
		{"all", []int{0, 1, 2, 3}},
		{"reordered and repeated", []int{3, 0, 3, 3, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := dst(t)
			before := tableRows(f)
			oldProtocols, oldDepartments := slices.Clone(f.Protocol.Levels), slices.Clone(f.SrcDepartment.Levels)
			f.AppendRows(src, tc.rows)

			want := slices.Clone(before)
			for _, r := range tc.rows {
				want = append(want, srcRecs[r])
			}
			if diff := cmp.Diff(want, tableRows(f)); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
			if err := f.Check(); err != nil {
				t.Errorf("Check after AppendRows: %v", err)
			}
			// Existing levels keep their codes; src's missing levels follow
			// in src's order, used or not; no rows change nothing.
			wantProtocols, wantDepartments := oldProtocols, oldDepartments
			if len(tc.rows) > 0 {
				wantProtocols = append(slices.Clone(oldProtocols), "SCTP", "QUIC")
				wantDepartments = append(slices.Clone(oldDepartments), "ops")
			}
			if diff := cmp.Diff(wantProtocols, f.Protocol.Levels); diff != "" {
				t.Errorf("protocol levels mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantDepartments, f.SrcDepartment.Levels); diff != "" {
				t.Errorf("src_department levels mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(dst(t).Protocol.Codes, f.Protocol.Codes[:len(before)]); diff != "" {
				t.Errorf("existing protocol codes changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendRowsSameLevels(t *testing.T) {
	src := buildFlows(t, nil, testRecord(0, "TCP", "hr"), testRecord(1, "ICMP", "it"), testRecord(2, "UDP", "sales"))
	f := buildFlows(t, nil, testRecord(5, "UDP", "hr"))
	levels := slices.Clone(f.Protocol.Levels)
	f.AppendRows(src, []int{2, 2, 0})
	if diff := cmp.Diff(levels, f.Protocol.Levels); diff != "" {
		t.Errorf("levels changed (-want +got):\n%s", diff)
	}
	want := []uint16{1, 1, 1, 0} // UDP, UDP, UDP, TCP
	if diff := cmp.Diff(want, f.Protocol.Codes); diff != "" {
		t.Errorf("codes mismatch (-want +got):\n%s", diff)
	}
	if err := f.Check(); err != nil {
		t.Error(err)
	}
}

// TestAppendRowsSelf: a table may append its own rows.
func TestAppendRowsSelf(t *testing.T) {
	f := buildFlows(t, nil, testRecord(0, "TCP", "hr"), testRecord(1, "ICMP", "it"))
	want := tableRows(f)
	want = append(want, want[1], want[0], want[1])
	f.AppendRows(f, []int{1, 0, 1})
	if diff := cmp.Diff(want, tableRows(f)); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if err := f.Check(); err != nil {
		t.Error(err)
	}
}

// TestAppendRowsZeroFlows: a zero flow.Table takes src's levels.
func TestAppendRowsZeroFlows(t *testing.T) {
	src := buildFlows(t, []string{"UDP", "TCP"}, testRecord(0, "TCP", "hr"), testRecord(1, "UDP", "it"))
	var f flow.Table
	f.AppendRows(src, []int{1, 0})
	if diff := cmp.Diff(src.Protocol.Levels, f.Protocol.Levels); diff != "" {
		t.Errorf("levels mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]flowRow{tableRows(src)[1], tableRows(src)[0]}, tableRows(&f)); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	// f's levels do not alias src's.
	f.AppendRows(buildFlows(t, []string{"GRE"}, testRecord(2, "GRE", "hr")), []int{0})
	if diff := cmp.Diff([]string{"UDP", "TCP"}, src.Protocol.Levels); diff != "" {
		t.Errorf("src levels changed (-want +got):\n%s", diff)
	}
}

func TestAppendRowsOutOfRange(t *testing.T) {
	src := buildFlows(t, nil, testRecord(0, "TCP", "hr"), testRecord(1, "UDP", "it"))
	for _, tc := range []struct {
		rows []int
		want string
	}{
		{[]int{0, 2}, "flow: AppendRows: row 2 out of range [0, 2)"},
		{[]int{1, -1, 5}, "flow: AppendRows: row -1 out of range [0, 2)"},
	} {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			f := buildFlows(t, nil, testRecord(3, "ICMP", "hr"))
			want := tableRows(f)
			defer func() {
				if got := recover(); got != tc.want {
					t.Errorf("panic %v, want %q", got, tc.want)
				}
				// Nothing was appended.
				if diff := cmp.Diff(want, tableRows(f)); diff != "" {
					t.Errorf("rows changed (-want +got):\n%s", diff)
				}
				if err := f.Check(); err != nil {
					t.Error(err)
				}
			}()
			f.AppendRows(src, tc.rows)
		})
	}
}

// TestAppendRowsTooManyLevels: a column that would hold more than
// flow.MaxLevels levels panics, and f is unchanged, levels included.
func TestAppendRowsTooManyLevels(t *testing.T) {
	src := buildFlows(t, []string{"TCP", "UDP", "ICMP", "GRE"}, testRecord(0, "GRE", "hr"))
	for i := range flow.MaxLevels - len(flow.AnomalyTypes) {
		src.AnomalyType.Levels = append(src.AnomalyType.Levels, fmt.Sprint("type", i))
	}
	f := buildFlows(t, nil, testRecord(1, "TCP", "it"))
	f.AnomalyType.Levels = append(f.AnomalyType.Levels, "other")
	want := tableRows(f)
	wantProtocols, wantTypes := slices.Clone(f.Protocol.Levels), slices.Clone(f.AnomalyType.Levels)
	defer func() {
		const msg = "flow: AppendRows: column anomaly_type: more than 65536 distinct values"
		if got := recover(); got != msg {
			t.Errorf("panic %v, want %q", got, msg)
		}
		if diff := cmp.Diff(want, tableRows(f)); diff != "" {
			t.Errorf("rows changed (-want +got):\n%s", diff)
		}
		if !slices.Equal(wantProtocols, f.Protocol.Levels) || !slices.Equal(wantTypes, f.AnomalyType.Levels) {
			t.Errorf("levels changed: protocol %q, anomaly_type %d levels", f.Protocol.Levels, len(f.AnomalyType.Levels))
		}
	}()
	f.AppendRows(src, []int{0})
}

func TestRows(t *testing.T) {
	g, err := synth.Generate(synth.Config{Generator: synth.GeneratorNotebook, Flows: 500, AnomalyRate: 0.1,
		AnomalyMix: map[string]float64{flow.CryptoMining: 0.5, flow.LateralMovement: 0.5}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, g.Len())
	for i := range all {
		all[i] = i
	}
	// All rows of a generated table give the same table.
	if diff := cmp.Diff(g, g.Rows(all), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Rows(all) differs (-want +got):\n%s", diff)
	}
	// No rows give an empty table with the notebook's levels.
	empty := g.Rows(nil)
	if diff := cmp.Diff(flow.New(0), empty, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Rows(nil) differs from flow.New(0) (-want +got):\n%s", diff)
	}
	if err := empty.Check(); err != nil {
		t.Error(err)
	}

	rows := []int{499, 0, 7, 7, 250}
	sub := g.Rows(rows)
	recs := tableRows(g)
	var want []flowRow
	for _, r := range rows {
		want = append(want, recs[r])
	}
	if diff := cmp.Diff(want, tableRows(sub)); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if err := sub.Check(); err != nil {
		t.Error(err)
	}
	// The new table does not share storage with g.
	sub.BytesSent[0], sub.Protocol.Codes[0] = -1, 0
	sub.Protocol.Levels[0] = "changed"
	if g.BytesSent[499] == -1 || g.Protocol.Levels[0] == "changed" {
		t.Error("Rows shares storage with the table")
	}

	// A table with levels in another order and an extra level: Rows keeps
	// the notebook's levels first, then the extra ones.
	odd := buildFlows(t, []string{"QUIC", "UDP", "TCP", "ICMP"}, testRecord(0, "QUIC", "hr"), testRecord(1, "ICMP", "it"))
	sub = odd.Rows([]int{1, 0})
	if diff := cmp.Diff(append(slices.Clone(flow.Protocols), "QUIC"), sub.Protocol.Levels); diff != "" {
		t.Errorf("levels mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]flowRow{tableRows(odd)[1], tableRows(odd)[0]}, tableRows(sub)); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkAppendRows appends 10,000 scattered rows of a 100,000-flow
// table, with the same levels and with levels to map.
func BenchmarkAppendRows(b *testing.B) {
	src, err := synth.Generate(synth.Config{Generator: synth.GeneratorNotebook, Flows: 100_000, AnomalyRate: 0.05,
		AnomalyMix: map[string]float64{flow.CryptoMining: 0.6, flow.LateralMovement: 0.4}}, 42)
	if err != nil {
		b.Fatal(err)
	}
	rng := newTestRand(1)
	rows := make([]int, 10_000)
	for i := range rows {
		rows[i] = rng.IntN(src.Len())
	}
	b.Run("same levels", func(b *testing.B) {
		for b.Loop() {
			flow.New(0).AppendRows(src, rows)
		}
	})
	b.Run("mapped levels", func(b *testing.B) {
		for b.Loop() {
			f := flow.New(0)
			slices.Reverse(f.Protocol.Levels)
			f.AnomalyType.Levels = append(f.AnomalyType.Levels, "other")
			slices.Reverse(f.AnomalyType.Levels)
			f.AppendRows(src, rows)
		}
	})
}
