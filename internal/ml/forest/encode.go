package forest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The model format, version 1. Every integer is little-endian and every
// float64 is its IEEE 754 bits, so a decoded forest is the encoded one bit
// for bit:
//
//	offset  size  field
//	0       9     magic "SEGFOREST"
//	9       4     format version, uint32 = 1
//	13      8     length of the whole encoding in bytes, trailer included, uint64
//	21      4     classes K, uint32 in [1, 256]
//	25      4     features D, uint32 in [1, 2^24]
//	29      4     trees T, uint32 >= 1
//	33            T trees, each:
//	                4       nodes N, uint32 >= 1
//	                4       MaxDepth, uint32
//	                4N      ChildrenLeft, int32 (Leaf = -1)
//	                4N      ChildrenRight, int32 (Leaf = -1)
//	                4N      Feature, int32 (Undefined = -2)
//	                8N      Threshold, float64 (Undefined = -2 at a leaf)
//	                8N      Impurity, float64
//	                8N      NodeSamples, uint64
//	                8N      WeightedNodeSamples, float64
//	                8NK     Value, float64, node after node
//	end-32  32    SHA-256 of every byte before it
//
// so a tree takes 8 + N*(44 + 8K) bytes. The length field lets a reader
// tell a truncated file from a corrupt one before it checks the sum.
const (
	formatMagic   = "SEGFOREST"
	formatVersion = 1

	versionEnd = len(formatMagic) + 4 // end of the version field
	lengthEnd  = versionEnd + 8       // end of the length field
	headerSize = lengthEnd + 3*4      // magic through the tree count
	treeHeader = 2 * 4                // nodes and MaxDepth
	trailer    = sha256.Size

	// maxEncodedFeatures bounds D, so that a hostile header cannot make
	// Importances allocate gigabytes.
	maxEncodedFeatures = 1 << 24
)

// nodeBytes is the size of one node in the encoding of a forest of k
// classes.
func nodeBytes(k int) uint64 { return 3*4 + 4*8 + 8*uint64(k) }

// MarshalBinary encodes f in a versioned, self-describing binary format
// ending in a SHA-256 checksum of the rest (the layout is described in
// encode.go). The encoding holds every exported array of every tree, so
// UnmarshalBinary gives back a forest whose predictions, importances and
// ExportText are f's bit for bit. The same forest always encodes to the
// same bytes. It returns an error if f is nil or not a forest Fit or
// UnmarshalBinary could have made (trees whose arrays were modified, say):
// MarshalBinary never writes what UnmarshalBinary would reject.
func (f *Forest) MarshalBinary() ([]byte, error) {
	if f == nil {
		return nil, errors.New("forest: cannot encode a nil forest")
	}
	if err := checkCounts(int64(f.classes), int64(f.features), int64(len(f.trees))); err != nil {
		return nil, err
	}
	size := uint64(headerSize + trailer)
	var scratch []int32
	for i, t := range f.trees {
		if t == nil {
			return nil, fmt.Errorf("forest: cannot encode: tree %d is nil", i)
		}
		if t.classes != f.classes || t.features != f.features {
			return nil, fmt.Errorf("forest: cannot encode: tree %d has %d classes and %d features, the forest %d and %d",
				i, t.classes, t.features, f.classes, f.features)
		}
		if err := checkTree(t, f.classes, f.features, &scratch); err != nil {
			return nil, fmt.Errorf("forest: cannot encode: tree %d: %v", i, err)
		}
		size += treeHeader + uint64(t.NodeCount())*nodeBytes(f.classes)
	}
	if size > math.MaxInt {
		return nil, fmt.Errorf("forest: cannot encode: %d bytes", size)
	}
	buf := appendForest(make([]byte, 0, int(size)), f)
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...), nil
}

// appendForest appends the encoding of f without its trailer, length
// field included, and without checking f.
func appendForest(buf []byte, f *Forest) []byte {
	le := binary.LittleEndian
	size := uint64(headerSize + trailer)
	for _, t := range f.trees {
		size += treeHeader + uint64(t.NodeCount())*nodeBytes(f.classes)
	}
	buf = append(buf, formatMagic...)
	buf = le.AppendUint32(buf, formatVersion)
	buf = le.AppendUint64(buf, size)
	buf = le.AppendUint32(buf, uint32(f.classes))
	buf = le.AppendUint32(buf, uint32(f.features))
	buf = le.AppendUint32(buf, uint32(len(f.trees)))
	for _, t := range f.trees {
		buf = le.AppendUint32(buf, uint32(t.NodeCount()))
		buf = le.AppendUint32(buf, uint32(t.MaxDepth))
		for _, a := range [...][]int{t.ChildrenLeft, t.ChildrenRight, t.Feature} {
			for _, v := range a {
				buf = le.AppendUint32(buf, uint32(int32(v)))
			}
		}
		for _, a := range [...][]float64{t.Threshold, t.Impurity} {
			for _, v := range a {
				buf = le.AppendUint64(buf, math.Float64bits(v))
			}
		}
		for _, v := range t.NodeSamples {
			buf = le.AppendUint64(buf, uint64(v))
		}
		for _, a := range [...][]float64{t.WeightedNodeSamples, t.Value} {
			for _, v := range a {
				buf = le.AppendUint64(buf, math.Float64bits(v))
			}
		}
	}
	return buf
}

// UnmarshalBinary decodes data written by MarshalBinary into f, replacing
// what f held. It checks, in order, the magic, the format version, the
// length (an input shorter than the header gives is reported truncated,
// a longer one as data after the model's end), the SHA-256 trailer, and then
// every count against the bytes left before allocating anything for it,
// and every tree for the structure prediction relies on: children that
// point forward and make a tree numbered depth first, split features in
// range, leaves marked Leaf and Undefined, finite non-negative weights and
// class counts, and MaxDepth. The prediction arrays are then rebuilt as
// Fit builds them. On any error f is left unchanged; UnmarshalBinary never
// panics, and allocates at most a small multiple of len(data). It does not
// retain data.
func (f *Forest) UnmarshalBinary(data []byte) error {
	if f == nil {
		return errors.New("forest: cannot decode into a nil forest")
	}
	le := binary.LittleEndian
	switch {
	case len(data) == 0:
		return errors.New("forest: no data: an empty input is not a model")
	case len(data) < len(formatMagic) && bytes.HasPrefix([]byte(formatMagic), data):
		return truncated(len(data))
	case !bytes.HasPrefix(data, []byte(formatMagic)):
		return fmt.Errorf("forest: not a forest model: the data does not start with %q", formatMagic)
	case len(data) < versionEnd:
		return truncated(len(data))
	}
	if v := le.Uint32(data[len(formatMagic):]); v != formatVersion {
		return fmt.Errorf("forest: model format version %d, this build reads %d", v, formatVersion)
	}
	if len(data) < lengthEnd {
		return truncated(len(data))
	}
	length := le.Uint64(data[versionEnd:])
	switch {
	case length < uint64(headerSize+trailer):
		return fmt.Errorf("forest: the header gives a length of %d bytes, less than the smallest model", length)
	case uint64(len(data)) < length:
		return fmt.Errorf("%w, shorter than the %d bytes the header gives", truncated(len(data)), length)
	case uint64(len(data)) > length:
		// Longer is not truncated: bytes follow the model's end.
		return fmt.Errorf("forest: %d bytes, longer than the %d bytes the header gives: data after the end of the model", len(data), length)
	}
	body := data[:len(data)-trailer]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(body):]) {
		return errors.New("forest: checksum mismatch: the file is corrupt")
	}

	// The checksum only proves the writer's intent: from here on data is
	// as hostile as its writer.
	if len(body) < headerSize {
		return truncated(len(body))
	}
	classes64 := int64(le.Uint32(body[lengthEnd:]))
	features64 := int64(le.Uint32(body[lengthEnd+4:]))
	trees64 := uint64(le.Uint32(body[lengthEnd+8:]))
	if err := checkCounts(classes64, features64, int64(trees64)); err != nil {
		return err
	}
	classes, features := int(classes64), int(features64)
	perNode := nodeBytes(classes)
	rest := uint64(len(body) - headerSize)
	if need := trees64 * (treeHeader + perNode); need > rest {
		return fmt.Errorf("forest: %d trees need at least %d bytes, %d are left", trees64, need, rest)
	}

	// First pass: the trees' sizes, each checked against the bytes left.
	starts := make([]int, trees64) // offset of each tree's header
	p := headerSize
	totalNodes := 0
	for i := range starts {
		if len(body)-p < treeHeader {
			// The data has the length the header gives and its checksum
			// holds: not truncated, but counting trees it does not hold.
			return fmt.Errorf("forest: the header counts %d trees, the data ends after %d (at byte %d)", trees64, i, len(body))
		}
		starts[i] = p
		nodes := uint64(le.Uint32(body[p:]))
		p += treeHeader
		if nodes == 0 {
			return fmt.Errorf("forest: tree %d has no nodes", i)
		}
		if need, left := nodes*perNode, uint64(len(body)-p); need > left {
			return fmt.Errorf("forest: tree %d: %d nodes need %d bytes, %d are left", i, nodes, need, left)
		}
		p += int(nodes * perNode)
		totalNodes += int(nodes)
	}
	if p != len(body) {
		return fmt.Errorf("forest: the last tree ends at byte %d, the checksum starts at byte %d", p, len(body))
	}

	// Second pass: decode into two backing arrays shared by the trees
	// (capacities capped, so no tree's slice can grow into another's).
	ints := make([]int, 4*totalNodes)
	floats := make([]float64, (3+classes)*totalNodes)
	take := func(n int) []int { s := ints[:n:n]; ints = ints[n:]; return s }
	takeF := func(n int) []float64 { s := floats[:n:n]; floats = floats[n:]; return s }
	out := &Forest{trees: make([]*Tree, len(starts)), classes: classes, features: features}
	var scratch []int32
	for i, p := range starts {
		n := int(le.Uint32(body[p:]))
		t := &Tree{
			ChildrenLeft:        take(n),
			ChildrenRight:       take(n),
			Feature:             take(n),
			Threshold:           takeF(n),
			Impurity:            takeF(n),
			NodeSamples:         take(n),
			WeightedNodeSamples: takeF(n),
			Value:               takeF(n * classes),
			classes:             classes,
			features:            features,
		}
		t.MaxDepth = int(min(le.Uint32(body[p+4:]), math.MaxInt32)) // checkTree checks it
		p += treeHeader
		for _, a := range [...][]int{t.ChildrenLeft, t.ChildrenRight, t.Feature} {
			src := body[p : p+4*n]
			for j := range a {
				a[j] = int(int32(le.Uint32(src[4*j:])))
			}
			p += 4 * n
		}
		p = decodeFloats(t.Threshold, body, p)
		p = decodeFloats(t.Impurity, body, p)
		src := body[p : p+8*n]
		for j := range t.NodeSamples {
			v := le.Uint64(src[8*j:])
			if v > math.MaxInt {
				return fmt.Errorf("forest: tree %d: node %d: %d samples", i, j, v)
			}
			t.NodeSamples[j] = int(v)
		}
		p += 8 * n
		p = decodeFloats(t.WeightedNodeSamples, body, p)
		decodeFloats(t.Value, body, p)
		if err := checkTree(t, classes, features, &scratch); err != nil {
			return fmt.Errorf("forest: tree %d: %v", i, err)
		}
		t.finish()
		out.trees[i] = t
	}
	*f = *out
	return nil
}

func truncated(n int) error { return fmt.Errorf("forest: truncated at byte %d", n) }

// decodeFloats fills dst from the float64 bits at b[p:] and returns the
// offset after them.
func decodeFloats(dst []float64, b []byte, p int) int {
	src := b[p : p+8*len(dst)]
	for j := range dst {
		dst[j] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*j:]))
	}
	return p + 8*len(dst)
}

// checkCounts checks a forest's dimensions against the format's limits.
func checkCounts(classes, features, trees int64) error {
	switch {
	case classes < 1 || classes > maxClasses:
		return fmt.Errorf("forest: %d classes outside [1, %d]", classes, maxClasses)
	case features < 1 || features > maxEncodedFeatures:
		return fmt.Errorf("forest: %d features outside [1, %d]", features, maxEncodedFeatures)
	case trees < 1:
		return errors.New("forest: no trees")
	}
	return nil
}

// checkTree checks that t's exported arrays describe a tree of k classes
// on d features as Fit grows them, everything prediction and the exported
// API rely on: nodes numbered depth first from the root (an internal
// node's left child next, its right child right after the left subtree,
// every node reached exactly once, so every walk ends at a leaf), leaves
// marked Leaf and Undefined, split features in [0, d) with finite
// thresholds, finite impurities, finite non-negative weights and class
// counts, non-negative sample counts, and MaxDepth the depth of the
// deepest node. scratch is reused from call to call.
func checkTree(t *Tree, k, d int, scratch *[]int32) error {
	n := len(t.Feature)
	switch {
	case n == 0:
		return errors.New("no nodes")
	case n > math.MaxInt32/k:
		return fmt.Errorf("%d nodes of %d classes exceed the format's limits", n, k)
	case len(t.ChildrenLeft) != n || len(t.ChildrenRight) != n || len(t.Threshold) != n ||
		len(t.Impurity) != n || len(t.NodeSamples) != n || len(t.WeightedNodeSamples) != n:
		return errors.New("node arrays of different lengths")
	case len(t.Value) != n*k:
		return fmt.Errorf("%d values for %d nodes of %d classes", len(t.Value), n, k)
	}
	for i := range n {
		left, right, f, threshold := t.ChildrenLeft[i], t.ChildrenRight[i], t.Feature[i], t.Threshold[i]
		if left == Leaf {
			if right != Leaf || f != Undefined || threshold != Undefined {
				return fmt.Errorf("node %d: a leaf (left child %d) with right child %d, feature %d, threshold %v; want %d, %d, %d",
					i, Leaf, right, f, threshold, Leaf, Undefined, Undefined)
			}
		} else {
			switch {
			case left != i+1:
				return fmt.Errorf("node %d: left child %d, want %d (the next node) or %d (a leaf)", i, left, i+1, Leaf)
			case right <= left || right >= n:
				return fmt.Errorf("node %d: right child %d outside [%d, %d): children must point forward", i, right, left+1, n)
			case f < 0 || f >= d:
				return fmt.Errorf("node %d: split on feature %d outside [0, %d)", i, f, d)
			case math.IsNaN(threshold) || math.IsInf(threshold, 0):
				return fmt.Errorf("node %d: threshold %v", i, threshold)
			}
		}
		if v := t.Impurity[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("node %d: impurity %v", i, v)
		}
		if v := t.WeightedNodeSamples[i]; !(v >= 0 && v <= math.MaxFloat64) {
			return fmt.Errorf("node %d: weighted samples %v", i, v)
		}
		if v := t.NodeSamples[i]; v < 0 {
			return fmt.Errorf("node %d: %d samples", i, v)
		}
		for c, v := range t.Value[i*k : (i+1)*k] {
			if !(v >= 0 && v <= math.MaxFloat64) {
				return fmt.Errorf("node %d: value %v for class %d", i, v, c)
			}
		}
	}
	// The end of each node's subtree, from the last node back: a subtree
	// is the node, its left subtree, then its right subtree.
	end := slices.Grow((*scratch)[:0], n)[:n]
	*scratch = end
	for i := n - 1; i >= 0; i-- {
		if t.ChildrenLeft[i] == Leaf {
			end[i] = int32(i + 1)
			continue
		}
		right := t.ChildrenRight[i]
		if int(end[i+1]) != right {
			return fmt.Errorf("node %d: right child %d, want %d (the node after its left subtree)", i, right, end[i+1])
		}
		end[i] = end[right]
	}
	if int(end[0]) != n {
		return fmt.Errorf("nodes %d to %d are not in the root's tree", end[0], n-1)
	}
	// Every node but the root now has one parent, numbered before it.
	depth := end
	depth[0] = 0
	maxDepth := int32(0)
	for i := range n {
		maxDepth = max(maxDepth, depth[i])
		if left := t.ChildrenLeft[i]; left != Leaf {
			depth[left] = depth[i] + 1
			depth[t.ChildrenRight[i]] = depth[i] + 1
		}
	}
	if int(maxDepth) != t.MaxDepth {
		return fmt.Errorf("max depth %d, the deepest node is at %d", t.MaxDepth, maxDepth)
	}
	return nil
}
