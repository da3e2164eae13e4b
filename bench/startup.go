package main

import (
	"fmt"
	"syscall"
	"time"
)

// trueCommand is the workload for start-up: it does nothing, so what is
// timed is the init itself (plus namespace set-up, equal for everyone).
const trueCommand = "/bin/true"

// measureStartup times `INIT true` against `true`, each as PID 1 of a new
// PID namespace. Every round runs every target once, in a new random
// order, and each target's time is divided by direct's in the same round:
// the median of those ratios stands up to a machine whose speed drifts.
func measureStartup(p plan, targets []*target, res *results) error {
	base := find(targets, "direct")
	// walls[t][round]; -1 for a run that did not exit 0.
	walls := map[*target][]time.Duration{}
	costs := map[*target][]startCost{}
	for round := 0; round < p.StartupWarmup+p.StartupRounds; round++ {
		for _, t := range shuffled(targets) {
			wall, cost, err := timeOneStart(t)
			if err != nil {
				return err
			}
			if round >= p.StartupWarmup {
				walls[t] = append(walls[t], wall)
				costs[t] = append(costs[t], cost)
			}
		}
	}
	for _, t := range targets {
		s := res.of(t).startup()
		for round, w := range walls[t] {
			if w < 0 {
				s.Errors++
				continue
			}
			s.WallNs = append(s.WallNs, w)
			s.Cost = append(s.Cost, costs[t][round])
			if b := walls[base][round]; t != base && b > 0 {
				s.Ratios = append(s.Ratios, float64(w)/float64(b))
			}
		}
		s.Median, s.Ratio = median(s.WallNs), median(s.Ratios)
		s.summariseCost()
		if s.Errors > 0 {
			res.of(t).fail("start-up: %d of %d runs did not exit 0", s.Errors, p.StartupRounds)
		}
	}
	return nil
}

func (tr *targetResult) startup() *startupResult {
	if tr.Startup == nil {
		tr.Startup = &startupResult{}
	}
	return tr.Startup
}

func (s *startupResult) summariseCost() {
	var cpu []time.Duration
	var faults, switches []int64
	for _, c := range s.Cost {
		cpu, faults, switches = append(cpu, c.CPU), append(faults, c.MinorFaults), append(switches, c.Switches)
	}
	s.CPU, s.MinorFaults, s.Switches = median(cpu), median(faults), median(switches)
}

// timeOneStart runs t once with `true` and returns the wall time from
// before the fork to after the exit was collected (-1 if it did not exit
// 0), and what the run cost.
func timeOneStart(t *target) (time.Duration, startCost, error) {
	argv := t.argv(trueCommand)
	begin := time.Now()
	p, err := spawn(argv, stdio{})
	if err != nil {
		return 0, startCost{}, err
	}
	if err := p.wait(); err != nil {
		return 0, startCost{}, fmt.Errorf("waiting for %s: %w", t.Name, err)
	}
	wall := time.Since(begin)
	ru := &p.rusage
	cost := startCost{
		CPU:         time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)),
		MinorFaults: ru.Minflt,
		Switches:    ru.Nvcsw + ru.Nivcsw,
	}
	if p.exitCode() != 0 {
		return -1, cost, nil
	}
	return wall, cost, nil
}
