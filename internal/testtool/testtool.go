// Package testtool finds the command-line tools and data files that tests
// check cordon's output with (poppler-utils, poppler-data, zbar-tools).
// Without them a test skips loudly on a developer's machine and fails
// under CI (CI=true), where scripts/setup.sh installs them.
package testtool

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

func missing(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is missing: run scripts/setup.sh", what)
	}
	tb.Skipf("!!! SKIPPING: %s is missing; run scripts/setup.sh (poppler-utils, poppler-data, zbar-tools) !!!", what)
}

// Path returns the path of a tool.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(tb, name)
	}
	return path
}

// Run runs a tool and returns what it printed, failing the test with its
// error output when it fails.
func Run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(Path(tb, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return string(out)
}

// ReadFile reads a data file a package installs.
func ReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		missing(tb, path)
	}
	return data
}
