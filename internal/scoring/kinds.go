package scoring

import (
	"fmt"
	"strings"

	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/ml/gbdt"
)

// Classifier is a fitted classifier a model scores with: the detector or
// the attack-type classifier. Kinds lists the concrete types a model
// directory can hold.
type Classifier interface {
	// Features is the length of the rows it takes.
	Features() int
	// Classes is the number of classes it predicts.
	Classes() int
	// PredictProba writes the probability of each class for row into out
	// (len Classes()), without allocating.
	PredictProba(row, out []float64)
	// MarshalBinary encodes it, for the model directory's file.
	MarshalBinary() ([]byte, error)
}

// classifierKind is a kind of Classifier a model directory can hold: its
// model kind (internal/models), its name in model.json (file; "" for the
// random forest, the format's first kind, so that its model.json is
// unchanged), how its file decodes, and which values are of it.
type classifierKind struct {
	model, file string
	decode      func([]byte) (Classifier, error)
	is          func(Classifier) bool
}

// classifierKinds are the classifiers a model holds.
var classifierKinds = []classifierKind{
	{
		model: "random_forest", file: "",
		decode: func(data []byte) (Classifier, error) {
			f := new(forest.Forest)
			if err := f.UnmarshalBinary(data); err != nil {
				return nil, err
			}
			return f, nil
		},
		is: func(c Classifier) bool { _, ok := c.(*forest.Forest); return ok },
	},
	{
		model: "gradient_boosting", file: "gradient_boosting",
		decode: func(data []byte) (Classifier, error) {
			m := new(gbdt.Model)
			if err := m.UnmarshalBinary(data); err != nil {
				return nil, err
			}
			return m, nil
		},
		is: func(c Classifier) bool { _, ok := c.(*gbdt.Model); return ok },
	},
}

// Kinds lists the model kinds whose fitted classifiers a model holds, as
// exported models and harness score and serve take them.
func Kinds() []string {
	out := make([]string, len(classifierKinds))
	for i, k := range classifierKinds {
		out[i] = k.model
	}
	return out
}

// kindList names Kinds for messages.
func kindList() string { return strings.Join(Kinds(), " and ") }

// kindOf returns c's kind, or an error for a classifier of no kind a
// model holds.
func kindOf(c Classifier) (classifierKind, error) {
	for _, k := range classifierKinds {
		if k.is(c) {
			return k, nil
		}
	}
	return classifierKind{}, fmt.Errorf("a classifier of type %T, which a model does not hold (it holds %s)", c, kindList())
}

// kindNamed returns the kind model.json names file.
func kindNamed(file string) (classifierKind, bool) {
	for _, k := range classifierKinds {
		if k.file == file {
			return k, true
		}
	}
	return classifierKind{}, false
}
