// Package experiments reads experiment files: declarative YAML that names
// the data, features, split, models and success targets of an experiment,
// and may sweep any of its numeric or categorical settings. [ParseFile] and
// [Parse] check a file strictly, fill in every default, and expand its sweep
// into trials ([Trial]), each with a stable ID and its own derived seed. The
// key table [Keys] is the reference of every key; this comment says what
// each part of a file does.
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
// # Keys
//
// Every key, with its type, default (or "required"), valid range (ends
// included with [ ] and excluded with ( )), whether it is sweepable (takes
// a list of values; see Sweeps) and what it does, is an entry of the key
// table [Keys]; docs/experiment-files.md lists them, written from the
// table, and the tests hold the table to the parser key for key. A model's
// keys besides name and kind are its kind's, listed in docs/models.md.
// Numbers are plain numbers: rates and fractions are fractions of 1, not
// percentages. The sections below say what each part of a file does.
//
// # data
//
// With `data.source` generate (the default) the flows are drawn by a
// generator and anomalies injected; with file they are read from a file in
// the harness's flow schema, which gives its own labels; with table they
// are read from any flow table through the column mapping of data.table
// (below). Keys of the other sources are errors. Without data the flows
// are the notebook's: 10,000 from the notebook generator, 5% anomalies,
// 60% crypto mining and 40% lateral movement.
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
// Paths are relative to the experiment file's directory, and the
// extension tells a file's format: .csv or .txt (CSV), either followed by
// .gz (gzip-compressed), .parquet or .pq.
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
// # targets
//
// A target is a threshold on one metric of one model, for the gate, or a
// comparison of that metric with another model's:
//
//	targets:
//	  - {model: rf, metric: detection_rate, ">=": 0.95}
//	  - {model: rf, metric: detection_rate, anomaly_type: lateral_movement, ">=": 0.9}
//	  - {model: xgb, metric: roc_auc, ">=": {model: rf}, tolerance: 0.002}
//
// anomaly_type restricts detection_rate to one anomaly type (a table's
// attack category): the second target judges detection_rate_lateral_movement,
// the share of the test split's lateral-movement anomalies rf flagged, over
// the seeds whose test split holds any.
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
