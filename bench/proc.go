package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// env is the whole environment every target gets, so that nothing in the
// caller's (a GOINIT_ or TINI_ variable, say) changes what is measured.
var env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

// A proc is a process the benchmark started as PID 1 of a new PID
// namespace. Its pid is the one this (the parent) namespace sees.
type proc struct {
	pid    int
	stdin  int // write end of its stdin, or -1
	stdout int // read end of its stdout, or -1
	done   bool
	status syscall.WaitStatus
	rusage syscall.Rusage // once waited for: its own and its reaped children's
}

// stdio says which of a proc's standard streams the benchmark holds.
type stdio struct {
	stdin, stdout bool
}

// spawn starts argv as PID 1 of a new PID namespace. Streams not held are
// /dev/null; stderr is the benchmark's own, so an init's complaint is seen.
func spawn(argv []string, io stdio) (*proc, error) {
	p := &proc{stdin: -1, stdout: -1}
	null, err := syscall.Open("/dev/null", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(null)
	files := []uintptr{uintptr(null), uintptr(null), 2}
	var theirs []int
	defer func() {
		for _, fd := range theirs {
			syscall.Close(fd)
		}
	}()
	if io.stdin {
		var fds [2]int
		if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
			return nil, err
		}
		files[0], p.stdin = uintptr(fds[0]), fds[1]
		theirs = append(theirs, fds[0])
	}
	if io.stdout {
		var fds [2]int
		if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
			p.closeStreams()
			return nil, err
		}
		files[1], p.stdout = uintptr(fds[1]), fds[0]
		theirs = append(theirs, fds[1])
	}
	p.pid, err = syscall.ForkExec(argv[0], argv, &syscall.ProcAttr{
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID},
	})
	if err != nil {
		p.closeStreams()
		return nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	return p, nil
}

func (p *proc) closeStreams() {
	for _, fd := range []*int{&p.stdin, &p.stdout} {
		if *fd >= 0 {
			syscall.Close(*fd)
			*fd = -1
		}
	}
}

// wait blocks until the process exits; for timing start-up, where nothing
// else may stand between its exit and the clock.
func (p *proc) wait() error {
	for {
		_, err := syscall.Wait4(p.pid, &p.status, 0, &p.rusage)
		if err == syscall.EINTR {
			continue
		}
		p.done = err == nil
		return err
	}
}

// waitFor waits up to timeout for the process to exit and reports whether
// it did.
func (p *proc) waitFor(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !p.exited() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// exited reports, without blocking, whether the process has exited.
func (p *proc) exited() bool {
	if p.done {
		return true
	}
	pid, err := syscall.Wait4(p.pid, &p.status, syscall.WNOHANG, nil)
	p.done = pid == p.pid || err == syscall.ECHILD
	return p.done
}

// exitCode is the status as a shell reports it (128+N for signal N).
func (p *proc) exitCode() int {
	if p.status.Signaled() {
		return 128 + int(p.status.Signal())
	}
	return p.status.ExitStatus()
}

// kill ends the process and, since it is PID 1, its whole namespace.
func (p *proc) kill() {
	if !p.exited() {
		syscall.Kill(p.pid, syscall.SIGKILL)
		p.waitFor(10 * time.Second)
	}
	p.closeStreams()
}

var errTimeout = errors.New("timed out")

// readByte reads one byte of the workload's output, waiting up to timeout.
func (p *proc) readByte(timeout time.Duration) (byte, error) {
	if err := waitReadable(p.stdout, timeout); err != nil {
		return 0, err
	}
	var b [1]byte
	for {
		n, err := syscall.Read(p.stdout, b[:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, errors.New("end of output")
		}
		return b[0], nil
	}
}

func waitReadable(fd int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds()))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return errTimeout
		}
		return nil
	}
}

// expectByte reads until want arrives, counting whatever else came first.
func (p *proc) expectByte(want byte, timeout time.Duration) (others []byte, err error) {
	deadline := time.Now().Add(timeout)
	for {
		b, err := p.readByte(time.Until(deadline))
		if err != nil {
			return others, err
		}
		if b == want {
			return others, nil
		}
		others = append(others, b)
	}
}

// drainQuiet reads the workload's output until none has come for quiet, or
// for at most limit, and returns it.
func (p *proc) drainQuiet(quiet, limit time.Duration) []byte {
	var out []byte
	buf := make([]byte, 4096)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if waitReadable(p.stdout, min(quiet, time.Until(deadline))) != nil {
			break
		}
		n, err := syscall.Read(p.stdout, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		out = append(out, buf[:n]...)
	}
	return out
}

// usage is what a process has consumed, over all its threads.
type usage struct {
	cpu      time.Duration // on-CPU time, user and kernel, from schedstat
	switches int64         // voluntary and involuntary context switches
}

func (u usage) sub(v usage) usage {
	return usage{u.cpu - v.cpu, u.switches - v.switches}
}

// readUsage sums /proc/PID/task/*/{schedstat,status}. Go's threads never
// exit, so no thread's share is lost between two readings.
func readUsage(pid int) (usage, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(tasks) == 0 {
		return usage{}, fmt.Errorf("no tasks for pid %d", pid)
	}
	var u usage
	for _, task := range tasks {
		sched, err := os.ReadFile(task + "/schedstat")
		if err != nil {
			return u, err
		}
		ns, err := strconv.ParseInt(strings.Fields(string(sched))[0], 10, 64)
		if err != nil {
			return u, err
		}
		u.cpu += time.Duration(ns)
		status, err := readStatus(task + "/status")
		if err != nil {
			return u, err
		}
		u.switches += status["voluntary_ctxt_switches"] + status["nonvoluntary_ctxt_switches"]
	}
	return u, nil
}

// readStatus parses a /proc status file's numeric fields (kB dropped).
func readStatus(path string) (map[string]int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseFields(string(data)), nil
}

// parseFields reads "Name:   123 kB" lines into name → 123.
func parseFields(text string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(text, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(value)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			out[name] = n
		}
	}
	return out
}

// processState is the state letter in /proc/PID/stat (R, S, Z...).
func processState(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+3 > len(s) {
		return ""
	}
	return s[i+2 : i+3]
}
