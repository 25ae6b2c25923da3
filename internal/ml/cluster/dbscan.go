package cluster

import (
	"math"
	"sync/atomic"
)

// DBSCANConfig configures [DBSCAN]; scikit-learn's defaults are Eps 0.5 and
// MinSamples 5.
type DBSCANConfig struct {
	Eps        float64 // neighbours within Euclidean distance <= Eps (inclusive), the point itself counted
	MinSamples int     // core point if its neighbour count >= MinSamples
	Workers    int     // goroutines; <= 0 means 1. Results never depend on it.
}

// Noise is the label DBSCAN gives to rows in no cluster.
const Noise = -1

// dbChunk is the number of sorted positions per parallel part.
const dbChunk = 1024

// DBSCAN returns a label per row of x (row-major, d columns) as
// scikit-learn 1.2.1's DBSCAN(eps=Eps, min_samples=MinSamples) does:
// clusters 0.. numbered in discovery order (the index order of their first
// core point), [Noise] (-1) for rows in no cluster. Row j is a neighbour of
// row i when sum_k (x_ik - x_jk)^2 <= Eps^2, i itself included; i is a core
// point when it has at least MinSamples neighbours. Core points within Eps
// of each other share a cluster; a non-core row within Eps of core points
// joins the first cluster that reaches it, the lowest-numbered
// (scikit-learn's dbscan_inner semantics).
//
// Memory is O(n*d) whatever the density: neighbourhoods are never stored
// (for MinSamples <= 17 the at most MinSamples-1 neighbours of each
// non-core row are). Time depends on how well the index prunes (see the
// package documentation): on the notebook's flows it examines a few
// candidates per row; when no column separates the rows it degrades to
// brute force, O(n^2) distances.
//
// DBSCAN panics if d < 1, len(x) is not a multiple of d, Eps is not a
// positive finite number, MinSamples < 1, or x holds NaN or infinities.
func DBSCAN(x []float64, d int, cfg DBSCANConfig) []int {
	n := checkMatrix(x, d)
	if !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 1) {
		panic("cluster: Eps must be positive and finite")
	}
	if cfg.MinSamples < 1 {
		panic("cluster: MinSamples must be >= 1")
	}
	if n > math.MaxInt32 {
		panic("cluster: too many rows")
	}
	labels := make([]int, n)
	if n == 0 {
		return labels
	}
	workers := numWorkers(cfg.Workers)
	ix := newEpsIndex(x, n, d, cfg.Eps, workers)
	minSamples := cfg.MinSamples
	parts := blocks(n, dbChunk)

	// Core points: count neighbours, stopping at MinSamples. A row that
	// stays below has had its whole neighbourhood listed; keep it for the
	// border pass when that is small.
	core := make([]bool, n)
	keep := minSamples - 1
	store := keep > 0 && keep <= 16
	var neighbours []int32
	var neighbourCount []uint8
	if store {
		neighbours = make([]int32, n*keep)
		neighbourCount = make([]uint8, n)
	}
	parallel(workers, parts, func(_, part int) {
		for s := part * dbChunk; s < min((part+1)*dbChunk, n); s++ {
			count := 1
			if count < minSamples {
				ix.scan(s, false, func(t int) bool {
					if !ix.near(s, t) {
						return true
					}
					if store {
						neighbours[s*keep+count-1] = int32(t)
					}
					count++
					return count < minSamples
				})
			}
			core[s] = count >= minSamples
			if store && !core[s] {
				neighbourCount[s] = uint8(count - 1)
			}
		}
	})

	// Clusters: connected components of core points. Each pair is seen
	// once, from its lower sorted position; pairs already joined skip the
	// distance.
	uf := newUnionFind(n)
	parallel(workers, parts, func(_, part int) {
		for s := part * dbChunk; s < min((part+1)*dbChunk, n); s++ {
			if !core[s] {
				continue
			}
			ix.scan(s, true, func(t int) bool {
				if core[t] && uf.find(int32(s)) != uf.find(int32(t)) && ix.near(s, t) {
					uf.union(int32(s), int32(t))
				}
				return true
			})
		}
	})

	// Number clusters by their first core point in row order.
	label := make([]int32, n) // by sorted position
	clusterOf := make([]int32, n)
	for i := range clusterOf {
		clusterOf[i] = -1
	}
	next := int32(0)
	for i := 0; i < n; i++ {
		s := ix.pos[i]
		if !core[s] {
			continue
		}
		root := uf.find(s)
		if clusterOf[root] < 0 {
			clusterOf[root] = next
			next++
		}
		label[s] = clusterOf[root]
	}

	// Border points join the lowest-numbered cluster among their core
	// neighbours, the one scikit-learn's depth-first expansion reaches first.
	parallel(workers, parts, func(_, part int) {
		for s := part * dbChunk; s < min((part+1)*dbChunk, n); s++ {
			if core[s] {
				continue
			}
			best := int32(Noise)
			consider := func(t int) {
				if core[t] && (best < 0 || label[t] < best) {
					best = label[t]
				}
			}
			if store {
				for _, t := range neighbours[s*keep : s*keep+int(neighbourCount[s])] {
					consider(int(t))
				}
			} else {
				ix.scan(s, false, func(t int) bool {
					if core[t] && (best < 0 || label[t] < best) && ix.near(s, t) {
						best = label[t]
					}
					return true
				})
			}
			label[s] = best
		}
	})

	for i := range labels {
		labels[i] = int(label[ix.pos[i]])
	}
	return labels
}

// Count returns the number of clusters (distinct labels other than
// [Noise]) and the number of noise rows in labels.
func Count(labels []int) (clusters int, noise int) {
	seen := make(map[int]struct{})
	for _, l := range labels {
		if l == Noise {
			noise++
			continue
		}
		seen[l] = struct{}{}
	}
	return len(seen), noise
}

// unionFind is a lock-free disjoint-set forest: a root only ever links
// below a smaller index, so concurrent unions in any order build the same
// partition.
type unionFind struct {
	parent []atomic.Int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]atomic.Int32, n)}
	for i := range u.parent {
		u.parent[i].Store(int32(i))
	}
	return u
}

// find returns the root of x, halving the path on the way.
func (u *unionFind) find(x int32) int32 {
	for {
		p := u.parent[x].Load()
		if p == x {
			return x
		}
		gp := u.parent[p].Load()
		if gp != p {
			u.parent[x].CompareAndSwap(p, gp)
		}
		x = gp
	}
}

// union joins the sets of a and b.
func (u *unionFind) union(a, b int32) {
	for {
		a, b = u.find(a), u.find(b)
		if a == b {
			return
		}
		if a < b {
			a, b = b, a
		}
		if u.parent[a].CompareAndSwap(a, b) {
			return
		}
	}
}
