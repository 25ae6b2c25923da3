// Package features turns flows into model inputs as the notebook does: the
// 9 engineered features of engineer_features, label encoding of the
// categorical columns (scikit-learn's LabelEncoder: sorted classes), standard
// scaling with the population variance (StandardScaler), and the stratified
// train/test split of train_test_split.
package features

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/segharness/harness/datasets"
)

// Engineer computes the notebook's engineered features:
//
//	bytes_per_second   = bytes_sent / (duration + 1)
//	packets_per_second = packets_sent / (duration + 1)
//	high_cpu           = cpu_usage > 70
//	long_duration      = duration > 3600            (more than an hour)
//	many_ports         = ports_contacted > 5
//	off_hours          = not is_business_hours
//	risk_score         = .3 high_cpu + .2 long_duration + .25 many_ports + .1 off_hours + .15 cross_dept
//	log_bytes          = log10(bytes_sent + 1)
//	log_duration       = log10(duration + 1)
//
// risk_score is summed left to right, as pandas does, so it equals the
// notebook's bit for bit.
func Engineer(f *datasets.Flows) *datasets.Engineered {
	n := f.Len()
	e := &datasets.Engineered{
		BytesPerSecond:   make([]float64, n),
		PacketsPerSecond: make([]float64, n),
		HighCPU:          make([]int64, n),
		LongDuration:     make([]int64, n),
		ManyPorts:        make([]int64, n),
		OffHours:         make([]int64, n),
		RiskScore:        make([]float64, n),
		LogBytes:         make([]float64, n),
		LogDuration:      make([]float64, n),
	}
	for i := range n {
		duration := f.Duration[i]
		e.BytesPerSecond[i] = f.BytesSent[i] / (duration + 1)
		e.PacketsPerSecond[i] = float64(f.PacketsSent[i]) / (duration + 1)
		e.HighCPU[i] = b2i(f.CPUUsage[i] > 70)
		e.LongDuration[i] = b2i(duration > 3600)
		e.ManyPorts[i] = b2i(f.PortsContacted[i] > 5)
		e.OffHours[i] = b2i(!f.IsBusinessHours[i])
		e.RiskScore[i] = float64(e.HighCPU[i])*0.3 +
			float64(e.LongDuration[i])*0.2 +
			float64(e.ManyPorts[i])*0.25 +
			float64(e.OffHours[i])*0.1 +
			float64(b2i(f.CrossDept[i]))*0.15
		e.LogBytes[i] = math.Log10(f.BytesSent[i] + 1)
		e.LogDuration[i] = math.Log10(duration + 1)
	}
	return e
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Names of the label-encoded categorical columns.
const (
	SrcDeviceEncoded = "src_device_encoded"
	DstDeviceEncoded = "dst_device_encoded"
	ProtocolEncoded  = "protocol_encoded"
	SrcDeptEncoded   = "src_dept_encoded"
	DstDeptEncoded   = "dst_dept_encoded"
)

// encodedSource maps an encoded column to the categorical column it encodes.
var encodedSource = map[string]string{
	SrcDeviceEncoded: datasets.ColSrcDeviceType,
	DstDeviceEncoded: datasets.ColDstDeviceType,
	ProtocolEncoded:  datasets.ColProtocol,
	SrcDeptEncoded:   datasets.ColSrcDepartment,
	DstDeptEncoded:   datasets.ColDstDepartment,
}

// Named feature sets.
var (
	// NotebookNumeric is preprocess_for_ml's 15 numeric features.
	NotebookNumeric = []string{
		datasets.ColBytesSent, datasets.ColPacketsSent, datasets.ColDuration, datasets.ColCPUUsage,
		datasets.ColPortsContacted, datasets.ColBytesPerSecond, datasets.ColPacketsPerSecond,
		datasets.ColHighCPU, datasets.ColLongDuration, datasets.ColManyPorts, datasets.ColOffHours,
		datasets.ColCrossDept, datasets.ColRiskScore, datasets.ColLogBytes, datasets.ColLogDuration,
	}
	// Encoded is the 5 label-encoded categoricals, in the notebook's order.
	Encoded = []string{SrcDeviceEncoded, DstDeviceEncoded, ProtocolEncoded, SrcDeptEncoded, DstDeptEncoded}
	// Notebook is the notebook's 20-column matrix: NotebookNumeric then Encoded.
	Notebook = slices.Concat(NotebookNumeric, Encoded)
	// Raw is the generated columns without any engineering: the numeric and
	// boolean flow columns and the encoded categoricals.
	Raw = slices.Concat([]string{
		datasets.ColBytesSent, datasets.ColPacketsSent, datasets.ColDuration, datasets.ColHour,
		datasets.ColIsBusinessHours, datasets.ColCPUUsage, datasets.ColPortsContacted,
		datasets.ColSameDept, datasets.ColCrossDept,
	}, Encoded)
	// Sets maps the names accepted for `features:` to their columns.
	Sets = map[string][]string{"notebook": Notebook, "notebook_numeric": NotebookNumeric, "raw": Raw}
)

// Columns lists every column a feature list may name: the numeric and
// boolean flow columns, the engineered features and the encoded categoricals.
var Columns = slices.Concat(Raw[:9], datasets.EngineeredColumns, Encoded)

// SetNames returns the names of Sets, sorted.
func SetNames() []string {
	names := make([]string, 0, len(Sets))
	for k := range Sets {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Resolve expands a feature list: a single set name gives that set's
// columns; otherwise every entry must be one of Columns, without repeats.
func Resolve(list []string) ([]string, error) {
	if len(list) == 1 {
		if set, ok := Sets[list[0]]; ok {
			return slices.Clone(set), nil
		}
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("features: empty feature list")
	}
	seen := map[string]bool{}
	for _, c := range list {
		if !slices.Contains(Columns, c) {
			return nil, fmt.Errorf("features: unknown column %q (want a set, one of %s, or columns from %s)",
				c, strings.Join(SetNames(), ", "), strings.Join(Columns, ", "))
		}
		if seen[c] {
			return nil, fmt.Errorf("features: column %q listed twice", c)
		}
		seen[c] = true
	}
	return slices.Clone(list), nil
}
