package main

import (
	"fmt"
	"syscall"
	"time"
)

// reapMode is one way orphans come to an init.
type reapMode struct {
	Name     string // as the report says it
	workload string // the workload's command
}

var (
	// oneByOne: the child makes orphans one after another, each of which
	// exits at once and is re-parented to the init (alive or as a zombie),
	// as a script that starts background jobs does.
	oneByOne = reapMode{"one after another", "orphans"}
	// allAtOnce: the child leaves N live orphans, re-parented to the init,
	// then lets them all exit at once, as a killed process group does,
	// while the init is frozen: it then reaps them in one burst.
	allAtOnce = reapMode{"all at once", "herd"}
)

// measureReaping measures, for each number of orphans and each way they
// come, the init's CPU time (all its threads, user and kernel) from the
// first exit to the last reap, per orphan; and the time until the
// workload sees none left, not even as a zombie: from the release for a
// herd, from the last one made for orphans made one by one (the backlog
// the init had not reaped yet).
func measureReaping(p plan, targets []*target, res *results) error {
	if _, err := freezerRoot(); err != nil {
		return err // every round all at once would fail, whatever the init
	}
	for _, mode := range []reapMode{oneByOne, allAtOnce} {
		for _, n := range p.OrphanCounts {
			measureReapingOf(p, mode, n, targets, res)
		}
	}
	return nil
}

func measureReapingOf(p plan, mode reapMode, n int, targets []*target, res *results) {
	rounds := map[*target]*reapResult{}
	for round := 0; round < p.ReapRounds; round++ {
		for _, t := range shuffled(inits(targets)) {
			r := rounds[t]
			if r == nil {
				r = &reapResult{Mode: mode.Name, Orphans: n}
				rounds[t] = r
			}
			if err := reapOnce(t, mode, r); err != nil {
				res.of(t).fail("reaping %d orphans %s: %v", n, mode.Name, err)
			}
		}
	}
	for _, t := range inits(targets) {
		r := rounds[t]
		if r == nil || len(r.CPUNs) == 0 {
			continue
		}
		r.CPUPerOrphanUs = micros(median(r.CPUNs)) / float64(n)
		r.UntilNone = median(r.UntilNoneNs)
		res.of(t).Reaping = append(res.of(t).Reaping, r)
	}
}

// lastReap is how long the init gets to return from its last wait4 after
// the workload has seen the last orphan go.
const lastReap = 30 * time.Millisecond

// reapOnce runs one round and appends its figures to r.
func reapOnce(t *target, mode reapMode, r *reapResult) error {
	n := r.Orphans
	w, err := spawn(t.argv(workloadPath, mode.workload, fmt.Sprint(n)), stdio{stdin: true, stdout: true})
	if err != nil {
		return err
	}
	defer w.kill()
	// A fork takes 0.1 to 0.3 ms on the virtual machines this runs on.
	forking := 30*time.Second + time.Duration(n)*5*time.Millisecond
	if _, err := w.expectByte('R', forking); err != nil {
		return fmt.Errorf("workload not ready: %w", err)
	}
	time.Sleep(settle)
	var frozen *freezer
	if mode == allAtOnce {
		// The herd exits while the init is held still; the burst it then
		// reaps is what is measured.
		if frozen, err = freeze(w.pid); err != nil {
			return err
		}
		defer frozen.remove()
		if _, err := syscall.Write(w.stdin, []byte{'g'}); err != nil {
			return err
		}
		deadline := time.Now().Add(forking)
		for zombieChildren(w.pid) < n {
			if time.Now().After(deadline) {
				frozen.thaw()
				return fmt.Errorf("the herd never exited while the init was frozen")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	before, err := readUsage(w.pid)
	if err != nil {
		return err
	}
	begin := time.Now()
	if frozen != nil {
		err = frozen.thaw()
	} else {
		_, err = syscall.Write(w.stdin, []byte{'g'})
	}
	if err != nil {
		return err
	}
	made := begin
	if mode == oneByOne {
		if _, err := w.expectByte('C', forking); err != nil {
			return fmt.Errorf("orphans not made: %w", err)
		}
		made = time.Now()
	}
	if _, err := w.expectByte('D', 60*time.Second); err != nil {
		return fmt.Errorf("orphans not all reaped: %w", err)
	}
	done := time.Now()
	time.Sleep(lastReap)
	after, err := readUsage(w.pid)
	if err != nil {
		return err
	}
	syscall.Close(w.stdin)
	w.stdin = -1
	if !w.waitFor(10 * time.Second) {
		return fmt.Errorf("did not exit once its child had")
	}
	if code := w.exitCode(); code != 0 {
		return fmt.Errorf("exited %d, want the child's 0", code)
	}
	d := after.sub(before)
	r.CPUNs = append(r.CPUNs, d.cpu)
	r.UntilNoneNs = append(r.UntilNoneNs, done.Sub(made))
	r.MakeNs = append(r.MakeNs, made.Sub(begin))
	r.SwitchesPerRound = append(r.SwitchesPerRound, d.switches)
	return nil
}
