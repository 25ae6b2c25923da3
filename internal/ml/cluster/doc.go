// Package cluster ports the clustering of the case-study notebook from
// scikit-learn 1.2.1: k-means, DBSCAN and the silhouette score. The models
// take a dense row-major matrix (n rows of d float64 features) and import
// nothing of the project; randomness is passed in as a *rand.Rand.
//
// # K-means
//
// [KMeans] minimises the inertia sum_i ||x_i - c_{l(i)}||^2 as scikit-learn's
// KMeans(init="k-means++", algorithm="lloyd") does (sklearn/cluster/_kmeans.py):
//
//   - Greedy k-means++ seeding: the first centre is a row drawn uniformly;
//     each further centre is the best of 2+int(ln k) candidates drawn with
//     probability proportional to D^2(x), the squared distance to the nearest
//     centre so far, "best" meaning the one leaving the smallest potential
//     sum_i min(D^2(x_i), ||x_i - candidate||^2).
//   - Lloyd iterations: assign each row to its nearest centre (the first on
//     ties), move each centre to the mean of its rows. A centre left without
//     rows is moved onto the row farthest from its own centre, as
//     scikit-learn's _relocate_empty_clusters does. Iteration stops when no
//     label changes ("strict convergence"), when the sum of squared centre
//     shifts is at most Tol * mean_j var(X[:, j]), or after MaxIter
//     iterations; in the last two cases the rows are assigned once more so
//     that labels match the returned centres.
//   - NInit runs with different seeds; the run with the lowest inertia wins,
//     the earlier one on ties.
//
// The assignment step is exact Lloyd made cheaper in two ways. Hamerly's
// bounds (an upper bound on the distance to the own centre, a lower bound on
// the distance to every other one, both moved with the centre shifts) settle
// most rows without computing a distance; they carry a margin far above
// floating-point error, so a row is skipped only when Lloyd's argmin cannot
// change. The distances that are computed come from a kernel that reads the
// data as a lattice: columns with at most 64 distinct values (label-encoded
// categoricals, 0/1 flags, scores) are folded into groups whose
// contribution sum_{t in group} (x_t - c_t)^2 is looked up per row in a table
// built for each set of centres, and one pass over a row gives its distance
// to six centres. On amd64 with AVX the kernel is a short assembly routine
// (kernel_amd64.s, after gonum's internal/asm) doing the same additions,
// subtractions and multiplications four lanes at a time, so it returns the
// same bits; build with -tags noasm for the Go kernel alone. Centres are
// means kept from per-block sums of the continuous columns and exact counts
// of the discrete codes.
//
// # DBSCAN
//
// [DBSCAN] follows sklearn/cluster/_dbscan.py and _dbscan_inner.pyx: a row is
// a core point when at least MinSamples rows (itself included) lie within
// Euclidean distance Eps (inclusive); clusters are the connected components
// of core points, numbered in the index order of their first core point; a
// non-core row within Eps of a core point joins the first (lowest-numbered)
// such cluster; every other row is noise, labelled -1.
//
// Neighbourhoods are never stored. Core points are found by counting
// neighbours up to MinSamples (a non-core row's fewer than MinSamples
// neighbours are kept when MinSamples <= 17); clusters are joined with a
// concurrent union-find over core-core pairs; border rows take the lowest
// cluster among their core neighbours. Queries use an exact index built for lattice-like data such as
// label-encoded categoricals and 0/1 flags: for every column the sorted
// values are split into groups wherever two neighbouring values are more
// than Eps apart (rows in different groups of any column cannot be
// neighbours), the group numbers of the most selective columns are packed
// into a 64-bit key, and rows are sorted by (key, one projection column).
// A query scans the rows with its key whose projection lies within Eps,
// rejecting candidates on partial distances. Every pruning rule is a
// consequence of |x_j - y_j| <= ||x - y||, so the result is that of brute
// force.
//
// # Silhouette
//
// [Silhouette] is scikit-learn's silhouette_score with the Euclidean metric
// (sklearn/metrics/cluster/_unsupervised.py). For row i in cluster A,
//
//	a(i) = sum_{j in A, j != i} d(i, j) / (|A| - 1)
//	b(i) = min_{B != A} sum_{j in B} d(i, j) / |B|
//	s(i) = (b(i) - a(i)) / max(a(i), b(i))
//
// with s(i) = 0 for singleton clusters (and where a = b = 0), and the score
// is the mean of s(i). Every distinct label is a cluster, so DBSCAN's noise
// (-1) counts as one cluster. The per-cluster distance sums are accumulated
// in 64-bit fixed point scaled to the data's diameter, which is exact under
// any order of addition; the work can therefore be split over goroutines (and
// each pair's distance computed once) while the result stays independent of
// the number of workers. On amd64 with AVX2 the distances come from an
// assembly kernel (kernel_amd64.s) over blocks of 128 rows stored column by
// column: it evaluates sqDist's additions lane by lane in sqDist's order,
// takes the correctly rounded square root and converts to fixed point as
// quantize does, so every pair gets the same integer as in Go. Where that
// conversion could leave its exact range (fewer than 2048 rows) or the
// squared distances overflow, the Go loop runs. [SilhouetteSample] scores
// a random subset, as silhouette_score(sample_size=...) does.
//
// # Workers
//
// Every function takes a number of goroutines. Results never depend on it:
// sums are reduced over fixed blocks of rows in block order (or exactly, in
// fixed point), and concurrent union-find produces the same partition in
// any order.
package cluster
