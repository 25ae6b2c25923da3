// Package serve scores network flows over HTTP with a scoring.Model, and
// load-tests such a server.
//
// # Endpoints
//
//	POST /v1/score  a flow object (flow.Flow's 12 fields) -> 200 and the
//	                result (scoring.Result); or {"flows": [flow, ...]} ->
//	                200 and {"results": [result, ...]} in the flows' order
//	GET  /healthz   200 {"status": "ok", "model": the model's provenance}
//	GET  /metrics   Prometheus text format, from a registry of the
//	                handler's own
//
// and the Open Inference Protocol (KServe V2, REST; v2.go): GET /v2,
// /v2/health/live, /v2/health/ready, /v2/models/<name> (metadata),
// /v2/models/<name>/ready, and POST /v2/models/<name>/infer, whose input
// tensors are the flow's fields and outputs /v1/score's result fields.
// Its errors take the protocol's form, {"error": "..."}.
//
// A body is a batch when it is a JSON object whose first key is "flows";
// any other body is decoded as one flow, strictly (scoring.DecodeFlow).
//
// The handler routes with an http.ServeMux of three method patterns
// ("POST /v1/score", "GET /healthz", "GET /metrics"; a GET pattern takes
// HEAD too). The concerns common to the endpoints are middlewares around
// it, outermost first: the metrics of every request, then panic recovery;
// the mux's own 404 and 405 are given the JSON error format; and
// /v1/score has two of its own, the Content-Type check and the body
// limit.
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
//	404  an unknown path, and a path not in canonical form (//healthz,
//	     /v1/./score), which is not redirected
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
// and the Go runtime's and the process's standard metrics. The endpoint
// label of every unknown path is "other".
//
// # Server and load test
//
// Server runs a handler until its context is cancelled and then shuts
// down gracefully: requests in flight finish, for up to ShutdownTimeout.
// LoadTest sends single-flow requests at a fixed open-loop rate and
// reports exact latency percentiles from every request's sample.
package serve
