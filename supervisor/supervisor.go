// Package supervisor is goinit's lifecycle: start the command; forward
// signals and reap exits while it runs; once it has exited, drain what it
// left behind; then return the status goinit exits with. Without a command
// it pauses (the Kubernetes pause container) until SIGINT or SIGTERM.
//
// Draining: every remaining process (the whole PID namespace when goinit is
// PID 1, every descendant otherwise) gets SIGTERM, then up to Grace to exit
// while goinit keeps reaping, then SIGKILL. When nothing is left goinit
// returns at once. With WaitAll it first waits for them to exit on their
// own, still forwarding signals to them, until SIGTERM or SIGINT starts the
// drain.
//
// Once the command has started (at once in pause mode) Run changes goinit
// itself: it moves to / and closes its copies of the descriptors it
// inherited above stderr (the command has its own), so that it keeps no
// mount busy and no pipe or socket open; a second later, if it has nothing
// else to do, it gives back the pages of its binary it read only to start.
//
// Run must be called from the goroutine catch.Start was called from, locked
// to its thread. Every event (a signal, an exit, a deadline) is handled in
// one loop, in the order the code reads: a signal is forwarded to the child
// only while the child has not been reaped.
package supervisor

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"goinit/catch"
	"goinit/child"
	"goinit/diag"
	"goinit/forward"
	"goinit/internal/resident"
	"goinit/leftovers"
	"goinit/reaper"
	"goinit/signals"
)

// Config is what Run needs to know: what the user asked for.
type Config struct {
	Command     []string        // the command and its arguments; empty for pause mode
	Env         []string        // the command's environment
	SingleChild bool            // forward to the child only, not its process group
	Rewrite     signals.Rewrite // what each received signal is forwarded as
	RemapExit   []int           // exit codes reported as 0
	Subreaper   bool            // register as subreaper even as PID 1
	WarnOnReap  bool            // warn for every reaped process but the child
	Verbosity   int             // 0: errors and warnings; 1: lifecycle; 2: every event

	Grace     time.Duration  // between SIGTERM and SIGKILL when draining
	WaitAll   bool           // after the child, wait for the rest to exit on their own
	StopDelay time.Duration  // hold a SIGTERM this long before forwarding it
	Pdeathsig syscall.Signal // ask for this signal when goinit's parent dies; 0: none
}

// killWait bounds the wait for processes to die after SIGKILL: one stuck in
// the kernel (uninterruptible I/O) must not keep goinit, and so the
// container, from exiting.
const killWait = 2 * time.Second

// Run runs the lifecycle and returns goinit's exit code. Signals are being
// caught already (caught is catch.Start's report), on the calling thread.
func Run(cfg Config, caught catch.Report) int {
	log := diag.New(cfg.Verbosity)
	reportCatching(caught, log)
	isPID1 := os.Getpid() == 1
	if !isPID1 || cfg.Subreaper {
		if err := reaper.BecomeSubreaper(); err != nil {
			log.Warnf("cannot register as child subreaper (%v): orphans of the command will not be reaped by goinit", err)
		}
	}
	parentGone := cfg.Pdeathsig != 0 && askForParentDeathSignal(cfg.Pdeathsig, caught.Parent, log)
	l := &lifecycle{cfg: cfg, log: log, trimAt: time.Now().Add(trimAfter)}
	if len(cfg.Command) == 0 {
		if !isPID1 {
			log.Warnf("no command and not PID 1: pausing as a subreaper; orphans elsewhere in this PID namespace go to its PID 1, not to goinit")
		}
		l.phase = pausing
		letGoOfInherited(log)
		return l.loop(parentGone)
	}
	proc, err := child.Start(cfg.Command, cfg.Env, &caught.Mask)
	if err != nil {
		return startFailed(err, log)
	}
	log.Infof("started %q as pid %d", cfg.Command[0], proc.Pid)
	letGoOfInherited(log)
	l.childPid, l.fwd, l.phase = proc.Pid, forward.New(proc.Pid, cfg.SingleChild), running
	// Job control: at a terminal, when the child stops (Ctrl-Z), goinit
	// stops too so the shell that started it gets the terminal back. PID 1
	// never stops.
	l.jobControl = proc.Foreground && !isPID1
	return l.loop(parentGone)
}

// trimAfter is how long after starting its command goinit gives back the
// pages of its binary it read only to start: later than a short command
// takes to run, so that one pays nothing for it.
const trimAfter = time.Second

// giveBackStartUpPages makes goinit's resident size smaller than the
// command's, as far as it can, so that under memory pressure the kernel's
// OOM killer, which picks the largest process, picks the command rather
// than PID 1 (see README, "Failure modes").
func (l *lifecycle) giveBackStartUpPages() {
	n, err := resident.DropBinaryPages()
	if err != nil {
		l.log.Debugf("cannot give back start-up pages: %v", err)
		return
	}
	l.log.Debugf("gave back the pages of %d KiB of the binary's mappings", n>>10)
}

// letGoOfInherited gives up what goinit holds only because it was started
// with it, once the command has its own: the working directory, so that
// PID 1 never keeps a mount busy, and its copies of the descriptors above
// stderr, so that a pipe or a socket the command closes is closed.
func letGoOfInherited(log *diag.Logger) {
	if err := syscall.Chdir("/"); err != nil {
		log.Warnf("cannot leave the working directory for /: %v", err)
	}
	if n := child.CloseInherited(); n > 0 {
		log.Debugf("closed %d inherited descriptors (the command has its own)", n)
	}
}

// reportCatching says at -v which signals goinit could not catch, and
// which it leaves ignored as it found them.
func reportCatching(caught catch.Report, log *diag.Logger) {
	if len(caught.Refused) > 0 {
		log.Infof("cannot catch %s: not forwarded", nameList(caught.Refused))
	}
	if len(caught.LeftIgnored) > 0 {
		log.Infof("%s ignored when goinit started: left ignored, not forwarded", nameList(caught.LeftIgnored))
	}
}

func nameList(sigs []syscall.Signal) string {
	names := make([]string, len(sigs))
	for i, sig := range sigs {
		names[i] = signals.Name(sig)
	}
	return strings.Join(names, ", ")
}

type phase int

const (
	running     phase = iota // the child runs
	pausing                  // pause mode: no child
	waitingAll               // the child has exited; --wait-all waits for the rest
	terminating              // SIGTERM sent to what is left; waiting up to Grace
	killing                  // SIGKILL sent; waiting up to killWait
	done
)

// lifecycle is the state of Run's loop.
type lifecycle struct {
	cfg   Config
	log   *diag.Logger
	phase phase

	childPid     int
	fwd          *forward.Forwarder
	status       syscall.WaitStatus // the child's, once reaped
	jobControl   bool               // stop with the child, resume it on SIGCONT
	childStopped bool               // stopped while goinit had job control

	heldTerm time.Time // when a SIGTERM held by --stop-delay is due; zero: none
	deadline time.Time // end of the grace period, or of the wait after SIGKILL
	trimAt   time.Time // when to give back start-up pages; zero: done

	drainStart time.Time
	leftAtTerm int // processes found when the drain began
	leftAtKill int // processes still there for SIGKILL
}

// loop handles events until the lifecycle is done and returns the exit
// code. With parentGone, goinit's parent died before it could ask for -p's
// signal: that counts as the signal's first arrival.
func (l *lifecycle) loop(parentGone bool) int {
	if parentGone {
		l.onSignal(l.cfg.Pdeathsig)
	}
	var sigs []syscall.Signal
	for l.phase != done {
		sigs = catch.Wait(sigs[:0], l.nextDeadline())
		for _, sig := range sigs {
			if sig == syscall.SIGCHLD {
				l.onExits()
			} else {
				l.onSignal(sig)
			}
			if l.phase == done {
				break
			}
		}
		l.onTime(time.Now())
	}
	return l.exitCode()
}

// exitCode is the child's exit code (128+N for signal N), or 0 when the
// user asked for it to be remapped.
func (l *lifecycle) exitCode() int {
	code := reaper.ExitCode(l.status)
	if slices.Contains(l.cfg.RemapExit, code) {
		return 0
	}
	return code
}

func (l *lifecycle) nextDeadline() time.Time {
	next := l.trimAt
	switch {
	case l.phase == running && !l.heldTerm.IsZero():
		next = earliest(next, l.heldTerm)
	case l.phase == terminating || l.phase == killing:
		next = earliest(next, l.deadline)
	}
	return next
}

// earliest is the earlier of two deadlines, zero meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func (l *lifecycle) onSignal(sig syscall.Signal) {
	switch l.phase {
	case running:
		l.forwardToChild(sig)
	case pausing:
		if sig == syscall.SIGINT || sig == syscall.SIGTERM {
			l.log.Noticef("pause: got %s, exiting", signals.Name(sig))
			l.startDrain(childrenLeft())
		}
	case waitingAll:
		if sig == syscall.SIGINT || sig == syscall.SIGTERM {
			l.log.Infof("got %s while waiting for the remaining processes: draining", signals.Name(sig))
			l.startDrain(true)
			return
		}
		if out, ok := l.cfg.Rewrite.Apply(sig); ok {
			if _, err := leftovers.Signal(out); err != nil {
				l.log.Warnf("forwarding %s: %v", signals.Name(out), err)
			}
		}
	default:
		if l.log.Debugging() {
			l.log.Debugf("draining: %s not forwarded", signals.Name(sig))
		}
	}
}

// forwardToChild forwards sig, holding a SIGTERM for --stop-delay. A second
// SIGTERM, or a SIGINT, sends the held one at once.
func (l *lifecycle) forwardToChild(sig syscall.Signal) {
	held := !l.heldTerm.IsZero()
	switch {
	case sig == syscall.SIGTERM && !held && l.cfg.StopDelay > 0:
		l.heldTerm = time.Now().Add(l.cfg.StopDelay)
		l.log.Infof("holding SIGTERM for %v (--stop-delay)", l.cfg.StopDelay)
		return
	case (sig == syscall.SIGTERM || sig == syscall.SIGINT) && held:
		l.heldTerm = time.Time{}
		l.send(syscall.SIGTERM)
		if sig == syscall.SIGTERM {
			return // the second SIGTERM is the held one, sent now
		}
	}
	l.send(sig)
}

// send forwards sig to the child, as rewritten by -r.
func (l *lifecycle) send(sig syscall.Signal) {
	if sig == syscall.SIGCONT && l.childStopped {
		l.resumeChild()
	}
	out, ok := l.cfg.Rewrite.Apply(sig)
	if l.log.Debugging() { // formatting allocates; keep the loop free of it
		switch {
		case !ok:
			l.log.Debugf("dropping %s (rewritten to 0)", signals.Name(sig))
		case out != sig:
			l.log.Debugf("forwarding %s as %s (rewritten)", signals.Name(sig), signals.Name(out))
		default:
			l.log.Debugf("forwarding %s", signals.Name(sig))
		}
	}
	if !ok {
		return
	}
	if err := l.fwd.Forward(out); err != nil {
		l.log.Warnf("forwarding %s: %v", signals.Name(out), err)
	}
}

// stopWithChild stops goinit after its child stopped at the terminal, so
// the shell regains the terminal and reports the job stopped.
func (l *lifecycle) stopWithChild() {
	l.childStopped = true
	l.log.Infof("the command stopped; stopping too")
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
}

// resumeChild gives the terminal back to the child's group when the shell
// has made goinit the foreground again (fg); after bg it stays with the
// shell. The SIGCONT that resumed goinit is forwarded as usual.
func (l *lifecycle) resumeChild() {
	l.childStopped = false
	if err := child.GiveTerminal(l.childPid); err != nil {
		l.log.Debugf("terminal stays with the shell: %v", err)
	}
}

// onExits reaps and moves on when the child, or everything, is gone.
func (l *lifecycle) onExits() {
	childExited, childStopped := false, false
	left := reaper.Reap(func(pid int, ws syscall.WaitStatus) {
		isChild := pid == l.childPid && l.phase == running
		switch {
		case ws.Stopped():
			childStopped = childStopped || isChild
		case isChild:
			l.status, childExited = ws, true
		case l.cfg.WarnOnReap:
			l.log.Warnf("reaped zombie process pid %d (%s)", pid, describe(ws))
		case l.log.Debugging():
			l.log.Debugf("reaped orphan pid %d (%s)", pid, describe(ws))
		}
	})
	if childStopped && !childExited && l.jobControl {
		l.stopWithChild()
	}
	switch {
	case childExited:
		l.fwd.ChildReaped()
		l.heldTerm = time.Time{}
		l.log.Infof("command exited: %s", describe(l.status))
		if l.cfg.WaitAll && left {
			l.log.Infof("waiting for the remaining processes (--wait-all)")
			l.phase, l.drainStart = waitingAll, time.Now()
			return
		}
		l.startDrain(left)
	case !left && (l.phase == waitingAll || l.phase == terminating || l.phase == killing):
		l.finishDrain()
	}
}

// startDrain sends what is left SIGTERM (SIGKILL with no grace period).
func (l *lifecycle) startDrain(left bool) {
	if !left {
		l.phase = done // the common case: nothing left, no delay
		return
	}
	l.drainStart = time.Now()
	if l.cfg.Grace <= 0 {
		l.kill()
		return
	}
	// A stopped process would not act on SIGTERM until continued.
	l.leftAtTerm = l.signalLeftovers(syscall.SIGTERM, syscall.SIGCONT)
	l.phase, l.deadline = terminating, l.drainStart.Add(l.cfg.Grace)
}

// kill sends SIGKILL to what is left.
func (l *lifecycle) kill() {
	n := l.signalLeftovers(syscall.SIGKILL)
	if l.phase != terminating {
		l.leftAtTerm = n // --grace 0: SIGKILL straight away
	}
	l.leftAtKill = n
	l.phase, l.deadline = killing, time.Now().Add(killWait)
}

// signalLeftovers sends sigs, in order, to what the child left and returns
// how many processes it reached. What got in the way is logged; it never
// stops the drain.
func (l *lifecycle) signalLeftovers(sigs ...syscall.Signal) int {
	res, err := leftovers.Signal(sigs...)
	if err != nil {
		l.log.Warnf("draining: %s: %v", signals.Name(sigs[0]), err)
	}
	return res.Found - res.Gone
}

func (l *lifecycle) onTime(now time.Time) {
	if !l.trimAt.IsZero() && !now.Before(l.trimAt) {
		l.trimAt = time.Time{}
		l.giveBackStartUpPages()
	}
	switch {
	case l.phase == running && !l.heldTerm.IsZero() && !now.Before(l.heldTerm):
		l.heldTerm = time.Time{}
		l.send(syscall.SIGTERM)
	case l.phase == terminating && !now.Before(l.deadline):
		l.kill()
	case l.phase == killing && !now.Before(l.deadline):
		if n, _ := leftovers.List(); len(n) > 0 {
			l.log.Warnf("draining: %s not die after SIGKILL; exiting anyway", processes(len(n), "did"))
		}
		l.finishDrain()
	}
}

func (l *lifecycle) finishDrain() {
	l.log.Infof("drained: %s left, %d exited on SIGTERM, %d needed SIGKILL, in %v",
		processes(l.leftAtTerm, "was"), l.leftAtTerm-l.leftAtKill, l.leftAtKill, time.Since(l.drainStart).Round(time.Millisecond))
	l.phase = done
}

// processes says "1 process was" or "3 processes were": n processes and
// verb agreeing with them (was, did).
func processes(n int, verb string) string {
	noun := " process "
	if n != 1 {
		noun = " processes "
		if verb == "was" {
			verb = "were"
		}
	}
	return strconv.Itoa(n) + noun + verb
}

// childrenLeft reports whether goinit has any child, dead or alive.
func childrenLeft() bool {
	return reaper.Reap(func(int, syscall.WaitStatus) {})
}

// askForParentDeathSignal makes the kernel send sig to goinit when goinit's
// parent dies. The request belongs to the calling thread and lapses if that
// thread exits, so the main goroutine, which lives as long as goinit,
// keeps this thread for good. It reports whether the parent died before
// the request, which the caller treats as if it had died just after (not
// by signalling goinit itself: a SIGPIPE from goinit's own pid is taken
// for one its own writes raised, and dropped).
func askForParentDeathSignal(sig syscall.Signal, parentAtStart int, log *diag.Logger) bool {
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(sig), 0, 0, 0); err != nil {
		log.Warnf("cannot ask for %s when the parent dies: %v", signals.Name(sig), err)
		return false
	}
	return os.Getppid() != parentAtStart
}

// startFailed reports a command that could not be started and returns the
// exit code for the failure.
func startFailed(err error, log *diag.Logger) int {
	log.Errorf("%v", err)
	var cerr *child.Error
	if !errors.As(err, &cerr) {
		return 1
	}
	return cerr.ExitCode()
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + signals.Name(ws.Signal())
	}
	return "exit status " + strconv.Itoa(ws.ExitStatus())
}
