package ecod

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// near reports whether got is within rel of want, relatively (absolutely
// for want = 0).
func near(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*max(math.Abs(want), 1e-300)
}

type sums struct{ left, right, skew, score float64 }

// referenceCase is one matrix of scripts/reference/ecod_reference.py's
// hand values: the training rows and their sums, new rows and theirs.
type referenceCase struct {
	name       string
	d          int
	train      []float64
	skew       []float64
	trainSums  []sums
	newRows    []float64
	newSums    []sums
	thresholds map[float64]float64
}

var inf = math.Inf(1)

// referenceCases are the hand values printed by
// /usr/bin/python3 scripts/reference/ecod_reference.py (numpy 1.24.2,
// scipy 1.10.1): the paper's formulas by direct pairwise counting. By
// hand, for A's first row: column 0 holds 0 once among 5 (F_l = 1/5,
// F_r = 5/5), column 1 holds -8 once (likewise), column 2 is constant
// (F = 1 both ways), so left = 2 ln 5 = 3.2188758248682006, right = 0,
// and the skewness-corrected sum takes column 0's right tail (skew > 0)
// and column 1's left (skew < 0): ln 5.
var referenceCases = []referenceCase{
	{
		name: "A: skewed right and left with ties, a constant column",
		d:    3,
		train: []float64{
			0, -8, 3,
			1, 0, 3,
			1, 1, 3,
			2, 1, 3,
			10, 2, 3,
		},
		skew: []float64{1.3889087438578844, -1.388908743857884, 0},
		trainSums: []sums{
			{3.2188758248682006, 0.0, 1.6094379124341003, 3.2188758248682006},
			{1.4271163556401456, 0.4462871026284194, 1.1394342831883648, 1.4271163556401456},
			{0.7339691750802004, 0.7339691750802004, 0.4462871026284194, 0.7339691750802004},
			{0.4462871026284194, 1.4271163556401456, 1.1394342831883648, 1.4271163556401456},
			{0.0, 3.2188758248682006, 1.6094379124341003, 3.2188758248682006},
		},
		newRows: []float64{
			0, 1, 3,
			10, -8, 3,
			-1, 5, 2,
			1.5, 0.5, 3,
			inf, -inf, 3,
		},
		newSums: []sums{
			{1.2809338454620645, 0.40546510810816444, 0.1823215567939546, 1.2809338454620645},
			{1.0986122886681098, 1.0986122886681098, 2.1972245773362196, 2.1972245773362196},
			{3.58351893845611, 1.791759469228055, 0.0, 3.58351893845611},
			{1.0986122886681098, 1.0986122886681098, 1.3862943611198906, 1.3862943611198906},
			{1.791759469228055, 1.791759469228055, 3.58351893845611, 3.58351893845611},
		},
		thresholds: map[float64]float64{0.05: 3.2188758248682006, 0.1: 3.2188758248682006, 0.2: 3.2188758248682006},
	},
	{
		name: "B: a symmetric column (skewness 0: right tail), a column of ties",
		d:    2,
		train: []float64{
			1, 0,
			2, 0,
			3, 1,
			4, 1,
			5, 1,
		},
		skew: []float64{0, -0.4082482904638629},
		trainSums: []sums{
			{2.525728644308255, 0.0, 0.916290731874155, 2.525728644308255},
			{1.83258146374831, 0.2231435513142097, 1.1394342831883648, 1.83258146374831},
			{0.5108256237659907, 1.0216512475319814, 0.5108256237659907, 1.0216512475319814},
			{0.2231435513142097, 1.4271163556401456, 0.916290731874155, 1.4271163556401456},
			{0.0, 2.120263536200091, 1.6094379124341003, 2.120263536200091},
		},
		newRows: []float64{
			3, 0.5,
			6, 1,
			0, -1,
		},
		newSums: []sums{
			{1.0986122886681098, 0.8109302162163289, 1.0986122886681098, 1.0986122886681098},
			{0.0, 2.1972245773362196, 1.791759469228055, 2.1972245773362196},
			{3.58351893845611, 0.0, 1.791759469228055, 3.58351893845611},
		},
		thresholds: map[float64]float64{0.05: 2.444635622686622, 0.1: 2.3635426010649896, 0.2: 2.201356557821724},
	},
	{
		name:       "C: one training row",
		d:          2,
		train:      []float64{2.5, -1},
		skew:       []float64{0, 0},
		trainSums:  []sums{{0, 0, 0, 0}},
		newRows:    []float64{2.5, -1, 3, -2},
		newSums:    []sums{{0, 0, 0, 0}, {0.6931471805599453, 0.6931471805599453, 0.6931471805599453, 0.6931471805599453}},
		thresholds: map[float64]float64{0.05: 0, 0.1: 0, 0.2: 0},
	},
}

// TestReferenceValues: skewness, the three tail sums and the score of
// every training and new row, and the thresholds, match
// scripts/reference/ecod_reference.py's hand values to 1e-12 relative
// (the skewness's sign exactly).
func TestReferenceValues(t *testing.T) {
	const rel = 1e-12
	var worst float64
	defer func() { t.Logf("largest relative difference from the reference: %.3g", worst) }()
	for _, tc := range referenceCases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.train) / tc.d
			m, err := Fit(tc.train, n, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range tc.skew {
				if got := m.Skewness(j); !near(got, want, rel) || (got < 0) != (want < 0) {
					t.Errorf("Skewness(%d) = %v, want %v", j, got, want)
				}
			}
			check := func(what string, i int, gl, gr, gs, score float64, want sums) {
				t.Helper()
				for _, p := range [][2]float64{{gl, want.left}, {gr, want.right}, {gs, want.skew}, {score, want.score}} {
					if p[1] != 0 {
						worst = max(worst, math.Abs(p[0]-p[1])/p[1])
					} else if p[0] != 0 {
						worst = inf
					}
				}
				if !near(gl, want.left, rel) || !near(gr, want.right, rel) || !near(gs, want.skew, rel) || !near(score, want.score, rel) {
					t.Errorf("%s row %d: left %v right %v skew %v score %v, want %v", what, i, gl, gr, gs, score, want)
				}
			}
			for i, want := range tc.trainSums {
				l, r, s := m.sums(tc.train[i*tc.d:(i+1)*tc.d], m.trainTail)
				check("training", i, l, r, s, m.TrainingScores()[i], want)
			}
			scores := m.ScoreSamples(tc.newRows, 1)
			for i, want := range tc.newSums {
				row := tc.newRows[i*tc.d : (i+1)*tc.d]
				l, r, s := m.TailSums(row)
				check("new", i, l, r, s, scores[i], want)
				if one := m.Score(row); one != scores[i] {
					t.Errorf("Score(row %d) = %v, ScoreSamples %v", i, one, scores[i])
				}
			}
			for c, want := range tc.thresholds {
				got, err := m.Threshold(c)
				if err != nil || !near(got, want, rel) {
					t.Errorf("Threshold(%v) = %v, %v; want %v", c, got, err, want)
				}
			}
		})
	}
}

// bruteCounts counts #{<= v} and #{>= v} in col by comparing every value.
func bruteCounts(col []float64, v float64) (le, ge int32) {
	for _, c := range col {
		if c <= v {
			le++
		}
		if c >= v {
			ge++
		}
	}
	return le, ge
}

// TestCountsBrute: the binary search over distinct values counts as a
// comparison with every training value does, for training values, values
// between them, beyond both ends, ±0 and ±Inf, on columns with many ties.
func TestCountsBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 7, 64, 513} {
		const d = 3
		x := make([]float64, n*d)
		for i := range n {
			x[i*d] = float64(r.IntN(5))                   // heavy ties
			x[i*d+1] = math.Round(r.NormFloat64()*10) / 4 // some ties
			x[i*d+2] = r.NormFloat64()                    // none
		}
		if n > 1 {
			x[d] = math.Copysign(0, -1) // -0 ties with 0
		}
		m, err := Fit(x, n, d)
		if err != nil {
			t.Fatal(err)
		}
		for j := range d {
			col := make([]float64, n)
			for i := range n {
				col[i] = x[i*d+j]
			}
			probes := append([]float64{-inf, inf, 0, math.Copysign(0, -1), -100, 100}, col...)
			for _, v := range col {
				probes = append(probes, math.Nextafter(v, inf), math.Nextafter(v, -inf), v+0.125)
			}
			for _, v := range probes {
				le, ge := m.counts(j, v)
				wl, wg := bruteCounts(col, v)
				if le != wl || ge != wg {
					t.Fatalf("n=%d column %d value %v: counts %d, %d; want %d, %d", n, j, v, le, ge, wl, wg)
				}
			}
		}
	}
}

// TestWorkers: ScoreSamples does not depend on workers and equals Score
// row by row; a row's score does not depend on the rows scored with it.
func TestWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n, d = 2000, 5
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.ExpFloat64()
	}
	m, err := Fit(x, n, d)
	if err != nil {
		t.Fatal(err)
	}
	one := m.ScoreSamples(x, 1)
	for _, w := range []int{0, 2, 3, 16} {
		got := m.ScoreSamples(x, w)
		for i := range got {
			if got[i] != one[i] {
				t.Fatalf("workers %d row %d: %v, workers 1 %v", w, i, got[i], one[i])
			}
		}
	}
	tail := m.ScoreSamples(x[(n-3)*d:], 1)
	for i, s := range tail {
		if s != one[n-3+i] || m.Score(x[(n-3+i)*d:(n-2+i)*d]) != s {
			t.Fatalf("row %d scored in a batch of 3: %v, in the whole batch %v", n-3+i, s, one[n-3+i])
		}
	}
}

// TestNaNScore: a new row with a NaN scores NaN; CheckInput finds it.
func TestNaNScore(t *testing.T) {
	m, err := Fit([]float64{0, 1, 2, 3}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	row := []float64{1, math.NaN()}
	if s := m.ScoreSamples(row, 1)[0]; !math.IsNaN(s) {
		t.Errorf("score of a row with NaN = %v, want NaN", s)
	}
	var ie *InputError
	if err := CheckInput(row, 2, false); !errors.As(err, &ie) || ie.Column != 1 {
		t.Errorf("CheckInput: %v, want an *InputError at column 1", err)
	}
	if err := CheckInput([]float64{inf, -inf}, 2, false); err != nil {
		t.Errorf("CheckInput(±Inf, finite false): %v, want nil", err)
	}
}

// TestFitErrors: Fit returns errors, never panicking, for empty, ragged
// or non-finite input, and a threshold outside (0, 0.5] is an error.
func TestFitErrors(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5}
	for _, tt := range []struct {
		name     string
		x        []float64
		n, d     int
		want     string
		row, col int
		input    bool
	}{
		{name: "d=0", x: x, n: 6, want: "ecod: 0 features"},
		{name: "n=0", x: nil, n: 0, d: 2, want: "ecod: 0 rows"},
		{name: "empty", x: nil, n: 1, d: 2, want: "ecod: len(x) = 0, want n*d = 1*2"},
		{name: "ragged", x: x[:5], n: 3, d: 2, want: "ecod: len(x) = 5, want n*d = 3*2"},
		{name: "NaN", x: []float64{0, 1, math.NaN(), 3}, n: 2, d: 2,
			want: "ecod: x[2] (row 1, column 0) = NaN is not finite", row: 1, input: true},
		{name: "Inf", x: []float64{0, 1, 2, math.Inf(-1)}, n: 2, d: 2,
			want: "ecod: x[3] (row 1, column 1) = -Inf is not finite", row: 1, col: 1, input: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Fit(tt.x, tt.n, tt.d)
			if err == nil || m != nil || err.Error() != tt.want {
				t.Fatalf("Fit: %v, %v; want the error %q", m, err, tt.want)
			}
			var ie *InputError
			if errors.As(err, &ie) != tt.input {
				t.Fatalf("error %T, want an *InputError: %v", err, tt.input)
			}
			if ie != nil && (ie.Row != tt.row || ie.Column != tt.col) {
				t.Errorf("InputError at row %d, column %d, want %d, %d", ie.Row, ie.Column, tt.row, tt.col)
			}
		})
	}
	m, err := Fit(x, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []float64{0, -0.1, 0.51, math.NaN()} {
		if _, err := m.Threshold(c); !errors.Is(err, ErrContamination) {
			t.Errorf("Threshold(%v): %v, want ErrContamination", c, err)
		}
	}
	func() {
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), "not a multiple") {
				t.Errorf("ScoreSamples of a ragged matrix panicked with %v", p)
			}
		}()
		m.ScoreSamples(x[:3], 1)
	}()
}

// TestPercentile: numpy 1.24's np.percentile, method "linear", on values
// exact in float64: np.percentile([3.5, -1, 2, 2, 10, 0.25, -7.5], q) for
// q = 0, 25, 62.5, 95, 100 is -7.5, -0.375, 2.0, 8.049999999999995, 10.0
// (as internal/ml/iforest's TestPercentile, the same numpy).
func TestPercentile(t *testing.T) {
	v := []float64{3.5, -1, 2, 2, 10, 0.25, -7.5}
	for q, want := range map[float64]float64{0: -7.5, 25: -0.375, 62.5: 2.0, 95: 8.049999999999995, 100: 10} {
		if got := Percentile(v, q); !near(got, want, 1e-15) {
			t.Errorf("Percentile(%v) = %v, want %v", q, got, want)
		}
	}
}
