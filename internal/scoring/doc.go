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
// same_dept and cross_dept are optional in a flow.Flow: given (flow.Table.At
// gives a table's), they are used as given, so every row of a trial's
// table scores exactly as the batch pipeline scored it, the notebook
// generator's injected lateral movements included (they set cross_dept
// without changing the departments); absent, they are derived from the
// departments, as the generators derive them (flow.Flow.Depts).
//
// # Model directory
//
// Save writes, and Load reads, a directory of three files and nothing
// else:
//
//	model.json          format "segharness-model/2": provenance (experiment,
//	                    trial, seed, derived seed, the two models' specs),
//	                    the feature columns, the label encoders' classes by
//	                    encoded column, the scaler's mean and scale, the
//	                    risk thresholds, the is_anomaly decision rule, for
//	                    each classifier its kind (absent for a random
//	                    forest), file name, size in bytes, SHA-256 and
//	                    class names in class index order, and last its own
//	                    digest
//	detector.forest     the is_anomaly classifier (its MarshalBinary)
//	attack_type.forest  the anomaly_type classifier (its MarshalBinary)
//
// The classifiers are of the kinds Kinds lists: a random forest
// (internal/ml/forest) or a gradient-boosted ensemble. Their files keep the
// .forest names whatever the kind, both being ensembles of trees;
// model.json's kind says how each decodes, and a kind this harness does
// not know is refused by name.
//
// model.json ends with the line
//
//	"digest": "sha256:<64 lowercase hex digits>"
//
// (indented by two spaces), then the closing brace's line: the file's
// last 88 bytes. The digits are the SHA-256 of every byte before those
// two lines (head -c -88 model.json | sha256sum prints it). The digest
// covers the file's exact bytes, as each forest's SHA-256 in model.json
// covers the forest's: together they seal the directory, and no edit of
// any file, however small or however harmless its JSON meaning, loads.
// Covering the bytes rather than a canonical form of the JSON keeps the
// check simple and independent of how an encoder writes numbers, and it
// is made before the file is parsed. The digest detects damage and
// careless edits, not a deliberate forgery: who can write the directory
// can recompute it.
//
// Each file is written atomically (internal/artifact), model.json last,
// so model.json is the directory's commit point: a save interrupted
// between files leaves digests that do not match, which Load reports,
// never a silent mix of two models. Save removes temporary files an
// interrupted save left and refuses a directory holding anything else.
//
// Load refuses, naming the file: a directory holding any other entry (an
// extra file or directory, a temporary file of an unfinished save), a
// missing file, an entry that is not a regular file itself (a symbolic
// link, which is not followed, a directory, a FIFO, which it does not
// block on, a device), a model.json of another format version (format 1
// had no digest: such a model must be re-exported), without its digest
// or not matching it, and a forest file larger or smaller than model.json
// records or of another SHA-256. Past the digests, which only prove the
// writer's intent, it checks model.json strictly (no unknown or missing
// field, nothing after the object) and that the parts agree: both forests
// take one value per feature column, the attack classes name the attack
// forest's classes, and the risk thresholds satisfy
// 0 <= medium <= high <= 1.
//
// # Streams
//
// ScoreStream scores a JSON Lines stream of flows (harness score): one
// result or error object per non-blank line, numbered by input line, in
// the input's order, whatever the number of workers; a bad line does not
// stop the stream. Its memory is bounded by a fixed pool of batches of
// lines, whatever the stream's length.
//
// # Speed
//
// Score does not allocate: its feature vector and class probabilities live
// in pooled buffers (the classifiers are called through an interface, so
// a buffer on the stack would escape). Nearly all of its time is spent
// walking the two classifiers' trees.
package scoring
