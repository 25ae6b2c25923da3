package models

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBuiltins: the notebook's four kinds are registered with the roles
// and defaults of scikit-learn 1.2.1 (RandomForestClassifier,
// IsolationForest, KMeans with n_init 10, DBSCAN), ECOD with PyOD's
// default contamination, and LOF with LocalOutlierFactor's defaults.
func TestBuiltins(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		roles    []Role
		defaults map[string]string
	}{
		{KindRandomForest, []Role{Detector, Typer}, map[string]string{"target": "is_anomaly", "trees": "100", "max_features": "sqrt", "max_depth": "0",
			"min_samples_split": "2", "min_samples_leaf": "1", "class_weight": "none", "bootstrap": "true", "splitter": "exact", "max_bins": "255"}},
		{KindIsolationForest, []Role{Detector}, map[string]string{"trees": "100", "max_samples": "auto", "contamination": "auto"}},
		{KindLogisticRegression, []Role{Detector}, map[string]string{"C": "1", "class_weight": "none", "max_iter": "100", "tol": "0.0001"}},
		{KindKMeans, []Role{Clusterer}, map[string]string{"k": "8", "n_init": "10", "max_iter": "300", "tol": "0.0001", "silhouette_sample": "10000"}},
		{KindDBSCAN, []Role{Clusterer}, map[string]string{"eps": "0.5", "min_samples": "5", "silhouette_sample": "10000"}},
		{KindECOD, []Role{Detector}, map[string]string{"contamination": "0.1"}},
		{KindLOF, []Role{Detector}, map[string]string{"n_neighbors": "20", "contamination": "auto"}},
		{KindGradientBoosting, []Role{Detector, Typer}, map[string]string{"target": "is_anomaly", "learning_rate": "0.1", "max_iter": "100",
			"max_leaf_nodes": "31", "max_depth": "0", "min_samples_leaf": "20", "l2_regularization": "0", "max_bins": "255",
			"early_stopping": "auto", "validation_fraction": "0.1", "n_iter_no_change": "10", "tol": "1e-07", "class_weight": "none"}},
	} {
		k := Lookup(tc.kind)
		if k == nil {
			t.Fatalf("kind %s is not registered", tc.kind)
		}
		if !slices.Equal(k.Roles, tc.roles) {
			t.Errorf("%s roles %v, want %v", tc.kind, k.Roles, tc.roles)
		}
		got := map[string]string{}
		for key, v := range k.Defaults() {
			got[key] = v.Text
		}
		if diff := cmp.Diff(tc.defaults, got); diff != "" {
			t.Errorf("%s defaults (-want +got):\n%s", tc.kind, diff)
		}
	}
	rf := Lookup(KindRandomForest)
	v := rf.Defaults()
	if rf.Role(v) != Detector {
		t.Error("a random forest with target is_anomaly is not a detector")
	}
	v["target"] = Value{Text: TargetAnomalyType}
	if rf.Role(v) != Typer {
		t.Error("a random forest with target anomaly_type is not a typer")
	}
	if got := Lookup(KindKMeans).Produces(Lookup(KindKMeans).Defaults()); !slices.Contains(got, "inertia") || !slices.Contains(got, "silhouette") {
		t.Errorf("kmeans produces %v, want its role's metrics and inertia", got)
	}
	if got := KindsWithKey("trees"); !slices.Equal(got, []string{KindIsolationForest, KindRandomForest}) {
		t.Errorf("KindsWithKey(trees) = %v", got)
	}
	if !slices.IsSorted(Names()) {
		t.Errorf("Names() = %v, not sorted", Names())
	}
}

// TestRegisterMisuse: a kind declared wrongly panics at registration,
// naming the problem.
func TestRegisterMisuse(t *testing.T) {
	fit := func(context.Context, *Task) (*Result, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		kind *Kind
		want string
	}{
		{"no name", &Kind{Roles: []Role{Detector}, Fit: fit}, "without a name"},
		{"no role", &Kind{Name: "x1", Fit: fit}, "has no role"},
		{"roles without RoleOf", &Kind{Name: "x3", Roles: []Role{Detector, Typer}, Fit: fit}, "no RoleOf"},
		{"twice", &Kind{Name: KindDBSCAN, Roles: []Role{Clusterer}, Fit: fit}, "registered twice"},
		{"reserved key", &Kind{Name: "x4", Roles: []Role{Detector}, Fit: fit, Params: []Param{{Key: "name", Doc: "d"}}}, "twice"},
		{"no doc", &Kind{Name: "x5", Roles: []Role{Detector}, Fit: fit, Params: []Param{{Key: "a"}}}, "no Doc"},
		{"bad default", &Kind{Name: "x6", Roles: []Role{Detector}, Fit: fit, Params: []Param{{Key: "a", Doc: "d", Type: Enum, Values: []string{"p"}, Default: "q"}}}, "not among"},
		{"sweepable list", &Kind{Name: "x7", Roles: []Role{Detector}, Fit: fit, Params: []Param{{Key: "a", Doc: "d", Type: Strings, Sweepable: true}}}, "cannot be swept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tc.want) {
					t.Errorf("Register panicked with %v, want a message containing %q", r, tc.want)
				}
			}()
			Register(tc.kind)
		})
	}
}

// TestSetFit: a kind registered without a Fit takes one from SetFit,
// once; SetFit of an unknown kind or a nil Fit panics.
func TestSetFit(t *testing.T) {
	fit := func(context.Context, *Task) (*Result, error) { return nil, nil }
	Register(&Kind{Name: "test_set_fit", Roles: []Role{Detector}})
	SetFit("test_set_fit", fit)
	if Lookup("test_set_fit").Fit == nil {
		t.Fatal("SetFit did not set the kind's Fit")
	}
	for _, tc := range []struct {
		name, kind string
		fit        FitFunc
		want       string
	}{
		{"unknown kind", "test_no_such_kind", fit, "not registered"},
		{"nil fit", "test_set_fit", nil, "nil Fit"},
		{"twice", "test_set_fit", fit, "has a Fit already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tc.want) {
					t.Errorf("SetFit panicked with %v, want a message containing %q", r, tc.want)
				}
			}()
			SetFit(tc.kind, tc.fit)
		})
	}
}

// TestValues: the accessors read canonical text, words are 0, and Clone
// copies deeply.
func TestValues(t *testing.T) {
	v := Values{
		"n": {Text: "12"}, "auto": {Text: "auto"}, "f": {Text: "0.25"}, "b": {Text: "true"},
		"list": {List: []string{"a", "b"}}, "map": {Map: []Entry{{Key: "x", Value: Value{Text: "1", Tag: "int"}}}},
		"d": {Text: "1h30m"},
	}
	if v.Int("n") != 12 || v.Int("auto") != 0 || v.Float("f") != 0.25 || !v.Bool("b") || v.Duration("d") != 90*time.Minute {
		t.Errorf("accessors read %d %d %g %t %v", v.Int("n"), v.Int("auto"), v.Float("f"), v.Bool("b"), v.Duration("d"))
	}
	c := v.Clone()
	c["list"].List[0] = "changed"
	c["map"].Map[0].Value.Text = "2"
	if v.Strings("list")[0] != "a" || v.Entries("map")[0].Value.Text != "1" {
		t.Error("Clone shares lists or entries with the original")
	}
	defer func() {
		if recover() == nil {
			t.Error("reading an absent parameter did not panic")
		}
	}()
	v.Int("absent")
}

// TestDurations: FormatDuration's text reads back with ParseDuration.
func TestDurations(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 90 * time.Second, 36 * time.Hour, 7 * Day, MaxDuration} {
		got, err := ParseDuration(FormatDuration(d))
		if err != nil || got != d {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", d, got, err)
		}
	}
	for s, want := range map[string]error{"-5m": ErrNegative, "1.5s": ErrSubSecond, "3651d": ErrTooLong, "5": ErrSyntax, "": ErrSyntax} {
		if _, err := ParseDuration(s); err != want {
			t.Errorf("ParseDuration(%q) = %v, want %v", s, err, want)
		}
	}
}
