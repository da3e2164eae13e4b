package main

import (
	"fmt"
	"time"
)

// results holds every raw figure of a run; it is written out as JSON as it
// is, and the report is made from it.
type results struct {
	Machine machine         `json:"machine"`
	Config  runConfig       `json:"config"`
	Missing []string        `json:"missing,omitempty"`
	Targets []*targetResult `json:"targets"`
	Profile *startupProfile `json:"startup_profile,omitempty"`
	byName  map[string]*targetResult
}

type runConfig struct {
	Plan    plan    `json:"plan"`
	Seconds float64 `json:"seconds"` // the whole run's wall time
}

// targetResult is everything measured of one target. A nil section was
// not measured (it does not apply, or its phase did not run).
type targetResult struct {
	Name    string `json:"name"`
	Path    string `json:"path,omitempty"`
	Version string `json:"version"`

	Binary       *binaryInfo    `json:"binary,omitempty"`
	Startup      *startupResult `json:"startup,omitempty"`
	Window       *windowResult  `json:"window,omitempty"`
	Instructions *instrResult   `json:"instructions,omitempty"`
	Memory       *memoryResult  `json:"memory,omitempty"`
	Idle         *idleResult    `json:"idle,omitempty"`
	Reaping      []*reapResult  `json:"reaping,omitempty"`
	Signals      *signalResult  `json:"signals,omitempty"`
	Storm        *stormResult   `json:"storm,omitempty"`

	// Spurious counts, by phase, the signals the workload received that
	// nobody sent it. It must be 0.
	Spurious map[string]int `json:"spurious"`
	// Failures lists what the target did wrong while measured (a timeout,
	// a wrong exit code), so a figure missing from the report is explained.
	Failures []string `json:"failures,omitempty"`
}

func newResults(o options, p plan, targets []*target, missing []string) *results {
	r := &results{
		Machine: describeMachine(o),
		Config:  runConfig{Plan: p},
		Missing: missing,
		byName:  map[string]*targetResult{},
	}
	for _, t := range targets {
		tr := &targetResult{Name: t.Name, Path: t.Path, Version: t.Version, Spurious: map[string]int{}}
		r.Targets = append(r.Targets, tr)
		r.byName[t.Name] = tr
	}
	return r
}

func (r *results) of(t *target) *targetResult { return r.byName[t.Name] }

// fail records something a target did wrong; the run goes on.
func (tr *targetResult) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	tr.Failures = append(tr.Failures, msg)
	progress("%s: %s", tr.Name, msg)
}

// spurious records n signals that the workload received unsent, in phase.
func (tr *targetResult) spurious(phase string, n int) {
	if n > 0 {
		tr.Spurious[phase] += n
	}
}

func (tr *targetResult) spuriousTotal() int {
	n := 0
	for _, c := range tr.Spurious {
		n += c
	}
	return n
}

type binaryInfo struct {
	Bytes  int64 `json:"bytes"`
	Static bool  `json:"static"`
}

type startupResult struct {
	WallNs []time.Duration `json:"wall_ns"`          // one per round, in round order
	Cost   []startCost     `json:"cost"`             // one per round
	Ratios []float64       `json:"ratios,omitempty"` // wall / direct's wall, same round
	Median time.Duration   `json:"median_ns"`
	Ratio  float64         `json:"median_ratio,omitempty"` // median of Ratios
	Errors int             `json:"errors"`                 // runs that did not exit 0
	// Medians of Cost.
	CPU         time.Duration `json:"median_cpu_ns"`
	MinorFaults int64         `json:"median_minor_faults"`
	Switches    int64         `json:"median_switches"`
}

// startCost is what one `INIT true` cost, from the rusage wait4 returns:
// the init's and, since it reaped it, true's (direct is true alone).
type startCost struct {
	CPU         time.Duration `json:"cpu_ns"` // user + system
	MinorFaults int64         `json:"minor_faults"`
	Switches    int64         `json:"switches"` // voluntary + involuntary
}

type instrResult struct {
	Binary string  `json:"binary"` // the copy run under cachegrind
	Counts []int64 `json:"counts"`
	Median int64   `json:"median"`
	Note   string  `json:"note,omitempty"`
}

// memoryResult is in KiB, medians over rounds.
type memoryResult struct {
	PeakRSS int64   `json:"peak_rss_kib"` // VmHWM
	RssAnon int64   `json:"rss_anon_kib"`
	Pss     int64   `json:"pss_kib"`
	Samples []memKB `json:"samples"`
}

type memKB struct {
	PeakRSS int64 `json:"peak_rss_kib"`
	RssAnon int64 `json:"rss_anon_kib"`
	Pss     int64 `json:"pss_kib"`
}

type idleResult struct {
	WindowNs        time.Duration `json:"window_ns"`
	Switches        int64         `json:"switches"`
	CPUNs           time.Duration `json:"cpu_ns"`
	WakeupsPerMin   float64       `json:"wakeups_per_min"`
	CPUPerMinMicros float64       `json:"cpu_us_per_min"`
	Threads         int           `json:"threads"`
}

type reapResult struct {
	Mode             string          `json:"mode"`
	Orphans          int             `json:"orphans"`
	CPUNs            []time.Duration `json:"cpu_ns"`             // the init's, per round
	MakeNs           []time.Duration `json:"make_ns,omitempty"`  // making them one by one, per round
	UntilNoneNs      []time.Duration `json:"until_none_left_ns"` // release (or last made) to last reaped, per round
	SwitchesPerRound []int64         `json:"switches"`
	CPUPerOrphanUs   float64         `json:"cpu_us_per_orphan"` // median
	UntilNone        time.Duration   `json:"median_until_none_left_ns"`
}

// windowResult is the start-up window: fork to signals taken over.
type windowResult struct {
	Ns     []time.Duration `json:"ns"`
	Median time.Duration   `json:"median_ns"`
	P90    time.Duration   `json:"p90_ns"`
	// goinit only: fork until its own handlers were all installed.
	HandlersNs     []time.Duration `json:"handlers_ns,omitempty"`
	HandlersMedian time.Duration   `json:"handlers_median_ns,omitempty"`
}

type signalResult struct {
	RoundTripsNs []time.Duration `json:"round_trips_ns"`
	P50          time.Duration   `json:"p50_ns"`
	P99          time.Duration   `json:"p99_ns"`
	RatioP50     float64         `json:"p50_ratio,omitempty"` // to direct's p50
	RatioP99     float64         `json:"p99_ratio,omitempty"`
	Lost         int             `json:"lost"`
	// The init's own cost per forwarded signal.
	CPUPerSignalUs          float64 `json:"cpu_us_per_signal,omitempty"`
	SwitchesPerSignal       float64 `json:"switches_per_signal,omitempty"`
	usageBefore, usageAfter usage
}

type stormResult struct {
	Sent             map[int]int   `json:"sent"`     // by signal number
	Received         map[int]int   `json:"received"` // by the workload
	Survived         bool          `json:"survived"` // alive and still forwarding after it
	ExitCode         int           `json:"exit_code_on_term"`
	RealtimeSent     int           `json:"realtime_sent"`
	RealtimeReceived int           `json:"realtime_received"`
	StormNs          time.Duration `json:"send_ns"` // how long sending the storm took
}
