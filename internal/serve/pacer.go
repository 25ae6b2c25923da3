package serve

import (
	"context"
	"time"
)

// pacerCoarse is the wait beyond which a pacer sleeps on the runtime's
// timer, which honours a context, and below which it sleeps on its
// precise clock (if it has one), for the last stretch.
const pacerCoarse = 2 * time.Millisecond

// pacer sleeps until given times. The Go runtime's timers (time.Sleep,
// time.Timer) wake an idle process no sooner than a millisecond after
// they are due, whatever the wait asked for: an idle scheduler waits in
// epoll_wait, whose timeout is in whole milliseconds (golang/go#53824).
// A load generator that paces on them at 5,000 requests a second (one
// every 200 µs) sends in bursts a millisecond apart, each request up to
// a millisecond late, which the latencies from the scheduled send then
// count against the server. A pacer sleeps the last stretch on a clock
// of its own, a timerfd on Linux that the runtime's network poller
// watches (pacer_linux.go), which wakes it tens of microseconds after the
// time; elsewhere it has the runtime's timers only (pacer_other.go).
type pacer struct {
	timer *time.Timer
	clock preciseClock // nil: the runtime's timers only
}

func newPacer() *pacer {
	p := &pacer{timer: time.NewTimer(time.Hour), clock: newPreciseClock()}
	p.timer.Stop()
	return p
}

// sleepUntil returns once t has passed (true), or ctx is done (false).
func (p *pacer) sleepUntil(ctx context.Context, t time.Time) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		d := time.Until(t)
		if d <= 0 {
			return true
		}
		if p.clock != nil && d <= pacerCoarse {
			if err := p.clock.sleep(d); err == nil {
				continue
			}
			p.clock.close() // a clock that fails once is not trusted again
			p.clock = nil
		}
		if p.clock != nil {
			// Wake early, to sleep the rest precisely: the runtime's
			// timer may wake a millisecond late.
			d -= pacerCoarse
		}
		p.timer.Reset(d)
		select {
		case <-p.timer.C:
		case <-ctx.Done():
			p.timer.Stop()
			return false
		}
	}
}

func (p *pacer) close() {
	p.timer.Stop()
	if p.clock != nil {
		p.clock.close()
	}
}

// preciseClock sleeps for short waits with a precision finer than the
// runtime's timers.
type preciseClock interface {
	sleep(d time.Duration) error
	close()
}
