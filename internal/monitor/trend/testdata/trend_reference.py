"""Reference values for internal/monitor/trend, computed by NumPy.

Prints slope, intercept and R^2 of numpy.polyfit(x, y, 1) on the
deterministic data sets of trend_test.go, as Go literals to paste. R^2 is
1 - SS_res / SS_tot of the polyfit line, which equals SS_reg / SS_tot for
least squares with an intercept.

Usage (Debian's python3-numpy 1.24.2):
  /usr/bin/python3 internal/monitor/trend/testdata/trend_reference.py
"""
import numpy as np


def g(x):
    return repr(float(x))


def fit(name, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    r2 = 1 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2)
    print(f'{{name: "{name}", slope: {g(slope)}, intercept: {g(intercept)}, r2: {g(r2)}}},')


print("# numpy", np.__version__)
fit("three points", [0.0, 1.0, 2.0], [1.0, 2.0, 4.0])
fit("uneven", [0.5, 1.5, 2.0, 4.0, 7.5, 8.0], [0.98, 0.97, 0.975, 0.95, 0.93, 0.91])
# Hourly windows from a Unix time: saw-tooth noise on a falling rate.
fit(
    "hourly",
    [1.7e9 + 3600.0 * i for i in range(500)],
    [((i * 37) % 101) / 1000 + 0.9 - i * 1e-4 for i in range(500)],
)
# Daily windows: a rising false positive rate with a repeating pattern.
fit(
    "daily",
    [float(i) for i in range(60)],
    [0.01 + i * 2.5e-4 + ((i * 7) % 5 - 2) * 1e-3 for i in range(60)],
)
