// Package tests runs the built goinit binary the way users run it: as PID 1
// of a fresh PID namespace and as an ordinary process (a subreaper), with
// real workloads, and checks what its child, its orphans and its caller see.
package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
)

// goinitBin and helperBin are the binaries under test, built by the
// Makefile (make integration passes their paths; a bare go test builds
// them through make).
var goinitBin, helperBin string

func TestMain(m *testing.M) {
	testenv.DefaultIgnoredSignals()
	goinitBin, helperBin = os.Getenv("GOINITTEST_BIN"), os.Getenv("GOINITTEST_HELPER")
	if goinitBin == "" || helperBin == "" {
		root, _ := filepath.Abs("..")
		out, err := exec.Command("make", "-s", "-C", root, "build", "helper").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building goinit and the helper: %v\n%s", err, out)
			os.Exit(1)
		}
		goinitBin, helperBin = filepath.Join(root, "bin/goinit"), filepath.Join(root, "bin/helper")
	}
	os.Exit(m.Run())
}

// hangGuard bounds every wait, so a goinit that hangs fails its test
// instead of stalling the suite. It is not a performance threshold.
const hangGuard = 30 * time.Second

// requireRoot skips a test that needs root (PID namespaces), except in CI,
// where a skipped test would hide a failure.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipUnlessCI(t, "needs root for PID namespaces; run as root (CI does)")
	}
}

// A mode is one of the two ways users run goinit.
type mode struct {
	name string
	pid1 bool // PID 1 of a new PID namespace; otherwise an ordinary subreaper
}

var (
	asPID1      = mode{"as-pid1", true}
	asSubreaper = mode{"as-subreaper", false}
	bothModes   = []mode{asPID1, asSubreaper}
)

// inEachMode runs test once as PID 1 and once as a subreaper.
func inEachMode(t *testing.T, test func(t *testing.T, m mode)) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			if m.pid1 {
				requireRoot(t)
			}
			test(t, m)
		})
	}
}

// running is a goinit process under test.
type running struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // the child's stdout, line by line
	seen  []string    // lines read so far, for failure messages

	mu     sync.Mutex
	stderr bytes.Buffer

	exited chan struct{}
	state  *os.ProcessState
}

// startGoinit starts goinit with args in mode m. The test owns its stdin
// and reads its stdout with expect.
func startGoinit(t *testing.T, m mode, args ...string) *running {
	t.Helper()
	return start(t, m, exec.Command(goinitBin, args...))
}

func start(t *testing.T, m mode, cmd *exec.Cmd) *running {
	t.Helper()
	r := &running{t: t, cmd: cmd, lines: make(chan string, 100000), exited: make(chan struct{})}
	if m.pid1 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	}
	var err error
	if r.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	// Not StdoutPipe: Wait closes that pipe as soon as the process exits,
	// and output not yet read would be lost.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = stdoutW
	if cmd.Stderr == nil {
		cmd.Stderr = lockedWriter{&r.mu, &r.stderr}
	}
	// Descendants that outlive a failed test keep the pipes open; do not
	// let them hold up Wait.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting goinit: %v", err)
	}
	stdoutW.Close()
	go func() {
		defer stdout.Close()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	go func() {
		r.cmd.Wait()
		r.state = r.cmd.ProcessState
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			killTree(r.pid())
			<-r.exited
		}
	})
	return r
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (r *running) Stderr() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// pid is goinit's pid as seen from the test.
func (r *running) pid() int { return r.cmd.Process.Pid }

// expect reads the child's output until a line equal to want.
func (r *running) expect(want string) {
	r.t.Helper()
	if !r.waitLine(want, hangGuard) {
		status := "still running"
		select {
		case <-r.exited:
			status = r.state.String()
		default:
		}
		r.t.Fatalf("expected line %q; got lines %q; goinit (%s) stderr: %q", want, r.seen, status, r.Stderr())
	}
}

// waitLine reads lines until want or until the output ends or d passes.
func (r *running) waitLine(want string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				return false
			}
			r.seen = append(r.seen, line)
			if line == want {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// signal sends sig to goinit from outside, as docker kill does.
func (r *running) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := syscall.Kill(r.pid(), sig); err != nil {
		r.t.Fatalf("kill %d: %v", sig, err)
	}
}

// exitStatus waits for goinit and returns its exit code, or 128+N when it
// was killed by signal N.
func (r *running) exitStatus() int {
	r.t.Helper()
	select {
	case <-r.exited:
	case <-time.After(hangGuard):
		r.t.Fatalf("goinit did not exit within %v; child output %q; stderr %q", hangGuard, r.seen, r.Stderr())
	}
	ws := r.state.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// finish closes the child's stdin (the helper then exits 0) and returns
// goinit's exit status.
func (r *running) finish() int {
	r.t.Helper()
	r.stdin.Close()
	return r.exitStatus()
}

// children lists the pids of pid's children, zombies included.
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// killTree stops pid, then kills it and all its descendants, so a failed
// test leaves nothing running.
func killTree(pid int) {
	syscall.Kill(pid, syscall.SIGSTOP)
	var all []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range children(p) {
			syscall.Kill(c, syscall.SIGSTOP)
			all = append(all, c)
			walk(c)
		}
	}
	walk(pid)
	for _, p := range all {
		syscall.Kill(p, syscall.SIGKILL)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// processState returns the state letter of pid (R, S, Z, T...) or "" once
// it is gone.
func processState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// zombieChildren counts pid's children that are zombies.
func zombieChildren(pid int) int {
	n := 0
	for _, c := range children(pid) {
		if processState(c) == "Z" {
			n++
		}
	}
	return n
}

// eventually polls cond until it holds or hangGuard passes.
func eventually(cond func() bool) bool { return testenv.Eventually(hangGuard, cond) }

// blockedSleeper is a command that sleeps with every signal blocked, so
// that each signal sent to it stays pending, where the test can see it in
// /proc without racing a handler.
func blockedSleeper() []string {
	return []string{helperBin, "exec-with", "--block", "all", "--", "sleep", "1000"}
}

// pending reports whether sig is pending for pid, for the whole process or
// one of its threads.
func pending(pid int, sig syscall.Signal) bool {
	var set uint64
	for _, key := range []string{"SigPnd", "ShdPnd"} {
		v, _ := statusField(pid, key)
		m, _ := strconv.ParseUint(v, 16, 64)
		set |= m
	}
	return set&(1<<(uint(sig)-1)) != 0
}

// statusField is the value of the field key in /proc/pid/status, without
// its unit ("1234" for "RssAnon:  1234 kB"), and whether there was one.
func statusField(pid int, key string) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				return f[0], true
			}
		}
	}
	return "", false
}

// statusNumber is a number field of /proc/pid/status, 0 when it has none.
func statusNumber(pid int, key string) int {
	v, _ := statusField(pid, key)
	n, _ := strconv.Atoi(v)
	return n
}

// isSleeping reports whether pid has become the blocked sleeper.
func isSleeping(pid int) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b)) == "sleep"
}

// whoGetsSignals reports whom a SIGUSR1 sent to init reaches: the "child"
// alone, or its whole process "group". Child and grandchild block every
// signal; one kill(2) queues a group signal to every member at once, so
// once the child holds SIGUSR1, the grandchild holds it too or never will.
func whoGetsSignals(t *testing.T, m mode, init string, flags, env []string) string {
	t.Helper()
	cmd := slices.Concat(flags, []string{"--", helperBin, "exec-with", "--block", "all", "--",
		"sh", "-c", "sleep 1000 & exec sleep 1000"})
	c := exec.Command(init, cmd...)
	c.Env = append(os.Environ(), env...)
	r := start(t, m, c)
	child := onlyChild(t, r.pid())
	grandchild := onlyChild(t, child)
	if !eventually(func() bool { return isSleeping(child) && isSleeping(grandchild) }) {
		t.Fatal("child and grandchild never both slept")
	}
	r.signal(syscall.SIGUSR1)
	if !eventually(func() bool { return pending(child, syscall.SIGUSR1) }) {
		t.Fatalf("%s %v: SIGUSR1 never reached the child", init, flags)
	}
	if pending(grandchild, syscall.SIGUSR1) {
		return "group"
	}
	return "child"
}

// nextLineOrFail returns the child's next line of output.
func (r *running) nextLineOrFail() string {
	r.t.Helper()
	select {
	case line, ok := <-r.lines:
		if !ok {
			r.t.Fatalf("output ended; lines %q; stderr %q", r.seen, r.Stderr())
		}
		r.seen = append(r.seen, line)
		return line
	case <-time.After(hangGuard):
		r.t.Fatalf("no more output; lines %q; stderr %q", r.seen, r.Stderr())
	}
	return ""
}
