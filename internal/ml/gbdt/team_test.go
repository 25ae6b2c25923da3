package gbdt

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestTeam: every section's blocks are parallel's, each run once, for
// teams of one to four, sections of fewer blocks than workers, and pauses
// long enough for the helpers to sleep between sections.
func TestTeam(t *testing.T) {
	for size := 1; size <= 4; size++ {
		tm := newTeam(size)
		for s := 0; s < 300; s++ {
			n := s % 7
			if s%50 == 49 {
				time.Sleep(2 * spinFor) // the helpers go to sleep
			}
			workers := 1 + s%5
			hits := make([]atomic.Int32, n)
			var blocks atomic.Int32
			tm.runN(n, workers, func(lo, hi int) {
				blocks.Add(1)
				w := min(workers, size, n)
				if b := int(blocks.Load()); b > w {
					t.Errorf("size %d, section %d: %d blocks of %d", size, s, b, w)
				}
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("size %d, section %d (n %d, workers %d): row %d run %d times", size, s, n, workers, i, h)
				}
			}
		}
		tm.close()
	}
	var nilTeam *team
	ran := 0
	nilTeam.run(5, func(lo, hi int) { ran += hi - lo })
	if ran != 5 {
		t.Fatalf("a nil team ran %d of 5", ran)
	}
	nilTeam.close()
}

// TestTeamLateReport: a helper that reports a section's end late (paused
// between pending.Add and waking the caller, as a preempted goroutine
// may be) does not wake the caller of the next section, which sleeps
// because that helper has not begun it: the next section returns only
// once every block is done. Before waiting held the section's generation,
// the late wake-up returned it early (and the fit then hung, as a CI run
// did in TestStatsNotebook).
func TestTeamLateReport(t *testing.T) {
	var paused atomic.Bool
	afterReport = func() {
		if paused.CompareAndSwap(false, true) {
			time.Sleep(20 * spinFor) // past the caller's spin: it sleeps
		}
	}
	defer func() { afterReport = nil }()
	tm := newTeam(2)
	defer tm.close()
	for s := 0; s < 3; s++ {
		var hits [2]atomic.Int32
		tm.runN(2, 2, func(lo, hi int) {
			if s == 1 && lo > 0 {
				// The helper's block of the next section takes a while: a
				// caller woken early looks before it is done.
				time.Sleep(10 * spinFor)
			}
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Fatalf("section %d: block %d run %d times when runN returned", s, i, h)
			}
		}
	}
}
