package leftovers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSignalReachesEveryDescendantWhereverItWent(t *testing.T) {
	// A tree under this test process: a shell, a sleep in its group, and
	// a sleep that left for a session of its own.
	tree := exec.Command("sh", "-c", "sleep 100 & setsid sleep 100 & echo started; wait")
	out, _ := tree.StdoutPipe()
	if err := tree.Start(); err != nil {
		t.Fatal(err)
	}
	out.Read(make([]byte, 8))
	other := exec.Command("sleep", "100") // this process's child too
	other.Start()
	defer other.Process.Kill()

	var pids []int
	deadline := time.Now().Add(10 * time.Second)
	for len(pids) < 4 && time.Now().Before(deadline) { // sh, 2 sleeps, the other child
		pids, _ = List()
		time.Sleep(time.Millisecond)
	}
	if len(pids) < 4 {
		t.Fatalf("descendants %v, want the tree's three and the other child", pids)
	}
	other.Process.Kill() // not the tree's: gone before the signal
	other.Wait()
	if _, err := Signal(syscall.SIGTERM); err != nil {
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
		for processAlive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("descendant %d survived SIGTERM", pid)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func TestAProcessThatIsNotADescendantIsNeverSignalled(t *testing.T) {
	// The parent of this test process stands for a pid reused by an
	// unrelated process: found once, no longer a descendant when its turn
	// comes.
	if got := signalDescendant(os.Getppid(), os.Getpid(), []syscall.Signal{0}); got != gone {
		t.Errorf("the test's parent: outcome %d, want gone", got)
	}
	if got := signalDescendant(os.Getpid(), os.Getpid(), []syscall.Signal{0}); got != gone {
		t.Errorf("the test process itself: outcome %d, want gone", got)
	}
}

func TestAPidThatIsGoneIsSkipped(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if got := signalDescendant(cmd.Process.Pid, os.Getpid(), []syscall.Signal{syscall.SIGTERM}); got != gone {
		t.Errorf("a reaped pid: outcome %d, want gone", got)
	}
}

func TestPidListsAreReadAsTheKernelWritesThem(t *testing.T) {
	for in, want := range map[string][]int{
		"":             nil,
		"12 345 6789 ": {12, 345, 6789},
		"7":            {7},
		" S 1 2 3\n":   {1, 2, 3},
	} {
		if got := appendPids(nil, []byte(in)); !slices.Equal(got, want) {
			t.Errorf("appendPids(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParentIsReadPastACommandNameWithParentheses(t *testing.T) {
	odd := filepath.Join(t.TempDir(), "x) (y")
	if err := os.Symlink("/bin/sleep", odd); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(odd, "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ppid, err := parentOf(cmd.Process.Pid)
	if err != nil || ppid != os.Getpid() {
		t.Errorf("parentOf = %d, %v; want %d", ppid, err, os.Getpid())
	}
}

func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(b), ") Z ")
}

func TestALeftoverIsSignalledWhenThePidfdTakesTheLastDescriptor(t *testing.T) {
	sleeper := exec.Command("sleep", "100")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Process.Kill()
	// Leave one descriptor free: /proc is read one file at a time, so the
	// walk still works, but the pidfd takes the one the re-check needs.
	var old syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old)
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	var filler []int
	defer func() {
		for _, fd := range filler {
			syscall.Close(fd)
		}
	}()
	for {
		fd, err := syscall.Dup(0)
		if err != nil {
			break
		}
		filler = append(filler, fd)
	}
	syscall.Close(filler[len(filler)-1])
	filler = filler[:len(filler)-1]

	res, err := Signal(syscall.SIGTERM)
	if err != nil || res.Found < 1 || res.Unproven != 0 || res.Failed != 0 {
		t.Errorf("Signal = %+v, %v; want the sleeper found and signalled, proven a descendant", res, err)
	}
	done := make(chan error, 1)
	go func() { done <- sleeper.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sleeper survived")
	}
	if ws := sleeper.ProcessState.Sys().(syscall.WaitStatus); ws.Signal() != syscall.SIGTERM {
		t.Errorf("the sleeper ended %v, want killed by SIGTERM", sleeper.ProcessState)
	}
}
