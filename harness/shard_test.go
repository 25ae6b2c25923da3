package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allFiles returns every file under dir by relative path, report included.
func allFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		body, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = body
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	for name, body := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s missing", what, name)
		} else if !bytes.Equal(g, body) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s unexpected", what, name)
		}
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("harness %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// TestShardsMergeAndWorkers: one worker and four give the same run; three
// shards, run into their own directories or into one shared directory, and
// merged, give it too, report included.
func TestShardsMergeAndWorkers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "resume.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(resumeExperiment, "flows: 20000", "flows: 2000", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	one, four := filepath.Join(dir, "one"), filepath.Join(dir, "four")
	mustRun(t, "run", "-out", one, "-workers", "1", file)
	mustRun(t, "run", "-out", four, "-workers", "4", file)
	want := allFiles(t, filepath.Join(one, "resume"))
	sameFiles(t, "4 workers against 1", want, allFiles(t, filepath.Join(four, "resume")))

	// Shards in their own directories, as CI matrix jobs' artifacts.
	var shardDirs []string
	for i, workers := range []string{"1", "2", "3"} {
		out := filepath.Join(dir, "shard"+workers)
		got := mustRun(t, "run", "-out", out, "-workers", workers, "-shard", []string{"0/3", "1/3", "2/3"}[i], file)
		if !strings.Contains(got, "join the 3 shards with harness merge") {
			t.Errorf("shard run said %q", got)
		}
		if _, err := os.Stat(filepath.Join(out, "resume", "manifest.json")); err == nil {
			t.Errorf("shard %d wrote a manifest", i)
		}
		shardDirs = append(shardDirs, filepath.Join(out, "resume"))
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"merge", "-out", filepath.Join(dir, "partial")}, shardDirs[:2]...), strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "shards 2 of 3 missing") {
		t.Errorf("merging two of three shards: %v, want shard 2 named missing", err)
	}
	merged := filepath.Join(dir, "merged")
	mustRun(t, append([]string{"merge", "-out", merged}, shardDirs...)...)
	sameFiles(t, "merged shards against the unsharded run", want, allFiles(t, filepath.Join(merged, "resume")))

	// Shards on one shared volume, merged in place (a Kubernetes Indexed
	// Job's layout).
	shared := filepath.Join(dir, "shared")
	for _, s := range []string{"2/3", "0/3", "1/3"} {
		mustRun(t, "run", "-out", shared, "-workers", "2", "-shard", s, file)
	}
	mustRun(t, "merge", "-out", shared, filepath.Join(shared, "resume"))
	sameFiles(t, "shards merged in place against the unsharded run", want, allFiles(t, filepath.Join(shared, "resume")))
}
