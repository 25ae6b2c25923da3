// Package synth is the notebook's synthetic flow generator and its
// variants: Generate draws a dataset (generate_network_flows and
// inject_anomalies, faithfully or with the columns kept consistent, at a
// chosen difficulty), GenerateWindow the flows of one monitoring window
// (traffic at one hour of day, drifted, with attack campaigns injected).
//
// The package sits low in the import graph (internal/flow, internal/seed
// and the standard library only), so that the experiment-file parser can
// name its generators, anomaly types, drifts and attacks without linking
// the Parquet code of datasets. Every random stream is derived from the
// caller's seed: a seed's flows do not depend on the number of workers.
package synth
