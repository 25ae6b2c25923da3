package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	neturl "net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Defaults of LoadOptions.
const (
	DefaultLoadWorkers = 64
	DefaultLoadTimeout = 10 * time.Second
	// sampleBodies is the number of distinct flows a load test sends in
	// turn when given none.
	sampleBodies = 1000
)

// LoadOptions configure LoadTest.
type LoadOptions struct {
	// URL is the server's base URL, such as http://127.0.0.1:8080 (plain
	// HTTP); the requests go to URL + Path.
	URL string
	// Path is the endpoint the requests go to: "" means /v1/score; give
	// /v1/decide to load-test a server with a policy.
	Path string
	// Rate is the target of requests per second, > 0. The schedule is
	// open-loop: request i is due at i/Rate seconds from the start
	// whatever the responses' times, so a slow server builds a queue that
	// the latencies show rather than a lower rate that hides it.
	Rate float64
	// Duration is the length of the schedule, > 0.
	Duration time.Duration
	// Requests, if > 0, caps the requests below Rate × Duration.
	Requests int
	// Workers is the number of requests in flight at most, each on a
	// connection of its own. 0 means DefaultLoadWorkers.
	Workers int
	// Timeout bounds each request. 0 means DefaultLoadTimeout.
	Timeout time.Duration
	// Bodies are the request bodies, sent in turn. Nil means 1,000
	// single flows drawn by SampleFlows.
	Bodies [][]byte
}

// LoadReport is the outcome of a load test.
type LoadReport struct {
	URL      string
	Path     string  // the endpoint, such as /v1/score
	Rate     float64 // the target
	Duration time.Duration
	Workers  int
	Planned  int // requests scheduled: min(Requests, Rate × Duration)
	Sent     int // requests sent and answered or failed
	Errors   int // sent requests that failed: a transport error or a status other than 200
	Unsent   int // scheduled requests not sent: the run was cancelled or ran past its deadline
	// Elapsed runs from the start of the schedule to the last response.
	Elapsed time.Duration
	// Latencies holds every sent request's time from its scheduled send to
	// its response read (queueing in the load generator included, so a
	// stall is not hidden by the requests it delays), sorted.
	Latencies []time.Duration
	// ServiceTimes holds every sent request's time from its actual send to
	// its response read, sorted.
	ServiceTimes []time.Duration
	// SendLags holds every sent request's time from its scheduled send to
	// its actual send, sorted: the wait for a free worker when all are
	// busy, and the load generator's own lateness.
	SendLags []time.Duration
	// ErrorCounts counts the failed requests by message.
	ErrorCounts map[string]int
}

// AchievedRate is the requests sent per second of Elapsed.
func (r *LoadReport) AchievedRate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted samples
// by the nearest-rank method: the smallest sample that at least p% of the
// samples do not exceed. It is exact, and 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p * float64(len(sorted)) / 100)) // p*n first: exact for integral p
	return sorted[min(max(k, 1), len(sorted))-1]
}

// Write prints the report.
func (r *LoadReport) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "target: %s%s at %g req/s for %v (%d requests, %d workers)\n",
		r.URL, r.Path, r.Rate, r.Duration, r.Planned, r.Workers)
	fmt.Fprintf(&b, "requests: %d sent, %d errors, %d unsent\n", r.Sent, r.Errors, r.Unsent)
	fmt.Fprintf(&b, "achieved: %.1f req/s over %.3fs\n", r.AchievedRate(), r.Elapsed.Seconds())
	for _, s := range []struct {
		name    string
		samples []time.Duration
	}{
		{"latency (from scheduled send)", r.Latencies},
		{"service time (from actual send)", r.ServiceTimes},
		{"send lag (scheduled to actual send)", r.SendLags},
	} {
		fmt.Fprintf(&b, "%s: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", s.name,
			ms(Percentile(s.samples, 50)), ms(Percentile(s.samples, 90)), ms(Percentile(s.samples, 99)),
			ms(Percentile(s.samples, 99.9)), ms(Percentile(s.samples, 100)))
	}
	msgs := make([]string, 0, len(r.ErrorCounts))
	for m := range r.ErrorCounts {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool {
		if a, b := r.ErrorCounts[msgs[i]], r.ErrorCounts[msgs[j]]; a != b {
			return a > b
		}
		return msgs[i] < msgs[j]
	})
	for i, m := range msgs {
		if i == 10 {
			fmt.Fprintf(&b, "error: ... %d more kinds of error\n", len(msgs)-i)
			break
		}
		fmt.Fprintf(&b, "error: %d x %s\n", r.ErrorCounts[m], m)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }

// LoadTest sends single-flow POST requests to an endpoint of a server
// (/v1/score, or the one LoadOptions.Path names) at a fixed rate, as
// LoadOptions describe, and reports what happened. It returns an error,
// without sending the load, for invalid options or a server that does not
// answer GET /healthz with 200; a failed request is not an error but
// counted in the report. Cancelling ctx stops the test
// early: requests not yet sent are counted as unsent.
//
// The requests are encoded once, before the test, and sent by the
// workers over connections of their own with a minimal HTTP/1.1 client
// (loadConn), so that the generator takes as little as it can of the
// CPU the server needs; a pacer keeps the schedule to tens of
// microseconds (pacer). Request i is due at start + i/Rate: the first
// idle worker sends it at that time, or as soon as a worker is free if
// all are busy, and its latency runs from the time it was due.
func LoadTest(ctx context.Context, opts LoadOptions) (*LoadReport, error) {
	switch {
	case !(opts.Rate > 0) || math.IsInf(opts.Rate, 1):
		return nil, fmt.Errorf("loadtest: rate %v: want requests per second > 0", opts.Rate)
	case opts.Duration <= 0:
		return nil, fmt.Errorf("loadtest: duration %v: want > 0", opts.Duration)
	case opts.Requests < 0:
		return nil, fmt.Errorf("loadtest: requests %d: want 0 (rate × duration) or more", opts.Requests)
	case opts.Workers < 0:
		return nil, fmt.Errorf("loadtest: workers %d: want 0 (%d) or more", opts.Workers, DefaultLoadWorkers)
	case opts.Path != "" && !strings.HasPrefix(opts.Path, "/"):
		return nil, fmt.Errorf("loadtest: path %q: want an endpoint's path, such as %s", opts.Path, endpointDecide)
	}
	path := opts.Path
	if path == "" {
		path = endpointScore
	}
	workers := opts.Workers
	if workers == 0 {
		workers = DefaultLoadWorkers
	}
	timeout := orDefault(opts.Timeout, DefaultLoadTimeout)
	planned := int(math.Min(opts.Rate*opts.Duration.Seconds(), math.MaxInt32))
	if opts.Requests > 0 {
		planned = min(planned, opts.Requests)
	}
	if planned < 1 {
		return nil, fmt.Errorf("loadtest: %g req/s for %v is no request", opts.Rate, opts.Duration)
	}
	base := strings.TrimRight(opts.URL, "/")
	u, err := neturl.Parse(base)
	switch {
	case err != nil:
		return nil, fmt.Errorf("loadtest: %w", err)
	case u.Scheme != "http":
		return nil, fmt.Errorf("loadtest: URL %q: want http://host:port (harness serve speaks plain HTTP)", opts.URL)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("loadtest: URL %q: want http://host:port, with no user, query or fragment", opts.URL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	bodies := opts.Bodies
	if len(bodies) == 0 {
		flows, err := SampleFlows(sampleBodies, 1)
		if err != nil {
			return nil, err
		}
		for i := range flows {
			b, err := json.Marshal(&flows[i])
			if err != nil {
				return nil, err
			}
			bodies = append(bodies, b)
		}
	}
	reqs := make([][]byte, len(bodies))
	for i, b := range bodies {
		reqs[i] = encodeRequest(u.EscapedPath()+path, u.Host, b)
	}
	if err := checkHealth(ctx, base+endpointHealthz, timeout); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}

	rep := &LoadReport{
		URL: base, Path: path, Rate: opts.Rate, Duration: opts.Duration, Workers: workers, Planned: planned,
		ErrorCounts: map[string]int{},
	}
	// Requests still queued once the schedule and one timeout have passed
	// are not sent: the test ends by itself even if the server stalls.
	start := time.Now()
	runDeadline := start.Add(opts.Duration + timeout)
	runCtx, cancel := context.WithDeadline(ctx, runDeadline)
	defer cancel()
	interval := float64(time.Second) / opts.Rate
	due := func(i int) time.Time { return start.Add(time.Duration(float64(i) * interval)) }
	q := &loadQueue{}
	conns := make([]*loadConn, workers)
	for w := range conns {
		conns[w] = newLoadConn(addr)
	}
	// A cancelled test cuts the requests in flight.
	defer context.AfterFunc(runCtx, func() {
		for _, lc := range conns {
			lc.abort()
		}
	})()

	type workerResult struct {
		latencies, service, lags []time.Duration
		errors                   map[string]int
		last                     time.Time
	}
	results := make([]workerResult, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			res := &results[w]
			res.latencies = make([]time.Duration, 0, planned/workers+1)
			res.service = make([]time.Duration, 0, planned/workers+1)
			res.lags = make([]time.Duration, 0, planned/workers+1)
			res.errors = map[string]int{}
			lc := conns[w]
			defer lc.close()
			wake := make(chan int, 1)
			for {
				i, ok := q.next(wake)
				if !ok {
					return
				}
				at := due(i)
				sent := time.Now()
				deadline := sent.Add(timeout)
				if deadline.After(runDeadline) {
					deadline = runDeadline
				}
				status, err := lc.do(reqs[i%len(reqs)], deadline)
				done := time.Now()
				res.latencies = append(res.latencies, done.Sub(at))
				res.service = append(res.service, done.Sub(sent))
				res.lags = append(res.lags, sent.Sub(at))
				res.last = done
				switch {
				case err != nil && runCtx.Err() != nil:
					res.errors[context.Cause(runCtx).Error()]++ // cut by the end of the run
				case err != nil:
					res.errors[err.Error()]++
				case status != 200:
					res.errors[fmt.Sprintf("status %d: %s", status, bytes.TrimSpace(lc.errBody))]++
				}
				if runCtx.Err() != nil {
					q.cancel()
				}
			}
		})
	}
	schedule(runCtx, q, due, planned)
	wg.Wait()
	var last time.Time
	for _, res := range results {
		rep.Latencies = append(rep.Latencies, res.latencies...)
		rep.ServiceTimes = append(rep.ServiceTimes, res.service...)
		rep.SendLags = append(rep.SendLags, res.lags...)
		for m, n := range res.errors {
			rep.ErrorCounts[m] += n
			rep.Errors += n
		}
		if res.last.After(last) {
			last = res.last
		}
	}
	rep.Sent = len(rep.Latencies)
	rep.Unsent = planned - rep.Sent
	if rep.Sent > 0 {
		rep.Elapsed = last.Sub(start)
	}
	slices.Sort(rep.Latencies)
	slices.Sort(rep.ServiceTimes)
	slices.Sort(rep.SendLags)
	return rep, nil
}

// encodeRequest returns the whole HTTP/1.1 request that posts body to
// target on host.
func encodeRequest(target, host string, body []byte) []byte {
	b := make([]byte, 0, 160+len(target)+len(host)+len(body))
	b = fmt.Appendf(b, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: harness-loadtest\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		target, host, len(body))
	return append(b, body...)
}

// schedule releases request i to the workers at due(i), releasing at
// once every request due when it wakes, until n are released (then it
// finishes the queue) or ctx is done (then it cancels it).
func schedule(ctx context.Context, q *loadQueue, due func(int) time.Time, n int) {
	p := newPacer()
	defer p.close()
	for i := 0; i < n; {
		if !p.sleepUntil(ctx, due(i)) {
			q.cancel()
			return
		}
		now := time.Now()
		j := i + 1
		for j < n && !due(j).After(now) {
			j++
		}
		q.release(j)
		i = j
	}
	q.finish()
}

// loadQueue hands the released requests, by index, to the workers: to
// the worker that went idle last (its connection and buffers are the
// likeliest in the CPU's caches), or, when every worker is busy, to the
// first that finishes.
type loadQueue struct {
	mu        sync.Mutex
	released  int        // requests 0 to released-1 are due
	taken     int        // requests 0 to taken-1 are taken
	finished  bool       // no request will be released any more
	cancelled bool       // no request will be taken any more
	idle      []chan int // the idle workers' wake channels, the last idle last
}

// next returns the next request to send, waiting for it on wake (a
// channel of the worker's, of capacity 1) if none is due; false once
// every released request is taken and none will be released, or the
// queue is cancelled.
func (q *loadQueue) next(wake chan int) (int, bool) {
	q.mu.Lock()
	switch {
	case q.cancelled:
		q.mu.Unlock()
		return 0, false
	case q.taken < q.released:
		i := q.taken
		q.taken++
		q.mu.Unlock()
		return i, true
	case q.finished:
		q.mu.Unlock()
		return 0, false
	}
	q.idle = append(q.idle, wake)
	q.mu.Unlock()
	i := <-wake
	return i, i >= 0
}

// release makes requests up to n-1 due and hands them to idle workers.
func (q *loadQueue) release(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.released = n
	for q.taken < q.released && len(q.idle) > 0 && !q.cancelled {
		w := q.idle[len(q.idle)-1]
		q.idle = q.idle[:len(q.idle)-1]
		w <- q.taken
		q.taken++
	}
}

// finish says that no request will be released any more: the workers end
// once they have taken the released ones. cancel also drops the released
// requests not taken, which are not sent.
func (q *loadQueue) finish() { q.end(false) }
func (q *loadQueue) cancel() { q.end(true) }

func (q *loadQueue) end(cancel bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finished = true
	q.cancelled = q.cancelled || cancel
	for _, w := range q.idle { // idle: every released request is taken
		w <- -1
	}
	q.idle = nil
}

// checkHealth checks that the server answers GET url with 200 within
// timeout.
func checkHealth(ctx context.Context, url string, timeout time.Duration) error {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}
