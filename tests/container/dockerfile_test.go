package container

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDockerfileExampleCMDIsAServerThatStopsCleanly(t *testing.T) {
	m := fromDockerfile
	m.require(t)
	c := m.start(t, nil) // the image's own CMD
	if !eventually(func() bool { return c.logs() == "ready\n" }) {
		t.Fatalf("the example CMD did not say ready; logs %q", c.logs())
	}
	if code := c.stop(stopTimeout); code != 0 {
		t.Errorf("the example CMD exited %d on stop, want 0", code)
	}
	if logs := c.logs(); logs != "ready\nstopping\n" {
		t.Errorf("the example CMD wrote %q, want %q", logs, "ready\nstopping\n")
	}
}

func TestDockerfileExampleBuildsWithTheGoOfGoMod(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile.example"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	goImage := regexp.MustCompile(`(?m)^ARG GO_IMAGE=golang:(\d+\.\d+)`).FindSubmatch(dockerfile)
	if goVersion == nil || goImage == nil {
		t.Fatalf("no go directive in go.mod (%v) or no golang default for GO_IMAGE in Dockerfile.example (%v)",
			goVersion != nil, goImage != nil)
	}
	if string(goImage[1]) != string(goVersion[1]) {
		t.Errorf("Dockerfile.example builds with golang:%s, go.mod asks for Go %s", goImage[1], goVersion[1])
	}
	if !strings.Contains(string(dockerfile), `ENTRYPOINT ["/sbin/goinit", "--"]`) {
		t.Error(`Dockerfile.example has no ENTRYPOINT ["/sbin/goinit", "--"]`)
	}
}
