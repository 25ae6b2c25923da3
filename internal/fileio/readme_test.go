package fileio

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLimitsTable: the README's limits table lists every limit with
// its default, as this package defines them.
func TestReadmeLimitsTable(t *testing.T) {
	for _, doc := range []string{"../../README.md", "../../docs/limits.md"} {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		row := regexp.MustCompile("(?m)^\\| `(HARNESS_MAX_[A-Z_]+)` \\| ([^|]+) \\|")
		got := map[string]string{}
		for _, m := range row.FindAllStringSubmatch(string(raw), -1) {
			got[m[1]] = strings.ReplaceAll(strings.TrimSpace(m[2]), ",", "")
		}
		for _, l := range Limits() {
			if want := l.Format(l.Default); got[l.Env] != want {
				t.Errorf("%s: %s's default is %q, the code's %q", doc, l.Env, got[l.Env], want)
			}
			delete(got, l.Env)
		}
		for env := range got {
			t.Errorf("%s lists %s, which is not a limit", doc, env)
		}
	}
}
