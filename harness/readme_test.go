package main

import (
	"os"
	"regexp"
	"strings"
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

// TestDocsCommandList: docs/commands.md lists the commands as harness help
// prints them, from the command table (go test -update rewrites it).
func TestDocsCommandList(t *testing.T) {
	const path = "../docs/commands.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	head := strings.Index(doc, "## harness\n\n```\n")
	if head < 0 {
		t.Fatalf("%s: no \"## harness\" section with a code block", path)
	}
	start := head + len("## harness\n\n```\n")
	end := strings.Index(doc[start:], "```\n")
	if end < 0 {
		t.Fatalf("%s: the command list's code block does not end", path)
	}
	got, want := doc[start:start+end], usage()
	if *update {
		if err := os.WriteFile(path, []byte(doc[:start]+want+doc[start+end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("%s: the command list differs from harness help (go test -update rewrites it):\n%s", path, want)
	}
}
