package mltest

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// heapObjects is the runtime's count of bytes in heap objects, live or
// not yet swept: the heap a process holds for its data.
const heapObjects = "/memory/classes/heap/objects:bytes"

// PeakHeap runs fn and returns the peak, over fn's run, of the bytes in
// heap objects above those before it: the memory fn needs beyond its
// inputs. It samples every 100 µs (runtime/metrics, which does not stop
// the world), so a peak shorter than that can be missed; the figure is a
// lower bound, close for work that holds its buffers for milliseconds.
func PeakHeap(fn func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	var (
		peak uint64
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: heapObjects}}
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	metrics.Read(s)
	if v := s[0].Value.Uint64(); v > peak {
		peak = v
	}
	if peak < base {
		return 0
	}
	return peak - base
}

// PeakPerRowMetric is the unit of a benchmark's peak heap per training
// row: b.ReportMetric(float64(PeakHeap(fit))/float64(rows),
// PeakPerRowMetric), after the benchmark's loop (b.Loop and ResetTimer
// delete metrics reported before).
const PeakPerRowMetric = "peak-heap-B/row"
