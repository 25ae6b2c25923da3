package forest

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	_ encoding.BinaryMarshaler   = (*Forest)(nil)
	_ encoding.BinaryUnmarshaler = (*Forest)(nil)
)

// sameForest compares forests field by field, the prediction arrays
// included.
var sameForest = cmp.AllowUnexported(Forest{}, Tree{}, predictNode{})

// synthetic returns n rows of d >= 3 features (the last one taking four values,
// so there are ties) and labels in [0, classes) that depend noisily and
// unevenly on the first three features, so trees grow deep and classes are
// imbalanced.
func synthetic(n, d, classes int, seed uint64) ([]float64, []int) {
	r := rand.New(rand.NewPCG(seed, 99))
	x := make([]float64, n*d)
	y := make([]int, n)
	for i := range n {
		row := x[i*d : (i+1)*d]
		for j := range row {
			row[j] = r.NormFloat64()
		}
		row[d-1] = float64(r.IntN(4))
		s := row[0] + 0.7*row[1]*row[2] + 0.4*r.NormFloat64() - 0.6
		y[i] = min(max(int((math.Tanh(s)+1)/2*float64(classes)), 0), classes-1)
	}
	return x, y
}

type fitCase struct {
	name    string
	n, d    int
	classes int
	cfg     Config
	labels  func(y []int) // optional: rewrites the labels
}

func (c fitCase) fit(seed uint64) (*Forest, []float64) {
	x, y := synthetic(c.n, c.d, c.classes, seed)
	if c.labels != nil {
		c.labels(y)
	}
	return Fit(x, c.d, y, c.classes, c.cfg, rand.New(rand.NewPCG(seed, 5))), x
}

func roundTripCases() []fitCase {
	rf := func(d int) Config { return DefaultConfig(d) }
	withTrees := func(cfg Config, trees int) Config { cfg.Trees = trees; return cfg }
	return []fitCase{
		{name: "binary", n: 300, d: 6, classes: 2, cfg: withTrees(rf(6), 12)},
		{name: "binary max depth 3", n: 300, d: 6, classes: 2,
			cfg: Config{Trees: 5, MaxFeatures: 6, MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1}},
		{name: "3 classes balanced", n: 400, d: 8, classes: 3,
			cfg: func() Config { c := withTrees(rf(8), 10); c.ClassWeight = "balanced"; return c }()},
		{name: "3 classes balanced max depth 4 min leaf 3", n: 400, d: 8, classes: 3,
			cfg: Config{Trees: 7, MaxFeatures: 3, MaxDepth: 4, MinSamplesSplit: 5, MinSamplesLeaf: 3, ClassWeight: "balanced", Bootstrap: true}},
		{name: "5 classes one tree", n: 250, d: 4, classes: 5,
			cfg: Config{Trees: 1, MaxFeatures: 4, MinSamplesSplit: 2, MinSamplesLeaf: 1}},
		{name: "one class", n: 50, d: 3, classes: 1, cfg: withTrees(rf(3), 3)},
		{name: "labels all 1: single-leaf trees", n: 60, d: 3, classes: 2, cfg: withTrees(rf(3), 4),
			labels: func(y []int) {
				for i := range y {
					y[i] = 1
				}
			}},
	}
}

// encodedSize is the documented size of f's encoding.
func encodedSize(f *Forest) int {
	size := headerSize + trailer
	for _, t := range f.trees {
		size += 8 + t.NodeCount()*(44+8*f.classes)
	}
	return size
}

// probeRows returns rows to predict: random ones over a wider range than
// the training data, and ones placed exactly on, just below and just above
// every threshold of the first tree.
func probeRows(f *Forest, seed uint64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	d := f.features
	var rows [][]float64
	for range 300 {
		row := make([]float64, d)
		for j := range row {
			row[j] = 3 * r.NormFloat64()
		}
		rows = append(rows, row)
	}
	for _, t := range f.trees[:1] {
		for i, feat := range t.Feature {
			if feat == Undefined {
				continue
			}
			for _, v := range []float64{t.Threshold[i], math.Nextafter(t.Threshold[i], math.Inf(-1)), math.Nextafter(t.Threshold[i], math.Inf(1))} {
				row := make([]float64, d)
				for j := range row {
					row[j] = r.NormFloat64()
				}
				row[feat] = v
				rows = append(rows, row)
			}
		}
	}
	return rows
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestMarshalRoundTrip encodes fitted forests, decodes them and checks that
// nothing observable changed: the arrays and the prediction structures,
// PredictProba bit for bit on the training rows and probe rows,
// PredictProbaAll, Predict, Importances and ExportText, and that the
// decoded forest encodes to the same bytes.
func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range roundTripCases() {
		t.Run(c.name, func(t *testing.T) {
			f, xTrain := c.fit(1)
			enc, err := f.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(enc) != encodedSize(f) {
				t.Errorf("encoding of %d bytes, the layout says %d", len(enc), encodedSize(f))
			}
			again, err := f.MarshalBinary()
			if err != nil || !bytes.Equal(enc, again) {
				t.Fatalf("encoding twice gave different bytes (err %v)", err)
			}

			// Decode into a forest that already holds another one, from a
			// copy of the bytes that is then wiped: nothing may survive of
			// either.
			other, _ := roundTripCases()[2].fit(9)
			g := *other
			buf := slices.Clone(enc)
			if err := g.UnmarshalBinary(buf); err != nil {
				t.Fatal(err)
			}
			clear(buf)
			if diff := cmp.Diff(f, &g, sameForest); diff != "" {
				t.Fatalf("decoded forest differs (-want +got):\n%s", diff)
			}

			rows := probeRows(f, 2)
			for i := range len(xTrain) / c.d {
				rows = append(rows, xTrain[i*c.d:(i+1)*c.d])
			}
			want, got := make([]float64, c.classes), make([]float64, c.classes)
			var all []float64
			for i, row := range rows {
				f.PredictProba(row, want)
				g.PredictProba(row, got)
				if !sameBits(want, got) {
					t.Fatalf("row %d %v: PredictProba %v, decoded %v", i, row, want, got)
				}
				if f.Predict(row) != g.Predict(row) {
					t.Fatalf("row %d: Predict differs", i)
				}
				all = append(all, row...)
			}
			if !sameBits(f.PredictProbaAll(all, 2), g.PredictProbaAll(all, 2)) {
				t.Error("PredictProbaAll differs")
			}
			if !sameBits(f.Importances(), g.Importances()) {
				t.Errorf("Importances %v, decoded %v", f.Importances(), g.Importances())
			}
			for i := range f.trees {
				if !sameBits(f.trees[i].Importances(), g.trees[i].Importances()) {
					t.Errorf("tree %d: Importances differ", i)
				}
				for _, depth := range []int{1, 1000} {
					if diff := cmp.Diff(ExportText(f.trees[i], nil, nil, depth), ExportText(g.trees[i], nil, nil, depth)); diff != "" {
						t.Errorf("tree %d: ExportText(max depth %d) differs:\n%s", i, depth, diff)
					}
				}
			}
			if g.Classes() != f.Classes() || g.Features() != f.Features() || len(g.Trees()) != len(f.Trees()) {
				t.Error("dimensions differ")
			}

			reenc, err := g.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, reenc) {
				t.Error("re-encoding the decoded forest gave different bytes")
			}
		})
	}
}

// TestMarshalLayout checks the header and trailer at their documented
// offsets.
func TestMarshalLayout(t *testing.T) {
	f, _ := roundTripCases()[3].fit(1)
	enc, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	tree0 := f.trees[0]
	n := tree0.NodeCount()
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"version", uint64(le.Uint32(enc[9:])), 1},
		{"length", le.Uint64(enc[13:]), uint64(len(enc))},
		{"classes", uint64(le.Uint32(enc[21:])), 3},
		{"features", uint64(le.Uint32(enc[25:])), 8},
		{"trees", uint64(le.Uint32(enc[29:])), uint64(len(f.trees))},
		{"tree 0 nodes", uint64(le.Uint32(enc[33:])), uint64(n)},
		{"tree 0 max depth", uint64(le.Uint32(enc[37:])), uint64(tree0.MaxDepth)},
		{"tree 0 right child of the root", uint64(le.Uint32(enc[41+4*n:])), uint64(tree0.ChildrenRight[0])},
		{"tree 0 feature of the root", uint64(le.Uint32(enc[41+8*n:])), uint64(tree0.Feature[0])},
		{"tree 0 threshold of the root", le.Uint64(enc[41+12*n:]), math.Float64bits(tree0.Threshold[0])},
		{"tree 0 node samples of the root", le.Uint64(enc[41+28*n:]), uint64(tree0.NodeSamples[0])},
		{"tree 0 value of the last node", le.Uint64(enc[41+44*n+8*(3*n-1):]), math.Float64bits(tree0.Value[3*n-1])},
	}
	if string(enc[:9]) != "SEGFOREST" {
		t.Errorf("magic %q", enc[:9])
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	if sum := sha256.Sum256(enc[:len(enc)-32]); !bytes.Equal(sum[:], enc[len(enc)-32:]) {
		t.Error("trailer is not the SHA-256 of the rest")
	}
}

// cloneTree deep-copies t's exported arrays.
func cloneTree(t *Tree) *Tree {
	return &Tree{
		ChildrenLeft: slices.Clone(t.ChildrenLeft), ChildrenRight: slices.Clone(t.ChildrenRight),
		Feature: slices.Clone(t.Feature), Threshold: slices.Clone(t.Threshold),
		Impurity: slices.Clone(t.Impurity), NodeSamples: slices.Clone(t.NodeSamples),
		WeightedNodeSamples: slices.Clone(t.WeightedNodeSamples), Value: slices.Clone(t.Value),
		MaxDepth: t.MaxDepth, classes: t.classes, features: t.features,
	}
}

// encodeRaw encodes f as MarshalBinary does but without checking it, so
// tests can write well-formed files holding broken trees.
func encodeRaw(f *Forest) []byte {
	buf := appendForest(nil, f)
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...)
}

// reseal returns a copy of b with the length field and the checksum
// rewritten to match its bytes.
func reseal(b []byte) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint64(b[versionEnd:], uint64(len(b)))
	sum := sha256.Sum256(b[:len(b)-trailer])
	copy(b[len(b)-trailer:], sum[:])
	return b
}

// corruptBase returns a small valid forest (two trees, three classes,
// depth 3) whose first tree's node 1 is internal, and its encoding.
func corruptBase(t testing.TB) (*Forest, []byte) {
	t.Helper()
	f, _ := fitCase{n: 200, d: 5, classes: 3,
		cfg: Config{Trees: 2, MaxFeatures: 5, MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1, ClassWeight: "balanced", Bootstrap: true}}.fit(4)
	if f.trees[0].ChildrenLeft[1] == Leaf {
		t.Fatal("corruptBase: node 1 of tree 0 is a leaf")
	}
	enc, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return f, enc
}

// TestUnmarshalCorrupt feeds UnmarshalBinary damaged and hostile files:
// each must give a clear error, leave the receiver unchanged and not
// panic.
func TestUnmarshalCorrupt(t *testing.T) {
	base, enc := corruptBase(t)
	le := binary.LittleEndian
	n0 := base.trees[0].NodeCount()
	firstLeaf := slices.Index(base.trees[0].ChildrenLeft, Leaf)
	firstInternalAfterRoot := 1

	edit := func(fn func(b []byte)) []byte { b := slices.Clone(enc); fn(b); return b }
	resealed := func(fn func(b []byte)) []byte { return reseal(edit(fn)) }
	putU32 := func(off int, v uint32) func([]byte) { return func(b []byte) { le.PutUint32(b[off:], v) } }
	// tree edits tree 0 of a copy of base and encodes it without checks.
	tree := func(fn func(t *Tree)) []byte {
		f := *base
		f.trees = slices.Clone(base.trees)
		f.trees[0] = cloneTree(base.trees[0])
		fn(f.trees[0])
		return encodeRaw(&f)
	}
	body := len(enc) - trailer

	tests := []struct {
		name string
		data []byte
		want string // the error, or a part of it
	}{
		{"nil", nil, "forest: no data"},
		{"empty", []byte{}, "forest: no data"},
		{"start of the magic", []byte("SEGF"), "forest: truncated at byte 4"},
		{"wrong magic", edit(func(b []byte) { b[3] = 'X' }), `forest: not a forest model: the data does not start with "SEGFOREST"`},
		{"JSON", []byte(`{"trees": []}`), "forest: not a forest model"},
		{"magic only", []byte("SEGFOREST"), "forest: truncated at byte 9"},
		{"version 7", resealed(putU32(9, 7)), "forest: model format version 7, this build reads 1"},
		{"version 0", resealed(putU32(9, 0)), "forest: model format version 0, this build reads 1"},
		{"version 7 not resealed", edit(putU32(9, 7)), "forest: model format version 7, this build reads 1"},
		{"flipped body byte", edit(func(b []byte) { b[body/2] ^= 0x10 }), "forest: checksum mismatch: the file is corrupt"},
		{"flipped checksum byte", edit(func(b []byte) { b[len(b)-1] ^= 1 }), "forest: checksum mismatch: the file is corrupt"},
		{"flipped class count", edit(func(b []byte) { b[21] ^= 4 }), "forest: checksum mismatch: the file is corrupt"},
		{"cut in the middle", enc[:len(enc)/2], fmt.Sprintf("forest: truncated at byte %d", len(enc)/2)},
		{"checksum missing", enc[:body], fmt.Sprintf("forest: truncated at byte %d", body)},
		{"trailing byte", append(slices.Clone(enc), 0), fmt.Sprintf("forest: %d bytes, longer than the %d bytes the header gives: data after the end of the model", len(enc)+1, len(enc))},
		{"trailing model", append(slices.Clone(enc), enc...), fmt.Sprintf("forest: %d bytes, longer than the %d bytes the header gives", 2*len(enc), len(enc))},
		{"length below the minimum", edit(func(b []byte) { le.PutUint64(b[13:], 10) }), "less than the smallest model"},
		{"length 2^64-1", edit(func(b []byte) { le.PutUint64(b[13:], math.MaxUint64) }), fmt.Sprintf("forest: truncated at byte %d, shorter than the %d bytes the header gives", len(enc), uint64(math.MaxUint64))},
		{"length one more", edit(func(b []byte) { le.PutUint64(b[13:], uint64(len(enc)+1)) }), fmt.Sprintf("forest: truncated at byte %d, shorter than the %d bytes the header gives", len(enc), len(enc)+1)},
		{"length one less", edit(func(b []byte) { le.PutUint64(b[13:], uint64(len(enc)-1)) }), fmt.Sprintf("forest: %d bytes, longer than the %d bytes the header gives", len(enc), len(enc)-1)},

		// Well-formed files with hostile contents.
		{"0 classes", resealed(putU32(21, 0)), "forest: 0 classes outside [1, 256]"},
		{"257 classes", resealed(putU32(21, 257)), "forest: 257 classes outside [1, 256]"},
		{"2^32-1 classes", resealed(putU32(21, math.MaxUint32)), "forest: 4294967295 classes outside [1, 256]"},
		{"2 classes of 3", resealed(putU32(21, 2)), "forest: "},
		{"0 features", resealed(putU32(25, 0)), "forest: 0 features outside [1, 16777216]"},
		{"2^32-1 features", resealed(putU32(25, math.MaxUint32)), "forest: 4294967295 features outside [1, 16777216]"},
		{"0 trees", resealed(putU32(29, 0)), "forest: no trees"},
		{"2^32-1 trees", resealed(putU32(29, math.MaxUint32)), "forest: 4294967295 trees need at least"},
		// The data is as long as the header says and its checksum holds:
		// not truncated, but counting more trees than it holds.
		{"one tree more", resealed(putU32(29, 3)), fmt.Sprintf("forest: the header counts 3 trees, the data ends after 2 (at byte %d)", body)},
		{"one tree fewer", resealed(putU32(29, 1)), "forest: the last tree ends at byte"},
		{"0 nodes", resealed(putU32(33, 0)), "forest: tree 0 has no nodes"},
		{"2^32-1 nodes", resealed(putU32(33, math.MaxUint32)), "forest: tree 0: 4294967295 nodes need"},
		{"one node more", resealed(putU32(33, uint32(n0+1))), "forest: "},
		{"body cut short", reseal(append(slices.Clone(enc[:body-8]), enc[body:]...)), "forest: tree 1: "},
		{"max depth 2^32-1", resealed(putU32(37, math.MaxUint32)), "forest: tree 0: max depth"},
		{"max depth off by one", tree(func(t *Tree) { t.MaxDepth++ }), "forest: tree 0: max depth"},

		{"right child out of range", tree(func(t *Tree) { t.ChildrenRight[0] = n0 + 5 }), "forest: tree 0: node 0: right child"},
		{"right child 2^31-1", tree(func(t *Tree) { t.ChildrenRight[0] = math.MaxInt32 }), "children must point forward"},
		{"right child a leaf marker", tree(func(t *Tree) { t.ChildrenRight[0] = Leaf }), "children must point forward"},
		{"left child out of range", tree(func(t *Tree) { t.ChildrenLeft[0] = n0 + 5 }), "forest: tree 0: node 0: left child"},
		{"left child Undefined", tree(func(t *Tree) { t.ChildrenLeft[0] = Undefined }), "forest: tree 0: node 0: left child"},
		{"cycle to the root", tree(func(t *Tree) { t.ChildrenRight[firstInternalAfterRoot] = 0 }), "forest: tree 0: node 1: right child 0"},
		{"child is itself", tree(func(t *Tree) { t.ChildrenRight[firstInternalAfterRoot] = 1 }), "children must point forward"},
		{"backward left child", tree(func(t *Tree) { t.ChildrenLeft[firstInternalAfterRoot] = 0 }), "forest: tree 0: node 1: left child 0"},
		{"right child inside the left subtree", tree(func(t *Tree) { t.ChildrenRight[0] = 2 }), "forest: tree 0: node 0: right child 2, want"},
		{"unreachable nodes", tree(func(t *Tree) {
			// The root made a leaf: every other node is an orphan.
			t.ChildrenLeft[0], t.ChildrenRight[0], t.Feature[0], t.Threshold[0] = Leaf, Leaf, Undefined, Undefined
		}), "forest: tree 0: nodes 1 to"},
		{"feature out of range", tree(func(t *Tree) { t.Feature[0] = 5 }), "forest: tree 0: node 0: split on feature 5 outside [0, 5)"},
		{"negative feature", tree(func(t *Tree) { t.Feature[0] = -7 }), "split on feature -7 outside [0, 5)"},
		{"internal node marked Undefined", tree(func(t *Tree) { t.Feature[0] = Undefined }), "split on feature -2"},
		{"leaf with a feature", tree(func(t *Tree) { t.Feature[firstLeaf] = 0 }), fmt.Sprintf("forest: tree 0: node %d: a leaf", firstLeaf)},
		{"leaf with a threshold", tree(func(t *Tree) { t.Threshold[firstLeaf] = 0.5 }), "a leaf"},
		{"leaf with a right child", tree(func(t *Tree) { t.ChildrenRight[firstLeaf] = n0 - 1 }), "a leaf"},
		{"NaN threshold", tree(func(t *Tree) { t.Threshold[0] = math.NaN() }), "node 0: threshold NaN"},
		{"infinite threshold", tree(func(t *Tree) { t.Threshold[0] = math.Inf(1) }), "node 0: threshold +Inf"},
		{"NaN impurity", tree(func(t *Tree) { t.Impurity[0] = math.NaN() }), "node 0: impurity NaN"},
		{"negative weighted samples", tree(func(t *Tree) { t.WeightedNodeSamples[0] = -1 }), "node 0: weighted samples -1"},
		{"infinite weighted samples", tree(func(t *Tree) { t.WeightedNodeSamples[0] = math.Inf(1) }), "weighted samples +Inf"},
		{"negative node samples", tree(func(t *Tree) { t.NodeSamples[0] = -1 }), "node 0: 18446744073709551615 samples"},
		{"negative value", tree(func(t *Tree) { t.Value[3*firstLeaf+1] = -0.5 }), fmt.Sprintf("node %d: value -0.5 for class 1", firstLeaf)},
		{"NaN value", tree(func(t *Tree) { t.Value[2] = math.NaN() }), "node 0: value NaN for class 2"},
		{"infinite value", tree(func(t *Tree) { t.Value[0] = math.Inf(1) }), "node 0: value +Inf for class 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := *base
			err := decodeNoPanic(t, &got, tc.data)
			if err == nil {
				t.Fatal("decoded without error")
			}
			if !strings.HasPrefix(tc.want, "forest: ") && !strings.Contains(err.Error(), tc.want) ||
				strings.HasPrefix(tc.want, "forest: ") && !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
			if diff := cmp.Diff(base, &got, sameForest); diff != "" {
				t.Fatalf("a failed decode changed the receiver:\n%s", diff)
			}
		})
	}
}

// decodeNoPanic is UnmarshalBinary with a panic turned into a test failure.
func decodeNoPanic(t testing.TB, f *Forest, data []byte) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("UnmarshalBinary panicked: %v", r)
		}
	}()
	return f.UnmarshalBinary(data)
}

// TestUnmarshalTruncated cuts a valid encoding at every length.
func TestUnmarshalTruncated(t *testing.T) {
	_, enc := corruptBase(t)
	var f Forest
	for n := 1; n < len(enc); n++ {
		err := decodeNoPanic(t, &f, enc[:n])
		want := fmt.Sprintf("forest: truncated at byte %d", n)
		if n >= lengthEnd { // the length field is whole
			want += fmt.Sprintf(", shorter than the %d bytes the header gives", len(enc))
		}
		if err == nil || err.Error() != want {
			t.Fatalf("cut at %d: error %v, want %q", n, err, want)
		}
	}
}

// TestUnmarshalFlipped flips bits of every byte of a valid encoding: past
// the length field the checksum must catch every one.
func TestUnmarshalFlipped(t *testing.T) {
	_, enc := corruptBase(t)
	var f Forest
	for i := range enc {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := slices.Clone(enc)
			b[i] ^= mask
			err := decodeNoPanic(t, &f, b)
			var want string
			switch {
			case i < 9:
				want = "forest: not a forest model"
			case i < 13:
				want = "forest: model format version"
			case i < 21:
				want = "forest: " // the length: truncated, too long or too short
			default:
				want = "forest: checksum mismatch: the file is corrupt"
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("byte %d ^ %#x: error %v, want %q", i, mask, err, want)
			}
		}
	}
}

// TestUnmarshalHostileCountsAllocateLittle checks that counts claiming
// more than the data holds are rejected before anything is allocated for
// them.
func TestUnmarshalHostileCountsAllocateLittle(t *testing.T) {
	_, enc := corruptBase(t)
	for _, off := range []int{29, 33} { // tree count, tree 0's node count
		b := slices.Clone(enc)
		binary.LittleEndian.PutUint32(b[off:], math.MaxUint32)
		b = reseal(b)
		var f Forest
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			if err := f.UnmarshalBinary(b); err == nil {
				t.Fatal("no error")
			}
		}
		runtime.ReadMemStats(&after)
		if perRun := (after.TotalAlloc - before.TotalAlloc) / 10; perRun > 64<<10 {
			t.Errorf("count at byte %d: %d bytes allocated per decode", off, perRun)
		}
	}
}

// TestMarshalRejects checks that MarshalBinary refuses forests it could
// not decode again.
func TestMarshalRejects(t *testing.T) {
	base, _ := corruptBase(t)
	broken := func(fn func(t *Tree)) *Forest {
		f := *base
		f.trees = slices.Clone(base.trees)
		f.trees[1] = cloneTree(base.trees[1])
		fn(f.trees[1])
		return &f
	}
	tests := []struct {
		name string
		f    *Forest
		want string
	}{
		{"nil", nil, "forest: cannot encode a nil forest"},
		{"zero value", &Forest{}, "forest: 0 classes"},
		{"no trees", &Forest{classes: 2, features: 3}, "forest: no trees"},
		{"nil tree", &Forest{classes: 2, features: 3, trees: []*Tree{nil}}, "forest: cannot encode: tree 0 is nil"},
		{"tree of other dimensions", &Forest{classes: 2, features: 5, trees: base.trees}, "forest: cannot encode: tree 0 has 3 classes"},
		{"feature out of range", broken(func(t *Tree) { t.Feature[0] = 99 }), "forest: cannot encode: tree 1: node 0: split on feature 99"},
		{"short Value", broken(func(t *Tree) { t.Value = t.Value[:len(t.Value)-1] }), "forest: cannot encode: tree 1: "},
		{"short Impurity", broken(func(t *Tree) { t.Impurity = t.Impurity[:1] }), "node arrays of different lengths"},
		{"no nodes", &Forest{classes: 2, features: 1, trees: []*Tree{{classes: 2, features: 1}}}, "forest: cannot encode: tree 0: no nodes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.f.MarshalBinary()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if b != nil {
				t.Error("bytes returned with the error")
			}
		})
	}
}

// fuzzSeeds are small valid encodings.
func fuzzSeeds(tb testing.TB) [][]byte {
	cases := []fitCase{
		{n: 40, d: 3, classes: 2, cfg: Config{Trees: 1, MaxFeatures: 3, MaxDepth: 2, MinSamplesSplit: 2, MinSamplesLeaf: 1}},
		{n: 80, d: 4, classes: 3, cfg: Config{Trees: 2, MaxFeatures: 2, MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1, ClassWeight: "balanced", Bootstrap: true}},
		{n: 30, d: 3, classes: 1, cfg: Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1}},
		{n: 60, d: 3, classes: 2, cfg: Config{Trees: 1, MaxFeatures: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1}},
	}
	var seeds [][]byte
	for i, c := range cases {
		f, _ := c.fit(uint64(i))
		enc, err := f.MarshalBinary()
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, enc)
	}
	return seeds
}

// FuzzUnmarshalBinary decodes arbitrary bytes, as given and with the
// length field and checksum rewritten to match (so the fuzzer reaches the
// checks past the checksum). Decoding must not panic; whatever it accepts
// must predict, export and encode back to exactly the bytes decoded.
func FuzzUnmarshalBinary(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte{})
	f.Add([]byte(formatMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data)
		if len(data) >= lengthEnd+trailer {
			checkDecoded(t, reseal(data))
		}
	})
}

func checkDecoded(t *testing.T, data []byte) {
	var f Forest
	if err := decodeNoPanic(t, &f, data); err != nil {
		if !strings.HasPrefix(err.Error(), "forest: ") {
			t.Fatalf("error %q without the package prefix", err)
		}
		return
	}
	enc, err := f.MarshalBinary()
	if err != nil {
		t.Fatalf("a decoded forest does not encode: %v", err)
	}
	if !bytes.Equal(enc, data) {
		t.Fatal("a decoded forest encodes to other bytes")
	}
	if f.Features() > 1<<10 {
		return // valid, but rows that wide would slow the fuzzer down
	}
	out := make([]float64, f.Classes())
	for _, v := range []float64{0, 1, -1, 1e300, math.Inf(-1), math.NaN()} {
		row := make([]float64, f.Features())
		for j := range row {
			row[j] = v
		}
		f.PredictProba(row, out)
		f.Predict(row)
	}
	f.Importances()
	for _, tr := range f.Trees() {
		ExportText(tr, nil, nil, 3)
	}
}

// benchForests100 are RF(100) forests on 20 features, each with its
// encoding: "notebook" fitted on the 5,005 training rows of 7,150 notebook
// flows (the case study's data, so easy that a tree has a handful of
// nodes), "noisy" on 5,000 rows of synthetic whose noisy labels grow trees
// of about a thousand nodes.
func benchForests100(b *testing.B) []struct {
	name string
	f    *Forest
	enc  []byte
} {
	data := notebook(b, 7_150)
	x, y := data.Rows(data.Train, data.IsAnomaly)
	cfg := DefaultConfig(data.D)
	cfg.Workers = 2
	notebookForest := Fit(x, data.D, y, 2, cfg, rand.New(rand.NewPCG(1, 0)))
	noisy, _ := fitCase{n: 5_000, d: 20, classes: 2, cfg: cfg}.fit(1)
	out := []struct {
		name string
		f    *Forest
		enc  []byte
	}{{name: "notebook", f: notebookForest}, {name: "noisy", f: noisy}}
	for i := range out {
		enc, err := out[i].f.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		out[i].enc = enc
	}
	return out
}

// BenchmarkUnmarshal100Trees decodes RF(100) fitted on about 5,000 rows of
// 20 features; "bytes" is the size of the encoding, "nodes" the forest's
// node count.
func BenchmarkUnmarshal100Trees(b *testing.B) {
	for _, c := range benchForests100(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.enc)))
			b.ReportAllocs()
			for b.Loop() {
				var f Forest
				if err := f.UnmarshalBinary(c.enc); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.enc)), "bytes")
			b.ReportMetric(float64(nodeCount(c.f)), "nodes")
		})
	}
}

// BenchmarkMarshal100Trees encodes the same forests.
func BenchmarkMarshal100Trees(b *testing.B) {
	for _, c := range benchForests100(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.f.MarshalBinary(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.enc)), "bytes")
		})
	}
}

func nodeCount(f *Forest) int {
	n := 0
	for _, t := range f.trees {
		n += t.NodeCount()
	}
	return n
}
