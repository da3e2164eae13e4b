package tests

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"goinit/tests/internal/testenv"
)

// Drop-in: an image whose init is changed from tini, dumb-init or
// catatonit (Debian's packages) to goinit keeps working. Each case runs
// under the peers and under goinit; where they differ, the test checks
// the difference the README's migration table names.

// outcome is what running a command under an init gave.
type outcome struct {
	code           int
	stdout, stderr string
}

// runUnder runs command under init (flags, then "--") with PATH set to
// path, as an ordinary process, and waits for it.
func runUnder(t *testing.T, init string, flags []string, path string, command ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, init, slices.Concat(flags, []string{"--"}, command)...)
	cmd.Env = append(os.Environ(), "PATH="+path)
	cmd.WaitDelay = time.Second // a leftover holding the output open ends the wait too
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return outcome{exitCodeOf(cmd.Run()), stdout.String(), stderr.String()}
}

func TestCommandsAreFoundAndRunByExecvpsRulesAsUnderThePeers(t *testing.T) {
	inits := []struct {
		name, path string
		flags      []string
		// failure is the init's exit code for any command that cannot be
		// run: dumb-init's and catatonit's own; 0 for tini, whose codes
		// goinit shares (127 not found, 126 cannot be run).
		failure int
	}{
		{"tini", peer(t, "tini"), []string{"-s"}, 0},
		{"dumb-init", peer(t, "dumb-init"), nil, 2},
		{"catatonit", peer(t, "catatonit"), nil, 1},
	}
	dir, first, second := t.TempDir(), t.TempDir(), t.TempDir()
	noHashBang := writeFile(t, dir, "start.sh", "echo hello from the script\nexit 7\n", 0o755)
	badELF := writeFile(t, dir, "bad-elf", "\x7fELF\x02\x01\x01garbage", 0o755)
	noInterpreter := writeFile(t, dir, "no-interp", "#!/goinit-test/no/such/sh\necho hi\n", 0o755)
	notExecutable := writeFile(t, dir, "plain", "echo hi\n", 0o644)
	writeFile(t, first, "cmd", "echo the first\n", 0o644) // not executable: passed over
	writeFile(t, second, "cmd", "echo the second\nexit 5\n", 0o755)
	cases := []struct {
		name    string
		command string
		path    string
		code    int    // goinit's and tini's
		runs    bool   // the command runs, under every init alike
		stdout  string // what it prints, when it runs
		message string // goinit's one line, when it cannot run
	}{
		{"a script without #!, through /bin/sh", noHashBang, "/usr/bin:/bin", 7, true, "hello from the script\n", ""},
		{"a bad ELF header, through /bin/sh", badELF, "/usr/bin:/bin", 0, true, "", ""},
		{"passed over where not executable in PATH", "cmd", first + ":" + second, 5, true, "the second\n", ""},
		{"not found in PATH", "goinit-no-such-command", "/usr/bin:/bin", 127, false, "", `exec "goinit-no-such-command": not found`},
		{"an empty name", "", "/usr/bin:/bin", 127, false, "", `exec "": not found`},
		{"a missing #! interpreter", noInterpreter, "/usr/bin:/bin", 127, false, "", `interpreter "/goinit-test/no/such/sh" not found`},
		{"not executable", notExecutable, "/usr/bin:/bin", 126, false, "", "permission denied"},
		{"a directory", dir, "/usr/bin:/bin", 126, false, "", "permission denied"},
		{"only where not executable in PATH", "cmd", first, 126, false, "", `exec "` + first + `/cmd": permission denied`},
	}
	for _, c := range cases {
		g := runUnder(t, goinitBin, nil, c.path, c.command)
		tini := runUnder(t, inits[0].path, inits[0].flags, c.path, c.command)
		if c.name == "a bad ELF header, through /bin/sh" {
			c.code = tini.code // the shell's own complaint, whatever the shell
		}
		if g.code != c.code || tini.code != c.code {
			t.Errorf("%s: goinit exited %d, tini %d; want %d for both", c.name, g.code, tini.code, c.code)
		}
		if c.runs && g.stdout != c.stdout {
			t.Errorf("%s: the command printed %q under goinit, want %q", c.name, g.stdout, c.stdout)
		}
		if !c.runs && (!strings.Contains(g.stderr, c.message) || strings.Count(g.stderr, "\n") != 1) {
			t.Errorf("%s: goinit's stderr %q, want one line containing %q", c.name, g.stderr, c.message)
		}
		for _, p := range inits[1:] {
			want := c.code
			if !c.runs {
				want = p.failure // documented: their own code for any exec failure
			}
			if got := runUnder(t, p.path, p.flags, c.path, c.command); got.code != want || got.stdout != g.stdout {
				t.Errorf("%s: %s exited %d printing %q; want %d and goinit's %q", c.name, p.name, got.code, got.stdout, want, g.stdout)
			}
		}
	}
}

func TestGoinitLeavesItsWorkingDirectoryAsDumbInitDoes(t *testing.T) {
	dir := t.TempDir()
	// check runs pwd under init, started in dir, and checks what the
	// command and the init have as their working directories: the init
	// moves to want once the command has started.
	check := func(t *testing.T, m mode, want, init string, flags ...string) {
		cmd := exec.Command(init, append(append(flags, "--"), "sh", "-c", "pwd; read line; exit 0")...)
		cmd.Dir = dir
		r := start(t, m, cmd)
		if got := r.nextLineOrFail(); got != dir {
			t.Errorf("%s: the command's working directory is %q, want %q", init, got, dir)
		}
		var own string
		if !eventually(func() bool {
			own, _ = os.Readlink(fmt.Sprintf("/proc/%d/cwd", r.pid()))
			return own == want
		}) {
			t.Errorf("%s: its own working directory is %q, want %q", init, own, want)
		}
		r.finish()
	}
	inEachMode(t, func(t *testing.T, m mode) { check(t, m, "/", goinitBin) })
	check(t, asSubreaper, "/", peer(t, "dumb-init"))
	// Documented: tini and catatonit (0.1.7) keep it.
	check(t, asSubreaper, dir, peer(t, "catatonit"))
	check(t, asSubreaper, dir, peer(t, "tini"), "-s")
}

// holdsPipe reports whether pid has a descriptor on the pipe end f.
func holdsPipe(pid int, f *os.File) bool {
	var st syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &st) != nil {
		return false
	}
	want := fmt.Sprintf("pipe:[%d]", st.Ino)
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, e := range entries {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); target == want {
			return true
		}
	}
	return false
}

func TestAPipeTheCommandClosesReachesEndOfFileWhileGoinitRuns(t *testing.T) {
	// The pipe's write end is the init's descriptor 3; the command closes
	// its own and stays. The reader sees end of file only once the init
	// has let go of its copy, which goinit does after the command starts.
	check := func(t *testing.T, m mode, letsGo bool, init string, flags ...string) {
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		cmd := exec.Command(init, append(append(flags, "--"), "sh", "-c", "exec 3>&-; echo closed; read line; exit 0")...)
		cmd.ExtraFiles = []*os.File{wr}
		r := start(t, m, cmd)
		wr.Close()
		r.expect("closed")
		if !letsGo {
			if !holdsPipe(r.pid(), rd) {
				t.Errorf("%s let go of the pipe; the migration table says it keeps it", init)
			}
		} else if !eventually(func() bool { return !holdsPipe(r.pid(), rd) }) {
			t.Errorf("%s kept its copy of the inherited pipe", init)
		} else {
			rd.SetReadDeadline(time.Now().Add(hangGuard))
			if _, err := rd.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
				t.Errorf("%s: the reader saw no end of file while it ran (%v)", init, err)
			}
		}
		if code := r.finish(); code != 0 {
			t.Errorf("%s exited %d; stderr %q", init, code, r.Stderr())
		}
	}
	inEachMode(t, func(t *testing.T, m mode) { check(t, m, true, goinitBin) })
	check(t, asSubreaper, true, peer(t, "catatonit"))
	// Documented: tini and dumb-init keep every inherited descriptor.
	check(t, asSubreaper, false, peer(t, "tini"), "-s")
	check(t, asSubreaper, false, peer(t, "dumb-init"))
}

func TestSocketActivationReachesTheCommandAsUnderCatatonit(t *testing.T) {
	activate, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		testenv.SkipUnlessCI(t, "systemd-socket-activate is not installed (apt-get install systemd, or scripts/setup.sh)")
	}
	// The activator listens, and on the first connection execs the init
	// with LISTEN_PID set to its own pid, which becomes the init's.
	serve := func(t *testing.T, m mode, init string, flags ...string) (reply string, r *running) {
		sock := filepath.Join(t.TempDir(), "sock")
		args := append(append(append([]string{"-l", sock, init}, flags...), "--"), helperBin, "socket-activated")
		r = start(t, m, exec.Command(activate, args...))
		var conn net.Conn
		if !eventually(func() bool {
			var err error
			conn, err = net.Dial("unix", sock)
			return err == nil
		}) {
			t.Fatalf("%s: the activator never listened; stderr %q", init, r.Stderr())
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(hangGuard))
		buf := make([]byte, 64)
		n, _ := conn.Read(buf)
		return string(buf[:n]), r
	}
	inEachMode(t, func(t *testing.T, m mode) {
		reply, r := serve(t, m, goinitBin)
		if reply != "activated\n" {
			t.Errorf("the command answered %q, want it to take the socket as its own; output %q; stderr %q", reply, r.seen, r.Stderr())
		}
		r.expect("served")
		if code := r.exitStatus(); code != 0 {
			t.Errorf("goinit exited %d, want 0; stderr %q", code, r.Stderr())
		}
	})
	if reply, r := serve(t, asSubreaper, peer(t, "catatonit")); reply != "activated\n" {
		t.Errorf("under catatonit the command answered %q; output %q", reply, r.seen)
	}
	// Documented: tini and dumb-init pass LISTEN_PID on unchanged, so the
	// command does not take the sockets.
	for _, p := range []struct {
		name  string
		flags []string
	}{{"tini", []string{"-s"}}, {"dumb-init", nil}} {
		reply, r := serve(t, asSubreaper, peer(t, p.name), p.flags...)
		if reply != "" || r.exitStatus() != 3 {
			t.Errorf("%s: the command answered %q; the migration table says it ignores the socket", p.name, reply)
		}
	}
}

func TestTheDrainSendsSIGTERMThenSIGCONTWhereDumbInitSendsSIGTERM(t *testing.T) {
	// The command leaves a process that blocks every signal, so what the
	// init sends it stays pending where the test can see it, and exits
	// once that process sleeps.
	leftoverUnder := func(init string, flags ...string) (int, *running) {
		script := `"$@" & echo $!; read line; exit 0`
		args := append(append(flags, "--", "sh", "-c", script, "sh"), blockedSleeper()...)
		r := start(t, asSubreaper, exec.Command(init, args...))
		var pid int
		if _, err := fmt.Sscan(r.nextLineOrFail(), &pid); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
		if !eventually(func() bool { return isSleeping(pid) }) {
			t.Fatalf("%s: the leftover never slept", init)
		}
		r.stdin.Close()
		return pid, r
	}
	pid, r := leftoverUnder(goinitBin, "--grace", "1h")
	if !eventually(func() bool { return pending(pid, syscall.SIGTERM) && pending(pid, syscall.SIGCONT) }) {
		t.Errorf("goinit's drain: the leftover has SIGTERM pending %v, SIGCONT %v; want both",
			pending(pid, syscall.SIGTERM), pending(pid, syscall.SIGCONT))
	}
	syscall.Kill(pid, syscall.SIGKILL)
	if code := r.exitStatus(); code != 0 {
		t.Errorf("goinit exited %d, want the command's 0", code)
	}
	// Documented: dumb-init sends SIGTERM alone (a stopped leftover could
	// not act on it until continued).
	pid, r = leftoverUnder(peer(t, "dumb-init"))
	r.exitStatus()
	if !eventually(func() bool { return pending(pid, syscall.SIGTERM) }) || pending(pid, syscall.SIGCONT) {
		t.Errorf("dumb-init's leftover has SIGTERM pending %v, SIGCONT %v; the migration table says SIGTERM alone",
			pending(pid, syscall.SIGTERM), pending(pid, syscall.SIGCONT))
	}
}
