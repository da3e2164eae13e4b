// Command helper is the workload goinit's integration tests run under
// goinit. It reports what it sees on stdout, one line per event, so a test
// can assert on it. It is built with the same link flags as goinit, so its
// own Go runtime sends no preemption SIGURGs that could pass for forwarded
// ones.
//
//	helper signals [--grandchild]   report every signal caught: "<role> got <N>"
//	helper orphans N [K]            make N orphans (K per middle process),
//	                                print "orphans done", wait
//	helper exit-with-crowd N CODE   start N children, then exit CODE the
//	                                instant they all exit too
//	helper setpgid-signals          join another process group, then report
//	                                signals like "signals"
//	helper soak                     count signals, make orphans and short-lived
//	                                children forever; "report" on stdin prints
//	                                "signal N COUNT" lines and "report done"
//	helper argv                     print each argument hex-encoded
//	helper readlines                print "reading", then "read: <line>" per line
//	helper ttyinfo                  print "pgrp=<n> fg=<n>" for stdin's terminal
//	helper exec-with [--block S,..|all] [--ignore S,..] -- CMD...
//	                                exec CMD with those signals blocked/ignored
//	helper socket-activated         serve one connection on the socket passed
//	                                by socket activation (fd 3), answering
//	                                "activated", if LISTEN_PID names this
//	                                process, as sd_listen_fds(3) checks; else
//	                                print why not and exit 3
//	helper exec-without-proc CMD... exec CMD, with the helper's environment as
//	                                the kernel passed it, in a mount namespace
//	                                of its own where /proc is not mounted
//
// Commands that wait do so until stdin reaches end of file or a line
// "exit N" arrives, then exit with N (0 at end of file); a line "fork"
// makes them try to start /bin/true and print "fork worked" or "fork
// refused: REASON".
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"goinit/catch"
	"goinit/signals"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: helper COMMAND [ARGS]")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "signals", "grandchild-signals", "setpgid-signals", "soak":
		// Catch every catchable signal, as goinit does, before saying
		// ready.
		runtime.LockOSThread()
		if _, err := catch.Start(signals.Forwardable()); err != nil {
			fail("catch.Start: %v", err)
		}
	}
	switch os.Args[1] {
	case "signals":
		reportSignals(len(args) > 0 && args[0] == "--grandchild")
	case "grandchild-signals":
		reportSignalsAs("grandchild", nil)
	case "orphans":
		n, err := strconv.Atoi(args[0])
		if err != nil {
			fail("orphans: %v", err)
		}
		perMiddle := 1
		if len(args) > 1 {
			if perMiddle, err = strconv.Atoi(args[1]); err != nil || perMiddle < 1 {
				fail("orphans: bad count per middle process %q", args[1])
			}
		}
		makeOrphans(n, perMiddle)
	case "exit-with-crowd":
		n, err1 := strconv.Atoi(args[0])
		code, err2 := strconv.Atoi(args[1])
		if err1 != nil || err2 != nil {
			fail("exit-with-crowd N CODE")
		}
		exitWithCrowd(n, code)
	case "setpgid-signals":
		leaveGroup()
		reportSignalsAs("child", nil)
	case "soak":
		soak()
	case "argv":
		for _, a := range args {
			fmt.Println(hex.EncodeToString([]byte(a)))
		}
	case "readlines":
		fmt.Println("reading")
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			fmt.Printf("read: %s\n", in.Text())
		}
	case "ttyinfo":
		fg, err := tcgetpgrp(0)
		fmt.Printf("pgrp=%d fg=%d err=%v\n", syscall.Getpgrp(), fg, err)
	case "exec-with":
		execWith(args)
	case "exec-without-proc":
		execWithoutProc(args)
	case "socket-activated":
		serveActivatedSocket()
	default:
		fail("unknown command %q", os.Args[1])
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "helper: "+format+"\n", args...)
	os.Exit(99)
}

// reportSignals prints every signal goinit can forward as it arrives.
// With grandchild, it first starts a second reporter in its own process
// group, which reports as "grandchild".
func reportSignals(grandchild bool) {
	var gc *exec.Cmd
	if grandchild {
		gc = exec.Command("/proc/self/exe", "grandchild-signals")
		gc.Stdout = os.Stdout
		gc.Stderr = os.Stderr
		pr, pw, err := os.Pipe()
		if err != nil {
			fail("%v", err)
		}
		gc.ExtraFiles = []*os.File{pw}
		if err := gc.Start(); err != nil {
			fail("grandchild: %v", err)
		}
		pw.Close()
		// Wait for the grandchild's "ready" before announcing our own.
		buf := make([]byte, 1)
		pr.Read(buf)
	}
	reportSignalsAs("child", func() {
		if gc != nil {
			gc.Process.Kill()
			gc.Wait()
		}
	})
}

func reportSignalsAs(role string, beforeExit func()) {
	if f := os.NewFile(3, "ready"); role == "grandchild" && f != nil {
		defer f.Close()
		fmt.Printf("%s ready\n", role)
		f.Write([]byte{1})
	} else {
		fmt.Printf("%s ready\n", role)
	}
	go func() {
		var sigs []syscall.Signal
		for {
			sigs = catch.Wait(sigs[:0], time.Time{})
			for _, s := range sigs {
				if s != syscall.SIGCHLD {
					fmt.Printf("%s got %d\n", role, int(s))
				}
			}
		}
	}()
	if role == "grandchild" {
		select {} // until killed by the child
	}
	code := waitForExit()
	if beforeExit != nil {
		beforeExit()
	}
	os.Exit(code)
}

// soak is the long run's workload: it keeps forking, orphaning and exiting,
// and counts every signal it receives.
func soak() {
	var mu sync.Mutex
	counts := map[syscall.Signal]int{}
	go func() {
		var sigs []syscall.Signal
		for {
			sigs = catch.Wait(sigs[:0], time.Time{})
			mu.Lock()
			for _, s := range sigs {
				counts[s]++
			}
			mu.Unlock()
		}
	}()
	go func() {
		for {
			forkOrphans(20) // reapAny collects its middle process
			exec.Command("/bin/true").Run()
			reapAny()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	fmt.Println("soak ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "report" {
			continue
		}
		mu.Lock()
		for sig, n := range counts {
			if sig != syscall.SIGCHLD {
				fmt.Printf("signal %d %d\n", int(sig), n)
			}
		}
		mu.Unlock()
		fmt.Println("report done")
	}
}

// reapAny collects this process's own exited children (the middle
// processes of its orphans).
func reapAny() {
	for {
		var ws syscall.WaitStatus
		if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
			return
		}
	}
}

// waitForExit reads stdin until end of file or "exit N".
func waitForExit() int {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if n, ok := strings.CutPrefix(in.Text(), "exit "); ok {
			code, _ := strconv.Atoi(n)
			return code
		}
		if in.Text() == "fork" {
			tryFork()
		}
	}
	return 0
}

// tryFork starts /bin/true and says whether the fork was refused.
func tryFork() {
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		fmt.Printf("fork refused: %v\n", err)
		return
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	fmt.Println("fork worked")
}

// makeOrphans makes n orphans: middle processes each fork perMiddle
// children and exit at once, and are reaped here, so the children are
// re-parented to the nearest subreaper or to PID 1, that is to goinit, and
// exit there.
func makeOrphans(n, perMiddle int) {
	for made := 0; made < n; made += perMiddle {
		middle, errno := forkOrphans(min(perMiddle, n-made))
		if errno != 0 {
			fail("fork: %v", errno)
		}
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(int(middle), &ws, 0, nil); err != syscall.EINTR {
				break
			}
		}
	}
	fmt.Println("orphans done")
	os.Exit(waitForExit())
}

// forkOrphans forks a middle process that forks n orphans, which all exit
// at once. It forks without the Go runtime's help, so the children run
// nothing but raw system calls: no function whose prologue could find a
// preemption request copied from the parent and enter the scheduler.
//
//go:nosplit
//go:norace
func forkOrphans(n int) (uintptr, syscall.Errno) {
	middle, _, errno := rawClone()
	if middle != 0 || errno != 0 {
		return middle, errno
	}
	for i := 0; i < n; i++ {
		if pid, _, _ := rawClone(); pid == 0 {
			break // an orphan: exit below
		}
	}
	for {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
}

//go:nosplit
//go:norace
func rawClone() (uintptr, uintptr, syscall.Errno) {
	a1, a2 := uintptr(syscall.SIGCHLD), uintptr(0)
	if runtime.GOARCH == "s390x" {
		a1, a2 = a2, a1 // clone's first two arguments are swapped there
	}
	return syscall.RawSyscall6(syscall.SYS_CLONE, a1, a2, 0, 0, 0, 0)
}

// exitWithCrowd starts n children that wait on a pipe, then closes it and
// exits with code: the children see end of file and exit in the same
// instant, re-parented to goinit as they go.
func exitWithCrowd(n, code int) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fail("pipe: %v", err)
	}
	for i := 0; i < n; i++ {
		if _, errno := waitOnPipe(p[0], p[1]); errno != 0 {
			fail("fork: %v", errno)
		}
	}
	syscall.Close(p[1])
	os.Exit(code)
}

// waitOnPipe forks a child that closes the write end, reads the pipe until
// end of file, and exits.
//
//go:nosplit
//go:norace
func waitOnPipe(r, w int) (uintptr, syscall.Errno) {
	pid, _, errno := rawClone()
	if pid != 0 || errno != 0 {
		return pid, errno
	}
	syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(w), 0, 0)
	var b [1]byte
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(r), uintptr(unsafe.Pointer(&b[0])), 1)
		if n == 0 || (e != 0 && e != syscall.EINTR) {
			break
		}
	}
	for {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
}

// leaveGroup moves this process out of the process group goinit made for
// it, into the group of a sleeping child of its own. (A group leader cannot
// call setsid; programs that do fork first, and their parent exits.)
func leaveGroup() {
	other := exec.Command("sleep", "1000")
	other.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := other.Start(); err != nil {
		fail("starting the other group: %v", err)
	}
	if err := syscall.Setpgid(0, other.Process.Pid); err != nil {
		fail("joining the other group: %v", err)
	}
}

func tcgetpgrp(fd int) (int, error) {
	var pgid int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgid)))
	if errno != 0 {
		return -1, errno
	}
	return int(pgid), nil
}

// execWith execs a command with some signals blocked and some ignored, the
// state a parent such as a shell or a supervisor may hand to goinit.
func execWith(args []string) {
	var block, ignore []syscall.Signal
	for len(args) > 0 && args[0] != "--" {
		if len(args) < 2 {
			fail("exec-with: %q needs a value", args[0])
		}
		sigs := parseSignals(args[1])
		switch args[0] {
		case "--block":
			block = append(block, sigs...)
		case "--ignore":
			ignore = append(ignore, sigs...)
		default:
			fail("exec-with: unknown option %q", args[0])
		}
		args = args[2:]
	}
	if len(args) < 2 {
		fail("exec-with: no command")
	}
	cmd := args[1:]
	for _, s := range ignore {
		ignoreSignal(s)
	}
	// The mask is per thread and survives exec from the thread that execs.
	runtime.LockOSThread()
	var set uint64
	for _, s := range block {
		set |= 1 << (uint(s) - 1)
	}
	const sigBlock = 0
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigBlock, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
	path, err := exec.LookPath(cmd[0])
	if err != nil {
		fail("exec-with: %v", err)
	}
	err = syscall.Exec(path, cmd, syscall.Environ())
	fail("exec-with: %v", err)
}

func execWithoutProc(cmd []string) {
	if len(cmd) == 0 {
		fail("exec-without-proc: no command")
	}
	raw, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		fail("exec-without-proc: %v", err)
	}
	env := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	// The mount namespace is the thread's until it execs.
	runtime.LockOSThread()
	if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
		fail("exec-without-proc: unshare: %v", err)
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		fail("exec-without-proc: %v", err)
	}
	if err := syscall.Unmount("/proc", syscall.MNT_DETACH); err != nil {
		fail("exec-without-proc: umount /proc: %v", err)
	}
	err = syscall.Exec(cmd[0], cmd, env)
	fail("exec-without-proc: %v", err)
}

func serveActivatedSocket() {
	if pid := os.Getenv("LISTEN_PID"); pid != strconv.Itoa(os.Getpid()) || os.Getenv("LISTEN_FDS") != "1" {
		fmt.Printf("not for me: LISTEN_PID=%s LISTEN_FDS=%s, my pid is %d\n", pid, os.Getenv("LISTEN_FDS"), os.Getpid())
		os.Exit(3)
	}
	conn, _, err := syscall.Accept(3)
	if err != nil {
		fail("socket-activated: accept: %v", err)
	}
	syscall.Write(conn, []byte("activated\n"))
	syscall.Close(conn)
	fmt.Println("served")
}

// ignoreSignal sets sig's disposition to SIG_IGN with rt_sigaction itself:
// signal.Ignore does nothing for the signals the Go runtime keeps (27, 32,
// 34), and the point is to hand every one of them on ignored.
func ignoreSignal(sig syscall.Signal) {
	var act [4]uint64 // the kernel's struct sigaction, the handler first
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), 8, 0, 0); e != 0 {
		fail("exec-with: reading the action of %d: %v", sig, e)
	}
	act[0] = 1 // SIG_IGN
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); e != 0 {
		fail("exec-with: ignoring %d: %v", sig, e)
	}
}

func parseSignals(list string) []syscall.Signal {
	var out []syscall.Signal
	if list == "all" {
		for n := syscall.Signal(1); n <= 64; n++ {
			out = append(out, n)
		}
		return out
	}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 64 {
			fail("bad signal number %q", f)
		}
		out = append(out, syscall.Signal(n))
	}
	return out
}
