package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/runner"
)

// decodeAll decodes every document of a YAML file.
func decodeAll(t *testing.T, path string) []map[string]any {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var docs []map[string]any
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
}

// dig follows keys (string) and indices (int) into decoded YAML.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: want a mapping, got %T", p, v)
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("at %v: want a list of more than %d, got %v", p, k, v)
			}
			v = s[k]
		}
	}
	return v
}

func strs(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("want a list, got %T", v)
	}
	var out []string
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// flagValue returns the argument after flag in args.
func flagValue(t *testing.T, args []string, flag string) string {
	t.Helper()
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("args %v have no %s value", args, flag)
	}
	return args[i+1]
}

// TestKubernetesManifests checks deploy/kubernetes structurally: an Indexed
// Job whose completion index is wired to -shard I/N with N its
// completions, every shard writing to the shared volume, and a merge Job
// joining that run directory in place.
func TestKubernetesManifests(t *testing.T) {
	docs := decodeAll(t, filepath.Join("..", "deploy", "kubernetes", "sweep.yaml"))
	var job, pvc map[string]any
	for _, d := range docs {
		switch d["kind"] {
		case "Job":
			job = d
		case "PersistentVolumeClaim":
			pvc = d
		}
	}
	if job == nil || pvc == nil {
		t.Fatalf("sweep.yaml: want a Job and a PersistentVolumeClaim, got %d documents", len(docs))
	}
	if dig(t, job, "spec", "completionMode") != "Indexed" {
		t.Error("the sweep Job is not Indexed")
	}
	n, _ := dig(t, job, "spec", "completions").(int)
	if p, _ := dig(t, job, "spec", "parallelism").(int); n < 1 || p != n {
		t.Errorf("completions %d, parallelism %d: want equal, >= 1", n, p)
	}
	if modes := strs(t, dig(t, pvc, "spec", "accessModes")); !slices.Contains(modes, "ReadWriteMany") {
		t.Errorf("the volume's access modes %v: shards on several nodes need ReadWriteMany", modes)
	}
	claim := dig(t, pvc, "metadata", "name")
	container := dig(t, job, "spec", "template", "spec", "containers", 0)
	env := dig(t, container, "env", 0)
	if dig(t, env, "name") != "JOB_COMPLETION_INDEX" ||
		dig(t, env, "valueFrom", "fieldRef", "fieldPath") != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("env %v: want JOB_COMPLETION_INDEX from the completion-index annotation", env)
	}
	args := strs(t, dig(t, container, "args"))
	if args[0] != "run" {
		t.Fatalf("shard args %v: want harness run", args)
	}
	shardArg := flagValue(t, args, "-shard")
	if want := fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", n); shardArg != want {
		t.Errorf("-shard %s, want %s", shardArg, want)
	}
	for k := range n {
		s, err := runner.ParseShard(strings.ReplaceAll(shardArg, "$(JOB_COMPLETION_INDEX)", fmt.Sprint(k)))
		if err != nil || s.Index != k || s.Count != n {
			t.Errorf("index %d: -shard parses as %v, %v", k, s, err)
		}
	}
	out := flagValue(t, args, "-out")
	mount := dig(t, container, "volumeMounts", 0)
	if dig(t, mount, "mountPath") != out {
		t.Errorf("shards write to %s, the volume is mounted at %v", out, dig(t, mount, "mountPath"))
	}
	if dig(t, job, "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName") != claim {
		t.Error("the sweep Job does not mount the claim")
	}
	expFile := args[len(args)-1]
	exp, err := experiments.ParseFile(filepath.Join("..", expFile))
	if err != nil {
		t.Fatalf("the sweep's experiment: %v", err)
	}

	merge := decodeAll(t, filepath.Join("..", "deploy", "kubernetes", "merge.yaml"))[0]
	margs := strs(t, dig(t, merge, "spec", "template", "spec", "containers", 0, "args"))
	if want := []string{"merge", "-out", out, out + "/" + exp.Spec.Name}; !slices.Equal(margs, want) {
		t.Errorf("merge args %v, want %v", margs, want)
	}
	if dig(t, merge, "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName") != claim {
		t.Error("the merge Job does not mount the claim")
	}
}

// TestCIMatrixExample checks deploy/ci's workflow: one matrix job per
// shard 0..N-1 of -shard I/N, all merged.
func TestCIMatrixExample(t *testing.T) {
	wf := decodeAll(t, filepath.Join("..", "deploy", "ci", "github-actions-sweep.yml"))[0]
	shards := strs(t, dig(t, wf, "jobs", "shard", "strategy", "matrix", "shard"))
	n := len(shards)
	for k, s := range shards {
		if s != fmt.Sprint(k) {
			t.Errorf("matrix shards %v: want 0..%d", shards, n-1)
		}
	}
	var runLine, mergeLine string
	for _, steps := range []struct {
		job  string
		line *string
		verb string
	}{{"shard", &runLine, " run "}, {"merge", &mergeLine, " merge "}} {
		list, _ := dig(t, wf, "jobs", steps.job, "steps").([]any)
		for _, step := range list {
			if r, ok := dig(t, step, "run").(string); ok && strings.Contains(r, steps.verb) {
				*steps.line = r
			}
		}
	}
	if want := fmt.Sprintf("-shard ${{ matrix.shard }}/%d", n); !strings.Contains(runLine, want) {
		t.Errorf("shard step %q does not pass %s", runLine, want)
	}
	for k := range n {
		if !strings.Contains(mergeLine, fmt.Sprintf("shards/shard-%d", k)) {
			t.Errorf("merge step %q misses shard %d", mergeLine, k)
		}
	}
}
