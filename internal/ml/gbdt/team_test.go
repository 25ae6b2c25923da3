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
