package tests

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"goinit/tests/internal/testenv"
)

// Differential tests: the same command under tini or dumb-init (Debian's
// packages) and under goinit, with the same flags, must give the same
// observable results (exit code, signals the child received, processes
// left), except for the documented differences each test names. README.md
// has the migration table these tests back; TestEveryMigrationRowNamesATest
// keeps the two in step. dropin_test.go has the cases catatonit joins.

// peer finds an init to compare with: skipped when missing, except in CI.
func peer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	testenv.SkipUnlessCI(t, name+" is not installed (apt-get install tini dumb-init catatonit, or scripts/setup.sh)")
	return ""
}

// exitCodeUnder runs command under init with flags and returns the exit code.
func exitCodeUnder(t *testing.T, m mode, init string, flags []string, command ...string) int {
	t.Helper()
	args := slices.Concat(flags, []string{"--"}, command)
	r := start(t, m, exec.Command(init, args...))
	r.stdin.Close()
	return r.exitStatus()
}

func TestSameExitCodesAsTiniAndDumbInit(t *testing.T) {
	tini, dumb := peer(t, "tini"), peer(t, "dumb-init")
	scripts := []string{"exit 0", "exit 1", "exit 2", "exit 42", "exit 126", "exit 127", "exit 128", "exit 255"}
	for _, sig := range []int{1, 2, 6, 9, 10, 11, 15} {
		scripts = append(scripts, fmt.Sprintf("kill -%d $$", sig))
	}
	inEachMode(t, func(t *testing.T, m mode) {
		for _, script := range scripts {
			want := exitCodeUnder(t, m, tini, []string{"-s"}, "sh", "-c", script)
			if got := exitCodeUnder(t, m, dumb, nil, "sh", "-c", script); got != want {
				t.Errorf("%q: dumb-init %d, tini %d: the peers disagree", script, got, want)
			}
			if got := exitCodeUnder(t, m, goinitBin, nil, "sh", "-c", script); got != want {
				t.Errorf("%q: goinit %d, tini and dumb-init %d", script, got, want)
			}
		}
	})
}

// signalsCompared are sent to each init in turn.
var signalsCompared = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM,
	syscall.SIGWINCH, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGCONT, syscall.SIGURG, syscall.SIGIO,
	syscall.SIGPWR, syscall.SIGVTALRM, syscall.SIGPROF, syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGSTKFLT,
	syscall.SIGABRT, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP,
	syscall.SIGSYS, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU,
	sigRTMin, sigRTMin + 5, sigRTMax - 1,
}

// sigMarker follows each signal under test; no init rewrites or drops it.
const sigMarker = sigRTMax

// forwardedBy reports what the child of init (as PID 1, with flags)
// holds pending after sig is sent to init: the child blocks every signal,
// so whatever reached it stays visible. The peers handle one signal at a
// time, lowest number first, so once the marker sent after sig is pending,
// sig was forwarded before it or not at all. It also returns the child,
// for a caller that must wait for a signal goinit may pass on after the
// marker.
func forwardedBy(t *testing.T, init string, flags []string, sig syscall.Signal, watch ...syscall.Signal) (map[syscall.Signal]bool, int) {
	t.Helper()
	args := slices.Concat(flags, []string{"--"}, blockedSleeper())
	r := start(t, asPID1, exec.Command(init, args...))
	child := onlyChild(t, r.pid())
	if !eventually(func() bool { return isSleeping(child) }) {
		t.Fatalf("the child never started sleeping")
	}
	r.signal(sig)
	r.signal(sigMarker)
	if !eventually(func() bool { return pending(child, sigMarker) }) {
		t.Fatalf("%s: the marker never reached the child", init)
	}
	got := map[syscall.Signal]bool{}
	for _, w := range watch {
		got[w] = pending(child, w)
	}
	return got, child
}

func TestSignalsReachTheChildAsUnderThePeers(t *testing.T) {
	requireRoot(t)
	tini, dumb := peer(t, "tini"), peer(t, "dumb-init")

	// goinit handles signals on any of its threads, so the marker may
	// overtake: wait for each signal itself, which must come.
	for _, sig := range signalsCompared {
		r := start(t, asPID1, exec.Command(goinitBin, append([]string{"--"}, blockedSleeper()...)...))
		child := onlyChild(t, r.pid())
		eventually(func() bool { return isSleeping(child) })
		r.signal(sig)
		if !eventually(func() bool { return pending(child, sig) }) {
			t.Errorf("goinit did not forward %d", sig)
		}
	}

	// Documented difference: tini does not pass on the fault signals even
	// when they are sent with kill(2), nor SIGTTIN and SIGTTOU.
	tiniDrops := map[syscall.Signal]bool{
		syscall.SIGABRT: true, syscall.SIGSEGV: true, syscall.SIGBUS: true, syscall.SIGFPE: true,
		syscall.SIGILL: true, syscall.SIGTRAP: true, syscall.SIGSYS: true, syscall.SIGTTIN: true, syscall.SIGTTOU: true,
	}
	for _, sig := range signalsCompared {
		if got, _ := forwardedBy(t, tini, []string{"-g"}, sig, sig); got[sig] == tiniDrops[sig] {
			t.Errorf("signal %d: tini forwarded it: %v; the documented difference says %v", sig, got[sig], !tiniDrops[sig])
		}
	}

	// Documented difference: dumb-init turns SIGTSTP, SIGTTIN and SIGTTOU
	// into SIGSTOP for the child and stops itself; everything else it
	// forwards, as goinit does.
	for _, sig := range signalsCompared {
		if sig == syscall.SIGTSTP || sig == syscall.SIGTTIN || sig == syscall.SIGTTOU {
			continue
		}
		if got, _ := forwardedBy(t, dumb, nil, sig, sig); !got[sig] {
			t.Errorf("signal %d: dumb-init did not forward it, goinit does", sig)
		}
	}
}

func TestRewriteMatchesDumbInit(t *testing.T) {
	requireRoot(t)
	dumb := peer(t, "dumb-init")
	cases := []struct {
		flags []string
		send  syscall.Signal
		want  syscall.Signal // 0: dropped
	}{
		{[]string{"-r", "15:10"}, syscall.SIGTERM, syscall.SIGUSR1},
		{[]string{"-r", "15:12", "-r", "1:15"}, syscall.SIGHUP, syscall.SIGTERM},
		{[]string{"-r", "10:0"}, syscall.SIGUSR1, 0},
		{[]string{"-r", "15:0", "-r", "15:2"}, syscall.SIGTERM, syscall.SIGINT}, // the last one wins
	}
	for _, c := range cases {
		watch := []syscall.Signal{c.send}
		if c.want != 0 {
			watch = append(watch, c.want)
		}
		viaDumb, _ := forwardedBy(t, dumb, c.flags, c.send, watch...)
		viaGoinit, child := forwardedBy(t, goinitBin, c.flags, c.send, watch...)
		// goinit takes signals on any of its threads, so the marker may
		// overtake: wait for the one that must come.
		if c.want != 0 {
			viaGoinit[c.want] = eventually(func() bool { return pending(child, c.want) })
		}
		for _, w := range watch {
			want := w == c.want
			if viaDumb[w] != want {
				t.Errorf("%v, sent %d: dumb-init delivered %d: %v, want %v", c.flags, c.send, w, viaDumb[w], want)
			}
			if viaGoinit[w] != want {
				t.Errorf("%v, sent %d: goinit delivered %d: %v, want %v (as dumb-init)", c.flags, c.send, w, viaGoinit[w], want)
			}
		}
	}
	// goinit also reads names.
	if _, child := forwardedBy(t, goinitBin, []string{"-r", "sigterm:Usr1"}, syscall.SIGTERM); !eventually(func() bool { return pending(child, syscall.SIGUSR1) }) {
		t.Error("-r sigterm:Usr1 did not deliver SIGUSR1")
	}
}

func TestRemapExitMatchesTiniForEveryCode(t *testing.T) {
	tini := peer(t, "tini")
	for code := 0; code <= 255; code++ {
		other := (code + 1) % 256
		for _, exit := range []int{code, other} {
			script := fmt.Sprintf("exit %d", exit)
			flags := []string{"-e", fmt.Sprint(code)}
			want := exitCodeUnder(t, asSubreaper, tini, append([]string{"-s"}, flags...), "sh", "-c", script)
			if got := exitCodeUnder(t, asSubreaper, goinitBin, flags, "sh", "-c", script); got != want {
				t.Fatalf("-e %d, command exits %d: goinit %d, tini %d", code, exit, got, want)
			}
		}
	}
	// Killed by a signal: 128+N is what -e sees, under both.
	for _, flags := range [][]string{{"-e", "143"}, {"-e", "143", "-e", "130"}} {
		want := exitCodeUnder(t, asSubreaper, tini, append([]string{"-s"}, flags...), "sh", "-c", "kill -TERM $$")
		if got := exitCodeUnder(t, asSubreaper, goinitBin, flags, "sh", "-c", "kill -TERM $$"); got != want || got != 0 {
			t.Errorf("%v after SIGTERM: goinit %d, tini %d, want 0", flags, got, want)
		}
	}
}

func TestProcessGroupOrSingleChildAsThePeersDecide(t *testing.T) {
	requireRoot(t)
	tini, dumb := peer(t, "tini"), peer(t, "dumb-init")
	cases := []struct {
		name       string
		init       string
		flags, env []string
		want       string
	}{
		// Documented difference: tini signals the child alone unless -g;
		// goinit and dumb-init signal the group unless -c.
		{"tini", tini, nil, nil, "child"},
		{"tini -g", tini, []string{"-g"}, nil, "group"},
		{"tini TINI_KILL_PROCESS_GROUP", tini, nil, []string{"TINI_KILL_PROCESS_GROUP=1"}, "group"},
		{"dumb-init", dumb, nil, nil, "group"},
		{"dumb-init -c", dumb, []string{"-c"}, nil, "child"},
		{"dumb-init DUMB_INIT_SETSID=0", dumb, nil, []string{"DUMB_INIT_SETSID=0"}, "child"},
		{"goinit", goinitBin, nil, nil, "group"},
		{"goinit -g", goinitBin, []string{"-g"}, nil, "group"},
		{"goinit -c", goinitBin, []string{"-c"}, nil, "child"},
		{"goinit TINI_KILL_PROCESS_GROUP", goinitBin, nil, []string{"TINI_KILL_PROCESS_GROUP=1"}, "group"},
		{"goinit DUMB_INIT_SETSID=0", goinitBin, nil, []string{"DUMB_INIT_SETSID=0"}, "child"},
	}
	for _, c := range cases {
		if got := whoGetsSignals(t, asPID1, c.init, c.flags, c.env); got != c.want {
			t.Errorf("%s: signals reached the %s, want the %s", c.name, got, c.want)
		}
	}
}

// zombiesLeftUnder makes orphans under init as an ordinary process and
// counts the zombies its tree holds before the command exits.
func orphansReapedUnder(t *testing.T, init string, flags, env []string) bool {
	t.Helper()
	args := slices.Concat(flags, []string{"--", helperBin, "orphans", "50"})
	cmd := exec.Command(init, args...)
	cmd.Env = append(os.Environ(), env...)
	r := start(t, asSubreaper, cmd)
	r.expect("orphans done")
	// Reaped by init (a subreaper), or re-parented away from its tree.
	reaped := eventually(func() bool { return len(children(r.pid())) == 1 })
	r.finish()
	return reaped
}

func TestSubreaperMatchesTini(t *testing.T) {
	tini := peer(t, "tini")
	for _, c := range []struct {
		name       string
		flags, env []string
	}{{"-s", []string{"-s"}, nil}, {"TINI_SUBREAPER", nil, []string{"TINI_SUBREAPER=1"}}} {
		if !orphansReapedUnder(t, tini, c.flags, c.env) {
			t.Errorf("tini %s left orphans", c.name)
		}
		if !orphansReapedUnder(t, goinitBin, c.flags, c.env) {
			t.Errorf("goinit %s left orphans", c.name)
		}
	}
	// Documented difference: goinit is a subreaper whenever it is not PID 1.
	if !orphansReapedUnder(t, goinitBin, nil, nil) {
		t.Error("goinit without -s left orphans")
	}
}

func TestWarnOnReapMatchesTini(t *testing.T) {
	tini := peer(t, "tini")
	warnings := regexp.MustCompile(`(?i)reaped zombie process`)
	count := func(init string, flags []string) int {
		r := start(t, asSubreaper, exec.Command(init, append(flags, "--", helperBin, "orphans", "3")...))
		r.expect("orphans done")
		eventually(func() bool { return len(children(r.pid())) == 1 })
		r.finish()
		return len(warnings.FindAllString(r.Stderr(), -1))
	}
	// Each orphan is one line, under both (the wording differs).
	if got, want := count(goinitBin, []string{"-w"}), count(tini, []string{"-s", "-w"}); got != want || got != 3 {
		t.Errorf("goinit -w warned %d times, tini -w %d times, want 3", got, want)
	}
	if got := count(goinitBin, nil); got != 0 {
		t.Errorf("goinit without -w warned %d times", got)
	}
}

func TestVerbosityVariablesMakeThePeersAndGoinitTalk(t *testing.T) {
	tini, dumb := peer(t, "tini"), peer(t, "dumb-init")
	// tini logs its information on stdout, goinit and dumb-init on stderr.
	stderrOf := func(init string, flags, env []string) string {
		cmd := exec.Command(init, append(flags, "--", "true")...)
		cmd.Env = append(os.Environ(), env...)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	for _, c := range []struct {
		init  string
		flags []string
		env   string
	}{{tini, []string{"-s"}, "TINI_VERBOSITY=3"}, {dumb, nil, "DUMB_INIT_DEBUG=1"}} {
		if stderrOf(c.init, c.flags, []string{c.env}) == "" {
			t.Errorf("%s with %s said nothing", c.init, c.env)
		}
		if stderrOf(goinitBin, nil, []string{c.env}) == "" {
			t.Errorf("goinit with %s said nothing", c.env)
		}
	}
	if out := stderrOf(goinitBin, nil, []string{"TINI_VERBOSITY=1"}); out != "" {
		t.Errorf("TINI_VERBOSITY=1 is tini's default, quiet; goinit said %q", out)
	}
}

func TestParentDeathSignalMatchesTini(t *testing.T) {
	tini := peer(t, "tini")
	for _, init := range []string{tini, goinitBin} {
		flags := []string{"-p", "SIGUSR1"}
		if init == tini {
			flags = append(flags, "-s")
		}
		parent := exec.Command("unshare", append(append([]string{"--fork", init}, flags...), "--", helperBin, "signals")...)
		r := start(t, asSubreaper, parent)
		r.expect("child ready")
		r.signal(syscall.SIGKILL) // the parent dies
		r.expect("child got 10")
		r.stdin.Close()
		if !r.waitLineOrEnd() {
			t.Errorf("%s did not exit", init)
		}
	}
}

func TestLicenseVersionAndHelpLikeThePeers(t *testing.T) {
	tini := peer(t, "tini")
	for _, flag := range []string{"-l", "--license"} {
		out, err := exec.Command(goinitBin, flag).Output()
		if err != nil || !strings.Contains(string(out), "MIT License") {
			t.Errorf("goinit %s: %v, %q", flag, err, out)
		}
	}
	if out, err := exec.Command(tini, "-l").Output(); err != nil || !strings.Contains(string(out), "MIT") {
		t.Errorf("tini -l: %v, %q", err, out)
	}
	// Documented difference: the version line is goinit's own, in the
	// form docker info parses ("X - git.Y"), for -V and --version alike.
	for _, flag := range []string{"-V", "--version"} {
		if out, err := exec.Command(goinitBin, flag).Output(); err != nil || !strings.Contains(string(out), " - git.") {
			t.Errorf("goinit %s: %v, %q", flag, err, out)
		}
	}
}

func TestLeftoversAreDrainedWhereThePeersLeaveThemOrHurryThem(t *testing.T) {
	tini, dumb := peer(t, "tini"), peer(t, "dumb-init")
	// The command leaves a process behind and exits. leftoverAfter
	// returns the leftover's pid once the init has exited.
	leftoverAfter := func(init string, flags ...string) int {
		args := append(append(flags, "--"), "sh", "-c", "sleep 1000 & echo $!; exit 0")
		r := start(t, asSubreaper, exec.Command(init, args...))
		pid, err := strconv.Atoi(r.nextLineOrFail())
		if err != nil {
			t.Fatal(err)
		}
		r.exitStatus()
		return pid
	}
	alive := func(pid int) bool { return processState(pid) != "" && processState(pid) != "Z" }
	// Kill the leftover as soon as it has been looked at, while its pid
	// cannot yet belong to anything else.
	done := func(pid int) {
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	// Documented difference: tini leaves it running (as PID 1 the kernel
	// then kills it without warning); dumb-init sends its session SIGTERM
	// and exits without waiting, so the leftover may outlive it by a
	// moment; goinit sends SIGTERM and waits up to --grace for it to exit.
	pid := leftoverAfter(tini, "-s")
	if !alive(pid) {
		t.Error("under tini the leftover is gone; the documented difference says tini leaves it")
	}
	done(pid)
	pid = leftoverAfter(goinitBin)
	if alive(pid) {
		t.Error("goinit exited while the leftover was still running")
	}
	done(pid)
	pid = leftoverAfter(dumb)
	if !eventually(func() bool { return !alive(pid) }) {
		t.Error("under dumb-init the leftover survived; the documented difference says it gets SIGTERM")
	}
	done(pid)
}
