package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/segharness/harness/experiments"
)

// TestReadmeExperiment: the experiment the README shows is a valid file.
func TestReadmeExperiment(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(raw)
	if m == nil {
		t.Fatal("README.md: no yaml block")
	}
	if _, err := experiments.Parse(m[1], "README.md"); err != nil {
		t.Errorf("the README's experiment: %v", err)
	}
}
