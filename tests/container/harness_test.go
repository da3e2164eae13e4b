// Package container runs the built goinit as PID 1 of real containers, the
// ways users run it, and checks what the engine and the workload see:
//
//   - dockerfile: an image built from Dockerfile.example
//     (ENTRYPOINT ["/sbin/goinit", "--"]);
//   - bind-mount: the binary bind-mounted into a plain image and given as
//     --entrypoint;
//   - docker-init: `docker run --init`, with goinit as the daemon's
//     init-path;
//   - podman-init: `podman run --init --init-path goinit`;
//   - release-image, release-binary: images built from the README's Install
//     section's Dockerfiles, with goinit from the release's image or its
//     binary (release_test.go).
//
// The Docker engine is the one DOCKER_HOST names, with goinit as its
// init-path: tests/container/engine-up.sh starts one (.ci/run does). The
// docker client is $DOCKER, or docker on PATH. Images are made locally from
// the machine's busybox-static: no registry is needed.
package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
)

// goinitBin is the binary under test, built by the Makefile (make
// integration passes its path; a bare go test builds it through make).
var goinitBin, repoRoot string

func TestMain(m *testing.M) {
	repoRoot, _ = filepath.Abs("../..")
	var err error
	if goinitBin, err = testenv.GoinitBin(repoRoot); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	for _, dir := range cleanupDirs {
		if err := unmountUnder(dir); err != nil {
			fmt.Fprintf(os.Stderr, "not removing %s: %v\n", dir, err)
			continue
		}
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// hangGuard bounds every wait, so a goinit or an engine that hangs fails its
// test instead of stalling the suite. It is not a performance threshold.
const hangGuard = 60 * time.Second

// Images the tests make locally.
const (
	baseImage    = "goinit-test/busybox" // busybox-static on an empty root
	exampleImage = "goinit-test/example" // Dockerfile.example on baseImage
)

// cleanupDirs are removed when the tests end.
var cleanupDirs []string

var (
	rootfsReady, dockerReady, podmanReady testenv.Prerequisite
	rootfsDir                             string // busybox-static on an empty root
	dockerCLI                             string
	podmanState                           podmanSetup
)

// requireRootfs makes the busybox root file system podman's containers
// start from; Docker's images need what it checks too (root, Debian's
// static busybox).
func requireRootfs(t *testing.T) {
	t.Helper()
	rootfsReady.Require(t, func() (string, error) {
		if os.Geteuid() != 0 {
			return "needs root to run container engines; run as root (CI does)", nil
		}
		if missing := testenv.MissingBusybox(); missing != "" {
			return missing, nil
		}
		dir, err := os.MkdirTemp("", "goinit-rootfs-")
		if err != nil {
			return "", err
		}
		cleanupDirs = append(cleanupDirs, dir)
		rootfsDir = dir
		return "", testenv.MakeBusyboxRootfs(dir)
	})
}

// requireDocker checks that a Docker engine answers on DOCKER_HOST with
// goinit as its init, and makes the test images.
func requireDocker(t *testing.T) {
	t.Helper()
	requireRootfs(t)
	dockerReady.Require(t, func() (string, error) {
		dockerCLI = os.Getenv("DOCKER")
		if dockerCLI == "" {
			dockerCLI = "docker"
		}
		if _, err := exec.LookPath(dockerCLI); err != nil {
			return fmt.Sprintf("no docker client (%s): apt-get install docker.io", dockerCLI), nil
		}
		out, err := cli(dockerCLI, nil, nil, "version", "--format", "{{.Server.Version}}")
		if err != nil {
			return fmt.Sprintf("no Docker engine answers (DOCKER_HOST=%q): %v %s; start one with goinit as its init: "+
				`eval "$(tests/container/engine-up.sh bin/goinit)"`, os.Getenv("DOCKER_HOST"), err, strings.TrimSpace(out)), nil
		}
		return "", makeImages()
	})
}

// makeImages makes baseImage with scripts/busybox-image.sh, as the README
// does, and builds Dockerfile.example on it, with the goinit under test as
// the prebuilt binary.
func makeImages() error {
	imp := exec.Command(filepath.Join(repoRoot, "scripts/busybox-image.sh"), baseImage)
	imp.Env = append(os.Environ(), "DOCKER="+dockerCLI)
	if out, err := imp.CombinedOutput(); err != nil {
		return fmt.Errorf("making %s: %v\n%s", baseImage, err, out)
	}
	// The build context holds only what the prebuilt stage copies.
	ctx, err := os.MkdirTemp("", "goinit-context-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ctx)
	bin, err := os.ReadFile(goinitBin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(ctx, "bin"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ctx, "bin/goinit"), bin, 0o755); err != nil {
		return err
	}
	out, err := cli(dockerCLI, []string{"DOCKER_BUILDKIT=1"}, nil, "build", "-q",
		"-f", filepath.Join(repoRoot, "Dockerfile.example"),
		"--build-arg", "GOINIT_FROM=prebuilt", "--build-arg", "BASE_IMAGE="+baseImage,
		"-t", exampleImage, ctx)
	if err != nil {
		return fmt.Errorf("building Dockerfile.example: %v\n%s", err, out)
	}
	return nil
}

// cli runs an engine's client with extra environment and stdin, and
// returns its combined output.
func cli(name string, env []string, stdin io.Reader, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s did not finish within %v", name, strings.Join(args, " "), hangGuard)
	}
	return string(out), err
}

// A mode is one way of making goinit PID 1 of a container.
type mode struct {
	name    string
	engine  string          // "docker" or "podman"
	image   func() []string // run options that make goinit PID 1, ending with the image
	command []string        // words between the image and the command
	require func(*testing.T)
}

var (
	fromDockerfile = mode{
		name: "dockerfile", engine: "docker", require: requireDocker,
		image: func() []string { return []string{exampleImage} },
	}
	bindMounted = mode{
		name: "bind-mount", engine: "docker", require: requireDocker,
		image: func() []string {
			return []string{"-v", goinitBin + ":/sbin/goinit:ro", "--entrypoint", "/sbin/goinit", baseImage}
		},
		command: []string{"--"},
	}
	dockerInit = mode{
		name: "docker-init", engine: "docker", require: requireDockerInit,
		image: func() []string { return []string{"--init", baseImage} },
	}
	podmanInit = mode{
		name: "podman-init", engine: "podman", require: requirePodman,
		image: func() []string { return []string{"--init", "--init-path", goinitBin, "--rootfs", podmanState.rootfs} },
	}
	fromReleaseImage = mode{
		name: "release-image", engine: "docker", require: requireReleaseImage,
		image: func() []string { return []string{releaseImage} },
	}
	fromReleaseBinary = mode{
		name: "release-binary", engine: "docker", require: requireReleaseBinary,
		image: func() []string { return []string{releaseBinary} },
	}
	allModes = []mode{fromDockerfile, bindMounted, dockerInit, podmanInit, fromReleaseImage, fromReleaseBinary}
)

// inEachMode runs test once in every mode.
func inEachMode(t *testing.T, test func(t *testing.T, m mode)) {
	for _, m := range allModes {
		t.Run(m.name, func(t *testing.T) {
			m.require(t)
			test(t, m)
		})
	}
}

// requireDockerInit checks that `docker run --init` runs the goinit under
// test: the daemon's init-path is this binary.
func requireDockerInit(t *testing.T) {
	t.Helper()
	requireDocker(t)
	path, err := cli(dockerCLI, nil, nil, "info", "--format", "{{.InitBinary}}")
	if err != nil {
		t.Fatalf("docker info: %v %s", err, path)
	}
	same, err := sameFile(strings.TrimSpace(path), goinitBin)
	if err != nil || !same {
		testenv.SkipUnlessCI(t, fmt.Sprintf("the engine's init-path is %q, not the goinit under test (%s): "+
			"start the engine with tests/container/engine-up.sh", strings.TrimSpace(path), goinitBin))
	}
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// client returns the engine's client and the environment it needs.
func (m mode) client() (string, []string, []string) {
	if m.engine == "podman" {
		return "podman", podmanState.globalArgs(), []string{"CONTAINERS_CONF=" + podmanState.conf}
	}
	return dockerCLI, nil, nil
}

// do runs the engine's client with args and returns its combined output.
func (m mode) do(t *testing.T, args ...string) string {
	t.Helper()
	out, err := m.try(nil, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", m.engine, strings.Join(args, " "), err, out)
	}
	return out
}

func (m mode) try(stdin io.Reader, args ...string) (string, error) {
	name, global, env := m.client()
	return cli(name, env, stdin, append(global, args...)...)
}

// runArgs is the `run` command line for command in this mode, with opts
// (volumes, environment, -t, -i...) before the image.
func (m mode) runArgs(name string, opts []string, command ...string) []string {
	args := []string{"run", "--name", name, "--network", "none"}
	args = append(args, opts...)
	args = append(args, m.image()...)
	args = append(args, m.command...)
	return append(args, command...)
}

var containerCount atomic.Int64

// newName names a container uniquely and removes it when t ends.
func (m mode) newName(t *testing.T) string {
	name := fmt.Sprintf("goinit-test-%d-%d", os.Getpid(), containerCount.Add(1))
	t.Cleanup(func() { m.try(nil, "rm", "-f", name) })
	return name
}

// A result is how a container run in the foreground ended.
type result struct {
	code           int
	stdout, stderr string
}

// run runs command in a container in the foreground, as `docker run` does,
// with stdin as the client's stdin, and returns how it ended.
func (m mode) run(t *testing.T, stdin io.Reader, opts []string, command ...string) result {
	t.Helper()
	name, global, env := m.client()
	args := append(global, m.runArgs(m.newName(t), opts, command...)...)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s run did not finish within %v; stdout %q, stderr %q", m.engine, hangGuard, stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s run: %v", m.engine, err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// A container is one started in the background (run -d).
type container struct {
	t    *testing.T
	m    mode
	name string
}

// start starts command in a container in the background.
func (m mode) start(t *testing.T, opts []string, command ...string) *container {
	t.Helper()
	c := &container{t: t, m: m, name: m.newName(t)}
	args := m.runArgs(c.name, append([]string{"-d"}, opts...), command...)
	m.do(t, args...)
	return c
}

// stop runs `stop -t timeout` and returns the container's exit code.
func (c *container) stop(timeout int) int {
	c.t.Helper()
	c.m.do(c.t, "stop", "-t", strconv.Itoa(timeout), c.name)
	return c.wait()
}

// kill runs `kill -s signal`.
func (c *container) kill(signal string) {
	c.t.Helper()
	c.m.do(c.t, "kill", "-s", signal, c.name)
}

// wait waits for the container to exit and returns its exit code.
func (c *container) wait() int {
	c.t.Helper()
	out := strings.TrimSpace(c.m.do(c.t, "wait", c.name))
	code, err := strconv.Atoi(out)
	if err != nil {
		c.t.Fatalf("%s wait printed %q, not an exit code", c.m.engine, out)
	}
	return code
}

// running tells whether the container is still running.
func (c *container) running() bool {
	c.t.Helper()
	return strings.TrimSpace(c.m.do(c.t, "inspect", "-f", "{{.State.Running}}", c.name)) == "true"
}

// logs is what the container wrote to stdout and stderr so far.
func (c *container) logs() string {
	c.t.Helper()
	return c.m.do(c.t, "logs", c.name)
}

// outDir is a directory bind-mounted as /out in the container, where the
// workload leaves marker files, and the run options that mount it.
func outDir(t *testing.T) (string, []string) {
	dir := t.TempDir()
	return dir, []string{"-v", dir + ":/out"}
}

// waitForFile waits until the workload created name in dir.
func waitForFile(t *testing.T, dir, name string) {
	t.Helper()
	if !eventually(func() bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }) {
		t.Fatalf("the workload did not create %s within %v", name, hangGuard)
	}
}

// readFile returns the content of dir/name, or "" when there is none.
func readFile(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

// eventually polls cond until it holds or hangGuard passes.
func eventually(cond func() bool) bool { return testenv.Eventually(hangGuard, cond) }
