package mltest

import (
	"os/exec"
	"testing"
)

// Python is the interpreter the reference scripts under scripts/reference
// run on: Debian's, with numpy, scipy, scikit-learn and XGBoost (the
// python3 first on PATH may lack them).
const Python = "/usr/bin/python3"

// NeedPython skips the test when Python cannot run the import statement
// imports (such as "import sklearn, threadpoolctl").
func NeedPython(tb testing.TB, imports string) {
	tb.Helper()
	if err := exec.Command(Python, "-c", imports).Run(); err != nil {
		tb.Skipf("%s cannot run %q: %v", Python, imports, err)
	}
}
