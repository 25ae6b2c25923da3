package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"sync/atomic"
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
	// URL is the server's base URL, such as http://127.0.0.1:8080; the
	// requests go to URL + Path.
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
	// Client sends the requests. Nil means a client whose transport keeps
	// one idle connection per worker.
	Client *http.Client
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
	}{{"latency (from scheduled send)", r.Latencies}, {"service time (from actual send)", r.ServiceTimes}} {
		fmt.Fprintf(&b, "%s: p50 %s  p90 %s  p99 %s  max %s\n", s.name,
			ms(Percentile(s.samples, 50)), ms(Percentile(s.samples, 90)), ms(Percentile(s.samples, 99)), ms(Percentile(s.samples, 100)))
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
	client := opts.Client
	if client == nil {
		tr := &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        workers,
			MaxIdleConnsPerHost: workers,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}
		defer tr.CloseIdleConnections()
		client = &http.Client{Transport: tr, Timeout: timeout}
	}
	base := strings.TrimRight(opts.URL, "/")
	if err := checkHealth(ctx, client, base+endpointHealthz); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}

	rep := &LoadReport{
		URL: base, Path: path, Rate: opts.Rate, Duration: opts.Duration, Workers: workers, Planned: planned,
		ErrorCounts: map[string]int{},
	}
	// Requests still queued once the schedule and one timeout have passed
	// are not sent: the test ends by itself even if the server stalls.
	runCtx, cancel := context.WithTimeout(ctx, opts.Duration+timeout)
	defer cancel()
	url := base + path
	tickets := make(chan time.Time, min(planned, 1<<16))
	start := time.Now()
	go schedule(runCtx, tickets, start, opts.Rate, planned)

	type workerResult struct {
		latencies, service []time.Duration
		errors             map[string]int
		unsent             int
		last               time.Time
	}
	results := make([]workerResult, workers)
	var next atomic.Uint64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			res := &results[w]
			res.latencies = make([]time.Duration, 0, planned/workers+1)
			res.service = make([]time.Duration, 0, planned/workers+1)
			res.errors = map[string]int{}
			for due := range tickets {
				if runCtx.Err() != nil {
					res.unsent++
					continue
				}
				body := bodies[(next.Add(1)-1)%uint64(len(bodies))]
				sent := time.Now()
				err := post(runCtx, client, url, body)
				done := time.Now()
				res.latencies = append(res.latencies, done.Sub(due))
				res.service = append(res.service, done.Sub(sent))
				res.last = done
				if err != nil {
					res.errors[err.Error()]++
				}
			}
		})
	}
	wg.Wait()
	// The tickets the scheduler never issued, if cancelled.
	issued := 0
	var last time.Time
	for _, res := range results {
		rep.Latencies = append(rep.Latencies, res.latencies...)
		rep.ServiceTimes = append(rep.ServiceTimes, res.service...)
		rep.Unsent += res.unsent
		issued += len(res.latencies) + res.unsent
		for m, n := range res.errors {
			rep.ErrorCounts[m] += n
			rep.Errors += n
		}
		if res.last.After(last) {
			last = res.last
		}
	}
	rep.Unsent += planned - issued
	rep.Sent = len(rep.Latencies)
	if rep.Sent > 0 {
		rep.Elapsed = last.Sub(start)
	}
	slices.Sort(rep.Latencies)
	slices.Sort(rep.ServiceTimes)
	return rep, nil
}

// schedule issues ticket i, its due time, at start + i/rate, issuing at
// once every ticket that is due when it wakes (a sleep overshoots by up to
// a timer tick), until n are issued or ctx is done; then it closes
// tickets.
func schedule(ctx context.Context, tickets chan<- time.Time, start time.Time, rate float64, n int) {
	defer close(tickets)
	interval := float64(time.Second) / rate
	at := func(i int) time.Time { return start.Add(time.Duration(float64(i) * interval)) }
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for i := 0; i < n; {
		now := time.Now()
		for ; i < n && !at(i).After(now); i++ {
			select {
			case tickets <- at(i):
			case <-ctx.Done():
				return
			}
		}
		if i == n {
			return
		}
		timer.Reset(time.Until(at(i)))
		select {
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}

// post sends one flow and reads the whole response, so that the
// connection is reused.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*neturl.Error](err); ok {
			return ue.Err // without the URL that every message would repeat
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	return nil
}

// checkHealth checks that the server answers GET url with 200.
func checkHealth(ctx context.Context, client *http.Client, url string) error {
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
