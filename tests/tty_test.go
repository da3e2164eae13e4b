package tests

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/creack/pty"
)

// onTerminal is goinit started as a terminal session leader, the way
// docker run -it (and a login shell) starts it.
type onTerminal struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	output chan string
	seen   strings.Builder
	exited chan struct{}
}

func startOnTerminal(t *testing.T, m mode, args ...string) *onTerminal {
	t.Helper()
	cmd := exec.Command(goinitBin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if m.pid1 {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	}
	return runOnTerminal(t, cmd)
}

// runOnTerminal starts cmd as the session leader of a new terminal, with
// the terminal as its stdin, stdout and stderr and as its controlling
// terminal.
func runOnTerminal(t *testing.T, cmd *exec.Cmd) *onTerminal {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	o := &onTerminal{t: t, cmd: cmd, master: master, output: make(chan string, 1000), exited: make(chan struct{})}
	go o.read()
	go func() { cmd.Wait(); close(o.exited) }()
	t.Cleanup(func() {
		select {
		case <-o.exited:
		default:
			killTree(cmd.Process.Pid)
			<-o.exited
		}
		master.Close()
	})
	return o
}

// read passes the terminal's output on line by line.
func (o *onTerminal) read() {
	rd := bufio.NewReader(o.master)
	for {
		line, err := rd.ReadString('\n')
		if line != "" {
			o.output <- line
		}
		if err != nil {
			close(o.output)
			return
		}
	}
}

// waitFor reads terminal output until a line matches re.
func (o *onTerminal) waitFor(re string) []string {
	o.t.Helper()
	pattern := regexp.MustCompile(re)
	timeout := time.After(hangGuard)
	for {
		select {
		case line, ok := <-o.output:
			if !ok {
				o.t.Fatalf("terminal closed before %q; output %q", re, o.seen.String())
			}
			o.seen.WriteString(line)
			if m := pattern.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-timeout:
			o.t.Fatalf("no %q on the terminal; output %q", re, o.seen.String())
		}
	}
}

func (o *onTerminal) exitStatus() int {
	o.t.Helper()
	select {
	case <-o.exited:
	case <-time.After(hangGuard):
		o.t.Fatalf("goinit did not exit; terminal output %q", o.seen.String())
	}
	ws := o.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// foreground is the terminal's foreground process group.
func (o *onTerminal) foreground() int {
	var pgid int32
	syscall.Syscall(syscall.SYS_IOCTL, o.master.Fd(), syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgid)))
	return int(pgid)
}

func TestCommandGetsTheTerminalForeground(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		o := startOnTerminal(t, m, "--", helperBin, "ttyinfo")
		got := o.waitFor(`pgrp=(\d+) fg=(\d+) err=(.*)\r?\n`)
		if got[1] != got[2] {
			t.Errorf("the command's group %s is not the terminal's foreground group %s (%s)", got[1], got[2], got[3])
		}
		if code := o.exitStatus(); code != 0 {
			t.Errorf("exited %d", code)
		}
	})
}

func TestCtrlCAtTheTerminalGives130(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		o := startOnTerminal(t, m, "--", "sleep", "1000")
		goinit := o.cmd.Process.Pid
		if !eventually(func() bool { fg := o.foreground(); return fg > 0 && fg != goinit }) {
			t.Fatalf("the command never took the terminal (foreground %d)", o.foreground())
		}
		o.master.Write([]byte{3}) // Ctrl-C
		if code := o.exitStatus(); code != 130 {
			t.Errorf("after Ctrl-C goinit exited %d, want 130", code)
		}
	})
}

func TestInteractiveBashGetsJobControl(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		o := startOnTerminal(t, m, "--", "bash", "--norc", "--noprofile", "-i")
		o.master.Write([]byte("PS1=; echo flags=$-; sleep 100 & jobs; kill %1; exit 7\n"))
		flags := o.waitFor(`flags=([a-zA-Z]+)\r`)
		if !strings.Contains(flags[1], "m") {
			t.Errorf("bash has no job control (flags %q); output %q", flags[1], o.seen.String())
		}
		o.waitFor(`\[1\]\+\s+Running\s+sleep 100`)
		if code := o.exitStatus(); code != 7 {
			t.Errorf("exited %d, want 7", code)
		}
		if strings.Contains(o.seen.String(), "no job control") {
			t.Errorf("bash warned: %q", o.seen.String())
		}
	})
}

// startShellOnTerminal starts an interactive bash as a terminal's session
// leader, the way a terminal emulator does.
func startShellOnTerminal(t *testing.T) *onTerminal {
	t.Helper()
	cmd := exec.Command("bash", "--norc", "--noprofile", "-i")
	cmd.Env = append(os.Environ(), "PS1=$ ", "PATH="+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	return runOnTerminal(t, cmd)
}

func TestCtrlZStopsCommandAndGoinitAndFgResumesThem(t *testing.T) {
	sh := startShellOnTerminal(t)
	sh.master.Write([]byte(goinitBin + " -- sh -c '" + readLines + "'\n"))
	sh.waitFor(`(^|\r)reading\r?\n$`)
	goinit := onlyChild(t, sh.cmd.Process.Pid)
	command := onlyChild(t, goinit)

	sh.master.Write([]byte{0x1a}) // Ctrl-Z
	sh.waitFor(`Stopped`)
	for _, pid := range []int{goinit, command} {
		if !eventually(func() bool { return processState(pid) == "T" }) {
			t.Errorf("pid %d is %q after Ctrl-Z, want stopped", pid, processState(pid))
		}
	}

	sh.master.Write([]byte("fg\n"))
	if !eventually(func() bool { return processState(command) != "T" && processState(goinit) != "T" }) {
		t.Fatalf("fg did not resume both: goinit %q, command %q", processState(goinit), processState(command))
	}
	sh.master.Write([]byte("hello again\n"))
	sh.waitFor(`(^|\r)read: hello again`)
	sh.master.Write([]byte{4}) // Ctrl-D: the command reads end of file and exits
	sh.master.Write([]byte("exit $?\n"))
	if code := sh.exitStatus(); code != 0 {
		t.Errorf("the shell exited %d; output %q", code, sh.seen.String())
	}
}

func TestGoinitAsPID1NeverStopsWhenItsCommandDoes(t *testing.T) {
	requireRoot(t)
	o := startOnTerminal(t, asPID1, "--", "sh", "-c", readLines)
	o.waitFor(`^reading\r?\n$`)
	goinit := o.cmd.Process.Pid
	command := onlyChild(t, goinit)
	o.master.Write([]byte{0x1a}) // Ctrl-Z stops the command, in the foreground group
	if !eventually(func() bool { return processState(command) == "T" }) {
		t.Fatalf("the command did not stop")
	}
	if processState(goinit) == "T" {
		t.Fatal("goinit stopped as PID 1")
	}
	syscall.Kill(goinit, syscall.SIGCONT) // forwarded: the command resumes
	o.master.Write([]byte("still here\n"))
	o.waitFor(`^read: still here`)
	o.master.Write([]byte{4})
	if code := o.exitStatus(); code != 0 {
		t.Errorf("exited %d", code)
	}
}

// readLines is a program that reads its terminal and stops on Ctrl-Z.
const readLines = `echo reading; while read line; do echo "read: $line"; done`

// onlyChild returns pid's only child.
func onlyChild(t *testing.T, pid int) int {
	t.Helper()
	var kids []int
	eventually(func() bool { kids = children(pid); return len(kids) == 1 })
	if len(kids) != 1 {
		t.Fatalf("pid %d has children %v, want one", pid, kids)
	}
	return kids[0]
}
