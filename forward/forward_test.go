package forward

import (
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestForwardableIsEveryCatchableSignalButSIGCHLD(t *testing.T) {
	in := map[syscall.Signal]bool{}
	for _, s := range Forwardable {
		in[s] = true
	}
	for _, s := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGPROF, syscall.SIGURG, syscall.SIGTSTP, syscall.SIGSEGV, 32, SigRTMin, SigRTMax} {
		if !in[s] {
			t.Errorf("%s is not forwarded", Name(s))
		}
	}
	for _, s := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, 33} {
		if in[s] {
			t.Errorf("%s is forwarded", Name(s))
		}
	}
	if len(Forwardable) != 60 {
		t.Errorf("%d signals forwarded, want 60 (64 less KILL, STOP, CHLD and 33)", len(Forwardable))
	}
}

func TestSignalNames(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{
		1: "SIGHUP", 15: "SIGTERM", 31: "SIGSYS", 32: "signal 32", 33: "signal 33",
		34: "SIGRTMIN", 35: "SIGRTMIN+1", 39: "SIGRTMIN+5", 63: "SIGRTMIN+29", 64: "SIGRTMAX", 65: "signal 65",
	} {
		if got := Name(sig); got != want {
			t.Errorf("Name(%d) = %q, want %q", sig, got, want)
		}
	}
}

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

func TestToAllReachesEveryDescendantAndNothingElse(t *testing.T) {
	// A tree under this test process: a shell, a sleep in its group, and
	// a sleep that left for a session of its own.
	tree := exec.Command("sh", "-c", "sleep 100 & setsid sleep 100 & echo started; wait")
	out, _ := tree.StdoutPipe()
	if err := tree.Start(); err != nil {
		t.Fatal(err)
	}
	out.Read(make([]byte, 8))
	bystander := exec.Command("sleep", "100") // also this process's child
	bystander.Start()
	defer bystander.Process.Kill()

	var pids []int
	deadline := time.Now().Add(10 * time.Second)
	for len(pids) < 4 && time.Now().Before(deadline) { // sh, 2 sleeps, bystander
		pids, _ = Descendants()
		time.Sleep(time.Millisecond)
	}
	if len(pids) < 4 {
		t.Fatalf("descendants %v, want the tree's three and the bystander", pids)
	}
	bystander.Process.Kill()
	bystander.Wait()
	if _, err := ToAll(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The shell dies of SIGTERM, or exits once its sleeps have.
	done := make(chan struct{})
	go func() { tree.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the shell survived")
	}
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil && processAlive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("descendant %d survived SIGTERM", pid)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(b), ") Z ")
}
