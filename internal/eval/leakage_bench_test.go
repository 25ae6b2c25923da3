package eval

import "testing"

// BenchmarkMeasureLeakage: 100,000 rows of 40 features, a quarter of them
// copies of earlier rows, a third on the test side.
func BenchmarkMeasureLeakage(b *testing.B) {
	const n, d = 100_000, 40
	x := make([]float64, n*d)
	test := make([]bool, n)
	label := make([]int, n)
	for i := range n {
		src := i
		if i%4 == 3 {
			src = i / 2
		}
		for j := range d {
			x[i*d+j] = float64(src%1000)/7 + float64(src/1000*d+j)
		}
		test[i], label[i] = i%3 == 0, src%5
	}
	b.ReportAllocs()
	for b.Loop() {
		MeasureLeakage(x, d, test, label)
	}
}
