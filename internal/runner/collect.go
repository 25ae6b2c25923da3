package runner

import "runtime/debug"

// collectBytes is the least working data whose drop makes the runner
// collect garbage at once (collect). Each collection returns memory that
// the next stage then faults in again: on NSL-KDD's KDDTrain+ (a 45 MB
// matrix; scripts/bench/nsl-kdd-whole.yaml) collecting at 32 MiB cost
// 1.45-1.71 s of wall time against 1.30-1.39 s without (peak 120-155 MiB
// against 187-198 MiB, four runs each, alternated, idle), so only
// matrices of 128 MiB and more, where memory is what runs out, are
// collected for (KDD Cup 99's size, 178 MB, is).
const collectBytes = 128 << 20

// collect collects garbage and returns the free memory to the operating
// system when a stage has just dropped working data of about dropped
// bytes, at least collectBytes: the reader's staging of a table, the
// table's numeric columns once they are in the matrix, its other columns
// with the split's and the leakage report's working data, a model's
// fitting structures (the random forest's ranked columns, the isolation
// forest's samples), a finished trial's matrix and outputs.
//
// Go's collector would collect them only once the heap reached twice what
// was live at its previous collection, made while they were live, so the
// next stage allocated on top of them; and memory freed in pieces (the
// reader's chunks, a table's columns) cannot hold the next stage's larger
// arrays, while the background scavenger returns it to the system only
// slowly. On KDD Cup 99's 494,021 rows (scripts/bench/kddcup-size.yaml)
// the peak resident memory was 682,740 KiB without collecting here,
// 512,212 to 541,976 KiB with runtime.GC alone (the forest's arrays were
// mapped beside the freed table) and 445,464 to 445,840 KiB with this,
// for the same CPU time (measured with the forest's presorted columns,
// since replaced by narrower ranks: 370,116 and 378,124 KiB now). The big arrays hold no pointers, so a collection
// costs milliseconds against the seconds a stage of such a trial takes;
// smaller trials never pay it.
func collect(dropped int) {
	if dropped >= collectBytes {
		debug.FreeOSMemory()
	}
}

// bytes returns the size of the trial's matrix.
func (td *trialData) bytes() int { return 8 * len(td.x.Data) }
