//go:build !unix

package external

import "os/exec"

// processGroup: elsewhere a cancelled context kills the process itself.
func processGroup(*exec.Cmd) {}

func killGroup(*exec.Cmd) {}

func signalOf(*exec.ExitError) string { return "" }
