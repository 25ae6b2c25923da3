package rundir

import (
	"io"

	"github.com/segharness/harness/internal/monitor"
)

// The monitoring simulation's tables (internal/monitor). Times are minutes
// since the start of the simulation.

// WriteMonitorWindows writes rows as monitoring.parquet.
func WriteMonitorWindows(w io.Writer, rows []monitor.Window) error {
	return writeTable(w, "monitoring", "MonitorWindow", rows)
}

// WriteMonitorDrift writes rows as drift.parquet.
func WriteMonitorDrift(w io.Writer, rows []monitor.Drift) error {
	return writeTable(w, "drift", "MonitorDrift", rows)
}

// WriteMonitorIncidents writes rows as incidents.parquet.
func WriteMonitorIncidents(w io.Writer, rows []monitor.Incident) error {
	return writeTable(w, "incidents", "MonitorIncident", rows)
}

// WriteMonitorEvents writes rows as events.parquet.
func WriteMonitorEvents(w io.Writer, rows []monitor.Event) error {
	return writeTable(w, "events", "MonitorEvent", rows)
}

// WriteMonitorFlows writes rows as monitoring_flows.parquet.
func WriteMonitorFlows(w io.Writer, rows []monitor.FlowScore) error {
	return writeTable(w, "monitoring_flows", "MonitorFlow", rows)
}

// ReadMonitorWindows reads monitoring.parquet as written by
// WriteMonitorWindows. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorWindows(r io.ReaderAt, size int64, name string) ([]monitor.Window, error) {
	return readFixed[monitor.Window](r, size, name, "monitoring")
}

// ReadMonitorDrift reads drift.parquet as written by WriteMonitorDrift.
// name is used in error messages; the columns are checked as in
// ReadPredictions.
func ReadMonitorDrift(r io.ReaderAt, size int64, name string) ([]monitor.Drift, error) {
	return readFixed[monitor.Drift](r, size, name, "drift")
}

// ReadMonitorIncidents reads incidents.parquet as written by
// WriteMonitorIncidents. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorIncidents(r io.ReaderAt, size int64, name string) ([]monitor.Incident, error) {
	return readFixed[monitor.Incident](r, size, name, "incidents")
}

// ReadMonitorEvents reads events.parquet as written by WriteMonitorEvents.
// name is used in error messages; the columns are checked as in
// ReadPredictions.
func ReadMonitorEvents(r io.ReaderAt, size int64, name string) ([]monitor.Event, error) {
	return readFixed[monitor.Event](r, size, name, "events")
}

// ReadMonitorFlows reads monitoring_flows.parquet as written by
// WriteMonitorFlows. name is used in error messages; the columns are
// checked as in ReadPredictions.
func ReadMonitorFlows(r io.ReaderAt, size int64, name string) ([]monitor.FlowScore, error) {
	return readFixed[monitor.FlowScore](r, size, name, "monitoring_flows")
}
