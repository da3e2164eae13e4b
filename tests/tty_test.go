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
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goinitBin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if m.pid1 {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	o := &onTerminal{t: t, cmd: cmd, master: master, output: make(chan string, 1000), exited: make(chan struct{})}
	go func() {
		rd := bufio.NewReader(master)
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
	}()
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
