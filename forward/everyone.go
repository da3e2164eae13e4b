package forward

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ToAll delivers sig to every process goinit answers for and returns how
// many it found:
//
//   - as PID 1 of its PID namespace, the whole namespace, with kill(-1)
//     (the kernel spares PID 1 itself);
//   - otherwise every live descendant, however far it moved away (its own
//     session or process group), found through /proc. Each is signalled
//     through a pidfd opened after it was found and checked again then to
//     descend from goinit, so a pid that was reused in between is never
//     signalled. Nothing else is ever signalled: no kill(-1), no process
//     group, least of all goinit's own or its parent's.
func ToAll(sig syscall.Signal) (int, error) {
	pids, err := Descendants()
	if os.Getpid() == 1 {
		if kerr := syscall.Kill(-1, sig); kerr != nil && kerr != syscall.ESRCH {
			return len(pids), kerr
		}
		return len(pids), nil
	}
	if err != nil {
		return 0, err
	}
	// Deepest first: a parent signalled first could die and hand its
	// children to some other reaper before their turn.
	for i := len(pids) - 1; i >= 0; i-- {
		signalDescendant(pids[i], sig)
	}
	return len(pids), nil
}

// Descendants lists goinit's live descendants, as /proc numbers them,
// parents before their children.
func Descendants() ([]int, error) {
	self, err := procSelf()
	if err != nil {
		return nil, err
	}
	var out []int
	queue := childrenOf(strconv.Itoa(self))
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		out = append(out, pid)
		queue = append(queue, childrenOf(strconv.Itoa(pid))...)
	}
	return out, nil
}

// procSelf is goinit's pid as /proc numbers it. It differs from getpid
// when /proc belongs to another PID namespace (as when PID 1 of a new
// namespace still sees the host's /proc); its numbers then mean nothing to
// kill(2), and only PID 1, which needs none, may go on.
func procSelf() (int, error) {
	link, err := os.Readlink("/proc/self")
	if err != nil {
		return 0, err
	}
	self, err := strconv.Atoi(link)
	if err != nil {
		return 0, err
	}
	if self != os.Getpid() && os.Getpid() != 1 {
		return 0, errors.New("/proc belongs to another PID namespace: cannot tell which processes are goinit's")
	}
	return self, nil
}

// childrenOf lists the children of every thread of pid (a child belongs
// to the thread that forked it, or that it was re-parented to).
func childrenOf(pid string) []int {
	files, _ := filepath.Glob("/proc/" + pid + "/task/*/children")
	var out []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// signalDescendant signals pid if, once pinned by a pidfd, it still
// descends from goinit.
func signalDescendant(pid int, sig syscall.Signal) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err == syscall.ENOSYS {
		// Kernels before 5.3: check, then kill; the gap is a few
		// microseconds instead of none.
		if descendsFromSelf(pid) {
			syscall.Kill(pid, sig)
		}
		return
	}
	if err != nil {
		return // gone already
	}
	defer syscall.Close(fd)
	if descendsFromSelf(pid) {
		unix.PidfdSendSignal(fd, sig, nil, 0)
	}
}

// descendsFromSelf follows pid's parents up to goinit.
func descendsFromSelf(pid int) bool {
	self, err := procSelf()
	if err != nil {
		return false
	}
	for depth := 0; pid > 1 && depth < 4096; depth++ {
		if pid == self {
			return true
		}
		pid = parentOf(pid)
	}
	return false
}

// parentOf reads the parent pid from /proc/pid/stat, 0 when unknown.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}
