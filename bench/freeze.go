package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A freezer holds an init still (the cgroup v1 freezer) while the orphans
// of a herd exit, so that the init then reaps them all in one burst and
// its CPU time is its reaping alone: how the herd's exits interleave with
// the init on two cores otherwise decides how many exits each wake-up
// collects, and that moved tini and tini-static, the same code, apart by
// several times from one run to the next.
type freezer struct{ dir string }

const freezerRoot = "/sys/fs/cgroup/freezer"

// freeze moves pid, alone, into a freezer group of its own and freezes it.
func freeze(pid int) (*freezer, error) {
	if _, err := os.Stat(filepath.Join(freezerRoot, "cgroup.procs")); err != nil {
		return nil, fmt.Errorf("no cgroup v1 freezer at %s", freezerRoot)
	}
	dir, err := os.MkdirTemp(freezerRoot, "goinit-bench-")
	if err != nil {
		return nil, err
	}
	f := &freezer{dir}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		f.remove()
		return nil, err
	}
	if err := f.set("FROZEN"); err != nil {
		f.remove()
		return nil, err
	}
	return f, nil
}

// thaw lets the init run again.
func (f *freezer) thaw() error { return f.set("THAWED") }

// set writes state and waits until the group is in it.
func (f *freezer) set(state string) error {
	path := filepath.Join(f.dir, "freezer.state")
	if err := os.WriteFile(path, []byte(state), 0o644); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == state {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("freezer never reached %s", state)
}

// remove deletes the group once its init has exited.
func (f *freezer) remove() {
	for i := 0; i < 1000 && os.Remove(f.dir) != nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

// zombieChildren counts pid's children that have exited but not been
// reaped.
func zombieChildren(pid int) int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	n := 0
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, child := range strings.Fields(string(b)) {
			stat, err := os.ReadFile("/proc/" + child + "/stat")
			if i := strings.LastIndexByte(string(stat), ')'); err == nil && i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
				n++
			}
		}
	}
	return n
}
