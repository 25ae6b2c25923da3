// Package policy recommends a network segmentation policy from a trial's
// training flows and measures it on the test flows: the notebook's
// "segmentation policy recommendations" made into rules a firewall could
// enforce, and scored.
//
// [Recommend] learns from the normal flows (is_anomaly false) of the
// training rows only; anomalies and test rows never shape the policy.
// [Policy.Decide] applies it to one flow, and [Evaluate] to a table's rows,
// counting what each rule blocks among anomalous flows (the block rate)
// and normal flows (the false block rate).
//
// # Rules
//
// A flow is blocked when any rule blocks it ([Reason] records which):
//
//   - Allow-list. Devices are grouped into segments by department and
//     device type (or either alone). A flow needs a rule from its source's
//     segment to its destination's (else NotAllowed); the rule must list
//     its protocol (else Protocol), and the flow may contact at most the
//     rule's max_ports ports (else Ports). A rule exists for a pair of
//     segments seen in training with some protocol of at least min_flows
//     normal flows; max_ports is the most ports_contacted among the normal
//     flows of its allowed protocols plus port_margin.
//   - Behaviour. A flow's behaviour vector is [log10(bytes_sent+1),
//     log10(duration+1), cpu_usage, log10(ports_contacted+1)], standardised
//     with the normal training flows' means and population SDs. k-means
//     (internal/ml/cluster, scikit-learn's settings) groups the normal
//     training flows; a flow farther (Euclidean, standardised) from its
//     nearest centre than that cluster's radius is blocked (Behaviour).
//     A cluster's radius is the cluster_quantile quantile (numpy's linear
//     interpolation) of its members' distances, so about 1 - quantile of
//     normal training flows fall outside by construction; a cluster of a
//     single flow has radius 0 and blocks every other flow nearest to it.
//   - Isolation. A flow whose detector probability exceeds isolation.above
//     (the notebook's HIGH risk, p > 0.8) has its source isolated
//     (Isolated), with the notebook's five actions ([Actions]).
//
// Limitation: flows carry no device identity (a source is only a department
// and a device type), so "isolating the source" cannot be followed across
// that device's later flows. The isolation rule is evaluated per flow: the
// flow scored HIGH is blocked, and nothing else. Likewise the allow-list
// is learned from whatever normal traffic the training split happens to
// hold: a rare but legitimate pair or protocol unseen in training is
// blocked, which the false block rate measures.
//
// # Document
//
// A policy is a declarative JSON document ([Policy.Encode], [Decode]):
// one object, indented, with no maps, every list sorted or in a stated
// order, so equal policies are equal bytes. Fields:
//
//	format        "segharness-policy/1"
//	segments_by   "department_device", "department" or "device_type"
//	segments      every segment seen as a source or destination in normal
//	              training flows, sorted by id:
//	  id            "accounting/workstation", "accounting" or "workstation"
//	  department    its department (omitted when segments_by is device_type)
//	  device_type   its device type (omitted when segments_by is department)
//	  flows_out     normal training flows from it
//	  flows_in      normal training flows to it
//	allow         the allow rules, sorted by (from, to):
//	  from, to      segment ids
//	  protocols     allowed protocols, in the order TCP, UDP, ICMP
//	                (flow.Protocols)
//	  max_ports     the bound on ports_contacted (inclusive)
//	  flows         normal training flows from -> to over those protocols
//	clusters      null when config.clusters is 0, else:
//	  features      the behaviour vector's components, as written above
//	  mean, sd      the standardisation z = (v - mean) / sd (an SD of 0 is
//	                recorded as 1)
//	  clusters      in k-means' order, each with
//	    center        the centre, standardised
//	    center_units  the centre in the features' units (center*sd + mean),
//	                  for readers
//	    radius        the distance (standardised) beyond which a flow whose
//	                  nearest centre this is gets blocked
//	    members       normal training flows nearest to this centre (first
//	                  centre on ties)
//	isolation
//	  above         probability above which the source is isolated
//	  risk_level    "HIGH"
//	  actions       Actions("HIGH", "{src_department}", "{src_device_type}"):
//	                step, kind, target and text of each action, the
//	                placeholders standing for the blocked flow's source
//	config        the Config it was learned with: segments, min_flows,
//	              port_margin, clusters, cluster_quantile, isolate_above
//	              (Workers is not recorded: the policy does not depend on it)
//
// Decode refuses a document that breaks these rules or disagrees with
// itself: segments whose id is not made of their parts, counts that do not
// add up (flows out and in, cluster members), rules naming unknown
// segments or protocols, a rule of fewer than min_flows flows, negative
// bounds or radii, SDs <= 0, vectors of other than 4 numbers,
// center_units not equal to center*sd + mean, isolation differing from the
// config or from the format's actions.
//
// # Evaluation
//
// [Evaluation] counts anomalous and normal flows, and those blocked by any
// rule and by each family (allow-list, behaviour, isolation; a flow may
// count under several), with their rates; a rate over no flows is NaN.
// [Evaluation.Metrics] names them for the metrics table, NaN ones left out.
package policy
