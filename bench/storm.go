package main

import (
	"syscall"
	"time"
)

// stormMix is what the storm sends, in turn: standard signals, of which
// the kernel keeps one pending at a time (so fewer arrive than are sent),
// and real-time ones, which queue.
var stormMix = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGWINCH,
	34, 35, 37, 40, 50,
}

// realtimeProbe (SIGRTMIN+2) is sent alone after the storm: every queued
// instance should reach the workload once.
const realtimeProbe = 36

// quietFor is how long the workload must stay silent before a burst
// counts as fully delivered.
const quietFor = 300 * time.Millisecond

// storm sends a target p.StormSignals mixed signals as fast as kill(2)
// goes, checks that the init is still up and still forwarding, sends
// p.RealtimeSignals queued real-time signals and counts how many reach the
// workload, then ends the init with SIGTERM (it must exit 143).
func storm(p plan, w *proc, tr *targetResult) {
	s := &stormResult{Sent: map[int]int{}, Received: map[int]int{}}
	tr.Storm = s
	begin := time.Now()
	for i := 0; i < p.StormSignals; i++ {
		sig := stormMix[i%len(stormMix)]
		if syscall.Kill(w.pid, sig) == nil {
			s.Sent[int(sig)]++
		}
	}
	s.StormNs = time.Since(begin)
	tally(w.drainQuiet(quietFor, 30*time.Second), s.Received)

	s.Survived = stillForwarding(w, s)

	for i := 0; i < p.RealtimeSignals; i++ {
		if syscall.Kill(w.pid, realtimeProbe) == nil {
			s.RealtimeSent++
		}
	}
	s.Sent[realtimeProbe] += s.RealtimeSent
	tally(w.drainQuiet(quietFor, 30*time.Second), s.Received)
	s.RealtimeReceived = s.Received[realtimeProbe]

	for sig, n := range s.Received {
		tr.spurious("storm", n-min(n, s.Sent[sig]))
	}
	s.ExitCode = endWithTerm(w, tr, "storm")
	if !s.Survived {
		tr.fail("storm: not alive and forwarding after %d signals", p.StormSignals)
	}
}

// stillForwarding reports whether the init is alive and a ping still gets
// through.
func stillForwarding(w *proc, s *stormResult) bool {
	if w.exited() || processState(w.pid) == "Z" {
		return false
	}
	_, others, err := ping(w)
	tally(others, s.Received)
	s.Sent[int(pingSignal)]++
	if err != nil {
		return false
	}
	s.Received[int(pingSignal)]++
	return true
}

func tally(got []byte, into map[int]int) {
	for _, b := range got {
		into[int(b)]++
	}
}
