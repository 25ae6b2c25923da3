package cluster

import (
	"math"
	"math/rand/v2"
)

// KMeansConfig configures [KMeans]. The zero values of NInit and MaxIter
// select scikit-learn 1.2's defaults; Tol has no implicit default (1e-4 is
// scikit-learn's) because Tol = 0 is meaningful: stop only on strict
// convergence or after MaxIter iterations.
type KMeansConfig struct {
	K       int     // clusters, >= 1, <= n
	NInit   int     // runs with different k-means++ seeds; the lowest inertia wins (first on ties); 0 means 10
	MaxIter int     // Lloyd iterations per run; 0 means 300
	Tol     float64 // relative: converged when the sum of squared centre shifts <= Tol * mean(var(X, axis 0))  (scikit-learn's tol)
	Workers int     // goroutines; <= 0 means 1. Results never depend on it (fixed-order reductions).
}

// KMeansResult is the winning run of [KMeans].
type KMeansResult struct {
	Centers    []float64 // K*d, row-major
	Labels     []int     // n, in [0, K)
	Inertia    float64   // sum_i ||x_i - Centers[Labels[i]]||^2
	Iterations int       // Lloyd iterations of the winning run
}

// kmBlock is the number of rows in a block, the unit of parallel work and
// of the fixed-order sums (so results do not depend on the worker count).
const kmBlock = 256

// KMeans clusters the n rows of x (row-major, d columns) into cfg.K
// clusters as scikit-learn 1.2.1's KMeans(n_clusters=K, n_init=NInit,
// max_iter=MaxIter, tol=Tol, algorithm="lloyd") does; see the package
// documentation for the algorithm.
//
// Greedy k-means++: the first centre is a row drawn uniformly, then
// 2+int(ln K) candidates per step are drawn with probability proportional to
// D^2 and the one lowering the potential most is kept. The seeds of all
// NInit runs are drawn from r up front (two r.Uint64 each, for a PCG
// source), so the runs can proceed in parallel and the result depends only
// on r's state and the data. Among the runs, a later one replaces the best
// so far only if its inertia is strictly lower and its labelling is not a
// relabelling of the best's (scikit-learn's _is_same_clustering rule).
//
// KMeans panics if d < 1, len(x) is not a multiple of d, K is not in
// [1, n], NInit, MaxIter or Tol is negative, r is nil, or x holds NaN or
// infinities.
func KMeans(x []float64, d int, cfg KMeansConfig, r *rand.Rand) *KMeansResult {
	n := checkMatrix(x, d)
	k := cfg.K
	if k < 1 || k > n {
		panic("cluster: KMeans needs 1 <= K <= number of rows")
	}
	if n > math.MaxInt32 {
		panic("cluster: too many rows")
	}
	nInit, maxIter := cfg.NInit, cfg.MaxIter
	switch {
	case nInit < 0:
		panic("cluster: negative NInit")
	case nInit == 0:
		nInit = 10
	}
	switch {
	case maxIter < 0:
		panic("cluster: negative MaxIter")
	case maxIter == 0:
		maxIter = 300
	}
	if !(cfg.Tol >= 0) {
		panic("cluster: Tol must be >= 0")
	}
	if r == nil {
		panic("cluster: nil *rand.Rand")
	}
	workers := numWorkers(cfg.Workers)

	seeds := make([][2]uint64, nInit)
	for i := range seeds {
		seeds[i] = [2]uint64{r.Uint64(), r.Uint64()}
	}

	mean := columnMeans(x, n, d)
	tol := cfg.Tol * meanVariance(x, n, d, mean)
	// Every distance between a row and a centre (a mean of rows) is at most
	// diameter. A computed distance is within a few ulps (times d) of the
	// true one, and the bounds drift by a few ulps of diameter per
	// iteration; the margin covers both many times over.
	diameter := 2 * radius(x, n, d, mean)
	if diameter == 0 {
		diameter = 1
	}
	margin := diameter * (1e-12*float64(d+8) + 1e-14*float64(maxIter+10)*float64(maxIter+10))

	lat := newLattice(x, n, d, workers)
	outer := min(workers, nInit)
	inner := max(1, workers/outer)
	runs := make([]kmRun, nInit)
	spaces := make([]*kmSpace, outer)
	parallel(outer, nInit, func(w, i int) {
		if spaces[w] == nil {
			spaces[w] = newKMSpace(x, n, d, k, inner, mean, lat)
		}
		runs[i] = spaces[w].run(rand.New(rand.NewPCG(seeds[i][0], seeds[i][1])), maxIter, tol, margin)
	})

	best := 0
	for i := 1; i < nInit; i++ {
		if runs[i].inertia < runs[best].inertia && !sameClustering(runs[i].labels, runs[best].labels, k) {
			best = i
		}
	}
	res := &KMeansResult{
		Centers:    runs[best].centers,
		Labels:     make([]int, n),
		Inertia:    runs[best].inertia,
		Iterations: runs[best].iterations,
	}
	for i, l := range runs[best].labels {
		res.Labels[i] = int(l)
	}
	return res
}

// meanVariance returns mean_j var(x[:, j]), population variances (numpy's
// var, ddof 0): the scale of scikit-learn's relative tolerance.
func meanVariance(x []float64, n, d int, mean []float64) float64 {
	ss := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : i*d+d] {
			t := v - mean[j]
			ss[j] += t * t
		}
	}
	var total float64
	for _, s := range ss {
		total += s / float64(n)
	}
	return total / float64(d)
}

// sameClustering reports whether every cluster of a maps into a single
// cluster of b (scikit-learn's _is_same_clustering).
func sameClustering(a, b []int32, k int) bool {
	mapping := make([]int32, k)
	for i := range mapping {
		mapping[i] = -1
	}
	for i, la := range a {
		switch mapping[la] {
		case -1:
			mapping[la] = b[i]
		case b[i]:
		default:
			return false
		}
	}
	return true
}

// kmRun is the outcome of one seeded run.
type kmRun struct {
	labels     []int32
	centers    []float64
	inertia    float64
	iterations int
}

// kmSpace holds the scratch space of one run at a time. Rows are processed
// in blocks of kmBlock; everything summed over rows is summed by block,
// then over blocks in order.
type kmSpace struct {
	x          []float64
	n, d, k    int
	nb         int
	workers    int
	mean       []float64
	lat        *lattice
	labels     []int32
	upper      []float64   // upper bound on the distance to the own centre a, minus cum[a] (D^2 during seeding)
	second     []float64   // lower bound on the distance to every other centre, plus cumOther[a] (squared during seeding)
	cand       [][]float64 // seeding: squared distance to each candidate
	candPot    [][]float64 // seeding: per block potential for each candidate
	blockPot   []float64   // per block potential / inertia
	blockSum   []float64   // nb*k*dc, per block sums of the continuous columns of rows by label
	count      []int       // k, rows per label
	codeCount  []int       // k*codes, rows per label and discrete code (lattice.offset)
	deltas     [][]int     // per goroutine changes to count and codeCount during an assignment
	fresh      bool        // sums are to be taken afresh (after seeding)
	changed    []int       // per block label changes in the last assignment
	centers    []float64   // k*d
	next       []float64   // k*d
	sums       []float64   // k*d
	counts     []int       // k
	nearest    []float64   // k, half the distance to the nearest other centre
	shiftTotal float64     // sum of squared shifts of the last update
	cum        []float64   // k, sum of the shifts of each centre so far
	cumOther   []float64   // k, sum over updates of the largest shift of the other centres
	packed     packed      // centres (or candidates) for the kernel
	stride     int         // row stride of the kernel output
	dist       [][]float64 // per goroutine kernel output, kmBlock*stride
	rows       [][]int32   // per goroutine rows of a block for the kernel
	pots       [][]float64 // per goroutine seeding potentials
}

func newKMSpace(x []float64, n, d, k, workers int, mean []float64, lat *lattice) *kmSpace {
	nb := blocks(n, kmBlock)
	nLocal := 2 + int(math.Log(float64(k)))
	s := &kmSpace{
		x: x, n: n, d: d, k: k, nb: nb, workers: workers, mean: mean, lat: lat,
		labels:    make([]int32, n),
		upper:     make([]float64, n),
		second:    make([]float64, n),
		cand:      make([][]float64, nLocal),
		candPot:   make([][]float64, nLocal),
		blockPot:  make([]float64, nb),
		blockSum:  make([]float64, nb*k*len(lat.cont)),
		count:     make([]int, k),
		codeCount: make([]int, k*lat.offset[len(lat.groups)]),
		deltas:    make([][]int, workers),
		changed:   make([]int, nb),
		centers:   make([]float64, k*d),
		next:      make([]float64, k*d),
		sums:      make([]float64, k*d),
		counts:    make([]int, k),
		nearest:   make([]float64, k),
		cum:       make([]float64, k),
		cumOther:  make([]float64, k),
		dist:      make([][]float64, workers),
		rows:      make([][]int32, workers),
		pots:      make([][]float64, workers),
	}
	if k > 1 {
		for t := range s.cand {
			s.cand[t] = make([]float64, n)
			s.candPot[t] = make([]float64, nb)
		}
	}
	s.stride = blocks(max(k, nLocal), kernelWidth) * kernelWidth
	for w := range s.dist {
		s.dist[w] = make([]float64, kmBlock*s.stride)
		s.rows[w] = make([]int32, 0, kmBlock)
		s.pots[w] = make([]float64, nLocal)
		s.deltas[w] = make([]int, k+len(s.codeCount))
	}
	return s
}

func (s *kmSpace) row(i int) []float64 { return s.x[i*s.d : i*s.d+s.d] }

// blockRows returns goroutine w's row list holding lo, ..., hi-1.
func (s *kmSpace) blockRows(w, lo, hi int) []int32 {
	rows := s.rows[w][:0]
	for i := lo; i < hi; i++ {
		rows = append(rows, int32(i))
	}
	return rows
}

func (s *kmSpace) block(b int) (lo, hi int) {
	return b * kmBlock, min((b+1)*kmBlock, s.n)
}

// run seeds with k-means++ and iterates Lloyd, following
// scikit-learn's _kmeans_single_lloyd.
func (s *kmSpace) run(r *rand.Rand, maxIter int, tol, margin float64) kmRun {
	s.seed(r)
	s.fresh = true
	strict := false
	iterations := maxIter
	for it := 0; it < maxIter; it++ {
		// Iteration 0 assigns against the seeds, which seeding already did;
		// scikit-learn's labels_old starts at -1, so it always counts as a change.
		changed := true
		if it > 0 {
			changed = s.assign(margin) > 0
		}
		s.update()
		if !changed {
			strict = true
			iterations = it + 1
			break
		}
		if s.shiftTotal <= tol {
			iterations = it + 1
			break
		}
	}
	if !strict {
		// Labels must match the returned centres.
		s.assign(margin)
	}
	return kmRun{
		labels:     append([]int32(nil), s.labels...),
		centers:    append([]float64(nil), s.centers...),
		inertia:    s.inertia(),
		iterations: iterations,
	}
}

// seed runs greedy k-means++ (scikit-learn's _kmeans_plusplus) and leaves
// labels = nearest seed, upper = distance to it, second = distance to the
// second nearest.
func (s *kmSpace) seed(r *rand.Rand) {
	d, k := s.d, s.k
	first := r.IntN(s.n)
	copy(s.centers[:d], s.row(first))
	s.lat.pack(&s.packed, s.centers[:d], 1)
	parallel(s.workers, s.nb, func(w, b int) {
		lo, hi := s.block(b)
		dist := s.dist[w]
		s.lat.dists(s.blockRows(w, lo, hi), &s.packed, dist, s.stride)
		var pot float64
		for i := lo; i < hi; i++ {
			v := dist[(i-lo)*s.stride]
			s.upper[i] = v
			s.second[i] = math.Inf(1)
			s.labels[i] = 0
			pot += v
		}
		s.blockPot[b] = pot
	})
	pot := sum(s.blockPot)

	nLocal := len(s.cand)
	candidates := make([]int, nLocal)
	rows := make([]float64, nLocal*d)
	for c := 1; c < k; c++ {
		for t := range candidates {
			candidates[t] = s.sample(r.Float64() * pot)
			copy(rows[t*d:t*d+d], s.row(candidates[t]))
		}
		s.lat.pack(&s.packed, rows, nLocal)
		parallel(s.workers, s.nb, func(w, b int) {
			lo, hi := s.block(b)
			dist := s.dist[w]
			s.lat.dists(s.blockRows(w, lo, hi), &s.packed, dist, s.stride)
			// Potential if candidate t is chosen: sum_i min(D^2, d_t^2).
			pots := s.pots[w]
			clear(pots)
			for i := lo; i < hi; i++ {
				cl := s.upper[i]
				for t, v := range dist[(i-lo)*s.stride : (i-lo)*s.stride+nLocal] {
					s.cand[t][i] = v
					pots[t] += min(v, cl)
				}
			}
			for t, p := range pots {
				s.candPot[t][b] = p
			}
		})
		best, bestPot := 0, sum(s.candPot[0])
		for t := 1; t < nLocal; t++ {
			if p := sum(s.candPot[t]); p < bestPot {
				best, bestPot = t, p
			}
		}
		pot = bestPot
		copy(s.centers[c*d:c*d+d], s.row(candidates[best]))
		dist := s.cand[best]
		copy(s.blockPot, s.candPot[best])
		parallel(s.workers, s.nb, func(_, b int) {
			lo, hi := s.block(b)
			// Squared distances (and +Inf) order as their bit patterns:
			// integer min and max need no unpredictable branches.
			for i := lo; i < hi; i++ {
				bv := math.Float64bits(dist[i])
				bu, bs := math.Float64bits(s.upper[i]), math.Float64bits(s.second[i])
				label := s.labels[i]
				if bv < bu {
					label = int32(c)
				}
				s.labels[i] = label
				s.upper[i] = math.Float64frombits(min(bu, bv))
				s.second[i] = math.Float64frombits(min(bs, max(bu, bv)))
			}
		})
	}
	parallel(s.workers, s.nb, func(_, b int) {
		lo, hi := s.block(b)
		for i := lo; i < hi; i++ {
			s.upper[i] = math.Sqrt(s.upper[i])
			s.second[i] = math.Sqrt(s.second[i])
		}
	})
	s.lat.pack(&s.packed, s.centers, k)
	s.computeNearest()
	clear(s.cum)
	clear(s.cumOther)
}

// sample returns the first row whose cumulative D^2 reaches v (numpy's
// searchsorted(cumsum(D^2), v), clipped to the last row).
func (s *kmSpace) sample(v float64) int {
	var acc float64
	for b := 0; b < s.nb; b++ {
		if acc+s.blockPot[b] < v {
			acc += s.blockPot[b]
			continue
		}
		lo, hi := s.block(b)
		run := acc
		for i := lo; i < hi; i++ {
			run += s.upper[i]
			if run >= v {
				return i
			}
		}
		return hi - 1 // rounding left the in-block sum just short of v
	}
	return s.n - 1
}

// assign is Lloyd's assignment step with Hamerly's bounds; it returns the
// number of rows whose label changed and moves them in their blocks' sums.
// A row is skipped when its distance to its centre a provably stays below
// its distance to every other centre by more than margin: the upper bound
// u on the former is below half the distance from c_a to its nearest other
// centre (then ||x - c_j|| >= ||c_a - c_j|| - u > u), or below the lower
// bound on the latter. Other rows get all k distances from the kernel and
// take the nearest centre, the lowest index on ties, as Lloyd does.
//
// Bounds are stored relative to the cumulative shifts (u - cum[a], second
// + cumOther[a]), so that a skipped row costs no writes.
func (s *kmSpace) assign(margin float64) int {
	parallel(s.workers, s.nb, func(w, b int) {
		lo, hi := s.block(b)
		k, stride := s.k, s.stride
		cum, cumOther, nearest := s.cum, s.cumOther, s.nearest
		// Rows the bounds cannot settle; written unconditionally and kept
		// by advancing the count, which avoids a hard-to-predict branch.
		rows := s.rows[w][:hi-lo]
		count := 0
		for i := lo; i < hi; i++ {
			a := int(s.labels[i])
			u := s.upper[i] + cum[a] + margin
			rows[count] = int32(i)
			if u >= max(nearest[a], s.second[i]-cumOther[a]) {
				count++
			}
		}
		rows = rows[:count]
		dist := s.dist[w]
		s.lat.dists(rows, &s.packed, dist, stride)
		changes := 0
		for r, i32 := range rows {
			i := int(i32)
			ds := dist[r*stride : r*stride+k]
			// The nearest centre (the first on ties) and the two smallest
			// distances. Squared distances are sums of squares, never
			// negative, -0 or NaN, so their bit patterns order as their
			// values do; integer min and max compile without branches.
			b1, b2 := math.Float64bits(ds[0]), uint64(math.MaxUint64)
			for _, v := range ds[1:] {
				bv := math.Float64bits(v)
				b2 = min(b2, max(b1, bv))
				b1 = min(b1, bv)
			}
			best := 0
			for j := k - 1; j > 0; j-- {
				if math.Float64bits(ds[j]) == b1 {
					best = j
				}
			}
			d1, d2 := math.Float64frombits(b1), math.Inf(1)
			if k > 1 {
				d2 = math.Float64frombits(b2)
			}
			s.upper[i] = math.Sqrt(d1) - cum[best]
			s.second[i] = math.Sqrt(d2) + cumOther[best]
			if a := int(s.labels[i]); best != a {
				s.labels[i] = int32(best)
				s.move(w, b, i, a, best)
				changes++
			}
		}
		s.changed[b] = changes
	})
	total := 0
	for _, c := range s.changed {
		total += c
	}
	if total > 0 {
		// Integer counts add up exactly in any order.
		k := s.k
		for _, delta := range s.deltas {
			for j, v := range delta[:k] {
				s.count[j] += v
			}
			for j, v := range delta[k:] {
				s.codeCount[j] += v
			}
			clear(delta)
		}
	}
	return total
}

// move takes row i of block b from cluster from to cluster to: in the
// block's continuous sums (updated in row order, so they do not depend on
// the number of workers) and in goroutine w's count deltas.
func (s *kmSpace) move(w, b, i, from, to int) {
	lat, k := s.lat, s.k
	dc, ng := len(lat.cont), len(lat.groups)
	src := s.blockSum[(b*k+from)*dc : (b*k+from)*dc+dc]
	dst := s.blockSum[(b*k+to)*dc : (b*k+to)*dc+dc]
	for t, v := range lat.xc[i*dc : i*dc+dc] {
		src[t] -= v
		dst[t] += v
	}
	delta := s.deltas[w]
	delta[from]--
	delta[to]++
	codes := delta[k:]
	total := lat.offset[ng]
	for _, c := range lat.codes[i*ng : i*ng+ng] {
		codes[from*total+int(c)]--
		codes[to*total+int(c)]++
	}
}

// update is Lloyd's update step: centres become the means of their rows
// (sums over blocks in block order), empty clusters are relocated, and the
// shifts for the bounds are accumulated.
func (s *kmSpace) update() {
	d, k := s.d, s.k
	lat := s.lat
	dc, ng, total := len(lat.cont), len(lat.groups), lat.offset[len(lat.groups)]
	if s.fresh {
		s.fresh = false // from now on assign keeps the sums
		parallel(s.workers, s.nb, func(_, b int) {
			sums := s.blockSum[b*k*dc : (b+1)*k*dc]
			clear(sums)
			lo, hi := s.block(b)
			for i := lo; i < hi; i++ {
				l := int(s.labels[i])
				acc := sums[l*dc : l*dc+dc]
				for t, v := range lat.xc[i*dc : i*dc+dc] {
					acc[t] += v
				}
			}
		})
		clear(s.count)
		clear(s.codeCount)
		for i, l := range s.labels {
			s.count[l]++
			for _, c := range lat.codes[i*ng : i*ng+ng] {
				s.codeCount[int(l)*total+int(c)]++
			}
		}
	}
	// Sums of the continuous columns over blocks, in block order; of the
	// discrete ones from the counts of their values.
	clear(s.sums)
	for b := 0; b < s.nb; b++ {
		for j := 0; j < k; j++ {
			acc := s.sums[j*d : j*d+d]
			for t, v := range s.blockSum[(b*k+j)*dc : (b*k+j)*dc+dc] {
				acc[lat.cont[t]] += v
			}
		}
	}
	for j := 0; j < k; j++ {
		acc := s.sums[j*d : j*d+d]
		for g, group := range lat.groups {
			m := len(group)
			vals := lat.values[g]
			for code, c := range s.codeCount[j*total+lat.offset[g] : j*total+lat.offset[g+1]] {
				if c == 0 {
					continue
				}
				for t, col := range group {
					acc[col] += float64(c) * vals[code*m+t]
				}
			}
		}
	}
	copy(s.counts, s.count)
	s.relocateEmpty()
	for j := 0; j < k; j++ {
		c := s.next[j*d : j*d+d]
		if s.counts[j] == 0 {
			copy(c, s.mean) // emptied by a relocation: scikit-learn leaves the centred sum, ~0
			continue
		}
		alpha := 1 / float64(s.counts[j])
		for t, v := range s.sums[j*d : j*d+d] {
			c[t] = v * alpha
		}
	}
	s.shiftTotal = 0
	largest, second, largestAt := 0.0, 0.0, 0
	for j := 0; j < k; j++ {
		p := math.Sqrt(sqDist(s.next[j*d:j*d+d], s.centers[j*d:j*d+d]))
		s.shiftTotal += p * p
		s.cum[j] += p
		switch {
		case p > largest:
			largest, second, largestAt = p, largest, j
		case p > second:
			second = p
		}
	}
	for j := range s.cumOther {
		if j == largestAt {
			s.cumOther[j] += second
		} else {
			s.cumOther[j] += largest
		}
	}
	s.centers, s.next = s.next, s.centers
	s.lat.pack(&s.packed, s.centers, k)
	s.computeNearest()
}

// relocateEmpty moves every empty cluster onto one of the rows farthest
// from their centres, as scikit-learn's _relocate_empty_clusters_dense:
// distances to the current centres, the largest first (the lower index on
// ties); the row leaves its cluster's sum but keeps its label.
func (s *kmSpace) relocateEmpty() {
	d := s.d
	var empty []int
	for j, c := range s.counts {
		if c == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return
	}
	type far struct {
		dist float64
		row  int
	}
	top := make([]far, 0, len(empty)+1)
	for i := 0; i < s.n; i++ {
		l := int(s.labels[i])
		v := sqDist(s.row(i), s.centers[l*d:l*d+d])
		if len(top) == len(empty) && v <= top[len(top)-1].dist {
			continue
		}
		at := len(top)
		for at > 0 && top[at-1].dist < v {
			at--
		}
		top = append(top, far{})
		copy(top[at+1:], top[at:])
		top[at] = far{v, i}
		if len(top) > len(empty) {
			top = top[:len(empty)]
		}
	}
	for t, j := range empty {
		i := top[t].row
		old := int(s.labels[i])
		x := s.row(i)
		for c := 0; c < d; c++ {
			s.sums[old*d+c] -= x[c]
			s.sums[j*d+c] = x[c]
		}
		s.counts[j] = 1
		s.counts[old]--
	}
}

// computeNearest sets nearest[j] = min_{i != j} ||c_i - c_j|| / 2.
func (s *kmSpace) computeNearest() {
	d, k := s.d, s.k
	for j := range s.nearest {
		s.nearest[j] = math.Inf(1)
	}
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			h := math.Sqrt(sqDist(s.centers[i*d:i*d+d], s.centers[j*d:j*d+d])) / 2
			s.nearest[i] = min(s.nearest[i], h)
			s.nearest[j] = min(s.nearest[j], h)
		}
	}
}

// inertia returns sum_i ||x_i - c_{label i}||^2, summed by block in order.
func (s *kmSpace) inertia() float64 {
	d := s.d
	parallel(s.workers, s.nb, func(_, b int) {
		lo, hi := s.block(b)
		var total float64
		for i := lo; i < hi; i++ {
			l := int(s.labels[i])
			total += sqDist(s.row(i), s.centers[l*d:l*d+d])
		}
		s.blockPot[b] = total
	})
	return sum(s.blockPot)
}

// sum adds v in order.
func sum(v []float64) float64 {
	var total float64
	for _, x := range v {
		total += x
	}
	return total
}
