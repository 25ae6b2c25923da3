//go:build !unix

package rundir

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// Without flock the lock is advisory only: a second writer is not
// detected.
func flock(*os.File, bool) error { return nil }

func funlock(*os.File) {}
