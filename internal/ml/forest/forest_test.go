package forest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/segharness/harness/internal/ml/mltest"
)

// column turns one-feature values into a row-major matrix.
func column(v ...float64) []float64 { return v }

// TestHandComputed checks trees whose splits can be worked out by hand on
// one feature (every tree: one tree, no bootstrap, the single feature
// scored at every node, so nothing is random). Gini of counts n_c over w
// rows is 1 - sum (n_c/w)^2; the proxy of a split is -w_R*gini_R - w_L*gini_L.
func TestHandComputed(t *testing.T) {
	tests := []struct {
		name      string
		x         []float64
		y         []int
		cfg       Config
		threshold []float64 // per node in depth-first order, Undefined for leaves
		impurity  []float64
		value     []float64 // weighted class counts, node after node
	}{
		{
			// 3 zeros then 3 ones: 3.5 leaves both sides pure.
			// Root gini 1 - (1/4 + 1/4) = 0.5; decrease 6*0.5 - 0 - 0.
			name: "clean split", x: column(1, 2, 3, 4, 5, 6), y: []int{0, 0, 0, 1, 1, 1},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			threshold: []float64{3.5, Undefined, Undefined},
			impurity:  []float64{0.5, 0, 0},
			value:     []float64{3, 3, 3, 0, 0, 3},
		},
		{
			// y = 0 0 1 0 1 1 1 0. At 2.5: left {0,0} pure, right 2 zeros 4
			// ones, gini 1 - (4+16)/36 = 4/9, proxy -6*4/9 = -2.67. At 7.5:
			// left 3 zeros 4 ones, gini 24/49, proxy -7*24/49 = -3.43. The
			// other boundaries are worse, so depth 1 stops at 2.5.
			name: "depth limited", x: column(1, 2, 3, 4, 5, 6, 7, 8), y: []int{0, 0, 1, 0, 1, 1, 1, 0},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MaxDepth: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			threshold: []float64{2.5, Undefined, Undefined},
			impurity:  []float64{0.5, 0, 4.0 / 9},
			value:     []float64{4, 4, 2, 0, 2, 4},
		},
		{
			// y = 0 1 1 1 0 0: the root splits at 4.5 (left 1 zero 3 ones,
			// right 2 zeros: proxy -4*0.375 = -1.5). Its left child would
			// split off the lone zero at 1.5, which leaves one row; with
			// MinSamplesLeaf 2 the only allowed boundary is 2.5.
			name: "min samples leaf forbids the best split", x: column(1, 2, 3, 4, 5, 6), y: []int{0, 1, 1, 1, 0, 0},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 2},
			threshold: []float64{4.5, 2.5, Undefined, Undefined, Undefined},
			impurity:  []float64{0.5, 0.375, 0.5, 0, 0},
			value:     []float64{3, 3, 1, 3, 1, 1, 0, 2, 2, 0},
		},
		{
			// MinSamplesLeaf 3 raises the rows needed to split to 6 > 4.
			name: "min samples leaf keeps a leaf", x: column(1, 2, 3, 4), y: []int{0, 0, 1, 1},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 3},
			threshold: []float64{Undefined},
			impurity:  []float64{0.5},
			value:     []float64{2, 2},
		},
		{
			// 7 zeros, 3 ones (rows 6, 9, 10). Unweighted the best depth-1
			// split is 8.5 (left 7 zeros 1 one). Balanced weights are
			// 10/(2*7) = 5/7 and 10/(2*3) = 5/3; at 5.5 the left is 5 zeros
			// (25/7) and the right 2 zeros (10/7) and 3 ones (5), proxy
			// -(45/7)*(1 - ((10/7)^2+25)/(45/7)^2) = -2.22, better than
			// 8.5's -3.33.
			name: "balanced class weights move the split", x: column(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), y: []int{0, 0, 0, 0, 0, 1, 0, 0, 1, 1},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MaxDepth: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1, ClassWeight: "balanced"},
			threshold: []float64{5.5, Undefined, Undefined},
			impurity:  []float64{0.5, 0, 1 - (100.0/49+25)/(45.0/7*45.0/7)},
			value:     []float64{5, 5, 25.0 / 7, 0, 10.0 / 7, 5},
		},
		{
			// y = 0 1 1 0: 1.5 and 3.5 both score -3*(4/9); the first wins.
			name: "ties: first best split wins", x: column(1, 2, 3, 4), y: []int{0, 1, 1, 0},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MaxDepth: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			threshold: []float64{1.5, Undefined, Undefined},
			impurity:  []float64{0.5, 0, 4.0 / 9},
			value:     []float64{2, 2, 1, 0, 1, 2},
		},
		{
			// 0.5 and its float32 successor 0.50000006 are within 1e-7: no
			// boundary between them. The threshold is halfway from that
			// successor to 1, in float64.
			name: "values within 1e-7 are equal", x: column(0.5, 0.50000006, 1), y: []int{0, 1, 1},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			threshold: []float64{float64(float32(0.50000006))/2 + 0.5, Undefined, Undefined},
			impurity:  []float64{4.0 / 9, 0.5, 0},
			value:     []float64{1, 2, 1, 1, 0, 1},
		},
		{
			// Three classes, one row each: the first split isolates class 0
			// (proxy -2*0.5 = -1 either way; 1.5 comes first).
			name: "three classes", x: column(1, 2, 3), y: []int{0, 1, 2},
			cfg:       Config{Trees: 1, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			threshold: []float64{1.5, Undefined, 2.5, Undefined, Undefined},
			impurity:  []float64{2.0 / 3, 0, 0.5, 0, 0},
			value:     []float64{1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1},
		},
	}
	approx := cmpopts.EquateApprox(1e-12, 1e-12)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			classes := slices.Max(tt.y) + 1
			tree := Fit(tt.x, 1, tt.y, classes, tt.cfg, rand.New(rand.NewPCG(1, 1))).Trees()[0]
			if diff := cmp.Diff(tt.threshold, tree.Threshold); diff != "" {
				t.Errorf("Threshold mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.impurity, tree.Impurity, approx); diff != "" {
				t.Errorf("Impurity mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.value, tree.Value, approx); diff != "" {
				t.Errorf("Value mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportancesHand checks the Gini decrease of the clean split: root
// weight 6 and gini 0.5, pure children: (6*0.5 - 0 - 0)/6 = 0.5 before
// normalisation, 1 after; a second, unused feature gets 0.
func TestImportancesHand(t *testing.T) {
	x := []float64{1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6, 9}
	f := Fit(x, 2, []int{0, 0, 0, 1, 1, 1}, 2, Config{Trees: 3, MaxFeatures: 2, MinSamplesSplit: 2, MinSamplesLeaf: 1}, rand.New(rand.NewPCG(3, 3)))
	if diff := cmp.Diff([]float64{1, 0}, f.Importances(), cmpopts.EquateApprox(0, 1e-15)); diff != "" {
		t.Errorf("Importances() mismatch (-want +got):\n%s", diff)
	}
	tree := f.Trees()[0]
	decrease := tree.WeightedNodeSamples[0]*tree.Impurity[0] - tree.WeightedNodeSamples[1]*tree.Impurity[1] - tree.WeightedNodeSamples[2]*tree.Impurity[2]
	if math.Abs(decrease/tree.WeightedNodeSamples[0]-0.5) > 1e-15 {
		t.Errorf("root Gini decrease / root weight = %v, want 0.5", decrease/tree.WeightedNodeSamples[0])
	}
	// A forest of single leaves has no importances.
	leaves := Fit(x, 2, []int{1, 1, 1, 1, 1, 1}, 2, Config{Trees: 2, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}, rand.New(rand.NewPCG(3, 3)))
	if diff := cmp.Diff([]float64{0, 0}, leaves.Importances()); diff != "" {
		t.Errorf("Importances() of single leaves mismatch (-want +got):\n%s", diff)
	}
}

func TestMaxFeaturesFor(t *testing.T) {
	// scikit-learn 1.2.1's _BaseForest/_BaseDecisionTree rules.
	tests := []struct {
		spec    string
		d       int
		want    int
		wantErr bool
	}{
		{"sqrt", 20, 4, false},
		{"auto", 20, 4, false},
		{"", 20, 4, false},
		{"sqrt", 1, 1, false},
		{"sqrt", 3, 1, false},
		{"log2", 20, 4, false},
		{"log2", 16, 4, false},
		{"log2", 1, 1, false},
		{"all", 20, 20, false},
		{"None", 7, 7, false},
		{"5", 20, 5, false},
		{"20", 20, 20, false},
		{"21", 20, 0, true},
		{"0", 20, 0, true},
		{"0.3", 20, 6, false},
		{"0.01", 20, 1, false},
		{"1.0", 20, 20, false},
		{"1.5", 20, 0, true},
		{"-0.5", 20, 0, true},
		{"many", 20, 0, true},
		{"sqrt", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.spec, tt.d), func(t *testing.T) {
			got, err := MaxFeaturesFor(tt.spec, tt.d)
			if (err != nil) != tt.wantErr {
				t.Fatalf("MaxFeaturesFor(%q, %d) error = %v, want error %v", tt.spec, tt.d, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("MaxFeaturesFor(%q, %d) = %d, want %d", tt.spec, tt.d, got, tt.want)
			}
		})
	}
}

func TestMisusePanics(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []int{0, 1, 0, 1}
	good := Config{Trees: 2, MaxFeatures: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1}
	r := rand.New(rand.NewPCG(1, 1))
	f := Fit(x, 1, y, 2, good, r)
	with := func(edit func(*Config)) Config { c := good; edit(&c); return c }
	tests := []struct {
		name string
		call func()
	}{
		{"x and y lengths", func() { Fit(x, 1, y[:3], 2, good, r) }},
		{"no rows", func() { Fit(nil, 1, nil, 2, good, r) }},
		{"zero features", func() { Fit(x, 0, y, 2, good, r) }},
		{"label out of range", func() { Fit(x, 1, []int{0, 1, 2, 0}, 2, good, r) }},
		{"negative label", func() { Fit(x, 1, []int{0, -1, 1, 0}, 2, good, r) }},
		{"NaN", func() { Fit([]float64{1, math.NaN(), 3, 4}, 1, y, 2, good, r) }},
		{"too large for float32", func() { Fit([]float64{1, 1e39, 3, 4}, 1, y, 2, good, r) }},
		{"nil random source", func() { Fit(x, 1, y, 2, good, nil) }},
		{"no trees", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.Trees = 0 }), r) }},
		{"max features 0", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.MaxFeatures = 0 }), r) }},
		{"max features > d", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.MaxFeatures = 2 }), r) }},
		{"negative depth", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.MaxDepth = -1 }), r) }},
		{"min samples split 1", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.MinSamplesSplit = 1 }), r) }},
		{"min samples leaf 0", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.MinSamplesLeaf = 0 }), r) }},
		{"class weight", func() { Fit(x, 1, y, 2, with(func(c *Config) { c.ClassWeight = "balanced_subsample" }), r) }},
		{"predict row length", func() { f.PredictProba([]float64{1, 2}, make([]float64, 2)) }},
		{"predict out length", func() { f.PredictProba([]float64{1}, make([]float64, 3)) }},
		{"predict all ragged", func() {
			Fit(x, 2, y[:2], 2, with(func(c *Config) { c.MaxFeatures = 2 }), r).PredictProbaAll([]float64{1, 2, 3}, 1)
		}},
		{"export depth", func() { ExportText(f.Trees()[0], nil, nil, -1) }},
		{"export feature names", func() { ExportText(f.Trees()[0], []string{"a", "b"}, nil, 3) }},
		{"export class names", func() { ExportText(f.Trees()[0], nil, []string{"a"}, 3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg := fmt.Sprint(r); !strings.HasPrefix(msg, "forest: ") {
					t.Errorf("panic %q does not start with \"forest: \"", msg)
				}
			}()
			tt.call()
		})
	}
}

// parityCache holds the case study's own flows, loaded once for the tests.
var parityCache struct {
	sync.Mutex
	data *mltest.Data
}

func parity(t *testing.T) *mltest.Data {
	t.Helper()
	parityCache.Lock()
	defer parityCache.Unlock()
	if parityCache.data == nil {
		parityCache.data = mltest.Parity(t, 42)
	}
	return parityCache.data
}

// TestProperties checks, on the case study's flows, what any forest must
// satisfy: probabilities in [0, 1] summing to 1, importances >= 0 summing
// to 1, and the same forest for the same seed whatever the workers.
func TestProperties(t *testing.T) {
	data := parity(t)
	xTrain, yTrain := data.Rows(data.Train, data.IsAnomaly)
	xTest, _ := data.Rows(data.Test, data.IsAnomaly)
	cfg := DefaultConfig(data.D)
	cfg.Trees = 30
	fit := func(workers int, seed uint64) *Forest {
		c := cfg
		c.Workers = workers
		return Fit(xTrain, data.D, yTrain, 2, c, rand.New(rand.NewPCG(seed, 7)))
	}
	f := fit(1, 1)

	proba := f.PredictProbaAll(xTest, 1)
	for i := range len(proba) / 2 {
		p := proba[2*i : 2*i+2]
		if p[0] < 0 || p[1] < 0 || math.Abs(p[0]+p[1]-1) > 1e-12 {
			t.Fatalf("row %d: probabilities %v", i, p)
		}
	}
	imp := f.Importances()
	sum := 0.0
	for _, v := range imp {
		if v < 0 {
			t.Fatalf("negative importance in %v", imp)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("importances sum to %v", sum)
	}

	same := cmp.AllowUnexported(Forest{}, Tree{}, predictNode{})
	if diff := cmp.Diff(f, fit(1, 1), same); diff != "" {
		t.Errorf("same seed twice: forests differ:\n%s", diff)
	}
	if diff := cmp.Diff(f, fit(4, 1), same); diff != "" {
		t.Errorf("Workers 1 and 4: forests differ:\n%s", diff)
	}
	if cmp.Equal(f, fit(1, 2), same) {
		t.Error("seeds 1 and 2 grew the same forest")
	}
	if diff := cmp.Diff(proba, f.PredictProbaAll(xTest, 3)); diff != "" {
		t.Errorf("PredictProbaAll workers 1 and 3 differ:\n%s", diff)
	}
	one := make([]float64, 2)
	for i := range len(xTest) / data.D {
		f.PredictProba(xTest[i*data.D:(i+1)*data.D], one)
		if one[0] != proba[2*i] || one[1] != proba[2*i+1] {
			t.Fatalf("row %d: PredictProba %v, PredictProbaAll %v", i, one, proba[2*i:2*i+2])
		}
	}
}

// TestScanAndSortAgree grows the same forest with every node read from the
// global column order and with every node sorted: the two ways of ordering
// a node's rows must give identical trees.
func TestScanAndSortAgree(t *testing.T) {
	data := parity(t)
	xTrain, yTrain := data.Rows(data.Train, data.AnomalyType)
	p := validate(Config{Trees: 1, MaxFeatures: 4, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true, ClassWeight: "balanced"}, data.D)
	prepared := prepare(xTrain, len(yTrain), data.D, yTrain, 3)
	prepared.classWeight = balancedWeights(yTrain, 3)
	same := cmp.AllowUnexported(Tree{}, predictNode{})
	for seed := range uint64(10) {
		scan := newBuilder(prepared, p)
		scan.scanFactor = 0
		sorted := newBuilder(prepared, p)
		sorted.scanFactor = math.MaxInt / (2 * prepared.n)
		a := scan.grow(rand.NewPCG(seed, 0), nil)
		b := sorted.grow(rand.NewPCG(seed, 0), nil)
		if diff := cmp.Diff(a, b, same); diff != "" {
			t.Fatalf("seed %d: scanned and sorted trees differ:\n%s", seed, diff)
		}
	}
}

// TestPureShortcut grows balanced 3-class trees, whose pure nodes are
// often split (see builder.nodeReset), with and without pureFeature's
// shortcut: the trees must be identical.
func TestPureShortcut(t *testing.T) {
	data := parity(t)
	xTrain, yTrain := data.Rows(data.Train, data.AnomalyType)
	p := validate(Config{Trees: 1, MaxFeatures: 4, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true, ClassWeight: "balanced"}, data.D)
	prepared := prepare(xTrain, len(yTrain), data.D, yTrain, 3)
	prepared.classWeight = balancedWeights(yTrain, 3)
	same := cmp.AllowUnexported(Tree{}, predictNode{})
	pureSplits := 0
	for seed := range uint64(10) {
		fast := newBuilder(prepared, p)
		full := newBuilder(prepared, p)
		full.pureShortcut = false
		a := fast.grow(rand.NewPCG(seed, 0), nil)
		b := full.grow(rand.NewPCG(seed, 0), nil)
		if diff := cmp.Diff(b, a, same); diff != "" {
			t.Fatalf("seed %d: trees with and without the shortcut differ (-without +with):\n%s", seed, diff)
		}
		for i, left := range a.ChildrenLeft {
			if left != Leaf && isPure(a.Value[i*3:(i+1)*3]) {
				pureSplits++
			}
		}
	}
	if pureSplits == 0 {
		t.Error("no pure node was split; the test exercises nothing")
	}
}

// TestFilterIsExact grows trees with and without the division-free filter
// of candidates (builder.improvementBar): the trees must be identical, for
// two classes without weights and three with balanced weights.
func TestFilterIsExact(t *testing.T) {
	data := parity(t)
	same := cmp.AllowUnexported(Tree{}, predictNode{})
	for _, tt := range []struct {
		name        string
		labels      []int
		classes     int
		classWeight string
	}{
		{"anomaly", data.IsAnomaly, 2, ""},
		{"attack type balanced", data.AnomalyType, 3, "balanced"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			xTrain, yTrain := data.Rows(data.Train, tt.labels)
			p := validate(Config{Trees: 1, MaxFeatures: 4, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true, ClassWeight: tt.classWeight}, data.D)
			prepared := prepare(xTrain, len(yTrain), data.D, yTrain, tt.classes)
			if p.balanced {
				prepared.classWeight = balancedWeights(yTrain, tt.classes)
			}
			for seed := range uint64(20) {
				filtered := newBuilder(prepared, p)
				exact := newBuilder(prepared, p)
				exact.noFilter = true
				a := filtered.grow(rand.NewPCG(seed, 1), nil)
				b := exact.grow(rand.NewPCG(seed, 1), nil)
				if diff := cmp.Diff(b, a, same); diff != "" {
					t.Fatalf("seed %d: trees with and without the filter differ (-without +with):\n%s", seed, diff)
				}
			}
		})
	}
}

// detection returns the detection rate (recall of class 1) and the false
// positive rate of predictions on labels.
func detection(pred, labels []int) (rate, fpr float64) {
	var tp, fn, fp, tn int
	for i, p := range pred {
		switch {
		case labels[i] == 1 && p == 1:
			tp++
		case labels[i] == 1:
			fn++
		case p == 1:
			fp++
		default:
			tn++
		}
	}
	return float64(tp) / float64(tp+fn), float64(fp) / float64(fp+tn)
}

// parityReference is scikit-learn 1.2.1's spread over 20 random states on
// the case study's flows (testdata/sklearn-reference.json, computed by
// scripts/reference/forest_reference.py).
type parityReference struct {
	RandomStates     int       `json:"random_states"`
	Features         []string  `json:"features"`
	DetectionRate    []float64 `json:"detection_rate"`
	FalsePositive    []float64 `json:"false_positive_rate"`
	ImportanceMean   []float64 `json:"importance_mean"`
	ImportanceSD     []float64 `json:"importance_sd"`
	Top3             []string  `json:"top3"`
	Ranks45          []string  `json:"ranks_4_5"`
	NodesPerTree     float64   `json:"nodes_per_tree_mean"`
	DepthPerTree     float64   `json:"depth_per_tree_mean"`
	BalancedAccuracy []float64 `json:"balanced_3class_accuracy"`
	BalancedNodes    float64   `json:"balanced_nodes_per_tree_mean"`
	BalancedPure     float64   `json:"balanced_pure_split_fraction"`
}

func loadParityReference(t *testing.T) parityReference {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn-reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Parity parityReference `json:"parity"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Parity
}

// byImportance returns the feature names from most to least important.
func byImportance(names []string, imp []float64) []string {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return imp[idx[a]] > imp[idx[b]] })
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = names[j]
	}
	return out
}

// TestParity reproduces the case study's random forests on its own flows.
// scikit-learn 1.2.1 on the same data (../shared/parity/README.md): RF(100)
// detection rate 1.000 and false positive rate 0.000 on every one of 20
// random states; top features many_ports, ports_contacted, risk_score in
// some order, then two of cpu_usage, duration, high_cpu, log_duration,
// long_duration (the README's random_state=42 run: high_cpu, cpu_usage);
// RF(150, balanced) 3-class accuracy 1.000 (testdata/sklearn-reference.json,
// computed by scikit-learn 1.2.1, scripts/reference/forest_reference.py).
// Random streams differ, so the importances are compared as distributions:
// over 10 seeds our mean importance of each feature must lie within 3
// standard errors of scikit-learn's mean over its 20 random states; and
// tree sizes, which also depend on the training rows (ours come from
// mltest's split, scikit-learn's from its own), within 10%.
func TestParity(t *testing.T) {
	data := parity(t)
	ref := loadParityReference(t)
	if diff := cmp.Diff(ref.Features, data.Names); diff != "" {
		t.Fatalf("feature names mismatch (-scikit-learn +mltest):\n%s", diff)
	}
	predict := func(f *Forest, x []float64) []int {
		pred := make([]int, len(x)/data.D)
		for i := range pred {
			pred[i] = f.Predict(x[i*data.D : (i+1)*data.D])
		}
		return pred
	}
	t.Run("RF(100) anomaly detection", func(t *testing.T) {
		xTrain, yTrain := data.Rows(data.Train, data.IsAnomaly)
		xTest, yTest := data.Rows(data.Test, data.IsAnomaly)
		cfg := DefaultConfig(data.D)
		cfg.Workers = 2
		const seeds = 10
		sum := make([]float64, data.D)
		sumSq := make([]float64, data.D)
		nodes, depth, trees := 0, 0, 0
		for seed := range uint64(seeds) {
			f := Fit(xTrain, data.D, yTrain, 2, cfg, rand.New(rand.NewPCG(42, seed)))
			rate, fpr := detection(predict(f, xTest), yTest)
			if rate != 1 || fpr != 0 {
				t.Errorf("seed %d: detection rate %.4f, false positive rate %.4f; scikit-learn 1.000, 0.000", seed, rate, fpr)
			}
			imp := f.Importances()
			order := byImportance(data.Names, imp)
			if diff := cmp.Diff(ref.Top3, slices.Sorted(slices.Values(order[:3]))); diff != "" {
				t.Errorf("seed %d: top three features mismatch (-scikit-learn +ours):\n%s", seed, diff)
			}
			for _, name := range order[3:5] {
				if !slices.Contains(ref.Ranks45, name) {
					t.Errorf("seed %d: %s ranks %d; scikit-learn ranks 4 and 5 are among %v", seed, name, slices.Index(order, name)+1, ref.Ranks45)
				}
			}
			if seed == 0 {
				for _, name := range order[:5] {
					t.Logf("seed 0: %-16s %.3f", name, imp[slices.Index(data.Names, name)])
				}
			}
			for j, v := range imp {
				sum[j] += v
				sumSq[j] += v * v
			}
			for _, tree := range f.Trees() {
				nodes += tree.NodeCount()
				depth += tree.MaxDepth
				trees++
			}
		}
		worst, worstName := 0.0, ""
		for j, name := range data.Names {
			mean := sum[j] / seeds
			sd := math.Sqrt(max(0, (sumSq[j]-seeds*mean*mean)/(seeds-1)))
			se := math.Sqrt(sd*sd/seeds + ref.ImportanceSD[j]*ref.ImportanceSD[j]/float64(ref.RandomStates))
			diff := math.Abs(mean - ref.ImportanceMean[j])
			if diff > 3*se+1e-3 {
				t.Errorf("%s: mean importance %.4f (sd %.4f), scikit-learn %.4f (sd %.4f)", name, mean, sd, ref.ImportanceMean[j], ref.ImportanceSD[j])
			}
			if z := diff / se; z > worst {
				worst, worstName = z, name
			}
		}
		t.Logf("largest importance difference: %s, %.2f standard errors", worstName, worst)
		// Trees hold a handful of nodes; their mean size over 1,000 trees
		// is known to a few per cent.
		meanNodes, meanDepth := float64(nodes)/float64(trees), float64(depth)/float64(trees)
		t.Logf("nodes per tree %.3f (scikit-learn %.3f), depth %.3f (%.3f)", meanNodes, ref.NodesPerTree, meanDepth, ref.DepthPerTree)
		if math.Abs(meanNodes/ref.NodesPerTree-1) > 0.1 || math.Abs(meanDepth/ref.DepthPerTree-1) > 0.1 {
			t.Errorf("nodes per tree %.3f and depth %.3f; scikit-learn %.3f and %.3f", meanNodes, meanDepth, ref.NodesPerTree, ref.DepthPerTree)
		}
	})
	// With fractional class weights scikit-learn splits some pure nodes
	// (see builder.nodeReset): a fifth to a quarter of the balanced
	// forest's splits, depending on the training rows. The builder must
	// do so at a like rate, and grow trees of like size.
	t.Run("RF(150, balanced) attack type", func(t *testing.T) {
		xTrain, yTrain := data.Rows(data.Train, data.AnomalyType)
		xTest, yTest := data.Rows(data.Test, data.AnomalyType)
		cfg := DefaultConfig(data.D)
		cfg.Trees = 150
		cfg.ClassWeight = "balanced"
		cfg.Workers = 2
		k := len(data.TypeNames)
		nodes, trees, internal, pure := 0, 0, 0, 0
		for seed := range uint64(3) {
			f := Fit(xTrain, data.D, yTrain, k, cfg, rand.New(rand.NewPCG(42, seed)))
			correct := 0
			for i, p := range predict(f, xTest) {
				if p == yTest[i] {
					correct++
				}
			}
			if acc := float64(correct) / float64(len(yTest)); acc != 1 {
				t.Errorf("seed %d: accuracy %.4f; scikit-learn 1.000", seed, acc)
			}
			for _, tree := range f.Trees() {
				nodes += tree.NodeCount()
				trees++
				for i, left := range tree.ChildrenLeft {
					if left != Leaf {
						internal++
						if isPure(tree.Value[i*k : (i+1)*k]) {
							pure++
						}
					}
				}
			}
		}
		meanNodes, pureShare := float64(nodes)/float64(trees), float64(pure)/float64(internal)
		t.Logf("nodes per tree %.3f (scikit-learn %.3f), pure splits %.3f (%.3f)", meanNodes, ref.BalancedNodes, pureShare, ref.BalancedPure)
		if math.Abs(meanNodes/ref.BalancedNodes-1) > 0.1 {
			t.Errorf("nodes per tree %.3f; scikit-learn %.3f", meanNodes, ref.BalancedNodes)
		}
		if pureShare < ref.BalancedPure/2 || pureShare > ref.BalancedPure*1.5 {
			t.Errorf("share of splits on pure nodes %.3f; scikit-learn %.3f", pureShare, ref.BalancedPure)
		}
	})
}

// TestPredictProbaDoesNotAllocate guards the single-flow scoring path.
func TestPredictProbaDoesNotAllocate(t *testing.T) {
	data := parity(t)
	xTrain, yTrain := data.Rows(data.Train, data.IsAnomaly)
	cfg := DefaultConfig(data.D)
	cfg.Trees = 10
	f := Fit(xTrain, data.D, yTrain, 2, cfg, rand.New(rand.NewPCG(1, 1)))
	row, out := xTrain[:data.D], make([]float64, 2)
	if n := testing.AllocsPerRun(100, func() { f.PredictProba(row, out) }); n != 0 {
		t.Errorf("PredictProba allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { f.Predict(row) }); n != 0 {
		t.Errorf("Predict allocates %v times per call", n)
	}
}
