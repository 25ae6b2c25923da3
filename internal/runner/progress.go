package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress reports a run's trials as they finish: on a terminal, a bar
// redrawn in place (trials done of total, elapsed time, estimated time
// left) with notes printed above it; elsewhere, one line per trial with
// the same figures. It is safe for concurrent use.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	name     string
	total    int
	now      func() time.Time
	start    time.Time
	done     int
	ran      int           // trials run (not reused): the ETA's rate
	runTime  time.Duration // elapsed when the last run trial finished
	barShown bool
}

func newProgress(w io.Writer, terminal bool, name string, total int, now func() time.Time) *progress {
	p := &progress{w: w, terminal: terminal, name: name, total: total, now: now, start: now()}
	if terminal && total > 0 {
		p.mu.Lock()
		p.drawBar()
		p.mu.Unlock()
	}
	return p
}

// barWidth is the number of cells of the terminal bar.
const barWidth = 30

// eta estimates the time left: the remaining trials at the mean time per
// trial run so far (reused trials take no time). ok is false before any
// trial ran.
func (p *progress) eta() (time.Duration, bool) {
	if p.ran == 0 {
		return 0, false
	}
	return time.Duration(float64(p.runTime) / float64(p.ran) * float64(p.total-p.done)), true
}

func (p *progress) status() string {
	elapsed := p.now().Sub(p.start)
	s := "elapsed " + formatDuration(elapsed)
	if eta, ok := p.eta(); ok && p.done < p.total {
		s += ", ETA " + formatDuration(eta)
	}
	return s
}

// formatDuration prints a duration to a tenth of a second under a minute,
// to the second above.
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// clearBar erases the bar so that a line can be printed in its place.
func (p *progress) clearBar() {
	if p.terminal && p.barShown {
		fmt.Fprint(p.w, "\r\033[K")
		p.barShown = false
	}
}

func (p *progress) drawBar() {
	filled := 0
	if p.total > 0 {
		filled = barWidth * p.done / p.total
	}
	fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %d/%d trials, %s", p.name,
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), p.done, p.total, p.status())
	p.barShown = true
}

// line prints a line: above the bar on a terminal.
func (p *progress) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearBar()
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.terminal {
		p.drawBar()
	}
}

// trialDone records a finished trial (reused or run in took) and reports
// it.
func (p *progress) trialDone(id string, rec trialRun, reused bool, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if !reused {
		p.ran++
		p.runTime = p.now().Sub(p.start)
	}
	if p.terminal {
		p.clearBar()
		for _, note := range rec.Notes {
			fmt.Fprintf(p.w, "%s: trial %s: note: %s\n", p.name, id, note)
		}
		p.drawBar()
		return
	}
	if reused {
		fmt.Fprintf(p.w, "%s: trial %d/%d %s: up to date, reused; %s\n", p.name, p.done, p.total, id, p.status())
	} else {
		fmt.Fprintf(p.w, "%s: trial %d/%d %s: %d flows, %d anomalies (%s); %s\n",
			p.name, p.done, p.total, id, rec.Data.Flows, rec.Data.Anomalies, formatDuration(took), p.status())
	}
	for _, note := range rec.Notes {
		fmt.Fprintf(p.w, "%s: trial %s: note: %s\n", p.name, id, note)
	}
}

// trialFailed reports a trial that failed, with the first line of its
// error; Run returns the whole error at its end.
func (p *progress) trialFailed(id string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	first, _, more := strings.Cut(err.Error(), "\n")
	if more {
		first += " (more below)"
	}
	p.clearBar()
	fmt.Fprintf(p.w, "%s: trial %d/%d %s: FAILED: %s; %s\n", p.name, p.done, p.total, id, first, p.status())
	if p.terminal {
		p.drawBar()
	}
}

// finish ends the bar's line on a terminal.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.barShown {
		fmt.Fprintln(p.w)
		p.barShown = false
	}
}
