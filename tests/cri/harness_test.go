// Package cri runs the built goinit under a real Kubernetes container
// runtime, the way a kubelet drives it: containerd's CRI plugin and runc,
// driven by crictl with the pod and container configs in examples/cri.
// goinit plays two parts there:
//
//   - the pod sandbox: containerd's sandbox_image is an image whose
//     entrypoint is goinit with no command, so every pod's sandbox process
//     is goinit in pause mode, PID 1 of the pod's PID namespace when the
//     pod shares one;
//   - a container's entrypoint (/sbin/goinit -- COMMAND), PID 1 of the
//     container's own PID namespace, the kubelet's default; also copied
//     into an image that has no init, by an init container.
//
// The containerd is the one GOINITTEST_CRICTL_CONFIG points crictl at:
// tests/cri/cri-up.sh starts one of its own (make cri does, through
// with-cri.sh), with the sandbox image set to localhost/goinit-sandbox:latest
// (/sbin/goinit alone, FROM scratch).
// crictl is $CRICTL, or crictl on PATH. The images are made here from the
// machine's busybox-static and the goinit under test, and imported with
// ctr: no registry is needed. Pods use the host's network: no CNI.
package cri

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
	"gopkg.in/yaml.v3"
)

// repoRoot is the checkout under test; goinitBin is its goinit binary
// (GOINITTEST_BIN, which make cri passes, or bin/goinit built with make).
var (
	repoRoot, _ = filepath.Abs("../..")
	goinitBin   string
)

// hangGuard bounds every wait, so a goinit or a runtime that hangs fails
// its test instead of stalling the suite. It is not a performance threshold.
const hangGuard = 60 * time.Second

// The images the tests make and the examples name.
const (
	// sandboxImage holds /sbin/goinit alone, its entrypoint, with no
	// command (FROM scratch): containerd's sandbox image (cri-up.sh).
	sandboxImage = "localhost/goinit-sandbox:latest"
	// goinitImage holds busybox and /sbin/goinit, with goinit as its
	// entrypoint and no command: the image of the containers that run
	// goinit as their entrypoint, and the one an init container copies
	// goinit from.
	goinitImage = "localhost/goinit:latest"
	// busyboxImage holds busybox only: an image that ships no init.
	busyboxImage = "localhost/busybox:latest"
)

// The CRI's enums, as crictl prints them.
const (
	sandboxNotReady  = "SANDBOX_NOTREADY"
	containerRunning = "CONTAINER_RUNNING"
	containerExited  = "CONTAINER_EXITED"
)

// The runtime under test: what cri-up.sh printed.
var (
	runtimeReady testenv.Prerequisite
	crictlBin    string // $CRICTL or crictl on PATH
	crictlConfig string // GOINITTEST_CRICTL_CONFIG: crictl's endpoints
	ctrAddress   string // GOINITTEST_CONTAINERD_ADDRESS: containerd's socket, for ctr
	criDir       string // GOINITTEST_CRI_DIR: everything that containerd owns
)

// requireRuntime checks that a containerd with the CRI plugin answers
// crictl with sandboxImage as its sandbox image, and imports the images.
func requireRuntime(t *testing.T) {
	t.Helper()
	runtimeReady.Require(t, func() (string, error) {
		if os.Geteuid() != 0 {
			return "needs root to run containerd; run as root (CI does)", nil
		}
		crictlConfig = os.Getenv("GOINITTEST_CRICTL_CONFIG")
		ctrAddress = os.Getenv("GOINITTEST_CONTAINERD_ADDRESS")
		criDir = os.Getenv("GOINITTEST_CRI_DIR")
		if crictlConfig == "" || ctrAddress == "" || criDir == "" {
			return "no containerd for the CRI tests (GOINITTEST_CRICTL_CONFIG, GOINITTEST_CONTAINERD_ADDRESS, GOINITTEST_CRI_DIR): " +
				`run make cri, or eval "$(tests/cri/cri-up.sh)"`, nil
		}
		crictlBin = os.Getenv("CRICTL")
		if crictlBin == "" {
			crictlBin = "crictl"
		}
		if _, err := exec.LookPath(crictlBin); err != nil {
			return fmt.Sprintf("no crictl (%s): make cri builds one, or go install sigs.k8s.io/cri-tools/cmd/crictl", crictlBin), nil
		}
		if missing := testenv.MissingBusybox(); missing != "" {
			return missing, nil
		}
		var err error
		if goinitBin, err = testenv.GoinitBin(repoRoot); err != nil {
			return "", err
		}
		out, err := crictlOutput("info")
		if err != nil {
			return fmt.Sprintf("crictl info: %v %s", err, out), nil
		}
		var info struct {
			Config struct {
				SandboxImage string `json:"sandboxImage"`
			} `json:"config"`
		}
		if err := json.Unmarshal([]byte(out), &info); err != nil {
			return "", fmt.Errorf("crictl info printed %q: %w", out, err)
		}
		if info.Config.SandboxImage != sandboxImage {
			return fmt.Sprintf("the runtime's sandbox image is %q, not %s: start containerd with tests/cri/cri-up.sh",
				info.Config.SandboxImage, sandboxImage), nil
		}
		return "", importImages()
	})
}

// importImages makes the images from the busybox root file system and the
// goinit under test, and imports them into the CRI's containerd namespace.
func importImages() error {
	busyboxRoot, err := os.MkdirTemp("", "goinit-cri-rootfs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(busyboxRoot)
	if err := testenv.MakeBusyboxRootfs(busyboxRoot); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "goinit-cri-scratch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	if err := os.Mkdir(filepath.Join(scratch, "sbin"), 0o755); err != nil {
		return err
	}
	goinit := map[string]string{"sbin/goinit": goinitBin}
	images := []struct {
		name       string
		root       string
		extra      map[string]string
		entrypoint []string
		cmd        []string
	}{
		{sandboxImage, scratch, goinit, []string{"/sbin/goinit"}, nil},
		{goinitImage, busyboxRoot, goinit, []string{"/sbin/goinit"}, nil},
		{busyboxImage, busyboxRoot, nil, nil, []string{"sh"}},
	}
	for _, img := range images {
		l, err := layer(img.root, img.extra)
		if err != nil {
			return err
		}
		archive, err := dockerArchive(img.name, l, img.entrypoint, img.cmd)
		if err != nil {
			return err
		}
		if out, err := run(bytes.NewReader(archive), "ctr", "--address", ctrAddress, "-n", "k8s.io", "images", "import", "-"); err != nil {
			return fmt.Errorf("importing %s: %v\n%s", img.name, err, out)
		}
	}
	return nil
}

// layer is a tar of the root file system in dir, plus extra files (path in
// the image: path on this machine).
func layer(dir string, extra map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if d.Type()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(path); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(dir, path)
		return addToLayer(tw, rel, info, link, path)
	})
	if err != nil {
		return nil, err
	}
	for name, path := range extra {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if err := addToLayer(tw, name, info, "", path); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func addToLayer(tw *tar.Writer, name string, info fs.FileInfo, link, path string) error {
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "root", "root"
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = tw.Write(b)
	return err
}

// dockerArchive is a one-layer image as `docker save` writes it, which
// `ctr images import` reads.
func dockerArchive(name string, layer []byte, entrypoint, cmd []string) ([]byte, error) {
	sum := sha256.Sum256(layer)
	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH, // Go and the OCI name them alike
		"os":           "linux",
		"config": map[string]any{
			"Entrypoint": entrypoint,
			"Cmd":        cmd,
			"Env":        []string{"PATH=/bin:/sbin"},
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(sum[:])}},
	})
	if err != nil {
		return nil, err
	}
	manifest, err := json.Marshal([]map[string]any{{
		"Config": "config.json", "RepoTags": []string{name}, "Layers": []string{"layer.tar"},
	}})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", manifest}, {"config.json", config}, {"layer.tar", layer}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// run runs a command with stdin and returns its combined output, within
// hangGuard.
func run(stdin io.Reader, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s did not finish within %v", name, strings.Join(args, " "), hangGuard)
	}
	return string(out), err
}

// crictlOutput runs crictl against the runtime under test and returns its
// standard output (its warnings go to stderr, which an error includes).
func crictlOutput(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, crictlBin, append([]string{"--config", crictlConfig}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("did not finish within %v", hangGuard)
	}
	if err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("crictl %s: %w", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

// crictl runs crictl and fails t if it fails.
func crictl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := crictlOutput(args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// inspection is what the tests read of crictl inspect (a container) or
// inspectp (a pod): the CRI state, the exit code (containers only) and the
// host pid of the first process.
type inspection struct {
	Status struct {
		State    string `json:"state"`
		ExitCode int    `json:"exitCode"`
	} `json:"status"`
	Info struct {
		Pid int `json:"pid"`
	} `json:"info"`
}

// inspect runs crictl inspect or inspectp (command) on id.
func inspect(t *testing.T, command, id string) inspection {
	t.Helper()
	var s inspection
	out := crictl(t, command, "-o", "json", id)
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("crictl %s printed %q: %v", command, out, err)
	}
	return s
}

// example is the config examples/cri/NAME as a kubelet on this node would
// hand it to the runtime, written to a file for crictl: the same fields
// and values, except the node's paths in it (a pod's log_directory, a
// volume's host_path), which are moved under node, a directory of the
// test's, so that nothing is written outside it.
func example(t *testing.T, name, node string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "examples/cri", name))
	if err != nil {
		t.Fatal(err)
	}
	var config map[string]any
	if err := yaml.Unmarshal(b, &config); err != nil {
		t.Fatalf("examples/cri/%s: %v", name, err)
	}
	onNode := func(v any) string {
		path, ok := v.(string)
		if !ok || !filepath.IsAbs(path) {
			t.Fatalf("examples/cri/%s: %v is not an absolute path on the node", name, v)
		}
		return filepath.Join(node, path)
	}
	if dir, ok := config["log_directory"]; ok {
		config["log_directory"] = onNode(dir)
	}
	if mounts, ok := config["mounts"].([]any); ok {
		for _, m := range mounts {
			if m, ok := m.(map[string]any); ok {
				m["host_path"] = onNode(m["host_path"])
			}
		}
	}
	out, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), strings.TrimSuffix(name, filepath.Ext(name))+".json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A pod is a pod sandbox started with crictl runp.
type pod struct {
	t      *testing.T
	id     string
	config string // the pod config given to runp, which create needs too
	node   string // where its node paths (logs, volumes) live
}

// runPod starts the pod examples/cri/NAME and removes it when t ends.
func runPod(t *testing.T, name string) *pod {
	t.Helper()
	requireRuntime(t)
	p := &pod{t: t, node: t.TempDir()}
	p.config = example(t, name, p.node)
	p.id = crictl(t, "runp", p.config)
	t.Cleanup(func() {
		// A pod the test removed itself is not found: nothing to report.
		if out, err := crictlOutput("rmp", "--force", p.id); err != nil && !strings.Contains(out, "not found") {
			t.Errorf("removing pod %s: %v\n%s", p.id, err, out)
		}
	})
	return p
}

// sandboxPID is the host pid of the pod's sandbox process.
func (p *pod) sandboxPID() int {
	p.t.Helper()
	pid := inspect(p.t, "inspectp", p.id).Info.Pid
	if pid <= 0 {
		p.t.Fatalf("crictl inspectp shows no sandbox pid for pod %s", p.id)
	}
	return pid
}

// waitState waits until the pod is in state, or fails t.
func (p *pod) waitState(state string) {
	p.t.Helper()
	var last string
	if !testenv.Eventually(hangGuard, func() bool { last = inspect(p.t, "inspectp", p.id).Status.State; return last == state }) {
		p.t.Fatalf("pod %s is %s after %v, want %s", p.id, last, hangGuard, state)
	}
}

// A container is one created in a pod with crictl create and started.
type container struct {
	t  *testing.T
	p  *pod
	id string
}

// start creates and starts the container examples/cri/NAME in the pod.
func (p *pod) start(name string) *container {
	p.t.Helper()
	config := example(p.t, name, p.node)
	c := &container{t: p.t, p: p, id: crictl(p.t, "create", p.id, config, p.config)}
	crictl(p.t, "start", c.id)
	return c
}

// pid is the host pid of the container's first process.
func (c *container) pid() int {
	c.t.Helper()
	s := inspect(c.t, "inspect", c.id)
	if s.Status.State != containerRunning || s.Info.Pid <= 0 {
		c.t.Fatalf("container %s is %s (pid %d), want it running; log:\n%s", c.id, s.Status.State, s.Info.Pid, c.logs())
	}
	return s.Info.Pid
}

// wait waits until the container has exited and returns its exit code.
func (c *container) wait() int {
	c.t.Helper()
	var s inspection
	if !testenv.Eventually(hangGuard, func() bool { s = inspect(c.t, "inspect", c.id); return s.Status.State == containerExited }) {
		c.t.Fatalf("container %s is %s after %v, want it exited; log:\n%s", c.id, s.Status.State, hangGuard, c.logs())
	}
	return s.Status.ExitCode
}

// stop runs crictl stop --timeout and returns how long it took and the
// container's exit code.
func (c *container) stop(timeout int) (time.Duration, int) {
	c.t.Helper()
	start := time.Now()
	crictl(c.t, "stop", "--timeout", strconv.Itoa(timeout), c.id)
	took := time.Since(start)
	return took, c.wait()
}

// logs is what the container wrote to stdout and stderr so far, one line
// per line, each after the time the runtime received it (RFC 3339).
func (c *container) logs() string {
	c.t.Helper()
	out, err := crictlOutput("logs", "--timestamps", c.id)
	if err != nil {
		return fmt.Sprintf("(no log: %v %s)", err, out)
	}
	return out
}

// waitLog waits until the container has logged a line ending in text and
// returns the time the runtime logged it.
func (c *container) waitLog(text string) time.Time {
	c.t.Helper()
	var at time.Time
	found := testenv.Eventually(hangGuard, func() bool {
		for line := range strings.Lines(c.logs()) {
			stamp, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
			if rest == text {
				at, _ = time.Parse(time.RFC3339Nano, stamp)
				return true
			}
		}
		return false
	})
	if !found {
		c.t.Fatalf("container %s did not log %q within %v; log:\n%s", c.id, text, hangGuard, c.logs())
	}
	return at
}

// exitWatch follows containerd's task exit events (ctr events), which is
// where the exit status of a sandbox shows: the CRI does not report it.
type exitWatch struct {
	lines chan string
}

// watchExits starts following the events, and returns once containerd is
// sending them (a probe event has come through), so no exit after it is
// missed.
func watchExits(t *testing.T) *exitWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ctr", "--address", ctrAddress, "events")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	w := &exitWatch{lines: make(chan string, 100)}
	go func() {
		defer close(w.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
	}()
	probe := fmt.Sprintf("goinit-test-probe-%d", time.Now().UnixNano())
	deadline := time.After(hangGuard)
	for {
		// A namespace made and removed: events ctr sees once it follows.
		if out, err := run(nil, "ctr", "--address", ctrAddress, "namespaces", "create", probe); err != nil {
			t.Fatalf("ctr namespaces create: %v %s", err, out)
		}
		run(nil, "ctr", "--address", ctrAddress, "namespaces", "remove", probe)
		select {
		case line, ok := <-w.lines:
			if !ok {
				t.Fatal("ctr events ended before it sent anything")
			}
			if strings.Contains(line, "/namespaces/") && strings.Contains(line, probe) {
				return w
			}
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("ctr events showed no event within %v", hangGuard)
		}
	}
}

// exitStatus waits for the exit event of the task id and returns its exit
// status (containerd leaves 0 out).
func (w *exitWatch) exitStatus(t *testing.T, id string) int {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				t.Fatalf("ctr events ended before task %s exited", id)
			}
			_, body, found := strings.Cut(line, " /tasks/exit ")
			if !found {
				continue
			}
			var exit struct {
				ContainerID string `json:"container_id"`
				ExitStatus  int    `json:"exit_status"`
			}
			if err := json.Unmarshal([]byte(body), &exit); err != nil {
				t.Fatalf("ctr events: an exit event that is not JSON: %q: %v", line, err)
			}
			if exit.ContainerID == id {
				return exit.ExitStatus
			}
		case <-deadline:
			t.Fatalf("task %s did not exit within %v", id, hangGuard)
		}
	}
}
