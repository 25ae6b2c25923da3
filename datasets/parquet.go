package datasets

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// FormatVersion identifies the layout of dataset.parquet. It is stored in
// the file's key-value metadata under "segharness.dataset".
const FormatVersion = "1"

// record is one row of dataset.parquet. Field order is file column order;
// tags give the notebook's column names.
type record struct {
	FlowID           int64   `parquet:"flow_id"`
	SrcDeviceType    string  `parquet:"src_device_type,dict"`
	SrcDepartment    string  `parquet:"src_department,dict"`
	DstDeviceType    string  `parquet:"dst_device_type,dict"`
	DstDepartment    string  `parquet:"dst_department,dict"`
	Protocol         string  `parquet:"protocol,dict"`
	BytesSent        float64 `parquet:"bytes_sent"`
	PacketsSent      int64   `parquet:"packets_sent"`
	Duration         float64 `parquet:"duration"`
	Hour             int64   `parquet:"hour"`
	IsBusinessHours  bool    `parquet:"is_business_hours"`
	CPUUsage         float64 `parquet:"cpu_usage"`
	PortsContacted   int64   `parquet:"ports_contacted"`
	SameDept         bool    `parquet:"same_dept"`
	CrossDept        bool    `parquet:"cross_dept"`
	IsAnomaly        bool    `parquet:"is_anomaly"`
	AnomalyType      string  `parquet:"anomaly_type,dict"`
	BytesPerSecond   float64 `parquet:"bytes_per_second"`
	PacketsPerSecond float64 `parquet:"packets_per_second"`
	HighCPU          int64   `parquet:"high_cpu"`
	LongDuration     int64   `parquet:"long_duration"`
	ManyPorts        int64   `parquet:"many_ports"`
	OffHours         int64   `parquet:"off_hours"`
	RiskScore        float64 `parquet:"risk_score"`
	LogBytes         float64 `parquet:"log_bytes"`
	LogDuration      float64 `parquet:"log_duration"`
	Split            string  `parquet:"split,dict"`
}

// flowRecord is the subset of columns read when importing flows.
type flowRecord struct {
	SrcDeviceType   string  `parquet:"src_device_type"`
	SrcDepartment   string  `parquet:"src_department"`
	DstDeviceType   string  `parquet:"dst_device_type"`
	DstDepartment   string  `parquet:"dst_department"`
	Protocol        string  `parquet:"protocol"`
	BytesSent       float64 `parquet:"bytes_sent"`
	PacketsSent     int64   `parquet:"packets_sent"`
	Duration        float64 `parquet:"duration"`
	Hour            int64   `parquet:"hour"`
	IsBusinessHours bool    `parquet:"is_business_hours"`
	CPUUsage        float64 `parquet:"cpu_usage"`
	PortsContacted  int64   `parquet:"ports_contacted"`
	SameDept        bool    `parquet:"same_dept"`
	CrossDept       bool    `parquet:"cross_dept"`
	IsAnomaly       bool    `parquet:"is_anomaly"`
	AnomalyType     string  `parquet:"anomaly_type"`
}

// batchRows is the number of rows converted and written at a time.
const batchRows = 4096

// rowGroupRows bounds a row group, so that readers (DuckDB, Spark) can split
// a large file across threads.
const rowGroupRows = 1 << 17

// WriteDataset writes ds as Parquet to w: one row per flow with flow_id (the
// row's index), the flow columns, the engineered features and the split.
// String columns are dictionary-encoded, pages Zstandard-compressed. The
// bytes written depend only on ds.
func WriteDataset(w io.Writer, ds *Dataset) error {
	if err := ds.check(); err != nil {
		return err
	}
	f, e := ds.Flows, ds.Engineered
	pw := parquet.NewGenericWriter[record](w,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		// The library omits the space before "(build": the version carries it.
		parquet.CreatedBy("segharness", FormatVersion+" ", "dataset"),
		parquet.KeyValueMetadata("segharness.dataset", FormatVersion),
	)
	rows := make([]record, batchRows)
	n := f.Len()
	for start := 0; start < n; start += batchRows {
		batch := rows[:min(batchRows, n-start)]
		for j := range batch {
			i := start + j
			batch[j] = record{
				FlowID:           int64(i),
				SrcDeviceType:    f.SrcDeviceType.Value(i),
				SrcDepartment:    f.SrcDepartment.Value(i),
				DstDeviceType:    f.DstDeviceType.Value(i),
				DstDepartment:    f.DstDepartment.Value(i),
				Protocol:         f.Protocol.Value(i),
				BytesSent:        f.BytesSent[i],
				PacketsSent:      f.PacketsSent[i],
				Duration:         f.Duration[i],
				Hour:             f.Hour[i],
				IsBusinessHours:  f.IsBusinessHours[i],
				CPUUsage:         f.CPUUsage[i],
				PortsContacted:   f.PortsContacted[i],
				SameDept:         f.SameDept[i],
				CrossDept:        f.CrossDept[i],
				IsAnomaly:        f.IsAnomaly[i],
				AnomalyType:      f.AnomalyType.Value(i),
				BytesPerSecond:   e.BytesPerSecond[i],
				PacketsPerSecond: e.PacketsPerSecond[i],
				HighCPU:          e.HighCPU[i],
				LongDuration:     e.LongDuration[i],
				ManyPorts:        e.ManyPorts[i],
				OffHours:         e.OffHours[i],
				RiskScore:        e.RiskScore[i],
				LogBytes:         e.LogBytes[i],
				LogDuration:      e.LogDuration[i],
				Split:            ds.Split[i].String(),
			}
		}
		if _, err := pw.Write(batch); err != nil {
			return fmt.Errorf("datasets: writing parquet: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("datasets: writing parquet: %w", err)
	}
	return nil
}

// check reports a dataset whose parts are missing or of different lengths.
func (ds *Dataset) check() error {
	if ds.Flows == nil || ds.Engineered == nil {
		return errors.New("datasets: dataset without flows or engineered features")
	}
	n := ds.Flows.Len()
	e := ds.Engineered
	for _, l := range []int{
		len(e.BytesPerSecond), len(e.PacketsPerSecond), len(e.HighCPU), len(e.LongDuration),
		len(e.ManyPorts), len(e.OffHours), len(e.RiskScore), len(e.LogBytes), len(e.LogDuration),
		len(ds.Split),
	} {
		if l != n {
			return fmt.Errorf("datasets: dataset columns of length %d and %d", n, l)
		}
	}
	for i, s := range ds.Split {
		if s != Train && s != Test {
			return fmt.Errorf("datasets: flow %d has no split", i)
		}
	}
	return nil
}

// ReadDataset reads a file written by WriteDataset. name is used in errors.
func ReadDataset(r io.ReaderAt, size int64, name string) (*Dataset, error) {
	file, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	if err := requireColumns(file.Schema(), parquet.SchemaOf(record{}), name); err != nil {
		return nil, err
	}
	n := int(file.NumRows())
	b := newBuilder(n)
	e := &Engineered{
		BytesPerSecond: make([]float64, n), PacketsPerSecond: make([]float64, n),
		HighCPU: make([]int64, n), LongDuration: make([]int64, n), ManyPorts: make([]int64, n),
		OffHours: make([]int64, n), RiskScore: make([]float64, n), LogBytes: make([]float64, n),
		LogDuration: make([]float64, n),
	}
	split := make([]Split, n)
	pr := parquet.NewGenericReader[record](file)
	defer pr.Close()
	rows := make([]record, batchRows)
	i := 0
	for i < n {
		k, err := pr.Read(rows)
		for _, rec := range rows[:k] {
			if rec.FlowID != int64(i) {
				return nil, fmt.Errorf("%s: row %d: flow_id %d, want %d", name, i, rec.FlowID, i)
			}
			if col, err := b.add(flowRecord{
				rec.SrcDeviceType, rec.SrcDepartment, rec.DstDeviceType, rec.DstDepartment, rec.Protocol,
				rec.BytesSent, rec.PacketsSent, rec.Duration, rec.Hour, rec.IsBusinessHours, rec.CPUUsage,
				rec.PortsContacted, rec.SameDept, rec.CrossDept, rec.IsAnomaly, rec.AnomalyType,
			}); err != nil {
				return nil, fmt.Errorf("%s: row %d: %s: %w", name, i, col, err)
			}
			e.BytesPerSecond[i], e.PacketsPerSecond[i] = rec.BytesPerSecond, rec.PacketsPerSecond
			e.HighCPU[i], e.LongDuration[i], e.ManyPorts[i], e.OffHours[i] = rec.HighCPU, rec.LongDuration, rec.ManyPorts, rec.OffHours
			e.RiskScore[i], e.LogBytes[i], e.LogDuration[i] = rec.RiskScore, rec.LogBytes, rec.LogDuration
			switch rec.Split {
			case "train":
				split[i] = Train
			case "test":
				split[i] = Test
			default:
				return nil, fmt.Errorf("%s: row %d: split %q, want train or test", name, i, rec.Split)
			}
			i++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if i != n {
		return nil, fmt.Errorf("%s: read %d rows of %d", name, i, n)
	}
	return &Dataset{Flows: b.f, Engineered: e, Split: split}, nil
}

// readFlowsParquet reads the flow columns of a Parquet file in the harness's
// schema; other columns are ignored.
func readFlowsParquet(r io.ReaderAt, size int64, name string) (*Flows, error) {
	file, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	var unknown []string
	for _, field := range file.Schema().Fields() {
		if !knownColumn(field.Name()) {
			unknown = append(unknown, strconv.Quote(field.Name()))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s: unknown columns %s (the harness's schema has %s)",
			name, strings.Join(unknown, ", "), strings.Join(FlowColumns, ", "))
	}
	if err := requireColumns(file.Schema(), parquet.SchemaOf(flowRecord{}), name); err != nil {
		return nil, err
	}
	n := int(file.NumRows())
	b := newBuilder(n)
	pr := parquet.NewGenericReader[flowRecord](file)
	defer pr.Close()
	rows := make([]flowRecord, batchRows)
	i := 0
	for i < n {
		k, err := pr.Read(rows)
		for _, rec := range rows[:k] {
			if col, err := b.add(rec); err != nil {
				return nil, fmt.Errorf("%s: row %d: %s: %w", name, i, col, err)
			}
			i++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if i != n {
		return nil, fmt.Errorf("%s: read %d rows of %d", name, i, n)
	}
	return b.f, nil
}

// requireColumns checks that every column of want is a required (non-null)
// column of got with the same physical type, and names those that are not.
func requireColumns(got, want *parquet.Schema, name string) error {
	var problems []string
	for _, field := range want.Fields() {
		col := field.Name()
		gf, ok := fieldByName(got, col)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing column %q", col))
		case !gf.Leaf():
			problems = append(problems, fmt.Sprintf("column %q is a group, want %s", col, field.Type()))
		case gf.Optional() || gf.Repeated():
			problems = append(problems, fmt.Sprintf("column %q may hold nulls or lists; want required %s", col, field.Type()))
		case gf.Type().Kind() != field.Type().Kind():
			problems = append(problems, fmt.Sprintf("column %q has type %s, want %s", col, gf.Type(), field.Type()))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", name, joinProblems(problems))
	}
	return nil
}

func fieldByName(s *parquet.Schema, name string) (parquet.Field, bool) {
	i := slices.IndexFunc(s.Fields(), func(f parquet.Field) bool { return f.Name() == name })
	if i < 0 {
		return nil, false
	}
	return s.Fields()[i], true
}
