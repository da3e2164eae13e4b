//go:build soak

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSoak is make soak: goinit as PID 1 for ten minutes (GOINITTEST_SOAK
// overrides) under a workload that keeps forking, orphaning and exiting,
// while real-time signals, which the kernel queues one by one, are sent to
// goinit and counted where they arrive. It checks that nothing accumulates
// and that every signal is accounted for, and writes its figures to
// GOINITTEST_SOAK_REPORT (default soak-report.txt).
func TestSoak(t *testing.T) {
	requireRoot(t)
	duration := 10 * time.Minute
	if v := os.Getenv("GOINITTEST_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		duration = d
	}
	const counted = sigRTMin + 2
	r := startGoinit(t, asPID1, "-c", "--", helperBin, "soak")
	r.expect("soak ready")

	var sent atomic.Int64
	stop := make(chan struct{})
	senderDone := make(chan struct{})
	go func() { // about a thousand a second, and an untracked USR1 now and then
		defer close(senderDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if syscall.Kill(r.pid(), counted) == nil {
				sent.Add(1)
			}
			if i%100 == 0 {
				syscall.Kill(r.pid(), syscall.SIGUSR1)
			}
			time.Sleep(time.Millisecond)
		}
	}()

	var samples []sample
	start := time.Now()
	for time.Since(start) < duration {
		time.Sleep(min(30*time.Second, duration/10))
		samples = append(samples, sampleOf(r.pid(), time.Since(start)))
	}
	close(stop)
	<-senderDone

	// Every queued signal sent must have been forwarded and counted.
	var received int
	if !eventually(func() bool { received = countReported(r, counted); return received == int(sent.Load()) }) {
		t.Errorf("sent %d signals %d, the command received %d", sent.Load(), counted, received)
	}
	final := sampleOf(r.pid(), time.Since(start))
	samples = append(samples, final)
	report := soakReport(samples, sent.Load(), received)
	t.Log("\n" + report)
	path := os.Getenv("GOINITTEST_SOAK_REPORT")
	if path == "" {
		path = filepath.Join("..", "soak-report.txt")
	}
	os.WriteFile(path, []byte(report), 0o644)

	first := samples[min(1, len(samples)-1)] // after a warm-up period
	if final.zombies != 0 {
		t.Errorf("%d zombies at the end", final.zombies)
	}
	if final.anonKiB > first.anonKiB+first.anonKiB/10 {
		t.Errorf("RssAnon grew from %d to %d KiB", first.anonKiB, final.anonKiB)
	}
	if final.threads > first.threads || final.fds > first.fds {
		t.Errorf("threads %d -> %d, descriptors %d -> %d", first.threads, final.threads, first.fds, final.fds)
	}
	r.stdin.Close()
	r.exitStatus()
}

type sample struct {
	at                     time.Duration
	anonKiB, threads, fds  int
	zombies                int
	cpu                    time.Duration
	voluntary, involuntary int
}

func sampleOf(pid int, at time.Duration) sample {
	s := sample{at: at, anonKiB: statusNumber(pid, "RssAnon"), zombies: zombieChildren(pid),
		threads: statusNumber(pid, "Threads"), voluntary: statusNumber(pid, "voluntary_ctxt_switches"),
		involuntary: statusNumber(pid, "nonvoluntary_ctxt_switches")}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	s.fds = len(fds)
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
		f := strings.Fields(string(stat)[i+1:])
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		s.cpu = time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100
	}
	return s
}

// countReported asks the command how many of sig it has received.
func countReported(r *running, sig syscall.Signal) int {
	fmt.Fprintln(r.stdin, "report")
	n := 0
	for line := r.nextLineOrFail(); line != "report done"; line = r.nextLineOrFail() {
		var s, c int
		if _, err := fmt.Sscanf(line, "signal %d %d", &s, &c); err == nil && syscall.Signal(s) == sig {
			n = c
		}
	}
	return n
}

func soakReport(samples []sample, sent int64, received int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "goinit soak: %v as PID 1, workload forking, orphaning and exiting\n", samples[len(samples)-1].at.Round(time.Second))
	fmt.Fprintf(&b, "queued real-time signals sent %d, received by the command %d\n\n", sent, received)
	fmt.Fprintf(&b, "| at | RssAnon KiB | threads | fds | zombies | CPU | ctx switches |\n|---|---|---|---|---|---|---|\n")
	for _, s := range samples {
		fmt.Fprintf(&b, "| %v | %d | %d | %d | %d | %v | %d |\n", s.at.Round(time.Second), s.anonKiB, s.threads, s.fds,
			s.zombies, s.cpu, s.voluntary+s.involuntary)
	}
	return b.String()
}
