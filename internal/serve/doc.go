// Package serve scores network flows over HTTP with a scoring.Model,
// enforces a segmentation policy (internal/policy) on them, and load-tests
// such a server.
//
// # Endpoints
//
//	POST /v1/score   a flow object (flow.Flow's 12 fields) -> 200 and the
//	                 result (scoring.Result); or {"flows": [flow, ...]} ->
//	                 200 and {"results": [result, ...]} in the flows' order
//	POST /v1/decide  with Options.Policy only: a flow object -> 200 and
//	                 the policy's decision (Decision); or {"flows": [flow,
//	                 ...]} -> 200 and {"decisions": [decision, ...]} in the
//	                 flows' order
//	GET  /healthz    200 {"status": "ok", "model": the model's provenance}
//	GET  /metrics    Prometheus text format, from a registry of the
//	                 handler's own
//
// and the Open Inference Protocol (KServe V2, REST; v2.go): GET /v2,
// /v2/health/live, /v2/health/ready, /v2/models/<name> (metadata),
// /v2/models/<name>/ready, and POST /v2/models/<name>/infer, whose input
// tensors are the flow's fields and outputs /v1/score's result fields.
// Its errors take the protocol's form, {"error": "..."}.
//
// A body is a batch when it is a JSON object whose first key is "flows";
// any other body is decoded as one flow, strictly (scoring.DecodeFlow).
// /v1/decide reads, checks and refuses bodies exactly as /v1/score does:
// the same decoder, limits and errors, byte for byte.
//
// The handler routes with an http.ServeMux of three method patterns
// ("POST /v1/score", "GET /healthz", "GET /metrics"; a GET pattern takes
// HEAD too), and "POST /v1/decide" with a policy. The concerns common to the endpoints are middlewares around
// it, outermost first: the metrics of every request, then panic recovery;
// the mux's own 404 and 405 are given the JSON error format; and
// /v1/score has two of its own, the Content-Type check and the body
// limit.
//
// # Decisions
//
// /v1/decide scores each flow with the model, as /v1/score does, and
// applies the policy to it with policy.Decide, the isolation rule reading
// the score's anomaly_probability: the detector's probability, the value
// the runner passes to policy.Evaluate (internal/runner/policy.go), so a
// trial's test flows are decided as its policy metrics counted them. A
// decision is the score's fields with four more:
//
//	decision  "block" when any rule blocks the flow, else "allow"
//	rule      the headline rule: "none" when allowed, else the first rule
//	          family, in this order, that blocks it: "allowlist"
//	          (not_allowed, protocol or ports: the static rules a
//	          firewall checks first), "behaviour" (outside every cluster
//	          of normal traffic), "isolation" (the detector's probability
//	          above the policy's isolation.above, which alone depends on
//	          the model). The names are those of the policy metrics
//	          (policy_allowlist_block_rate, ...).
//	rules     every rule that blocks the flow, policy.Reason's names in
//	          its order: not_allowed, protocol, ports, behaviour,
//	          isolated; [] when allowed
//	actions   policy.Actions of the risk level and the flow's source, as
//	          a trial's incident.json lists them: the notebook's five
//	          for HIGH (isolate_source, block_outbound, monitor_segment,
//	          alert, forensic), one for MEDIUM (monitor_source); left out
//	          for LOW
//
// For example (a crypto-mining flow, from accounting's workstation):
//
//	{"decision": "block", "rule": "allowlist",
//	 "rules": ["not_allowed", "behaviour", "isolated"],
//	 "anomaly_probability": 1, "is_anomaly": true, "risk_level": "HIGH",
//	 "recommended_action": "IMMEDIATE_ISOLATION",
//	 "most_likely_attack_type": "crypto_mining", "attack_confidence": 0.8,
//	 "actions": [{"step": 1, "kind": "isolate_source",
//	   "target": "accounting/workstation",
//	   "text": "Isolate source device (accounting workstation)"}, ...]}
//
// The isolation rule follows the policy's threshold, the risk level and
// its actions the model's: they agree when isolation.above equals the
// model's HIGH threshold (both 0.8 by default). LoadPolicy reads a
// policy file and refuses, naming the file, one that is not a policy
// document (policy.Decode) or that does not fit the model (CheckPolicy: a
// segment or rule naming a category the model was not fitted on).
//
// # Errors
//
// Every error response is JSON, {"error": "..."}:
//
//	400  the body is empty, not JSON, not a flow (an unknown, missing or
//	     repeated field, a value of the wrong type, a value out of range),
//	     a flow with a category the model was not fitted on, or a batch
//	     of another shape or with no flow. A batch with invalid flows is
//	     refused whole, none scored: {"error": "K of N flows are
//	     invalid; none was scored", "errors": [{"index": i, "error":
//	     "..."}, ...]} lists every invalid flow by its index, in order.
//	404  an unknown path (/v1/decide without a policy among them), and a
//	     path not in canonical form (//healthz, /v1/./score), which is
//	     not redirected
//	405  a method the endpoint does not take (the Allow header, the mux's,
//	     says which: POST, or GET, HEAD)
//	413  a body over Options.MaxBodyBytes (default 1 MiB), or a batch of
//	     more than Options.MaxBatch flows (default 10,000)
//	415  a Content-Type that is set and not JSON (application/json or
//	     application/*+json, any parameters)
//	500  a panic in the handler, recovered (its stack goes to
//	     Options.Log); a panic after the response began aborts the
//	     connection instead
//
// # Metrics
//
//	harness_serve_requests_total{endpoint, code}        answered requests
//	harness_serve_request_duration_seconds{endpoint}    their latency
//	harness_serve_flows_scored_total{risk_level}        flows scored
//	harness_serve_invalid_flows_total                   flows refused
//	harness_serve_errors_total{reason}                  error responses
//
// with a policy, for /v1/decide's flows,
//
//	harness_serve_decisions_total{decision, rule}       flows decided: allow
//	                                                    and none, or block
//	                                                    and the headline rule
//	harness_serve_decision_reasons_total{reason}        flows blocked by each
//	                                                    rule (a flow under
//	                                                    each of its rules)
//
// and the Go runtime's and the process's standard metrics. Every series
// of a fixed label set exists from the start, at zero. The endpoint label
// of every unknown path is "other". Flows /v1/decide scores count in
// harness_serve_flows_scored_total and harness_serve_invalid_flows_total
// too.
//
// # Server and load test
//
// Server runs a handler until its context is cancelled and then shuts
// down gracefully: requests in flight finish, for up to ShutdownTimeout.
// LoadTest sends single-flow requests to /v1/score (or another endpoint,
// LoadOptions.Path: /v1/decide) at a fixed open-loop rate and reports
// exact latency percentiles from every request's sample, from its
// scheduled send. It paces on a timerfd (pacer) and sends over a minimal
// HTTP/1.1 client (loadConn), to keep to the schedule within tens of
// microseconds and to take little of the CPU of a server on the same
// machine.
package serve
