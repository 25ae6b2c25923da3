package forest

import (
	"fmt"
	"strconv"
	"strings"
)

// ExportText renders t as scikit-learn 1.2.1's sklearn.tree.export_text
// does with decimals=2 and spacing=3:
//
//	|--- feature <= threshold
//	|   |--- class: name
//	|--- feature >  threshold
//	|   |--- truncated branch of depth 2
//
// Nodes down to maxDepth (export_text's max_depth) are written out; below
// that a leaf is still shown, a deeper subtree as "truncated branch of
// depth k". A leaf's class is the argmax of its weighted class counts,
// first class on a tie.
//
// featureNames (nil or empty: "feature_0", "feature_1", ...) names the
// columns; classNames (nil: the class index in decimal) names the classes.
// A forest's trees in scikit-learn are fitted on labels encoded as floats,
// so to reproduce export_text(forest.estimators_[i]) pass "0.0", "1.0", ...
// It panics if maxDepth < 0 or a non-empty name list has the wrong length.
func ExportText(t *Tree, featureNames, classNames []string, maxDepth int) string {
	if maxDepth < 0 {
		panic(fmt.Sprintf("forest: export max depth %d < 0", maxDepth))
	}
	if len(featureNames) != 0 && len(featureNames) != t.features {
		panic(fmt.Sprintf("forest: %d feature names for %d features", len(featureNames), t.features))
	}
	if classNames != nil && len(classNames) != t.classes {
		panic(fmt.Sprintf("forest: %d class names for %d classes", len(classNames), t.classes))
	}
	e := exporter{t: t, featureNames: featureNames, classNames: classNames, maxDepth: maxDepth}
	e.node(0, 1)
	return e.out.String()
}

type exporter struct {
	t            *Tree
	featureNames []string
	classNames   []string
	maxDepth     int
	out          strings.Builder
}

const spacing = 3

func (e *exporter) node(i, depth int) {
	indent := strings.Repeat("|"+strings.Repeat(" ", spacing), depth)
	indent = indent[:len(indent)-spacing] + strings.Repeat("-", spacing)
	t := e.t
	if depth > e.maxDepth+1 {
		if d := t.subtreeDepth(i); d > 1 {
			fmt.Fprintf(&e.out, "%s truncated branch of depth %d\n", indent, d)
			return
		}
		e.leaf(i, indent)
		return
	}
	f := t.Feature[i]
	if f == Undefined {
		e.leaf(i, indent)
		return
	}
	name := "feature_" + strconv.Itoa(f)
	if len(e.featureNames) != 0 {
		name = e.featureNames[f]
	}
	threshold := strconv.FormatFloat(t.Threshold[i], 'f', 2, 64)
	fmt.Fprintf(&e.out, "%s %s <= %s\n", indent, name, threshold)
	e.node(t.ChildrenLeft[i], depth+1)
	fmt.Fprintf(&e.out, "%s %s >  %s\n", indent, name, threshold)
	e.node(t.ChildrenRight[i], depth+1)
}

func (e *exporter) leaf(i int, indent string) {
	k := e.t.classes
	c := Argmax(e.t.Value[i*k : (i+1)*k])
	name := strconv.Itoa(c)
	if e.classNames != nil && k != 1 {
		name = e.classNames[c]
	}
	fmt.Fprintf(&e.out, "%s class: %s\n", indent, name)
}

// subtreeDepth is the number of levels of the subtree rooted at node i, 1
// for a leaf (scikit-learn's _compute_depth).
func (t *Tree) subtreeDepth(i int) int {
	if t.ChildrenLeft[i] == Leaf {
		return 1
	}
	return 1 + max(t.subtreeDepth(t.ChildrenLeft[i]), t.subtreeDepth(t.ChildrenRight[i]))
}
