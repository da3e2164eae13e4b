package reaper

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitCodeIsTheShellsEncoding(t *testing.T) {
	cases := []struct {
		status syscall.WaitStatus
		want   int
	}{
		{0, 0},
		{3 << 8, 3},
		{255 << 8, 255},
		{syscall.WaitStatus(syscall.SIGTERM), 143},
		{syscall.WaitStatus(syscall.SIGKILL), 137},
		{syscall.WaitStatus(syscall.SIGSEGV) | 0x80, 139}, // with core dump
	}
	for _, c := range cases {
		if got := ExitCode(c.status); got != c.want {
			t.Errorf("ExitCode(%#x) = %d, want %d", c.status, got, c.want)
		}
	}
}

func TestOneReapCollectsEveryExitedChild(t *testing.T) {
	// Many exits, whatever SIGCHLDs they raised: one call collects all.
	var pids []int
	for i := 0; i < 50; i++ {
		pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", fmt.Sprintf("exit %d", i)}, &syscall.ProcAttr{})
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	waitUntilZombies(t, pids)
	got := map[int]int{}
	Reap(func(pid int, ws syscall.WaitStatus) { got[pid] = ExitCode(ws) })
	for i, pid := range pids {
		if code, ok := got[pid]; !ok || code != i {
			t.Errorf("pid %d: collected %v with code %d, want code %d", pid, ok, code, i)
		}
	}
}

func TestReapDoesNotWaitForLiveChildren(t *testing.T) {
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "100"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	}()
	done := make(chan bool)
	go func() {
		collected := false
		Reap(func(p int, _ syscall.WaitStatus) { collected = collected || p == pid })
		done <- collected
	}()
	select {
	case collected := <-done:
		if collected {
			t.Error("a live child was reported as collected")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Reap blocked on a live child")
	}
}

func waitUntilZombies(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for !isZombie(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("pid %d never exited", pid)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'Z'
}
