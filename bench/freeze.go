package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A freezer holds an init still while the orphans of a herd exit, so that
// the init then reaps them all in one burst and its CPU time is its
// reaping alone: how the herd's exits interleave with the init on two
// cores otherwise decides how many exits each wake-up collects, and that
// moved tini and tini-static, the same code, apart by several times from
// one run to the next.
//
// It is a cgroup of the init's own: under cgroup v1's freezer controller,
// or, where there is none (cgroup v2 alone, Debian's default), a cgroup v2
// group, frozen through its cgroup.freeze.
type freezer struct {
	dir string
	how *freezeFiles
}

// freezeFiles is how one cgroup version freezes a group: what is written
// to which file, and what another file then says.
type freezeFiles struct {
	control, freeze, thaw string
	state, frozen, thawed string
}

var (
	freezeV1 = &freezeFiles{"freezer.state", "FROZEN", "THAWED", "freezer.state", "FROZEN", "THAWED"}
	freezeV2 = &freezeFiles{"cgroup.freeze", "1", "0", "cgroup.events", "frozen 1", "frozen 0"}
)

// Where the groups are made.
const (
	freezerV1Root = "/sys/fs/cgroup/freezer"
	cgroupV2Root  = "/sys/fs/cgroup"
	hybridV2Root  = "/sys/fs/cgroup/unified" // v2 beside v1 controllers
)

// A freezerKind is one place groups can be made and frozen.
type freezerKind struct {
	name, root string
	how        *freezeFiles
}

// freezerKinds lists the kinds this machine has mounted, the one freeze
// uses first: the v1 freezer where there is one (the benchmark's figures
// so far were taken with it), then cgroup v2 (on its own, or beside v1).
func freezerKinds() []freezerKind {
	var out []freezerKind
	if exists(filepath.Join(freezerV1Root, "cgroup.procs")) {
		out = append(out, freezerKind{"cgroup v1 freezer", freezerV1Root, freezeV1})
	}
	for _, root := range []string{cgroupV2Root, hybridV2Root} {
		if exists(filepath.Join(root, "cgroup.controllers")) { // only v2 has it
			out = append(out, freezerKind{"cgroup v2 at " + root, root, freezeV2})
		}
	}
	return out
}

// freezerRoot is where freeze makes its groups, and how they freeze.
func freezerRoot() (freezerKind, error) {
	kinds := freezerKinds()
	if len(kinds) == 0 {
		return freezerKind{}, errors.New("no cgroup freezer: neither cgroup v1's freezer nor cgroup v2 is mounted under /sys/fs/cgroup")
	}
	return kinds[0], nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// freeze moves pid, alone, into a group of its own and freezes it.
func freeze(pid int) (*freezer, error) {
	kind, err := freezerRoot()
	if err != nil {
		return nil, err
	}
	return freezeIn(kind, pid)
}

func freezeIn(kind freezerKind, pid int) (*freezer, error) {
	dir, err := os.MkdirTemp(kind.root, "goinit-bench-")
	if err != nil {
		return nil, err
	}
	f := &freezer{dir, kind.how}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		f.remove()
		return nil, err
	}
	if err := f.set(f.how.freeze, f.how.frozen); err != nil {
		f.remove()
		return nil, err
	}
	return f, nil
}

// thaw lets the init run again.
func (f *freezer) thaw() error { return f.set(f.how.thaw, f.how.thawed) }

// set writes value to the group's control file and waits until its state
// file has the line want.
func (f *freezer) set(value, want string) error {
	if err := os.WriteFile(filepath.Join(f.dir, f.how.control), []byte(value), 0o644); err != nil {
		return err
	}
	state := filepath.Join(f.dir, f.how.state)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(state); err == nil && hasLine(string(b), want) {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s never said %q", state, want)
}

func hasLine(text, line string) bool {
	for l := range strings.Lines(text) {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
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
