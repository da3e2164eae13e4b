package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// measureIdle counts what each init costs while nothing happens: its
// wake-ups (voluntary and involuntary context switches, over all its
// threads) and its CPU time, per minute, while its child sleeps. All the
// targets idle side by side in one window, so each sees the same machine.
// The Go floor shows what the Go runtime itself costs asleep.
func measureIdle(p plan, targets []*target, res *results) error {
	running := map[*target]*proc{}
	defer func() {
		for _, w := range running {
			w.kill()
		}
	}()
	for _, t := range targets {
		if t.Kind == direct {
			continue
		}
		w, err := startSleeping(t)
		if err != nil {
			res.of(t).fail("idle: %v", err)
			continue
		}
		running[t] = w
	}
	time.Sleep(time.Second) // past start-up's own activity
	before := map[*target]usage{}
	for t, w := range running {
		u, err := readUsage(w.pid)
		if err != nil {
			return err
		}
		before[t] = u
	}
	begin := time.Now()
	time.Sleep(p.IdleWindow)
	window := time.Since(begin)
	for t, w := range running {
		u, err := readUsage(w.pid)
		if err != nil {
			return err
		}
		d := u.sub(before[t])
		perMin := float64(time.Minute) / float64(window)
		res.of(t).Idle = &idleResult{
			WindowNs:        window,
			Switches:        d.switches,
			CPUNs:           d.cpu,
			WakeupsPerMin:   float64(d.switches) * perMin,
			CPUPerMinMicros: micros(d.cpu) * perMin,
			Threads:         threads(w.pid),
		}
	}
	for t, w := range running {
		if t.isInit() {
			endWithTerm(w, res.of(t), "idle")
		}
	}
	return nil
}

// endWithTerm stops an init with SIGTERM, as docker stop does: the
// workload reports it and exits as SIGTERM makes it, and the init must
// exit 143. Anything else the workload reports is a signal nobody sent.
func endWithTerm(w *proc, tr *targetResult, phase string) (exitCode int) {
	syscall.Kill(w.pid, syscall.SIGTERM)
	if !w.waitFor(10 * time.Second) {
		tr.fail("%s: still running 10s after SIGTERM", phase)
		w.kill()
		return -1
	}
	got := w.drainQuiet(0, time.Second)
	n := len(got)
	for _, b := range got {
		if b == byte(syscall.SIGTERM) {
			n--
			break
		}
	}
	tr.spurious(phase, n)
	if code := w.exitCode(); code != 128+int(syscall.SIGTERM) {
		tr.fail("%s: exited %d on SIGTERM, want 143", phase, code)
	}
	w.closeStreams()
	return w.exitCode()
}

func threads(pid int) int {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0
	}
	return len(entries)
}
