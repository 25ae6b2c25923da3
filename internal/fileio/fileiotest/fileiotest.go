// Package fileiotest holds the helpers of the tests of hostile input
// files: a guard against a hang, and limits lowered for one test.
package fileiotest

import (
	"testing"
	"time"

	"github.com/segharness/harness/internal/fileio"
)

// Within runs f and fails the test when it has not returned after a
// generous time: a guard against a hang (a FIFO opened for reading, an
// endless device), not a performance assertion.
func Within(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10 s: it blocks or reads forever", what)
	}
}

// SetLimit sets a limit for the rest of the test.
func SetLimit(t testing.TB, l fileio.Limit, v int64) { t.Cleanup(fileio.SetForTest(l, v)) }
