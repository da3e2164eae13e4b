// Package leftovers finds and signals what goinit's command leaves behind:
// every process goinit answers for besides the command itself.
//
//   - As PID 1 of its PID namespace, that is the whole namespace, signalled
//     with one kill(-1) (the kernel spares PID 1 itself).
//   - Otherwise it is every live descendant, however far it moved away (a
//     session or process group of its own), found through /proc. Each is
//     signalled through a pidfd opened after it was found, and checked
//     again then to descend from goinit, so a pid reused in between by an
//     unrelated process is never signalled. Nothing else is ever
//     signalled: no kill(-1), no process group, least of all goinit's own
//     or its parent's.
//
// Signal always acts: when a descriptor cannot be had (a low RLIMIT_NOFILE,
// no pidfd_open before Linux 5.3) it checks the parent chain and signals by
// pid; when even /proc cannot be read for one process, a process that was
// found a moment ago is signalled anyway. Only a process shown to be gone
// is skipped. /proc is read through package procfs, one descriptor at a
// time.
package leftovers

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/procfs"
)

// Result says what Signal did.
type Result struct {
	Found    int // processes found
	Gone     int // found, but gone by the time they were to be signalled
	Unproven int // signalled without proof that they were still goinit's
	Failed   int // could not be signalled
}

// Signal delivers sigs, in order, to every leftover and says how many it
// found. The error, when not nil, says what got in the way of delivery;
// Signal still did what it could. As PID 1 the count is what /proc shows,
// and a /proc that cannot be read is no error: kill(-1) needs none.
func Signal(sigs ...syscall.Signal) (Result, error) {
	self, err := procSelf()
	var pids []int
	if err == nil {
		pids, err = list(self)
	}
	res := Result{Found: len(pids)}
	if os.Getpid() == 1 {
		for _, sig := range sigs {
			if kerr := unix.Kill(-1, sig); kerr != nil && kerr != syscall.ESRCH {
				return res, kerr
			}
		}
		return res, nil
	}
	// Deepest first: a parent signalled first could die and hand its
	// children to some other reaper before their turn.
	for i := len(pids) - 1; i >= 0; i-- {
		switch signalDescendant(pids[i], self, sigs) {
		case gone:
			res.Gone++
		case unproven:
			res.Unproven++
		case failed:
			res.Failed++
		}
	}
	if err == nil && res.Failed > 0 {
		err = errors.New(strconv.Itoa(res.Failed) + " could not be signalled")
	}
	return res, err
}

// List returns goinit's live descendants, as /proc numbers them, parents
// before their children. As PID 1 it is every other process of the
// namespace that descends from goinit (those that entered it from outside,
// as docker exec's do, are not listed but kill(-1) reaches them).
func List() ([]int, error) {
	self, err := procSelf()
	if err != nil {
		return nil, err
	}
	return list(self)
}

// list lists the descendants of self, goinit as /proc numbers it.
func list(self int) ([]int, error) {
	var out []int
	queue, err := childrenOf(self)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		out = append(out, pid)
		kids, kerr := childrenOf(pid)
		if kerr != nil && err == nil && !isGone(kerr) {
			err = kerr
		}
		queue = append(queue, kids...)
	}
	return out, err
}

// procSelf is goinit's pid as /proc numbers it. It differs from getpid
// when /proc belongs to another PID namespace (as when PID 1 of a new
// namespace still sees the host's /proc); its numbers then mean nothing to
// kill(2), and only PID 1, which needs none, may go on.
func procSelf() (int, error) {
	var buf [32]byte
	n, err := syscall.Readlink("/proc/self", buf[:])
	if err != nil {
		return 0, err
	}
	self, err := strconv.Atoi(string(buf[:n]))
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
func childrenOf(pid int) ([]int, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := procfs.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, task := range tasks {
		b, rerr := procfs.ReadFile(dir + task + "/children")
		if rerr != nil {
			if !isGone(rerr) && err == nil {
				err = rerr
			}
			continue
		}
		out = appendPids(out, b)
	}
	return out, err
}

// appendPids appends the space-separated numbers in b to pids.
func appendPids(pids []int, b []byte) []int {
	n, digits := 0, false
	for _, c := range b {
		if '0' <= c && c <= '9' {
			n, digits = n*10+int(c-'0'), true
			continue
		}
		if digits {
			pids = append(pids, n)
		}
		n, digits = 0, false
	}
	if digits {
		pids = append(pids, n)
	}
	return pids
}

type outcome int

const (
	signalled outcome = iota
	gone
	unproven
	failed
)

// signalDescendant signals pid with sigs, in order, if, once pinned by a
// pidfd, it still descends from self (goinit, as /proc numbers it). The
// outcome is the first signal's; the later ones follow it, once it has
// been delivered.
func signalDescendant(pid, self int, sigs []syscall.Signal) outcome {
	fd, err := unix.PidfdOpen(pid, 0)
	if err == syscall.ESRCH {
		return gone
	}
	pinned := err == nil
	ours, cerr := descendsFrom(pid, self)
	if cerr != nil && pinned && isShortOfDescriptors(cerr) {
		// The pidfd took the last descriptor /proc needed: check by
		// pid instead.
		syscall.Close(fd)
		pinned = false
		ours, cerr = descendsFrom(pid, self)
	}
	if pinned {
		defer syscall.Close(fd)
	}
	switch {
	case cerr != nil && isGone(cerr):
		return gone
	case cerr == nil && !ours:
		return gone // its pid now names a process that is not goinit's
	}
	for i, sig := range sigs {
		if pinned {
			err = unix.PidfdSendSignal(fd, sig, nil, 0)
		} else {
			err = unix.Kill(pid, sig)
		}
		switch {
		case i > 0:
			// The first one reached it; it may have died of it.
		case err == syscall.ESRCH:
			return gone
		case err != nil:
			return failed
		}
	}
	if cerr != nil {
		return unproven
	}
	return signalled
}

// descendsFrom follows pid's parents up to self.
func descendsFrom(pid, self int) (bool, error) {
	for depth := 0; pid > 1 && depth < 4096; depth++ {
		var err error
		if pid, err = parentOf(pid); err != nil {
			return false, err
		}
		if pid == self {
			return true, nil
		}
	}
	return false, nil
}

// parentOf reads the parent pid from /proc/pid/stat.
func parentOf(pid int) (int, error) {
	b, err := procfs.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	// the state is one letter.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || len(b) < i+5 {
		return 0, errors.New("/proc/" + strconv.Itoa(pid) + "/stat: unexpected format")
	}
	ppid := 0
	for _, c := range b[i+4:] {
		if c < '0' || c > '9' {
			break
		}
		ppid = ppid*10 + int(c-'0')
	}
	return ppid, nil
}

func isGone(err error) bool { return err == syscall.ENOENT || err == syscall.ESRCH }

func isShortOfDescriptors(err error) bool { return err == syscall.EMFILE || err == syscall.ENFILE }
