package scoring

import "testing"

// For the external tests (runner_test.go), which import internal/runner,
// itself an importer of this package.

// NotebookExperiment is notebookExperiment.
const NotebookExperiment = notebookExperiment

// TrainLikeRunner returns trainLikeRunner's model of the experiment.
func TrainLikeRunner(t testing.TB, src string) *Model { return trainLikeRunner(t, src).model }
