package stage

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"
)

// labelled counts the goroutines whose labels in the goroutine profile
// (debug=1 prints them as `# labels: {"stage":"NAME"}`) name stage name.
func labelled(t *testing.T, name string) int {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	return strings.Count(b.String(), `# labels: {"stage":"`+name+`"}`)
}

// TestDo checks that a goroutine started inside Do carries the label,
// and that the label is gone once Do returns.
func TestDo(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	Do("models", func() {
		go func() {
			close(started)
			<-release
			close(done)
		}()
	})
	<-started
	if n := labelled(t, "models"); n != 1 {
		t.Errorf("a goroutine started inside Do: %d goroutines labelled stage=models, want 1", n)
	}
	close(release)
	<-done
	Do("report", func() {})
	go func() { <-release }() // started after Do: unlabelled
	if n := labelled(t, "models") + labelled(t, "report"); n != 0 {
		t.Errorf("after Do: %d goroutines labelled, want 0", n)
	}
}
