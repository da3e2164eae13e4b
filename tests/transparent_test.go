package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// The child must see what it would see if started directly: these tests run
// the same command once directly and once under goinit, in the same
// conditions, and compare what it reports.

// What the Go runtime takes from goinit's start-up state before any of
// goinit's code runs, and public APIs cannot give back (README, "Moving
// from tini or dumb-init"): it unblocks these signals for itself, so the
// child gets them unblocked,
var runtimeUnblocks = signalSet(1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 16, 17, 23, 27, 31, 32, 33, 34)

// and it installs its own handler over an inherited SIG_IGN for every
// signal but these, so the child gets the others at their default.
var ignoredSignalsKept = signalSet(1, 2, 18, 20, 21, 22, 32, 34)

func TestChildSignalMaskAndIgnoredSignalsMatchADirectRunLessTheRuntimesOwn(t *testing.T) {
	report := []string{"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"}
	parents := map[string][]string{
		"plain parent": nil,
		// A parent that blocked and ignored some signals, including ones
		// the Go runtime insists on catching or unblocking for itself.
		"parent with blocked and ignored signals": {
			"--block", "2,10,15,17,20,34,40",
			"--ignore", "1,3,12,13,18,21,22,27,28,32,35,64",
		},
		"parent that blocked everything":   {"--block", "all"},
		"parent that ignored all it could": {"--ignore", "1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,20,21,22,23,24,25,26,27,28,29,30,31,32,34,35,40,64"},
	}
	inEachMode(t, func(t *testing.T, m mode) {
		for name, state := range parents {
			blocked, ignored := signalState(t, outputOf(t, m, helperExecWith(state, report...)))
			wantBlocked, wantIgnored := blocked&^runtimeUnblocks, ignored&ignoredSignalsKept
			gotBlocked, gotIgnored := signalState(t, outputOf(t, m, helperExecWith(state, append([]string{goinitBin, "--"}, report...)...)))
			if gotBlocked != wantBlocked || gotIgnored != wantIgnored {
				t.Errorf("%s: under goinit the child has blocked %x and ignored %x; want %x and %x (a direct run: %x and %x)",
					name, gotBlocked, gotIgnored, wantBlocked, wantIgnored, blocked, ignored)
			}
		}
	})
}

// signalSet is the kernel's bit mask of sigs.
func signalSet(sigs ...int) uint64 {
	var set uint64
	for _, sig := range sigs {
		set |= 1 << (sig - 1)
	}
	return set
}

// signalState reads the SigBlk and SigIgn lines of a /proc status.
func signalState(t *testing.T, status string) (blocked, ignored uint64) {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		var v uint64
		if _, err := fmt.Sscanf(line, "SigBlk: %x", &v); err == nil {
			blocked = v
		} else if _, err := fmt.Sscanf(line, "SigIgn: %x", &v); err == nil {
			ignored = v
		}
	}
	return blocked, ignored
}

func helperExecWith(state []string, cmd ...string) *exec.Cmd {
	args := append([]string{"exec-with"}, state...)
	return exec.Command(helperBin, append(append(args, "--"), cmd...)...)
}

// outputOf runs cmd in mode m and returns its stdout; it must exit 0.
func outputOf(t *testing.T, m mode, cmd *exec.Cmd) string {
	t.Helper()
	if m.pid1 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v; stderr %q", cmd.Args, err, stderr.String())
	}
	return string(out)
}

func TestChildGetsTheSameDescriptorsAndNoneOfGoinits(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		list := func(argv ...string) string {
			cmd := exec.Command(argv[0], argv[1:]...)
			extra, err := os.Open("/dev/null")
			if err != nil {
				t.Fatal(err)
			}
			defer extra.Close()
			cmd.ExtraFiles = []*os.File{extra, extra, nil, extra} // fds 3, 4 and 6
			return outputOf(t, m, cmd)
		}
		direct := list("ls", "-l", "/proc/self/fd")
		viaGoinit := list(goinitBin, "--", "ls", "-l", "/proc/self/fd")
		if stripTotals(direct) != stripTotals(viaGoinit) {
			t.Errorf("descriptors differ.\ndirect:\n%s\nunder goinit:\n%s", direct, viaGoinit)
		}
	})
}

// stripTotals keeps "number -> target" from ls -l, with pipes' inode
// numbers dropped (each run has its own pipes) and without the descriptor
// ls opened to list /proc/self/fd.
func stripTotals(ls string) string {
	var out bytes.Buffer
	for _, line := range bytes.Split([]byte(ls), []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) < 3 || string(f[len(f)-2]) != "->" {
			continue
		}
		target := f[len(f)-1]
		if bytes.HasPrefix(target, []byte("/proc/")) {
			continue
		}
		if bytes.HasPrefix(target, []byte("pipe:")) {
			target = []byte("pipe")
		}
		out.Write(f[len(f)-3])
		out.WriteString(" -> ")
		out.Write(target)
		out.WriteByte('\n')
	}
	return out.String()
}

func TestChildEnvironmentIsByteForByteGoinits(t *testing.T) {
	env := []string{
		"PATH=/usr/bin:/bin",
		"DUP=first", "DUP=second", // duplicates, in order
		"EMPTY=",
		"BYTES=\xff\xfe\x01 x",
		"NOEQUALS",
		"SPACES=a b  c",
	}
	inEachMode(t, func(t *testing.T, m mode) {
		direct := runRaw(t, m, []string{"/bin/cat", "/proc/self/environ"}, env)
		viaGoinit := runRaw(t, m, []string{goinitBin, "--", "cat", "/proc/self/environ"}, env)
		if !bytes.Equal(direct, viaGoinit) {
			t.Errorf("environment differs:\ndirect      %q\nunder goinit %q", direct, viaGoinit)
		}
	})
}

func TestWithoutProcTheChildGetsTheFirstOfEachName(t *testing.T) {
	// goinit reads the environment with duplicates from /proc; without
	// /proc it has only os.Environ, which keeps the first of each name.
	requireRoot(t)
	env := []string{"PATH=/usr/bin:/bin", "DUP=first", "A=1", "DUP=second"}
	inEachMode(t, func(t *testing.T, m mode) {
		direct := runRaw(t, m, []string{helperBin, "exec-without-proc", "/usr/bin/env"}, env)
		if want := "PATH=/usr/bin:/bin\nDUP=first\nA=1\nDUP=second\n"; string(direct) != want {
			t.Fatalf("without goinit: %q, want %q", direct, want)
		}
		viaGoinit := runRaw(t, m, []string{helperBin, "exec-without-proc", goinitBin, "--", "/usr/bin/env"}, env)
		if want := "PATH=/usr/bin:/bin\nDUP=first\nA=1\n"; string(viaGoinit) != want {
			t.Errorf("under goinit without /proc: %q, want %q (the first DUP only)", viaGoinit, want)
		}
	})
}

func TestChildArgumentsArePassedUntouched(t *testing.T) {
	args := []string{"a b", "", "\xff\xfe", "--", "-c", "-v", "--help", "tab\there", "new\nline"}
	inEachMode(t, func(t *testing.T, m mode) {
		direct := outputOf(t, m, exec.Command(helperBin, append([]string{"argv"}, args...)...))
		viaGoinit := outputOf(t, m, exec.Command(goinitBin, append([]string{"--", helperBin, "argv"}, args...)...))
		if direct != viaGoinit {
			t.Errorf("arguments differ.\ndirect:\n%s\nunder goinit:\n%s", direct, viaGoinit)
		}
		// And without "--", the dumb-init way: parsing stops at the command.
		bare := outputOf(t, m, exec.Command(goinitBin, append([]string{helperBin, "argv"}, args...)...))
		if direct != bare {
			t.Errorf("arguments differ without --.\ndirect:\n%s\nunder goinit:\n%s", direct, bare)
		}
	})
}

// runRaw runs argv with exactly env (os/exec would remove duplicates) and
// returns its stdout; it must exit 0.
func runRaw(t *testing.T, m mode, argv, env []string) []byte {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	attr := &syscall.ProcAttr{Env: env, Files: []uintptr{0, w.Fd(), 2}, Sys: &syscall.SysProcAttr{}}
	if m.pid1 {
		attr.Sys.Cloneflags = syscall.CLONE_NEWPID
	}
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	w.Close()
	if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	var out bytes.Buffer
	out.ReadFrom(r)
	r.Close()
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("%v: %v", argv, ws)
	}
	return out.Bytes()
}
