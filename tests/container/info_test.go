package container

import (
	"os"
	"strings"
	"testing"

	"goinit/tests/internal/testenv"
)

func TestDockerInfoShowsGoinitsCommitWithoutAParseWarning(t *testing.T) {
	dockerInit.require(t)
	logPath := os.Getenv("GOINITTEST_DOCKERD_LOG")
	if logPath == "" {
		testenv.SkipUnlessCI(t, "GOINITTEST_DOCKERD_LOG does not name the daemon's log (engine-up.sh sets it)")
	}
	// goinit prints "goinit version X - git.<commit>"; dockerd reads the
	// commit from that, the way it reads tini's.
	version := strings.TrimSpace(goinitVersion(t))
	_, commit, ok := strings.Cut(version, " - git.")
	if !ok {
		t.Fatalf("goinit --version printed %q, which has no %q", version, " - git.")
	}
	info := fromDockerfile.do(t, "info", "--format", "{{.InitBinary}}|{{.InitCommit.ID}}")
	binary, id, _ := strings.Cut(strings.TrimSpace(info), "|")
	if id != commit {
		t.Errorf("docker info shows init commit %q, want goinit's %q", id, commit)
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// dockerd logs "failed to parse <init> version" (or "failed to
	// retrieve") as a warning when it cannot read the init's version.
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, binary) && (strings.Contains(line, "level=warning") || strings.Contains(line, "level=error")) {
			t.Errorf("the daemon complained about its init: %s", line)
		}
	}
}
