package trend_test

import (
	"fmt"

	"github.com/segharness/harness/internal/monitor/trend"
)

func Example() {
	// Detection rate of the last eight daily windows.
	days := []float64{0, 1, 2, 3, 4, 5, 6, 7}
	detectionRate := []float64{0.985, 0.981, 0.979, 0.976, 0.975, 0.969, 0.968, 0.964}

	fit, err := trend.Linear(days, detectionRate)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f per day from %.4f, R² %.3f over %d days\n", fit.Slope, fit.Intercept, fit.R2, fit.N)
	if day, ok := fit.Crossing(0.90, days[len(days)-1]); ok {
		fmt.Printf("reaches 0.90 on day %.1f\n", day)
	}
	if _, ok := fit.Crossing(0.99, days[len(days)-1]); !ok {
		fmt.Println("never back to 0.99 at this pace")
	}
	// numpy.polyfit agrees: slope -0.0028929, intercept 0.98475, R² 0.98214.

	// Output:
	// -0.0029 per day from 0.9847, R² 0.982 over 8 days
	// reaches 0.90 on day 29.3
	// never back to 0.99 at this pace
}
