// Package featureset names the model inputs an experiment may ask for: the
// columns a feature list may name (the numeric and boolean flow columns,
// the notebook's engineered features, the label-encoded categoricals) and
// the named sets of them (notebook, notebook_numeric, raw). It is the
// declarative half of internal/features, which computes those columns; the
// experiment parser reads it without linking the rest.
package featureset

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/segharness/harness/internal/flow"
)

// Names of the label-encoded categorical columns.
const (
	SrcDeviceEncoded = "src_device_encoded"
	DstDeviceEncoded = "dst_device_encoded"
	ProtocolEncoded  = "protocol_encoded"
	SrcDeptEncoded   = "src_dept_encoded"
	DstDeptEncoded   = "dst_dept_encoded"
)

// EncodedSource maps an encoded column to the categorical column it
// encodes.
var EncodedSource = map[string]string{
	SrcDeviceEncoded: flow.ColSrcDeviceType,
	DstDeviceEncoded: flow.ColDstDeviceType,
	ProtocolEncoded:  flow.ColProtocol,
	SrcDeptEncoded:   flow.ColSrcDepartment,
	DstDeptEncoded:   flow.ColDstDepartment,
}

// Named feature sets.
var (
	// NotebookNumeric is preprocess_for_ml's 15 numeric features.
	NotebookNumeric = []string{
		flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration, flow.ColCPUUsage,
		flow.ColPortsContacted, flow.ColBytesPerSecond, flow.ColPacketsPerSecond,
		flow.ColHighCPU, flow.ColLongDuration, flow.ColManyPorts, flow.ColOffHours,
		flow.ColCrossDept, flow.ColRiskScore, flow.ColLogBytes, flow.ColLogDuration,
	}
	// Encoded is the 5 label-encoded categoricals, in the notebook's order.
	Encoded = []string{SrcDeviceEncoded, DstDeviceEncoded, ProtocolEncoded, SrcDeptEncoded, DstDeptEncoded}
	// Notebook is the notebook's 20-column matrix: NotebookNumeric then Encoded.
	Notebook = slices.Concat(NotebookNumeric, Encoded)
	// Raw is the generated columns without any engineering: the numeric and
	// boolean flow columns and the encoded categoricals.
	Raw = slices.Concat([]string{
		flow.ColBytesSent, flow.ColPacketsSent, flow.ColDuration, flow.ColHour,
		flow.ColIsBusinessHours, flow.ColCPUUsage, flow.ColPortsContacted,
		flow.ColSameDept, flow.ColCrossDept,
	}, Encoded)
	// Sets maps the names accepted for `features:` to their columns.
	Sets = map[string][]string{"notebook": Notebook, "notebook_numeric": NotebookNumeric, "raw": Raw}
)

// Columns lists every column a feature list may name: the numeric and
// boolean flow columns, the engineered features and the encoded categoricals.
var Columns = slices.Concat(Raw[:9], flow.EngineeredColumns, Encoded)

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
