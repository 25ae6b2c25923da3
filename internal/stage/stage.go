// Package stage labels the work of a run by stage for the CPU profiler:
// code run inside [Do] (and every goroutine it starts) carries the pprof
// label stage=NAME, so that the profile of a whole process
// (harness run -cpuprofile F) breaks down stage by stage with
//
//	go tool pprof -tags F
//
// (scripts/profile-whole.sh prints that breakdown for make bench-whole's
// two processes). A label costs nothing measurable outside profiling.
package stage

import (
	"context"
	"runtime/pprof"
)

// Key is the pprof label key of a stage.
const Key = "stage"

// Do calls f with the label stage=name on the calling goroutine (and the
// goroutines f starts), restoring the previous labels after. Stages do
// not nest: the innermost name is the label.
func Do(name string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(Key, name), func(context.Context) { f() })
}
