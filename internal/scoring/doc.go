// Package scoring scores single network flows in real time with the models
// a trial fitted, as the notebook's score_network_flow does, without its
// two defects: both forests see the same scaled features (the notebook fed
// its attack-type classifier unscaled ones), and categories are encoded by
// the fitted label encoders (the notebook hard-coded codes in another
// order), an unknown category being an error that names the field and the
// fitted classes.
//
// A flow's score is the batch pipeline's for the same values, bit for bit:
// Score runs the feature pipeline's per-row code (features.EngineerRow and
// Pipeline.TransformRow, the steps Engineer and Transform run on every
// row) and the forests' PredictProba, and decides as the runner does.
// same_dept and cross_dept are optional in a flow: given (FlowOf gives a
// table's), they are used as given, so every row of a trial's table scores
// exactly as the batch pipeline scored it, the notebook generator's
// injected lateral movements included (they set cross_dept without
// changing the departments); absent, they are derived from the
// departments, as the generators derive them.
//
// # Model directory
//
// Save writes, and Load reads, a directory of three files:
//
//	model.json          format "segharness-model/1": provenance (experiment,
//	                    trial, seed, derived seed, the two models' specs),
//	                    the feature columns, the label encoders' classes by
//	                    encoded column, the scaler's mean and scale, the
//	                    risk thresholds, the is_anomaly decision rule, and
//	                    for each forest its file name, size in bytes,
//	                    SHA-256 and class names in class index order
//	detector.forest     the is_anomaly random forest (forest.MarshalBinary)
//	attack_type.forest  the anomaly_type random forest (forest.MarshalBinary)
//
// Each file is written atomically (internal/artifact), model.json last.
// Load checks model.json's format, each forest's size and digest before
// decoding it, and that the parts agree: both forests take one value per
// feature column, the attack classes name the attack forest's classes,
// and the risk thresholds satisfy 0 <= medium <= high <= 1.
//
// # Speed
//
// Score does not allocate: its feature vector and class probabilities live
// on its stack (or, for unusually wide models, in pooled buffers). Nearly
// all of its time is spent walking the two forests' trees.
package scoring
