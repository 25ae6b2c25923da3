package tabular

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/segharness/harness/datasets/tabular/tabspec"
)

// fixtureSpec is the mapping of the fixtures in testdata/: a header
// proto,bytes,dur,label with normal, scan (probe) and flood (dos).
func fixtureSpec(files ...string) Spec {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join("testdata", f)
	}
	return Spec{Files: paths, Mapping: tabspec.Mapping{
		Header:      true,
		Label:       "label",
		Normal:      []string{"normal"},
		Categories:  map[string][]string{"dos": {"flood"}, "probe": {"scan"}},
		Numeric:     []string{"bytes", "dur"},
		Categorical: []string{"proto"},
		Roles:       map[string]string{tabspec.RoleProtocol: "proto", tabspec.RoleBytesSent: "bytes", tabspec.RoleDuration: "dur"},
	}}
}

// basicTable is testdata/basic.csv read with fixtureSpec.
func basicTable(file string) *Table {
	return &Table{
		Rows:             4,
		NumericNames:     []string{"bytes", "dur"},
		Numeric:          [][]float64{{100, 200, 300, 50}, {1.5, 0.25, 2, 0}},
		CategoricalNames: []string{"proto"},
		Categorical:      []Column{{Levels: []string{"icmp", "tcp", "udp"}, Codes: []uint32{1, 2, 1, 0}}},
		Label:            Column{Levels: []string{"flood", "normal", "scan"}, Codes: []uint32{1, 2, 0, 1}},
		Category:         Column{Levels: []string{"dos", "normal", "probe"}, Codes: []uint32{1, 2, 0, 1}},
		Anomaly:          []bool{false, true, true, false},
		Source:           []RowSource{{0, 2}, {0, 3}, {0, 4}, {0, 5}},
		Files:            []string{filepath.Join("testdata", file)},
		Roles:            map[string]string{tabspec.RoleProtocol: "proto", tabspec.RoleBytesSent: "bytes", tabspec.RoleDuration: "dur"},
	}
}

// TestReadLayouts: the same four rows written in different ways read
// into the same table.
func TestReadLayouts(t *testing.T) {
	for _, tc := range []struct{ file, format string }{
		{"basic.csv", ""},          // LF
		{"bom.csv", ""},            // UTF-8 byte-order mark: stripped
		{"crlf.csv", ""},           // CRLF line ends: same as LF
		{"bom_crlf_noeol.csv", ""}, // both, and no line end after the last row
		{"basic.csv.gz", ""},       // gzip, told by the extension
		// Names that tell nothing, as published files' often do
		// (kddcup.data_10_percent.gz): the format is declared.
		{"basic_data.gz", tabspec.FormatCSVGzip},
		{"basic_data", tabspec.FormatCSV},
	} {
		file := tc.file
		t.Run(file, func(t *testing.T) {
			spec := fixtureSpec(file)
			spec.Format = tc.format
			tab, rep, err := Read(spec)
			if err != nil {
				t.Fatal(err)
			}
			want := basicTable(file)
			want.Format = tc.format
			if diff := cmp.Diff(want, tab); diff != "" {
				t.Errorf("table (-want +got):\n%s", diff)
			}
			wantReport := &Report{Files: []FileReport{{Path: filepath.Join("testdata", file), Rows: 4, Kept: 4}}, Rows: 4}
			if diff := cmp.Diff(wantReport, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadQuoted: testdata/quoted.csv holds RFC 4180 quoted fields with a
// comma, doubled quotes and a line break; the row after the line break is
// on line 6.
func TestReadQuoted(t *testing.T) {
	tab, _, err := Read(fixtureSpec("quoted.csv"))
	if err != nil {
		t.Fatal(err)
	}
	proto := tab.CategoricalColumn("proto")
	var got []string
	for i := range tab.Rows {
		got = append(got, proto.Value(i))
	}
	want := []string{"tcp, really", `say "hi"`, "multi\nline", "icmp"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proto (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{100, 200, 300, 50}, tab.NumericColumn("bytes")); diff != "" {
		t.Errorf("bytes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]RowSource{{0, 2}, {0, 3}, {0, 4}, {0, 6}}, tab.Source); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if got := tab.Where(3); got != "testdata/quoted.csv:6" {
		t.Errorf("Where(3) = %q", got)
	}
}

// TestReadNoHeader: testdata/noheader.txt has no header; Columns names its
// fields and the last is ignored.
func TestReadNoHeader(t *testing.T) {
	spec := fixtureSpec("noheader.txt")
	spec.Header = false
	spec.Columns = []string{"proto", "bytes", "dur", "label", "difficulty"}
	spec.Ignore = []string{"difficulty"}
	tab, _, err := Read(spec)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RowSource{{0, 1}, {0, 2}}, tab.Source); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]float64{{100, 200}, {1.5, 0.25}}, tab.Numeric); diff != "" {
		t.Errorf("numeric (-want +got):\n%s", diff)
	}
}

// TestReadFiles: files are concatenated in order and each row knows its
// file.
func TestReadFiles(t *testing.T) {
	tab, rep, err := Read(fixtureSpec("basic.csv", "second.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 6 {
		t.Fatalf("%d rows, want 6", tab.Rows)
	}
	if diff := cmp.Diff([]RowSource{{0, 2}, {0, 3}, {0, 4}, {0, 5}, {1, 2}, {1, 3}}, tab.Source); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if got := tab.Where(5); got != "testdata/second.csv:3" {
		t.Errorf("Where(5) = %q", got)
	}
	if diff := cmp.Diff([]float64{100, 200, 300, 50, 1, 2}, tab.NumericColumn("bytes")); diff != "" {
		t.Errorf("bytes (-want +got):\n%s", diff)
	}
	wantFiles := []FileReport{{"testdata/basic.csv", 4, 4}, {"testdata/second.csv", 2, 2}}
	if diff := cmp.Diff(wantFiles, rep.Files); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// TestReadErrors: each fixture's problems, as Read reports them.
func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		edit  func(*Spec)
		want  []string // the lines of the error, exactly
	}{
		{
			name: "empty file", files: []string{"empty.csv"},
			want: []string{"testdata/empty.csv: empty file"},
		},
		{
			name: "empty gzip file", files: []string{"empty.csv.gz"},
			want: []string{"testdata/empty.csv.gz: empty file"},
		},
		{
			name: "header only", files: []string{"header_only.csv"},
			want: []string{"testdata/header_only.csv: no data rows: the file holds only a header"},
		},
		{
			name: "blank lines only", files: []string{"blank.csv"},
			want: []string{"testdata/blank.csv: empty file"},
		},
		{
			name: "no such file", files: []string{"absent.csv"},
			want: []string{"testdata/absent.csv: no such file or directory"},
		},
		{
			name: "not gzip", files: []string{"notgzip.csv.gz"},
			want: []string{"testdata/notgzip.csv.gz: not a valid gzip file: gzip: invalid header"},
		},
		{
			name: "corrupt gzip", files: []string{"corrupt.csv.gz"},
			want: []string{"testdata/corrupt.csv.gz: corrupt gzip data: flate: corrupt input before offset 192"},
		},
		{
			name: "truncated gzip", files: []string{"truncated.csv.gz"},
			want: []string{"testdata/truncated.csv.gz: corrupt gzip data: unexpected EOF"},
		},
		{
			name: "wrong field counts", files: []string{"fieldcount.csv"},
			want: []string{
				"testdata/fieldcount.csv:3: the row has 3 fields, want 4 (as the header has)",
				"testdata/fieldcount.csv:4: the row has 5 fields, want 4 (as the header has)",
			},
		},
		{
			name: "text in numeric columns", files: []string{"numbers.csv"},
			want: []string{
				`testdata/numbers.csv:2:5 (bytes): want a number, got "abc"`,
				`testdata/numbers.csv:3:5 (bytes): want a number, got "1,5"`,
				`testdata/numbers.csv:4:5 (bytes): want a number, got "0x10"`,
				`testdata/numbers.csv:5:5 (bytes): non-finite value "inf"; NonFinite drop or clip accepts non-finite values`,
				`testdata/numbers.csv:6:5 (bytes): non-finite value "nan"; NonFinite drop or clip accepts non-finite values`,
				`testdata/numbers.csv:7:5 (bytes): want a number, got "1_000"`,
				`testdata/numbers.csv:8:5 (bytes): want a number, got "1e999" (out of the range of a 64-bit float)`,
				`testdata/numbers.csv:9:5 (bytes): non-finite value "Infinity"; NonFinite drop or clip accepts non-finite values`,
			},
		},
		{
			name: "missing values, policy error", files: []string{"missing.csv"},
			want: []string{
				"testdata/missing.csv:3:1 (proto): missing value (an empty field); Missing: drop or impute accepts missing values",
				`testdata/missing.csv:4:5 (bytes): missing value ("?"); Missing: drop or impute accepts missing values`,
				`testdata/missing.csv:5:9 (dur): missing value ("NA"); Missing: drop or impute accepts missing values`,
				`testdata/missing.csv:6:5 (bytes): missing value ("NaN"); Missing: drop or impute accepts missing values`,
				`testdata/missing.csv:6:9 (dur): missing value ("null"); Missing: drop or impute accepts missing values`,
			},
		},
		{
			name: "missing labels, policy impute", files: []string{"missing_label.csv"},
			edit: func(s *Spec) { s.Missing = tabspec.MissingImpute },
			want: []string{
				"testdata/missing_label.csv:3:9 (label): missing label (an empty field): labels are never imputed; Missing: drop drops such rows",
				`testdata/missing_label.csv:4:9 (label): missing label ("?"): labels are never imputed; Missing: drop drops such rows`,
			},
		},
		{
			name: "undeclared labels", files: []string{"undeclared.csv"},
			want: []string{
				`label column "label" holds 2 undeclared values; declare each in Normal or in a category:`,
				`	"portscan": 2 rows, first at testdata/undeclared.csv:3`,
				`	"Normal": 1 row, first at testdata/undeclared.csv:5`,
			},
		},
		{
			name: "header with typos", files: []string{"header_typo.csv"},
			want: []string{
				`testdata/header_typo.csv:1: unmapped columns "byts" (did you mean "bytes"?), "Label" (did you mean "label"?): make each the Label or list it in Numeric, Categorical or Ignore; ` +
					`missing columns "label" (did you mean "Label"?), "bytes" (did you mean "byts"?); the file has "proto", "byts", "dur", "Label"`,
			},
		},
		{
			name: "unmapped column", files: []string{"unmapped.csv"},
			want: []string{
				`testdata/unmapped.csv:1: unmapped columns "flow_id": make each the Label or list it in Numeric, Categorical or Ignore`,
			},
		},
		{
			name: "header against Columns", files: []string{"basic.csv"},
			edit: func(s *Spec) { s.Columns = []string{"proto", "dur", "bytes", "label"} },
			want: []string{
				`testdata/basic.csv:1: the header does not match Columns: column 2 is "bytes" in the header, "dur" in Columns`,
			},
		},
		{
			name: "bare quote", files: []string{"bare_quote.csv"},
			want: []string{`testdata/bare_quote.csv:3:3: bare " in non-quoted-field`},
		},
		{
			name: "unterminated quote", files: []string{"unterminated.csv"},
			want: []string{`testdata/unterminated.csv:4:16: extraneous or missing " in quoted-field (in the record that starts on line 3)`},
		},
		{
			name: "every file is read", files: []string{"empty.csv", "fieldcount.csv", "basic.csv", "undeclared.csv"},
			want: []string{
				"testdata/empty.csv: empty file",
				"testdata/fieldcount.csv:3: the row has 3 fields, want 4 (as the header has)",
				"testdata/fieldcount.csv:4: the row has 5 fields, want 4 (as the header has)",
				`label column "label" holds 2 undeclared values; declare each in Normal or in a category:`,
				`	"portscan": 2 rows, first at testdata/undeclared.csv:3`,
				`	"Normal": 1 row, first at testdata/undeclared.csv:5`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := fixtureSpec(tc.files...)
			if tc.edit != nil {
				tc.edit(&spec)
			}
			tab, rep, err := Read(spec)
			if err == nil {
				t.Fatalf("no error; read %d rows", tab.Rows)
			}
			if tab != nil || rep != nil {
				t.Errorf("a table or report with the error")
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadStopsAfterMaxErrors: testdata/many_errors.csv has 25 bad rows;
// Read lists the first 20 and says it stopped.
func TestReadStopsAfterMaxErrors(t *testing.T) {
	_, _, err := Read(fixtureSpec("many_errors.csv"))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T, want ErrorList: %v", err, err)
	}
	if len(list) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d and a note:\n%v", len(list), MaxErrors, err)
	}
	if got, want := list[MaxErrors-1].Error(), `testdata/many_errors.csv:21:5 (bytes): want a number, got "x20"`; got != want {
		t.Errorf("last error %q, want %q", got, want)
	}
	if got, want := list[MaxErrors].Error(), "testdata/many_errors.csv: stopped reading after 20 errors"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 5 || e.Field != "bytes" {
		t.Errorf("first *Error %+v, want line 2, column 5, field bytes", e)
	}
}

// TestUndeclaredLabelsError: the undeclared values are available to
// programs, most frequent first.
func TestUndeclaredLabelsError(t *testing.T) {
	_, _, err := Read(fixtureSpec("undeclared.csv"))
	var u *UndeclaredLabelsError
	if !errors.As(err, &u) {
		t.Fatalf("error %T, want *UndeclaredLabelsError: %v", err, err)
	}
	want := []UndeclaredLabel{{"portscan", 2, "testdata/undeclared.csv:3"}, {"Normal", 1, "testdata/undeclared.csv:5"}}
	if diff := cmp.Diff(want, u.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

// TestReadMissing: testdata/missing.csv under each policy (tabspec.MissingError is
// in TestReadErrors).
func TestReadMissing(t *testing.T) {
	t.Run("drop", func(t *testing.T) {
		spec := fixtureSpec("missing.csv")
		spec.Missing = tabspec.MissingDrop
		tab, rep, err := Read(spec)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([][]float64{{100, 70}, {1.5, 3}}, tab.Numeric); diff != "" {
			t.Errorf("numeric (-want +got):\n%s", diff)
		}
		want := &Report{
			Files: []FileReport{{"testdata/missing.csv", 6, 2}},
			Rows:  2,
			Dropped: []Drop{
				{Reason: "missing value in bytes", Rows: 2, First: "testdata/missing.csv:4"},
				{Reason: "missing value in dur", Rows: 1, First: "testdata/missing.csv:5"},
				{Reason: "missing value in proto", Rows: 1, First: "testdata/missing.csv:3"},
			},
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})
	t.Run("impute", func(t *testing.T) {
		spec := fixtureSpec("missing.csv")
		spec.Missing = tabspec.MissingImpute
		tab, rep, err := Read(spec)
		if err != nil {
			t.Fatal(err)
		}
		// bytes: median of 100, 200, 50, 70 is 85; dur: of 1.5, 0.25, 2, 3 is 1.75.
		wantNum := [][]float64{{100, 200, 85, 50, 85, 70}, {1.5, 0.25, 2, 1.75, 1.75, 3}}
		if diff := cmp.Diff(wantNum, tab.Numeric); diff != "" {
			t.Errorf("numeric (-want +got):\n%s", diff)
		}
		wantProto := Column{Levels: []string{"icmp", "missing", "tcp", "udp"}, Codes: []uint32{2, 1, 2, 0, 3, 2}}
		if diff := cmp.Diff(wantProto, tab.Categorical[0]); diff != "" {
			t.Errorf("proto (-want +got):\n%s", diff)
		}
		want := &Report{
			Files: []FileReport{{"testdata/missing.csv", 6, 6}},
			Rows:  6,
			Imputed: []Imputation{
				{Column: "bytes", Values: 2, With: "85"},
				{Column: "dur", Values: 2, With: "1.75"},
				{Column: "proto", Values: 1, With: "missing"},
			},
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})
	t.Run("drop labels", func(t *testing.T) {
		spec := fixtureSpec("missing_label.csv")
		spec.Missing = tabspec.MissingDrop
		tab, rep, err := Read(spec)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows != 1 {
			t.Errorf("%d rows, want 1", tab.Rows)
		}
		want := []Drop{{Reason: "missing value in label", Rows: 2, First: "testdata/missing_label.csv:3"}}
		if diff := cmp.Diff(want, rep.Dropped); diff != "" {
			t.Errorf("drops (-want +got):\n%s", diff)
		}
	})
	t.Run("custom tokens", func(t *testing.T) {
		// With only "?" meaning missing, an empty field is not a number.
		spec := fixtureSpec("missing.csv")
		spec.MissingTokens = []string{"?"}
		spec.Missing = tabspec.MissingDrop
		_, _, err := Read(spec)
		want := `testdata/missing.csv:5:9 (dur): want a number, got "NA"`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	})
	t.Run("every row dropped", func(t *testing.T) {
		spec := fixtureSpec("missing.csv")
		spec.Missing = tabspec.MissingDrop
		spec.MissingTokens = []string{"", "?", "NA", "NaN", "null", "normal"}
		spec.Normal = []string{"scan"}
		spec.Categories = map[string][]string{"dos": {"flood"}}
		_, _, err := Read(spec)
		want := "tabular: no rows left: all 6 rows read were dropped (2 for missing value in bytes, 1 for missing value in dur, 2 for missing value in label, 1 for missing value in proto)"
		if err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	})
}

// TestParseNumber: the numeric syntax accepted.
func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"-3", -3, true}, {"+1.5e3", 1500, true}, {"-.5", -0.5, true},
		{"5.", 5, true}, {"1E-2", 0.01, true}, {"1e-400", 0, true},
		{"True", 1, true}, {"false", 0, true}, {"TRUE", 1, true},
		{"", 0, false}, {"abc", 0, false}, {"0x10", 0, false}, {"0x1p-2", 0, false},
		{"1_000", 0, false}, {"inf", 0, false}, {"-Inf", 0, false}, {"Infinity", 0, false},
		{"NaN", 0, false}, {"1,5", 0, false}, {"1e999", 0, false}, {"--1", 0, false},
		{"e", 0, false}, {".", 0, false}, {"1 2", 0, false}, {"yes", 0, false},
	} {
		got, ok, _ := parseNumber(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestCheck: every problem of a spec is reported at once.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Spec)
		want []string // substrings, one per problem
	}{
		{"valid", func(*Spec) {}, nil},
		{"no files", func(s *Spec) { s.Files = nil }, []string{"no files"}},
		{"extension", func(s *Spec) { s.Files = []string{"a.json", "b.parquet.gz"} }, []string{
			`file "a.json": cannot tell the format from the extension (want .csv, .txt, .csv.gz, .txt.gz or .parquet); name it with Format`, `file "b.parquet.gz": Parquet files cannot be gzip-compressed`}},
		{"format", func(s *Spec) { s.Files, s.Format = []string{"a.json"}, "json" }, []string{`unknown format "json" (want csv, csv.gz, parquet)`}},
		{"declared format", func(s *Spec) { s.Files, s.Format = []string{"a.json", "b.parquet.gz"}, tabspec.FormatCSV }, nil},
		{"no label", func(s *Spec) { s.Label = "" }, []string{"no label column"}},
		{"twice", func(s *Spec) { s.Numeric = append(s.Numeric, "bytes", "proto", "label") }, []string{
			`column "bytes" is listed twice in Numeric`, `column "proto" is both numeric and categorical`,
			`column "label" is both the label and numeric`}},
		{"no columns", func(s *Spec) { s.Header = false }, []string{"no header and no Columns"}},
		{"columns", func(s *Spec) { s.Columns = []string{"proto", "byte", "dur", "label", "label", "x"} }, []string{
			`column "label" appears twice in Columns`, `unmapped columns "byte", "x"`,
			`column "bytes" is numeric but not in Columns (did you mean "byte"?)`}},
		{"normal", func(s *Spec) { s.Normal = nil }, []string{"no normal label values"}},
		{"labels", func(s *Spec) {
			s.Categories = map[string][]string{"dos": {"flood", "normal"}, "probe": {"?"}, "normal": {"x"}, "empty": nil}
		}, []string{
			`label value "normal" is in both Normal and category dos`, `category "empty" has no label values`,
			`category "normal" is reserved`, `label value "?" (category probe) is a missing-value token`}},
		{"roles", func(s *Spec) {
			s.Roles = map[string]string{"duratoin": "dur", tabspec.RoleHour: "label", tabspec.RoleCPUUsage: "cpu"}
		}, []string{
			`role cpu_usage: column "cpu" is unmapped`, `unknown role "duratoin" (did you mean "duration"?)`,
			`role hour: column "label" is the label`}},
		{"policy", func(s *Spec) { s.Missing = "skip" }, []string{`Missing "skip": want error, drop or impute`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := fixtureSpec("basic.csv")
			tc.edit(&spec)
			err := spec.Check()
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *SpecError", err, err)
			}
			if len(se.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", len(se.Problems), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if _, _, rerr := Read(spec); rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("Read's error %v differs from Check's", rerr)
			}
		})
	}
}

// TestNonFinite reads a CICFlowMeter-like table (column names with spaces
// and slashes, a rate column holding Infinity, -Infinity and NaN, which
// is a missing token and imputed) under each non-finite policy.
func TestNonFinite(t *testing.T) {
	spec := func(policy string) Spec {
		return Spec{Files: []string{filepath.Join("testdata", "cicflow.csv")}, Mapping: tabspec.Mapping{
			Header: true, Label: "Label", Normal: []string{"BENIGN"},
			Categories: map[string][]string{"dos": {"DDoS"}, "probe": {"PortScan"}},
			Numeric:    []string{"Flow Duration", "Total Fwd Packets", "Flow Bytes/s"}, Categorical: []string{"Protocol"},
			Missing: tabspec.MissingImpute, NonFinite: policy,
		}}
	}
	// error (the default): each infinity at its position.
	_, _, err := Read(spec(""))
	want := []string{
		`testdata/cicflow.csv:3:8 (Flow Bytes/s): non-finite value "Infinity"; NonFinite drop or clip accepts non-finite values`,
		`testdata/cicflow.csv:4:10 (Flow Bytes/s): non-finite value "-Infinity"; NonFinite drop or clip accepts non-finite values`,
	}
	if diff := cmp.Diff(want, errorLines(err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}

	// drop: the two rows go, counted; the NaN is imputed with the median
	// of the rows kept (500.5 and 1500).
	tab, rep, err := Read(spec(tabspec.NonFiniteDrop))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{500.5, 1500, 1000.25}, tab.NumericColumn("Flow Bytes/s")); diff != "" {
		t.Errorf("drop: Flow Bytes/s (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Drop{{Reason: "non-finite value in Flow Bytes/s", Rows: 2, First: "testdata/cicflow.csv:3"}}, rep.Dropped); diff != "" {
		t.Errorf("drop: report (-want +got):\n%s", diff)
	}

	// clip: +Inf to the column's largest finite value (1500), -Inf to its
	// smallest (500.5), then the NaN imputed with the median of
	// 500.5, 1500, 500.5, 1500.
	tab, rep, err = Read(spec(tabspec.NonFiniteClip))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{500.5, 1500, 500.5, 1500, 1000.25}, tab.NumericColumn("Flow Bytes/s")); diff != "" {
		t.Errorf("clip: Flow Bytes/s (-want +got):\n%s", diff)
	}
	wantClips := []Clip{{Column: "Flow Bytes/s", Infinity: "+Inf", Values: 1, With: "1500"}, {Column: "Flow Bytes/s", Infinity: "-Inf", Values: 1, With: "500.5"}}
	if diff := cmp.Diff(wantClips, rep.Clipped); diff != "" {
		t.Errorf("clip: report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Imputation{{Column: "Flow Bytes/s", Values: 1, With: "1000.25"}}, rep.Imputed); diff != "" {
		t.Errorf("clip: imputations (-want +got):\n%s", diff)
	}

	// clip cannot clip a NaN that is not missing.
	s := spec(tabspec.NonFiniteClip)
	s.MissingTokens = []string{""}
	_, _, err = Read(s)
	if got := errorLines(err); len(got) != 1 || !strings.Contains(got[0], `cicflow.csv:6:6 (Flow Bytes/s): non-finite value "NaN", which NonFinite clip cannot clip`) {
		t.Errorf("clip with a NaN that is not missing: %q", got)
	}
}

func TestNonFiniteToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"inf", math.Inf(1), true}, {"Infinity", math.Inf(1), true}, {"+INF", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true}, {"-inf", math.Inf(-1), true},
		{"nan", math.NaN(), true}, {"NaN", math.NaN(), true},
		{"-nan", 0, false}, {"infinit", 0, false}, {"", 0, false}, {"+", 0, false}, {"1e999", 0, false},
	} {
		got, ok := nonFiniteToken(tc.in)
		if ok != tc.ok || !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("nonFiniteToken(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// errorLines splits err's message into its lines; none for nil.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}
