package cri

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

// A process as this machine's /proc shows it: the tests look at pods from
// the host, with host pids.
type process struct {
	pid, ppid int
	state     string // R, S, Z...
	comm      string
	start     string // start time in clock ticks: with pid, names the process
}

// readProcess reads /proc/PID/stat; ok is false when there is no such
// process.
func readProcess(pid int) (p process, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return p, false
	}
	// pid (comm) state ppid ... starttime is the 22nd field; comm may hold
	// spaces and parentheses, so split after its last ')'.
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return p, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 20 {
		return p, false
	}
	p.pid = pid
	p.comm = s[open+1 : end]
	p.state = f[0]
	p.ppid, _ = strconv.Atoi(f[1])
	p.start = f[19]
	return p, true
}

// stillThere tells whether p is still in the process table (alive or a
// zombie), and not a new process that reused its pid.
func (p process) stillThere() bool {
	now, ok := readProcess(p.pid)
	return ok && now.start == p.start
}

// pidNamespace names the PID namespace of a process ("pid:[inode]"), or ""
// when it is gone.
func pidNamespace(pid int) string {
	ns, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	return ns
}

// processesIn lists the processes in the PID namespace ns.
func processesIn(ns string) []process {
	var out []process
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pidNamespace(pid) != ns {
			continue
		}
		if p, ok := readProcess(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// pidInItsNamespace is the pid a process has in its own PID namespace (the
// last of /proc/PID/status's NSpid), or 0 when it is gone.
func pidInItsNamespace(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(rest)
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return 0
}

// requireGoinitAsPID1 fails t unless the host process pid runs the goinit
// under test (the same bytes, wherever the image put them) as PID 1 of its
// PID namespace.
func requireGoinitAsPID1(t *testing.T, pid int, what string) {
	t.Helper()
	want, err := os.ReadFile(goinitBin)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		t.Fatalf("%s (pid %d): %v", what, pid, err)
	}
	if !bytes.Equal(exe, want) {
		cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		t.Fatalf("%s (pid %d) runs %q, not the goinit under test", what, pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
	}
	if n := pidInItsNamespace(pid); n != 1 {
		t.Fatalf("%s (pid %d) is pid %d in its PID namespace, want 1", what, pid, n)
	}
}
