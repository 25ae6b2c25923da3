package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profiles are run's -cpuprofile, -memprofile and -trace: where a whole
// process spends its time and memory (go tool pprof FILE; go tool trace
// FILE for the worker schedule).
type profiles struct {
	cpu, mem, trace string
	cpuFile, trFile *os.File
}

// start begins the CPU profile and the trace asked for.
func (p *profiles) start() error {
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		p.cpuFile = f
	}
	if p.trace != "" {
		f, err := os.Create(p.trace)
		if err != nil {
			p.stop()
			return fmt.Errorf("-trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			p.stop()
			return fmt.Errorf("-trace: %w", err)
		}
		p.trFile = f
	}
	return nil
}

// stop ends the CPU profile and the trace, and writes the allocation
// profile (every allocation since the process began: -sample_index
// alloc_space or alloc_objects).
func (p *profiles) stop() error {
	var errs []error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpuFile.Close())
		p.cpuFile = nil
	}
	if p.trFile != nil {
		trace.Stop()
		errs = append(errs, p.trFile.Close())
		p.trFile = nil
	}
	if p.mem != "" {
		f, err := os.Create(p.mem)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("-memprofile: %w", err))...)
		}
		runtime.GC()
		errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	return errors.Join(errs...)
}

// flags defines -cpuprofile, -memprofile and -trace on fs, for the
// profiles of what (such as "the load test").
func (p *profiles) flags(fs *flag.FlagSet, what string) {
	fs.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of "+what+" to `file` (go tool pprof)")
	fs.StringVar(&p.mem, "memprofile", "", "write the allocation profile of "+what+" to `file` at its end (go tool pprof)")
	fs.StringVar(&p.trace, "trace", "", "write an execution trace of "+what+" to `file` (go tool trace)")
}
