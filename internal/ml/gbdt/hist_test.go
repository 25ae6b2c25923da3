package gbdt

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHistKernels checks that histRows (the assembly kernel where there is
// one) sums every bin as histRowsGo does, bit for bit, over rows in any
// order, skewed and spread bins, missing values and any number of rows.
func TestHistKernels(t *testing.T) {
	t.Logf("assembly kernel: %v", useAVX)
	r := rand.New(rand.NewPCG(4, 4))
	const n, d = 1000, 7
	nonMissing := []int{1, 2, 5, 255, 40, 3, 200}
	bins := make([]uint8, n*d)
	for f := range d {
		for i := range n {
			v := uint8(r.IntN(nonMissing[f]))
			if f == 4 && r.IntN(10) > 0 {
				v = 0 // mostly one bin
			}
			if f >= 5 && r.IntN(7) == 0 {
				v = 255 // missing
			}
			bins[f*n+i] = v
		}
	}
	tm := newTeam(2)
	defer tm.close()
	td := newTrainData(bins, n, d, nonMissing, 255, tm)
	if !td.hasMissing[5] || !td.hasMissing[6] || td.hasMissing[0] {
		t.Fatalf("hasMissing %v", td.hasMissing)
	}
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-6))), float32(r.Float64())}
	}
	for nrefs := 1; nrefs <= len(td.splittable); nrefs++ { // odd and even counts
		histKernelCase(t, td, gp, td.splittable[len(td.splittable)-nrefs:], r)
	}
}

func histKernelCase(t *testing.T, td *trainData, gp []gpair, refs []featRef, r *rand.Rand) {
	n, d := td.n, td.d
	for _, rows := range []int{0, 1, 3, 4, 5, 17, 400, n} {
		idx := make([]uint32, rows)
		for k := range idx {
			idx[k] = uint32(r.IntN(n))
		}
		if rows == n {
			for k := range idx {
				idx[k] = uint32(k)
			}
		}
		got, want := newHist(td.histLen), newHist(td.histLen)
		for rep := 0; rep < 2; rep++ { // the second pass adds to the first's sums
			td.histRows(got, refs, idx, gp)
			histRowsGo(want, refs, td.rowBins, d, idx, gp)
		}
		for _, fr := range refs {
			f := int(fr.col)
			g, w := td.feature(got, f), td.feature(want, f)
			var c float64
			for b := range w {
				if math.Float64bits(g[b].g) != math.Float64bits(w[b].g) || math.Float64bits(g[b].h) != math.Float64bits(w[b].h) || g[b].c != w[b].c {
					t.Fatalf("%d features, %d rows, feature %d bin %d: %+v, want %+v", len(refs), rows, f, b, g[b], w[b])
				}
				c += w[b].c
			}
			if c != float64(2*rows) {
				t.Fatalf("%d rows, feature %d: %v rows counted", rows, f, c)
			}
		}
	}
}

// TestBinIndexSearch compares binIndex and keyIndex with a linear count of
// the thresholds below each value, on thresholds with repeats, -0 and 0.
func TestBinIndexSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 100, 127, 128, 254} {
		thr := make([]float64, n)
		for i := range thr {
			thr[i] = float64(r.IntN(50) - 25)
			if thr[i] == 0 && r.IntN(2) == 0 {
				thr[i] = math.Copysign(0, -1)
			}
		}
		slices.Sort(thr)
		for range 2000 {
			v := float64(r.IntN(54)-27) + []float64{0, 0.5, -0.5}[r.IntN(3)]
			if v == 0 && r.IntN(2) == 0 {
				v = math.Copysign(0, -1)
			}
			want := 0
			for _, x := range thr {
				if x < v {
					want++
				}
			}
			if got := binIndex(v, thr, 255); int(got) != want {
				t.Fatalf("binIndex(%v, %v) = %d, want %d", v, thr, got, want)
			}
			if got := keyIndex(orderKey(v), keyTable(thr)); int(got) != want {
				t.Fatalf("keyIndex(%v, %v) = %d, want %d", v, thr, got, want)
			}
		}
		if got := binIndex(math.NaN(), thr, 255); got != 255 {
			t.Fatalf("NaN in bin %d", got)
		}
	}
}

// TestSortFloats compares sortFloats with slices.Sort, bit for bit, on
// columns with repeats, negatives, infinities and extremes, and checks a
// column with -0 still sorts.
func TestSortFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var scratch []uint64
	for _, n := range []int{0, 1, 511, 512, 513, 5000, 100_000} {
		for _, kind := range []string{"normal", "few", "wide", "negzero"} {
			col := make([]float64, n)
			for i := range col {
				switch kind {
				case "normal":
					col[i] = r.NormFloat64()
				case "few":
					col[i] = float64(r.IntN(600)) - 300
				case "wide":
					col[i] = []float64{math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, 5e-324, -5e-324, 0, 1e300}[r.IntN(8)] * float64(1+r.IntN(2))
				case "negzero":
					col[i] = float64(r.IntN(5) - 2)
					if col[i] == 0 && r.IntN(2) == 0 {
						col[i] = math.Copysign(0, -1)
					}
				}
			}
			want := slices.Clone(col)
			slices.Sort(want)
			sortFloats(col, &scratch)
			for i := range col {
				if math.Float64bits(col[i]) != math.Float64bits(want[i]) && !(kind == "negzero" && col[i] == 0 && want[i] == 0) {
					t.Fatalf("%s n %d: at %d %v, want %v", kind, n, i, col[i], want[i])
				}
			}
		}
	}
}
