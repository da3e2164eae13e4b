package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The start-up window is how long after the fork a signal sent to the
// init can still be lost or end it: until the init has taken the signals
// over, the kernel's default action (in a Go program, the runtime's)
// applies. Every init measured here takes them over before it starts its
// child (goinit installs its handlers before main runs; the C peers block
// every signal and later collect them with sigwait or signalfd; the naive
// Go init calls signal.Notify first), so the window is measured, the same
// way for all, as fork until the init's child exists: an upper bound for
// each. (The masks in /proc cannot show it for the C peers: while they
// wait in sigtimedwait the kernel unblocks the signals they wait for.)

// windowPoll is the time between two looks at the starting init; the
// figures are accurate to about that.
const windowPoll = 50 * time.Microsecond

// measureWindow times, for each init, fork to its child's existence, as
// PID 1 of a new PID namespace with a command that sleeps; rounds
// interleaved.
func measureWindow(p plan, targets []*target, res *results) error {
	measured := inits(targets)
	for round := 0; round < p.WindowRounds; round++ {
		for _, t := range shuffled(measured) {
			toChild, toHandlers, err := windowOnce(t)
			if err != nil {
				res.of(t).fail("start-up window: %v", err)
				continue
			}
			w := res.of(t).window()
			w.Ns = append(w.Ns, toChild)
			if toHandlers > 0 {
				w.HandlersNs = append(w.HandlersNs, toHandlers)
			}
		}
	}
	for _, t := range measured {
		if w := res.of(t).Window; w != nil && len(w.Ns) > 0 {
			w.Median, w.P90 = median(w.Ns), percentile(w.Ns, 90)
			if len(w.HandlersNs) > 0 {
				w.HandlersMedian = median(w.HandlersNs)
			}
		}
	}
	return nil
}

func (tr *targetResult) window() *windowResult {
	if tr.Window == nil {
		tr.Window = &windowResult{}
	}
	return tr.Window
}

// windowOnce starts t with a sleeping command and polls until the init
// has a child. For goinit it also returns when its own handlers were all
// in place (its handler for signal 64, the last it installs, is caught),
// the exact end of its window; zero for the others.
func windowOnce(t *target) (toChild, toHandlers time.Duration, err error) {
	begin := time.Now()
	p, err := spawn(t.argv("/bin/sleep", "100"), stdio{})
	if err != nil {
		return 0, 0, err
	}
	defer func() { p.kill(); p.wait() }()
	pid := strconv.Itoa(p.pid)
	for time.Since(begin) < 5*time.Second {
		if t.Name == "goinit" && toHandlers == 0 && goinitCatchesAll(pid) {
			toHandlers = time.Since(begin)
		}
		if hasChild(pid, t.Name == "naive Go") {
			return time.Since(begin), toHandlers, nil
		}
		// Reading /proc takes locks the starting init needs too: polling
		// flat out would slow down what it measures.
		time.Sleep(windowPoll)
	}
	return 0, 0, fmt.Errorf("no child after 5 s")
}

// hasChild reports whether pid's main thread has a child or, with
// anyThread (os/exec forks from whichever thread it runs on), any thread.
func hasChild(pid string, anyThread bool) bool {
	tasks := []string{"/proc/" + pid + "/task/" + pid + "/children"}
	if anyThread {
		tasks, _ = filepath.Glob("/proc/" + pid + "/task/*/children")
	}
	for _, f := range tasks {
		if b, err := os.ReadFile(f); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return true
		}
	}
	return false
}

// goinitCatchesAll reports whether goinit (not the benchmark's own code
// between fork and exec, named after the benchmark and with the Go
// runtime's handlers) catches signal 64.
func goinitCatchesAll(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return false
	}
	var execed, caught bool
	for _, line := range strings.Split(string(b), "\n") {
		name, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch name {
		case "Name":
			execed = v == "goinit"
		case "SigCgt":
			mask, _ := strconv.ParseUint(v, 16, 64)
			caught = mask&(1<<63) != 0
		}
	}
	return execed && caught
}
