package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"seeds", "seed", 1}, {"flaw", "lawn", 2},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"seeds", "data", "models", "targets"}
	for _, c := range []struct{ s, want string }{
		{"seed", "seeds"},
		{"modles", "models"},
		{"Data", "data"},
		{" data ", "data"},
		{"xyzzy", ""},
		{"data", ""}, // the name itself is never suggested
	} {
		if got := Closest(c.s, keys); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}
