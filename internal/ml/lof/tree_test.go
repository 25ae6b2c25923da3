package lof

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteNeighbours is the test oracle: every query row's squared distance
// to every training row (sqDist, as the tree computes it), sorted by
// distance then training index, the first k kept (the query's own row
// left out when self is given, self[r] >= 0).
func bruteNeighbours(train []float64, q []float64, d, k int, self []int) (dist [][]float64, idx [][]int32) {
	n := len(train) / d
	for r := range len(q) / d {
		type nb struct {
			d float64
			i int32
		}
		var all []nb
		for j := range n {
			if self != nil && self[r] == j {
				continue
			}
			all = append(all, nb{sqDist(q[r*d:(r+1)*d], train[j*d:(j+1)*d]), int32(j)})
		}
		slices.SortFunc(all, func(a, b nb) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i)) })
		var ds []float64
		var is []int32
		for _, e := range all[:k] {
			ds = append(ds, math.Sqrt(e.d))
			is = append(is, e.i)
		}
		dist, idx = append(dist, ds), append(idx, is)
	}
	return dist, idx
}

// oracleScores computes the training scores and the new rows' scores
// from the oracle's neighbours by the package doc's formulas.
func oracleScores(train, q []float64, d, k int) (trainScores, scores []float64) {
	n := len(train) / d
	self := make([]int, n)
	for i := range self {
		self[i] = i
	}
	td, ti := bruteNeighbours(train, train, d, k, self)
	kdist := make([]float64, n)
	for i := range n {
		kdist[i] = td[i][k-1]
	}
	lrd := func(ds []float64, is []int32) float64 {
		s := 0.0
		for j, o := range is {
			s += max(ds[j], kdist[o])
		}
		return 1 / (s/float64(k) + 1e-10)
	}
	lrdTrain := make([]float64, n)
	for i := range n {
		lrdTrain[i] = lrd(td[i], ti[i])
	}
	score := func(l float64, is []int32) float64 {
		s := 0.0
		for _, o := range is {
			s += lrdTrain[o] / l
		}
		return -(s / float64(k))
	}
	for i := range n {
		trainScores = append(trainScores, score(lrdTrain[i], ti[i]))
	}
	qd, qi := bruteNeighbours(train, q, d, k, nil)
	for r := range qd {
		scores = append(scores, score(lrd(qd[r], qi[r]), qi[r]))
	}
	return trainScores, scores
}

// TestTreeMatchesBruteForce: the tree search finds exactly the
// neighbours (training indices and distances) of a brute-force sort by
// (squared distance, index), for the training rows (themselves left out)
// and for new rows, and the scores follow bit for bit, on random data of
// several sizes and dimensions: continuous (no ties), small integers
// (many exact ties and duplicates, the tie rule decides) and continuous
// rows each repeated (duplicates at distance 0), with 1 and 3 workers,
// and new rows scored together and one at a time.
func TestTreeMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 19))
	gen := map[string]func(n, d int) []float64{
		"normal": func(n, d int) []float64 {
			x := make([]float64, n*d)
			for i := range x {
				x[i] = r.NormFloat64()
				if i%d == 0 {
					x[i] *= 30 // one wide column
				}
			}
			return x
		},
		"integers": func(n, d int) []float64 {
			x := make([]float64, n*d)
			for i := range x {
				x[i] = float64(r.IntN(4))
			}
			return x
		},
		"duplicates": func(n, d int) []float64 {
			x := make([]float64, n*d)
			for i := 0; i < n; i++ {
				if i > 0 && r.IntN(3) > 0 {
					j := r.IntN(i)
					copy(x[i*d:(i+1)*d], x[j*d:(j+1)*d])
					continue
				}
				for c := range d {
					x[i*d+c] = r.NormFloat64()
				}
			}
			return x
		},
	}
	for _, kind := range []string{"normal", "integers", "duplicates"} {
		for _, size := range []struct{ n, d, k int }{{2, 1, 1}, {5, 2, 3}, {9, 3, 20}, {40, 7, 5}, {300, 2, 20}, {700, 20, 20}, {1500, 5, 10}, {1000, 23, 7}} {
			t.Run(fmt.Sprintf("%s/n%d/d%d/k%d", kind, size.n, size.d, size.k), func(t *testing.T) {
				n, d := size.n, size.d
				x := gen[kind](n, d)
				q := gen[kind](50, d)
				copy(q, x[:min(10, n)*d]) // some new rows equal to training rows
				k := max(1, min(size.k, n-1))
				wantTrain, wantScores := oracleScores(x, q, d, k)
				for _, workers := range []int{1, 3} {
					m, err := Fit(x, n, d, size.k, workers)
					if err != nil {
						t.Fatal(err)
					}
					// The training rows' neighbours.
					self := make([]int, n)
					for i := range self {
						self[i] = i
					}
					wd, wi := bruteNeighbours(x, x, d, k, self)
					dist := make([]float64, n*k)
					idx := make([]int32, n*k)
					m.kneighbors(m.tree.x, true, dist, idx, workers)
					for i := range n {
						if !slices.Equal(idx[i*k:(i+1)*k], wi[i]) || !slices.Equal(dist[i*k:(i+1)*k], wd[i]) {
							t.Fatalf("%d workers, training row %d: neighbours %v at %v, brute force %v at %v", workers, i, idx[i*k:(i+1)*k], dist[i*k:(i+1)*k], wi[i], wd[i])
						}
					}
					// New rows' neighbours.
					rows := len(q) / d
					wd, wi = bruteNeighbours(x, q, d, k, nil)
					dist, idx = make([]float64, rows*k), make([]int32, rows*k)
					m.kneighbors(q, false, dist, idx, workers)
					for i := range rows {
						if !slices.Equal(idx[i*k:(i+1)*k], wi[i]) || !slices.Equal(dist[i*k:(i+1)*k], wd[i]) {
							t.Fatalf("%d workers, new row %d: neighbours %v at %v, brute force %v at %v", workers, i, idx[i*k:(i+1)*k], dist[i*k:(i+1)*k], wi[i], wd[i])
						}
					}
					if !slices.Equal(m.TrainingScores(), wantTrain) {
						t.Errorf("%d workers: training scores differ from the brute-force ones", workers)
					}
					if got := m.ScoreSamples(q, workers); !slices.Equal(got, wantScores) {
						t.Errorf("%d workers: scores differ from the brute-force ones", workers)
					}
					// One row at a time (groups of one, other first bounds).
					for i := range 3 {
						if got := m.ScoreSamples(q[i*d:(i+1)*d], workers); got[0] != wantScores[i] {
							t.Errorf("%d workers: new row %d alone scores %v, brute force %v", workers, i, got[0], wantScores[i])
						}
					}
				}
			})
		}
	}
}

// TestKernels: sqDist's summation order (four partial sums) gives the
// plain sum to rounding; the kernels (assembly where the CPU has it, and
// Go) give sqDist's bits on the tree's padded rows and keep the same rows
// (ties with the top distance included), for 1 to 11 query rows and 1 to
// 32 training rows; and the box distance never exceeds the distance to a
// row in the box.
func TestKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	t.Logf("assembly kernels: %v", useAVX)
	for _, d := range []int{1, 3, 4, 5, 8, 20, 23} {
		const n, groups = 200, 12
		x := make([]float64, n*d)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3))
		}
		tr := buildTree(x, n, d)
		dp := tr.dp
		// Queries: the first rows of x, in a group buffer as the searcher's.
		q := make([]float64, groups*dp)
		for g := range groups {
			copy(q[g*dp:], x[g*d:(g+1)*d])
		}
		top := make([]float64, groups)
		for na := 1; na < groups; na++ {
			active := make([]uint16, na)
			for a := range active {
				active[a] = uint16((7 * (a + na)) % groups)
			}
			p := (37 * na) % n
			rows := tr.x[p*dp : min(p+3*na-2, n)*dp]
			nr := len(rows) / dp
			want := make([]float64, na*nr)
			for a, g := range active {
				v := x[int(g)*d : (int(g)+1)*d]
				for j := range nr {
					row := tr.x[(p+j)*dp : (p+j)*dp+d]
					want[a*nr+j] = sqDist(v, row)
					plain := 0.0
					for c := range d {
						plain += (v[c] - row[c]) * (v[c] - row[c])
					}
					if !near(want[a*nr+j], plain, 1e-14) {
						t.Errorf("d %d row %d: sqDist %v, plain sum %v", d, p+j, want[a*nr+j], plain)
					}
				}
				top[g] = want[a*nr+(a%nr)] // one row ties with it
			}
			for name, kernel := range map[string]func(q []float64, dp int, active []uint16, rows, top, dist []float64, mask []uint32){
				"kernel": rowDists, "Go": rowDistsGo,
			} {
				got, mask := make([]float64, na*nr), make([]uint32, na)
				kernel(q, dp, active, rows, top, got, mask)
				for a, g := range active {
					for j := range nr {
						if got[a*nr+j] != want[a*nr+j] {
							t.Errorf("d %d %s: query %d row %d at %v, sqDist %v", d, name, g, p+j, got[a*nr+j], want[a*nr+j])
						}
						if kept := mask[a]>>j&1 == 1; kept != (want[a*nr+j] <= top[g]) {
							t.Errorf("d %d %s: query %d row %d at %v (top %v) kept %v", d, name, g, p+j, want[a*nr+j], top[g], kept)
						}
					}
				}
			}
		}
		active := make([]uint16, groups)
		for g := range active {
			active[g] = uint16(groups - 1 - g)
		}
		for i, nd := range tr.nodes {
			box := tr.nodeBox(int32(i))
			for a, g := range active {
				lb := boxDist(q[int(g)*dp:(int(g)+1)*dp], box)
				top[g] = []float64{lb, lb / 2, 2 * lb, math.Inf(1)}[a%4]
				for p := nd.start; p < nd.end; p++ {
					if s := sqDist(x[int(g)*d:(int(g)+1)*d], tr.x[int(p)*dp:int(p)*dp+d]); lb > s {
						t.Errorf("d %d node %d: box distance %v above row %d's %v", d, i, lb, p, s)
					}
				}
			}
			for na := 1; na <= groups; na++ {
				var want []uint16
				for _, g := range active[:na] {
					if boxDist(q[int(g)*dp:(int(g)+1)*dp], box) <= top[g] {
						want = append(want, g)
					}
				}
				out, goOut := make([]uint16, na), make([]uint16, na)
				got, goGot := out[:boxFilter(q, dp, active[:na], box, top, out)], goOut[:boxFilterGo(q, dp, active[:na], box, top, goOut)]
				if !slices.Equal(got, want) || !slices.Equal(goGot, want) {
					t.Errorf("d %d node %d, %d rows: kernel keeps %v, Go kernel %v, want %v", d, i, na, got, goGot, want)
				}
			}
		}
	}
}
