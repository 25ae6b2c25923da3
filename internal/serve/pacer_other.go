//go:build !linux

package serve

// newPreciseClock returns nil: only Linux has a timerfd, so elsewhere a
// pacer sleeps on the runtime's timers alone.
func newPreciseClock() preciseClock { return nil }
