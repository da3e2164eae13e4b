package container

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// podmanSetup is where podman keeps its state for the tests: storage,
// run-time state and configuration all under one temporary directory, so
// the tests cannot clash with another podman on the machine.
type podmanSetup struct {
	dir    string
	conf   string // containers.conf
	rootfs string // the busybox root file system containers run in
}

func (p podmanSetup) globalArgs() []string {
	return []string{
		"--root", filepath.Join(p.dir, "storage"),
		"--runroot", filepath.Join(p.dir, "run"),
		"--tmpdir", filepath.Join(p.dir, "tmp"),
	}
}

// containersConf is the podman configuration the README documents: goinit
// as the init (`podman run --init`), runc with cgroupfs and a file for
// events (there is no systemd), and no default ulimits: podman's own
// defaults raise limits above the machine's hard limits, which is refused;
// without them containers get podman's limits, which are within them.
const containersConf = `[containers]
init_path = %q
default_ulimits = []
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`

// requirePodman checks that podman is installed and sets it up.
func requirePodman(t *testing.T) {
	t.Helper()
	requireRootfs(t)
	podmanReady.Require(t, func() (string, error) {
		if _, err := exec.LookPath("podman"); err != nil {
			return "no podman on PATH (apt-get install podman)", nil
		}
		dir, err := os.MkdirTemp("", "goinit-podman-")
		if err != nil {
			return "", err
		}
		cleanupDirs = append(cleanupDirs, dir)
		p := podmanSetup{dir: dir, conf: filepath.Join(dir, "containers.conf"), rootfs: filepath.Join(dir, "rootfs")}
		if err := os.WriteFile(p.conf, fmt.Appendf(nil, containersConf, goinitBin), 0o644); err != nil {
			return "", err
		}
		// podman adds mount points to the root file system it is given; it
		// gets a copy of its own.
		if out, err := exec.Command("cp", "-a", rootfsDir, p.rootfs).CombinedOutput(); err != nil {
			return "", fmt.Errorf("copying the root file system: %v %s", err, out)
		}
		podmanState = p
		return "", nil
	})
}

// unmountUnder unmounts whatever is mounted under dir (podman's storage
// mounts), deepest first, so that removing dir cannot reach outside it.
func unmountUnder(dir string) error {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return err
	}
	var under []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			under = append(under, f[1])
		}
	}
	for i := len(under) - 1; i >= 0; i-- {
		if out, err := exec.Command("umount", under[i]).CombinedOutput(); err != nil {
			return fmt.Errorf("umount %s: %v %s", under[i], err, out)
		}
	}
	return nil
}

func TestPodmanInitPathFromContainersConfIsGoinit(t *testing.T) {
	podmanInit.require(t)
	// Only --init: the init comes from containers.conf's init_path.
	args := append(podmanState.globalArgs(), "run", "--rm", "--network", "none", "--init",
		"--rootfs", podmanState.rootfs, "/proc/1/exe", "--version")
	cmd := exec.Command("podman", args...)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+podmanState.conf)
	out, err := cmd.CombinedOutput()
	if want := goinitVersion(t); err != nil || string(out) != want {
		t.Errorf("PID 1 of `podman run --init` printed %q (%v) for --version; want goinit's %q", out, err, want)
	}
}
