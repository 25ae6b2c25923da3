package cluster_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/segharness/harness/internal/ml/cluster"
)

func ExampleKMeans() {
	// Two squares of side 1; each row is 0.5 from its square's centre.
	x := []float64{
		0, 0, 0, 1, 1, 0, 1, 1,
		10, 10, 10, 11, 11, 10, 11, 11,
	}
	res := cluster.KMeans(x, 2, cluster.KMeansConfig{K: 2, NInit: 10, MaxIter: 300, Tol: 1e-4}, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(res.Labels[0] == res.Labels[3], res.Labels[3] == res.Labels[4])
	fmt.Printf("inertia %.1f\n", res.Inertia)
	// Output:
	// true false
	// inertia 4.0
}

func ExampleDBSCAN() {
	// A line of points 0.5 apart and an outlier; distance eps counts.
	x := []float64{0, 0.5, 1, 1.5, 3}
	labels := cluster.DBSCAN(x, 1, cluster.DBSCANConfig{Eps: 0.5, MinSamples: 2})
	clusters, noise := cluster.Count(labels)
	fmt.Println(labels, clusters, noise)
	// Output:
	// [0 0 0 0 -1] 1 1
}

func ExampleSilhouette() {
	x := []float64{0, 1, 4, 6}
	s, err := cluster.Silhouette(x, 1, []int{0, 0, 1, 1}, 1)
	fmt.Printf("%.4f %v\n", s, err)
	// Output:
	// 0.6537 <nil>
}
