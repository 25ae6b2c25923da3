package layers

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// graph returns the module's packages and their imports of each other
// (tests' imports excluded), from go list: the build's own view.
func graph(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}\n{{.Dir}} {{join .GoFiles \" \"}}", Module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	g := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg := strings.TrimPrefix(fields[0], Module+"/")
		g[pkg] = nil
		for _, imp := range fields[1:] {
			if rest, ok := strings.CutPrefix(imp, Module+"/"); ok {
				g[pkg] = append(g[pkg], rest)
			}
		}
		// Open every source file: go test caches a result until a file
		// the test opened changes, and go list's reads are not the test's.
		if !sc.Scan() {
			t.Fatalf("go list: no files line for %s", pkg)
		}
		files := strings.Fields(sc.Text())
		for _, name := range files[1:] {
			f, err := os.Open(filepath.Join(files[0], name))
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return g
}

// check returns what is wrong with graph g against layers and sideways:
// a package in no layer or in two, a layer entry that is no package, an
// import up the layers, an import within a layer that sideways does not
// list, and a sideways entry that is no import.
func check(g map[string][]string, layers []Layer, sideways map[string][]string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	layerOf := map[string]int{}
	for i, l := range layers {
		for _, p := range l.Packages {
			if _, dup := layerOf[p]; dup {
				bad("%s is in two layers", p)
			}
			layerOf[p] = i
			if _, ok := g[p]; !ok {
				bad("the layers list %s, which is not a package of the module", p)
			}
		}
	}
	for pkg, imps := range g {
		lp, ok := layerOf[pkg]
		if !ok {
			bad("%s is in no layer: add it to Layers (internal/layers/layers.go) where its imports put it", pkg)
			continue
		}
		for _, imp := range imps {
			li, ok := layerOf[imp]
			switch {
			case !ok, li < lp:
			case li == lp && slices.Contains(sideways[pkg], imp):
			case li == lp:
				bad("%s imports %s, of its own layer (%s): list the edge in Sideways, or move one of them", pkg, imp, layers[lp].Name)
			default:
				bad("%s (layer %q) imports %s (layer %q, above it)", pkg, layers[lp].Name, imp, layers[li].Name)
			}
		}
	}
	for pkg, imps := range sideways {
		for _, imp := range imps {
			if !slices.Contains(g[pkg], imp) {
				bad("Sideways lists %s -> %s, which is no import: remove it", pkg, imp)
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// TestLayers checks the module's import graph against Layers and
// Sideways.
func TestLayers(t *testing.T) {
	for _, p := range check(graph(t), Layers, Sideways) {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("the layers, bottom to top: %s", Order())
	}
}

// TestCheck: check finds each kind of problem in a hand-made graph (and
// nothing in a sound one), so that TestLayers can fail.
func TestCheck(t *testing.T) {
	layers := []Layer{{"low", []string{"a", "b"}}, {"mid", []string{"c"}}, {"top", []string{"d"}}}
	sound := map[string][]string{"a": nil, "b": {"a"}, "c": {"a", "b"}, "d": {"c", "a"}}
	if p := check(sound, layers, map[string][]string{"b": {"a"}}); len(p) > 0 {
		t.Errorf("a sound graph: %q", p)
	}
	for _, tc := range []struct {
		name     string
		g        map[string][]string
		sideways map[string][]string
		want     string
	}{
		{"upward", map[string][]string{"a": nil, "b": nil, "c": {"d"}, "d": nil}, nil, "c (layer \"mid\") imports d (layer \"top\", above it)"},
		{"sideways unlisted", map[string][]string{"a": nil, "b": {"a"}, "c": nil, "d": nil}, nil, "b imports a, of its own layer (low)"},
		{"unplaced", map[string][]string{"a": nil, "b": nil, "c": nil, "d": nil, "e": nil}, nil, "e is in no layer"},
		{"gone", map[string][]string{"a": nil, "b": nil, "c": nil}, nil, "the layers list d, which is not a package"},
		{"stale sideways", map[string][]string{"a": nil, "b": nil, "c": nil, "d": nil}, map[string][]string{"b": {"a"}}, "Sideways lists b -> a, which is no import"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := check(tc.g, layers, tc.sideways)
			if len(p) != 1 || !strings.HasPrefix(p[0], tc.want) {
				t.Errorf("problems %q, want one beginning %q", p, tc.want)
			}
		})
	}
}

// TestUnlinked: the packages of Unlinked link none of the modules listed.
func TestUnlinked(t *testing.T) {
	for pkg, prefixes := range Unlinked {
		out, err := exec.Command("go", "list", "-deps", Module+"/"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, p := range prefixes {
				if dep == p || strings.HasSuffix(p, "/") && strings.HasPrefix(dep, p) {
					t.Errorf("%s links %s (Unlinked forbids %s)", pkg, dep, p)
				}
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite the layers table of docs/architecture.md")

// TestArchitectureDoc: docs/architecture.md's layers table is Layers.
func TestArchitectureDoc(t *testing.T) {
	const path = "../../docs/architecture.md"
	const begin, end = "<!-- layers:begin -->\n", "<!-- layers:end -->"
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(body)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q section", path, strings.TrimSpace(begin), end)
	}
	var b strings.Builder
	b.WriteString("| layer (bottom first) | packages | may import sideways |\n|---|---|---|\n")
	for _, l := range Layers {
		var pkgs, side []string
		for _, p := range l.Packages {
			pkgs = append(pkgs, "`"+p+"`")
			for _, s := range Sideways[p] {
				side = append(side, "`"+p+"` → `"+s+"`")
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", l.Name, strings.Join(pkgs, ", "), strings.Join(side, ", "))
	}
	want := doc[:i+len(begin)] + b.String() + doc[j:]
	if want == doc {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the layers table differs from Layers; run go test ./internal/layers -update", path)
}
