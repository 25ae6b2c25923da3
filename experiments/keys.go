package experiments

import (
	"fmt"
	"strconv"
	"strings"
)

// Key is one key of an experiment file, as the reference lists it.
type Key struct {
	// Path is the key path: name, data.flows, models[].name,
	// targets[].>=; [] stands for any item of a list.
	Path string
	// Type is the value's type; Range the values it may take, "" when
	// Type says it all.
	Type, Range string
	// Default is the value a file that leaves the key out gets, as the
	// reference writes it (10000, none, the kind), or "required" (a file
	// must give it), "required ..." (under a condition), "no default", or
	// "" for a mapping that is always there.
	Default string
	// Sweepable says a list of values is a sweep axis.
	Sweepable bool
	// Doc says what the key does.
	Doc string
}

// Keys are every key of an experiment file but the parameters of a model
// kind (the model registry's, internal/models, listed in docs/models.md),
// in the order of the reference: the top level, then each section.
// docs/experiment-files.md lists them (KeyReference); the tests hold the
// table to the parser, key for key: each key the parser accepts is here,
// and each one here the parser accepts, with this default, sweepability,
// set of values and range.
var Keys = []Key{
	{Path: "name", Type: "string", Default: "required",
		Doc: "the experiment's name, which names its run directory (runs/<name>/). Lower-case letters, " +
			"digits, _, - and ., at most 64, starting with a letter or digit, without \"..\"."},
	{Path: "description", Type: "string", Default: "none",
		Doc: "free text, for reports."},
	{Path: "seeds", Type: "list of integers", Range: "each in [-2^63, 2^63-1]; at least one, no repeats", Default: "required",
		Doc: "the replicate seeds. Every point of the sweep runs once per seed; each trial's own seed " +
			"is derived from its replicate seed and its ID (see Seeds in go doc ./experiments)."},
	{Path: "data", Type: "mapping",
		Doc: "where the flows come from; below."},
	{Path: "features", Type: "a set name or a list of columns", Default: "notebook", Sweepable: true,
		Doc: "the model inputs. A set is `notebook` (the notebook's 20 columns: 15 numeric and " +
			"engineered, 5 label-encoded categoricals), `notebook_numeric` (its 15 numeric ones) or " +
			"`raw` (the generated columns without engineering). A list names columns of " +
			"featureset.Columns, each once. To sweep, give a list whose entries include a list: " +
			"[notebook, [cpu_usage, risk_score]] is two axis values, while [notebook, raw] is one " +
			"list of two (unknown) columns; inside a zip block a plain list of names is an axis."},
	{Path: "split", Type: "mapping",
		Doc: "the train/test split; below."},
	{Path: "operating_point", Type: "mapping", Default: "none",
		Doc: "a second decision threshold for detectors, chosen for a false-positive budget; below."},
	{Path: "models", Type: "list of mappings", Default: "none",
		Doc: "the models to fit; below."},
	{Path: "targets", Type: "list of mappings", Default: "none",
		Doc: "success criteria, checked by the gate; below."},
	{Path: "regressions", Type: "list of mappings", Default: "none",
		Doc: "how metrics may move against a baseline run; below."},
	{Path: "export_model", Type: "boolean", Default: "false",
		Doc: "each trial saves its fitted scoring pipeline into trials/<id>/model/: the label encoders " +
			"and scaler, the first detector (target is_anomaly) and the first attack typer (target " +
			"anomaly_type) among the models whose kind can be exported (docs/models.md says which), " +
			"in the file's order, which the experiment must have. harness score and harness serve load it."},
	{Path: "incident", Type: "mapping", Default: "none",
		Doc: "flows scored through each trial's exported pipeline, as the notebook's incident " +
			"simulation; below."},
	{Path: "policy", Type: "mapping", Default: "none",
		Doc: "a segmentation policy recommended from each trial's training flows and evaluated on its " +
			"test flows; below."},
	{Path: "monitoring", Type: "mapping", Default: "none",
		Doc: "a simulated period of operation of each trial's random-forest detector: daily traffic, " +
			"attack campaigns, drift, response times, label feedback and retraining; below."},
	{Path: "data.source", Type: "string", Range: "generate, file or table", Default: "generate",
		Doc: "where the flows come from."},
	{Path: "data.generator", Type: "string", Range: "notebook or consistent", Default: "notebook", Sweepable: true,
		Doc: "notebook is a faithful port of the notebook's generate_network_flows and " +
			"inject_anomalies, quirks included; consistent draws the same flows but keeps the columns " +
			"coherent after injection (synth.GeneratorConsistent)."},
	{Path: "data.flows", Type: "integer", Range: "in [10, 100000000]", Default: "10000", Sweepable: true,
		Doc: "the number of flows (rows)."},
	{Path: "data.anomaly_rate", Type: "number", Range: "in (0, 1)", Default: "0.05", Sweepable: true,
		Doc: "the fraction of flows made anomalous. As in the notebook, int(flows × anomaly_rate) " +
			"flows are injected, truncated; it must be at least 1."},
	{Path: "data.anomaly_mix", Type: "mapping of anomaly type to share", Default: "{crypto_mining: 0.6, lateral_movement: 0.4}",
		Doc: "the probability of each injected type, drawn independently per anomalous flow. The " +
			"shares must sum to 1 (within 1e-9) at every point of the sweep. A mix given in the file " +
			"replaces the default whole: a type left out has share 0."},
	{Path: "data.anomaly_mix.crypto_mining", Type: "number", Range: "in [0, 1]", Default: "0.6", Sweepable: true,
		Doc: "the share of crypto-mining anomalies."},
	{Path: "data.anomaly_mix.lateral_movement", Type: "number", Range: "in [0, 1]", Default: "0.4", Sweepable: true,
		Doc: "the share of lateral-movement anomalies."},
	{Path: "data.difficulty", Type: "number", Range: "in [0, 1]", Default: "0", Sweepable: true,
		Doc: "moves every injected value toward the flow's own normal value: 0 is the notebook's " +
			"anomalies, 1 leaves anomalies indistinguishable from normal traffic " +
			"(synth.Config.Difficulty)."},
	{Path: "data.path", Type: "string", Default: "required with source file", Sweepable: true,
		Doc: "the file to read. A relative path starts at the experiment file's directory; the file " +
			"must exist when the experiment is checked (harness validate and run check the files an " +
			"experiment names before running it)."},
	{Path: "data.format", Type: "string", Range: "csv or parquet", Default: "inferred from the path's extension", Sweepable: true,
		Doc: "the file's format."},
	{Path: "data.table", Type: "mapping", Default: "required with source table",
		Doc: "the files of a table source and the meaning of their columns; below."},
	{Path: "data.table.preset", Type: "string", Range: "nsl-kdd", Default: "none",
		Doc: "a known mapping; the mapping keys (header, columns, label, normal, categories, numeric, " +
			"categorical, ignore, roles) are then errors. nsl-kdd is NSL-KDD's (Tavallaee et al. " +
			"2009; tabspec.NSLKDD): no header, 41 features (protocol_type, service and flag " +
			"categorical), the label, and the difficulty, ignored; the attack names in the categories " +
			"dos, probe, r2l and u2r; roles duration, bytes_sent (src_bytes) and protocol " +
			"(protocol_type)."},
	{Path: "data.table.files", Type: "list of paths", Range: "at least one", Default: "required",
		Doc: "the files read, in order, as the training data, or as all the data when test is not " +
			"given (then split by split.test_fraction and split.stratify). A relative path starts at " +
			"the experiment file's directory; each file must exist when the experiment is checked. " +
			"The extension tells the format: .csv or .txt (CSV), either followed by .gz " +
			"(gzip-compressed), .parquet or .pq; for other names, declare format. Each path once."},
	{Path: "data.table.test", Type: "list of paths", Range: "at least one, none of them in files", Default: "none",
		Doc: "separate test files, read as files are; the whole of them is the test set."},
	{Path: "data.table.format", Type: "string", Range: "csv, csv.gz or parquet", Default: "told by each file's extension",
		Doc: "the format of every file of files and test, for files whose names do not tell it " +
			"(KDD Cup 99's kddcup.data_10_percent.gz is gzip-compressed CSV: csv.gz)."},
	{Path: "data.table.header", Type: "boolean", Default: "false",
		Doc: "the first line of each CSV file names its columns (compared after trimming spaces). " +
			"Parquet files always name their columns."},
	{Path: "data.table.columns", Type: "list of column names", Range: "each once", Default: "none",
		Doc: "the columns in file order. Required when CSV files have no header; with a header, each " +
			"file's header must equal them. Every column listed must be mapped, and every mapped " +
			"column listed."},
	{Path: "data.table.label", Type: "string", Default: "required without a preset",
		Doc: "the column holding each row's label (its class)."},
	{Path: "data.table.normal", Type: "list of label values", Range: "at least one, each once", Default: "required without a preset",
		Doc: "the label values of normal traffic."},
	{Path: "data.table.categories", Type: "mapping of attack category to a list of label values", Range: "at least one category", Default: "required without a preset",
		Doc: "each label value that is not normal belongs to exactly one category, a name as `name` " +
			"takes, other than normal. A label value in two categories, in a category and in normal, " +
			"or equal to a missing-value token is an error."},
	{Path: "data.table.numeric", Type: "list of column names", Range: "each once", Default: "none",
		Doc: "the numeric feature columns."},
	{Path: "data.table.categorical", Type: "list of column names", Range: "each once", Default: "none",
		Doc: "the categorical feature columns. numeric and categorical together name at least one " +
			"column."},
	{Path: "data.table.ignore", Type: "list of column names", Range: "each once", Default: "none",
		Doc: "columns present in the files but not used (not parsed)."},
	{Path: "data.table.roles", Type: "mapping of role to column", Default: "none",
		Doc: "the columns that play the roles of the notebook's raw columns, from which its engineered " +
			"features are computed (bytes_per_second from bytes_sent and duration, log_bytes from " +
			"bytes_sent, ...). Each column must be numeric or categorical; an engineered feature " +
			"whose roles are not all numeric columns is skipped, and the trial's notes say so. A " +
			"numeric role in another unit takes {column: C, scale: s}, s the factor from the column's " +
			"unit to the role's (duration: {column: Flow Duration, scale: 1e-6} for microseconds); the " +
			"engineered features see the scaled values, the column itself is unchanged. The roles:"},
	{Path: "data.table.roles.bytes_sent", Type: "string or {column, scale}", Default: "none",
		Doc: "bytes sent."},
	{Path: "data.table.roles.cpu_usage", Type: "string or {column, scale}", Default: "none",
		Doc: "CPU usage in percent."},
	{Path: "data.table.roles.duration", Type: "string or {column, scale}", Default: "none",
		Doc: "duration in seconds."},
	{Path: "data.table.roles.hour", Type: "string or {column, scale}", Default: "none",
		Doc: "hour of day."},
	{Path: "data.table.roles.packets_sent", Type: "string or {column, scale}", Default: "none",
		Doc: "packets sent."},
	{Path: "data.table.roles.ports_contacted", Type: "string or {column, scale}", Default: "none",
		Doc: "ports contacted."},
	{Path: "data.table.roles.protocol", Type: "string", Default: "none",
		Doc: "the protocol; no engineered feature needs it."},
	{Path: "data.table.missing", Type: "string", Range: "error, drop or impute", Default: "error",
		Doc: "what a missing value does: error fails the trial naming the first ones; drop drops the " +
			"row; impute replaces a numeric value with the column's median and a categorical one with " +
			"the level missing (labels are never imputed). Drops and imputations are counted in the " +
			"trial's notes."},
	{Path: "data.table.missing_tokens", Type: "list of strings", Range: "each once", Default: "[\"\", \"?\", \"NA\", \"NaN\", \"null\"]",
		Doc: "the field values that mean missing; [] means none. Numeric fields are compared after " +
			"trimming spaces and tabs. A Parquet null is always missing. Quote null, which YAML would " +
			"otherwise read as no value."},
	{Path: "data.table.nonfinite", Type: "string", Range: "error, drop or clip", Default: "error",
		Doc: "what to do with infinities (Infinity, inf, -Inf, in any case) and a NaN that is not a " +
			"missing token in numeric columns, as rate columns of flow exporters hold them: error reports " +
			"each at its position; drop drops its row; clip replaces +infinity with the column's largest " +
			"finite value over the rows read and -infinity with its smallest (a NaN cannot be clipped: " +
			"list it in missing_tokens). The trial's notes count the rows dropped and the values clipped."},
	{Path: "split.by", Type: "string", Range: "random, time, group or kfold", Default: "random", Sweepable: true,
		Doc: "how rows are split into training and test. random: a (stratified) random sample is the test " +
			"side. time: the latest rows by split.column's timestamps are the test side, every training row " +
			"strictly earlier than every test row (more than split.gap earlier). group: whole groups of " +
			"split.column (a source host, say) go to one side, never both, the test share as near " +
			"test_fraction as whole groups allow. kfold: the rows are dealt into split.folds folds (stratified " +
			"by split.stratify) and each seed runs one trial per fold, that fold its test side; aggregates " +
			"and intervals are then over seeds × folds. time and group need data.source table; none but " +
			"random goes with data.table.test. docs/experiment-files.md states each method's guarantees."},
	{Path: "split.test_fraction", Type: "number", Range: "in (0, 1)", Default: "0.3", Sweepable: true,
		Doc: "the fraction of flows in the test set, ceil(test_fraction × flows); at least one flow " +
			"must remain for training."},
	{Path: "split.stratify", Type: "string", Range: "anomaly_type, is_anomaly or none", Default: "anomaly_type", Sweepable: true,
		Doc: "the label whose proportions both sides keep. The notebook stratifies on is_anomaly."},
	{Path: "split.scale_on", Type: "string", Range: "train or all", Default: "train", Sweepable: true,
		Doc: "the rows the standard scaler is fitted on. all is the notebook's choice (it scales " +
			"before splitting, leaking the test rows' statistics)."},
	{Path: "split.dedupe", Type: "string", Range: "none or exact", Default: "none", Sweepable: true,
		Doc: "exact drops every row equal to an earlier one (every feature and the label) before the " +
			"split, so that no copy of a row lands on both sides; the trial's notes count the rows " +
			"dropped. Every trial's leakage report (targets model leakage) measures the duplicates left. " +
			"For data.source table."},
	{Path: "split.column", Type: "string", Range: "a column of data.table", Default: "no default",
		Doc: "the column a time split orders the rows by, or a group split groups them by. It may be an " +
			"ignored column (its text is read for the split only) or a feature; not the label."},
	{Path: "split.gap", Type: "duration", Range: "0 or more", Default: "0", Sweepable: true,
		Doc: "time split: the rows whose instant is within gap before the test side's first instant are " +
			"dropped, so that training ends more than gap before testing begins (flows of one session or " +
			"one attack campaign straddle a cut). The notes count the rows dropped."},
	{Path: "split.time_format", Type: "string", Range: "a Go time layout", Default: "recognised",
		Doc: "time split: the layout of split.column's text, written as Go writes the reference time " +
			"2006-01-02 15:04:05 (02/01/2006 15:04:05 for day-first dates). Without it, numbers are read " +
			"in split.time_unit since the epoch and text in RFC 3339 or ISO 8601 forms (2006-01-02 15:04:05, " +
			"with optional fractions and zone; no zone is UTC); day-first and month-first dates are never guessed."},
	{Path: "split.time_unit", Type: "string", Range: "s, ms, us or ns", Default: "s",
		Doc: "time split: the unit of a numeric split.column, since the epoch."},
	{Path: "split.folds", Type: "integer", Range: "[2, 100]", Default: "5",
		Doc: "kfold: the number of folds. Each seed runs one trial per fold (trial IDs end in /fold=k), all " +
			"folds of a seed on the same data and models' seeds."},
	{Path: "operating_point.fpr_budget", Type: "number", Range: "in (0, 1)", Default: "no default", Sweepable: true,
		Doc: "the false-positive rate the threshold may reach on the validation slice."},
	{Path: "operating_point.validation_fraction", Type: "number", Range: "in (0, 1)", Default: "0.25", Sweepable: true,
		Doc: "the fraction of the training rows held out to choose the threshold."},
	{Path: "models[].name", Type: "string", Range: "same rules as name", Default: "the kind",
		Doc: "names the model in targets, metrics and parameter paths. Names must differ, so two " +
			"models of one kind need names."},
	{Path: "models[].kind", Type: "string", Range: "dbscan, ecod, external, gradient_boosting, isolation_forest, kmeans, lof, logistic_regression or random_forest", Default: "required",
		Doc: "`random_forest` and `gradient_boosting` are supervised classifiers (a detector, or with target anomaly_type an " +
			"attack-type classifier), `logistic_regression` a supervised detector, " +
			"`isolation_forest`, `ecod` and `lof` unsupervised detectors, `kmeans` and " +
			"`dbscan` cluster flows, and `external` is any program, run through the protocol of " +
			"docs/external-models.md in the role it declares."},
	{Path: "targets[].model", Type: "string", Default: "required",
		Doc: "a model's name, or leakage: every trial's leakage report, whose metrics are " +
			"train_duplicate_share, test_duplicate_share, cross_split_duplicate_share and " +
			"conflicting_label_share (shares in [0, 1]) and the counts train_duplicates, test_duplicates, " +
			"cross_split_duplicates and conflicting_vectors ({model: leakage, metric: " +
			"cross_split_duplicate_share, \"<=\": 0.01})."},
	{Path: "targets[].metric", Type: "string", Default: "required",
		Doc: "a metric the model produces. Detectors (isolation_forest, ecod, lof, logistic_regression, and random_forest and gradient_boosting with target " +
			"is_anomaly) produce `detection_rate` (the recall of the anomaly class), " +
			"`false_positive_rate`, `precision`, `recall`, `f1`, `accuracy`, `roc_auc`, `pr_auc` (all " +
			"fractions in [0, 1]), with an operating_point `budget_detection_rate`, " +
			"`budget_false_positive_rate` and `budget_threshold`. Response time, time to detect and " +
			"the health score are the monitoring simulation's: model `monitoring` (see monitoring). " +
			"With data.source table and separate test files, detectors also produce " +
			"`detection_rate_seen_attacks` and `detection_rate_unseen_attacks` (see data.table). " +
			"Attack-type classifiers (random_forest and gradient_boosting with target anomaly_type) produce `accuracy`, " +
			"`macro_f1` and `weighted_f1`. Clusterings produce `silhouette` (in [-1, 1]), " +
			"`n_clusters`, `noise_fraction` and `silhouette_sample_size`; kmeans also `inertia`. gradient_boosting also produces `iterations`, the boosting iterations early stopping kept. " +
			"docs/models.md lists each role's metrics with their ranges and directions."},
	{Path: "targets[].>=", Type: "number, or a mapping {model: name}", Default: "required, exactly one",
		Doc: "the comparison and its threshold, in the metric's unit, or the other model of the " +
			"experiment whose metric it compares with (it must produce the metric). Quote the key in " +
			"YAML: \">=\": 0.95."},
	{Path: "targets[].>", Type: "number, or a mapping {model: name}", Default: "required, exactly one",
		Doc: "the comparison and its threshold, in the metric's unit, or the other model of the " +
			"experiment whose metric it compares with (it must produce the metric). Quote the key in " +
			"YAML: \">=\": 0.95."},
	{Path: "targets[].<=", Type: "number, or a mapping {model: name}", Default: "required, exactly one",
		Doc: "the comparison and its threshold, in the metric's unit, or the other model of the " +
			"experiment whose metric it compares with (it must produce the metric). Quote the key in " +
			"YAML: \">=\": 0.95."},
	{Path: "targets[].<", Type: "number, or a mapping {model: name}", Default: "required, exactly one",
		Doc: "the comparison and its threshold, in the metric's unit, or the other model of the " +
			"experiment whose metric it compares with (it must produce the metric). Quote the key in " +
			"YAML: \">=\": 0.95."},
	{Path: "targets[].>=.model", Type: "string", Default: "required in a comparison with another model",
		Doc: "the other model of the experiment whose metric the target compares with."},
	{Path: "targets[].>.model", Type: "string", Default: "required in a comparison with another model",
		Doc: "the other model of the experiment whose metric the target compares with."},
	{Path: "targets[].<=.model", Type: "string", Default: "required in a comparison with another model",
		Doc: "the other model of the experiment whose metric the target compares with."},
	{Path: "targets[].<.model", Type: "string", Default: "required in a comparison with another model",
		Doc: "the other model of the experiment whose metric the target compares with."},
	{Path: "targets[].tolerance", Type: "number", Range: "in [0, max float64]", Default: "0",
		Doc: "with a comparison against another model, the margin, in the metric's unit (see targets " +
			"in go doc ./experiments)."},
	{Path: "targets[].anomaly_type", Type: "string", Range: "crypto_mining or lateral_movement, or with data.source table one of its attack categories", Default: "none",
		Doc: "restricts detection_rate, the only metric it applies to, to the test anomalies of one anomaly " +
			"type or attack category: the target judges the metric detection_rate_<type>, the share of them " +
			"the model flagged ({model: isolation_forest, metric: detection_rate, anomaly_type: lateral_movement, " +
			"\">=\": 0.8})."},
	{Path: "targets[].where", Type: "mapping", Default: "none",
		Doc: "the points of the sweep the target applies to: each key is a swept parameter, by axis " +
			"name or parameter path, and its value one swept value or a list of them. Numbers match " +
			"by value (1e4 matches 10000). Without where, a target applies to every trial."},
	{Path: "regressions[].model", Type: "string", Default: "required",
		Doc: "a model's name."},
	{Path: "regressions[].metric", Type: "string", Default: "required",
		Doc: "a metric the model produces, as for targets."},
	{Path: "regressions[].better", Type: "string", Range: "higher or lower", Default: "the metric's direction",
		Doc: "the direction of improvement. Left out, it is the direction the metric vocabulary gives " +
			"the metric (docs/models.md lists each metric's: higher for detection rates and areas " +
			"under curves, lower for false-positive rates and times); a metric without one " +
			"(n_clusters, budget_threshold, an incident flow's figures) needs it given."},
	{Path: "regressions[].tolerance", Type: "number", Range: "in [0, max float64]", Default: "0",
		Doc: "the largest change of the mean in the worse direction that is not a regression, in the " +
			"metric's unit."},
	{Path: "regressions[].against", Type: "mapping {model: name}", Default: "none",
		Doc: "another model of the experiment: the rule then judges the model's lead over it, the " +
			"metric's difference between the two trial by trial, instead of the metric itself (a new " +
			"build of xgb may keep its AUC yet lose its lead over rf)."},
	{Path: "regressions[].against.model", Type: "string", Default: "required",
		Doc: "the other model's name."},
	{Path: "incident.flows", Type: "list of mappings", Default: "required",
		Doc: "the flows, in the schema harness score reads. Categories must be ones the exported " +
			"encoders were fitted on; the run fails naming the flow otherwise."},
	{Path: "incident.flows[].name", Type: "string", Default: "required",
		Doc: "the flow's name, a name as `name` takes, distinct from the other flows, from the models' " +
			"names, from policy and from monitoring."},
	{Path: "incident.flows[].src_device_type", Type: "string", Default: "required",
		Doc: "the source's device type (workstation, server, database, web_server, mobile, iot in " +
			"generated data)."},
	{Path: "incident.flows[].src_department", Type: "string", Default: "required",
		Doc: "the source's department (accounting, hr, engineering, sales, it, executive)."},
	{Path: "incident.flows[].dst_device_type", Type: "string", Default: "required",
		Doc: "the destination's device type."},
	{Path: "incident.flows[].dst_department", Type: "string", Default: "required",
		Doc: "the destination's department."},
	{Path: "incident.flows[].protocol", Type: "string", Default: "required",
		Doc: "TCP, UDP or ICMP in generated data."},
	{Path: "incident.flows[].bytes_sent", Type: "number", Range: "not negative", Default: "required",
		Doc: "bytes."},
	{Path: "incident.flows[].packets_sent", Type: "integer", Range: "not negative", Default: "required",
		Doc: "packets."},
	{Path: "incident.flows[].duration", Type: "number", Range: "not negative", Default: "required",
		Doc: "seconds."},
	{Path: "incident.flows[].hour", Type: "integer", Range: "in [0, 23]", Default: "required",
		Doc: "hour of day."},
	{Path: "incident.flows[].is_business_hours", Type: "boolean", Default: "required",
		Doc: "whether the flow is in business hours."},
	{Path: "incident.flows[].cpu_usage", Type: "number", Range: "in [0, 100]", Default: "required",
		Doc: "percent."},
	{Path: "incident.flows[].ports_contacted", Type: "integer", Range: "not negative", Default: "required",
		Doc: "ports."},
	{Path: "incident.flows[].same_dept", Type: "boolean", Default: "derived from the departments",
		Doc: "given, used as given."},
	{Path: "incident.flows[].cross_dept", Type: "boolean", Default: "derived from the departments",
		Doc: "given, used as given."},
	{Path: "incident.compare", Type: "list of two flow names", Default: "none",
		Doc: "the first flow's anomaly probability divided by the second's (the notebook's \"detection " +
			"improvement\") and their difference. When the second scores 0 the ratio is undefined: it " +
			"is left out of the metrics, and incident.json and the trial's notes say why (the " +
			"notebook printed \"inf x\")."},
	{Path: "policy.segments", Type: "string", Range: "department_device, department or device_type", Default: "department_device", Sweepable: true,
		Doc: "what a segment is: a department's devices of one type, a department, or a device type."},
	{Path: "policy.min_flows", Type: "integer", Range: "in [1, 2147483647]", Default: "1", Sweepable: true,
		Doc: "the normal training flows a segment pair needs on a protocol before the protocol is " +
			"allowed between them."},
	{Path: "policy.port_margin", Type: "integer", Range: "in [0, 2147483647]", Default: "0", Sweepable: true,
		Doc: "added to the most ports a pair's normal flows contacted to give the rule's port bound."},
	{Path: "policy.clusters", Type: "integer", Range: "in [0, 1000]", Default: "6", Sweepable: true,
		Doc: "behavioural clusters of normal traffic (k-means on log bytes, log duration, CPU and log " +
			"ports, standardised); 0 turns the behavioural rule off."},
	{Path: "policy.cluster_quantile", Type: "number", Range: "in (0, 1]", Default: "0.99", Sweepable: true,
		Doc: "a cluster's radius is this quantile of its members' distances to its centre; a flow " +
			"farther than the radius from its nearest centre is blocked."},
	{Path: "policy.isolate_above", Type: "number", Range: "in [0, 1]", Default: "0.8", Sweepable: true,
		Doc: "the detector probability above which a flow's source is isolated (the notebook's HIGH " +
			"risk)."},
	{Path: "monitoring.model", Type: "string", Default: "the first random_forest detector",
		Doc: "the deployed model, a random_forest with target is_anomaly. The resolved spec names it."},
	{Path: "monitoring.period", Type: "duration", Range: "in [1m, 3650d]", Default: "7d",
		Doc: "the simulated span, a whole number of windows."},
	{Path: "monitoring.window", Type: "duration", Range: "in [1m, 1d]", Default: "1h",
		Doc: "the length of a monitoring window, the unit of the per-window tables. It must divide a " +
			"day evenly, so that windows align with days."},
	{Path: "monitoring.flows_per_day", Type: "integer", Range: "in [1, 1000000000]", Default: "100000", Sweepable: true,
		Doc: "normal flows a day, spread over the hours by business_hours_factor. Over the period a " +
			"simulation draws at most " + strconv.Itoa(MaxSimulatedFlows) + " normal flows " +
			"(MaxSimulatedFlows), and with store_scores at most " + strconv.Itoa(MaxStoredScores) +
			" (MaxStoredScores); each value of a sweep is checked."},
	{Path: "monitoring.business_hours_factor", Type: "number", Range: "in (0, 1000]", Default: "3", Sweepable: true,
		Doc: "how many times denser normal traffic is in business hours (8 to 17) than in the other " +
			"hours; 1 is flat."},
	{Path: "monitoring.campaigns", Type: "list of mappings", Default: "none",
		Doc: "the attack campaigns; without any the simulation measures false positives and drift " +
			"alone."},
	{Path: "monitoring.campaigns[].name", Type: "string", Default: "required",
		Doc: "the campaign's name, a name as `name` takes, distinct from the other campaigns. An " +
			"occurrence is named name#occurrence (mining#0)."},
	{Path: "monitoring.campaigns[].type", Type: "string", Range: "crypto_mining or lateral_movement", Default: "required",
		Doc: "the attack injected into the campaign's flows."},
	{Path: "monitoring.campaigns[].variant", Type: "string", Default: "the type",
		Doc: "names the attack's variant, a name as `name` takes. Flows of a variant the deployed " +
			"model was not trained on (any but the type) are new patterns to the retraining policy."},
	{Path: "monitoring.campaigns[].start", Type: "duration", Range: "in [0, 3650d]", Default: "0",
		Doc: "when the campaign first starts, from the start of the period; before the period's end."},
	{Path: "monitoring.campaigns[].duration", Type: "duration", Range: "in [1s, 3650d]", Default: "1h",
		Doc: "how long each occurrence lasts."},
	{Path: "monitoring.campaigns[].every", Type: "duration", Range: "in [0, 3650d]", Default: "0",
		Doc: "the campaign repeats this often while it starts within the period; 0 runs it once. At " +
			"least the duration, so that occurrences do not overlap."},
	{Path: "monitoring.campaigns[].rate", Type: "number", Range: "in (0, 1000000000]", Default: "100",
		Doc: "anomalous flows an hour while the campaign runs."},
	{Path: "monitoring.campaigns[].src_department", Type: "string", Range: "accounting, hr, engineering, sales, it or executive", Default: "drawn as for normal traffic",
		Doc: "the source department of every flow."},
	{Path: "monitoring.campaigns[].src_device_type", Type: "string", Range: "workstation, server, database, web_server, mobile or iot", Default: "drawn as for normal traffic",
		Doc: "the source device type of every flow."},
	{Path: "monitoring.campaigns[].difficulty", Type: "number", Range: "in [0, 1]", Default: "0",
		Doc: "moves the injected values toward the flow's own, as data.difficulty."},
	{Path: "monitoring.campaigns[].cpu_shift", Type: "number", Range: "in [-100, 100]", Default: "0",
		Doc: "percentage points added to cpu_usage after injection (clipped to [0, 100]); -40 is " +
			"mining throttled to stay under the radar."},
	{Path: "monitoring.drifts", Type: "list of mappings", Default: "none",
		Doc: "changes of the normal traffic; drifts add up. Each must change something: a non-zero " +
			"bytes_log_shift or cpu_shift, or device_weights."},
	{Path: "monitoring.drifts[].start", Type: "duration", Range: "in [0, 3650d]", Default: "0",
		Doc: "when the drift begins, before the period's end."},
	{Path: "monitoring.drifts[].ramp", Type: "duration", Range: "in [0, 3650d]", Default: "0",
		Doc: "the drift reaches its full size linearly over this span from start; 0 at once."},
	{Path: "monitoring.drifts[].bytes_log_shift", Type: "number", Range: "in [-10, 10]", Default: "0",
		Doc: "added to the natural log of bytes_sent (0.7 about doubles it); packets_sent follows."},
	{Path: "monitoring.drifts[].cpu_shift", Type: "number", Range: "in [-100, 100]", Default: "0",
		Doc: "percentage points added to cpu_usage (clipped to [0, 100])."},
	{Path: "monitoring.drifts[].device_weights", Type: "mapping of device type to weight", Default: "none",
		Doc: "the relative weights of the source device types; a type left out weighs 0, and not every " +
			"weight may be 0. Without it the notebook's uniform mix stays."},
	{Path: "monitoring.drifts[].device_weights.workstation", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of workstations."},
	{Path: "monitoring.drifts[].device_weights.server", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of servers."},
	{Path: "monitoring.drifts[].device_weights.database", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of databases."},
	{Path: "monitoring.drifts[].device_weights.web_server", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of web servers."},
	{Path: "monitoring.drifts[].device_weights.mobile", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of mobile devices."},
	{Path: "monitoring.drifts[].device_weights.iot", Type: "number", Range: "in [0, 1000000000]", Default: "0",
		Doc: "the weight of IoT devices."},
	{Path: "monitoring.timing", Type: "mapping",
		Doc: "the detection pipeline's cadence and the response's delays."},
	{Path: "monitoring.timing.export_interval", Type: "duration", Range: "in [0, 3650d]", Default: "1m",
		Doc: "the flow exporter emits a flow at the next multiple of it at or after the flow; 0 at " +
			"once."},
	{Path: "monitoring.timing.scoring_interval", Type: "duration", Range: "in [0, 3650d]", Default: "30s",
		Doc: "exported flows are scored, and alerts raised, at multiples of it; 0 at once."},
	{Path: "monitoring.timing.triage", Type: "delay", Default: "{lognormal: [3, 0.5]}",
		Doc: "minutes from a campaign's first alert until an analyst confirms it."},
	{Path: "monitoring.timing.triage.fixed", Type: "number", Range: "in [0, max float64]", Default: "no default",
		Doc: "a fixed delay of A minutes."},
	{Path: "monitoring.timing.triage.uniform", Type: "list of two numbers [A, B]", Range: "0 <= A <= B", Default: "no default",
		Doc: "a delay uniform between A and B minutes."},
	{Path: "monitoring.timing.triage.exponential", Type: "number", Range: "in (0, max float64]", Default: "no default",
		Doc: "an exponential delay of mean A minutes."},
	{Path: "monitoring.timing.triage.lognormal", Type: "list of two numbers [A, B]", Range: "A > 0, B >= 0", Default: "no default",
		Doc: "a lognormal delay, A·exp(B·Z) minutes with Z standard normal: median A, sigma B."},
	{Path: "monitoring.timing.containment", Type: "delay", Default: "{lognormal: [6, 0.5]}",
		Doc: "minutes from confirmation until the campaign is contained. Its keys are triage's."},
	{Path: "monitoring.timing.containment.fixed", Type: "number", Range: "in [0, max float64]", Default: "no default",
		Doc: "as triage.fixed."},
	{Path: "monitoring.timing.containment.uniform", Type: "list of two numbers [A, B]", Range: "0 <= A <= B", Default: "no default",
		Doc: "as triage.uniform."},
	{Path: "monitoring.timing.containment.exponential", Type: "number", Range: "in (0, max float64]", Default: "no default",
		Doc: "as triage.exponential."},
	{Path: "monitoring.timing.containment.lognormal", Type: "list of two numbers [A, B]", Range: "A > 0, B >= 0", Default: "no default",
		Doc: "as triage.lognormal."},
	{Path: "monitoring.feedback", Type: "mapping",
		Doc: "how labels of scored flows come back, to the retraining policy and the per-window label " +
			"counts."},
	{Path: "monitoring.feedback.delay", Type: "duration", Range: "in [0, 3650d]", Default: "4h",
		Doc: "a label arrives this long after its flow."},
	{Path: "monitoring.feedback.normal_fraction", Type: "number", Range: "in [0, 1]", Default: "0.01", Sweepable: true,
		Doc: "the share of normal flows that get a label, drawn at random."},
	{Path: "monitoring.feedback.anomaly_fraction", Type: "number", Range: "in [0, 1]", Default: "0.5", Sweepable: true,
		Doc: "the share of anomalous flows that get a label."},
	{Path: "monitoring.retraining", Type: "mapping", Default: "none",
		Doc: "the notebook's continuous-learning strategy (internal/monitor/retrain). The block turns " +
			"retraining on, each key at its default unless given; without it the first model serves " +
			"the whole period. A trigger (detection below min_detection, drift above drift_threshold, " +
			"new_patterns anomalies of unknown variants, or the schedule) waits for min_samples " +
			"labelled samples; then a candidate is trained on the labelled feedback and A/B tested " +
			"against the deployed model on the holdout; accepted when better by more than " +
			"min_improvement, it is rolled out by stages and promoted, or rolled back."},
	{Path: "monitoring.retraining.enabled", Type: "boolean", Default: "true", Sweepable: true,
		Doc: "false keeps the block but retrains nothing, so [true, false] compares a run with and " +
			"without retraining."},
	{Path: "monitoring.retraining.min_detection", Type: "number", Range: "in [0, 1]", Default: "0.9", Sweepable: true,
		Doc: "the detection trigger fires when the deployed model's detection rate over the feedback " +
			"window is below it."},
	{Path: "monitoring.retraining.feedback_window", Type: "duration", Range: "in [1s, 3650d]", Default: "1d",
		Doc: "the span of labelled feedback the detection and new-pattern triggers look at."},
	{Path: "monitoring.retraining.min_anomalies", Type: "integer", Range: "in [1, 2147483647]", Default: "50",
		Doc: "labelled anomalies within the feedback window that the detection trigger needs before it " +
			"may fire."},
	{Path: "monitoring.retraining.drift_threshold", Type: "number", Range: "in [0, max float64]", Default: "0.25", Sweepable: true,
		Doc: "the drift trigger fires when a window's largest PSI over the drift features is above it; " +
			"0 turns the trigger off."},
	{Path: "monitoring.retraining.new_patterns", Type: "integer", Range: "in [0, 2147483647]", Default: "50",
		Doc: "the new-pattern trigger fires when this many labelled anomalies of variants the deployed " +
			"model was not trained on arrived within the feedback window; 0 turns it off."},
	{Path: "monitoring.retraining.schedule", Type: "duration", Range: "in [0, 3650d]", Default: "30d",
		Doc: "the schedule trigger fires this long after the last retrain (or the start); 0 turns it " +
			"off."},
	{Path: "monitoring.retraining.min_samples", Type: "integer", Range: "in [0, 2147483647]", Default: "1000",
		Doc: "labelled samples gathered since the last retrain that a retrain needs."},
	{Path: "monitoring.retraining.min_improvement", Type: "number", Range: "in [0, 1]", Default: "0.02", Sweepable: true,
		Doc: "how much higher than the deployed model's the candidate's metric on the holdout must be " +
			"for it to be accepted."},
	{Path: "monitoring.retraining.rollout", Type: "list of numbers", Range: "each in (0, 1], increasing, the last 1", Default: "[0.1, 0.5, 1]",
		Doc: "the candidate's share of the traffic at each rollout stage."},
	{Path: "monitoring.retraining.stage_duration", Type: "duration", Range: "in [1s, 3650d]", Default: "12h",
		Doc: "the time spent at each rollout stage."},
	{Path: "monitoring.retraining.rollback_tolerance", Type: "number", Range: "in [0, 1]", Default: "0.05",
		Doc: "at the end of a stage the candidate is rolled back when the deployed model's detection " +
			"rate exceeds its own by more than this."},
	{Path: "monitoring.retraining.cooldown", Type: "duration", Range: "in [0, 3650d]", Default: "1d",
		Doc: "after a retraining cycle ends (reject, rollback or promote) no trigger fires for this " +
			"long."},
	{Path: "monitoring.retraining.holdout", Type: "duration", Range: "in [1s, 3650d]", Default: "1d",
		Doc: "the labelled feedback that arrived within this span before a retrain is the A/B test's " +
			"holdout and is not trained on."},
	{Path: "monitoring.retraining.max_samples", Type: "integer", Range: "in [1, 2147483647]; at least min_samples", Default: "50000",
		Doc: "the most labelled samples a candidate is trained on, the most recent first."},
	{Path: "monitoring.drift_features", Type: "list of columns", Range: "each one of bytes_sent, packets_sent, duration, cpu_usage or ports_contacted, once", Default: "[bytes_sent, packets_sent, duration, cpu_usage, ports_contacted]",
		Doc: "the raw columns whose distribution over each window's flows the detector passed as " +
			"normal is compared with the normal training flows' of the same kind of hour (business or " +
			"off hours, whose traffic differs). Flagged flows are alerts already and left out; " +
			"attacks the detector missed stay in, which is how an unknown variant shows. hour is not " +
			"offered: it is constant within a window."},
	{Path: "monitoring.drift_bins", Type: "integer", Range: "in [2, 1000]", Default: "10",
		Doc: "the equal-frequency bins of the PSI."},
	{Path: "monitoring.store_scores", Type: "boolean", Default: "false",
		Doc: "also write trials/<id>/monitoring_flows.parquet, every simulated flow's score and " +
			"decision (one row per flow: large)."},
}

// KeyReference returns the reference of every key as Markdown, the key
// list of docs/experiment-files.md: the top-level keys, then a section for
// each key that holds others, each key an entry
//
//   - `PATH` (TYPE; DEFAULT; RANGE; sweepable): what it does
func KeyReference() string {
	var b strings.Builder
	section := ""
	for _, k := range Keys {
		if s := keySection(k.Path); s != section {
			section = s
			fmt.Fprintf(&b, "\n### %s\n\n", section)
		}
		facts := []string{k.Type}
		switch {
		case k.Default == "":
		case strings.HasPrefix(k.Default, "required"), k.Default == "no default":
			facts = append(facts, k.Default)
		default:
			facts = append(facts, "default "+k.Default)
		}
		if k.Range != "" {
			facts = append(facts, k.Range)
		}
		if k.Sweepable {
			facts = append(facts, "sweepable")
		}
		fmt.Fprintf(&b, "- `%s` (%s): %s\n", k.Path, markdown(strings.Join(facts, "; ")), markdown(k.Doc))
	}
	return strings.TrimPrefix(b.String(), "\n")
}

// markdown escapes the angle brackets of text outside its code spans,
// which Markdown would take for HTML: runs/<name>/.
func markdown(text string) string {
	parts := strings.Split(text, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = strings.ReplaceAll(parts[i], "<", "&lt;")
	}
	return strings.Join(parts, "`")
}

// keySection names the section of the reference a key is listed in: its
// first segment when it has more, else the top level.
func keySection(path string) string {
	first, _, nested := strings.Cut(path, ".")
	if !nested {
		return "Top level"
	}
	return "`" + strings.TrimSuffix(first, "[]") + "`"
}

// keyOf returns the entry of the key path, or nil.
func keyOf(path string) *Key {
	for i := range Keys {
		if Keys[i].Path == path {
			return &Keys[i]
		}
	}
	return nil
}
