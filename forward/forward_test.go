package forward

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// startGroup starts a process group of two sleeping processes and returns
// its leader's and member's pids.
func startGroup(t *testing.T) (leader, member *exec.Cmd) {
	t.Helper()
	leader = exec.Command("sleep", "100")
	leader.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := leader.Start(); err != nil {
		t.Fatal(err)
	}
	member = exec.Command("sleep", "100")
	member.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: leader.Process.Pid}
	if err := member.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		leader.Process.Kill()
		member.Process.Kill()
		leader.Wait()
		member.Wait()
	})
	return leader, member
}

func killedBy(t *testing.T, cmd *exec.Cmd) syscall.Signal {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return 0
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() {
		return 0
	}
	return ws.Signal()
}

func TestForwardReachesTheWholeGroup(t *testing.T) {
	leader, member := startGroup(t)
	if err := New(leader.Process.Pid, false).Forward(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if killedBy(t, leader) != syscall.SIGTERM || killedBy(t, member) != syscall.SIGTERM {
		t.Error("the group did not receive SIGTERM")
	}
}

func TestSingleChildReachesOnlyTheChild(t *testing.T) {
	leader, member := startGroup(t)
	if err := New(leader.Process.Pid, true).Forward(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if killedBy(t, leader) != syscall.SIGTERM {
		t.Error("the child did not receive SIGTERM")
	}
	if err := syscall.Kill(member.Process.Pid, 0); err != nil {
		t.Errorf("the other member was signalled: %v", err)
	}
}

func TestNothingIsSentAfterTheChildWasReaped(t *testing.T) {
	caught := make(chan os.Signal, 10)
	signal.Notify(caught, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(caught)
	f := New(os.Getpid(), true)
	f.ChildReaped()
	if err := f.Forward(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	// Reported lowest number first: a USR1 (10) would precede this USR2.
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	if s := <-caught; s != syscall.SIGUSR2 {
		t.Fatalf("a reaped child was signalled: %v", s)
	}
}

func TestATargetThatIsGoneIsNotAnError(t *testing.T) {
	cmd := exec.Command("true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	// The pid is free now (and could be reused in real life, which is why
	// goinit stops forwarding once it has reaped the child).
	if err := New(cmd.Process.Pid, false).Forward(syscall.SIGTERM); err != nil {
		t.Errorf("Forward to a vanished group: %v", err)
	}
}
