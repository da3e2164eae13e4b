// Package testenv holds what the test packages under tests/ that run goinit
// in real container runtimes share: the rule that a test which cannot run
// fails in CI instead of skipping, set-up done once per package, a bounded
// poll, and the busybox root file system their images are made from.
//
// It calls no t.Fatal on behalf of a caller that did not pass its t, and
// touches nothing outside the directories it is given.
package testenv

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// GoinitBin is the goinit binary under test: the one GOINITTEST_BIN names (make
// passes it), or else bin/goinit in the checkout at repoRoot, built with
// make there.
func GoinitBin(repoRoot string) (string, error) {
	if bin := os.Getenv("GOINITTEST_BIN"); bin != "" {
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

// DefaultIgnoredSignals gives every signal this process inherited as
// ignored (SIG_IGN) its default action again, so that what the tests start
// does not inherit it: make, for one, runs its recipes with signals 32 and
// 33 ignored, and goinit leaves a signal it was started with ignored
// alone. Call it from TestMain, before any test starts a process.
func DefaultIgnoredSignals() {
	for sig := 1; sig <= 64; sig++ {
		var act [4]uint64 // the kernel's struct sigaction; the handler first
		if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), 8, 0, 0); e != 0 || act[0] != 1 {
			continue
		}
		act[0] = 0 // SIG_DFL
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	}
}

// ReadmeSection returns the section of README.md in repoRoot under
// heading (a whole line, such as "## Docker"), up to the next heading of
// the same level or higher.
func ReadmeSection(repoRoot, heading string) (string, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		return "", fmt.Errorf("README.md has no section %q", heading)
	}
	level := strings.IndexByte(heading, ' ')
	for _, line := range strings.SplitAfter(rest, "\n") {
		if n := strings.IndexByte(line, ' '); n > 0 && n <= level && strings.Trim(line[:n], "#") == "" {
			return rest[:strings.Index(rest, line)], nil
		}
	}
	return rest, nil
}

// MarkedBlocks returns, by name, the fenced blocks of a README section that
// follow a marker line `<!-- KIND: NAME -->`, the commands a test runs as
// the README shows them.
func MarkedBlocks(section, kind string) (map[string]string, error) {
	marker := regexp.MustCompile(`^<!-- ` + regexp.QuoteMeta(kind) + `: ([a-z0-9-]+) -->$`)
	lines := strings.Split(section, "\n")
	blocks := map[string]string{}
	for i := 0; i < len(lines); i++ {
		m := marker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			return nil, fmt.Errorf("the marker %q is not followed by a fenced block", lines[i])
		}
		end := i + 2
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("the block after %q has no closing fence", lines[i])
		}
		blocks[m[1]] = strings.Join(lines[i+2:end], "\n") + "\n"
		i = end
	}
	return blocks, nil
}

// Shell runs script with sh -e and args as its $1..., in dir, with env
// added to this process's environment and stdin as its input, and returns
// its combined output; a script still running after timeout is killed.
func Shell(timeout time.Duration, dir string, env []string, stdin, script string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-ec", script, "sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("did not finish within %v", timeout)
	}
	return string(out), err
}
