package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leftover is a shell snippet that starts a background process which traps
// TERM, writes "$dir/flushed" when it gets it and exits, and waits until the
// trap is in place. prefix runs it differently (setsid: a session of its
// own).
func leftover(dir, prefix string) string {
	return fmt.Sprintf(`%s sh -c 'trap "echo flushed > %s/flushed; exit 0" TERM; touch %s/ready; while :; do sleep 0.05; done' &
while [ ! -e %s/ready ]; do sleep 0.01; done`, prefix, dir, dir, dir)
}

func TestLeftoversGetSIGTERMAndTimeToFlushBeforeGoinitExits(t *testing.T) {
	for _, how := range []struct{ name, prefix string }{{"in the group", ""}, {"after setsid", "setsid"}} {
		t.Run(how.name, func(t *testing.T) {
			inEachMode(t, func(t *testing.T, m mode) {
				dir := t.TempDir()
				script := leftover(dir, how.prefix) + "\nexit 7"
				start := time.Now()
				r := startGoinit(t, m, "-v", "--grace=30s", "--", "sh", "-c", script)
				if code := r.exitStatus(); code != 7 {
					t.Fatalf("goinit exited %d, want the command's 7; stderr %q", code, r.Stderr())
				}
				if took := time.Since(start); took > 15*time.Second {
					t.Errorf("goinit took %v: it waited for the grace period instead of the leftover", took)
				}
				if b, err := os.ReadFile(filepath.Join(dir, "flushed")); err != nil || string(b) != "flushed\n" {
					t.Errorf("the leftover did not flush on SIGTERM: %q, %v", b, err)
				}
				// The leftover shell and the sleep it runs.
				if !strings.Contains(r.Stderr(), "drained: 2 processes were left, 2 exited on SIGTERM, 0 needed SIGKILL") {
					t.Errorf("no drain report in %q", r.Stderr())
				}
			})
		})
	}
}

func TestLeftoverIgnoringSIGTERMIsKilledAfterTheGrace(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir := t.TempDir()
		script := fmt.Sprintf(`sh -c 'trap "" TERM; touch %s/ready; exec sleep 1000' &
while [ ! -e %s/ready ]; do sleep 0.01; done
exit 5`, dir, dir)
		const grace = time.Second
		start := time.Now()
		r := startGoinit(t, m, "-v", "--grace", grace.String(), "--", "sh", "-c", script)
		code := r.exitStatus()
		took := time.Since(start)
		if code != 5 {
			t.Errorf("goinit exited %d, want the command's 5; stderr %q", code, r.Stderr())
		}
		if took < grace || took > grace+3*time.Second {
			t.Errorf("goinit took %v; want the grace period, %v, and not much more", took, grace)
		}
		if !strings.Contains(r.Stderr(), "1 needed SIGKILL") {
			t.Errorf("no SIGKILL in the drain report %q", r.Stderr())
		}
	})
}

func TestGraceZeroKillsLeftoversAtOnce(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir := t.TempDir()
		r := startGoinit(t, m, "--grace=0", "--", "sh", "-c", leftover(dir, "")+"\nexit 4")
		if code := r.exitStatus(); code != 4 {
			t.Errorf("goinit exited %d, want 4", code)
		}
		if _, err := os.Stat(filepath.Join(dir, "flushed")); err == nil {
			t.Error("with --grace 0 the leftover got SIGTERM, not SIGKILL")
		}
	})
}

func TestWaitAllOutlivesTheChildUntilTheLastProcessExits(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir := t.TempDir()
		// The leftover reports forwarded USR1s, and exits when told to.
		script := fmt.Sprintf(`sh -c 'trap "echo usr1 >> %[1]s/got" USR1; touch %[1]s/ready
while [ ! -e %[1]s/go ]; do sleep 0.01; done; echo done > %[1]s/out' &
while [ ! -e %[1]s/ready ]; do sleep 0.01; done
echo child exiting; exit 3`, dir)
		r := startGoinit(t, m, "--wait-all", "-v", "--", "sh", "-c", script)
		r.expect("child exiting")
		if !eventually(func() bool { return strings.Contains(r.Stderr(), "waiting for the remaining processes") }) {
			t.Fatalf("goinit did not wait: %q", r.Stderr())
		}
		r.signal(syscall.SIGUSR1)
		if !eventually(func() bool { b, _ := os.ReadFile(filepath.Join(dir, "got")); return string(b) == "usr1\n" }) {
			t.Error("a signal sent during --wait-all did not reach the leftover")
		}
		select {
		case <-r.exited:
			t.Fatal("goinit exited while a descendant was still running")
		default:
		}
		os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
		if code := r.exitStatus(); code != 3 {
			t.Errorf("goinit exited %d, want the command's 3", code)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "done\n" {
			t.Errorf("the leftover did not finish: %q", b)
		}
	})
}

func TestSIGTERMDuringWaitAllDrains(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		inEachMode(t, func(t *testing.T, m mode) {
			dir := t.TempDir()
			r := startGoinit(t, m, "--wait-all", "-v", "--", "sh", "-c", leftover(dir, "")+"\necho child exiting; exit 6")
			r.expect("child exiting")
			if !eventually(func() bool { return strings.Contains(r.Stderr(), "waiting for the remaining processes") }) {
				t.Fatalf("goinit did not wait: %q", r.Stderr())
			}
			r.signal(sig)
			if code := r.exitStatus(); code != 6 {
				t.Errorf("goinit exited %d, want 6", code)
			}
			if _, err := os.Stat(filepath.Join(dir, "flushed")); err != nil {
				t.Errorf("%v during --wait-all did not drain with SIGTERM", sig)
			}
		})
	}
}

func TestStopDelayHoldsSIGTERMOnly(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		const delay = time.Second
		r := startGoinit(t, m, "--stop-delay", delay.String(), "--", helperBin, "signals")
		r.expect("child ready")
		sent := time.Now()
		r.signal(syscall.SIGTERM)
		r.signal(syscall.SIGUSR1)
		// In this order: USR1 overtakes the held TERM.
		r.expect("child got 10")
		r.expect("child got 15")
		if took := time.Since(sent); took < delay {
			t.Errorf("SIGTERM reached the child after %v, before the delay of %v", took, delay)
		}
		r.finish()
	})
}

func TestSecondSIGTERMOrSIGINTForwardsTheHeldOneAtOnce(t *testing.T) {
	for _, second := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		inEachMode(t, func(t *testing.T, m mode) {
			// A delay far beyond the hang guard: the held SIGTERM arriving
			// at all shows the second signal released it.
			r := startGoinit(t, m, "-v", "--stop-delay=1h", "--", helperBin, "signals")
			r.expect("child ready")
			r.signal(syscall.SIGTERM)
			// Sent together, the kernel would merge two SIGTERMs into one.
			if !eventually(func() bool { return strings.Contains(r.Stderr(), "holding SIGTERM") }) {
				t.Fatalf("goinit did not hold SIGTERM: %q", r.Stderr())
			}
			r.signal(second)
			want := []string{"child got 15"}
			if second == syscall.SIGINT {
				want = append(want, "child got 2")
			}
			r.expectAll(want...)
			r.finish()
		})
	}
}

func TestUnrelatedProcessInTheParentsGroupSurvivesEveryDrain(t *testing.T) {
	// Same user, same session and process group as goinit's parent (this
	// test), but not goinit's descendant.
	bystander := exec.Command("sleep", "1000")
	if err := bystander.Start(); err != nil {
		t.Fatal(err)
	}
	defer bystander.Process.Kill()
	exited := make(chan struct{})
	go func() { bystander.Wait(); close(exited) }()

	dir := t.TempDir()
	for _, args := range [][]string{
		{"--grace=1s"},
		{"--grace=0"},
		{"--wait-all"},
	} {
		cmd := append(append([]string{}, args...), "--", "sh", "-c", leftover(dir, "")+"\necho child exiting; exit 0")
		os.Remove(filepath.Join(dir, "ready"))
		r := startGoinit(t, asSubreaper, cmd...)
		if args[0] == "--wait-all" {
			r.expect("child exiting")
			r.signal(syscall.SIGUSR2) // forwarded to descendants only
			r.signal(syscall.SIGTERM)
		}
		r.exitStatus()
		select {
		case <-exited:
			t.Fatalf("goinit %v killed a process outside its tree", args)
		default:
		}
	}
}

func TestReusedPidOfReapedChildIsNotSignalled(t *testing.T) {
	// Inside a PID namespace of its own, where ns_last_pid can be set, an
	// unrelated process takes the pid of goinit's reaped child while goinit
	// waits for a leftover (--wait-all); then goinit is asked to forward a
	// signal to everything it answers for.
	requireRoot(t)
	dir := t.TempDir()
	writeFile(t, dir, "leftover.sh", `trap "echo usr1 >> $D/leftover" USR1
touch $D/ready
while [ ! -e $D/go ]; do sleep 0.01; done
`, 0o755)
	// The leftover leaves the child's process group: while the group had a
	// member, the kernel would keep the child's pid, its id, from reuse.
	writeFile(t, dir, "child.sh", `echo $$ > $D/childpid
setsid sh $D/leftover.sh &
while [ ! -e $D/ready ]; do sleep 0.01; done
`, 0o755)
	writeFile(t, dir, "stranger.sh", `trap "echo usr1 > $D/stranger" USR1
while :; do sleep 0.01; done
`, 0o755)
	writeFile(t, dir, "scenario.sh", `set -e
"$GOINIT" --wait-all -- sh $D/child.sh &
goinit=$!
while [ ! -e $D/ready ]; do sleep 0.01; done
child=$(cat $D/childpid)
while [ -e /proc/$child ]; do sleep 0.01; done
# The leftover's sleeps take pids too: retry until the stranger gets it.
for try in $(seq 100); do
  echo $((child - 1)) > /proc/sys/kernel/ns_last_pid
  sh $D/stranger.sh &
  stranger=$!
  [ "$stranger" != "$child" ] || break
  kill $stranger
done
[ "$stranger" = "$child" ] || { echo "pid $child never reused"; exit 9; }
kill -USR1 $goinit
while [ ! -e $D/leftover ]; do sleep 0.01; done
touch $D/go
wait $goinit
kill $stranger
[ ! -e $D/stranger ] || { echo "the process that reused the child's pid was signalled"; exit 1; }
echo ok
`, 0o755)
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "sh", filepath.Join(dir, "scenario.sh"))
	cmd.Env = append(os.Environ(), "D="+dir, "GOINIT="+goinitBin)
	cmd.WaitDelay = time.Second
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(hangGuard):
		cmd.Process.Kill()
		<-done
		t.Fatalf("scenario hung: %s", out)
	}
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "ok") {
		t.Fatalf("%v: %s", err, out)
	}
}

func TestParentDeathSignalIsForwarded(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		// goinit's parent is unshare, which the test then kills.
		args := []string{"--fork", goinitBin, "-p", "USR1", "--", helperBin, "signals"}
		if m.pid1 {
			args = append([]string{"--pid"}, args...)
		}
		parent := exec.Command("unshare", args...)
		r := start(t, asSubreaper, parent) // the namespace, if any, is unshare's doing
		r.expect("child ready")
		r.signal(syscall.SIGKILL) // the parent dies
		r.expect("child got 10")
		r.stdin.Close() // the helper exits, and goinit with it
		if !r.waitLineOrEnd() {
			t.Error("goinit's output never ended")
		}
	})
}

// waitLineOrEnd waits for the output to end.
func (r *running) waitLineOrEnd() bool {
	timeout := time.After(hangGuard)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				return true
			}
			r.seen = append(r.seen, line)
		case <-timeout:
			return false
		}
	}
}

func TestDockerStopSemanticsEndToEnd(t *testing.T) {
	// docker stop: SIGTERM to PID 1; goinit forwards it; the command exits
	// of it; what it left is drained; goinit exits 143 well within grace.
	requireRoot(t)
	dir := t.TempDir()
	r := startGoinit(t, asPID1, "--grace=30s", "--", "sh", "-c", leftover(dir, "")+"\necho ready; exec sleep 1000")
	r.expect("ready")
	start := time.Now()
	r.signal(syscall.SIGTERM)
	if code := r.exitStatus(); code != 143 {
		t.Errorf("goinit exited %d, want 143", code)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("took %v", took)
	}
	if _, err := os.Stat(filepath.Join(dir, "flushed")); err != nil {
		t.Error("the leftover did not get SIGTERM")
	}
}
