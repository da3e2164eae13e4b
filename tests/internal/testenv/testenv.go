// Package testenv holds what the test packages under tests/ that run goinit
// in real container runtimes share: the rule that a test which cannot run
// fails in CI instead of skipping, set-up done once per package, a bounded
// poll, and the busybox root file system their images are made from.
//
// It calls no t.Fatal on behalf of a caller that did not pass its t, and
// touches nothing outside the directories it is given.
package testenv

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// GoinitBin is the goinit binary under test: the one GOINIT_BIN names (make
// passes it), or else bin/goinit in the checkout at repoRoot, built with
// make there.
func GoinitBin(repoRoot string) (string, error) {
	if bin := os.Getenv("GOINIT_BIN"); bin != "" {
		return bin, nil
	}
	out, err := exec.Command("make", "-s", "-C", repoRoot, "build").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building goinit: %v\n%s", err, out)
	}
	return filepath.Join(repoRoot, "bin/goinit"), nil
}

// SkipUnlessCI skips t with reason, except in CI (CI=true), where a test
// that does not run would hide a failure: there it fails with reason.
func SkipUnlessCI(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s, and CI=true: the test must run, not skip", reason)
	}
	t.Skip(reason)
}

// A Prerequisite is set up once for all the tests of a package: either it
// cannot be (missing says why, and each test that needs it skips, or fails
// in CI), or setting it up went wrong (err, and each such test fails).
type Prerequisite struct {
	once    sync.Once
	missing string
	err     error
}

// Require runs setup the first time and reports its outcome to t every
// time.
func (p *Prerequisite) Require(t testing.TB, setup func() (missing string, err error)) {
	t.Helper()
	p.once.Do(func() { p.missing, p.err = setup() })
	if p.missing != "" {
		SkipUnlessCI(t, p.missing)
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
}

// Eventually polls cond every 10ms until it holds or within has passed,
// and tells whether it held. within guards against a hang; it is not a
// performance threshold.
func Eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// BusyboxPath is Debian's busybox-static: one static binary for every
// command the workloads use.
const BusyboxPath = "/bin/busybox"

// MissingBusybox says why BusyboxPath cannot make an image (not there, or
// not static), or returns "" when it can.
func MissingBusybox() string {
	f, err := elf.Open(BusyboxPath)
	if err != nil {
		return fmt.Sprintf("no %s (apt-get install busybox-static): %v", BusyboxPath, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Sprintf("%s is dynamically linked; the images need busybox-static", BusyboxPath)
		}
	}
	return ""
}

// MakeBusyboxRootfs lays out a root file system in dir: busybox and a link
// for each of its commands in /bin, and the empty directories a container
// needs.
func MakeBusyboxRootfs(dir string) error {
	for _, d := range []string{"bin", "sbin", "tmp", "out", "proc", "sys", "dev", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return err
	}
	bb, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		return err
	}
	list, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	for _, name := range strings.Fields(string(list)) {
		if name == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", name)); err != nil {
			return err
		}
	}
	return nil
}
