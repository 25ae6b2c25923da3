package gbdt

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// team runs the parallel sections of one fit: the calling goroutine and
// size-1 helpers, kept for the fit, each take a block of a section as
// parallel would. A fit runs thousands of sections (a tree's nodes, the
// gradients, the validation scores), many of tens of microseconds; a
// goroutine started per section waits for a sleeping thread to wake, tens
// of microseconds on a VM, so a helper without work spins (yielding the
// processor) for spinFor before it sleeps, and the caller likewise while it
// waits for the helpers. The blocks are parallel's, so the results are the
// same.
type team struct {
	size int

	// the current section, written by run before it bumps gen
	fn      func(lo, hi int)
	n       int
	blocks  int
	quit    bool
	gen     atomic.Uint64
	pending atomic.Int64 // helpers yet to finish the section

	helpers []helper
	// waiting is the generation of the section whose end the caller
	// sleeps on waiter for, 0 when it does not sleep. A generation, not a
	// flag: a helper slow to report the end of one section (between its
	// pending.Add and its CompareAndSwap) must not wake the caller waiting
	// on the next, which would return before that section's blocks are
	// done, and then wait forever.
	waiting atomic.Uint64
	waiter  chan struct{} // buffered: a helper's wake-up never blocks
	done    sync.WaitGroup
}

// helper is one helper's sleeping flag and wake-up channel.
type helper struct {
	sleeping atomic.Bool
	wake     chan struct{}
}

// afterReport, when set (by a test), runs in a helper between its report
// of a section's end (pending) and its wake-up of the caller: the window a
// preempted helper leaves open.
var afterReport func()

// spinFor is how long a helper looks for a new section, or the caller for
// the helpers' end, before sleeping.
const spinFor = 100 * time.Microsecond

// newTeam starts a team of workers goroutines, the caller's included (at
// least one); close stops it.
func newTeam(workers int) *team {
	t := &team{size: max(workers, 1), waiter: make(chan struct{}, 1)}
	t.helpers = make([]helper, t.size-1)
	for i := range t.helpers {
		t.helpers[i].wake = make(chan struct{}, 1)
		t.done.Add(1)
		go t.help(i)
	}
	return t
}

// close stops the helpers and waits for them.
func (t *team) close() {
	if t == nil || len(t.helpers) == 0 {
		return
	}
	t.quit = true
	t.gen.Add(1)
	t.wakeHelpers()
	t.done.Wait()
}

// workers is the team's size; 1 for a nil team.
func (t *team) workers() int {
	if t == nil {
		return 1
	}
	return t.size
}

// run splits [0, n) into at most the team's size contiguous blocks, as
// parallel does, and runs fn on each, the first on the calling goroutine;
// it returns when all are done. A nil team runs fn(0, n).
func (t *team) run(n int, fn func(lo, hi int)) {
	t.runN(n, t.workers(), fn)
}

// runN is run on at most workers blocks.
func (t *team) runN(n, workers int, fn func(lo, hi int)) {
	w := min(workers, t.workers(), n)
	if w <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	t.fn, t.n, t.blocks = fn, n, w
	t.pending.Store(int64(len(t.helpers)))
	gen := t.gen.Add(1)
	t.wakeHelpers()
	fn(0, n/w)
	// wait for the helpers: spin, then sleep
	start := time.Now()
	for i := 0; t.pending.Load() != 0; i++ {
		if i%64 == 63 && time.Since(start) > spinFor {
			t.waiting.Store(gen)
			if t.pending.Load() == 0 && t.waiting.CompareAndSwap(gen, 0) {
				break // done meanwhile, and no helper will signal
			}
			<-t.waiter
			break
		}
		runtime.Gosched()
	}
	t.fn = nil
}

// wakeHelpers wakes the sleeping helpers.
func (t *team) wakeHelpers() {
	for i := range t.helpers {
		h := &t.helpers[i]
		if h.sleeping.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}

// help is helper i's loop: it takes block i+1 of each section, if the
// section has that many, and reports the section done.
func (t *team) help(i int) {
	defer t.done.Done()
	h := &t.helpers[i]
	last := uint64(0) // the generation before the first section (not gen now: one may have begun)
	for {
		last = t.await(h, last)
		if t.quit {
			return
		}
		if b := i + 1; b < t.blocks {
			t.fn(b*t.n/t.blocks, (b+1)*t.n/t.blocks)
		}
		// last is this section's generation: only its caller is woken.
		left := t.pending.Add(-1)
		if afterReport != nil {
			afterReport()
		}
		if left == 0 && t.waiting.CompareAndSwap(last, 0) {
			t.waiter <- struct{}{}
		}
	}
}

// await returns the generation of the next section after last: it spins
// for spinFor, then sleeps until run wakes it.
func (t *team) await(h *helper, last uint64) uint64 {
	start := time.Now()
	for i := 0; ; i++ {
		if g := t.gen.Load(); g != last {
			return g
		}
		if i%64 == 63 && time.Since(start) > spinFor {
			h.sleeping.Store(true)
			if t.gen.Load() != last && h.sleeping.CompareAndSwap(true, false) {
				continue // a section came meanwhile, and nobody will wake us
			}
			<-h.wake
			start, i = time.Now(), 0
			continue
		}
		runtime.Gosched()
	}
}
