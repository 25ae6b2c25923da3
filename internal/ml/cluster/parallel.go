package cluster

import (
	"math"
	"sync"
	"sync/atomic"
)

// parallel calls fn(worker, part) for every part in [0, parts) on up to
// workers goroutines; worker in [0, workers) identifies the goroutine, for
// per-goroutine scratch space. Parts are handed out in increasing order. With
// one worker (or one part) everything runs on the calling goroutine.
func parallel(workers, parts int, fn func(worker, part int)) {
	if workers > parts {
		workers = parts
	}
	if workers <= 1 {
		for p := 0; p < parts; p++ {
			fn(0, p)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for {
				p := int(next.Add(1)) - 1
				if p >= parts {
					return
				}
				fn(w, p)
			}
		})
	}
	wg.Wait()
}

// numWorkers maps the documented "<= 0 means 1".
func numWorkers(w int) int {
	return max(w, 1)
}

// blocks returns the number of blocks of size b covering n rows.
func blocks(n, b int) int {
	return (n + b - 1) / b
}

// checkMatrix validates a row-major matrix and returns its number of rows.
func checkMatrix(x []float64, d int) int {
	if d < 1 {
		panic("cluster: number of columns must be positive")
	}
	if len(x)%d != 0 {
		panic("cluster: len(x) is not a multiple of the number of columns")
	}
	return len(x) / d
}

// sqDist is the squared Euclidean distance sum_k (a_k - b_k)^2, the one
// definition used throughout the package (a brute-force reference must use
// it too for bit-identical decisions at distance exactly Eps). The four
// partial sums keep the adds independent; every partial sum only grows, so
// sqDist is at least any single term (a_k - b_k)^2. The conversions round
// every square before it is added, so that the compiler never fuses a
// multiply-add (it does with GOAMD64=v3): the same bits on every build,
// as the silhouette's assembly kernel computes them.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		t0 := a[k] - b[k]
		t1 := a[k+1] - b[k+1]
		t2 := a[k+2] - b[k+2]
		t3 := a[k+3] - b[k+3]
		s0 += float64(t0 * t0)
		s1 += float64(t1 * t1)
		s2 += float64(t2 * t2)
		s3 += float64(t3 * t3)
	}
	for ; k < len(a); k++ {
		t := a[k] - b[k]
		s0 += float64(t * t)
	}
	return (s0 + s1) + (s2 + s3)
}

// columnMeans returns the mean of every column, summed in row order.
func columnMeans(x []float64, n, d int) []float64 {
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		row := x[i*d : i*d+d]
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	return mean
}

// radius returns max_i ||x_i - mean||, so that every distance between rows
// or between rows and means of rows is at most 2*radius.
func radius(x []float64, n, d int, mean []float64) float64 {
	var r2 float64
	for i := 0; i < n; i++ {
		r2 = max(r2, sqDist(x[i*d:i*d+d], mean))
	}
	return math.Sqrt(r2)
}
