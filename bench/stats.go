package main

import (
	"math/rand/v2"
	"slices"
	"time"
)

// median of xs; 0 for none.
func median[T int64 | float64 | time.Duration](xs []T) T {
	return percentile(xs, 50)
}

// percentile p (0-100) of xs by the nearest-rank method; 0 for none.
func percentile[T int64 | float64 | time.Duration](xs []T, p float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(p/100*float64(len(s)) + 0.5)
	rank = min(max(rank, 1), len(s))
	if p == 50 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[rank-1]
}

// shuffled returns the targets in a new random order, so that no target
// always runs right after the same one (caches, frequency, the scheduler).
func shuffled(ts []*target) []*target {
	out := slices.Clone(ts)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
