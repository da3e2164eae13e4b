package container

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
)

// readmeDockerOutput is what each of the README's marked Docker commands
// prints, as the README says after it.
var readmeDockerOutput = map[string][]string{
	"build-offline": {"PID 1 is goinit\n", "exit code 3\n"},
	"bind-mount":    {"PID 1 is goinit\n"},
}

func TestTheREADMEsDockerCommandsWorkAsWritten(t *testing.T) {
	requireDocker(t)
	section, err := testenv.ReadmeSection(repoRoot, "## Docker")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := testenv.MarkedBlocks(section, "docker-test")
	if err != nil {
		t.Fatal(err)
	}
	// The README's docker is the client of the engine under test (the
	// tests' DOCKER, Debian's 20.10 client, which builds with the
	// engine's own BuildKit), as the README says.
	shim := t.TempDir()
	client, err := exec.LookPath(dockerCLI)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(client, filepath.Join(shim, "docker")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + shim + ":" + os.Getenv("PATH")}
	var names []string
	for name := range blocks {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want, ok := readmeDockerOutput[name]
		if !ok {
			t.Errorf("the README's Docker command %q has no expected output in this test", name)
			continue
		}
		out, err := testenv.Shell(10*time.Minute, repoRoot, env, "", blocks[name])
		if err != nil {
			t.Errorf("the README's %q failed: %v\n%s", name, err, out)
			continue
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("the README's %q printed %q, want it to contain %q", name, out, w)
			}
		}
	}
	for name := range readmeDockerOutput {
		if _, ok := blocks[name]; !ok {
			t.Errorf("the README no longer has the Docker command %q", name)
		}
	}
}
