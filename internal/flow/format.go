package flow

// File formats of a flow file: datasets.Load reads both, and an experiment
// file's data.format names one.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)
