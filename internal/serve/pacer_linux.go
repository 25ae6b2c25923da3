package serve

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdClock is a preciseClock: a Linux timerfd on the monotonic clock,
// non-blocking, read through the runtime's network poller, so that a
// goroutine sleeping on it parks as on a socket and the poller's
// epoll_wait returns as soon as the timer expires.
type timerfdClock struct {
	fd  int
	f   *os.File
	buf [8]byte
}

// newPreciseClock returns a timerfdClock, or nil if the kernel will not
// create one.
func newPreciseClock() preciseClock {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	return &timerfdClock{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
}

// sleep arms the timer d from now and reads its expiry count, which
// blocks until it expires.
func (c *timerfdClock) sleep(d time.Duration) error {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(max(d.Nanoseconds(), 1))}
	if err := unix.TimerfdSettime(c.fd, 0, &spec, nil); err != nil {
		return err
	}
	_, err := c.f.Read(c.buf[:])
	return err
}

func (c *timerfdClock) close() { c.f.Close() }
