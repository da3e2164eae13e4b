package cri

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"goinit/tests/internal/testenv"
)

// goinit as the pod sandbox: containerd's sandbox_image is goinitImage, so
// each pod's sandbox process is goinit in pause mode.

func TestSandboxIsGoinitInPauseModeAsPID1OfThePod(t *testing.T) {
	p := runPod(t, "pod-shared-pid.yaml")
	sandbox := p.sandboxPID()
	requireGoinitAsPID1(t, sandbox, "the sandbox process")
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(sandbox) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(cmdline); got != "/sbin/goinit\x00" {
		t.Errorf("the sandbox runs %q, want /sbin/goinit with no command (pause mode)", strings.ReplaceAll(got, "\x00", " "))
	}
}

func TestSandboxReapsTheOrphansOfThePodsContainers(t *testing.T) {
	p := runPod(t, "pod-shared-pid.yaml")
	sandbox := p.sandboxPID()
	requireGoinitAsPID1(t, sandbox, "the sandbox process")
	c := p.start("orphans.yaml")
	c.waitLog("orphans made")
	ns := pidNamespace(sandbox)
	if got := pidNamespace(c.pid()); got != ns {
		t.Fatalf("the app container's PID namespace is %s, not the pod's %s", got, ns)
	}
	// The three sleeps, once their parent shells have exited, are children
	// of the sandbox.
	var orphans []process
	found := testenv.Eventually(hangGuard, func() bool {
		orphans = nil
		for _, proc := range processesIn(ns) {
			if proc.comm == "sleep" && proc.ppid == sandbox {
				orphans = append(orphans, proc)
			}
		}
		return len(orphans) == 3
	})
	if !found {
		t.Fatalf("found %d sleeps re-parented to the sandbox (pid %d), want 3: %v", len(orphans), sandbox, processesIn(ns))
	}
	for _, o := range orphans {
		if err := syscall.Kill(o.pid, syscall.SIGKILL); err != nil {
			t.Fatalf("killing orphan %d: %v", o.pid, err)
		}
	}
	var left []process
	reaped := testenv.Eventually(hangGuard, func() bool {
		left = nil
		for _, o := range orphans {
			if now, ok := readProcess(o.pid); ok && now.start == o.start {
				left = append(left, now)
			}
		}
		return len(left) == 0
	})
	if !reaped {
		t.Errorf("orphans still in the process table %v after they died (state Z: the sandbox did not reap them): %+v", hangGuard, left)
	}
}

func TestSIGTERMEndsTheSandboxWith0AndThePodGoesNotReady(t *testing.T) {
	// containerd 1.6 stops a sandbox with SIGKILL (crictl stopp), so the
	// SIGTERM a pause process is written for is sent here directly.
	p := runPod(t, "pod-shared-pid.yaml")
	sandbox := p.sandboxPID()
	requireGoinitAsPID1(t, sandbox, "the sandbox process")
	exits := watchExits(t)
	if err := syscall.Kill(sandbox, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := exits.exitStatus(t, p.id); status != 0 {
		t.Errorf("the sandbox exited %d on SIGTERM, want 0", status)
	}
	p.waitState(sandboxNotReady)
}

func TestStopAndRemovePodLeaveNothingBehind(t *testing.T) {
	p := runPod(t, "pod-shared-pid.yaml")
	c := p.start("orphans.yaml")
	c.waitLog("orphans made")
	sandbox, ok := readProcess(p.sandboxPID())
	app, appOK := readProcess(c.pid())
	if !ok || !appOK {
		t.Fatalf("cannot read the sandbox (pid %d) or the container (pid %d) in /proc", p.sandboxPID(), c.pid())
	}
	ns := pidNamespace(sandbox.pid)
	if ns == "" {
		t.Fatalf("cannot read the sandbox's PID namespace (pid %d)", sandbox.pid)
	}
	shims := shimsOf(p.id)
	if len(shims) == 0 {
		t.Fatalf("no shim names pod %s on its command line", p.id)
	}
	bundles := map[string]bundle{}
	for _, id := range []string{p.id, c.id} {
		bundles[id] = readBundle(t, id)
	}

	exits := watchExits(t)
	crictl(t, "stopp", p.id)
	// What containerd 1.6 does to the sandbox, for the README: measured,
	// not promised.
	t.Logf("crictl stopp: the sandbox exited %d, the app container %d", exits.exitStatus(t, p.id), c.wait())
	p.waitState(sandboxNotReady)
	crictl(t, "rmp", p.id)

	var left []string
	gone := testenv.Eventually(hangGuard, func() bool {
		left = nil
		if out := crictl(t, "pods", "--id", p.id, "-q"); out != "" {
			left = append(left, "the pod, in crictl pods")
		}
		if out := crictl(t, "ps", "-a", "--pod", p.id, "-q"); out != "" {
			left = append(left, "containers, in crictl ps -a: "+out)
		}
		for _, proc := range append([]process{sandbox, app}, shims...) {
			if proc.stillThere() {
				left = append(left, fmt.Sprintf("process %d (%s)", proc.pid, proc.comm))
			}
		}
		if procs := processesIn(ns); len(procs) > 0 {
			left = append(left, fmt.Sprintf("processes in the pod's PID namespace: %+v", procs))
		}
		for id, b := range bundles {
			left = append(left, b.leftovers(id)...)
		}
		return len(left) == 0
	})
	if !gone {
		t.Errorf("after crictl stopp and rmp, still there after %v:\n%s", hangGuard, strings.Join(left, "\n"))
	}
}

// shimsOf lists the containerd shims serving the pod id.
func shimsOf(id string) []process {
	var out []process
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if !strings.Contains(string(cmdline), "\x00-id\x00"+id+"\x00") {
			continue
		}
		if p, ok := readProcess(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// A bundle is what containerd keeps on the node for a running container
// (its sandbox or one of its containers): the state directories, the
// shim's socket and the cgroup.
type bundle struct {
	dirs       []string // containerd's bundle and runc's state
	shimSocket string
	cgroup     string // cgroupsPath, in each cgroup tree
}

func readBundle(t *testing.T, id string) bundle {
	t.Helper()
	dir := filepath.Join(criDir, "state/io.containerd.runtime.v2.task/k8s.io", id)
	b := bundle{dirs: []string{dir, filepath.Join(criDir, "runc/k8s.io", id)}}
	address, err := os.ReadFile(filepath.Join(dir, "address"))
	if err != nil {
		t.Fatalf("container %s has no shim address: %v", id, err)
	}
	b.shimSocket = strings.TrimPrefix(strings.TrimSpace(string(address)), "unix://")
	spec, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		Linux struct {
			CgroupsPath string `json:"cgroupsPath"`
		} `json:"linux"`
	}
	if err := json.Unmarshal(spec, &config); err != nil || config.Linux.CgroupsPath == "" {
		t.Fatalf("container %s's config.json names no cgroup (%v)", id, err)
	}
	b.cgroup = config.Linux.CgroupsPath
	return b
}

// leftovers lists what of the bundle is still on the node.
func (b bundle) leftovers(id string) []string {
	var left []string
	for _, path := range b.dirs {
		if _, err := os.Stat(path); err == nil {
			left = append(left, "directory "+path)
		}
	}
	if _, err := os.Stat(b.shimSocket); err == nil {
		left = append(left, "shim socket "+b.shimSocket)
	}
	mounts, _ := os.ReadFile("/proc/self/mounts")
	for line := range strings.Lines(string(mounts)) {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], criDir) && strings.Contains(f[1], id) {
			left = append(left, "mount "+f[1])
		}
	}
	trees, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, tree := range append(trees, "/sys/fs/cgroup") {
		if _, err := os.Stat(filepath.Join(tree, b.cgroup)); err == nil {
			left = append(left, "cgroup "+filepath.Join(tree, b.cgroup))
		}
	}
	return left
}
