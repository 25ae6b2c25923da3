// Package seed derives the random seeds of a run from recorded roots.
//
// Every random stream in the harness comes from a 64-bit seed that is derived,
// never drawn: a trial's seed from the experiment's root seed and the trial's
// ID, a component's stream (generator chunk, split, model) from the trial seed
// and the component's name. Derivation hashes the parent and the label with
// SHA-256, so seeds do not depend on scheduling order or worker count, and a
// run can be replayed from the seeds recorded in its manifest.
package seed

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
)

// domain separates these hashes from any other use of SHA-256 on the same
// bytes. Changing it changes every derived seed: it is part of the artifact
// format, like a file-format version.
const domain = "segharness/seed/v1"

// Derive returns the seed of the child stream named label under parent:
// the first 8 bytes (big-endian) of SHA-256(domain, parent, label).
func Derive(parent uint64, label string) uint64 {
	h := sha256.New()
	h.Write([]byte(domain))
	var buf [9]byte
	buf[0] = 0
	binary.BigEndian.PutUint64(buf[1:], parent)
	h.Write(buf[:])
	h.Write([]byte{0})
	h.Write([]byte(label))
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}

// Trial returns the seed of the trial with the given ID under the root seed
// declared in the experiment file.
func Trial(root int64, trialID string) uint64 {
	return Derive(uint64(root), "trial/"+trialID)
}

// Chunk returns the seed of the i-th fixed-size chunk of a stream, so that
// work split into chunks draws the same numbers however the chunks are
// scheduled.
func Chunk(parent uint64, label string, i int) uint64 {
	return Derive(parent, label+"/"+strconv.Itoa(i))
}

// New returns a PCG generator seeded from s. Two generators made from the
// same seed produce the same stream.
func New(s uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s, Derive(s, "pcg-stream")))
}
