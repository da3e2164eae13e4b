package main

import (
	"fmt"
	"os"
	"time"
)

// settle is how long an init is left after its workload is ready, so that
// whatever it does once the child runs is done before it is measured.
const settle = 100 * time.Millisecond

// measureMemory reads each init's memory while its child sleeps: peak RSS
// (VmHWM), private anonymous memory (RssAnon), and PSS, which charges each
// shared page to its sharers in part (a dynamically linked init shares the
// C library with the rest of the machine). The Go floor here is a program
// that only sleeps.
func measureMemory(p plan, targets []*target, res *results) error {
	var measured []*target
	for _, t := range targets {
		if t.Kind != direct {
			measured = append(measured, t)
		}
	}
	samples := map[*target][]memKB{}
	for round := 0; round < p.MemoryRounds; round++ {
		for _, t := range shuffled(measured) {
			m, err := memoryOnce(t)
			if err != nil {
				res.of(t).fail("memory: %v", err)
				continue
			}
			samples[t] = append(samples[t], m)
		}
	}
	for _, t := range measured {
		s := samples[t]
		if len(s) == 0 {
			continue
		}
		r := &memoryResult{Samples: s}
		var peak, anon, pss []int64
		for _, m := range s {
			peak, anon, pss = append(peak, m.PeakRSS), append(anon, m.RssAnon), append(pss, m.Pss)
		}
		r.PeakRSS, r.RssAnon, r.Pss = median(peak), median(anon), median(pss)
		res.of(t).Memory = r
	}
	return nil
}

func memoryOnce(t *target) (memKB, error) {
	w, err := startSleeping(t)
	if err != nil {
		return memKB{}, err
	}
	defer w.kill()
	time.Sleep(settle)
	return readMemory(w.pid)
}

// startSleeping starts t with the signal-reporting workload, which sleeps
// until a signal comes, and waits until it is ready. For the floor, which
// runs no workload, it starts the floor's sleeping program.
func startSleeping(t *target) (*proc, error) {
	if t.Kind == floor {
		return spawn([]string{t.idlePath}, stdio{})
	}
	p, err := spawn(t.argv(workloadPath, "signals"), stdio{stdout: true})
	if err != nil {
		return nil, err
	}
	if b, err := p.readByte(10 * time.Second); err != nil || b != 0 {
		p.kill()
		return nil, fmt.Errorf("workload not ready (got %d, %v)", b, err)
	}
	return p, nil
}

// workloadPath is set once the bin directory is known.
var workloadPath string

func readMemory(pid int) (memKB, error) {
	status, err := readStatus(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memKB{}, err
	}
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memKB{}, err
	}
	return memKB{
		PeakRSS: status["VmHWM"],
		RssAnon: status["RssAnon"],
		Pss:     parseFields(string(rollup))["Pss"],
	}, nil
}
