package tests

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
)

// Limits a hardened container may set: goinit must neither die of one nor
// spare a leftover because of one.

// minDescriptors is the RLIMIT_NOFILE goinit needs to start its command,
// as the README's failure modes state it.
const minDescriptors = 7

// noGoPanic fails t when stderr holds a Go runtime crash report.
func noGoPanic(t *testing.T, what, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "fatal error:") || strings.Contains(stderr, "panic:") {
		t.Errorf("%s: a Go crash report on stderr: %q", what, stderr)
	}
}

// leftoverAndSignals is a command that leaves a process behind which
// reports the drain's SIGTERM (and ignores the SIGUSR1 sent to the
// group), and reports the signals it receives until
// its stdin closes.
func leftoverAndSignals() []string {
	leftover := `trap '' USR1; trap 'echo leftover got TERM; exit 0' TERM; echo leftover ready; while :; do sleep 1; done`
	return []string{"sh", "-c", `sh -c "$1" & exec "$2" signals`, "sh", leftover, helperBin}
}

func TestFromSevenDescriptorsGoinitRunsForwardsAndDrains(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		for n := minDescriptors; n <= 10; n++ {
			limit := fmt.Sprintf("--nofile=%d:%d", n, n)
			args := append([]string{limit, goinitBin, "--"}, leftoverAndSignals()...)
			r := start(t, m, exec.Command("prlimit", args...))
			r.expectAll("leftover ready", "child ready")
			r.signal(syscall.SIGUSR1)
			r.expect("child got 10")
			code := r.finish()
			if !strings.Contains(strings.Join(r.seen, "\n"), "leftover got TERM") {
				r.expect("leftover got TERM") // or fails naming what was seen
			}
			if code != 0 {
				t.Errorf("RLIMIT_NOFILE %d: goinit exited %d, want 0; stderr %q", n, code, r.Stderr())
			}
			noGoPanic(t, fmt.Sprintf("RLIMIT_NOFILE %d", n), r.Stderr())
		}
	})
}

func TestBelowSevenDescriptorsGoinitSaysSoInOneLineAndStartsNothing(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	for n := 3; n < minDescriptors; n++ {
		cmd := exec.Command("prlimit", fmt.Sprintf("--nofile=%d:%d", n, n), goinitBin, "--", "touch", marker)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		code := exitCodeOf(cmd.Run())
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		want := fmt.Sprintf("RLIMIT_NOFILE of %d or more", minDescriptors)
		if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], want) {
			t.Errorf("RLIMIT_NOFILE %d: exit %d, stderr %q; want 1 and one line saying %q", n, code, stderr.String(), want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("RLIMIT_NOFILE %d: the command was started", n)
		}
	}
}

// pidsCgroup makes a cgroup v1 pids group of the test's own and returns
// its directory; it is removed when the test ends.
func pidsCgroup(t *testing.T) string {
	t.Helper()
	root := "/sys/fs/cgroup/pids"
	if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
		testenv.SkipUnlessCI(t, "no cgroup v1 pids controller at "+root)
	}
	dir, err := os.MkdirTemp(root, "goinit-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	return dir
}

func cgroupValue(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestAPidsLimitReachedAfterStartNeitherEndsGoinitNorSparesALeftover(t *testing.T) {
	requireRoot(t)
	inEachMode(t, func(t *testing.T, m mode) {
		group := pidsCgroup(t)
		// goinit joins the group before it starts anything; once it and
		// its command run, the group is full.
		join := `echo $$ > "$0/cgroup.procs" && exec "$@"`
		limitReachedOnceRunning(t, m, []string{"sh", "-c", join, group}, func(*running) string {
			current := cgroupValue(t, group, "pids.current")
			if err := os.WriteFile(filepath.Join(group, "pids.max"), []byte(current), 0o644); err != nil {
				t.Fatal(err)
			}
			return "pids.max " + current
		})
	})
}

func TestAnRLIMIT_NPROCReachedAfterStartNeitherEndsGoinitNorSparesALeftover(t *testing.T) {
	// RLIMIT_NPROC counts every task of the user, threads included, and
	// binds only users other than root: goinit and its command run as
	// nobody, and both get the limit of what the user has once they run.
	requireRoot(t)
	asNobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}
	limitReachedOnceRunning(t, asSubreaper, asNobody, func(r *running) string {
		out, err := exec.Command("pgrep", "-c", "-w", "-u", "65534").Output() // -w: threads
		if err != nil {
			t.Fatalf("pgrep: %v", err)
		}
		n := strings.TrimSpace(string(out))
		for _, pid := range append([]int{r.pid()}, children(r.pid())...) {
			// As nobody too: lowering its own user's limits needs no
			// privilege, which root here may lack for another user's.
			prlimit := append(append([]string{}, asNobody...), "prlimit", "--pid", fmt.Sprint(pid), "--nproc="+n+":"+n)
			if out, err := exec.Command(prlimit[0], prlimit[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("prlimit: %v %s", err, out)
			}
		}
		return "RLIMIT_NPROC " + n
	})
}

// limitReachedOnceRunning starts goinit through launcher (a command that
// ends by running its arguments) with a command that makes 20 orphans
// waiting for a FIFO, one that never ends, and reports signals; once they
// run, limit makes it impossible for them to grow by one task. goinit must
// still forward, reap and drain, never die of it: the command's fork is
// refused, goinit forwards 100 signals, reaps the 20 orphans, drains the
// last one and exits 0.
func limitReachedOnceRunning(t *testing.T, m mode, launcher []string, limit func(*running) string) {
	t.Helper()
	// Not t.TempDir: the user nobody must reach the FIFOs.
	dir, err := os.MkdirTemp("", "goinit-limit-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	release, keep := filepath.Join(dir, "release"), filepath.Join(dir, "keep")
	for _, f := range []string{release, keep} {
		if err := syscall.Mkfifo(f, 0o666); err != nil {
			t.Fatal(err)
		}
		os.Chmod(f, 0o666)
	}
	// Twenty orphans that exit when release opens, one that stays (keep
	// never opens) for the drain, all deaf to the SIGUSR1s the group gets;
	// then the signal reporter.
	script := `trap '' USR1; i=0; while [ $i -lt 20 ]; do (cat "$1" >/dev/null &); i=$((i+1)); done
(cat "$2" >/dev/null &); exec "$3" signals`
	args := append(append([]string{}, launcher...), goinitBin, "--", "sh", "-c", script, "sh", release, keep, helperBin)
	r := start(t, m, exec.Command(args[0], args[1:]...))
	r.expect("child ready")
	if !eventually(func() bool { return len(children(r.pid())) == 22 }) {
		t.Fatalf("goinit has %d children, want the command and 21 orphans", len(children(r.pid())))
	}
	what := limit(r)
	io.WriteString(r.stdin, "fork\n")
	if line := r.nextLineOrFail(); !strings.HasPrefix(line, "fork refused") {
		t.Fatalf("with %s the command could still fork (%q): the limit does not bind", what, line)
	}
	for i := 0; i < 100; i++ {
		r.signal(syscall.SIGUSR1)
	}
	r.expect("child got 10")
	w, err := os.OpenFile(release, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if !eventually(func() bool { return len(children(r.pid())) == 2 }) {
		t.Errorf("%d children left after 20 orphans exited (%d zombies)", len(children(r.pid())), zombieChildren(r.pid()))
	}
	if code := r.finish(); code != 0 {
		t.Errorf("goinit exited %d, want 0; stderr %q", code, r.Stderr())
	}
	noGoPanic(t, what, r.Stderr())
}

// statusKiB reads a "Name: N kB" line of /proc/PID/status.
func statusKiB(t *testing.T, pid int, name string) int {
	t.Helper()
	if _, ok := statusField(pid, name); !ok {
		t.Fatalf("no %s in /proc/%d/status", name, pid)
	}
	return statusNumber(pid, name)
}

func TestOnceIdleGoinitGivesBackThePagesOfItsBinaryItReadToStart(t *testing.T) {
	// Under memory pressure the OOM killer picks the largest process:
	// goinit keeps as little as it can.
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", helperBin, "signals")
		// The most it has resident while it starts: read before it could
		// have given anything back (a second after it started).
		started := 0
		for deadline := time.Now().Add(hangGuard); !r.waitLine("child ready", 10*time.Millisecond); {
			if time.Now().After(deadline) {
				t.Fatalf("the command never said it was ready; stderr %q", r.Stderr())
			}
			started = max(started, statusKiB(t, r.pid(), "RssFile"))
		}
		started = max(started, statusKiB(t, r.pid(), "RssFile"))
		if !eventually(func() bool { return statusKiB(t, r.pid(), "RssFile") < started*3/4 }) {
			t.Errorf("goinit's resident file pages went from %d KiB to %d KiB once idle; want under three quarters",
				started, statusKiB(t, r.pid(), "RssFile"))
		}
		r.signal(syscall.SIGUSR1) // and it goes on working
		r.expect("child got 10")
		if code := r.finish(); code != 0 {
			t.Errorf("goinit exited %d", code)
		}
	})
}

func TestAPositionIndependentGoinitKeepsWorkingAfterGivingBackItsPages(t *testing.T) {
	// A PIE build (distributions build so) has read-only data the loader
	// relocated: pages of goinit's own, which must not be given back.
	bin := filepath.Join(t.TempDir(), "goinit-pie")
	build := exec.Command("go", "build", "-buildmode=pie", "-o", bin, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildmode=pie: %v\n%s", err, out)
	}
	r := start(t, asSubreaper, exec.Command(bin, "-vv", "--", helperBin, "signals"))
	r.expect("child ready")
	if !eventually(func() bool { return strings.Contains(r.Stderr(), "gave back the pages") }) {
		t.Fatalf("the PIE goinit never gave back its pages; stderr %q", r.Stderr())
	}
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGWINCH} {
		r.signal(sig)
		r.expect(fmt.Sprintf("child got %d", sig))
	}
	if code := r.finish(); code != 0 {
		t.Errorf("the PIE goinit exited %d; stderr %q", code, r.Stderr())
	}
	noGoPanic(t, "PIE", r.Stderr())
}
