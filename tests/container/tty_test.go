package container

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

func TestRunWithTTYGivesTheChildTheTerminalsForeground(t *testing.T) {
	// The child's own process group must own the terminal's foreground, so
	// Ctrl-C and job control reach it.
	const workload = `read -r _ _ _ _ pgrp _ _ tpgid _ < /proc/self/stat
[ -t 0 ] && [ -t 1 ] && echo "terminal foreground=$((pgrp == tpgid))"`
	inEachMode(t, func(t *testing.T, m mode) {
		r := m.run(t, nil, []string{"-t"}, "sh", "-c", workload)
		// A terminal ends lines with \r\n.
		if got := strings.TrimSpace(r.stdout); r.code != 0 || got != "terminal foreground=1" {
			t.Errorf("the child printed %q (exit %d), want %q; stderr %q", got, r.code, "terminal foreground=1", r.stderr)
		}
	})
}

func TestRunInteractiveStdinReachesTheChild(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := m.run(t, strings.NewReader("hello\n"), []string{"-i"}, "sh", "-c", `read -r line; echo "got $line"`)
		if r.code != 0 || r.stdout != "got hello\n" {
			t.Errorf("the child printed %q (exit %d), want %q; stderr %q", r.stdout, r.code, "got hello\n", r.stderr)
		}
	})
}

func TestCtrlCUnderRunITEndsTheChildWith130(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		master, tty, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer master.Close()
		name, global, env := m.client()
		args := append(global, m.runArgs(m.newName(t), []string{"-it"}, "sh", "-c", "echo ready; exec sleep 1000")...)
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		// The client on a terminal of its own, as a user's shell runs it.
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		ready := make(chan bool, 1)
		var seen strings.Builder
		go func() {
			sc := bufio.NewScanner(master)
			for sc.Scan() {
				seen.WriteString(sc.Text() + "\n")
				if strings.TrimSpace(sc.Text()) == "ready" {
					ready <- true
				}
			}
			close(ready)
		}()
		if !<-ready {
			cmd.Wait()
			t.Fatalf("the child never said ready; the terminal showed %q", seen.String())
		}
		master.Write([]byte{3}) // Ctrl-C
		cmd.Wait()
		if ctx.Err() != nil {
			t.Fatalf("%s run -it did not end within %v after Ctrl-C", m.engine, hangGuard)
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("%s run -it exited %d after Ctrl-C, want 130 (the child killed by SIGINT)", m.engine, code)
		}
	})
}
