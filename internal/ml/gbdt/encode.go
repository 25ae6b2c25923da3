package gbdt

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The model format, version 1. Every integer is little-endian and every
// float64 is its IEEE 754 bits, so a decoded model predicts as the
// encoded one, bit for bit:
//
//	offset  size  field
//	0       8     magic "SEGGBDT\x00"
//	8       4     format version, uint32 = 1
//	12      8     length of the whole encoding in bytes, trailer included, uint64
//	20      4     classes C, uint32 in [2, 256]
//	24      4     features D, uint32 in [1, 2^24]
//	28      4     iterations I, uint32 >= 1
//	32      8K    baseline, float64 (K = 1 for two classes, else C)
//	              I*K trees, iteration after iteration, each:
//	                4     nodes N, uint32 >= 1
//	                30N   nodes, each: feature int32 (-1 at a leaf), left
//	                      and right child int32 (-1 at a leaf), bin uint8,
//	                      missing-left uint8 (0 or 1), threshold float64,
//	                      value float64
//	end-32  32    SHA-256 of every byte before it
//
// Node 0 is a tree's root; a child comes after its parent and every node
// but the root is the child of exactly one node. A leaf has bin,
// missing-left and threshold 0.
const (
	formatMagic   = "SEGGBDT\x00"
	formatVersion = 1

	headerSize = len(formatMagic) + 4 + 8 + 3*4
	nodeSize   = 3*4 + 2 + 2*8
	trailer    = sha256.Size

	maxEncodedFeatures = 1 << 24
)

// MarshalBinary encodes m in the format above.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.k < 1 || len(m.trees) == 0 || len(m.trees)%m.k != 0 {
		return nil, errors.New("gbdt: encoding a model that is not fitted")
	}
	size := headerSize + 8*m.k + trailer
	for i := range m.trees {
		size += 4 + nodeSize*len(m.trees[i].nodes)
	}
	b := make([]byte, 0, size)
	b = append(b, formatMagic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(size))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.classes))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.d))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.Iterations()))
	for _, v := range m.baseline {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	for i := range m.trees {
		nodes := m.trees[i].nodes
		b = binary.LittleEndian.AppendUint32(b, uint32(len(nodes)))
		for _, n := range nodes {
			b = binary.LittleEndian.AppendUint32(b, uint32(n.feature))
			b = binary.LittleEndian.AppendUint32(b, uint32(n.left))
			b = binary.LittleEndian.AppendUint32(b, uint32(n.right))
			ml := uint8(0)
			if n.missingLeft {
				ml = 1
			}
			b = append(b, n.bin, ml)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(n.threshold))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(n.value))
		}
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...), nil
}

// UnmarshalBinary decodes an encoding of MarshalBinary into m, checking
// every field: any other bytes are an error, never a panic. m is left
// unchanged on error.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < headerSize+trailer {
		return fmt.Errorf("gbdt: %d bytes are too few for a model", len(data))
	}
	if !bytes.Equal(data[:len(formatMagic)], []byte(formatMagic)) {
		return errors.New("gbdt: not a model encoding (bad magic)")
	}
	p := len(formatMagic)
	if v := binary.LittleEndian.Uint32(data[p:]); v != formatVersion {
		return fmt.Errorf("gbdt: format version %d, want %d", v, formatVersion)
	}
	p += 4
	if l := binary.LittleEndian.Uint64(data[p:]); l != uint64(len(data)) {
		return fmt.Errorf("gbdt: the encoding says %d bytes, got %d (truncated or padded)", l, len(data))
	}
	p += 8
	body := data[:len(data)-trailer]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(body):]) {
		return errors.New("gbdt: checksum mismatch")
	}
	classes := binary.LittleEndian.Uint32(data[p:])
	d := binary.LittleEndian.Uint32(data[p+4:])
	iters := binary.LittleEndian.Uint32(data[p+8:])
	p += 12
	switch {
	case classes < 2 || classes > maxClasses:
		return fmt.Errorf("gbdt: %d classes outside [2, %d]", classes, maxClasses)
	case d < 1 || d > maxEncodedFeatures:
		return fmt.Errorf("gbdt: %d features outside [1, %d]", d, maxEncodedFeatures)
	case iters < 1:
		return errors.New("gbdt: no iterations")
	}
	k := 1
	if classes > 2 {
		k = int(classes)
	}
	rest := uint64(len(body) - p)
	if uint64(k)*8 > rest {
		return errors.New("gbdt: truncated baseline")
	}
	nt := uint64(iters) * uint64(k)
	if nt > (rest-uint64(k)*8)/(4+nodeSize) {
		return fmt.Errorf("gbdt: %d trees do not fit in %d bytes", nt, rest)
	}
	out := Model{d: int(d), classes: int(classes), k: k, baseline: make([]float64, k), trees: make([]tree, nt)}
	for c := range out.baseline {
		v := math.Float64frombits(binary.LittleEndian.Uint64(body[p:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("gbdt: baseline %d is %v", c, v)
		}
		out.baseline[c] = v
		p += 8
	}
	for t := range out.trees {
		if len(body)-p < 4 {
			return fmt.Errorf("gbdt: tree %d: truncated", t)
		}
		n := binary.LittleEndian.Uint32(body[p:])
		p += 4
		if n < 1 || uint64(n) > uint64(len(body)-p)/nodeSize {
			return fmt.Errorf("gbdt: tree %d: %d nodes in %d bytes", t, n, len(body)-p)
		}
		nodes := make([]node, n)
		parents := make([]uint8, n)
		for i := range nodes {
			nd := node{
				feature:   int32(binary.LittleEndian.Uint32(body[p:])),
				left:      int32(binary.LittleEndian.Uint32(body[p+4:])),
				right:     int32(binary.LittleEndian.Uint32(body[p+8:])),
				bin:       body[p+12],
				threshold: math.Float64frombits(binary.LittleEndian.Uint64(body[p+14:])),
				value:     math.Float64frombits(binary.LittleEndian.Uint64(body[p+22:])),
			}
			ml := body[p+13]
			p += nodeSize
			if ml > 1 {
				return fmt.Errorf("gbdt: tree %d node %d: missing-left %d", t, i, ml)
			}
			nd.missingLeft = ml == 1
			if math.IsNaN(nd.value) || math.IsInf(nd.value, 0) {
				return fmt.Errorf("gbdt: tree %d node %d: value %v", t, i, nd.value)
			}
			if nd.feature == -1 {
				if nd.left != -1 || nd.right != -1 || nd.bin != 0 || ml != 0 || math.Float64bits(nd.threshold) != 0 {
					return fmt.Errorf("gbdt: tree %d node %d: a leaf with split fields", t, i)
				}
			} else {
				switch {
				case nd.feature < 0 || uint32(nd.feature) >= d:
					return fmt.Errorf("gbdt: tree %d node %d: feature %d outside [0, %d)", t, i, nd.feature, d)
				case math.IsNaN(nd.threshold):
					return fmt.Errorf("gbdt: tree %d node %d: NaN threshold", t, i)
				case nd.left <= int32(i) || nd.left >= int32(n) || nd.right <= int32(i) || nd.right >= int32(n) || nd.left == nd.right:
					return fmt.Errorf("gbdt: tree %d node %d: children %d, %d not after it in [0, %d)", t, i, nd.left, nd.right, n)
				}
				parents[nd.left]++
				parents[nd.right]++
				if parents[nd.left] > 1 || parents[nd.right] > 1 {
					return fmt.Errorf("gbdt: tree %d node %d: a child with two parents", t, i)
				}
			}
			nodes[i] = nd
		}
		for i := 1; i < len(nodes); i++ {
			if parents[i] != 1 {
				return fmt.Errorf("gbdt: tree %d node %d: unreachable", t, i)
			}
		}
		out.trees[t] = tree{nodes: nodes}
	}
	if p != len(body) {
		return fmt.Errorf("gbdt: %d bytes after the last tree", len(body)-p)
	}
	*m = out
	return nil
}
