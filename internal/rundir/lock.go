package rundir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the name of a run directory's lock file. It is created on
// first use and left in place: the lock is the open file's flock, which
// the kernel releases when the holder exits, however it exits.
const LockFile = ".harness.lock"

// ErrLocked is wrapped by the error of Lock when another process holds
// the directory.
var ErrLocked = errors.New("run directory in use")

// Lock takes the exclusive lock of the run directory dir (creating dir
// when needed), for a writer: a second writer gets an error naming the
// process that holds it. A lock left by a killed process does not block:
// the kernel dropped it with the process.
func Lock(dir string) (unlock func(), err error) {
	return lock(dir, LockFile, true, true)
}

// LockShard takes the lock of one shard of a sharded run writing into
// dir: shards share the directory (each holds the run's lock shared and
// its own shard's exclusively), so they run at once, while a whole run,
// a merge or a second copy of the same shard is refused.
func LockShard(dir, shard string) (unlock func(), err error) {
	unlockRun, err := lock(dir, LockFile, false, false)
	if err != nil {
		return nil, err
	}
	unlockShard, err := lock(dir, ".harness."+shard+".lock", true, true)
	if err != nil {
		unlockRun()
		return nil, err
	}
	return func() { unlockShard(); unlockRun() }, nil
}

func lock(dir, name string, exclusive, recordPID bool) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: locking the run directory: %w", dir, err)
	}
	if err := flock(f, exclusive); err != nil {
		holder := " by another process (a sharded run)"
		if body, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(body))); perr == nil {
				holder = fmt.Sprintf(" by process %d", pid)
			}
		}
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%s: %w%s: another harness run, merge, check or report is writing it; wait for it to finish, or write elsewhere (-out)", dir, ErrLocked, holder)
		}
		return nil, fmt.Errorf("%s: locking the run directory: %w", dir, err)
	}
	// Record the holder for the message of the next one. The file's
	// content is informative only; the flock is the lock.
	if recordPID {
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
	}
	return func() {
		if recordPID {
			f.Truncate(0)
		}
		funlock(f)
		f.Close()
	}, nil
}
