package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// TestCheckedIn checks that experiments/data/drifting-flows.csv.gz holds
// what this program writes (compared decompressed, as gzip's bytes may
// differ between Go versions), so the experiment's table is reproducible
// from the code.
func TestCheckedIn(t *testing.T) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	want := gunzip(t, b.Bytes())
	data, err := os.ReadFile("../../experiments/data/drifting-flows.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if got := gunzip(t, data); !bytes.Equal(got, want) {
		t.Errorf("experiments/data/drifting-flows.csv.gz differs from what go run ./scripts/driftflows writes: rerun it")
	}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
