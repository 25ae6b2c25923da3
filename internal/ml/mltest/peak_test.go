package mltest_test

import (
	"testing"
	"time"

	"github.com/segharness/harness/internal/ml/mltest"
)

// TestPeakHeap holds 64 MiB for 20 ms, well above the sampling period, and
// frees it: the peak must see it, and the buffer must not be counted
// twice.
func TestPeakHeap(t *testing.T) {
	const size = 64 << 20
	var keep []byte
	peak := mltest.PeakHeap(func() {
		keep = make([]byte, size)
		for i := range keep {
			keep[i] = byte(i)
		}
		time.Sleep(20 * time.Millisecond)
	})
	if peak < size || peak > 2*size {
		t.Errorf("peak %d bytes, want about %d (the buffer held)", peak, size)
	}
	_ = keep
}
