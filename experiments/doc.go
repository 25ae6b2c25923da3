// Package experiments reads experiment files: declarative YAML that names
// the data, features, split, models and success targets of an experiment,
// and may sweep any of its numeric or categorical settings. [ParseFile] and
// [Parse] check a file strictly, fill in every default, and expand its sweep
// into trials ([Trial]), each with a stable ID and its own derived seed. This
// comment is the reference for every key.
//
// # An example
//
//	# Detection against anomaly rate, three seeds per rate.
//	name: anomaly-rate-sweep
//	seeds: [1, 2, 3]
//	data:
//	  flows: 10000
//	  anomaly_rate: [0.01, 0.05, 0.1]   # a list: a sweep axis
//	features: notebook
//	split: {test_fraction: 0.3, stratify: is_anomaly}
//	models:
//	  - {name: rf, kind: random_forest, trees: 100}
//	  - {name: iso, kind: isolation_forest, contamination: 0.05}
//	targets:
//	  - {model: rf, metric: detection_rate, ">=": 0.95, where: {anomaly_rate: [0.05, 0.1]}}
//	  - {model: rf, metric: false_positive_rate, "<": 0.05}
//
// expands to 9 trials, anomaly_rate=0.01/seed=1 to anomaly_rate=0.1/seed=3.
// Every other key keeps its default: the notebook generator, no difficulty,
// the 60/40 anomaly mix, scaling fitted on the training rows.
//
// # Strictness and errors
//
// Every problem in a file is reported, not just the first: an unknown key
// (with the closest known one, "did you mean"), a key given twice, a value
// of the wrong type or outside its range, a missing required key, a key of
// another kind of model, a target naming a model or metric that does not
// exist, a combination of values that cannot run. Each [Error] names the
// file, line, column and key path (data.anomaly_rate, models[1].trees,
// targets[0].where.difficulty), and [ErrorList] holds them sorted by
// position:
//
//	experiments/x.yaml:12:17: data.anomaly_rate: 2 is outside (0, 1)
//
// Only problems of the file as a whole (empty, or a sweep of more than
// [MaxTrials] trials) have no line.
//
// Parsing reads the text alone. The files the experiment names (data.path,
// data.table.files and test, an external model's files) are checked by
// [Experiment.CheckFiles], which harness validate and harness run call
// right after parsing, before anything runs: each problem is reported the
// same way, at the path's position.
//
// YAML is read as written, without conversions: a quoted "0.05" is a
// string, not a number; yes and no are strings, not booleans. Integer keys
// take any integral number (1e6 is 1000000). An empty value (key: or
// key: null) is an error, not a default: leave the key out instead. Anchors
// (&name) and aliases (*name) are rejected, as is more than one YAML
// document.
//
// Each entry below gives, in parentheses: for model keys the kinds it
// applies to; the type; the default, or "required"; the valid range, ends
// included with [ ] and excluded with ( ); and "sweepable" when the key
// takes a list of values (see Sweeps). Numbers are plain numbers: rates
// and fractions are fractions of 1, not percentages.
//
// # Top level
//
//   - `name` (string; required): the experiment's name, which names its run
//     directory (runs/<name>/). Lower-case letters, digits, _, - and .,
//     at most 64, starting with a letter or digit, without "..".
//   - `description` (string; default none): free text, for reports.
//   - `seeds` (list of integers; required; each in [-2^63, 2^63-1]; at least
//     one, no repeats): the replicate seeds. Every point of the sweep runs
//     once per seed; each trial's own seed is derived from its replicate
//     seed and its ID (see Seeds).
//   - `data` (mapping): where the flows come from; below.
//   - `features` (a set name or a list of columns; default notebook;
//     sweepable): the model inputs. A set is `notebook` (the notebook's 20
//     columns: 15 numeric and engineered, 5 label-encoded categoricals),
//     `notebook_numeric` (its 15 numeric ones) or `raw` (the generated
//     columns without engineering). A list names columns of
//     featureset.Columns, each once. To sweep, give a list whose entries
//     include a list: [notebook, [cpu_usage, risk_score]] is two axis
//     values, while [notebook, raw] is one list of two (unknown) columns;
//     inside a zip block a plain list of names is an axis.
//   - `split` (mapping): the train/test split; below.
//   - `operating_point` (mapping; default none): a second decision
//     threshold for detectors, chosen for a false-positive budget; below.
//   - `models` (list of mappings; default none): the models to fit; below.
//   - `targets` (list of mappings; default none): success criteria, checked
//     by the gate; below.
//   - `regressions` (list of mappings; default none): how metrics may move
//     against a baseline run; below.
//   - `export_model` (boolean; default false): each trial saves its fitted
//     scoring pipeline into trials/<id>/model/: the label encoders and
//     scaler, the first random_forest detector (target is_anomaly) and the
//     first random_forest with target anomaly_type, which the experiment
//     must have. harness score and harness serve load it.
//   - `incident` (mapping; default none): flows scored through each
//     trial's exported pipeline, as the notebook's incident simulation;
//     below.
//   - `policy` (mapping; default none): a segmentation policy recommended
//     from each trial's training flows and evaluated on its test flows;
//     below.
//   - `monitoring` (mapping; default none): a simulated period of
//     operation of each trial's random-forest detector: daily traffic,
//     attack campaigns, drift, response times, label feedback and
//     retraining; below.
//
// # data
//
// With `data.source` generate (the default) the flows are drawn by a
// generator and anomalies injected; with file they are read from a file in
// the harness's flow schema, which gives its own labels; with table they
// are read from any flow table through the column mapping of data.table
// (below). Keys of the other sources are errors.
//
//   - `data.source` (string; default generate; generate, file or table):
//     where the flows come from.
//   - `data.generator` (string; default notebook; notebook or consistent;
//     sweepable): notebook is a faithful port of the notebook's
//     generate_network_flows and inject_anomalies, quirks included;
//     consistent draws the same flows but keeps the columns coherent after
//     injection (synth.GeneratorConsistent).
//   - `data.flows` (integer; default 10000; in [10, 100000000]; sweepable):
//     the number of flows (rows).
//   - `data.anomaly_rate` (number; default 0.05; in (0, 1); sweepable): the
//     fraction of flows made anomalous. As in the notebook, int(flows ×
//     anomaly_rate) flows are injected, truncated; it must be at least 1.
//   - `data.anomaly_mix` (mapping of anomaly type to share; default
//     {crypto_mining: 0.6, lateral_movement: 0.4}): the probability of
//     each injected type, drawn independently per anomalous flow. The
//     shares must sum to 1 (within 1e-9) at every point of the sweep. A
//     mix given in the file replaces the default whole: a type left out has
//     share 0.
//   - `data.anomaly_mix.crypto_mining` (number; default 0.6; in [0, 1];
//     sweepable): the share of crypto-mining anomalies.
//   - `data.anomaly_mix.lateral_movement` (number; default 0.4; in [0, 1];
//     sweepable): the share of lateral-movement anomalies.
//   - `data.difficulty` (number; default 0; in [0, 1]; sweepable): moves
//     every injected value toward the flow's own normal value: 0 is the
//     notebook's anomalies, 1 leaves anomalies indistinguishable from normal
//     traffic (synth.Config.Difficulty).
//   - `data.path` (string; required with source file; sweepable): the file
//     to read. A relative path starts at the experiment file's directory;
//     the file must exist when the experiment is checked (harness validate
//     and run check the files an experiment names before running it).
//   - `data.format` (string; default inferred from the path's extension;
//     csv or parquet; sweepable): the file's format.
//   - `data.table` (mapping; required with source table): the files of a
//     table source and the meaning of their columns; below.
//
// # data.table
//
// A table source reads real flow data of any layout (datasets/tabular):
// CSV, optionally gzip-compressed, or Parquet files, and a mapping that
// says which column is the label, which label values are normal traffic,
// which attack category every other label value belongs to, and which
// columns are numeric or categorical features or ignored. The reader is
// strict: a label value the mapping does not declare, a column it does not
// map, or a missing value under the error policy fails the trial, naming
// the file, line and column. A preset names a mapping the harness knows:
//
//	data:
//	  source: table
//	  table:
//	    preset: nsl-kdd
//	    files: [../../shared/datasets/nsl-kdd/KDDTrain+.txt.gz]
//	    test: [../../shared/datasets/nsl-kdd/KDDTest+.txt.gz]
//
// trains on KDDTrain+ and tests on KDDTest+, whose attack types include 17
// that never occur in training. Without a preset the mapping is declared:
//
//	data:
//	  source: table
//	  table:
//	    files: [flows.csv.gz]
//	    header: true
//	    label: label
//	    normal: [benign]
//	    categories: {dos: [syn_flood, udp_flood], probe: [port_scan]}
//	    numeric: [duration, src_bytes, dst_port]
//	    categorical: [protocol]
//	    ignore: [flow_id]
//	    roles: {duration: duration, bytes_sent: src_bytes}
//
// Every column of every file must be the label or in exactly one of
// numeric, categorical and ignore; every column named must be in every
// file. The features are the numeric columns, the categorical ones
// label-encoded over the levels of every file, and the notebook's
// engineered features that the roles allow; all are standardised as
// split.scale_on says. A row's anomaly type is its attack category (normal
// for normal traffic): random_forest with target anomaly_type learns the
// categories, and targets' anomaly_type names one. Detectors also produce
// `detection_rate_<category>` for each category in the test set, and, with
// separate test files, `detection_rate_seen_attacks` (among test attacks
// whose label occurs in the training files) and
// `detection_rate_unseen_attacks` (among those whose label does not).
//
// The parts of the harness that need the synthetic flow schema
// (departments, device types, hours) are refused with a table source:
// export_model, incident, policy and monitoring; so is features, since
// the table's columns are the features. With test files, split.test_fraction
// and split.stratify are refused too: the test files are the test set.
// Its keys:
//
//   - `data.table.preset` (string; default none; nsl-kdd): a known
//     mapping; the mapping keys (header, columns, label, normal,
//     categories, numeric, categorical, ignore, roles) are then errors.
//     nsl-kdd is NSL-KDD's (Tavallaee et al. 2009; tabspec.NSLKDD): no
//     header, 41 features (protocol_type, service and flag categorical),
//     the label, and the difficulty, ignored; the attack names in the
//     categories dos, probe, r2l and u2r; roles duration, bytes_sent
//     (src_bytes) and protocol (protocol_type).
//   - `data.table.files` (list of paths; required; at least one): the
//     files read, in order, as the training data, or as all the data when
//     test is not given (then split by split.test_fraction and
//     split.stratify). A relative path starts at the experiment file's
//     directory; each file must exist when the experiment is checked. The
//     extension tells the format: .csv or .txt (CSV), either followed by
//     .gz (gzip-compressed), .parquet or .pq. Each path once.
//   - `data.table.test` (list of paths; default none; at least one, none
//     of them in files): separate test files, read as files are; the
//     whole of them is the test set.
//   - `data.table.header` (boolean; default false): the first line of
//     each CSV file names its columns (compared after trimming spaces).
//     Parquet files always name their columns.
//   - `data.table.columns` (list of column names; default none; each
//     once): the columns in file order. Required when CSV files have no
//     header; with a header, each file's header must equal them. Every
//     column listed must be mapped, and every mapped column listed.
//   - `data.table.label` (string; required without a preset): the column
//     holding each row's label (its class).
//   - `data.table.normal` (list of label values; required without a
//     preset; at least one, each once): the label values of normal
//     traffic.
//   - `data.table.categories` (mapping of attack category to a list of
//     label values; required without a preset; at least one category):
//     each label value that is not normal belongs to exactly one category,
//     a name as `name` takes, other than normal. A label value in two
//     categories, in a category and in normal, or equal to a missing-value
//     token is an error.
//   - `data.table.numeric` (list of column names; default none; each
//     once): the numeric feature columns.
//   - `data.table.categorical` (list of column names; default none; each
//     once): the categorical feature columns. numeric and categorical
//     together name at least one column.
//   - `data.table.ignore` (list of column names; default none; each
//     once): columns present in the files but not used (not parsed).
//   - `data.table.roles` (mapping of role to column; default none): the
//     columns that play the roles of the notebook's raw columns, from
//     which its engineered features are computed (bytes_per_second from
//     bytes_sent and duration, log_bytes from bytes_sent, ...). Each
//     column must be numeric or categorical; an engineered feature whose
//     roles are not all numeric columns is skipped, and the trial's notes
//     say so. The roles:
//   - `data.table.roles.bytes_sent` (string; default none): bytes sent.
//   - `data.table.roles.cpu_usage` (string; default none): CPU usage in
//     percent.
//   - `data.table.roles.duration` (string; default none): duration in
//     seconds.
//   - `data.table.roles.hour` (string; default none): hour of day.
//   - `data.table.roles.packets_sent` (string; default none): packets sent.
//   - `data.table.roles.ports_contacted` (string; default none): ports
//     contacted.
//   - `data.table.roles.protocol` (string; default none): the protocol;
//     no engineered feature needs it.
//   - `data.table.missing` (string; default error; error, drop or impute):
//     what a missing value does: error fails the trial naming the first
//     ones; drop drops the row; impute replaces a numeric value with the
//     column's median and a categorical one with the level missing
//     (labels are never imputed). Drops and imputations are counted in the
//     trial's notes.
//   - `data.table.missing_tokens` (list of strings; default ["", "?",
//     "NA", "NaN", "null"]; each once): the field values that mean
//     missing; [] means none. Numeric fields are compared after trimming
//     spaces and tabs. A Parquet null is always missing. Quote null, which
//     YAML would otherwise read as no value.
//
// # split
//
//   - `split.test_fraction` (number; default 0.3; in (0, 1); sweepable): the
//     fraction of flows in the test set, ceil(test_fraction × flows); at
//     least one flow must remain for training.
//   - `split.stratify` (string; default anomaly_type; anomaly_type,
//     is_anomaly or none; sweepable): the label whose proportions both sides
//     keep. The notebook stratifies on is_anomaly.
//   - `split.scale_on` (string; default train; train or all; sweepable): the
//     rows the standard scaler is fitted on. all is the notebook's choice
//     (it scales before splitting, leaking the test rows' statistics).
//
// # operating_point
//
// Besides each detector's own decision (probability above 0.5; the
// isolation forest's contamination offset), an operating point chosen for
// a false-positive budget: a detector is fitted on the training rows
// minus a validation slice (stratified on is_anomaly), the threshold is the
// lowest score whose false-positive rate on that slice is within the
// budget, and detection and false-positive rate at that threshold are
// measured on the test set (budget_detection_rate,
// budget_false_positive_rate, budget_threshold). Without the block no
// slice is held out.
//
//   - `operating_point.fpr_budget` (number; no default; in (0, 1);
//     sweepable): the false-positive rate the threshold may reach on the
//     validation slice.
//   - `operating_point.validation_fraction` (number; default 0.25; in
//     (0, 1); sweepable): the fraction of the training rows held out to
//     choose the threshold.
//
// # models
//
// Each model is a mapping with a kind and that kind's parameters; a key of
// another kind is an error. The kinds, the roles they take and every
// parameter of each (type, default, range, sweepable) are listed in
// docs/models.md, which the model registry (internal/models) writes and
// `harness models` prints; the parser reads the same registry. Defaults are
// scikit-learn's, except n_init (scikit-learn 1.2's, the notebook's
// version) and silhouette_sample.
//
//   - `models[].name` (string; default the kind; same rules as name): names
//     the model in targets, metrics and parameter paths. Names must differ,
//     so two models of one kind need names.
//   - `models[].kind` (string; required; dbscan, external,
//     isolation_forest, kmeans or random_forest): `random_forest` is a
//     supervised classifier (a detector, or with target anomaly_type an
//     attack-type classifier), `isolation_forest` an unsupervised
//     detector, `kmeans` and `dbscan` cluster flows, and `external` is any
//     program, run through the protocol of docs/external-models.md in the
//     role it declares.
//
// # targets
//
// A target is a threshold on one metric of one model, for the gate, or a
// comparison of that metric with another model's:
//
//	targets:
//	  - {model: rf, metric: detection_rate, ">=": 0.95}
//	  - {model: xgb, metric: roc_auc, ">=": {model: rf}, tolerance: 0.002}
//
// A threshold target is judged on the two-sided t interval of the
// metric's mean over the seeds of each sweep point. A comparison with
// another model is judged on the differences of the metric between the
// two models, trial by trial (both saw the same split with the same seed):
// the signed-rank interval of their median (the Hodges-Lehmann interval
// that inverts the Wilcoxon signed-rank test), against the margin the
// tolerance sets. >= passes when the whole interval is at least
// -tolerance (the model is not worse by more than the tolerance), <= when
// it is at most tolerance, > and < when it is above tolerance or below
// -tolerance (better by more than it); a >= and a <= with one tolerance
// together claim equivalence. Either fails when the whole interval is on
// the wrong side, and is inconclusive otherwise; fewer than 6 seeds cannot
// give a 95% signed-rank interval, so they are always inconclusive. The
// Wilcoxon test's p-value is reported beside the verdict.
//
// Its keys:
//
//   - `targets[].model` (string; required): a model's name.
//   - `targets[].metric` (string; required): a metric the model produces.
//     Detectors (isolation_forest, and random_forest with target
//     is_anomaly) produce `detection_rate` (the recall of the anomaly
//     class), `false_positive_rate`, `precision`, `recall`, `f1`,
//     `accuracy`, `roc_auc`, `pr_auc` (all fractions in [0, 1]),
//     with an operating_point `budget_detection_rate`,
//     `budget_false_positive_rate` and `budget_threshold`. Response time,
//     time to detect and the health score are the monitoring simulation's:
//     model `monitoring` (# monitoring). With data.source table and
//     separate test files, detectors also produce
//     `detection_rate_seen_attacks` and `detection_rate_unseen_attacks`
//     (# data.table).
//     Attack-type classifiers (random_forest with target anomaly_type)
//     produce `accuracy`, `macro_f1` and `weighted_f1`. Clusterings produce
//     `silhouette` (in [-1, 1]), `n_clusters`, `noise_fraction` and
//     `silhouette_sample_size`; kmeans also `inertia`. docs/models.md lists
//     each role's metrics with their ranges and directions.
//   - `targets[].>=`, `targets[].>`, `targets[].<=` or `targets[].<`
//     (number, or a mapping {model: name}; required, exactly one): the
//     comparison and its threshold, in the metric's unit, or the other
//     model of the experiment whose metric it compares with (it must
//     produce the metric). Quote the key in YAML: ">=": 0.95.
//   - `targets[].tolerance` (number; default 0; in [0, max float64]):
//     with a comparison against another model, the margin, in the
//     metric's unit (above).
//   - `targets[].anomaly_type` (string; default none; crypto_mining or
//     lateral_movement, or with data.source table one of its attack
//     categories): restricts detection_rate, the only metric it applies
//     to, to the flows of one anomaly type (the metric
//     detection_rate_<type>).
//   - `targets[].where` (mapping; default none): the points of the sweep
//     the target applies to: each key is a swept parameter, by axis name
//     or parameter path, and its value one swept value or a list of them.
//     Numbers match by value (1e4 matches 10000). Without where, a target
//     applies to every trial.
//
// # regressions
//
// How each metric may move against a baseline run before
// `harness check -baseline` calls it a regression:
//
//	regressions:
//	  - {model: rf, metric: detection_rate, better: higher, tolerance: 0.01}
//
// A regression is a change in the worse direction larger than the
// tolerance that a two-sided Mann-Whitney U test over the seeds finds
// significant (check's -alpha, 0.05 by default); it fails the gate.
// Its keys:
//
//   - `regressions[].model` (string; required): a model's name.
//   - `regressions[].metric` (string; required): a metric the model
//     produces, as for targets.
//   - `regressions[].better` (string; default the metric's direction;
//     higher or lower): the direction of improvement. Left out, it is the
//     direction the metric vocabulary gives the metric (docs/models.md
//     lists each metric's: higher for detection rates and areas under
//     curves, lower for false-positive rates and times); a metric without
//     one (n_clusters, budget_threshold, an incident flow's figures) needs
//     it given.
//   - `regressions[].tolerance` (number; default 0; in [0, max float64]):
//     the largest change of the mean in the worse direction that is not a
//     regression, in the metric's unit.
//   - `regressions[].against` (mapping {model: name}; default none):
//     another model of the experiment: the rule then judges the model's
//     lead over it, the metric's difference between the two trial by
//     trial, instead of the metric itself (a new build of xgb may keep its
//     AUC yet lose its lead over rf).
//
// # incident
//
// The notebook's simulate_crypto_mining_incident, measured: each trial
// scores every flow of incident.flows through the scoring pipeline it
// exported (so `export_model: true` is required), loaded back from
// trials/<id>/model/ as harness score loads it, and writes
// trials/<id>/incident.json: each flow with its anomaly probability,
// is_anomaly, risk level and action, most likely attack type and its
// confidence, the attack-type classifier's probability of every class,
// and the segmentation actions of its risk level (for HIGH the notebook's
// five: isolate the source device, block its outbound connections, monitor
// its segment, alert the security team, preserve logs and flows).
//
// Each flow's figures are also rows of the metrics table, with the flow's
// name in the model column, so targets can name a flow like a model:
// `anomaly_probability`, `is_anomaly` (1 or 0), `risk_level` (2 for HIGH,
// 1 for MEDIUM, 0 for LOW), `attack_confidence` and
// `attack_probability_<class>` for each class of the attack-type
// classifier (attack_probability_crypto_mining); with compare, the first
// flow also has `probability_ratio` and `probability_difference`.
//
//   - `incident.flows` (list of mappings; required): the flows, in the
//     schema harness score reads. Categories must be ones the exported
//     encoders were fitted on; the run fails naming the flow otherwise.
//   - `incident.flows[].name` (string; required): the flow's name, a name
//     as `name` takes, distinct from the other flows, from the models'
//     names, from policy and from monitoring.
//   - `incident.flows[].src_device_type` (string; required): the source's
//     device type (workstation, server, database, web_server, mobile, iot
//     in generated data).
//   - `incident.flows[].src_department` (string; required): the source's
//     department (accounting, hr, engineering, sales, it, executive).
//   - `incident.flows[].dst_device_type` (string; required): the
//     destination's device type.
//   - `incident.flows[].dst_department` (string; required): the
//     destination's department.
//   - `incident.flows[].protocol` (string; required): TCP, UDP or ICMP in
//     generated data.
//   - `incident.flows[].bytes_sent` (number; required; not negative): bytes.
//   - `incident.flows[].packets_sent` (integer; required; not negative):
//     packets.
//   - `incident.flows[].duration` (number; required; not negative): seconds.
//   - `incident.flows[].hour` (integer; required; in [0, 23]): hour of day.
//   - `incident.flows[].is_business_hours` (boolean; required): whether the
//     flow is in business hours.
//   - `incident.flows[].cpu_usage` (number; required; in [0, 100]): percent.
//   - `incident.flows[].ports_contacted` (integer; required; not negative):
//     ports.
//   - `incident.flows[].same_dept` (boolean; default derived from the
//     departments): given, used as given.
//   - `incident.flows[].cross_dept` (boolean; default derived from the
//     departments): given, used as given.
//   - `incident.compare` (list of two flow names; default none): the first
//     flow's anomaly probability divided by the second's (the notebook's
//     "detection improvement") and their difference. When the second
//     scores 0 the ratio is undefined: it is left out of the metrics, and
//     incident.json and the trial's notes say why (the notebook printed
//     "inf x").
//
// # policy
//
// A segmentation policy learned from the normal flows of each trial's
// training split (internal/policy), written to trials/<id>/policy.json,
// and evaluated on the test split: a test flow is blocked when no allow
// rule covers its source and destination segments, protocol and port
// count, when its behaviour falls outside every behavioural cluster of
// normal traffic, or when the experiment's first random_forest detector
// (required) scores it above isolate_above, which isolates its source.
// Its rows in the metrics table have model `policy`:
// `policy_block_rate` (share of anomalous test flows blocked),
// `policy_false_block_rate` (share of normal test flows blocked),
// `policy_block_rate_<type>` per anomaly type, the same two rates for each
// rule family alone (`policy_allowlist_block_rate`,
// `policy_allowlist_false_block_rate`, `policy_behaviour_block_rate`,
// `policy_behaviour_false_block_rate`, `policy_isolation_block_rate`,
// `policy_isolation_false_block_rate`), `policy_rules` (allow rules) and
// `policy_segments`. No model may be named policy.
//
//   - `policy.segments` (string; default department_device;
//     department_device, department or device_type; sweepable): what a
//     segment is: a department's devices of one type, a department, or a
//     device type.
//   - `policy.min_flows` (integer; default 1; in [1, 2147483647];
//     sweepable): the normal training flows a segment pair needs on a
//     protocol before the protocol is allowed between them.
//   - `policy.port_margin` (integer; default 0; in [0, 2147483647];
//     sweepable): added to the most ports a pair's normal flows contacted
//     to give the rule's port bound.
//   - `policy.clusters` (integer; default 6; in [0, 1000]; sweepable):
//     behavioural clusters of normal traffic (k-means on log bytes, log
//     duration, CPU and log ports, standardised); 0 turns the behavioural
//     rule off.
//   - `policy.cluster_quantile` (number; default 0.99; in (0, 1];
//     sweepable): a cluster's radius is this quantile of its members'
//     distances to its centre; a flow farther than the radius from its
//     nearest centre is blocked.
//   - `policy.isolate_above` (number; default 0.8; in [0, 1]; sweepable):
//     the detector probability above which a flow's source is isolated
//     (the notebook's HIGH risk).
//
// # monitoring
//
// A simulated period of operation (a week by default) of each trial's
// random-forest detector, after the notebook's monitoring dashboard and
// continuous-learning strategy (internal/monitor): the trial's generator
// draws normal traffic window by window, denser in business hours and
// changed by the declared drifts; attack campaigns add anomalous flows;
// the deployed model scores every flow; and alerts, the time to detect
// and to contain each campaign, label feedback and the drift of the
// traffic from the training flows (PSI and KS per feature) are measured
// per window. With retraining, the continuous-learning policy retrains a
// candidate on the labelled feedback, A/B tests it on a holdout, rolls it
// out in stages, and promotes or rolls it back. Each trial writes
// trials/<id>/monitoring.parquet (one row per window), drift.parquet,
// incidents.parquet (one row per occurrence of a campaign),
// events.parquet and, with store_scores, monitoring_flows.parquet.
//
// The simulation needs generated data (data.source generate) and a
// random_forest detector (target is_anomaly). Its figures are rows of the
// metrics table with model `monitoring`, so targets and regression rules
// name it like a model (and no model may be named monitoring):
// `mttd_minutes` (mean time to detect a campaign),
// `mean_time_to_contain_minutes`, `response_time_minutes` (detect plus
// contain), `campaigns`, `campaigns_detected`, `campaigns_missed`,
// `detection_rate`, `last_day_detection_rate` (over the last 24 hours:
// where retraining left the detector), `false_positive_rate`,
// `alerts_per_hour`,
// `health_score` (the notebook's model health score), `max_psi` and
// `max_ks` (the largest drift statistics), `retrains`, `promotions`,
// `rejections`, `rollbacks` (with retraining), and a straight line fitted
// to the per-window detection rate of the model deployed last against
// time in days: `detection_trend_slope_per_day`, `detection_trend_r2` and
// `detection_forecast_days` (how many days after the period's end the line
// falls below retraining.min_detection; absent when it does not within a
// year, or already has). A figure that is undefined (no campaign detected)
// is left out with a note in the manifest. Its metrics are not split by
// anomaly type. Each trial also writes monitoring.json: the headline
// figures, the trend line and its forecast in words.
//
// Durations are written as Go writes them, with a d unit (24h) besides:
// 7d, 1d12h, 90m, 1h30m, 30s; or 0 where 0 is allowed. A duration is a
// whole number of seconds, not negative, and at most 3650d; the resolved
// spec writes it in days, hours, minutes and seconds (1d12h, not 36h).
// The response's delays are distributions in minutes, each a mapping with
// exactly one key: {fixed: A}, {uniform: [A, B]}, {exponential: A} (mean
// A) or {lognormal: [A, B]} (median A, sigma B of the natural log).
//
//	monitoring:
//	  period: 7d
//	  flows_per_day: 100000
//	  campaigns:
//	    - {name: mining, type: crypto_mining, start: 1d6h, duration: 3h, every: 1d, rate: 120}
//	    - {name: stealthy, type: crypto_mining, variant: throttled_mining, start: 4d, duration: 6h, rate: 60, cpu_shift: -40}
//	  drifts:
//	    - {start: 3d, ramp: 1d, bytes_log_shift: 0.7}
//	  retraining: {enabled: [true, false]}
//
// Its keys:
//
//   - `monitoring.model` (string; default the first random_forest
//     detector): the deployed model, a random_forest with target
//     is_anomaly. The resolved spec names it.
//   - `monitoring.period` (duration; default 7d; in [1m, 3650d]): the
//     simulated span, a whole number of windows.
//   - `monitoring.window` (duration; default 1h; in [1m, 1d]): the length
//     of a monitoring window, the unit of the per-window tables. It must
//     divide a day evenly, so that windows align with days.
//   - `monitoring.flows_per_day` (integer; default 100000; in
//     [1, 1000000000]; sweepable): normal flows a day, spread over the
//     hours by business_hours_factor. Over the period a simulation draws
//     at most [MaxSimulatedFlows] normal flows, and with store_scores at
//     most [MaxStoredScores] (each value of a sweep is checked).
//   - `monitoring.business_hours_factor` (number; default 3; in (0, 1000];
//     sweepable): how many times denser normal traffic is in business
//     hours (8 to 17) than in the other hours; 1 is flat.
//   - `monitoring.campaigns` (list of mappings; default none): the attack
//     campaigns; without any the simulation measures false positives and
//     drift alone.
//   - `monitoring.campaigns[].name` (string; required): the campaign's
//     name, a name as `name` takes, distinct from the other campaigns. An
//     occurrence is named name#occurrence (mining#0).
//   - `monitoring.campaigns[].type` (string; required; crypto_mining or
//     lateral_movement): the attack injected into the campaign's flows.
//   - `monitoring.campaigns[].variant` (string; default the type): names
//     the attack's variant, a name as `name` takes. Flows of a variant the
//     deployed model was not trained on (any but the type) are new
//     patterns to the retraining policy.
//   - `monitoring.campaigns[].start` (duration; default 0; in [0, 3650d]):
//     when the campaign first starts, from the start of the period; before
//     the period's end.
//   - `monitoring.campaigns[].duration` (duration; default 1h; in
//     [1s, 3650d]): how long each occurrence lasts.
//   - `monitoring.campaigns[].every` (duration; default 0; in [0, 3650d]):
//     the campaign repeats this often while it starts within the period;
//     0 runs it once. At least the duration, so that occurrences do not
//     overlap.
//   - `monitoring.campaigns[].rate` (number; default 100; in
//     (0, 1000000000]): anomalous flows an hour while the campaign runs.
//   - `monitoring.campaigns[].src_department` (string; default drawn as
//     for normal traffic; accounting, hr, engineering, sales, it or
//     executive): the source department of every flow.
//   - `monitoring.campaigns[].src_device_type` (string; default drawn as
//     for normal traffic; workstation, server, database, web_server,
//     mobile or iot): the source device type of every flow.
//   - `monitoring.campaigns[].difficulty` (number; default 0; in [0, 1]):
//     moves the injected values toward the flow's own, as data.difficulty.
//   - `monitoring.campaigns[].cpu_shift` (number; default 0; in
//     [-100, 100]): percentage points added to cpu_usage after injection
//     (clipped to [0, 100]); -40 is mining throttled to stay under the
//     radar.
//   - `monitoring.drifts` (list of mappings; default none): changes of the
//     normal traffic; drifts add up. Each must change something: a
//     non-zero bytes_log_shift or cpu_shift, or device_weights.
//   - `monitoring.drifts[].start` (duration; default 0; in [0, 3650d]):
//     when the drift begins, before the period's end.
//   - `monitoring.drifts[].ramp` (duration; default 0; in [0, 3650d]): the
//     drift reaches its full size linearly over this span from start; 0
//     at once.
//   - `monitoring.drifts[].bytes_log_shift` (number; default 0; in
//     [-10, 10]): added to the natural log of bytes_sent (0.7 about
//     doubles it); packets_sent follows.
//   - `monitoring.drifts[].cpu_shift` (number; default 0; in [-100, 100]):
//     percentage points added to cpu_usage (clipped to [0, 100]).
//   - `monitoring.drifts[].device_weights` (mapping of device type to
//     weight; default none): the relative weights of the source device
//     types; a type left out weighs 0, and not every weight may be 0.
//     Without it the notebook's uniform mix stays.
//   - `monitoring.drifts[].device_weights.workstation` (number; default 0;
//     in [0, 1000000000]): the weight of workstations.
//   - `monitoring.drifts[].device_weights.server` (number; default 0; in
//     [0, 1000000000]): the weight of servers.
//   - `monitoring.drifts[].device_weights.database` (number; default 0; in
//     [0, 1000000000]): the weight of databases.
//   - `monitoring.drifts[].device_weights.web_server` (number; default 0;
//     in [0, 1000000000]): the weight of web servers.
//   - `monitoring.drifts[].device_weights.mobile` (number; default 0; in
//     [0, 1000000000]): the weight of mobile devices.
//   - `monitoring.drifts[].device_weights.iot` (number; default 0; in
//     [0, 1000000000]): the weight of IoT devices.
//   - `monitoring.timing` (mapping): the detection pipeline's cadence and
//     the response's delays.
//   - `monitoring.timing.export_interval` (duration; default 1m; in
//     [0, 3650d]): the flow exporter emits a flow at the next multiple of
//     it at or after the flow; 0 at once.
//   - `monitoring.timing.scoring_interval` (duration; default 30s; in
//     [0, 3650d]): exported flows are scored, and alerts raised, at
//     multiples of it; 0 at once.
//   - `monitoring.timing.triage` (delay; default {lognormal: [3, 0.5]}):
//     minutes from a campaign's first alert until an analyst confirms it.
//   - `monitoring.timing.triage.fixed` (number; no default; in
//     [0, max float64]): a fixed delay of A minutes.
//   - `monitoring.timing.triage.uniform` (list of two numbers [A, B]; no
//     default; 0 <= A <= B): a delay uniform between A and B minutes.
//   - `monitoring.timing.triage.exponential` (number; no default; in
//     (0, max float64]): an exponential delay of mean A minutes.
//   - `monitoring.timing.triage.lognormal` (list of two numbers [A, B]; no
//     default; A > 0, B >= 0): a lognormal delay, A·exp(B·Z) minutes with
//     Z standard normal: median A, sigma B.
//   - `monitoring.timing.containment` (delay; default {lognormal: [6,
//     0.5]}): minutes from confirmation until the campaign is contained.
//     Its keys are triage's:
//   - `monitoring.timing.containment.fixed` (number; no default; in
//     [0, max float64]): as triage.fixed.
//   - `monitoring.timing.containment.uniform` (list of two numbers [A, B];
//     no default; 0 <= A <= B): as triage.uniform.
//   - `monitoring.timing.containment.exponential` (number; no default; in
//     (0, max float64]): as triage.exponential.
//   - `monitoring.timing.containment.lognormal` (list of two numbers
//     [A, B]; no default; A > 0, B >= 0): as triage.lognormal.
//   - `monitoring.feedback` (mapping): how labels of scored flows come
//     back, to the retraining policy and the per-window label counts.
//   - `monitoring.feedback.delay` (duration; default 4h; in [0, 3650d]): a
//     label arrives this long after its flow.
//   - `monitoring.feedback.normal_fraction` (number; default 0.01; in
//     [0, 1]; sweepable): the share of normal flows that get a label,
//     drawn at random.
//   - `monitoring.feedback.anomaly_fraction` (number; default 0.5; in
//     [0, 1]; sweepable): the share of anomalous flows that get a label.
//   - `monitoring.retraining` (mapping; default none): the notebook's
//     continuous-learning strategy (internal/monitor/retrain). The block
//     turns retraining on, each key at its default unless given; without
//     it the first model serves the whole period. A trigger (detection
//     below min_detection, drift above drift_threshold, new_patterns
//     anomalies of unknown variants, or the schedule) waits for
//     min_samples labelled samples; then a candidate is trained on the
//     labelled feedback and A/B tested against the deployed model on the
//     holdout; accepted when better by more than min_improvement, it is
//     rolled out by stages and promoted, or rolled back.
//   - `monitoring.retraining.enabled` (boolean; default true; sweepable):
//     false keeps the block but retrains nothing, so [true, false]
//     compares a run with and without retraining.
//   - `monitoring.retraining.min_detection` (number; default 0.9; in
//     [0, 1]; sweepable): the detection trigger fires when the deployed
//     model's detection rate over the feedback window is below it.
//   - `monitoring.retraining.feedback_window` (duration; default 1d; in
//     [1s, 3650d]): the span of labelled feedback the detection and
//     new-pattern triggers look at.
//   - `monitoring.retraining.min_anomalies` (integer; default 50; in
//     [1, 2147483647]): labelled anomalies within the feedback window that
//     the detection trigger needs before it may fire.
//   - `monitoring.retraining.drift_threshold` (number; default 0.25; in
//     [0, max float64]; sweepable): the drift trigger fires when a
//     window's largest PSI over the drift features is above it; 0 turns
//     the trigger off.
//   - `monitoring.retraining.new_patterns` (integer; default 50; in
//     [0, 2147483647]): the new-pattern trigger fires when this many
//     labelled anomalies of variants the deployed model was not trained on
//     arrived within the feedback window; 0 turns it off.
//   - `monitoring.retraining.schedule` (duration; default 30d; in
//     [0, 3650d]): the schedule trigger fires this long after the last
//     retrain (or the start); 0 turns it off.
//   - `monitoring.retraining.min_samples` (integer; default 1000; in
//     [0, 2147483647]): labelled samples gathered since the last retrain
//     that a retrain needs.
//   - `monitoring.retraining.min_improvement` (number; default 0.02; in
//     [0, 1]; sweepable): how much higher than the deployed model's the
//     candidate's metric on the holdout must be for it to be accepted.
//   - `monitoring.retraining.rollout` (list of numbers; default
//     [0.1, 0.5, 1]; each in (0, 1], increasing, the last 1): the
//     candidate's share of the traffic at each rollout stage.
//   - `monitoring.retraining.stage_duration` (duration; default 12h; in
//     [1s, 3650d]): the time spent at each rollout stage.
//   - `monitoring.retraining.rollback_tolerance` (number; default 0.05; in
//     [0, 1]): at the end of a stage the candidate is rolled back when the
//     deployed model's detection rate exceeds its own by more than this.
//   - `monitoring.retraining.cooldown` (duration; default 1d; in
//     [0, 3650d]): after a retraining cycle ends (reject, rollback or
//     promote) no trigger fires for this long.
//   - `monitoring.retraining.holdout` (duration; default 1d; in
//     [1s, 3650d]): the labelled feedback that arrived within this span
//     before a retrain is the A/B test's holdout and is not trained on.
//   - `monitoring.retraining.max_samples` (integer; default 50000; in
//     [1, 2147483647]; at least min_samples): the most labelled samples a
//     candidate is trained on, the most recent first.
//   - `monitoring.drift_features` (list of columns; default [bytes_sent,
//     packets_sent, duration, cpu_usage, ports_contacted]; each one of
//     bytes_sent, packets_sent, duration, cpu_usage or ports_contacted,
//     once): the raw columns whose distribution over each window's flows
//     the detector passed as normal is compared with the normal training
//     flows' of the same kind of hour (business or off hours, whose traffic
//     differs). Flagged flows are alerts already and left out; attacks the
//     detector missed stay in, which is how an unknown variant shows. hour is not offered: it is
//     constant within a window.
//   - `monitoring.drift_bins` (integer; default 10; in [2, 1000]): the
//     equal-frequency bins of the PSI.
//   - `monitoring.store_scores` (boolean; default false): also write
//     trials/<id>/monitoring_flows.parquet, every simulated flow's score
//     and decision (one row per flow: large).
//
// # Sweeps
//
// A list where a single value is expected makes the key a sweep axis: the
// experiment runs at each of its values. Keys marked sweepable above take
// one; others (name, description, data.source, a model's name, kind and
// target, everything in targets) reject a list. An axis needs at least one
// value, each once (by value: 1000 and 1e3 are one value), and a list of
// lists is not an axis except for features.
//
// Axes combine as a grid: every combination of their values, ordered as
// the keys appear in the file with the last axis varying fastest, and
// within each combination one trial per seed, in the order of seeds. So
// data: {flows: [1000, 2000], difficulty: [0, 1]} with seeds [1, 2] runs
// flows=1000/difficulty=0 for seeds 1 and 2, then flows=1000/difficulty=1,
// then the two points of flows=2000: 8 trials.
//
// A `zip` block inside any mapping that has sweepable keys (the top level,
// data, data.anomaly_mix, split, a model, policy, monitoring,
// monitoring.feedback, monitoring.retraining) holds keys of that mapping whose
// lists move together instead of combining: their lists must have equal
// lengths, and they are one dimension of the grid, placed where the zip key
// is. Every value in a zip block is a list, a key may not also appear
// outside it, and zip blocks do not nest; seeds, models, targets, and keys
// that are not sweepable cannot appear in one:
//
//	data:
//	  anomaly_rate: [0.05, 0.1]         # 2 values
//	  zip:                              # x 2 pairs
//	    generator: [notebook, consistent]
//	    difficulty: [0, 0.5]
//	seeds: [1, 2]                       # x 2 seeds = 8 trials
//
// Rules that tie keys together (the mix's sum, at least one anomaly, at
// least one training flow) hold at every point of the sweep. A file may
// expand to at most [MaxTrials] trials, seeds included.
//
// Each axis has a parameter path: the key path, with a model's index
// replaced by its name (data.anomaly_rate, split.stratify, features,
// data.anomaly_mix.crypto_mining, models.rf.trees); and a name: the
// shortest suffix of the path, by dot-separated segments, that no other
// axis shares and that is not "seed" (anomaly_rate; rf.trees and iso.trees
// when two models sweep trees). Targets' where and trial IDs use names.
//
// # Trial IDs
//
// A trial's ID lists its axes' name=value pairs in axis order, then its
// seed, joined by slashes: anomaly_rate=0.05/generator=notebook/seed=3, or
// just seed=42 without a sweep. Values are written canonically: integers in
// decimal, other numbers in their shortest form (0.05, 1e-05), words as
// written (auto, all, notebook), a column list joined with +
// (cpu_usage+risk_score). Every byte outside A-Z, a-z, 0-9 and . _ + - is
// percent-encoded (week 1.csv is week%201.csv, a/b is a%2Fb), and a value
// of . or .. becomes %2E or %2E%2E, so that an ID is a safe relative
// directory path.
//
// IDs are kept short: a name=value segment longer than 64 bytes becomes its
// first 54 bytes, ~ and the first 8 hex digits of the SHA-256 of the whole
// segment; if the ID is still longer than 160 bytes, it becomes params~,
// the first 16 hex digits of the SHA-256 of all the name=value segments
// joined by slashes, and the seed segment: params~1a2b3c4d5e6f7a8b/seed=1.
// An ID depends only on the trial's parameters and seed, so it is stable
// across runs, machines and file edits that do not change them.
//
// # Seeds
//
// A trial's seed ([Trial.DerivedSeed]) is derived from its replicate seed
// and its full, unshortened ID, never from the order trials run in:
//
//	seed.Trial(root, id) = first 8 bytes, big-endian, of
//	    SHA-256("segharness/seed/v1" || 0x00 || uint64(root) big-endian || 0x00 || "trial/" + id)
//
// (internal/seed). Every random stream of the trial (data generation, the
// split, the models) is derived from it in turn with seed.Derive and a
// label, so a trial can be rerun alone, in any order, on any number of
// workers, with the same result.
//
// # The resolved spec
//
// [Experiment.Resolved] renders the experiment with every default filled
// in, its axes, and each trial's ID, seeds and parameter values: the
// runner writes it as spec.resolved.yaml beside the results.
package experiments
