package kinds

import (
	"slices"
	"testing"

	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/models/external"
)

// TestEveryKindFits: with this package linked, every kind the registry
// declares has a Fit.
func TestEveryKindFits(t *testing.T) {
	for _, k := range models.Kinds() {
		if k.Fit == nil {
			t.Errorf("kind %s has no Fit", k.Name)
		}
	}
}

// TestExternalFormats: the external kind's format key offers the formats
// the protocol package writes, its default first.
func TestExternalFormats(t *testing.T) {
	p := models.Lookup(models.KindExternal).Param("format")
	if want := []string{external.FormatNPY, external.FormatParquet}; !slices.Equal(p.Values, want) || p.Default != want[0] {
		t.Errorf("external format values %v, default %s; the protocol's formats are %v", p.Values, p.Default, want)
	}
}
