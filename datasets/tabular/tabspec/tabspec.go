// Package tabspec declares what datasets/tabular reads, without reading
// anything: the Mapping of a flow table's columns, the column roles, the
// missing-value policies and the presets (NSL-KDD). The experiment parser
// checks an experiment's data.table against it without linking the reader
// and its Parquet code.
package tabspec

import (
	"maps"
	"slices"
)

// Mapping is the meaning of a flow table's columns, everything a
// tabular.Spec declares but its files: which column is the label, which
// label values are normal traffic and which attack category every other
// value belongs to, which columns are numeric or categorical features and
// which are ignored, the roles some columns play, and the missing-value
// policy. tabular.Spec embeds it; so does an experiment file's data.table.
type Mapping struct {
	// Header says that the first line of each CSV file names its columns.
	// Header names are compared after trimming surrounding white space.
	// Parquet files always name their columns; Header does not apply.
	Header bool

	// Columns are the column names in file order. Without a header they
	// are required: they name the CSV fields. With a header they are
	// optional and, when given, each file's header must equal them.
	// Parquet files name their columns, so Columns is not used for them.
	Columns []string

	// Label is the column holding each row's class.
	Label string

	// Normal are the label values that mean normal traffic.
	Normal []string

	// Categories maps each attack category to its label values (for
	// example dos: neptune, smurf, ...). Every label value in the data
	// must be in Normal or in exactly one category; any other value makes
	// tabular.Read fail, listing each undeclared value with its count and the
	// position of its first row. The name "normal" is reserved for the
	// Category of normal rows.
	Categories map[string][]string

	// Numeric are the numeric feature columns, Categorical the
	// categorical ones. Ignore are columns present in the files but not
	// used (NSL-KDD's difficulty, say): they are not parsed at all.
	//
	// Every column of every file must be the Label or in exactly one of
	// Numeric, Categorical and Ignore, so that a column is never skipped
	// by accident; and every column named here must be in every file.
	Numeric     []string
	Categorical []string
	Ignore      []string

	// Roles names, for some of the notebook's engineered features, the
	// column that plays each role: role -> column. The roles are those of
	// KnownRoles; each column must also be listed in Numeric or
	// Categorical. Optional; the reader only checks and passes it on.
	Roles map[string]string

	// RoleScales gives the unit of a numeric role's column: the factor
	// that turns its values into the role's unit (seconds for duration,
	// bytes for bytes_sent; 1e-6 for a duration in microseconds, as
	// CICFlowMeter writes it). A role without one is in the role's unit.
	// The engineered features the roles feed see the scaled values; the
	// column as a feature is unchanged (it is standardised anyway).
	RoleScales map[string]float64

	// Missing is the policy for missing values (see MissingTokens):
	// MissingError (the default when empty), MissingDrop or MissingImpute.
	Missing string

	// MissingTokens are the field values that mean missing. Nil means
	// DefaultMissingTokens. Numeric fields are compared after trimming
	// surrounding spaces and tabs, categorical and label fields as they
	// are. A Parquet null is always missing.
	MissingTokens []string

	// NonFinite is the policy for non-finite numbers in numeric columns
	// (infinities written Infinity, inf, -Inf and the like, a NaN that is
	// not a missing token, and Parquet's infinities and NaN):
	// NonFiniteError (the default when empty), NonFiniteDrop or
	// NonFiniteClip. A token in MissingTokens is missing, never
	// non-finite.
	NonFinite string

	// Format is the format of every file, for files whose names do not
	// tell it (kddcup.data_10_percent.gz): FormatCSV, FormatCSVGzip or
	// FormatParquet. Empty: each file's extension tells its format.
	Format string
}

// Non-finite number policies.
const (
	// NonFiniteError makes every non-finite number an error at its
	// position.
	NonFiniteError = "error"
	// NonFiniteDrop drops each row holding a non-finite number; the
	// reader's Report counts them by reason ("non-finite value in
	// <column>").
	NonFiniteDrop = "drop"
	// NonFiniteClip replaces +infinity with the largest finite value of
	// its column over all rows read and -infinity with the smallest; the
	// reader's Report counts the values replaced. A NaN has no side to
	// clip to: it is an error (list its token in MissingTokens to treat it
	// as missing).
	NonFiniteClip = "clip"
)

// NonFinitePolicies are the non-finite number policies, NonFiniteError
// first.
var NonFinitePolicies = []string{NonFiniteError, NonFiniteDrop, NonFiniteClip}

// File formats Mapping.Format names.
const (
	FormatCSV     = "csv"     // CSV (RFC 4180)
	FormatCSVGzip = "csv.gz"  // gzip-compressed CSV
	FormatParquet = "parquet" // Apache Parquet
)

// Formats are the values of Mapping.Format.
var Formats = []string{FormatCSV, FormatCSVGzip, FormatParquet}

// Clone returns a deep copy.
func (m Mapping) Clone() Mapping {
	c := m
	c.Columns = slices.Clone(m.Columns)
	c.Normal = slices.Clone(m.Normal)
	c.Numeric = slices.Clone(m.Numeric)
	c.Categorical = slices.Clone(m.Categorical)
	c.Ignore = slices.Clone(m.Ignore)
	c.Roles = maps.Clone(m.Roles)
	c.RoleScales = maps.Clone(m.RoleScales)
	c.MissingTokens = slices.Clone(m.MissingTokens)
	if m.Categories != nil {
		c.Categories = make(map[string][]string, len(m.Categories))
		for k, v := range m.Categories {
			c.Categories[k] = slices.Clone(v)
		}
	}
	return c
}

// Missing-value policies.
const (
	// MissingError makes every missing value an error at its position.
	MissingError = "error"
	// MissingDrop drops each row holding a missing value; the reader's
	// Report counts the dropped rows by reason ("missing value in <column>", the
	// first such column of the row in file order).
	MissingDrop = "drop"
	// MissingImpute fills a missing numeric value with the median of the
	// column's present values over all rows read (sorted, the mean of the
	// two middle values for an even count) and a missing categorical value
	// with the level MissingLevel; the reader's Report counts both. A missing label
	// is still an error: labels are never imputed.
	MissingImpute = "impute"
)

// MissingPolicies are the missing-value policies, MissingError first.
var MissingPolicies = []string{MissingError, MissingDrop, MissingImpute}

// MissingLevel is the level that MissingImpute gives a missing categorical
// value.
const MissingLevel = "missing"

// DefaultMissingTokens are the field values that mean missing when
// Mapping.MissingTokens is nil.
var DefaultMissingTokens = []string{"", "?", "NA", "NaN", "null"}

// NormalCategory is the category of rows whose label is in
// Mapping.Normal (tabular.Table.Category).
const NormalCategory = "normal"

// Roles that Mapping.Roles may name: the inputs of the notebook's engineered
// features.
const (
	RoleDuration       = "duration"
	RoleBytesSent      = "bytes_sent"
	RolePacketsSent    = "packets_sent"
	RoleProtocol       = "protocol"
	RolePortsContacted = "ports_contacted"
	RoleCPUUsage       = "cpu_usage"
	RoleHour           = "hour"
)

// KnownRoles are the roles Mapping.Roles accepts, sorted.
var KnownRoles = []string{
	RoleBytesSent, RoleCPUUsage, RoleDuration, RoleHour,
	RolePacketsSent, RolePortsContacted, RoleProtocol,
}
