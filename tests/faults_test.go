package tests

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"goinit/tests/internal/testenv"
)

// Faults, load and hostile input: PID 1 must not be what fails.

func TestForkFailureGivesOneLineAndExit1AndLeavesNothing(t *testing.T) {
	// RLIMIT_NPROC binds only users other than root, and counts threads:
	// as nobody, raise it one step at a time until goinit itself starts
	// but cannot fork its command. How many threads the Go runtime has
	// started by the time goinit forks depends on scheduling (under load
	// it may start one only after the fork), so each limit is tried a few
	// times: the limit at which the fork is refused moves by one between
	// runs, the one-line report and exit 1 must not.
	requireRoot(t)
	sawForkFailure := false
	for n := 1; n <= 12 && !sawForkFailure; n++ {
		for try := 0; try < 5 && !sawForkFailure; try++ {
			code, stderr := runWithProcessLimit(n, goinitBin, "--", "/bin/true")
			switch {
			case code == 0 && n == 1:
				t.Fatalf("with 1 process allowed the command ran: the limit does not bind")
			case code == 0:
				// The runtime's threads and the command both fit.
			case strings.Contains(stderr, "failed to create new OS thread"):
				// Too few even for the Go runtime's own threads: see README.
			case code == 1:
				if !regexp.MustCompile(`^goinit: cannot start "/bin/true": fork: resource temporarily unavailable\n$`).MatchString(stderr) {
					t.Errorf("fork failure reported as %q, want one line", stderr)
				}
				sawForkFailure = true
			default:
				t.Fatalf("with %d processes allowed goinit exited %d: %q", n, code, stderr)
			}
		}
	}
	if !sawForkFailure {
		t.Fatal("never saw goinit refused a fork")
	}
	if out, _ := exec.Command("pgrep", "-u", "65534").Output(); len(out) > 0 {
		t.Errorf("processes of the test user left behind: %s", out)
	}
}

// runWithProcessLimit runs argv as user nobody with RLIMIT_NPROC at n and
// returns its exit code and stderr.
func runWithProcessLimit(n int, argv ...string) (int, string) {
	args := append([]string{fmt.Sprintf("--nproc=%d:%d", n, n), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, argv...)
	cmd := exec.Command("prlimit", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	code := exitCodeOf(cmd.Run())
	return code, stderr.String()
}

func TestPathLongerThanPathMaxIsAClearError(t *testing.T) {
	long := "/" + strings.Repeat("x/", 2100) + "cmd" // over PATH_MAX (4096)
	r := startGoinit(t, asSubreaper, "--", long)
	code := r.exitStatus()
	if code != 1 || !strings.Contains(r.Stderr(), "file name too long") || strings.Count(r.Stderr(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 1 and one line saying the name is too long", code, r.Stderr())
	}
}

func TestArgvNearArgMaxPassesThrough(t *testing.T) {
	// 14 arguments of 128 KiB (the most one argument may hold): 1.75 MiB,
	// near the 2 MiB that an 8 MiB stack limit allows.
	arg := strings.Repeat("a", 128*1024-1)
	args := []string{"--", "sh", "-c", `n=0; for a; do n=$((n+${#a})); done; echo $# $n`, "sh"}
	for i := 0; i < 14; i++ {
		args = append(args, arg)
	}
	r := startGoinit(t, asSubreaper, args...)
	r.expect(fmt.Sprintf("14 %d", 14*len(arg)))
	if code := r.exitStatus(); code != 0 {
		t.Errorf("exit %d; stderr %q", code, r.Stderr())
	}
}

func TestSignalStormWhileTheChildForksLeavesGoinitResponsive(t *testing.T) {
	// 100,000 mixed signals while the command forks and exits in a loop;
	// then SIGTERM ends it and goinit exits 143, reaping everything.
	storm := []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGWINCH,
		syscall.SIGALRM, syscall.SIGURG, syscall.SIGCONT, syscall.SIGPIPE, sigRTMin, sigRTMin + 1, sigRTMax}
	ignore := "trap '' USR1 USR2 HUP WINCH ALRM PIPE 34 35 64"
	script := ignore + "; echo ready; while :; do /bin/true; done"
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", "sh", "-c", script)
		r.expect("ready")
		for i := 0; i < 100000; i++ {
			if err := syscall.Kill(r.pid(), storm[i%len(storm)]); err != nil {
				t.Fatalf("goinit went away during the storm (%v); stderr %q", err, r.Stderr())
			}
		}
		r.signal(syscall.SIGTERM)
		if code := r.exitStatus(); code != 143 {
			t.Errorf("after the storm goinit exited %d, want 143; stderr %q", code, r.Stderr())
		}
	})
}

func TestOrphanStormLeavesNoZombiesAndDoesNotGrowGoinit(t *testing.T) {
	// 100,000 orphans as PID 1, 30,000 as a subreaper (the same code, and
	// forking them is what takes the time), in bursts of 10,000.
	inEachMode(t, func(t *testing.T, m mode) {
		bursts := 10
		if !m.pid1 {
			bursts = 3
		}
		r := startGoinit(t, m, "--", "sh", "-c", `
while read burst; do
  `+helperBin+` orphans 10000 100 </dev/null
done`)
		burst := func() {
			fmt.Fprintln(r.stdin, "go")
			r.expect("orphans done")
			if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
				t.Fatalf("%d zombies left after a burst", zombieChildren(r.pid()))
			}
		}
		burst() // warm up: the first burst may size goinit's buffers
		before := statusNumber(r.pid(), "RssAnon")
		for i := 1; i < bursts; i++ {
			burst()
		}
		after := statusNumber(r.pid(), "RssAnon")
		if after > before+before/10 {
			t.Errorf("goinit grew from %d KiB to %d KiB over %d orphans", before, after, (bursts-1)*10000)
		}
		r.stdin.Close()
		if code := r.exitStatus(); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
}

// anonKiB reads pid's private resident memory (RssAnon): what goinit
// itself allocated. The pages of its binary it has resident come and go
// (it gives them back once idle, and they come back as code runs), so they
// say nothing of growth.
func TestChildStatusIsReportedWhenItAndItsCrowdExitAtOnce(t *testing.T) {
	// The command and 2,000 processes of its own exit in the same instant;
	// their SIGCHLDs merge and the exits come in any order. The command's
	// status must be the one goinit reports, every time.
	inEachMode(t, func(t *testing.T, m mode) {
		for i := 0; i < 8; i++ {
			code := 10 + i
			r := startGoinit(t, m, "--", helperBin, "exit-with-crowd", "2000", strconv.Itoa(code))
			if got := r.exitStatus(); got != code {
				t.Fatalf("run %d: goinit exited %d, want the command's %d; stderr %q", i, got, code, r.Stderr())
			}
		}
	})
}

func TestChildThatLeftItsGroupStillGetsSignals(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--grace=0", "--", helperBin, "setpgid-signals")
		r.expect("child ready")
		r.signal(syscall.SIGUSR1)
		r.expect("child got 10")
		r.finish()
	})
}

func TestSignalsToAChildThatIsExitingAreHarmless(t *testing.T) {
	// The child exits while goinit forwards a stream of signals to its
	// group: ESRCH and a vanished group must not disturb goinit.
	inEachMode(t, func(t *testing.T, m mode) {
		for i := 0; i < 20; i++ {
			r := startGoinit(t, m, "--", "sh", "-c", "trap '' USR1; echo ready; exit 9")

			r.expect("ready")
			for j := 0; j < 200; j++ {
				if syscall.Kill(r.pid(), syscall.SIGUSR1) != nil {
					break // goinit has exited
				}
			}
			if code := r.exitStatus(); code != 9 {
				t.Fatalf("goinit exited %d, want 9; stderr %q", code, r.Stderr())
			}
			if strings.Contains(r.Stderr(), "warning") {
				t.Errorf("goinit complained: %q", r.Stderr())
			}
		}
	})
}

func TestASignalGoinitCannotCatchIsNotFatal(t *testing.T) {
	// valgrind keeps signal 64 for itself: goinit gets no handler for it
	// and must run without it, saying so at -v.
	valgrind, err := exec.LookPath("valgrind")
	if err != nil {
		testenv.SkipUnlessCI(t, "valgrind is not installed (apt-get install valgrind, or scripts/setup.sh)")
	}
	cmd := exec.Command(valgrind, "-q", "--tool=none", goinitBin, "-v", "--", "sh", "-c", "exit 3")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if code := exitCodeOf(cmd.Run()); code != 3 {
		t.Fatalf("under valgrind goinit exited %d, want the command's 3; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SIGRTMAX") || !strings.Contains(stderr.String(), "not forwarded") {
		t.Errorf("stderr %q, want a line saying SIGRTMAX is not forwarded", stderr.String())
	}
}
