package main

import "time"

// plan is how much of each measurement a run makes. The full plan fits in
// 10 minutes on 2 cores, the quick one in 30 seconds; the quick one only
// shows that the benchmark still works, its figures are rough.
type plan struct {
	Quick bool `json:"quick"`

	StartupRounds int `json:"startup_rounds"` // each round runs every target once
	StartupWarmup int `json:"startup_warmup"` // rounds run first and dropped
	WindowRounds  int `json:"window_rounds"`

	CachegrindRunsGo int `json:"cachegrind_runs_go"` // Go's threads make counts vary
	CachegrindRunsC  int `json:"cachegrind_runs_c"`

	MemoryRounds int `json:"memory_rounds"`

	IdleWindow time.Duration `json:"idle_window_ns"`

	OrphanCounts []int `json:"orphan_counts"`
	ReapRounds   int   `json:"reap_rounds"`

	RoundTrips int `json:"round_trips"`

	StormSignals    int `json:"storm_signals"`
	RealtimeSignals int `json:"realtime_signals"`
}

func planFor(quick bool) plan {
	if quick {
		return plan{
			Quick:         true,
			StartupRounds: 20, StartupWarmup: 2, WindowRounds: 10,
			CachegrindRunsGo: 1, CachegrindRunsC: 1,
			MemoryRounds: 1,
			IdleWindow:   3 * time.Second,
			OrphanCounts: []int{200, 500}, ReapRounds: 1,
			RoundTrips:   200,
			StormSignals: 1000, RealtimeSignals: 100,
		}
	}
	return plan{
		StartupRounds: 150, StartupWarmup: 5, WindowRounds: 100,
		CachegrindRunsGo: 7, CachegrindRunsC: 3,
		MemoryRounds: 5,
		IdleWindow:   150 * time.Second,
		OrphanCounts: []int{2000, 10000}, ReapRounds: 5,
		RoundTrips:   2000,
		StormSignals: 10000, RealtimeSignals: 1000,
	}
}
