package tabular

import (
	"path/filepath"

	"github.com/segharness/harness/datasets/tabular/tabspec"
)

// The NSL-KDD files, as stored in the shared data directory
// (gzip-compressed CSV without a header).
const (
	KDDTrain   = "KDDTrain+.txt.gz"           // 125,973 rows
	KDDTest    = "KDDTest+.txt.gz"            // 22,544 rows
	KDDTrain20 = "KDDTrain+_20Percent.txt.gz" // 25,192 rows, a subset of KDDTrain+
	KDDTest21  = "KDDTest-21.txt.gz"          // 11,850 rows, KDDTest+ without the rows all 21 reference learners got right
)

// NSLKDD returns the spec of the given NSL-KDD files of dir (KDDTrain,
// KDDTest, KDDTrain20, KDDTest21, or the uncompressed .txt files): their
// paths and tabspec.NSLKDD's mapping. With no files the spec has none and
// Read refuses it.
func NSLKDD(dir string, files ...string) Spec {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, f)
	}
	return Spec{Files: paths, Mapping: tabspec.NSLKDD()}
}
