package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Both kinds of freezer the benchmark can use, wherever this machine has
// them: a frozen process gets no CPU time, a thawed one gets it again.
func TestAFrozenProcessGetsNoCPUTimeUntilThawed(t *testing.T) {
	if os.Geteuid() != 0 {
		skipUnlessCI(t, "needs root: it makes cgroups")
	}
	kinds := freezerKinds()
	if len(kinds) == 0 {
		skipUnlessCI(t, "no cgroup freezer on this machine: make bench cannot measure reaping all at once")
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			spin := exec.Command("sh", "-c", "while :; do :; done")
			if err := spin.Start(); err != nil {
				t.Fatal(err)
			}
			defer spin.Wait()
			defer spin.Process.Kill()
			f, err := freezeIn(k, spin.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			defer f.remove()
			if before, after := cpuOver(t, spin.Process.Pid, 200*time.Millisecond); after != before {
				t.Errorf("frozen, it still ran: CPU time %v → %v", before, after)
			}
			if err := f.thaw(); err != nil {
				t.Fatal(err)
			}
			if before, after := cpuOver(t, spin.Process.Pid, 200*time.Millisecond); after == before {
				t.Errorf("thawed, it never ran: CPU time stayed at %v", before)
			}
			spin.Process.Kill()
		})
	}
}

// cpuOver reads pid's CPU time, waits d, and reads it again.
func cpuOver(t *testing.T, pid int, d time.Duration) (before, after time.Duration) {
	t.Helper()
	read := func() time.Duration {
		u, err := readUsage(pid)
		if err != nil {
			t.Fatal(err)
		}
		return u.cpu
	}
	before = read()
	time.Sleep(d)
	return before, read()
}

func skipUnlessCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: a skip is a failure)")
	}
	t.Skip(why)
}
