package main

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// pingSignal is what the ping-pong sends; the workload answers each one
// it receives with one byte on stdout.
const pingSignal = syscall.SIGUSR1

// answerTimeout is how long a ping waits for its answer before it counts
// the signal as lost. It is no performance threshold.
const answerTimeout = 2 * time.Second

// measureSignals starts every init, and the workload alone (direct), side
// by side, then:
//
//   - ping-pong: SIGUSR1 sent to the init from outside, as docker kill
//     sends it, forwarded to the workload, which answers on a pipe. Every
//     round pings every target once, in a new random order. The init's CPU
//     time and context switches over all rounds, divided by the pings, are
//     its cost per forwarded signal;
//   - then, one target at a time, the storm (see storm.go).
//
// Whatever the workload receives beyond what was sent is spurious.
func measureSignals(p plan, targets []*target, res *results) error {
	var measured []*target
	running := map[*target]*proc{}
	defer func() {
		for _, w := range running {
			w.kill()
		}
	}()
	for _, t := range targets {
		if t.Kind == floor {
			continue
		}
		w, err := startSleeping(t)
		if err != nil {
			res.of(t).fail("signals: %v", err)
			continue
		}
		running[t] = w
		measured = append(measured, t)
	}
	time.Sleep(settle)
	if err := pingPong(p, measured, running, res); err != nil {
		return err
	}
	for _, t := range measured {
		storm(p, running[t], res.of(t))
		delete(running, t)
	}
	return nil
}

func pingPong(p plan, targets []*target, running map[*target]*proc, res *results) error {
	// One thread, no collection: nothing of the benchmark's own in the way.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))

	sr := map[*target]*signalResult{}
	for _, t := range targets {
		sr[t] = &signalResult{RoundTripsNs: make([]time.Duration, 0, p.RoundTrips)}
		res.of(t).Signals = sr[t]
		u, err := readUsage(running[t].pid)
		if err != nil {
			return err
		}
		sr[t].usageBefore = u
	}
	for round := 0; round < p.RoundTrips; round++ {
		for _, t := range shuffled(targets) {
			rtt, others, err := ping(running[t])
			res.of(t).spurious("ping-pong", len(others))
			if err != nil {
				sr[t].Lost++
				continue
			}
			sr[t].RoundTripsNs = append(sr[t].RoundTripsNs, rtt)
		}
	}
	for _, t := range targets {
		u, err := readUsage(running[t].pid)
		if err != nil {
			return err
		}
		sr[t].usageAfter = u
		// An answer that came late, or twice, is a signal nobody sent.
		res.of(t).spurious("ping-pong", len(running[t].drainQuiet(100*time.Millisecond, time.Second)))
	}
	summariseSignals(targets, sr, res)
	return nil
}

// ping sends one signal and times its answer.
func ping(w *proc) (time.Duration, []byte, error) {
	begin := time.Now()
	if err := syscall.Kill(w.pid, pingSignal); err != nil {
		return 0, nil, err
	}
	others, err := w.expectByte(byte(pingSignal), answerTimeout)
	return time.Since(begin), others, err
}

func summariseSignals(targets []*target, sr map[*target]*signalResult, res *results) {
	var base *signalResult
	for _, t := range targets {
		s := sr[t]
		s.P50, s.P99 = percentile(s.RoundTripsNs, 50), percentile(s.RoundTripsNs, 99)
		if t.Kind == direct {
			base = s
		}
	}
	for _, t := range targets {
		s := sr[t]
		if base != nil && t.Kind != direct && base.P50 > 0 && s.P50 > 0 {
			s.RatioP50 = float64(s.P50) / float64(base.P50)
			s.RatioP99 = float64(s.P99) / float64(base.P99)
		}
		if n := len(s.RoundTripsNs); t.isInit() && n > 0 {
			d := s.usageAfter.sub(s.usageBefore)
			s.CPUPerSignalUs = micros(d.cpu) / float64(n)
			s.SwitchesPerSignal = float64(d.switches) / float64(n)
		}
		if s.Lost > 0 {
			res.of(t).fail("ping-pong: %d of %d signals never reached the workload", s.Lost, len(s.RoundTripsNs)+s.Lost)
		}
	}
}
