// Package suggest finds the name a user probably meant: the "did you mean"
// of error messages about unknown keys, columns and roles.
package suggest

import "strings"

// MaxDistance is the largest edit distance at which a candidate is
// suggested.
const MaxDistance = 2

// Closest returns the candidate nearest to s within MaxDistance edits, the
// first of equals, or "" if none is. A candidate equal to s is never
// suggested; one differing only in case or surrounding spaces counts as
// distance 0.
func Closest(s string, candidates []string) string {
	best, bestD := "", MaxDistance+1
	for _, c := range candidates {
		if c == s {
			continue
		}
		d := Distance(s, c)
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(c)) {
			d = 0
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b in bytes; it gives
// up (returning a large value) on strings longer than 256 bytes.
func Distance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
